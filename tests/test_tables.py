"""Tables: the 【表格】 block of template.txt, list-of-records variables, and the w:tbl written."""

from __future__ import annotations

import io
import json
import re
import zipfile

import jsonschema
import pytest
import yaml
from lxml import etree

import drafter
from drafter import tables
from drafter.cli import cli
from drafter.errors import TemplateError
from drafter.word import AREA_WIDTH, LINE

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

TEMPLATE = """\
艾城镇2024年重点项目情况报告

一、项目建设
今年实施重点项目{{ 项目建设.项目数 }}个。
【表格】表1　重点项目进展情况
列宽：4 3 2 2
字号：小四
| 类别 | 项目名称 | 投资（万元） | 进度（%） |
|------|----------|-------------:|:---------:|
| 工业 | {{ 项目建设.重点项目.名称 }} | {{ 项目建设.重点项目.投资 }} | {{ 项目建设.重点项目.进度 }} |
| 民生 | 污水处理厂 | {{ 项目建设.污水投资 }} | 100 |
| ^ | 合计 | < | {{ 项目建设.总投资 }} |
【表格完】
以上项目进展顺利。
"""

SCHEMA = """\
title: 重点项目情况报告
groups:
  项目建设: 一、项目建设
variables:
  项目建设.项目数: {type: count, unit: 个, label: 重点项目数, example: '2'}
  项目建设.重点项目:
    type: records
    label: 工业重点项目
    columns:
      名称: {type: name, label: 项目名称}
      投资: {type: amount, unit: 万元, label: 总投资, places: 1}
      进度: {type: percent, label: 形象进度}
    example:
      - {名称: 艾城大道, 投资: '1200', 进度: '85'}
  项目建设.污水投资: {type: amount, unit: 万元, label: 污水处理厂投资}
  项目建设.总投资: {type: amount, unit: 万元, label: 总投资合计}
"""

VALUES = """\
项目建设:
  项目数: 2
  重点项目:
    - 名称: 艾城大道
      投资: 1200
      进度: 85
    - 名称: 光伏电站
      投资: 3000.25
      进度: 60
  污水投资: 800
  总投资: 5000
"""


def _folder(root, template=TEMPLATE, schema=SCHEMA):
    root.mkdir(parents=True, exist_ok=True)
    (root / "template.txt").write_text(template, encoding="utf-8")
    (root / "schema.yaml").write_text(schema, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return _folder(tmp_path_factory.mktemp("tables") / "项目")


@pytest.fixture(scope="module")
def loaded(folder):
    return drafter.load_template(folder)


@pytest.fixture(scope="module")
def values():
    return yaml.safe_load(VALUES)


def _document(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read("word/document.xml"))


def _cell_text(tc) -> str:
    return "".join(t.text or "" for t in tc.iter(f"{W}t"))


def _grid(tbl) -> list[int]:
    return [int(col.get(f"{W}w")) for col in tbl.iter(f"{W}gridCol")]


def _rows(tbl) -> list[list[str]]:
    return [[_cell_text(tc) for tc in tr.findall(f"{W}tc")] for tr in tbl.findall(f"{W}tr")]


# --- the block syntax ---------------------------------------------------------------------------


def test_a_block_is_one_marker_line_and_keeps_later_line_numbers():
    text, specs = tables.split_source(TEMPLATE, file="template.txt")
    lines = text.split("\n")
    assert lines[4].startswith(tables.marker(0))
    assert len(specs) == 1 and specs[0].line == 5
    spec = specs[0]
    assert spec.caption == "表1　重点项目进展情况" and spec.widths == (4, 3, 2, 2) and spec.size == "小四"
    assert spec.aligns == ("", "", "right", "center")
    assert [row.header for row in spec.rows] == [True, False, False, False]
    assert spec.rows[1].repeat == "项目建设.重点项目" and spec.rows[2].repeat is None
    assert spec.rows[3].cells[0].continued and spec.rows[3].cells[1].span == 2
    # A Jinja error after the table still names its own line.
    broken = TEMPLATE.replace("以上项目进展顺利。", "以上{{ 项目建设.总投资 ")
    with pytest.raises(TemplateError) as error:
        drafter.render.compile_source(tables.split_source(broken, file="t")[0], file="t")
    assert error.value.line == 14


def test_a_template_without_tables_is_left_as_it_is(template):
    assert tables.split_source(template.source, file="t") == (template.source, ())
    assert template.tables == ()


@pytest.mark.parametrize("block, line, words", [
    ("【表格】\n| a | b |\n", 1, "没有结束行"),
    ("【表格完】\n", 1, "前面没有"),
    ("【表格】\n| a | b |\n| c |\n【表格完】\n", 3, "这一行有 1 格"),
    ("【表格】\n| a | b |\nc | d\n【表格完】\n", 3, "以“|”开头"),
    ("【表格】\n| < | b |\n【表格完】\n", 2, "第一格不能是“<”"),
    ("【表格】\n| ^ | b |\n【表格完】\n", 2, "上面没有可合并的格子"),
    ("【表格】\n| a | b |\n|---|---|\n| ^ | b |\n【表格完】\n", 4, "表头和表身不能合并"),
    ("【表格】\n| a | < |\n| ^ | c |\n【表格完】\n", 3, "不对齐"),
    ("【表格】\n| a | b |\n| {{ 组.清单.列 }} | ^ |\n【表格完】\n", 3, "不能向上合并"),
    ("【表格】\n| {{ 组.清单.列 }} | b |\n| ^ | c |\n【表格完】\n", 3, "不能向上合并"),
    ("【表格】\n| {{ 组.甲.列 }} | {{ 组.乙.列 }} |\n【表格完】\n", 2, "只能按一个清单重复"),
    ("【表格】\n| {{ 组.甲.列 }} | b |\n|---|---|\n| c | d |\n【表格完】\n", 2, "表头行不能按清单重复"),
    ("【表格】\n列宽：1 2 3\n| a | b |\n【表格完】\n", 1, "列宽给了 3 个数"),
    ("【表格】\n列宽：1 x\n| a | b |\n【表格完】\n", 2, "1～100 的整数"),
    ("【表格】\n字号：三号\n| a | b |\n【表格完】\n", 2, "字号“三号”不可用"),
    ("【表格】\n| a | b |\n|---|---|\n|---|---|\n【表格完】\n", 4, "只能有一行"),
    ("【表格】\n【表格完】\n", 1, "没有任何行"),
    ("【表格】\n| {{ 组.名称 | upper }} |\n【表格完】\n", 2, "不是“组.名称”形式"),
    ("【表格】\n| {% if 1 %}a{% endif %} |\n【表格完】\n", 2, "{% %}"),
    ("甲\ue003乙\n", 1, "U+E003"),
], ids=["no-end", "end-alone", "cell-count", "not-a-row", "merge-left-first", "merge-up-first-row",
        "merge-across-header", "merge-up-misaligned", "repeated-row-merged-up", "merge-into-repeated",
        "two-lists", "repeated-header", "width-count", "width-text", "size", "two-rules", "empty", "filter", "tag", "marker"])
def test_a_bad_block_is_refused_with_its_line(block, line, words):
    with pytest.raises(TemplateError) as error:
        tables.split_source("正文。\n" + block, file="template.txt")
    assert words in str(error.value)
    assert error.value.line == line + 1 and error.value.file == "template.txt"


def test_escaped_bars_and_merge_marks_are_text():
    _, (spec,) = tables.split_source("【表格】\n| a\\|b | \\< | \\^ |\n【表格完】", file="t")
    assert [cell.text for cell in spec.rows[0].cells] == ["a|b", "<", "^"]


@pytest.mark.parametrize("template, schema_extra, words", [
    (TEMPLATE.replace("今年实施", "{{ 项目建设.重点项目 }}今年实施"), "", "只能用在表格中按清单重复的行里"),
    (TEMPLATE.replace("重点项目.进度", "重点项目.进展"), "", "没有“进展”这一列"),
    (TEMPLATE.replace("{{ 项目建设.污水投资 }}", "{{ 项目建设.污水投资.合计 }}").replace("| ^ | 合计", "| 其他 | 合计"),
     "", "不是清单变量"),
    (TEMPLATE, "rules:\n  - {check: 项目建设.重点项目 > 0, message: m}\n", "用到了清单变量"),
], ids=["list-in-text", "unknown-column", "columns-of-a-plain-variable", "list-in-a-rule"])
def test_list_variables_are_used_only_through_their_columns(tmp_path, template, schema_extra, words):
    _folder(tmp_path, template, SCHEMA + schema_extra)
    with pytest.raises(TemplateError) as error:
        drafter.load_template(tmp_path)
    assert words in str(error.value)


@pytest.mark.parametrize("spec, words", [
    ("{type: records, label: 清单}", "缺少 columns"),
    ("{type: records, label: 清单, columns: {甲: {type: records, label: x, columns: {}}}}", "不能是清单"),
    ("{type: records, label: 清单, columns: {1甲: {type: name, label: x}}}", "列名“1甲”不合法"),
    ("{type: records, label: 清单, unit: 个, columns: {甲: {type: name, label: x}}}", "未知字段：unit"),
], ids=["no-columns", "nested", "bad-column-name", "unknown-field"])
def test_a_bad_list_variable_in_the_schema_is_refused(tmp_path, spec, words):
    schema = SCHEMA.replace("项目建设.总投资: {type: amount, unit: 万元, label: 总投资合计}",
                            f"项目建设.总投资: {{type: amount, unit: 万元, label: 总投资合计}}\n  项目建设.另一: {spec}")
    _folder(tmp_path, schema=schema)
    with pytest.raises(TemplateError) as error:
        drafter.load_template(tmp_path)
    assert words in str(error.value) and error.value.file.endswith("schema.yaml")


# --- values ---------------------------------------------------------------------------------------


def test_a_list_renders_one_row_an_item(loaded, values, office_schema):
    data = loaded.render_bytes(values)
    office_schema(data, "tables.docx")
    body = _document(data).find(f"{W}body")
    (tbl,) = body.iter(f"{W}tbl")
    assert _rows(tbl) == [["类别", "项目名称", "投资（万元）", "进度（%）"],
                          ["工业", "艾城大道", "1200.0", "85"],
                          ["工业", "光伏电站", "3000.3", "60"],  # places: 1, rounded half up
                          ["民生", "污水处理厂", "800", "100"],
                          ["", "合计", "5000"]]
    assert loaded.render_text(values).split("\n")[4:10] == [
        "表1　重点项目进展情况", "| 类别 | 项目名称 | 投资（万元） | 进度（%） |", "| 工业 | 艾城大道 | 1200.0 | 85 |",
        "| 工业 | 光伏电站 | 3000.3 | 60 |", "| 民生 | 污水处理厂 | 800 | 100 |", "|  | 合计 | 5000 |"]


def test_the_table_in_the_docx(loaded, values):
    body = _document(loaded.render_bytes(values)).find(f"{W}body")
    children = list(body)
    index = next(i for i, child in enumerate(children) if child.tag == f"{W}tbl")
    tbl, caption, after = children[index], children[index - 1], children[index + 1]
    # Caption above in 黑体 三号, centred, kept with the table.
    assert _cell_text(caption) == "表1　重点项目进展情况"
    assert caption.find(f"{W}pPr/{W}keepNext") is not None
    assert caption.find(f"{W}pPr/{W}jc").get(f"{W}val") == "center"
    assert {f.get(f"{W}eastAsia") for f in caption.iter(f"{W}rFonts")} == {"黑体"}
    # Within the type area, centred, fixed layout, widths 4:3:2:2 that add up to it.
    props = tbl.find(f"{W}tblPr")
    assert props.find(f"{W}tblW").get(f"{W}w") == str(AREA_WIDTH) == "8845"
    assert props.find(f"{W}jc").get(f"{W}val") == "center"
    assert props.find(f"{W}tblLayout").get(f"{W}type") == "fixed"
    grid = _grid(tbl)
    assert sum(grid) == AREA_WIDTH and len(grid) == 4
    assert all(abs(w - AREA_WIDTH * share / 11) <= 3 for w, share in zip(grid, (4, 3, 2, 2), strict=True))
    borders = props.find(f"{W}tblBorders")
    assert [b.get(f"{W}val") for b in borders] == ["single"] * 6 and {b.get(f"{W}sz") for b in borders} == {"4"}
    rows = tbl.findall(f"{W}tr")
    # The header row repeats on each page; no row splits across pages; rows are whole body lines.
    assert [tr.find(f"{W}trPr/{W}tblHeader") is not None for tr in rows] == [True, False, False, False, False]
    assert all(tr.find(f"{W}trPr/{W}cantSplit") is not None for tr in rows)
    heights = [int(tr.find(f"{W}trPr/{W}trHeight").get(f"{W}val")) for tr in rows]
    assert all(h % LINE == 0 and h >= LINE for h in heights)
    # Merged cells: 民生 down two rows, 合计 across two columns.
    first = [tr.findall(f"{W}tc")[0].find(f"{W}tcPr/{W}vMerge") for tr in rows]
    assert first[3].get(f"{W}val") == "restart" and first[4] is not None and first[4].get(f"{W}val") is None
    assert first[1] is None and first[2] is None
    last = rows[4].findall(f"{W}tc")
    assert last[1].find(f"{W}tcPr/{W}gridSpan").get(f"{W}val") == "2"
    assert int(last[1].find(f"{W}tcPr/{W}tcW").get(f"{W}w")) == grid[1] + grid[2]
    # Cell text: 仿宋 小四 (the block's 字号) with single spacing; the header in 黑体.
    body_cell = rows[1].findall(f"{W}tc")[1]
    assert {f.get(f"{W}eastAsia") for f in body_cell.iter(f"{W}rFonts")} == {"仿宋_GB2312"}
    assert {s.get(f"{W}val") for s in body_cell.iter(f"{W}sz")} == {"24"}
    spacing = body_cell.find(f"{W}p/{W}pPr/{W}spacing")
    assert (spacing.get(f"{W}line"), spacing.get(f"{W}lineRule")) == ("240", "auto")
    assert {f.get(f"{W}eastAsia") for f in rows[0].iter(f"{W}rFonts")} == {"黑体"}
    # Figures right-aligned as the rule row says (---:), the 进度 column centred (:---:), text left.
    jc = [[tc.find(f"{W}p/{W}pPr/{W}jc").get(f"{W}val") for tc in tr.findall(f"{W}tc")] for tr in rows]
    assert jc[0] == ["center"] * 4 and jc[1] == ["left", "left", "right", "center"]
    # The text after the table is a body paragraph on the exact 28.95 pt lines again.
    assert _cell_text(after) == "以上项目进展顺利。"
    assert after.find(f"{W}pPr/{W}spacing").get(f"{W}line") == str(LINE)


def test_an_empty_list_prints_a_row_of_its_empty_text_or_none(tmp_path, values, office_schema):
    data = {**values, "项目建设": {**values["项目建设"], "重点项目": []}}
    loaded = drafter.load_template(_folder(tmp_path / "a"))
    (tbl,) = _document(loaded.render_bytes(data)).iter(f"{W}tbl")
    assert _rows(tbl)[1] == ["无"]
    assert tbl.findall(f"{W}tr")[1].find(f"{W}tc/{W}tcPr/{W}gridSpan").get(f"{W}val") == "4"
    hidden = SCHEMA.replace("label: 工业重点项目", "label: 工业重点项目\n    empty: 省略")
    loaded = drafter.load_template(_folder(tmp_path / "b", schema=hidden))
    (tbl,) = _document(loaded.render_bytes(data)).iter(f"{W}tbl")
    assert [row[1] for row in _rows(tbl)] == ["项目名称", "污水处理厂", "合计"]
    # A table of nothing but the list's rows is left out whole, caption and all.
    only = TEMPLATE.replace("| 民生 | 污水处理厂 | {{ 项目建设.污水投资 }} | 100 |\n| ^ | 合计 | < | {{ 项目建设.总投资 }} |\n",
                            "").replace("今年实施", "{{ 项目建设.污水投资 }}{{ 项目建设.总投资 }}今年实施")
    loaded = drafter.load_template(_folder(tmp_path / "c", template=only, schema=hidden))
    data_c = loaded.render_bytes(data)
    office_schema(data_c, "hidden.docx")
    document = _document(data_c)
    assert not list(document.iter(f"{W}tbl")) and "表1" not in "".join(document.itertext())


def test_a_bad_item_is_named_with_its_file_and_line(folder, runner, tmp_path):
    bad = VALUES.replace("投资: 3000.25", "投资: 3千").replace("进度: 85", "进度: 185\n      备注: 无")
    path = tmp_path / "values.yaml"
    path.write_text(bad, encoding="utf-8")
    result = runner.invoke(cli, ["check", str(folder), "-f", str(path)])
    assert result.exit_code == 1
    assert f"{path}:9: 项目建设.重点项目第2项.投资（总投资）：“3千”带了单位“千”，而表头的单位是“万元”。" in result.stderr
    assert f"{path}:6: 项目建设.重点项目第1项.进度（形象进度）：185 超出范围。" in result.stderr
    assert f"{path}:7: 项目建设.重点项目第1项.备注：清单“工业重点项目”没有“备注”这一列。" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("value, words", [
    ("重点项目: 艾城大道", "应为清单：每项一组“列: 值”"),
    ("重点项目: [艾城大道, 光伏电站]", "应为清单：每项一组“列: 值”"),
    ("重点项目:\n    名称: 甲\n    投资: 1\n    进度: 2", "是清单，每一项前面要写“- ”"),
    ("重点项目:\n    - 名称: 甲\n      投资: {a: 1}", "不能再套"),
    ("重点项目:\n    - 名称: 甲\n    - 乙", "第 2 项不是“列: 值”的形式"),
    ("重点项目:\n    - 名称: 甲\n    -\n", "第 2 项不是“列: 值”的形式"),
    ("重点项目:", "未填写"),
    ("重点项目:\n    - 名称: 甲\n      投资: 1", "缺少这一格"),
], ids=["a-scalar", "a-list-of-names", "no-dash", "nested-mapping", "mixed-list", "empty-item", "empty", "missing-cell"])
def test_a_list_written_wrong_is_refused(folder, runner, tmp_path, value, words):
    text = VALUES.split("  重点项目:")[0] + "  " + value + "\n  污水投资: 1\n  总投资: 1\n"
    path = tmp_path / "values.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["check", str(folder), "-f", str(path)])
    assert result.exit_code == 1 and words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_cell_holding_a_mapping_is_refused_through_the_api(loaded):
    with pytest.raises(drafter.DrafterError, match="第 1 项的“投资”只能是一个取值"):
        loaded.check({"项目建设": {"重点项目": [{"名称": "甲", "投资": {"a": 1}, "进度": 1}]}})


def test_a_caption_may_hold_variables(tmp_path, values):
    template = TEMPLATE.replace("【表格】表1　重点项目", "【表格】表1　{{ 项目建设.项目数 }}个重点项目")
    loaded = drafter.load_template(_folder(tmp_path, template=template))
    (table,) = [b for b in loaded.render_blocks(values, mark_values=True) if b.table]
    assert [(s.text, s.mark) for s in table.table.caption] == [("表1　", None), ("2", "value"), ("个重点项目进展情况", None)]
    broken = TEMPLATE.replace("【表格】表1　重点项目", "【表格】表1　{{ 项目建设.重点项目.名称 }}")
    with pytest.raises(TemplateError, match="不是“组.名称”形式") as error:
        drafter.load_template(_folder(tmp_path / "b", template=broken))
    assert error.value.line == 5


def test_a_list_replaces_an_earlier_one_whole_and_is_explained(folder, runner, tmp_path):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(VALUES, encoding="utf-8")
    second.write_text("项目建设:\n  重点项目:\n    - {名称: 新项目, 投资: 1, 进度: 2}\n", encoding="utf-8")
    result = runner.invoke(cli, ["check", str(folder), "-f", str(first), "-f", str(second),
                                             "--explain"])
    assert result.exit_code == 0, result.stderr
    assert re.search(rf"项目建设\.重点项目\s+1 项  ← {re.escape(str(second))}:2\n"
                     rf"  第1项  名称=新项目，投资=1，进度=2  ← {re.escape(str(second))}:3\n", result.stdout)


def test_a_draft_shows_missing_cells_and_lists_as_labels(loaded, values):
    partial = {"项目建设": {"重点项目": [{"名称": "艾城大道", "进度": 85}]}}
    rendered = loaded.render(partial, draft=True)
    (table,) = [b.table for b in rendered.blocks if b.table]
    cells = table.rows[1].cells
    assert [(c.segments[0].text, c.segments[0].mark) for c in cells[1:]] == [
        ("艾城大道", None), ("【总投资】", "missing"), ("85", None)]
    assert "项目建设.重点项目第1项.投资" in rendered.missing
    rendered = loaded.render({}, draft=True)
    (table,) = [b.table for b in rendered.blocks if b.table]
    assert ["".join(s.text for s in c.segments) for c in table.rows[1].cells[1:]] == [
        "【项目名称】", "【总投资】", "【形象进度】"]
    assert rendered.missing["项目建设.重点项目"] == "【工业重点项目】"


def test_init_writes_a_commented_example_item_that_checks_when_uncommented(folder, runner, tmp_path):
    out = tmp_path / "values.yaml"
    result = runner.invoke(cli, ["init", str(folder), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    text = out.read_text("utf-8")
    assert "    # - 名称: 艾城大道    # 项目名称（名称）\n" in text
    assert "    #   投资: 1200    # 总投资（金额，单位：万元）\n" in text
    filled = (text.replace("    # - ", "    - ").replace("    #   ", "      ")
              .replace("项目数:", "项目数: 2").replace("污水投资:", "污水投资: 1").replace("总投资:\n", "总投资: 2\n"))
    out.write_text(filled, encoding="utf-8")
    assert runner.invoke(cli, ["check", str(folder), "-f", str(out)]).exit_code == 0
    # The JSON Schema written beside it accepts the same file and refuses a bad item.
    schema = json.loads((tmp_path / "values.schema.json").read_text("utf-8"))
    jsonschema.validate(yaml.safe_load(filled), schema)
    bad = yaml.safe_load(filled)
    bad["项目建设"]["重点项目"][0]["进度"] = 150
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_vars_lists_the_columns_and_lint_an_unused_one(folder, runner, tmp_path):
    result = runner.invoke(cli, ["vars", str(folder)])
    assert re.search(r"项目建设\.重点项目\.投资\s+金额\s+万元\s+总投资", result.stdout)
    rows = json.loads(runner.invoke(cli, ["vars", str(folder), "--json"]).stdout)
    (listed,) = [row for row in rows if row["type"] == "records"]
    assert [c["key"] for c in listed["columns"]] == ["项目建设.重点项目.名称", "项目建设.重点项目.投资",
                                                      "项目建设.重点项目.进度"]
    assert runner.invoke(cli, ["lint", str(folder)]).exit_code == 0
    extra = SCHEMA.replace("      进度: {type: percent, label: 形象进度}",
                           "      进度: {type: percent, label: 形象进度}\n      备注: {type: text, label: 备注}")
    other = _folder(tmp_path / "t", schema=extra)
    result = runner.invoke(cli, ["lint", str(other)])
    assert result.exit_code == 1 and "清单 项目建设.重点项目 的列 备注（备注）在表格中没有用到" in result.stdout


def test_the_schema_round_trips_through_dump(loaded):
    from drafter.schema import dump_schema, load_schema
    path = loaded.path / "dumped.yaml"
    path.write_text(dump_schema(loaded.schema), encoding="utf-8")
    try:
        assert load_schema(path).variables == loaded.schema.variables
    finally:
        path.unlink()


# --- a .docx report's tables, through templatize, back into a .docx --------------------------------


@pytest.fixture(scope="module")
def report_docx(tmp_path_factory):
    """Build a report with python-docx: a table with a merged title row, a vertically merged first
    column and blanks in cells, its caption above it; and a plain grid with no header marked."""
    import docx
    from docx.shared import Cm

    document = docx.Document()
    document.add_paragraph("一、主要指标")
    document.add_paragraph("今年全镇经济运行平稳。")
    document.add_paragraph("表1　2024年主要经济指标")
    table = document.add_table(rows=5, cols=4)
    for column, width in zip(table.columns, (2, 4, 3, 3), strict=True):
        column.width = Cm(width)
    table.cell(0, 0).merge(table.cell(0, 3)).text = "2024年主要经济指标完成情况"
    for column, text in enumerate(["类别", "指标", "完成（万元）", "增长（%）"]):
        table.cell(1, column).text = text
    table.cell(2, 0).merge(table.cell(3, 0)).text = "工业"
    for row, texts in {2: ["工业产值", "x", "x.x"], 3: ["工业税收", "XX", "5.2"], 4: ["农业产值", "1,200", "x"]}.items():
        for column, text in enumerate(texts, start=1):
            table.cell(row, column).text = text
    table.cell(4, 0).text = "农业"
    document.add_paragraph("二、村级收入")
    grid = document.add_table(rows=3, cols=3)
    for row, texts in enumerate([["村名", "人口（人）", "收入（万元）"], ["艾城村", "x", "x"], ["新塘村", "x", "x"]]):
        for column, text in enumerate(texts):
            grid.cell(row, column).text = text
    document.add_paragraph("各村收入稳步增长。")
    path = tmp_path_factory.mktemp("report") / "报告.docx"
    document.save(str(path))
    return path


@pytest.fixture(scope="module")
def from_report(report_docx, tmp_path_factory):
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("templatized") / "模板"
    result = CliRunner().invoke(cli, ["templatize", str(report_docx), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    return out


def test_templatize_makes_table_blocks_with_typed_cell_variables(from_report):
    source = (from_report / "template.txt").read_text("utf-8")
    assert "【表格】表1　2024年主要经济指标\n列宽：2 4 3 3\n| 2024年主要经济指标完成情况 | < | < | < |\n" \
           "| 类别 | 指标 | 完成（万元） | 增长（%） |\n|---|---|---|---|\n" \
           "| 工业 | 工业产值 | {{ 主要指标.工业产值完成 }} | {{ 主要指标.工业产值增长 }} |\n" \
           "| ^ | 工业税收 | {{ 主要指标.工业税收完成 }} | 5.2 |\n" \
           "| 农业 | 农业产值 | 1,200 | {{ 主要指标.农业产值增长 }} |\n【表格完】\n" in source
    assert "【表格】\n列宽：1 1 1\n| 村名 | 人口（人） | 收入（万元） |\n|---|---|---|\n" \
           "| 艾城村 | {{ 村级收入.艾城村人口 }} | {{ 村级收入.艾城村收入 }} |\n" in source
    assert source.endswith("【表格完】\n各村收入稳步增长。\n")
    schema = drafter.load_template(from_report).schema
    kinds = {v.key: (v.type, v.unit, v.label, v.places) for v in schema.variables}
    assert kinds["主要指标.工业产值完成"] == ("amount", "万元", "工业产值（完成）", None)
    assert kinds["主要指标.工业产值增长"] == ("percent", "%", "工业产值（增长）", 1)
    assert kinds["主要指标.工业税收完成"][:2] == ("amount", "万元")
    assert kinds["村级收入.艾城村人口"][:2] == ("count", "人")
    assert "表格“表1　2024年主要经济指标”中“工业产值”一行、“完成（万元）”一列的【】" in \
           schema.by_key["主要指标.工业产值完成"].context


def test_a_templatized_report_renders_its_tables_back(from_report, office_schema):
    loaded = drafter.load_template(from_report)
    filled = {"主要指标": {"工业产值完成": "3,456.5", "工业产值增长": "8.25", "工业税收完成": 980,
                           "农业产值增长": 3.1},
              "村级收入": {"艾城村人口": 1200, "艾城村收入": 56.5, "新塘村人口": 800, "新塘村收入": 40}}
    data = loaded.render_bytes(filled)
    office_schema(data, "templatized.docx")
    first, second = _document(data).iter(f"{W}tbl")
    assert _rows(first) == [["2024年主要经济指标完成情况"], ["类别", "指标", "完成（万元）", "增长（%）"],
                            ["工业", "工业产值", "3456.5", "8.3"], ["", "工业税收", "980", "5.2"],
                            ["农业", "农业产值", "1,200", "3.1"]]
    grid = _grid(first)
    assert sum(grid) == AREA_WIDTH and [round(w / grid[0], 2) for w in grid] == [1, 2, 1.5, 1.5]
    rows = first.findall(f"{W}tr")
    assert rows[0].find(f"{W}tc/{W}tcPr/{W}gridSpan").get(f"{W}val") == "4"
    merges = [tr.find(f"{W}tc/{W}tcPr/{W}vMerge") for tr in rows]
    assert merges[2].get(f"{W}val") == "restart" and merges[3] is not None and merges[4] is None
    assert [tr.find(f"{W}trPr/{W}tblHeader") is not None for tr in rows] == [True, True, False, False, False]
    assert _rows(second) == [["村名", "人口（人）", "收入（万元）"], ["艾城村", "1200", "56.5"], ["新塘村", "800", "40"]]
    assert [tr.find(f"{W}trPr/{W}tblHeader") is not None for tr in second.findall(f"{W}tr")] == [True, False, False]
    # Read back, the report gives the same table blocks with the values in place of the blanks.
    from drafter import word
    lines = word.read_report(data, file="r.docx")
    assert "| 工业 | 工业产值 | 3456.5 | 8.3 |" in lines and "| ^ | 工业税收 | 980 | 5.2 |" in lines


def test_a_text_report_is_read_as_before():
    from drafter.templatize import templatize
    # Bars in a text report are words like any other: no table without 【表格】.
    draft = templatize("一、回顾\n| 签约x个 | 完成x万元 |\n")
    assert draft.source == "一、回顾\n| 签约{{ 回顾.签约 }}个 | 完成{{ 回顾.完成 }}万元 |\n"
    assert [p.context for p in draft.placeholders] == ["| 签约【】个 | 完成x万元 |", "| 签约x个 | 完成【】万元 |"]


def test_adjacent_tables_stay_apart_and_a_last_table_is_followed_by_a_paragraph(tmp_path, office_schema):
    template = ("正文{{ 组.甲 }}。\n【表格】\n| 甲 | 乙 |\n【表格完】\n【表格】\n| 丙 | {{ 组.甲 }} |\n【表格完】\n"
                "【表格】表2　末表\n| 丁 |\n【表格完】\n")
    schema = "title: t\nvariables:\n  组.甲: {type: count, unit: 个, label: 甲}\n"
    loaded = drafter.load_template(_folder(tmp_path, template, schema))
    data = loaded.render_bytes({"组": {"甲": 3}})
    office_schema(data, "adjacent.docx")
    kinds = [child.tag.split("}")[1] for child in _document(data).find(f"{W}body")]
    # Word would join two tables with nothing between them; the caption paragraph parts the third.
    assert kinds == ["p", "tbl", "p", "tbl", "p", "tbl", "p", "sectPr"]


def test_a_brace_in_a_report_cell_stays_text(tmp_path, runner):
    import docx

    document = docx.Document()
    document.add_paragraph("一、情况")
    table = document.add_table(rows=2, cols=2)
    for (row, column), text in {(0, 0): "项目", (0, 1): "数量（个）", (1, 0): "{备注}", (1, 1): "x"}.items():
        table.cell(row, column).text = text
    report = tmp_path / "r.docx"
    document.save(str(report))
    result = runner.invoke(cli, ["templatize", str(report), "-o", str(tmp_path / "t")])
    assert result.exit_code == 0, result.stderr
    loaded = drafter.load_template(tmp_path / "t")
    (key,) = [v.key for v in loaded.variables]
    assert loaded.schema.by_key[key].type == "count"
    text = loaded.render_text({key.split(".")[0]: {key.split(".")[1]: 7}})
    assert "| {备注} | 7 |" in text


def test_a_report_opening_with_a_table_has_no_title_block():
    from drafter.templatize import templatize
    draft = templatize("【表格】表1　指标\n| 指标 | 数值（个） |\n|---|---|\n| 签约 | x |\n【表格完】\n正文。\n")
    assert draft.title_lines == 0 and draft.source.startswith("【表格】表1　指标\n| 指标 |")


def test_the_schema_sets_the_cell_size_of_tables_that_set_none(tmp_path, values):
    from drafter.schema import TABLE_SIZES
    assert set(TABLE_SIZES) == set(tables.SIZES)
    plain = TEMPLATE.replace("字号：小四\n", "")
    sizes = {}
    for name, extra in (("default", ""), ("schema", "table_size: 五号\n")):
        loaded = drafter.load_template(_folder(tmp_path / name, plain, SCHEMA + extra))
        (block,) = [b for b in loaded.render_blocks(values) if b.table]
        sizes[name] = block.table.size
    assert sizes == {"default": 28, "schema": 21}
    with pytest.raises(TemplateError, match="table_size“三号”不可用") as error:
        drafter.load_template(_folder(tmp_path / "bad", plain, SCHEMA + "table_size: 三号\n"))
    assert error.value.line == SCHEMA.count("\n") + 1


def test_a_table_with_measures_word_does_not_write_is_still_read():
    import docx
    from docx.oxml import parse_xml

    from drafter.word import read_report

    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(1, 1).text = "甲", "乙"
    for col in table._tbl.iter(f"{W}gridCol"):
        col.set(f"{W}w", "1440.5")  # the schema allows it; int() does not
    table.cell(0, 0)._tc.get_or_add_tcPr().append(parse_xml(
        '<w:gridSpan xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:val="x"/>'))
    data = io.BytesIO()
    document.save(data)
    lines = read_report(data.getvalue(), file="t.docx")
    assert lines[0] == "【表格】" and "| 甲 |  |" in lines and "|  | 乙 |" in lines
    assert not any(line.startswith("列宽") for line in lines)  # widths unknown, so none given


def test_render_text_is_the_text_as_rendered_with_tables_as_plain_rows(tmp_path):
    # A title long enough for the document to break it, and a half-width comma the document makes
    # full-width: the text keeps both as the template wrote them, whether or not it has a table.
    long_title = "艾城镇人民政府关于二〇二四年度重点项目建设和二〇二五年工作安排的情况报告"
    source = TEMPLATE.replace("艾城镇2024年重点项目情况报告", long_title).replace(
        "以上项目进展顺利。", "以上项目进展顺利,特此报告。")
    loaded = drafter.load_template(_folder(tmp_path / "t", template=source))
    lines = loaded.render_text(yaml.safe_load(VALUES)).split("\n")
    assert lines[0] == long_title and lines[-1] == "以上项目进展顺利,特此报告。"
    assert "表1　重点项目进展情况" in lines and "| 工业 | 光伏电站 | 3000.3 | 60 |" in lines
