"""A finished report becomes a template: figures and given names as variables, values filled."""

from __future__ import annotations

import json
import re
import string

import docx
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import drafter
from drafter.cli import cli
from drafter.figures import find_figures, kept_as_text
from drafter.names import find_names
from drafter.schema import dump_schema
from drafter.skeleton import write_skeleton
from drafter.templatize import templatize
from drafter.values import read_values_file

from .conftest import ROOT

EXAMPLE = ROOT / "templates" / "township-work-report" / "example.yaml"
_VARIABLE = re.compile(r"\{\{ [^}]+ \}\}")
# A count in Chinese numerals tied to a measure word, as left in a template's literal text.
_CHINESE_COUNT = re.compile(r"[零〇一二三四五六七八九十百千]+(?=[余多]?(?:个|届|次|项|批|期|座|条|户|人|件|位))")


def _run(runner, *args):
    result = runner.invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def _round_trip(tmp_path, text: str, names: tuple[str, ...] = ()):
    """Return the draft of `text` and the report its template and filled values.yaml render."""
    draft = templatize(text, names=names)
    (tmp_path / "template.txt").write_text(draft.source, encoding="utf-8")
    (tmp_path / "schema.yaml").write_text(dump_schema(draft.schema), encoding="utf-8")
    (tmp_path / "values.yaml").write_text(write_skeleton(draft.schema, template="t", filled=draft.values),
                                          encoding="utf-8")
    template = drafter.load_template(tmp_path)
    return draft, template.render_text(read_values_file(tmp_path / "values.yaml"))


def _figures(text: str) -> list[tuple[str, str, str]]:
    return [(f.placeholder.token, f.placeholder.kind, f.value) for f in find_figures(text)]


# --- the bundled report, rendered with its example values: the "done when" ---------------

@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    from click.testing import CliRunner

    values = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    text = drafter.load_template("township-work-report").render_text(values)
    folder = tmp_path_factory.mktemp("finished")
    report = folder / "去年的报告.txt"
    report.write_text(text, encoding="utf-8")
    out = folder / "模板"
    result = _run(CliRunner(), "templatize", report, "-o", out, "--name", "艾城", "--name", "刘志强")
    assert result.exit_code == 0, result.stderr
    return text, out, result.stdout


def test_bundled_report_has_no_x_left(bundled):
    text, _, _ = bundled
    assert not re.search("[xX×]", text)


def test_bundled_report_renders_back_from_its_template_and_values(bundled):
    text, out, _ = bundled
    template = drafter.load_template(out)
    assert template.render_text(read_values_file(out / "values.yaml")) == text


def test_no_figure_is_left_as_text_but_fixed_phrases(bundled):
    _, out, _ = bundled
    literal = _VARIABLE.sub("", (out / "template.txt").read_text(encoding="utf-8"))
    digits = [(m.group(), literal[m.end():m.end() + 1]) for m in re.finditer(r"[0-9０-９]+", literal)]
    assert digits and all(after == "." for _, after in digits), digits  # only the headings 1. 2. 3. 4.
    lines = [line for line in literal.split("\n") for _ in re.finditer(r"^[0-9]\.", line)]
    assert len(lines) == len(digits)
    # 一批/一个 are articles, 八项规定 a fixed phrase, 党的二十届 the Party's congress, 二期 a project's phase.
    unquoted = re.sub("“[^”]*”", "", literal)  # “三个示范” and “四个不摘” are slogans
    assert "“三个示范”" in literal and "“四个不摘”" in literal
    assert set(_CHINESE_COUNT.findall(unquoted)) == {"一", "八", "二十", "二"}
    assert "八项规定" in literal and "党的二十届三中全会" in literal and "二期项目" in literal


def test_given_names_are_one_variable_each(bundled):
    _, out, stdout = bundled
    source = (out / "template.txt").read_text(encoding="utf-8")
    assert "艾城" not in source and "刘志强" not in source
    keys = _VARIABLE.findall(source)
    town = keys[0]
    assert source.startswith(f"{town}镇人民政府工作报告")
    assert keys.count(town) == 11 and keys.count("{{ 总体.姓名 }}") == 1
    values = (out / "values.yaml").read_text(encoding="utf-8")
    assert "  镇名: 艾城\n" in values and "  姓名: 刘志强\n" in values


def test_values_file_is_filled_as_a_clerk_types(bundled):
    _, out, _ = bundled
    values = (out / "values.yaml").read_text(encoding="utf-8")
    for line in ("  日期: 2024-12-20", "  财税收入: 8620", "  固投: 3.2", "  项目完工率: 88.9"):
        assert line + "\n" in values, line
    assert re.search(r"\n  \w*年份: 2024\n", values)  # named by its clause (…召开之年年份)
    assert re.search(r"\n  \w*届\w*: 18\n", values) and re.search(r"\n  \w*次\w*: 4\n", values)
    schema = yaml.safe_load((out / "schema.yaml").read_text(encoding="utf-8"))["variables"]
    assert sum(1 for spec in schema.values() if spec.get("chinese")) == 2
    assert not re.search(r"^  [^#\n]*:$", values, re.MULTILINE)  # nothing left empty


def test_the_filled_values_pass_check_lint_and_the_editor_schema(bundled, runner):
    import jsonschema

    _, out, _ = bundled
    assert _run(runner, "check", out, "-f", out / "values.yaml").exit_code == 0
    assert _run(runner, "lint", out).exit_code == 0
    schema = json.loads(_run(runner, "schema", out).stdout)
    # As an editor reads YAML 1.2: 2024-12-20 is text, not a date.
    values = yaml.load((out / "values.yaml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    jsonschema.validate(values, schema)


def test_summary_says_it_was_read_as_a_finished_report(bundled):
    _, _, stdout = bundled
    assert "已按成稿" in stdout
    found = re.search(r"(\d+) 处数字、日期和届次成为 (\d+) 个变量；--name 给出的名称 12 处，成为 2 个变量", stdout)
    assert found and int(found.group(1)) >= int(found.group(2)) > 40, stdout
    assert "values.yaml（已填好报告中的原值）" in stdout and "下一步：改动" in stdout


def test_output_is_the_same_byte_for_byte(tmp_path, runner, bundled):
    _, out, _ = bundled
    again = tmp_path / "again"
    report = out.parent / "去年的报告.txt"
    assert _run(runner, "templatize", report, "-o", again, "--name", "刘志强", "--name", "艾城").exit_code == 0
    for name in ("template.txt", "schema.yaml"):
        assert (again / name).read_bytes() == (out / name).read_bytes()
    first = (out / "values.yaml").read_text(encoding="utf-8").split("\n", 5)[5]
    assert (again / "values.yaml").read_text(encoding="utf-8").split("\n", 5)[5] == first


def test_force_keeps_a_filled_values_file_and_writes_the_report_values_beside_it(tmp_path, runner, bundled):
    text, out, _ = bundled
    folder = tmp_path / "t"
    report = out.parent / "去年的报告.txt"
    assert _run(runner, "templatize", report, "-o", folder).exit_code == 0
    mine = (folder / "values.yaml").read_text(encoding="utf-8").replace(": 8620\n", ": 9000\n")
    (folder / "values.yaml").write_text(mine, encoding="utf-8")
    result = _run(runner, "templatize", report, "-o", folder, "--force", "--name", "艾城", "--name", "刘志强")
    assert result.exit_code == 0 and "未覆盖" in result.stdout and "报告原值.yaml" in result.stdout
    assert (folder / "values.yaml").read_text(encoding="utf-8") == mine
    template = drafter.load_template(folder)
    assert template.render_text(read_values_file(folder / "报告原值.yaml")) == text


# --- a .docx finished report ---------------------------------------------------------------------

def test_docx_finished_report_with_a_table(tmp_path, runner):
    document = docx.Document()
    document.add_paragraph("青山镇2024年工作总结")
    document.add_paragraph("一、主要成绩")
    document.add_paragraph("全年完成固定资产投资3.2亿元，同比增长12.5%，新建道路1,200米。")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "指标", "完成"
    table.cell(1, 0).text, table.cell(1, 1).text = "签约项目", "１２个"
    document.add_paragraph("青山镇第十七届人民代表大会第三次会议于2024年1月5日召开。")
    report = tmp_path / "总结.docx"
    document.save(report)
    out = tmp_path / "t"
    result = _run(runner, "templatize", report, "-o", out, "--name", "青山")
    assert result.exit_code == 0, result.stderr
    source = (out / "template.txt").read_text(encoding="utf-8")
    assert "\n列宽：1 1\n" in source  # the table block's own syntax, not a figure of the report
    assert not re.search(r"[0-9０-９]", _VARIABLE.sub("", source.replace("列宽：1 1", ""))) and "青山" not in source
    assert "十七" not in source and "三次" not in source
    template = drafter.load_template(out)
    rendered = template.render_text(read_values_file(out / "values.yaml"))
    assert "１２个" in rendered and "1,200米" in rendered and "第十七届" in rendered
    # The table comes back as a table: the rendered .docx reads as the report did (widths aside).
    again = template.render_bytes(read_values_file(out / "values.yaml"))
    def lines(data):
        return [line for line in drafter.word.read_report(data, file="r.docx") if line and not line.startswith("列宽")]
    assert lines(again) == lines(report.read_bytes())


def test_a_report_drafter_wrote_as_docx(tmp_path, runner, bundled):
    values = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    report = tmp_path / "报告.docx"
    drafter.load_template("township-work-report").render_docx(values, report)
    out = tmp_path / "t"
    result = _run(runner, "templatize", report, "-o", out, "--name", "艾城", "--name", "刘志强")
    assert result.exit_code == 0 and "已按成稿" in result.stdout, result.stderr
    # The document has full-width punctuation where the text had 今年以来,面对: the same variables.
    template = drafter.load_template(out)
    assert [v.key for v in template.variables] == [v.key for v in drafter.load_template(bundled[1]).variables]
    rendered = template.render_text(read_values_file(out / "values.yaml"))
    assert rendered == templatize(drafter.textfile.read_report(report)).report


# --- the class of figures ------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("签约新项目12个。", [("12", "count", "12")]),
    ("完成固投3.2亿元。", [("3.2", "amount", "3.2")]),
    ("参保率98.5%。", [("98.5", "percent", "98.5")]),
    ("2024年是关键之年。", [("2024", "year", "2024")]),
    ("12月20日召开。", [("12", "month", "12"), ("20", "day", "20")]),
    ("投资1,200万元，新增市场主体1,236户。", [("1,200", "amount", "1200"), ("1,236", "count", "1236")]),
    ("会议于2024年12月20日召开。", [("2024年12月20日", "date", "2024-12-20")]),
    ("建成3-5个，投资3～5万元。", [("3", "count", "3"), ("5", "count", "5"), ("3", "amount", "3"),
                                  ("5", "amount", "5")]),
    ("新建１２个，投资１，２００万元，增长１２．５％。",
     [("１２", "count", "12"), ("１，２００", "amount", "1200"), ("１２．５", "percent", "12.5")]),
    ("于２０２４年１２月２０日召开。", [("２０２４年１２月２０日", "date", "2024-12-20")]),
    ("种植3.2万亩，养殖5万头。", [("3.2", "quantity", "3.2"), ("5", "quantity", "5")]),
    ("同比增长150%，下降3个百分点。", [("150", "percent", "150"), ("3", "quantity", "3")]),
    ("比上年增长-3.5%。", [("3.5", "percent", "3.5")]),
    ("完成3000余亩，补贴360余万元。", [("3000", "quantity", "3000"), ("360", "amount", "360")]),
    ("近3年来，3个月内，30日内办结。", [("3", "count", "3"), ("3", "count", "3"), ("30", "count", "30")]),
    ("2023-2025年。", [("2023", "year", "2023"), ("2025", "year", "2025")]),
    ("第十八届第四次会议，建成三个，十余个村，一百零五人，第一次。",
     [("十八", "count", "18"), ("四", "count", "4"), ("三", "count", "3"), ("十", "count", "10"),
      ("一百零五", "count", "105"), ("一", "count", "1")]),
    ("新建两座，两千元，第二次。", [("两", "count", "2"), ("两千", "count", "2000"), ("二", "count", "2")]),
    ("补助三千元，三千万元，五亩。", [("三千", "count", "3000"), ("三千", "count", "3000"), ("五", "count", "5")]),
    ("浓度0.5，编号12345。", [("0.5", "quantity", "0.5"), ("12345", "count", "12345")]),
    ("12月5号开会。", [("12", "month", "12"), ("5", "day", "5")]),
    ("行驶3 km，装机5kW。", [("3", "quantity", "3"), ("5", "quantity", "5")]),
], ids=["count", "amount-decimal", "percent", "year", "month-day", "thousands", "date", "ranges",
        "full-width", "full-width-date", "wan-before-unit", "percent-over-100", "negative", "approx", "durations",
        "year-range", "chinese-counts", "liang", "chinese-money", "no-unit", "hao-day", "latin-units"])
def test_figures_of_every_kind(text, expected, tmp_path):
    assert _figures(text) == expected
    draft, rendered = _round_trip(tmp_path, text)
    assert rendered == text


@pytest.mark.parametrize("text", [
    "农村五保等困难群体", "避免抓发展与抓治理“两张皮”", "抓好十四五规划，“十四五”时期", "修好“四好农村路”",
    "3·15晚会", "拨打12345热线", "开通12345政务服务热线", "一是招商引资", "一、工作回顾", "（二）重点工作",
    "3.全力应对", "（1）完善制度；2.落实责任", "5G基站", "PM2.5浓度", "GB/T 9704-2012", "COVID-19疫情",
    "电话0791-86123456", "1号文件，3号楼", "10:30开会", "版本1.2.3", "《关于2024年工作的通知》",
    "〔2024〕5号", "党的二十届三中全会", "十四届全国人大二次会议", "严守中央八项规定精神", "一批项目，一个项目一个项目抓",
    "连铨胶业二期项目", "两个维护", "三位一体", "千家万户", "二〇二四年工作", "A4纸", "拨打110",
    "几十个村，数十个，三四个，十万火急", "两张皮，两个维护，两条腿走路", "十两个", "加强领导。2、落实责任", "网址www.12345.gov.cn", "桥头村5组", "7栋2单元", "105国道",
], ids=lambda text: text[:8])
def test_figures_of_names_and_fixed_phrases_stay_text(text):
    figures = find_figures(text)
    assert [f.placeholder.token for f in figures if f.placeholder.kind != "text"] == [], figures
    assert text in ("二〇二四年工作",) or not figures


@pytest.mark.parametrize("line, start, end, shape, why", [
    ("5G基站", 0, 1, "number", "代码"), ("PM2.5浓度", 2, 5, "number", "代码"),
    ("1.加强", 0, 1, "number", "序号"), ("（1）完善", 1, 2, "number", "序号"),
    ("3·15晚会", 0, 1, "number", "纪念日"), ("拨打12345热线", 2, 7, "number", "热线"),
    ("10:30开会", 0, 2, "number", "时刻"), ("1号文件", 0, 1, "number", "文号"),
    ("版本1.2.3", 2, 5, "number", "版本号"), ("电话0791-8612345", 2, 6, "number", "电话"),
    ("统一批", 1, 2, "chinese", "一"), ("十四五期间", 0, 3, "chinese", "汉字数字"),
    ("党的二十届", 2, 4, "chinese", "届次"), ("二期项目", 0, 1, "chinese", "期数"),
    ("桥头村5组", 3, 4, "number", "编号"),
], ids=lambda v: v if isinstance(v, str) and len(v) > 2 else None)
def test_each_rule_says_why(line, start, end, shape, why):
    assert why in kept_as_text(line, start, end, shape)


@pytest.mark.parametrize("kind, typed, printed", [
    ("amount", "1200.5", "１，２００．５"), ("count", "１２", "１２"), ("date", "2024-12-20", "２０２４年１２月２０日"),
    ("percent", "98.5%", "９８．５"),
], ids=["amount", "count", "date", "percent"])
def test_fullwidth_prints_figures_full_width(kind, typed, printed):
    from drafter.convert import format_value
    from drafter.schema import Variable

    var = Variable(key="组.项", type=kind, label="", fullwidth=True, thousands=kind == "amount")
    assert format_value(var, typed) == printed


def test_a_figure_its_type_cannot_print_becomes_text(tmp_path):
    text = "于2024-03-05召开，二〇二四年，编号007，二〇二三年十二月二十八日，十二月二十日。"
    draft, rendered = _round_trip(tmp_path, text)
    assert rendered == text
    assert [v.type for v in draft.schema.variables] == ["text"] * 5
    assert sorted(draft.values.values()) == ["007", "2024-03-05", "二〇二三年十二月二十八日", "二〇二四", "十二月二十日"]
    assert sum("已设为文字变量" in note for note in draft.notes) == 5


def test_one_year_is_one_variable_as_written(tmp_path):
    text = "一、回顾\n2024年完成12个。\n二、安排\n2024年力争15个，２０２４年底前建成。"
    draft, rendered = _round_trip(tmp_path, text)
    assert rendered == draft.report
    years = [v for v in draft.schema.variables if v.type == "year"]
    assert len(years) == 2 and [v.fullwidth for v in years] == [False, True]
    assert draft.source.count(f"{{{{ {years[0].key} }}}}") == 2


def test_values_file_quotes_only_what_yaml_needs(tmp_path):
    text = "镇长@张三完成12个。"
    draft, rendered = _round_trip(tmp_path, text, names=("@张三",))
    assert rendered == text
    values = (tmp_path / "values.yaml").read_text(encoding="utf-8")
    assert '  姓名: "@张三"\n' in values and re.search(r"\n  \w+: 12\n", values)


# --- given names ---------------------------------------------------------------------------------

def test_longer_name_wins_and_names_are_named_by_their_place(tmp_path):
    text = "青山镇人民政府。青山镇长青村和长青组。镇长　王五。\n王五同志讲话。"
    figures = find_names(text, ("长青", "青山", "王五"))
    assert [(f.placeholder.token, f.given) for f in figures] == [
        ("青山", "镇名"), ("青山", "镇名"), ("长青", "村名"), ("长青", "村名"), ("王五", "姓名"), ("王五", "姓名")]
    draft, rendered = _round_trip(tmp_path, text, names=("长青", "青山", "王五"))
    assert rendered == text and len(draft.schema.variables) == 3


def test_an_empty_name_is_no_name():
    assert find_names("艾城镇", ("", "艾城")) == find_names("艾城镇", ("艾城",))
    assert len(find_names("艾城镇", ("艾城",))) == 1


def test_names_work_in_a_redacted_report_too(tmp_path):
    text = "艾城镇签约新项目x个，艾城镇完成财税收入x万元。"
    draft = templatize(text, names=("艾城",))
    assert not draft.finished
    assert draft.source.count("{{ 总体.镇名 }}镇") == 2 and draft.values == {"总体.镇名": "艾城"}
    assert len(draft.schema.variables) == 3


@pytest.mark.parametrize("name, message", [
    ("太平", "在报告中没有出现"), ("", "不是一个名称"), (" 艾城", "不是一个名称"),
], ids=["absent", "empty", "spaces"])
def test_bad_names_are_refused_and_nothing_is_written(tmp_path, runner, name, message):
    report = tmp_path / "r.txt"
    report.write_text("艾城镇完成12个。", encoding="utf-8")
    result = _run(runner, "templatize", report, "-o", tmp_path / "out", "--name", name)
    assert result.exit_code == 1 and message in result.stderr and "提示：" in result.stderr
    assert not (tmp_path / "out").exists()


# --- any finished report renders back ------------------------------------------------------------

_UNITS = ["个", "万元", "亿元", "%", "亩", "人次", "年", "月", "日", "座", "余万元", "万亩", "个百分点", ""]
_WORDS = ["完成", "新建", "同比增长", "投资", "其中", "全年", "签约新项目", "第", "，", "。", "、", "-", "至",
          "“", "”", "（", "）", "镇", "村", "热线", "G", "号", " ", "·", "."]


@st.composite
def _figure(draw):
    digits = draw(st.sampled_from(["0123456789", "０１２３４５６７８９"]))
    whole = draw(st.text(digits, min_size=1, max_size=6))
    point = "." if digits[0] == "0" else "．"
    decimal = draw(st.one_of(st.just(""), st.text(digits, min_size=1, max_size=3).map(point.__add__)))
    chinese = draw(st.sampled_from(["", "", "十八", "四", "三", "二十", "一百零五", "两", "十四五"]))
    return (chinese or whole + decimal) + draw(st.sampled_from(_UNITS))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(_figure(), st.sampled_from(_WORDS), st.text(string.ascii_letters, max_size=2)),
                min_size=1, max_size=12))
def test_any_finished_report_renders_back(tmp_path, pieces):
    text = "一、回顾\n" + "".join(pieces) + "。"
    draft = templatize(text)
    assume(draft.finished)  # a stray X is a blank: the report is then a redacted one
    (tmp_path / "template.txt").write_text(draft.source, encoding="utf-8")
    (tmp_path / "schema.yaml").write_text(dump_schema(draft.schema), encoding="utf-8")
    (tmp_path / "values.yaml").write_text(write_skeleton(draft.schema, template="t", filled=draft.values),
                                          encoding="utf-8")
    template = drafter.load_template(tmp_path)
    assert template.render_text(read_values_file(tmp_path / "values.yaml")) == draft.report


def test_the_decimals_of_a_chinese_figure_stay_text():
    # 零点五倍: 五 after 点 is a decimal digit, not a count of 倍 that next year could be typed as 5.
    tokens = [f.placeholder.token for f in find_figures("产值增长零点五倍，新建三个站点。\n")]
    assert tokens == ["三"]


def test_a_given_name_is_labelled_by_what_it_is_not_by_its_count():
    figures = find_names("青山镇人民政府。青山镇长　王五。王五同志讲话。", ("青山", "王五"))
    assert sorted({f.label for f in figures}) == ["姓名", "镇名，不含“镇”字"]


def test_every_count_printed_in_chinese_reads_back_and_nothing_else_does():
    from drafter.convert import _chinese_number, from_chinese

    assert all(from_chinese(_chinese_number(n)) == n for n in range(10000))
    assert [from_chinese(t) for t in ("二〇二四", "两百", "一万零五", "十百", "二二十", "百千", "三十万")] == \
        [2024, 200, 10005, None, None, None, 300000]
