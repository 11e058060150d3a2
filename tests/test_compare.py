"""compare: last year's values beside this year's, and the slips it flags."""

from __future__ import annotations

import json

import pytest
import yaml

import drafter
from drafter import compare as comparing
from drafter import values
from drafter.cli import cli

from .conftest import TEMPLATE_DIR

TEMPLATE = drafter.load_template("township-work-report")

EXAMPLE = TEMPLATE_DIR / "example.yaml"


def _flat(data: dict) -> dict:
    return {f"{g}.{k}": v for g, items in data.items() for k, v in items.items()}


def _grown(example: dict, **overrides: object) -> dict:
    """Return the example a year on: counts doubled, sums up 7 %, rates down 1 point, then `overrides`."""
    kinds = {v.key: v.type for v in TEMPLATE.variables}
    out: dict = {}
    for group, items in example.items():
        out[group] = dict(items)
        for name, value in items.items():
            kind = kinds[f"{group}.{name}"]
            if kind == "count" and name == "会次":
                out[group][name] = value + 1
            elif kind == "count" and name != "届次":
                out[group][name] = value * 2
            elif kind in ("amount", "quantity"):
                out[group][name] = round(value * 1.07, 1)
            elif kind == "percent":
                out[group][name] = value - 1
            elif kind == "year":
                out[group][name] = value + 1
            elif kind == "date":
                out[group][name] = "2025-12-19"
    for dotted, value in overrides.items():
        group, name = dotted.split(".")
        out[group][name] = value
    return out


def _changes(template, old: dict, new: dict) -> dict[str, comparing.Change]:
    result = comparing.compare(template.schema, values.from_mapping(old), values.from_mapping(new))
    return {c.key: c for c in result}


@pytest.mark.parametrize(("old", "new", "kind"), [
    (8620, 86200, "magnitude"), (8620, 862, "magnitude"), (3.2, 320, "magnitude"),
    (3.2, 32000, "magnitude"), (8620, 8620000, "magnitude"),
], ids=["x10", "inverse", "x100", "yuan-for-wanyuan", "x1000"])
def test_a_figure_off_by_a_power_of_ten_is_flagged(template, example, old, new, kind):
    key = "经济发展.固定资产投资"
    changes = _changes(template, _grown(example, **{key: old}), _grown(example, **{key: new}))
    assert changes[key].flag_kind == kind
    assert "约为去年的" in changes[key].flag


def test_typing_yuan_for_wanyuan_is_named(template, example):
    key = "经济发展.财税收入"
    changes = _changes(template, _grown(example, **{key: 8620}), _grown(example, **{key: 86200000}))
    assert "按元填了" in changes[key].flag


@pytest.mark.parametrize(("old", "new"), [(8620, 9310), (8620, 7100), (12, 15), (3.2, 2.4), (0, 5)],
                         ids=["grew", "fell", "count", "decimal", "from-zero"])
def test_an_ordinary_change_is_not_flagged(template, example, old, new):
    key = "经济发展.财税收入"
    changes = _changes(template, _grown(example, **{key: old}), _grown(example, **{key: new}))
    assert changes[key].flag is None
    assert not comparing.flagged(list(changes.values()))


def test_change_wording(template, example):
    changes = _changes(template, example, _grown(example, **{"经济发展.财税收入": 9482,
                                                             "民生事业.医保参保率": 99.1,
                                                             "经济发展.签约新项目": 4}))
    assert changes["经济发展.财税收入"].change == "增加 862万元，同比增长 10.0%"
    assert changes["经济发展.财税收入"].percent == 10
    assert changes["经济发展.签约新项目"].change == "减少 1个，同比下降 20.0%"
    assert changes["民生事业.医保参保率"].change == "提高 0.5 个百分点"
    assert changes["基本信息.年份"].change == "+1"
    assert changes["基本信息.镇名"].change == "未变"


def test_a_count_gone_to_zero_a_rate_over_100_and_a_forgotten_figure_are_flagged(template, example):
    old = dict(example, 经济发展=dict(example["经济发展"], 签约新项目=5))
    # A rate over 100 only passes the check when the template allows it; compare flags it anyway.
    new = _grown(old, **{"经济发展.签约新项目": 0, "民生事业.项目完工率": 88.9, "民生事业.医保参保率": 101})
    changes = _changes(template, old, new)
    assert changes["经济发展.签约新项目"].flag_kind == "zero"
    assert changes["民生事业.医保参保率"].flag_kind == "rate"
    assert changes["民生事业.项目完工率"].flag_kind == "unchanged"
    assert "忘了改" in changes["民生事业.项目完工率"].flag
    assert changes["经济发展.财税收入"].flag is None


def test_zero_both_years_is_not_a_forgotten_figure(template, example):
    old = dict(example, 平安治理=dict(example["平安治理"], 网上信访=0))
    changes = _changes(template, old, _grown(old, **{"平安治理.网上信访": 0}))
    assert changes["平安治理.网上信访"].flag is None
    assert changes["民生事业.项目完工率"].flag is None


def test_unchanged_figures_are_not_flagged_when_most_stayed_the_same(template, example):
    changes = _changes(template, example, _grown(example, **{"经济发展.财税收入": 9000})
                       | {k: v for k, v in example.items() if k != "经济发展"})
    assert not any(c.flag_kind == "unchanged" for c in changes.values())


def test_missing_and_wrong_values_are_shown_not_judged(template, example):
    old = _grown(example)
    del old["经济发展"]["财税收入"]
    new = _grown(example, **{"经济发展.签约新项目": "五个"})
    changes = _changes(template, old, new)
    assert changes["经济发展.财税收入"].change == "去年未填写"
    assert changes["经济发展.签约新项目"].change == "取值有误，未比较"
    assert changes["经济发展.签约新项目"].new == "五个"


@pytest.fixture
def years(tmp_path, example):
    old, new = tmp_path / "2023.yaml", tmp_path / "2024.yaml"
    old.write_text(yaml.safe_dump(example, allow_unicode=True), encoding="utf-8")
    grown = _grown(example, **{"经济发展.财税收入": 86200})
    new.write_text(yaml.safe_dump(grown, allow_unicode=True), encoding="utf-8")
    return old, new


def test_cli_prints_a_table_and_warns(runner, years):
    old, new = years
    result = runner.invoke(cli, ["compare", "township-work-report", str(old), str(new)])
    assert result.exit_code == 0, result.output
    assert "经济发展.财税收入" in result.stdout and "同比增长 900.0%" in result.stdout
    assert "警告：经济发展.财税收入（完成财税收入）：去年 8620万元，今年 86200万元。约为去年的 10 倍" in result.stderr
    assert "疑似填错 1 项" in result.stdout


def test_cli_strict_exits_1(runner, years):
    old, new = years
    result = runner.invoke(cli, ["compare", "township-work-report", str(old), str(new), "--strict"])
    assert result.exit_code == 1
    assert "有 1 项疑似填错" in result.stderr
    same = runner.invoke(cli, ["compare", "township-work-report", str(old), str(old), "--strict"])
    assert same.exit_code == 0, same.output


def test_cli_json(runner, years):
    old, new = years
    result = runner.invoke(cli, ["compare", "township-work-report", str(old), str(new), "--json"])
    rows = json.loads(result.stdout)
    by_key = {row["key"]: row for row in rows}
    assert set(rows[0]) >= {"key", "label", "old", "new", "change", "flag"}
    assert by_key["经济发展.财税收入"]["old"] == "8620" and by_key["经济发展.财税收入"]["new"] == "86200"
    assert by_key["经济发展.财税收入"]["change"]["difference"] == 77580
    assert by_key["经济发展.财税收入"]["flag"]
    assert by_key["基本信息.镇名"]["flag"] is None
    assert by_key["农业农村.柑橘村"]["old"] == ["南岭", "新华", "永丰"]


def test_render_and_check_warn_with_previous(runner, years, tmp_path):
    old, new = years
    out = tmp_path / "r.docx"
    result = runner.invoke(cli, ["render", "township-work-report", "-f", str(new), "-o", str(out),
                                 "--previous", str(old)])
    assert result.exit_code == 0, result.output
    assert out.is_file()
    assert f"警告（与 {old} 对比）：经济发展.财税收入" in result.stderr
    checked = runner.invoke(cli, ["check", "township-work-report", "-f", str(new), "--previous", str(old)])
    assert checked.exit_code == 0
    assert "约为去年的 10 倍" in checked.stderr
    missing = runner.invoke(cli, ["check", "township-work-report", "-f", str(new), "--previous",
                                  str(tmp_path / "无.yaml")])
    assert missing.exit_code == 1 and "无.yaml" in missing.stderr and "Traceback" not in missing.output


def test_render_reads_standard_input_once_with_previous(runner, tmp_path):
    # `-f -` is standard input: the values are read once, for the report and the comparison alike.
    out = tmp_path / "r.docx"
    result = runner.invoke(cli, ["render", "township-work-report", "-f", "-", "-o", str(out),
                                 "--previous", str(EXAMPLE)], input=EXAMPLE.read_text(encoding="utf-8"))
    assert result.exit_code == 0, result.stderr
    assert out.is_file() and "已生成" in result.stdout
