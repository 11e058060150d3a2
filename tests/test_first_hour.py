"""A clerk's first hour (issue 9): the mistakes clerks make, each told at its line in plain Chinese."""

from __future__ import annotations

import inspect
import re
import shutil

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import drafter
import drafter.preview
from drafter.cli import cli

from .conftest import ROOT, TEMPLATE_DIR

EXAMPLE = (TEMPLATE_DIR / "example.yaml").read_text(encoding="utf-8")
LONG = EXAMPLE + "".join(f"# 备注 {n}\n" for n in range(130))  # a file much longer than the mistake


def _invoke(runner, *args):
    result = runner.invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def _values(tmp_path, key: str, line: str, *, text: str = LONG):
    """Write the example with the line of `key` (`  镇名: 艾城`) replaced; return the file and its line."""
    lines = text.split("\n")
    number = next(i for i, old in enumerate(lines) if old.startswith(f"  {key}:"))
    lines[number] = line
    path = tmp_path / "values.yaml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path, number + 1


def _check(runner, path, *more):
    return _invoke(runner, "check", "township-work-report", "-f", path, *more)


# 2. An unclosed quote is told where it opens, not where YAML gives up.
@pytest.mark.parametrize("line", ['  镇名: "艾城', "  镇名: '艾城", '  镇名: "艾城 # 注释'],
                         ids=["double", "single", "with-comment"])
@pytest.mark.parametrize("next_line", [None, '  会议日期: "2024-12-20"'], ids=["then-file", "then-quote"])
def test_unclosed_quote_is_reported_where_it_opens(runner, tmp_path, line, next_line):
    path, number = _values(tmp_path, "镇名", line)
    if next_line:  # the quote closes at the next line's first quote, and YAML fails there
        assert "  会议日期: \"2024-12-20\"" in path.read_text(encoding="utf-8")
    result = _check(runner, path)
    assert result.exit_code == 1
    assert f"{path}:{number}:" in result.stderr and "没有配对" in result.stderr, result.stderr


def test_quote_closing_on_a_later_line_is_refused_at_its_first_line(runner, tmp_path):
    path, number = _values(tmp_path, "镇名", '  镇名: "艾\n  城"')
    result = _check(runner, path)
    assert result.exit_code == 1 and f"{path}:{number}:" in result.stderr and "引号" in result.stderr


def test_unclosed_bracket_is_reported_where_it_opens(runner, tmp_path):
    path, number = _values(tmp_path, "柑橘村", "  柑橘村: [南岭, 新华")
    result = _check(runner, path)
    assert result.exit_code == 1 and f"{path}:{number}:" in result.stderr and "括号" in result.stderr


# 3. Full-width spaces and Tabs.
@pytest.mark.parametrize("line, words", [
    ("\u3000\u3000镇名: 艾城", "全角空格"),
    ("  镇名:\u3000艾城", "全角空格"),
    ("\u00a0\u00a0镇名: 艾城", "全角空格"),
    ("\t镇名: 艾城", "Tab 缩进"),
], ids=["u3000-indent", "u3000-after-colon", "nbsp-indent", "tab-indent"])
def test_wrong_spaces_are_named_at_their_line(runner, tmp_path, line, words):
    path, number = _values(tmp_path, "镇名", line)
    result = _check(runner, path)
    assert result.exit_code == 1
    assert f"{path}:{number}:" in result.stderr and words in result.stderr, result.stderr


@pytest.mark.parametrize("line", ["  签约新项目:\t5", "  签约新项目:\t\t5\t# 注释", "  签约新项目: 5\t"],
                         ids=["after-colon", "before-comment", "trailing"])
def test_tab_after_the_colon_is_accepted(runner, tmp_path, line):
    path, _ = _values(tmp_path, "签约新项目", line)
    result = _check(runner, path)
    assert result.exit_code == 0, result.stderr


# 4. Quotation marks and brackets typed into a value.
@pytest.mark.parametrize("value", ["“艾城”", "“艾城\"", "‘艾城’", "「艾城」", "【艾城】", "艾城”"],
                         ids=["curly", "mixed", "single", "corner", "lenticular", "one-sided"])
def test_quotes_or_brackets_around_a_name_are_refused_at_its_line(runner, tmp_path, value):
    path, number = _values(tmp_path, "镇名", f"  镇名: {value}")
    result = _check(runner, path)
    assert result.exit_code == 1
    assert f"{path}:{number}: 基本信息.镇名" in result.stderr and "去掉" in result.stderr, result.stderr


def test_quotes_around_a_text_value_are_warned(runner, tmp_path):
    path, number = _values(tmp_path, "指导思想", "  指导思想: “习近平新时代中国特色社会主义思想”")
    result = _check(runner, path)
    assert result.exit_code == 0
    assert f"警告：{path}:{number}: 基本信息.指导思想" in result.stderr and "引号" in result.stderr


def test_balanced_quotes_inside_a_name_are_kept(template):
    problems = template.check(drafter.load_values(TEMPLATE_DIR / "example.yaml"))
    assert problems == []
    values = yaml.safe_load(EXAMPLE)
    values["经济发展"]["待建项目"] = "“菜篮子”工程"
    assert [p.key for p in template.check(values)] == []


# 5. 余 and the like are not units.
@pytest.mark.parametrize("value, words", [
    ("3000余", "“余”已经写在句中"), ("3000余亩", "“余亩”已经写在句中"), ("约3000", "“约”不是单位"),
    ("3000亩左右", "“左右”不是单位"), ("约3000亩", "单位“亩”也已写在句中"), ("3000多亩", "“多”不是单位"),
], ids=["yu", "yu-mu", "yue", "mu-zuoyou", "yue-mu", "duo-mu"])
def test_approximation_words_are_explained(runner, tmp_path, value, words):
    path, number = _values(tmp_path, "高标准农田", f"  高标准农田: {value}")
    result = _check(runner, path)
    assert result.exit_code == 1
    assert f"{path}:{number}:" in result.stderr and words in result.stderr and "3000" in result.stderr
    assert "单位“余" not in result.stderr and "换算" not in result.stderr


def test_yu_after_a_count_without_yu_in_the_sentence(runner, tmp_path):
    path, _ = _values(tmp_path, "签约新项目", "  签约新项目: 5多")
    result = _check(runner, path)
    assert result.exit_code == 1 and "“多”不是单位" in result.stderr and "例如 5" in result.stderr


# 6. Warnings before the all-clear, which mentions them; --strict makes them errors.
def test_warnings_come_first_and_the_all_clear_counts_them(runner, tmp_path):
    path, number = _values(tmp_path, "项目完工率", "  项目完工率: 0.95")
    result = _check(runner, path)
    assert result.exit_code == 0
    assert result.output.index("警告") < result.output.index("检查通过")
    assert "1 处警告" in result.stdout and f"{path}:{number}:" in result.stderr


def test_render_says_it_has_warnings_after_writing(runner, tmp_path):
    path, _ = _values(tmp_path, "项目完工率", "  项目完工率: 0.95")
    out = tmp_path / "报告.docx"
    result = _invoke(runner, "render", "township-work-report", "-f", path, "-o", out)
    assert result.exit_code == 0 and "1 处警告" in result.stdout
    assert result.output.index("警告：") < result.output.index("已生成")


@pytest.mark.parametrize("command", ["check", "render"])
def test_strict_makes_warnings_errors(runner, tmp_path, command):
    path, number = _values(tmp_path, "项目完工率", "  项目完工率: 0.95")
    out = tmp_path / "报告.docx"
    args = [command, "township-work-report", "-f", path, "--strict"] + (["-o", out] if command == "render" else [])
    result = _invoke(runner, *args)
    assert result.exit_code == 1 and f"{path}:{number}:" in result.stderr and "1 处错误" in result.stderr
    assert "检查通过" not in result.output and not out.exists()


# 7. Lists as strictly as names.
def test_list_item_ending_with_the_word_after_deng_is_warned(runner, tmp_path):
    path, number = _values(tmp_path, "柑橘村", "  柑橘村: 东坑,西坪，上塘村")
    result = _check(runner, path)
    assert result.exit_code == 0
    assert f"警告：{path}:{number}: 农业农村.柑橘村" in result.stderr and "上塘村等村" in result.stderr


def test_several_list_items_ending_so_are_one_warning(template):
    values = yaml.safe_load(EXAMPLE)
    values["农业农村"]["柑橘村"] = "东坑村、西坪、上塘村"
    [problem] = template.check(values)
    assert problem.level == "warning" and "“东坑村”“上塘村”" in problem.message


@pytest.mark.parametrize("value", ["【东坑，西坪】", "［东坑，西坪］", "[东坑, 西坪]"], ids=["lenticular", "full-width", "yaml"])
def test_list_in_chinese_brackets_prints_without_them(template, value):
    values = yaml.safe_load(EXAMPLE)
    values["农业农村"]["柑橘村"] = value if value.startswith(("【", "［")) else ["东坑", "西坪"]
    assert "东坑、西坪等村" in template.render_text(values)


def test_brackets_inside_a_list_item_are_refused(runner, tmp_path):
    path, number = _values(tmp_path, "柑橘村", "  柑橘村: 东坑、【西坪】")
    result = _check(runner, path)
    assert result.exit_code == 1 and f"{path}:{number}:" in result.stderr


# 8. A typo is one problem at its line; all problems in line order.
def test_typo_is_one_problem_and_problems_are_in_line_order(runner, tmp_path):
    text = LONG.replace("  财税收入: 8620", "  财税收木: 8620").replace("  开工月份: 12", "  开工月份: 13")
    text = text.replace("  脱贫户就业:", "  脱贫户就业: 5个\n  旧项:")
    path, _ = _values(tmp_path, "签约新项目", "  签约新项目: 5", text=text)
    result = _check(runner, path)
    assert result.exit_code == 1
    lines = [int(n) for n in re.findall(rf"{re.escape(str(path))}:(\d+):", result.stderr)]
    assert lines == sorted(lines) and len(lines) == 4, result.stderr
    assert "财税收木" in result.stderr and "缺少这一项" not in result.stderr
    assert "应为“财税收入”" in result.stderr


def test_misspelt_group_is_one_problem_at_its_line(runner, tmp_path):
    path, _ = _values(tmp_path, "签约新项目", "  签约新项目: 5")
    text = path.read_text(encoding="utf-8").replace("经济发展:\n", "经济发屏:\n")
    path.write_text(text, encoding="utf-8")
    result = _check(runner, path)
    line = text.split("\n").index("经济发屏:") + 1
    assert result.exit_code == 1 and "取值有 1 处错误" in result.stderr
    assert f"{path}:{line}: 经济发屏：分组名写错了" in result.stderr and "应为“经济发展”" in result.stderr


def test_right_name_under_the_wrong_group_is_one_problem(template):
    values = yaml.safe_load(EXAMPLE)
    values["经济发展"]["镇名"] = values["基本信息"].pop("镇名")
    [problem] = template.check(values)
    assert problem.key == "经济发展.镇名" and "属于分组“基本信息”" in problem.message


# 9. Numbers as the report prints them.
@pytest.mark.parametrize("key, value, printed", [
    ("届次", "十八", "第十八届"), ("会次", "四", "第四次"), ("年份", "二〇二四", "2024年是"),
    ("届次", "二十", "第二十届"),
], ids=["eighteen", "four", "year-digits", "twenty"])
def test_chinese_numerals_are_accepted_for_counts(template, key, value, printed):
    values = yaml.safe_load(EXAMPLE)
    values["基本信息"][key] = value
    assert printed in template.render_text(values)


@pytest.mark.parametrize("value, words", [("第十八届", "“第”“届”已经写在句中"), ("十八届", "后面多了“届”"),
                                          ("十十", "不是数字")], ids=["di-jie", "jie", "nonsense"])
def test_chinese_numerals_with_sentence_words_are_explained(template, value, words):
    values = yaml.safe_load(EXAMPLE)
    values["基本信息"]["届次"] = value
    [problem] = template.check(values)
    assert words in problem.message and problem.key == "基本信息.届次"


# 10. Every line a clerk can see is Chinese.
CLICK_WORDS = re.compile(r"Usage|Options|Commands|Arguments|required|default|Show this|version|TEXT|PATH|"
                         r"INTEGER|RANGE|FILE|DIRECTORY|BOOLEAN|FLOAT|OPTIONS|COMMAND|ARGS|Error|Try ")
# What help may hold in Latin letters: option names, file types, product and font names.
ALLOWED = re.compile(r"JSON Schema|JSON|PDF|drafter|yaml|json|docx|xlsx|csv|pdf|png|txt|x|XX|values|schema|template|"
                     r"YAML|GB/T|Word|LibreOffice|VS Code|gb2312|windows|GB2312|Windows|"
                     r"page|report|DIR|TEMPLATE|Flask|"
                     r"\b(?:key|label|old|new|change|flag)\b")  # the fields of compare --json


def _commands():
    return sorted(cli.commands)


@pytest.mark.parametrize("command", ["", *_commands()])
def test_help_is_entirely_chinese(runner, command):
    result = runner.invoke(cli, [*([command] if command else []), "--help"], prog_name="drafter")
    assert result.exit_code == 0
    shown = re.sub(r"--?[a-z][a-z-]*|\b(?:" + "|".join(_commands()) + r")\b", "", result.output)
    assert not CLICK_WORDS.search(shown), result.output
    assert result.output.startswith("用法：drafter") and "选项：" in result.output
    leftover = re.findall(r"[A-Za-z]{2,}", ALLOWED.sub("", shown))
    assert leftover == [], (leftover, result.output)


def test_help_says_required_and_defaults_in_chinese(runner):
    output = re.sub(r"\n +", "", _invoke(runner, "preview", "--help").output)
    assert "（必填）" in output and "默认 96" in output and "范围 30～600" in output


def test_version_is_chinese(runner):
    result = _invoke(runner, "--version")
    assert result.output == f"drafter 版本 {drafter.__version__}\n"


@pytest.mark.parametrize("args, words", [
    (["preview", "township-work-report", "-o", "a.pdf", "--dpi", "10"], "30～600 之间的整数"),
    (["preview", "township-work-report", "-o", "a.pdf", "--dpi", "abc"], "30～600 之间的整数"),
    (["render", "township-work-report", "-o"], "-o 后面缺少取值"),
    (["init", "township-work-report", "-o", "a.yaml", "--force=1"], "--force 是开关"),
    (["render", "township-work-report", "-o", "a.docx", "多余"], "多了参数 多余"),
    (["check", "township-work-report", "values.yaml"], "取值文件前要加 -f，例如 -f values.yaml"),
    (["--bogus"], "没有选项 --bogus"),
], ids=["out-of-range", "not-integer", "no-argument", "flag-value", "extra-argument", "forgot-f",
        "group-option"])
def test_usage_errors_are_chinese(runner, args, words):
    result = runner.invoke(cli, args, prog_name="drafter")
    assert result.exit_code == 2
    assert words in result.stderr, result.stderr
    command = args[0] if not args[0].startswith("-") else ""
    assert f"运行 `{' '.join(['drafter', command]).strip()} --help`" in result.stderr  # the command's own help
    assert not re.search(r"Got|unexpected|argument|requires|valid|range|Option|option '|Error|Usage",
                         result.stderr), result.stderr


@pytest.mark.parametrize("text", [
    "a:\n  b: 1\n c: 2\n", "a: [1, 2\n", "a:\n  b: \"x\\q\"\n", "a: &x 1\nb: *y\n", "a: 1\n---\nb: 2\n",
    "a:\n  b: x\x07y\n", "a:\n- b\n  c: d\n", "a: b: c\n", "a: @x\n", "? [a\n",
], ids=["indent", "bracket", "escape", "alias", "documents", "control", "sequence", "two-colons", "at",
        "complex-key"])
def test_yaml_errors_have_no_english(runner, tmp_path, text):
    path = tmp_path / "v.yaml"
    path.write_text(text, encoding="utf-8")
    result = _check(runner, path)
    assert result.exit_code == 1 and any(word in result.stderr for word in ("YAML", "字符", "键必须是文字"))
    assert not re.findall(r"[A-Za-z]{3,}", result.stderr.replace(str(path), "").replace("YAML", "").replace(
        "Tab", "")), result.stderr


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=list(" \t\n:-#'\"[]{},?&*!|>%@`\\\u3000ａ镇名1"), max_size=30))
def test_no_yaml_mistake_is_told_in_english(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("y") / "v.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        drafter.load_values(path)
    except drafter.DrafterError as error:
        told = re.sub(r"`[^`]*`", "", str(error).replace(str(path), ""))  # commands to run stay as typed
        assert not re.search(r"[A-Za-z]{3,}", told.replace("YAML", "").replace("Tab", "")), told


@pytest.mark.parametrize("make, words", [
    (lambda tmp: (tmp / "f").write_text("x") and tmp / "f" / "out", "不是文件夹"),
    (lambda tmp: tmp / ("长" * 200), "文件名太长"),
], ids=["under-a-file", "name-too-long"])
def test_os_errors_are_chinese(runner, tmp_path, make, words):
    output = make(tmp_path)
    seed = tmp_path / "报告.txt"
    seed.write_text("完成签约项目x个。\n", encoding="utf-8")
    result = _invoke(runner, "templatize", seed, "-o", output)
    assert result.exit_code == 1 and words in result.stderr, result.stderr
    assert not re.search(r"File|exists|too long|Errno", result.stderr)


def test_paths_are_left_to_drafter_to_judge(runner, tmp_path, monkeypatch):
    # click's own check would say "Path '…' is not readable." in English; drafter's readers say it.
    monkeypatch.setattr("os.access", lambda *args, **kwargs: False)
    result = _check(runner, TEMPLATE_DIR / "example.yaml")
    assert result.exit_code == 0 and "readable" not in result.output


# 11. The Python API loads values as the CLI does, and refuses what YAML's guesses changed.
def test_load_values_keeps_what_the_clerk_typed(template, tmp_path):
    path, _ = _values(tmp_path, "报告人", "  报告人: no", text=EXAMPLE)
    more = tmp_path / "more.yaml"
    more.write_text("经济发展:\n  待建项目: 010\n", encoding="utf-8")
    loaded = drafter.load_values(path, more)
    assert loaded.raw["基本信息.报告人"] == "no" and loaded.raw["经济发展.待建项目"] == "010"
    assert loaded.origins["经济发展.待建项目"].file == str(more)
    text = template.render_text(loaded)
    assert "镇长　no" in text and "010项目" in text


@pytest.mark.parametrize("key, value", [
    ("基本信息.报告人", False), ("经济发展.待建项目", 8), ("基本信息.指导思想", 1.1), ("经济发展.签约新项目", True),
    ("农业农村.柑橘村", ["南岭", 3]),
], ids=["bool-name", "int-name", "float-text", "bool-count", "int-in-list"])
def test_check_refuses_what_yaml_guessed(template, key, value):
    values = yaml.safe_load(EXAMPLE)
    group, name = key.split(".")
    values[group][name] = value
    problems = template.check(values)
    assert [p.key for p in problems] == [key] and "load_values" in problems[0].hint
    with pytest.raises(drafter.ValuesError):
        template.render_text(values)


def test_numbers_from_python_are_fine_where_numbers_are_wanted(template):
    values = yaml.safe_load(EXAMPLE)
    values["经济发展"]["签约新项目"] = 5
    values["经济发展"]["固定资产投资"] = 3.2
    assert template.check(values) == []


# 1. Without the extra fonts, the font test skips naming the packages; preview warns about each font.
WITHOUT_EXTRA_FONTS = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <selectfont><rejectfont><glob>*NotoSerifCJK-Black*</glob><glob>*ukai*</glob></rejectfont></selectfont>
</fontconfig>
"""


@pytest.fixture
def without_extra_fonts(tmp_path, monkeypatch):
    """Hide fonts-noto-cjk-extra's Black and fonts-arphic-ukai from fontconfig (fc-list)."""
    if shutil.which("fc-list") is None:
        pytest.skip("fc-list not found: apt-get install fontconfig")
    conf = tmp_path / "fonts.conf"
    conf.write_text(WITHOUT_EXTRA_FONTS, encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    return conf


def test_font_test_skips_naming_the_packages_when_fonts_are_missing(without_extra_fonts):
    from . import test_office

    with pytest.raises(pytest.skip.Exception) as skipped:
        test_office._skip_without(tuple(drafter.preview.STAND_INS))
    assert "fonts-noto-cjk-extra fonts-arphic-ukai" in str(skipped.value)
    assert "Noto Serif CJK SC Black" in str(skipped.value) and "fonts-noto-cjk " not in str(skipped.value)
    test_office._skip_without(("Noto Serif CJK SC", "Noto Sans CJK SC"))  # these are still there
    # The session-scoped `faces` is set up before the module's conversion, so the skip costs nothing.
    parameters = inspect.signature(test_office.test_title_headings_and_body_come_out_in_their_fonts_and_sizes)
    assert list(parameters.parameters)[0] == "faces"


def test_preview_warns_about_each_missing_stand_in_with_its_package(runner, tmp_path, without_extra_fonts,
                                                                     monkeypatch):
    monkeypatch.setattr("drafter.preview.find_soffice", lambda: "soffice")
    monkeypatch.setattr("drafter.preview.docx_to_pdf", lambda source, **kwargs: b"%PDF-1.4 stand-in")
    out = tmp_path / "report.pdf"
    result = _invoke(runner, "preview", "township-work-report", "-f", TEMPLATE_DIR / "example.yaml", "-o", out)
    assert result.exit_code == 0, result.output
    assert "Noto Serif CJK SC Black" in result.stderr and "fonts-noto-cjk-extra" in result.stderr
    assert "AR PL UKai CN" in result.stderr and "fonts-arphic-ukai" in result.stderr
    assert out.read_bytes() == b"%PDF-1.4 stand-in"


# 12. templatize writes what init writes, and asks for a title when the report has none.
def test_templatize_writes_the_json_schema_and_modeline_and_asks_for_a_title(runner, tmp_path):
    report = tmp_path / "2024年报告.txt"
    report.write_text("今年以来，全镇完成签约项目x个，完成财税收入x万元。\n", encoding="utf-8")
    out = tmp_path / "模板"
    result = _invoke(runner, "templatize", report, "-o", out)
    assert result.exit_code == 0, result.output
    assert "--title" in result.stdout and "2024年报告" in result.stdout
    values = (out / "values.yaml").read_text(encoding="utf-8")
    assert values.startswith("# yaml-language-server: $schema=values.schema.json\n")
    schema = yaml.safe_load((out / "values.schema.json").read_text(encoding="utf-8"))
    assert set(schema["properties"]) == {key.split(":")[0] for key in values.split("\n") if re.match(r"\S+:$", key)}
    titled = _invoke(runner, "templatize", report, "-o", tmp_path / "二", "--title", "青溪镇工作报告")
    assert titled.exit_code == 0 and "--title" not in titled.stdout


# 13. Smaller things.
def test_readme_sample_is_what_init_writes(runner, tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sample = re.search(r"`drafter init` 写出的文件.*?```yaml\n(.*?)```", readme, re.S).group(1)
    out = tmp_path / "values.yaml"
    assert _invoke(runner, "init", "township-work-report", "-o", out).exit_code == 0
    assert sample in out.read_text(encoding="utf-8")


def test_vars_lists_each_group_together(runner):
    result = _invoke(runner, "vars", "township-work-report")
    groups = [line.split(".")[0] for line in result.stdout.split("\n") if "." in line.split(" ")[0]]
    assert groups == sorted(groups, key=groups.index)  # no group comes back after another
    listed = [row["key"].split(".")[0] for row in yaml.safe_load(_invoke(runner, "vars", "township-work-report",
                                                                         "--json").stdout)]
    assert listed == sorted(listed, key=listed.index)


def test_init_shows_other_blanks_and_cut_phrases_as_ellipses(runner, tmp_path):
    out = tmp_path / "values.yaml"
    _invoke(runner, "init", "township-work-report", "-o", out)
    sentences = [line.split("原句：", 1)[1] for line in out.read_text(encoding="utf-8").split("\n") if "原句：" in line]
    assert "【】年是…召开之年,也是…创新提升发展进程中具有重要意义的一年" in sentences
    assert "【】\u3000…" in sentences  # 镇长　张三: the speaker's line, its full-width space kept
    assert not [s for s in sentences if re.search(r"(?<![A-Za-z])x(?![A-Za-z])", s)]
    assert all(s.count("【】") >= 1 for s in sentences)


def test_a_caption_with_figures_that_just_fits_is_broken_before_zai(template):
    values = yaml.safe_load(EXAMPLE)
    values["基本信息"]["会议日期"] = "2024-01-05"
    caption = template.render_blocks(values)[1]
    assert caption.kind == "caption"
    assert caption.text == "——2024年1月5日\n在艾城镇第十八届人民代表大会第四次会议上"


def test_every_sentence_a_clerk_sees_shows_other_blanks_as_ellipses(template):
    for var in template.variables:  # vars --json, the JSON Schema and the hints read these
        assert var.context.count("【】") == 1 and not re.search(r"(?<![A-Za-z])x(?![A-Za-z])", var.context)
    values = yaml.safe_load(EXAMPLE)
    values["基本信息"]["届次"] = "18届"
    [problem] = template.check(values)
    assert "在…镇第【】届人民代表大会第…次会议上" in problem.hint


def test_ctrl_c_is_told_in_chinese(runner, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("drafter.cli.load_template", interrupted)
    result = runner.invoke(cli, ["vars", "township-work-report"])
    assert result.exit_code == 1 and "已中断" in result.stderr and "Aborted" not in result.output


def test_a_closed_pipe_is_not_reported_as_a_file_error():
    import subprocess
    import sys

    # `drafter vars … | head`: the reader is gone before drafter writes a line.
    proc = subprocess.Popen([sys.executable, "-m", "drafter", "vars", "township-work-report"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdout.close()
    error = proc.stderr.read()
    proc.wait(timeout=120)
    proc.stderr.close()
    assert "无法读写文件" not in error and "Traceback" not in error, error


@pytest.mark.parametrize("bad", ["{{ 基本信息.镇名 ", "{{ 基本信息.镇名 基本信息.年份 }}", "{% if x %}", "{{ }}", "{#"],
                         ids=["unclosed", "two-names", "tag", "empty", "comment"])
def test_template_syntax_errors_are_chinese_at_their_line(runner, tmp_path, bad):
    folder = tmp_path / "模板"
    shutil.copytree(TEMPLATE_DIR, folder)
    source = (folder / "template.txt").read_text(encoding="utf-8")
    (folder / "template.txt").write_text(source.replace("{{ 基本信息.镇名 }}镇人民政府", bad + "镇人民政府", 1),
                                         encoding="utf-8")
    result = _invoke(runner, "vars", folder)
    # A comment is refused as a feature of its own (its text would vanish), the rest as syntax.
    told_as = "模板中不能使用 {# #} 注释" if bad == "{#" else "模板语法错误"
    assert result.exit_code == 1 and f"{folder / 'template.txt'}:1: {told_as}" in result.stderr
    told = result.stderr.replace(str(folder / "template.txt"), "").replace("{% raw %}{{% endraw %}", "")
    assert not re.search(r"[A-Za-z]{3,}", told), told  # but the escape a template writes for a “{”
