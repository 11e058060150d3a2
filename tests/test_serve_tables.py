"""`drafter serve` on a template with tables: the page's model, checks, save and render (no browser)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
import yaml
from lxml import etree

import drafter
from drafter import form, serve, tables
from drafter.cli import cli
from drafter.records import Records
from drafter.values import read_values_file

from .test_tables import SCHEMA, TEMPLATE, VALUES, W, _folder, _rows

PORT = 5000
BASE = f"http://127.0.0.1:{PORT}"
TOKEN = "test-token-of-this-start"
HEADERS = {"X-Drafter-Token": TOKEN, "Origin": BASE}
LIST = "项目建设.重点项目"
ITEMS = [{"名称": "艾城大道", "投资": "1200", "进度": "85"}, {"名称": "光伏电站", "投资": "3000.25", "进度": "60"}]
PAGE = {"项目建设.项目数": "2", LIST: ITEMS, "项目建设.污水投资": "800", "项目建设.总投资": "5000"}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return drafter.load_template(_folder(tmp_path_factory.mktemp("serve-tables") / "模板"))


@pytest.fixture
def values_path(tmp_path):
    return tmp_path / "values.yaml"


@pytest.fixture
def client(template, values_path):
    session = serve.Session(template, str(template.path), values_path, TOKEN, port=PORT)
    return serve.create_app(session).test_client()


def post(client, path: str, body: object):
    return client.post(path, json=body, headers=HEADERS, base_url=BASE)


def model(client) -> dict:
    response = client.get(f"/api/form?token={TOKEN}", base_url=BASE)
    assert response.status_code == 200, response.json
    return response.json


def table_of(data: dict) -> dict:
    [paragraph] = [p for p in data["paragraphs"] if p["kind"] == "table"]
    return paragraph


def cell_text(cell: dict) -> str:
    return "".join(f"{{{p['key']}}}" if p["key"] else p["text"] for p in cell["pieces"])


def _document_rows(docx: bytes) -> list[list[str]]:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    return _rows(next(root.iter(f"{W}tbl")))


# --- the page's model ----------------------------------------------------------------------------

def test_the_table_stands_where_the_report_has_it_with_caption_header_and_cells(client):
    data = model(client)
    kinds = [p["kind"] for p in data["paragraphs"]]
    assert kinds == ["title", "h1", "body", "table", "body"]
    table = table_of(data)
    assert "".join(p["text"] for p in table["pieces"]) == "表1　重点项目进展情况"
    assert table["table"]["widths"] == [4, 3, 2, 2]
    rows = table["table"]["rows"]
    assert [cell_text(c) for c in rows[0]["cells"]] == ["类别", "项目名称", "投资（万元）", "进度（%）"]
    assert rows[0]["header"] and not rows[1]["header"]
    # The repeated row: its cells are the list's columns, edited in this row.
    assert rows[1]["repeat"] == LIST and rows[1]["editor"]
    assert [cell_text(c) for c in rows[1]["cells"]] == [
        "工业", f"{{{LIST}.名称}}", f"{{{LIST}.投资}}", f"{{{LIST}.进度}}"]
    # A fixed cell's variable is an input in its cell; 民生 spans two rows, 合计 two columns.
    assert rows[2]["repeat"] is None and rows[2]["cells"][0]["rows"] == 2
    assert [c["rows"] for c in rows[3]["cells"]] == [0, 1, 1] and rows[3]["cells"][1]["span"] == 2
    [total] = [p for p in rows[3]["cells"][2]["pieces"] if p["key"]]
    assert total == {"key": "项目建设.总投资", "first": True, "unit": "", "text": "", "lead": False}  # the header says 万元
    # Nothing of drafter's own table markup reaches the page.
    text = json.dumps(data, ensure_ascii=False)
    for leftover in (tables.MARKER, tables.CELL_SEPARATOR, "【表格", "{{", "|---"):
        assert leftover not in text


def test_a_list_is_described_with_its_columns_and_empty_text(client):
    fields = {f["key"]: f for f in model(client)["fields"]}
    listed = fields[LIST]
    assert listed["type"] == "records" and listed["empty"] == "无"
    assert [c["key"] for c in listed["columns"]] == [f"{LIST}.名称", f"{LIST}.投资", f"{LIST}.进度"]
    assert listed["columns"][1]["unit"] == "万元" and "表头" in listed["columns"][1]["expected"]


def test_a_values_file_with_a_list_loads_its_items(client, values_path):
    values_path.write_text(VALUES, encoding="utf-8")
    data = model(client)
    assert data["values"][LIST] == ITEMS
    assert data["problems"] == [] and data["file_problems"] == []


def test_an_empty_and_an_absent_list_load_as_empty_and_not_filled(client, values_path):
    values_path.write_text("项目建设:\n  重点项目: []\n  项目数: 0\n", encoding="utf-8")
    assert model(client)["values"][LIST] == []
    values_path.write_text("项目建设:\n  项目数: 0\n", encoding="utf-8")
    data = model(client)
    assert LIST not in data["values"]
    assert {p["key"]: p["code"] for p in data["problems"]}[LIST] == "missing"


def test_a_list_of_the_wrong_shape_in_the_file_is_said_not_lost_silently(client, values_path):
    values_path.write_text("项目建设:\n  重点项目: 艾城大道\n  污水投资:\n    - 名称: 甲\n"
                           "  总投资: 5000\n  项目数: 1\n", encoding="utf-8")
    data = model(client)
    said = "\n".join(data["file_problems"])
    assert f"{LIST}（工业重点项目）应为清单" in said and "项目建设.污水投资（污水处理厂投资）应为一个取值" in said
    assert data["values"][LIST] is None and data["values"]["项目建设.污水投资"] == ""


def test_a_column_the_list_does_not_have_is_reported_once(client, values_path):
    values_path.write_text(VALUES.replace("      进度: 85\n", "      进度: 85\n      备注: 新建\n"),
                           encoding="utf-8")
    data = model(client)
    assert data["values"][LIST] == ITEMS
    assert data["file_problems"] == [f"{LIST}（工业重点项目）的项中有清单没有的列：备注；本页不显示，保存时不会写入。"]


def test_a_variable_printed_only_in_repeated_rows_gets_its_input_above_the_table(tmp_path):
    text = TEMPLATE.replace("| 工业 |", "| {{ 项目建设.类别 }} |")
    schema = SCHEMA.replace("  项目建设.污水投资:", "  项目建设.类别: {type: name, label: 项目类别}\n  项目建设.污水投资:")
    template = drafter.load_template(_folder(tmp_path / "t", text, schema))
    [table] = [p for p in form.paragraphs(template) if p.table]
    assert table.table.shared == ("项目建设.类别",)
    [piece] = table.table.rows[1].cells[0].pieces
    assert piece.key == "项目建设.类别" and not piece.first  # each item's row mirrors it
    # Printed in the text too, it is typed there, and not above the table.
    text = text.replace("以上项目进展顺利。", "以上{{ 项目建设.类别 }}项目进展顺利。")
    template = drafter.load_template(_folder(tmp_path / "u", text, schema))
    [table] = [p for p in form.paragraphs(template) if p.table]
    assert table.table.shared == ()
    [last] = [p for p in form.paragraphs(template) if "进展顺利" in "".join(x.text for x in p.pieces)]
    assert [x.first for x in last.pieces if x.key] == [True]


def test_a_list_in_two_tables_is_edited_in_the_first_and_mirrored_in_the_second(tmp_path):
    block = TEMPLATE[TEMPLATE.index("【表格】"):TEMPLATE.index("以上")]
    template = drafter.load_template(_folder(tmp_path / "t", TEMPLATE + block.replace("表1", "表2")))
    first, second = [p.table for p in form.paragraphs(template) if p.table]
    assert first.rows[1].editor and not second.rows[1].editor
    assert [x.first for c in second.rows[1].cells for x in c.pieces if x.key] == [False, False, False]
    assert [x.first for x in second.rows[3].cells[2].pieces if x.key] == [False]


# --- checking, saving, rendering -------------------------------------------------------------------

def test_a_bad_cell_is_named_by_item_and_column(client):
    items = [ITEMS[0], {**ITEMS[1], "投资": "三千"}, {"名称": "", "投资": "10", "进度": "5"}]
    response = post(client, "/api/check", {"values": {**PAGE, LIST: items}})
    problems = {p["key"]: p for p in response.json["problems"]}
    bad = problems[f"{LIST}第2项.投资"]
    assert bad["level"] == "error" and bad["label"] == "总投资" and bad["code"] == "invalid"
    assert "三千" in bad["message"] or "数字" in bad["message"] + bad["hint"]
    assert problems[f"{LIST}第3项.名称"]["code"] == "missing"
    assert len(problems) == 2
    assert post(client, "/api/check", {"values": PAGE}).json["problems"] == []


def test_a_list_not_filled_in_is_missing_and_an_empty_one_is_not(client):
    problems = post(client, "/api/check", {"values": {**PAGE, LIST: None}}).json["problems"]
    assert [(p["key"], p["code"]) for p in problems] == [(LIST, "missing")]
    assert post(client, "/api/check", {"values": {**PAGE, LIST: []}}).json["problems"] == []


@pytest.mark.parametrize("value", [
    "艾城大道", [{"备注": "x"}], [{"名称": 5}], ["艾城大道"], [[{"名称": "a"}]], {"名称": "a"}])
def test_a_list_of_the_wrong_shape_is_refused(client, value):
    response = post(client, "/api/check", {"values": {**PAGE, LIST: value}})
    assert response.status_code == 400 and "请求中" in response.json["message"]


def test_a_list_for_a_plain_variable_is_refused(client):
    response = post(client, "/api/check", {"values": {**PAGE, "项目建设.总投资": ITEMS}})
    assert response.status_code == 400 and "项目建设.总投资" in response.json["message"]


def test_save_writes_the_items_as_drafter_init_does_and_reload_shows_them(client, values_path, runner, template):
    hostile = {"名称": "<b>新区#1</b>: [x]", "投资": "", "进度": "40"}
    page = {**PAGE, LIST: [*ITEMS, hostile]}
    response = post(client, "/api/save", {"values": page, "version": ""})
    assert response.status_code == 200, response.json
    text = values_path.read_text(encoding="utf-8")
    assert "  重点项目:\n    - 名称: 艾城大道\n      投资: 1200\n      进度: 85\n    - 名称: 光伏电站\n" in text
    assert "      投资:\n" in text  # an empty cell is written to fill in later
    loaded = read_values_file(values_path).raw[LIST]
    assert isinstance(loaded, Records)
    assert [dict(i) for i in loaded.items] == [*ITEMS, {**hostile, "投资": None}]
    assert model(client)["values"][LIST] == page[LIST]
    result = runner.invoke(cli, ["check", str(template.path), "-f", str(values_path)])
    assert result.exit_code != 0 and "重点项目第3项" in result.output and "投资" in result.output


def test_save_an_empty_list_writes_brackets(client, values_path):
    assert post(client, "/api/save", {"values": {**PAGE, LIST: []}, "version": ""}).status_code == 200
    assert "  重点项目: []\n" in values_path.read_text(encoding="utf-8")
    assert read_values_file(values_path).raw[LIST] == ()
    assert model(client)["values"][LIST] == []


def test_save_without_the_list_keeps_drafter_inits_example_item(client, values_path):
    assert post(client, "/api/save", {"values": {**PAGE, LIST: None}, "version": ""}).status_code == 200
    text = values_path.read_text(encoding="utf-8")
    assert "  重点项目:\n    # 每项一行表格" in text and "    # - 名称: 艾城大道" in text


def test_render_gives_what_drafter_render_writes(client, values_path, runner, template, tmp_path):
    response = post(client, "/api/render", {"values": PAGE})
    assert response.status_code == 200, response.json
    values_path.write_text(VALUES, encoding="utf-8")
    out = tmp_path / "报告.docx"
    result = runner.invoke(cli, ["render", str(template.path), "-f", str(values_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = _document_rows(response.data)
    assert rows == _document_rows(out.read_bytes())
    assert rows[1] == ["工业", "艾城大道", "1200.0", "85"] and rows[2][1] == "光伏电站"
    with zipfile.ZipFile(io.BytesIO(response.data)) as ours, zipfile.ZipFile(out) as theirs:
        assert ours.read("word/document.xml") == theirs.read("word/document.xml")


def test_render_of_an_empty_list_prints_the_schemas_text(client):
    response = post(client, "/api/render", {"values": {**PAGE, LIST: []}})
    assert response.status_code == 200
    assert ["无"] in _document_rows(response.data)


def test_render_with_a_bad_cell_names_it(client):
    response = post(client, "/api/render", {"values": {**PAGE, LIST: [{**ITEMS[0], "进度": "八成"}]}})
    assert response.status_code == 422
    assert [p["key"] for p in response.json["problems"]] == [f"{LIST}第1项.进度"]


def test_render_with_an_unfilled_list_offers_a_draft_with_its_labels(client):
    refused = post(client, "/api/render", {"values": {**PAGE, LIST: None}})
    assert refused.status_code == 409 and refused.json["missing"] == 1
    draft = post(client, "/api/render", {"values": {**PAGE, LIST: None}, "draft": True})
    assert draft.status_code == 200
    assert _document_rows(draft.data)[1] == ["工业", "【项目名称】", "【总投资】", "【形象进度】"]


def test_values_file_text_of_records_reads_back(template, tmp_path):
    data = form.from_page(template, {**PAGE, LIST: [{"名称": "甲\n乙", "投资": " 5 ", "进度": "null"}]})
    path = tmp_path / "v.yaml"
    path.write_text(form.values_file_text(template, data, template_arg="模板", path=path), encoding="utf-8")
    [item] = read_values_file(path).raw[LIST].items
    assert dict(item) == {"名称": "甲\n乙", "投资": " 5 ", "进度": "null"}
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["项目建设"]["项目数"] == 2


def test_a_figures_cell_is_set_right_as_the_document_sets_it_unless_the_column_says(template, tmp_path):
    text = TEMPLATE.replace("|------|----------|-------------:|:---------:|", "|---|---|---|---|")
    undeclared = drafter.load_template(_folder(tmp_path / "t", text))
    [table] = [p.table for p in form.paragraphs(undeclared) if p.table]
    assert [c.align for c in table.rows[1].cells] == ["left", "left", "right", "right"]
    assert [c.align for c in table.rows[0].cells] == ["center"] * 4
    [declared] = [p.table for p in form.paragraphs(template) if p.table]
    assert declared.rows[1].cells[3].align == "center"  # :---: says so
