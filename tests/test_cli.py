"""The command line, end to end: render, check, init, vars, and what a clerk sees on bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import docx
import pytest
import yaml

from drafter.cli import cli

from .conftest import TEMPLATE_DIR

EXAMPLE = (TEMPLATE_DIR / "example.yaml").read_text(encoding="utf-8")


def _invoke(runner, *args):
    result = runner.invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output + (result.stderr or "")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_render_bundled_example(runner, tmp_path):
    out = tmp_path / "报告.docx"
    result = _invoke(runner, "render", "township-work-report", "-f", TEMPLATE_DIR / "example.yaml", "-o", out)
    assert result.exit_code == 0, result.output
    assert "已生成" in result.stdout
    assert docx.Document(str(out)).paragraphs[0].text == "艾城镇人民政府工作报告"


def test_later_files_and_set_override(runner, tmp_path):
    override = tmp_path / "more.yaml"
    override.write_text("基本信息:\n  镇名: 虬津\n", encoding="utf-8")
    out = tmp_path / "r.docx"
    result = _invoke(runner, "render", TEMPLATE_DIR, "-f", TEMPLATE_DIR / "example.yaml", "-f", override,
                     "--set", "基本信息.报告人=王五", "-o", out)
    assert result.exit_code == 0, result.output
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert texts[0] == "虬津镇人民政府工作报告" and texts[2] == "镇长　王五"


def _broken(tmp_path, old, new):
    assert old in EXAMPLE
    path = tmp_path / "values.yaml"
    path.write_text(EXAMPLE.replace(old, new, 1), encoding="utf-8")
    return path, EXAMPLE.replace(old, new, 1).split("\n").index(new.split("\n")[0]) + 1 if new else None


@pytest.mark.parametrize("old, new, expected", [
    ("  签约新项目: 5\n", "", ["经济发展.签约新项目（签约新项目数）", "缺少这一项", "签约新项目: 5"]),
    ("  签约新项目: 5", "  签约新项木: 5", ["经济发展.签约新项木", "键名写错了", "应为“签约新项目”", "取值有 1 处错误"]),
    ("  开工月份: 12", "  开工月份: 13", ["经济发展.开工月份（", "13 超出范围", "1～12"]),
    ("  签约新项目: 5", "  签约新项目: 5个", ["经济发展.签约新项目（签约新项目数）", "“5个”后面多了“个”", "单位已写在句中"]),
], ids=["missing", "typo", "month-13", "unit-in-count"])
def test_wrong_values_are_explained(runner, tmp_path, old, new, expected):
    values, line = _broken(tmp_path, old, new)
    out = tmp_path / "报告.docx"
    out.write_bytes(b"the clerk's earlier report")
    for command in (["render", "township-work-report", "-f", values, "-o", out],
                    ["check", "township-work-report", "-f", values]):
        result = _invoke(runner, *command)
        assert result.exit_code == 1
        assert result.stdout == "" or "已生成" not in result.stdout
        for text in expected:
            assert text in result.stderr, result.stderr
        if line:
            assert f"{values}:{line}:" in result.stderr
        # A typo is one problem, at the typo's line: not also a missing key.
        assert result.stderr.startswith("错误：取值有 1 处错误，请按提示修改后重试")
    assert out.read_bytes() == b"the clerk's earlier report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["values.yaml", "报告.docx"]


def test_all_problems_are_reported_at_once(runner, tmp_path):
    path = tmp_path / "values.yaml"
    path.write_text(EXAMPLE.replace("  开工月份: 12", "  开工月份: 13").replace("  签约新项目: 5", "  签约新项目: 5个"),
                    encoding="utf-8")
    result = _invoke(runner, "check", "township-work-report", "-f", path)
    assert result.exit_code == 1 and "取值有 2 处错误" in result.stderr


def test_yaml_syntax_error_names_the_line(runner, tmp_path):
    path = tmp_path / "values.yaml"
    path.write_text(EXAMPLE.replace("  签约新项目: 5", " 签约新项目: 5"), encoding="utf-8")
    out = tmp_path / "r.docx"
    result = _invoke(runner, "render", "township-work-report", "-f", path, "-o", out)
    assert result.exit_code == 1
    assert "YAML 格式错误" in result.stderr and f"{path}:" in result.stderr and "缩进" in result.stderr
    assert not out.exists()


def test_missing_values_file_and_unknown_template(runner, tmp_path):
    result = _invoke(runner, "check", "township-work-report", "-f", tmp_path / "nope.yaml")
    assert result.exit_code == 1 and "无法读取取值文件" in result.stderr
    result = _invoke(runner, "vars", "no-such-template")
    assert result.exit_code == 1 and "找不到模板" in result.stderr and "township-work-report" in result.stderr


def test_output_in_missing_folder_is_refused(runner, tmp_path):
    result = _invoke(runner, "render", "township-work-report", "-f", TEMPLATE_DIR / "example.yaml",
                     "-o", tmp_path / "no" / "r.docx")
    assert result.exit_code == 1 and "输出文件夹不存在" in result.stderr


def test_check_passes_on_example(runner):
    result = _invoke(runner, "check", "township-work-report", "-f", TEMPLATE_DIR / "example.yaml")
    assert result.exit_code == 0 and "检查通过" in result.stdout


def test_init_writes_a_commented_skeleton_that_checks_as_missing(runner, tmp_path, template):
    path = tmp_path / "values.yaml"
    result = _invoke(runner, "init", "township-work-report", "-o", path)
    assert result.exit_code == 0
    text = path.read_text(encoding="utf-8")
    assert yaml.safe_load(text).keys() == {v.group for v in template.variables}
    assert "  # 签约新项目数｜整数｜单位：个｜例：5" in text
    assert "  #   原句：" in text and "【】" in text
    result = _invoke(runner, "check", "township-work-report", "-f", path)
    assert result.exit_code == 1 and f"取值有 {len(template.variables)} 处错误" in result.stderr
    assert "未填写" in result.stderr
    # A second init would destroy the clerk's work: refused unless --force.
    path.write_text("基本信息:\n  镇名: 艾城\n", encoding="utf-8")
    result = _invoke(runner, "init", "township-work-report", "-o", path)
    assert result.exit_code == 1 and "已存在" in result.stderr
    assert path.read_text(encoding="utf-8") == "基本信息:\n  镇名: 艾城\n"


def test_filled_skeleton_renders(runner, tmp_path, example):
    path = tmp_path / "values.yaml"
    _invoke(runner, "init", "township-work-report", "-o", path)
    lines = path.read_text(encoding="utf-8").split("\n")
    group = None
    for i, line in enumerate(lines):
        if line and not line.startswith((" ", "#")):
            group = line[:-1]
        elif line.startswith("  ") and not line.strip().startswith("#"):
            key = line.strip()[:-1]
            value = example[group][key]
            lines[i] = f"{line} {json.dumps(value, ensure_ascii=False)}"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = _invoke(runner, "render", "township-work-report", "-f", path, "-o", tmp_path / "r.docx")
    assert result.exit_code == 0, result.stderr


def test_vars_table_and_json(runner, template):
    result = _invoke(runner, "vars", "township-work-report")
    assert result.exit_code == 0
    assert "经济发展.签约新项目" in result.stdout and "签约新项目数" in result.stdout
    assert f"共 {len(template.variables)} 个变量" in result.stdout
    rows = json.loads(_invoke(runner, "vars", "township-work-report", "--json").stdout)
    assert sorted(r["key"] for r in rows) == sorted(v.key for v in template.variables)
    assert {"key", "type", "unit", "label"} <= rows[0].keys()


def test_draft_lists_what_is_missing(runner, tmp_path):
    path = tmp_path / "values.yaml"
    path.write_text(EXAMPLE.replace("  签约新项目: 5\n", ""), encoding="utf-8")
    result = _invoke(runner, "render", "township-work-report", "-f", path, "-o", tmp_path / "d.docx", "--draft")
    assert result.exit_code == 0
    assert "还有 1 项待填写" in result.stderr and "【签约新项目数】" in result.stderr


def test_python_m_drafter_reports_errors_without_traceback(tmp_path):
    path = tmp_path / "values.yaml"
    path.write_text(EXAMPLE.replace("  开工月份: 12", "  开工月份: 13"), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "drafter", "check", "township-work-report", "-f", str(path)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.startswith("错误：") and "Traceback" not in proc.stderr


def test_init_example_copies_the_filled_example(runner, tmp_path):
    path = tmp_path / "values.yaml"
    result = _invoke(runner, "init", "township-work-report", "--example", "-o", path)
    assert result.exit_code == 0 and path.read_text(encoding="utf-8") == EXAMPLE


def test_schema_command_writes_a_json_schema_the_example_satisfies(runner, tmp_path, example, template):
    import jsonschema

    out = tmp_path / "values.schema.json"
    assert _invoke(runner, "schema", "township-work-report", "-o", out).exit_code == 0
    schema = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(example, schema)
    month = schema["properties"]["经济发展"]["properties"]["开工月份"]
    number, text = month["anyOf"]
    assert (number["type"], number["minimum"], number["maximum"]) == ("integer", 1, 12)
    assert text["type"] == "string" and "月" in text["pattern"]
    assert "【】" in month["description"] and month["title"]
    # What drafter accepts as typed text, the editor accepts too.
    variants = {**example, "经济发展": {**example["经济发展"], "开工月份": "8月", "财税收入": "8,620", "签约新项目": "１２"},
                "基本信息": {**example["基本信息"], "会议日期": "2024年12月20日", "年份": "2024年"},
                "农业农村": {**example["农业农村"], "柑橘村": "南岭、新华"},
                "民生事业": {**example["民生事业"], "项目完工率": "98.6%"}}
    jsonschema.validate(variants, schema)
    assert not template.check(variants)
    broken = {**example, "经济发展": {**example["经济发展"], "开工月份": 13, "签约新项木": 1}}
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(broken))
    assert len(errors) == 2


def test_init_skeleton_points_editors_at_its_json_schema(runner, tmp_path):
    path = tmp_path / "values.yaml"
    _invoke(runner, "init", "township-work-report", "-o", path)
    assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=values.schema.json\n")
    assert json.loads((tmp_path / "values.schema.json").read_text(encoding="utf-8"))["type"] == "object"


def test_check_explain_shows_where_each_value_came_from(runner, tmp_path):
    override = tmp_path / "more.yaml"
    override.write_text("经济发展:\n  财税收入: 9000\n", encoding="utf-8")
    result = _invoke(runner, "check", "township-work-report", "-f", TEMPLATE_DIR / "example.yaml",
                     "-f", override, "--set", "基本信息.镇名=虬津", "--explain")
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if "←" in line}
    assert lines["经济发展.财税收入"].endswith(f"9000  ← {override}:2")
    assert lines["基本信息.镇名"].endswith("虬津  ← --set 基本信息.镇名")
    assert lines["经济发展.签约新项目"].endswith(f"← {TEMPLATE_DIR / 'example.yaml'}:15")


def test_set_uses_the_same_type_rules_as_files(runner):
    result = _invoke(runner, "check", "township-work-report", "-f", TEMPLATE_DIR / "example.yaml",
                     "--set", "经济发展.签约新项目=5个", "--set", "经济发展.开工月份=８月")
    assert result.exit_code == 1 and "取值有 1 处错误" in result.stderr
    assert "--set 经济发展.签约新项目: 经济发展.签约新项目（签约新项目数）：“5个”后面多了“个”" in result.stderr


def test_no_rules_lets_real_figures_through(runner, tmp_path):
    args = ["check", "township-work-report", "-f", TEMPLATE_DIR / "example.yaml", "--set", "经济发展.签约新项目=50"]
    result = _invoke(runner, *args)
    assert result.exit_code == 1 and "签约的新项目不能多于对接的新项目（签约新项目数 50，对接新项目数 12）" in result.stderr
    assert _invoke(runner, *args, "--no-rules").exit_code == 0


def test_fraction_rate_warns_but_renders(runner, tmp_path):
    result = _invoke(runner, "render", "township-work-report", "-f", TEMPLATE_DIR / "example.yaml",
                     "--set", "民生事业.项目完工率=0.95", "-o", tmp_path / "r.docx")
    assert result.exit_code == 0 and "警告：" in result.stderr and "是否应为 95？" in result.stderr


@pytest.mark.parametrize("name, message", [("values.docx", "应以 .yaml 结尾"), ("folder.yaml", "文件夹"),
                                           ("taken.yaml", "已存在")], ids=["suffix", "folder", "schema-exists"])
def test_init_refuses_unsafe_outputs(runner, tmp_path, name, message):
    (tmp_path / "folder.yaml").mkdir()
    (tmp_path / "taken.schema.json").write_text("{}", encoding="utf-8")
    result = _invoke(runner, "init", "township-work-report", "-o", tmp_path / name)
    assert result.exit_code == 1 and message in result.stderr
    assert (tmp_path / "taken.schema.json").read_text(encoding="utf-8") == "{}"
    assert not (tmp_path / "values.docx").exists()


@pytest.mark.parametrize("args, message", [
    (["render", "township-work-report", "-f", "v.yaml"], "缺少选项 -o / --output。"),
    (["render", "township-work-report", "--profle", "x"], "没有选项 --profle。您是不是想用 --profile？"),
    (["render", "township-work-report", "--profile", "x", "-o", "a.docx"], "可选：gb2312、windows"),
    (["rendr"], "没有命令 rendr。您是不是想用 render？"),
], ids=["missing-option", "typo-option", "bad-choice", "typo-command"])
def test_usage_mistakes_are_explained_in_chinese(runner, args, message):
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert result.stderr.startswith("用法错误：") and message in result.stderr and "--help" in result.stderr


@pytest.mark.parametrize("command", ["render", "check"])
def test_no_values_file_is_a_clear_error(runner, tmp_path, command):
    args = [command, "township-work-report"] + (["-o", tmp_path / "r.docx"] if command == "render" else [])
    result = _invoke(runner, *args)
    assert result.exit_code == 1 and "没有给出取值文件" in result.stderr and "drafter init" in result.stderr
    assert not (tmp_path / "r.docx").exists()


def test_a_blank_draft_needs_no_values_file(runner, tmp_path):
    result = _invoke(runner, "render", "township-work-report", "--draft", "-o", tmp_path / "d.docx")
    assert result.exit_code == 0 and "还有 58 项待填写" in result.stderr.replace(str(58), "58")


def test_skeleton_comments_survive_line_breaks_in_schema_text(runner, tmp_path):
    import shutil
    folder = tmp_path / "tpl"
    shutil.copytree(TEMPLATE_DIR, folder)
    schema = folder / "schema.yaml"
    schema.write_text(schema.read_text(encoding="utf-8").replace(
        "    label: 签约新项目数\n", '    label: "签约新项目数\\n工作回顾:\\n  x: 1"\n'), encoding="utf-8")
    values = tmp_path / "values.yaml"
    assert _invoke(runner, "init", folder, "-o", values).exit_code == 0
    result = _invoke(runner, "check", folder, "-f", values)
    assert "重复出现" not in result.stderr and "未填写" in result.stderr


def test_a_later_file_replaces_a_list_whole(runner, tmp_path):
    override = tmp_path / "more.yaml"
    override.write_text("农业农村:\n  柑橘村: [北山]\n", encoding="utf-8")
    out = tmp_path / "r.docx"
    result = _invoke(runner, "render", "township-work-report", "-f", TEMPLATE_DIR / "example.yaml", "-f", override, "-o", out)
    assert result.exit_code == 0
    text = "".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "北山等村" in text and "南岭" not in text
