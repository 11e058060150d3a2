"""extract on templates with tables: fixed cells, captions and lists of records, from anchors or text."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile

import docx
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import drafter
from drafter import convert, extract, textfile, values, word
from drafter.cli import cli

from .test_tables import from_report, report_docx  # noqa: F401  (fixtures: a .docx report with tables)

TEMPLATE = """\
艾城镇{{ 基本信息.年份 }}年重点项目情况报告

一、项目建设
今年实施重点项目{{ 项目建设.项目数 }}个，由{{ 项目建设.负责人 }}牵头。
【表格】表1　{{ 基本信息.年份 }}年重点项目进展情况
列宽：2 4 3 2 3
| 类别 | 项目名称 | 投资（万元） | 进度（%） | 开工日期 |
|------|----------|-------------:|:---------:|----------|
| 工业 | {{ 项目建设.重点项目.名称 }} | {{ 项目建设.重点项目.投资 }} | {{ 项目建设.重点项目.进度 }} | {{ 项目建设.重点项目.开工 }} |
| 民生 | 污水处理厂 | {{ 项目建设.污水投资 }} | 100 | 已完工 |
| ^ | 合计 | < | {{ 项目建设.总投资 }}万元 | < |
【表格完】
以上项目进展顺利。
"""

SCHEMA = """\
title: 重点项目情况报告
groups:
  基本信息: 基本信息
  项目建设: 一、项目建设
variables:
  基本信息.年份: {type: year, label: 年份}
  项目建设.项目数: {type: count, unit: 个, label: 重点项目数}
  项目建设.负责人: {type: name, label: 牵头单位}
  项目建设.重点项目:
    type: records
    label: 工业重点项目
    columns:
      名称: {type: name, label: 项目名称}
      投资: {type: amount, unit: 万元, label: 总投资, thousands: true}
      进度: {type: percent, label: 形象进度}
      开工: {type: date, label: 开工日期}
  项目建设.污水投资: {type: amount, unit: 万元, label: 污水处理厂投资}
  项目建设.总投资: {type: amount, unit: 万元, label: 总投资合计}
"""

ITEMS = [{"名称": "艾城大道", "投资": "1200", "进度": "85", "开工": "2024-03-05"},
         {"名称": "光伏电站（一期）", "投资": "30000.25", "进度": "60.5", "开工": "2024-11-20"},
         {"名称": "冷链物流园", "投资": "800", "进度": "0", "开工": "2025-01-02"}]


def _values(items: list[dict]) -> dict:
    return {"基本信息": {"年份": "2024"},
            "项目建设": {"项目数": str(len(items)), "负责人": "镇经发办", "重点项目": items,
                         "污水投资": "800", "总投资": "32000.25"}}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("extract_tables") / "项目"
    folder.mkdir()
    (folder / "template.txt").write_text(TEMPLATE, encoding="utf-8")
    (folder / "schema.yaml").write_text(SCHEMA, encoding="utf-8")
    return drafter.load_template(folder)


@pytest.fixture(scope="module")
def rendered(loaded, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.docx"
    return loaded.render_docx(_values(ITEMS), path)


def _strip_anchors(data: bytes) -> bytes:
    """Return the .docx `data` without bookmarks and with an empty anchor record, as another tool might."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == word.DOCUMENT_PART:
                content = re.sub(rb"<w:bookmark(?:Start|End) [^>]*/>", b"", content)
            elif info.filename == word.ANCHORS_PART:
                content = b'<?xml version="1.0"?><other/>'
            target.writestr(info, content)
    return out.getvalue()


def _nested(result: extract.Extracted) -> dict:
    out: dict = {}
    for key, value in result.values.items():
        group, name = key.split(".")
        out.setdefault(group, {})[name] = value
    return out


# Characters no literal text of the template holds, so a random name never imitates its cell.
_ALPHABET = "".join(c for c in "甲乙丙丁戊己庚辛壬癸梅兰竹菊松柏桃李杏枣凤凰麒麟龙虎豹熊鹿鹤ABCxyz（）·"
                    if c not in TEMPLATE)
names = st.text(alphabet=_ALPHABET, min_size=1, max_size=8).filter(lambda s: s.strip() == s)


def _clerk(kind: str, value) -> str:
    """Return `value` as a clerk types it and extract gives it back (no trailing zeros)."""
    var = drafter.schema.Variable("x.y", kind, "x")
    return convert.typed_text(var, convert.parse_value(var, str(value))[0])


items = st.lists(st.fixed_dictionaries({
    "名称": names,
    "投资": st.decimals(0, 10**7, places=2).map(lambda d: _clerk("amount", d)),
    "进度": st.decimals(0, 100, places=1).map(lambda d: _clerk("percent", d)),
    "开工": st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)).map(str),
}), max_size=4)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(items, names)
@example([], "镇经发办").via("an empty list")
@example(ITEMS[:1], "镇经发办").via("a list of one")
def test_extract_of_a_rendered_table_gives_the_values_back_from_anchors_and_from_text(loaded, listed, name):
    data = _values(listed)
    data["项目建设"]["负责人"] = name
    report = loaded.render_bytes(data)
    for anchored, source in ((True, report), (False, _strip_anchors(report))):
        result = extract.extract_docx(loaded.source, loaded.schema, source, file="r.docx")
        assert not result.missing and not result.departures, (anchored, result.missing, result.departures)
        assert _nested(result) == data
        assert result.anchored == (len(loaded.variables) if anchored else 0)


def _is_name(text: str) -> bool:
    try:
        return convert.parse_value(drafter.schema.Variable("x.y", "name", "x"), text)[0] == text
    except convert.BadValue:
        return False


# Any name at all, table syntax and the template's words included, except the half-width marks the
# layout turns full-width next to Chinese (the report then prints ，where the clerk typed ,).
any_names = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Co", "Zl", "Zp", "Zs"),
                                  blacklist_characters=",!:;?()"), min_size=1, max_size=12).filter(_is_name)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.lists(any_names, max_size=3))
def test_the_anchors_give_back_any_names_in_the_cells(loaded, listed):
    items = [dict(ITEMS[0], 名称=name) for name in listed]
    report = loaded.render_bytes(_values(items))
    result = extract.extract_docx(loaded.source, loaded.schema, report, file="r.docx")
    assert not result.missing and result.values["项目建设.重点项目"] == items


def test_the_record_names_each_cell_with_its_item_and_each_list_with_its_count(loaded, rendered,
                                                                               office_schema):
    data = rendered.read_bytes()
    office_schema(data)
    anchors = word.read_anchors(data, file="r.docx")
    assert anchors.lists == {"项目建设.重点项目": 3}
    assert anchors.cells[("项目建设.重点项目.名称", 2)] == "光伏电站（一期）"
    assert anchors.cells[("项目建设.重点项目.投资", 2)] == "30,000.25"
    assert anchors.texts["基本信息.年份"] == ("2024", "2024")  # the title and the caption
    assert anchors.texts["项目建设.总投资"] == ("32000.25",)
    with zipfile.ZipFile(rendered) as archive:
        record = archive.read(word.ANCHORS_PART).decode("utf-8")
    assert 'key="项目建设.重点项目.进度" item="3" label="形象进度"' in record
    # The bookmarks sit inside the table's cells, around the value alone.
    document = docx.Document(str(rendered))
    cell = document.tables[0].rows[3].cells[1]._tc
    assert [e.tag.rsplit("}", 1)[1] for e in cell.iter() if "bookmark" in e.tag] == ["bookmarkStart", "bookmarkEnd"]


def test_an_empty_list_comes_back_empty_from_its_row_of_wu_and_from_the_record(loaded):
    report = loaded.render_bytes(_values([]))
    assert word.read_anchors(report, file="r.docx").lists == {"项目建设.重点项目": 0}
    lines = word.read_report(_strip_anchors(report), file="r.docx")
    assert "| 无 | < | < | < | < |" in lines
    for source in (report, _strip_anchors(report)):
        assert extract.extract_docx(loaded.source, loaded.schema, source, file="r.docx").values[
            "项目建设.重点项目"] == []


def _edit_row(path, tmp_path, row: int, texts: dict[int, str]):
    document = docx.Document(str(path))
    cells = document.tables[0].rows[row].cells
    for column, text in texts.items():
        cells[column].text = text  # replaces the cell's runs: its bookmark goes too
    edited = tmp_path / "edited.docx"
    document.save(str(edited))
    return edited


@pytest.mark.parametrize("strip", [False, True], ids=["anchors", "text"])
@pytest.mark.parametrize("texts, lost, renamed", [
    ({2: "待定"}, ["投资"], None),
    ({1: "光伏电站二期", 2: "约一千万"}, ["投资"], "光伏电站二期"),
    ({0: "农业", 1: "", 2: "约一千万", 3: "过半", 4: "待定"}, ["名称", "投资", "进度", "开工"], None),
], ids=["one cell", "a name changed, a figure garbled", "the whole row"])
def test_a_row_edited_by_hand_loses_only_its_own_values(loaded, rendered, tmp_path, strip, texts, lost, renamed):
    # A cell rewritten into another good value is that value (the report as it now stands).
    edited = _edit_row(rendered, tmp_path, 2, texts)  # the second item
    if strip:
        edited.write_bytes(_strip_anchors(edited.read_bytes()))
    result = extract.extract_report(loaded.source, loaded.schema, edited)
    assert sorted(result.missing) == sorted(f"项目建设.重点项目第2项.{c}" for c in lost)
    assert result.lost(loaded.schema) == ["项目建设.重点项目"]
    got = result.values["项目建设.重点项目"]
    assert len(got) == 3 and got[0] == ITEMS[0] and got[2] == ITEMS[2]
    assert got[1] == {k: v for k, v in ITEMS[1].items() if k not in lost} | (
        {"名称": renamed} if renamed else {})
    rest = _values(ITEMS)
    del rest["项目建设"]["重点项目"]
    assert {k: v for k, v in _nested(result)["项目建设"].items() if k != "重点项目"} == rest["项目建设"]
    if strip:  # the text shows where: the template's row and the report's
        assert any(d.report_text.startswith("| ") and texts[2] in d.report_text and d.template_lines == (9,)
                   for d in result.departures)


def test_a_row_deleted_and_a_fixed_cell_rewritten_in_the_text(loaded, rendered, tmp_path):
    document = docx.Document(str(rendered))
    table = document.tables[0]
    table._tbl.remove(table.rows[3]._tr)               # the third item, gone
    table.rows[3].cells[2].text = "八百万元左右"         # 污水投资, rewritten
    edited = tmp_path / "edited.docx"
    document.save(str(edited))
    stripped = tmp_path / "stripped.docx"
    stripped.write_bytes(_strip_anchors(edited.read_bytes()))
    document = docx.Document(str(edited))  # and a table the template does not have, added at the end
    document.add_table(rows=1, cols=2).rows[0].cells[0].text = "附：新增表格"
    document.save(str(edited))
    for path in (edited, stripped):
        result = extract.extract_report(loaded.source, loaded.schema, path)
        assert any(d.report_text.startswith("【表格】| 附：新增表格") for d in result.departures) == (path == edited)
        assert result.values["项目建设.重点项目"] == ITEMS[:2]
        assert list(result.missing) == ["项目建设.污水投资"]
        assert result.values["项目建设.总投资"] == "32000.25"


def test_a_text_report_has_no_tables_and_says_so(loaded, tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(loaded.render_text(_values(ITEMS)), encoding="utf-8")
    result = extract.extract_report(loaded.source, loaded.schema, path)
    assert set(result.missing) == {"项目建设.重点项目", "项目建设.污水投资", "项目建设.总投资"}
    assert all("没有表格" in why for why in result.missing.values())
    assert result.values["项目建设.负责人"] == "镇经发办" and result.values["基本信息.年份"] == "2024"


def test_cli_writes_the_items_as_a_clerk_types_them_and_they_check(loaded, rendered, runner, tmp_path):
    out = tmp_path / "去年.yaml"
    result = runner.invoke(cli, ["extract", str(loaded.path), str(rendered), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "取回 6/6 项（6 项来自文档中的标记）" in result.stdout
    written = out.read_text(encoding="utf-8")
    assert ("  重点项目:\n    - 名称: 艾城大道\n      投资: 1200\n      进度: 85\n      开工: 2024-03-05\n"
            "    - 名称: 光伏电站（一期）\n      投资: 30000.25\n") in written
    assert loaded.check(values.read_values_file(out)) == []
    assert values.read_values_file(out).raw["项目建设.重点项目"].items == tuple(ITEMS)


def test_cli_with_a_lost_cell_exits_1_names_it_and_leaves_it_empty_with_why(loaded, rendered, runner, tmp_path):
    edited = _edit_row(rendered, tmp_path, 2, {0: "农业", 1: "", 2: "x", 3: "y", 4: "z"})
    edited.write_bytes(_strip_anchors(edited.read_bytes()))
    out = tmp_path / "去年.yaml"
    result = runner.invoke(cli, ["extract", str(loaded.path), str(edited), "-o", str(out)])
    assert result.exit_code == 1
    assert "项目建设.重点项目第2项.投资（总投资）：报告第" in result.stdout
    assert "取回 5/6 项" in result.stdout
    assert f"模板 {loaded.path / 'template.txt'}:9: | 工业 | 【项目名称】 | 【总投资】 |" in result.stdout
    assert f"报告 {edited}:10: | 农业 |  | x | y | z |" in result.stdout
    written = out.read_text(encoding="utf-8")
    assert "    -\n      # 未能取回：报告第" in written and "\n      投资:\n" in written
    assert yaml.safe_load(written)["项目建设"]["重点项目"][1] == dict.fromkeys(["名称", "投资", "进度", "开工"])
    problems = loaded.check(values.read_values_file(out))
    assert sorted(p.key for p in problems) == sorted(f"项目建设.重点项目第2项.{c}" for c in ("名称", "投资", "进度", "开工"))


def test_an_empty_list_is_written_as_brackets(loaded, runner, tmp_path):
    report = tmp_path / "r.docx"
    report.write_bytes(loaded.render_bytes(_values([])))
    out = tmp_path / "v.yaml"
    assert runner.invoke(cli, ["extract", str(loaded.path), str(report), "-o", str(out)]).exit_code == 0
    written = out.read_text(encoding="utf-8")
    assert "  重点项目: []\n" in written
    assert values.read_values_file(out).raw["项目建设.重点项目"] in ((), values.Records(()))


def test_compare_takes_lists_item_by_item(loaded, runner, tmp_path):
    old, new, empty = tmp_path / "old.yaml", tmp_path / "new.yaml", tmp_path / "empty.yaml"
    changed = [dict(ITEMS[0], 投资="1300"), *ITEMS[1:]]
    for path, listed in ((old, ITEMS), (new, changed), (empty, [])):
        path.write_text(yaml.safe_dump(_values(listed), allow_unicode=True), encoding="utf-8")
    result = runner.invoke(cli, ["compare", str(loaded.path), str(old), str(new), "--strict"])
    assert result.exit_code == 0, result.output
    assert re.search(r"项目建设\.重点项目 +工业重点项目 +3 项 +3 项 +第 1 项已改", result.stdout)
    gone = runner.invoke(cli, ["compare", str(loaded.path), str(old), str(empty), "--json"])
    import json
    row = next(r for r in json.loads(gone.stdout) if r["key"] == "项目建设.重点项目")
    assert row["old"] == ITEMS and row["new"] == [] and row["change"]["text"] == "由 3 项变为 0 项"
    assert row["flag"] is None


# ── LibreOffice re-saves the report: one conversion for the module ───────────────────────────


@pytest.fixture(scope="module")
def resaved(rendered, tmp_path_factory):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("soffice not found: apt-get install libreoffice-writer-nogui")
    folder = tmp_path_factory.mktemp("resave_tables")
    subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={(folder / 'p').as_uri()}",
                    "--convert-to", "docx", "--outdir", str(folder / "out"), str(rendered)],
                   check=True, capture_output=True, timeout=180)
    return folder / "out" / rendered.name


def test_the_libreoffice_copy_gives_the_values_back_from_anchors_and_from_text(loaded, resaved):
    result = extract.extract_report(loaded.source, loaded.schema, resaved)
    assert not result.missing and _nested(result) == _values(ITEMS)
    assert result.anchored == len(loaded.variables)
    text = textfile.report_text(word.read_report(_strip_anchors(resaved.read_bytes()), file="r"), file="r")
    from_text = extract.extract_text(loaded.source, loaded.schema, text, from_docx=True)
    assert not from_text.missing and _nested(from_text) == _values(ITEMS)


# ── A report's own tables, templatized: merged rows and columns, two tables, no lists ─────────

def test_a_templatized_reports_tables_come_back_from_anchors_and_from_text(from_report):  # noqa: F811
    loaded = drafter.load_template(from_report)
    filled = {"主要指标": {"工业产值完成": "3456.5", "工业产值增长": "8.3", "工业税收完成": "980",
                           "农业产值增长": "3.1"},
              "村级收入": {"艾城村人口": "1200", "艾城村收入": "56.5", "新塘村人口": "800", "新塘村收入": "40"}}
    report = loaded.render_bytes(filled)
    for source in (report, _strip_anchors(report)):
        result = extract.extract_docx(loaded.source, loaded.schema, source, file="r.docx")
        assert not result.missing and not result.departures
        assert _nested(result) == filled


def test_a_caption_too_long_to_be_read_as_one_is_still_the_tables(loaded, tmp_path):
    source = loaded.source.replace("年重点项目进展情况", "年全镇重点项目进展情况（含续建、新建、谋划项目及其投资完成情况、形象进度和开工日期统计，单位：万元）")
    folder = tmp_path / "long"
    folder.mkdir()
    (folder / "template.txt").write_text(source, encoding="utf-8")
    (folder / "schema.yaml").write_text(SCHEMA, encoding="utf-8")
    longer = drafter.load_template(folder)
    report = _strip_anchors(longer.render_bytes(_values(ITEMS)))
    assert not any(line.startswith("【表格】表1") for line in word.read_report(report, file="r.docx"))
    result = extract.extract_docx(longer.source, longer.schema, report, file="r.docx")
    assert not result.missing and not result.departures and _nested(result) == _values(ITEMS)


BARE = """\
附表
【表格】
| {{ 附表.村.名称 }} | {{ 附表.村.户数 }} | {{ 附表.村.小组 }} |
【表格完】
【表格】表2　其他项目
| 项目 | 个数 |
|---|---|
| {{ 附表.项.名称 }} | {{ 附表.项.数 }} |
【表格完】
合计{{ 附表.合计 }}户。
"""

BARE_SCHEMA = """\
title: 附表
groups: {附表: 附表}
variables:
  附表.村:
    type: records
    label: 各村
    columns:
      名称: {type: name, label: 村名}
      户数: {type: count, unit: 户, label: 户数}
      小组: {type: text, label: 村民小组}
  附表.项:
    type: records
    label: 其他项目
    empty: 省略
    columns:
      名称: {type: name, label: 名称}
      数: {type: count, unit: 个, label: 个数}
  附表.合计: {type: count, unit: 户, label: 合计}
"""


def test_a_table_without_header_and_one_left_out_when_empty(tmp_path):
    (tmp_path / "template.txt").write_text(BARE, encoding="utf-8")
    (tmp_path / "schema.yaml").write_text(BARE_SCHEMA, encoding="utf-8")
    loaded = drafter.load_template(tmp_path)
    data = {"附表": {"村": [{"名称": "艾城村", "户数": "1200", "小组": "一组、二组（含|号）"},
                            {"名称": "新塘|村", "户数": "80", "小组": "三组"},
                            # a long table: the short sentence after it is still found
                            *({"名称": f"第{n}村", "户数": str(n), "小组": "一组"} for n in range(30))],
                     "项": [], "合计": "1280"}}
    report = loaded.render_bytes(data)
    assert "表2" not in "".join(word.read_report(report, file="r.docx"))  # the empty table is left out
    for source in (report, _strip_anchors(report)):
        result = extract.extract_docx(loaded.source, loaded.schema, source, file="r.docx")
        assert not result.missing and not result.departures
        assert _nested(result) == data
    # A text report shows no table at all: its lists are not taken for empty.
    text = extract.extract_text(loaded.source, loaded.schema, loaded.render_text(data))
    assert set(text.missing) == {"附表.村", "附表.项"} and text.values == {"附表.合计": "1280"}


def test_a_row_copied_in_word_is_one_more_item(loaded, rendered, tmp_path):
    import copy
    document = docx.Document(str(rendered))
    rows = document.tables[0].rows
    added = copy.deepcopy(rows[3]._tr)  # Word copies a row with its bookmarks
    rows[3]._tr.addnext(added)
    document.tables[0].rows[4].cells[1].paragraphs[0].runs[0].text = "新建学校"
    edited = tmp_path / "edited.docx"
    document.save(str(edited))
    result = extract.extract_report(loaded.source, loaded.schema, edited)
    assert not result.missing
    assert result.values["项目建设.重点项目"] == [*ITEMS, dict(ITEMS[2], 名称="新建学校")]
