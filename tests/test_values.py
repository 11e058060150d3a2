"""Values: how typed text becomes a printed value, and how every problem is reported."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from drafter import convert, values
from drafter.errors import ValuesFileError
from drafter.schema import Schema, Variable

COUNT = Variable("经济发展.签约新项目", "count", "签约新项目数", unit="个", min=Decimal(0),
                 context="签约新项目【】个")
AMOUNT = Variable("经济发展.财税收入", "amount", "财税收入", unit="万元", min=Decimal(0))
PLACES = Variable("经济发展.固投", "amount", "固定资产投资", unit="亿元", min=Decimal(0), places=2)
PERCENT = Variable("民生.参保率", "percent", "参保率", unit="%", min=Decimal(0), max=Decimal(100))
MONTH = Variable("经济发展.开工月份", "month", "开工月份", unit="月", min=Decimal(1), max=Decimal(12))
YEAR = Variable("基本信息.年份", "year", "年份", min=Decimal(1900), max=Decimal(2100))
DATE = Variable("基本信息.会议日期", "date", "会议日期")
NAME = Variable("基本信息.镇名", "name", "镇名")
LIST = Variable("农业.柑橘村", "list", "柑橘种植村")
ORDINAL = Variable("基本信息.届次", "count", "届次", min=Decimal(0), chinese=True)
SCHEMA = Schema("测试", (COUNT, AMOUNT, PLACES, PERCENT, MONTH, YEAR, DATE, NAME, LIST, ORDINAL),
                {"经济发展": "经济发展"})


@pytest.mark.parametrize("var, raw, printed", [
    (COUNT, "12", "12"), (COUNT, "１２", "12"), (COUNT, "1,234", "1234"), (COUNT, "1，234", "1234"),
    (AMOUNT, "1234.5", "1234.5"), (AMOUNT, "1,234.50", "1234.50"), (AMOUNT, "3", "3"),
    (PLACES, "3.2", "3.20"), (PLACES, "1.10", "1.10"),
    (PERCENT, "98.5", "98.5"), (PERCENT, "95%", "95"), (PERCENT, "１００％", "100"),
    (MONTH, "8", "8"), (MONTH, "08", "8"), (MONTH, "8月", "8"), (YEAR, "2024年", "2024"),
    (DATE, "2024-12-20", "2024年12月20日"), (DATE, "2024年1月5日", "2024年1月5日"),
    (DATE, "2024/01/05", "2024年1月5日"),
    (NAME, " 艾城 ", "艾城"), (NAME, "{{ 7*7 }}", "{{ 7*7 }}"),
    (LIST, ("张家", "李家"), "张家、李家"), (LIST, "张家、李家", "张家、李家"),
    (ORDINAL, "18", "十八"), (ORDINAL, "4", "四"), (ORDINAL, "10", "十"), (ORDINAL, "105", "一百零五"),
], ids=lambda v: v.type if isinstance(v, Variable) else str(v))
def test_accepted_values_print_as_the_schema_says(var, raw, printed):
    assert convert.format_value(var, raw) == printed


@pytest.mark.parametrize("var, raw, message", [
    (COUNT, "5个", "后面多了“个”"), (AMOUNT, "12万元", "后面多了“万元”"), (COUNT, "1.5", "不是整数"),
    (COUNT, "-3", "超出范围"), (AMOUNT, "0.86亿元", "句中的单位是“万元”"), (MONTH, "13", "超出范围"), (MONTH, "0", "超出范围"),
    (PERCENT, "120", "超出范围"), (YEAR, "24", "超出范围"), (COUNT, "很多", "不是数字"),
    (COUNT, "true", "不是数字"), (DATE, "2024-02-30", "不是有效的日期"), (DATE, "去年", "不是日期"),
    (NAME, "艾\x07城", "U+0007"), (NAME, "艾\ue001城", "U+E001"), (NAME, "\u200b", "U+200B"),
    (NAME, "\ud800", "U+D800"), (COUNT, "9" * 16, "位数太多"), (PLACES, "32000万元", "而句中的单位是“亿元”"),
    (DATE, "1800-01-01", "超出范围"), (NAME, "艾\n城", "不能换行"), (LIST, ("张家", ""), "空的名称"),
    (COUNT, ("1", "2"), "不是列表"),
], ids=lambda v: v.type if isinstance(v, Variable) else str(v))
def test_refused_values_say_why(var, raw, message):
    with pytest.raises(convert.BadValue, match=re.escape(message)):
        convert.format_value(var, raw)


def test_unit_refusal_points_at_the_sentence():
    with pytest.raises(convert.BadValue) as info:
        convert.format_value(COUNT, "5个")
    assert "单位已写在句中" in info.value.hint and "签约新项目【】个" in info.value.hint
    assert "例如 5" in info.value.hint


def test_fraction_for_a_rate_is_a_warning():
    checked = values.check(Schema("t", (PERCENT,)), values.from_mapping({"民生": {"参保率": 0.95}}))
    [problem] = checked.problems
    assert problem.level == "warning" and "是否应为 95？" in problem.hint
    assert checked.text == {"民生.参保率": "0.95"} and not checked.errors


def test_check_reports_everything_at_once_with_origins(tmp_path):
    path = tmp_path / "v.yaml"
    path.write_text("经济发展:\n  签约新项目: 5个\n  开工月分: 9\n  财税收入: 100\n", encoding="utf-8")
    checked = values.check(SCHEMA, values.read_values_file(path))
    by_key = {p.key: p for p in checked.errors}
    assert by_key["经济发展.签约新项目"].line == 2 and by_key["经济发展.签约新项目"].file == str(path)
    # A misspelt key is one problem, at its line: not also a missing 开工月份.
    assert "经济发展.开工月份" in by_key["经济发展.开工月分"].hint
    assert by_key["经济发展.开工月分"].line == 3 and "经济发展.开工月份" not in by_key
    assert checked.text["经济发展.财税收入"] == "100"
    assert len(checked.errors) == 1 + 1 + (len(SCHEMA.variables) - 3)


def test_later_layers_win_key_by_key(tmp_path):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("经济发展:\n  签约新项目: 5\n  财税收入: 100\n", encoding="utf-8")
    second.write_text("经济发展:\n  财税收入: 200\n", encoding="utf-8")
    merged = values.merge([values.read_values_file(first), values.read_values_file(second),
                           values.parse_set("经济发展.签约新项目=7")])
    assert merged.raw == {"经济发展.签约新项目": "7", "经济发展.财税收入": "200"}
    assert merged.origins["经济发展.财税收入"] == values.Origin(str(second), 2)
    assert merged.origins["经济发展.签约新项目"].file == "--set 经济发展.签约新项目"


def test_yaml_scalars_are_kept_as_typed(tmp_path):
    path = tmp_path / "v.yaml"
    path.write_text("a:\n  b: 010\n  c: no\n  d: 1.10\n  e: 20161216\n  f: 2024-12-20\n  g:\n",
                    encoding="utf-8")
    raw = values.read_values_file(path).raw
    assert raw == {"a.b": "010", "a.c": "no", "a.d": "1.10", "a.e": "20161216",
                   "a.f": "2024-12-20", "a.g": None}


@pytest.mark.parametrize("content, message", [
    (b"a:\n  b: 1\n  b: 2\n", "重复出现（第 2 行和第 3 行）"),
    (b"a:\n  b: 1\n c: 2\n", "YAML 格式错误"),
    (b"a: [1, 2\n", "YAML 格式错误"),
    (b"\x00\x01\x02", "不是文本文件"),
    (b"- 1\n- 2\n", "层次"),
    (b"a: &x [1,1,1,1,1,1,1,1,1]\nb: &y [*x,*x,*x,*x,*x,*x,*x,*x,*x]\nc: &z [*y,*y,*y,*y,*y,*y,*y,*y,*y]\n"
     b"d: &w [*z,*z,*z,*z,*z,*z,*z,*z,*z]\ne: &v [*w,*w,*w,*w,*w,*w,*w,*w,*w]\nf: [*v,*v,*v,*v,*v,*v,*v,*v,*v]\n",
     "超过"),
], ids=["duplicate", "indent", "unclosed", "binary", "list", "alias-bomb"])
def test_bad_files_are_refused_with_a_line(tmp_path, content, message):
    path = tmp_path / "v.yaml"
    path.write_bytes(content)
    with pytest.raises(ValuesFileError, match=message):
        values.read_values_file(path)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_notepad_encodings_are_read(tmp_path, encoding):
    path = tmp_path / "v.yaml"
    path.write_bytes("基本信息:\n  镇名: 艾城\n".encode(encoding))
    assert values.read_values_file(path).raw == {"基本信息.镇名": "艾城"}


def test_utf16_is_refused_with_the_encoding_named(tmp_path):
    path = tmp_path / "v.yaml"
    path.write_bytes("基本信息:\n  镇名: 艾城\n".encode("utf-16"))
    with pytest.raises(ValuesFileError, match="UTF-16") as info:
        values.read_values_file(path)
    assert "UTF-8" in info.value.hint


def test_undecodable_bytes_are_refused(tmp_path):
    path = tmp_path / "v.yaml"
    path.write_bytes(b"a:\n  b: caf\xe9 ok\n")  # Latin-1, neither UTF-8 nor GB18030
    with pytest.raises(ValuesFileError, match="无法识别文件编码"):
        values.read_values_file(path)


def test_oversized_file_is_refused_before_parsing(tmp_path):
    path = tmp_path / "v.yaml"
    path.write_bytes(b"a:\n  b: " + b"1" * 1_100_000 + b"\n")
    with pytest.raises(ValuesFileError, match="文件太大"):
        values.read_values_file(path)


def test_control_character_is_refused_with_key_and_line(tmp_path):
    from drafter.schema import Schema
    path = tmp_path / "v.yaml"
    path.write_text('基本信息:\n  镇名: "艾\\u0007城"\n', encoding="utf-8")
    checked = values.check(Schema("t", (NAME,)), values.read_values_file(path))
    [problem] = checked.errors
    assert (problem.key, problem.line) == ("基本信息.镇名", 2) and "U+0007" in problem.message


def test_places_are_printed_as_the_schema_says_not_as_typed():
    assert convert.format_value(PLACES, "3") == "3.00"
    assert convert.format_value(PLACES, "3.456") == "3.46"
    thousands = Variable("a.b", "amount", "金额", thousands=True)
    assert convert.format_value(thousands, "1234567.5") == "1,234,567.5"


def test_minus_zero_prints_as_zero():
    assert convert.format_value(AMOUNT, "-0") == "0"


def test_a_unit_hint_never_echoes_a_figure_in_another_unit():
    with pytest.raises(convert.BadValue) as info:
        convert.format_value(PLACES, "32000万元")
    assert "32000" not in info.value.hint


@pytest.mark.parametrize("content, message, line", [
    ("经济发展:\n  签约新项目: 5\n经济发展.签约新项目: 9\n", "写了两次（第 2 行和第 3 行）", 3),
    ("农业:\n  柑橘村: [南岭, [a, b]]\n", "不能再套列表", 2),
    ("", "文件是空的", None),
], ids=["dotted-and-grouped", "nested-list", "empty"])
def test_structural_mistakes_in_a_values_file(tmp_path, content, message, line):
    path = tmp_path / "v.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValuesFileError, match=message) as info:
        values.read_values_file(path)
    assert info.value.line == line


def test_unknown_group_is_one_problem_with_a_suggestion(tmp_path):
    path = tmp_path / "v.yaml"
    path.write_text("经济:\n  签约新项目: 5\n  财税收入: 1\n", encoding="utf-8")
    checked = values.check(SCHEMA, values.read_values_file(path))
    [group] = [p for p in checked.errors if p.key == "经济"]
    # A misspelt group is one mistake at its line, not also every item of the group it stands for.
    assert "分组名写错了" in group.message and "经济发展" in group.hint and group.line == 1
    assert not [p for p in checked.errors if p.key.startswith(("经济.", "经济发展."))]
    path.write_text("经济发展:\n  签约新项目: 5\n其他:\n  签约新项目: 5\n", encoding="utf-8")
    checked = values.check(SCHEMA, values.read_values_file(path))
    [group] = [p for p in checked.errors if p.key == "其他"]
    assert "其下 1 项都用不上" in group.message and group.line == 3


def test_missing_key_points_at_its_group(tmp_path):
    path = tmp_path / "v.yaml"
    path.write_text("经济发展:\n  财税收入: 1\n", encoding="utf-8")
    checked = values.check(SCHEMA, values.read_values_file(path))
    [problem] = [p for p in checked.errors if p.key == "经济发展.签约新项目"]
    assert (problem.file, problem.line) == (str(path), 1)


def test_long_problem_lists_are_capped():
    from drafter.errors import Problem, ValuesError
    text = str(ValuesError([Problem(f"a.k{i}", "缺少这一项。") for i in range(80)]))
    assert text.count("缺少这一项") == 50 and "另有 30 处未列出" in text


@pytest.mark.parametrize("content, message, line", [
    ("经济发展:\n  签约新项目：5\n  财税收入: 1\n", "全角冒号", 2),
    ("经济发展:\n  签约新项目:5\n  财税收入: 1\n", "冒号后面没有空格", 2),
    ("经济发展:\n  签约新项目: 5\n\t财税收入: 1\n", "用了 Tab 缩进", 3),
    ("经济发展:\n  签约新项目: 5\n 财税收入: 1\n", "缩进不一致", 3),
], ids=["full-width-colon", "no-space", "tab", "indent"])
def test_typing_slips_in_yaml_are_named_in_chinese_with_their_line(tmp_path, content, message, line):
    path = tmp_path / "v.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValuesFileError, match=message) as info:
        values.read_values_file(path)
    assert info.value.line == line and "空格" in info.value.hint


def test_colons_inside_values_are_not_slips(tmp_path):
    path = tmp_path / "v.yaml"
    path.write_text('a:\n  b: 10:30\n  c: http://x.cn/a\n  d: "主要是：产业"\n  e: 主要是：产业\n',
                    encoding="utf-8")
    assert values.read_values_file(path).raw == {"a.b": "10:30", "a.c": "http://x.cn/a",
                                                 "a.d": "主要是：产业", "a.e": "主要是：产业"}


@pytest.mark.parametrize("var, raw, printed", [
    (LIST, "[张家, 李家]", "张家、李家"), (LIST, "[张家，李家]", "张家、李家"),
    (PLACES, "0.125", "0.13"), (PLACES, "3.455", "3.46"), (PLACES, "2.5", "2.50"),
], ids=["list-as-text", "list-full-width-comma", "half-up-1", "half-up-2", "pad"])
def test_more_accepted_values(var, raw, printed):
    assert convert.format_value(var, raw) == printed


@pytest.mark.parametrize("var, raw, message", [
    (LIST, "[a, [b]]", "不能再套列表"), (COUNT, "5\u200b", "U+200B"), (DATE, "2024-12-20\ufeff", "U+FEFF"),
    (NAME, "\U000f0000x", "U+F0000"), (NAME, "\U000e0041镇长", "U+E0041"), (NAME, "艾" * 51, "上限 50 个字"),
], ids=["nested-list-text", "zero-width-in-number", "bom-in-date", "plane-15", "tag", "too-long"])
def test_more_refused_values(var, raw, message):
    with pytest.raises(convert.BadValue, match=re.escape(message)):
        convert.format_value(var, raw)


def test_python_floats_print_as_a_clerk_would_write_them():
    assert values.from_mapping({"a": {"b": 1e-05, "c": 2.5}}).raw == {"a.b": "0.00001", "a.c": "2.5"}


def test_problems_come_in_line_order(tmp_path):
    path = tmp_path / "v.yaml"
    path.write_text("经济发展:\n  开工月份: 13\n  财税收木: 1\n  签约新项目: 5个\n", encoding="utf-8")
    checked = values.check(SCHEMA, values.read_values_file(path))
    lines = [p.line for p in checked.errors if p.line]
    assert lines == sorted(lines) and 3 in lines and 4 in lines
    assert all(p.line is None for p in checked.errors[len(lines):])  # groups not in the file: last
