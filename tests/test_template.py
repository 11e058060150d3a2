"""The curated township template: fidelity to the seed, schema consistency, the Python API."""

from __future__ import annotations

import re
import shutil

import pytest

import drafter
from drafter.schema import is_valid_key

from .conftest import SEED, TEMPLATE_DIR, nested

SEED_TEXT = SEED.read_text(encoding="utf-8")


def test_seed_copy_is_the_shared_seed():
    shared = SEED.parent.parent.parent / "shared" / "seeds" / SEED.name
    if shared.exists():  # beside a checkout in this workplace and in CI
        assert shared.read_bytes() == SEED.read_bytes()
    assert SEED_TEXT.count("x") == 56


def test_original_values_give_back_the_seed(template):
    # Blanks get "x", cut phrases "", the year its 2024: the body is the seed to the character.
    values = nested({v.key: v.original for v in template.variables})
    rendered = template.render_text(values, validate=False)
    assert rendered.endswith(SEED_TEXT)
    title_block = rendered[: -len(SEED_TEXT)]
    assert title_block.endswith("\n") and title_block.count("\n") == 6
    assert "x" not in title_block.replace("x镇", "")


def test_every_blank_and_cut_is_a_variable(template):
    originals = {v.original for v in template.variables if v.original in ("x", "")}
    assert originals == {"x", ""}
    cut = [v for v in template.variables if v.original == ""]
    assert {v.type for v in cut} == {"text"}
    marked = template.render_text(nested({v.key: "Q" for v in template.variables}), validate=False)
    assert "x" not in marked
    # Each x of the seed is one variable occurrence: 56 occurrences of x-variables in the body.
    body = template.source.split("\n", 6)[6]
    x_keys = {v.key for v in template.variables if v.original == "x"}
    uses = re.findall(r"\{\{ (\S+) \}\}", body)
    assert sum(1 for key in uses if key in x_keys) == 56


@pytest.mark.parametrize("phrase, key", [
    ("x创新提升发展进程", "基本信息.镇名"), ("x在全县", "基本信息.镇名"), ("利用x便利", "基本信息.镇名"),
    ("x品牌力", "基本信息.镇名"), ("平安x形象", "基本信息.镇名"), ("x粮油", "基本信息.镇名"),
    ("在x不折不扣", "基本信息.镇名"), ("x镇高质量发展", "基本信息.镇名"),
], ids=lambda p: p if "x" in p else None)
def test_town_name_is_one_variable(template, phrase, key):
    pattern = re.escape(phrase).replace("x", r"\{\{ ([^ ]+) \}\}")
    match = re.search(pattern, template.source)
    assert match and match.group(1) == key


def test_same_fact_is_one_variable(template):
    targets = re.findall(r"招商签约任务\{\{ ([^ ]+) \}\}亿元", template.source)
    assert len(targets) == 2 and targets[0] == targets[1]
    guide = re.findall(r"坚持以\{\{ ([^ ]+) \}\}为指导", template.source)
    assert len(guide) == 2 and guide[0] == guide[1]
    assert "纠治“{{" in template.source and "召开之年" in template.source
    years = re.findall(r"\{\{ ([^ ]+) \}\}年", template.source)
    year_vars = {v.key for v in template.variables if v.type == "year"}
    assert len(year_vars) == 1 and sum(k in year_vars for k in years) == 2


def test_schema_describes_every_variable(template):
    assert len(template.variables) >= 50
    for var in template.variables:
        assert is_valid_key(var.key) and var.key.count(".") == 1
        assert var.label and var.example is not None
        assert var.context.count("【】") == 1, var.key
        if var.type == "month":
            assert (var.min, var.max) == (1, 12)
        if var.type == "count":
            assert var.min == (1 if var.chinese else 0)  # 第零届 is no session
        if var.type == "percent":
            assert (var.min, var.max) == (0, 100)
        # The unit lives in the schema, not in the key.
        assert not var.key.endswith(("万元", "亿元", "亩", "个数", "%")), var.key


def test_example_is_complete_and_valid(template, example):
    assert template.check(example) == []
    examples = {v.key: v.example for v in template.variables}
    flat = {f"{g}.{k}": v for g, d in example.items() for k, v in d.items()}
    assert set(flat) == set(examples)


def test_render_text_with_example_fills_every_blank(template, example):
    text = template.render_text(example)
    assert "{{" not in text and "x" not in text.split("\n", 6)[6]
    assert text.startswith(f"{example['基本信息']['镇名']}镇人民政府工作报告\n")
    assert "——2024年12月20日在" in text and "第十八届人民代表大会第四次会议上" in text


def test_render_text_validates_by_default(template, example):
    broken = {**example, "经济发展": {**example["经济发展"], "开工月份": 13}}
    with pytest.raises(drafter.ValuesError) as info:
        template.render_text(broken)
    assert [p.key for p in info.value.problems] == ["经济发展.开工月份"]


def test_load_template_by_path_and_name(template):
    by_path = drafter.load_template(TEMPLATE_DIR)
    assert [v.key for v in by_path.variables] == [v.key for v in template.variables]
    with pytest.raises(drafter.TemplateError, match="township-work-report"):
        drafter.load_template("no-such-template")


def _copy(tmp_path):
    target = tmp_path / "tpl"
    shutil.copytree(TEMPLATE_DIR, target)
    return target


def test_template_variable_missing_from_schema_is_an_error(tmp_path):
    folder = _copy(tmp_path)
    source = folder / "template.txt"
    source.write_text(source.read_text(encoding="utf-8") + "新增{{ 经济发展.新指标 }}个\n", encoding="utf-8")
    with pytest.raises(drafter.TemplateError, match=r"经济发展\.新指标（第 \d+ 行）"):
        drafter.load_template(folder)


def test_schema_variable_unused_by_template_is_an_error(tmp_path):
    folder = _copy(tmp_path)
    schema = folder / "schema.yaml"
    text = schema.read_text(encoding="utf-8")
    schema.write_text(text.replace("variables:\n", "variables:\n  经济发展.多余:\n    type: count\n    label: 多余\n"),
                      encoding="utf-8")
    with pytest.raises(drafter.TemplateError, match="没有用到的变量：经济发展.多余"):
        drafter.load_template(folder)


@pytest.mark.parametrize("expression", [
    "{{ 基本信息.镇名.__class__ }}", "{{ ''.__class__.__mro__ }}", "{{ 基本信息.镇名 * 100000000 }}",
    "{{ 基本信息.镇名 | upper }}", "{{ None }}", "{% include 'x' %}", "{{ range(10**9) }}", "{{ 基本信息 }}",
], ids=["attribute", "mro", "multiply", "filter", "none", "include", "call", "group"])
def test_templates_may_only_hold_plain_variables(tmp_path, expression):
    folder = _copy(tmp_path)
    source = folder / "template.txt"
    lines = source.read_text(encoding="utf-8").count("\n")
    source.write_text(source.read_text(encoding="utf-8") + expression + "\n", encoding="utf-8")
    with pytest.raises(drafter.TemplateError) as info:
        drafter.load_template(folder)
    assert info.value.line == lines + 1 and info.value.file == str(source)
    assert "组.名称" in str(info.value)


@pytest.mark.parametrize("expression", ["{{ ''.__class__.__mro__ }}", "{{ 基本.镇名.__class__.__base__ }}"],
                         ids=["mro", "base"])
def test_sandbox_refuses_attribute_tricks_even_past_the_source_check(expression):
    from drafter import render
    compiled = render.compile_source(expression, file="t.txt")
    with pytest.raises(drafter.TemplateError, match="沙箱拒绝"):
        render.render(compiled, {"基本.镇名": "艾城"})


@pytest.mark.parametrize("check, message", [
    ("经济发展.签约新项目.__class__ < 1", "组.名称"), ("'a' * 10 > 1", "只能比较和计算数字"),
    ("经济发展.签约新项目 | length > 1", "只能比较和计算数字"), ("经济发展.签约新项目 <", "语法错误"),
], ids=["attribute", "string", "filter", "syntax"])
def test_rules_may_only_compare_and_compute(tmp_path, check, message):
    folder = _copy(tmp_path)
    schema = folder / "schema.yaml"
    text = schema.read_text(encoding="utf-8")
    schema.write_text(text + f"  - check: \"{check}\"\n    message: 错\n", encoding="utf-8")
    with pytest.raises(drafter.TemplateError, match=message) as info:
        drafter.load_template(folder)
    assert info.value.file == str(schema) and info.value.line == text.count("\n") + 1


def test_values_are_not_template_code(template, example):
    values = {**example, "基本信息": {**example["基本信息"], "报告人": "{{ 7*7 }}"}}
    assert "{{ 7*7 }}" in template.render_text(values)


def test_rule_with_unknown_variable_is_a_template_error(tmp_path):
    folder = _copy(tmp_path)
    schema = folder / "schema.yaml"
    schema.write_text(schema.read_text(encoding="utf-8")
                      + "  - check: 经济发展.签约新项木 <= 1\n    message: 错\n", encoding="utf-8")
    with pytest.raises(drafter.TemplateError, match="未定义的变量：经济发展.签约新项木"):
        drafter.load_template(folder)


def test_rules_report_the_values_involved(template, example):
    broken = {**example, "平安治理": {**example["平安治理"], "信访已办结": 100}}
    [problem] = template.check(broken)
    assert problem.key == "平安治理.信访已办结" and problem.level == "error"
    assert "已办结与正在办理的信访件之和不能超过受理的信访件总数" in problem.message
    assert "信访件总数 58" in problem.message and "100" in problem.message
    assert template.check(broken, rules=False) == []
    with pytest.raises(drafter.ValuesError):
        template.render_text(broken)
    assert "100件" in template.render_text(broken, rules=False)


def test_warning_rules_do_not_stop_the_render(template, example):
    odd = {**example, "平安治理": {**example["平安治理"], "来访批次": 500}}
    [problem] = template.check(odd)
    assert problem.level == "warning" and "来访批次不能多于来访人次" in problem.message
    assert "500批" in template.render_text(odd)


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()],
                         ids=["disk-full", "interrupted"])
def test_failed_write_leaves_no_partial_file_and_the_old_one_untouched(tmp_path, monkeypatch, failure,
                                                                        template, example):
    import os

    out = tmp_path / "报告.docx"
    out.write_bytes(b"last year's report")

    def fail(_fd):
        raise failure

    monkeypatch.setattr(os, "fsync", fail)
    expected = drafter.DrafterError if isinstance(failure, OSError) else KeyboardInterrupt
    with pytest.raises(expected):
        template.render_docx(example, out)
    assert out.read_bytes() == b"last year's report"
    assert [p.name for p in tmp_path.iterdir()] == ["报告.docx"]


def test_a_name_that_repeats_the_suffix_after_it_is_a_warning(template, example):
    doubled = {**example, "基本信息": {**example["基本信息"], "镇名": "艾城镇"}}
    [problem] = template.check(doubled)
    assert problem.level == "warning" and "会印成“艾城镇镇”" in problem.message
    assert template.render_text(doubled).startswith("艾城镇镇人民政府")  # a warning, not a refusal


@pytest.mark.parametrize("data", [None, [1], "x", 5], ids=["none", "list", "str", "int"])
def test_values_that_are_not_a_mapping_are_a_drafter_error(template, data):
    with pytest.raises(drafter.DrafterError, match="取值应为按分组嵌套的字典"):
        template.check(data)


def test_whitespace_control_is_refused(tmp_path):
    folder = _copy(tmp_path)
    source = folder / "template.txt"
    source.write_text(source.read_text(encoding="utf-8").replace("{{ 基本信息.镇名 }}镇人民政府", "{{- 基本信息.镇名 }}镇人民政府", 1),
                      encoding="utf-8")
    with pytest.raises(drafter.TemplateError, match="不能用 {{- 或 -}}") as info:
        drafter.load_template(folder)
    assert info.value.line == 1


def test_a_rule_dividing_by_zero_says_so(tmp_path, example):
    folder = _copy(tmp_path)
    schema = folder / "schema.yaml"
    schema.write_text(schema.read_text(encoding="utf-8")
                      + "  - check: 经济发展.签约新项目 / 经济发展.对接新项目 <= 1\n    message: 比例\n", encoding="utf-8")
    template = drafter.load_template(folder)
    zero = {**example, "经济发展": {**example["经济发展"], "对接新项目": 0, "签约新项目": 0}}
    [problem] = template.check(zero)
    assert problem.level == "warning" and "除数为零" in problem.message and "已跳过" in problem.message
