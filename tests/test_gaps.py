"""Unmarked cuts: which words are a cut, how sure that is, and which cuts share a variable."""

from __future__ import annotations

import pytest

from drafter.cli import cli
from drafter.gaps import find_gaps
from drafter.templatize import templatize


@pytest.mark.parametrize("text, expected", [
    ("坚持以为指导，", [("以……为指导", True)]),
    ("坚持以为统领，", [("以……为统领", True)]),
    ("深入贯彻，坚决执行", [("深入贯彻……，", True)]),
    ("深入学习，严格执行政治纪律。", [("深入学习……，", False)]),
    ("落细落实、重点地区", [("落细落实……、", False)]),
    ("纠治“”。", [("“……”", True)]),
    ("是召开之年", [("是……召开之年", True)]),
    ("在的坚强领导下", [("在……的坚强领导下", True)]),
    ("组织全体干部认真学习，提高业务能力。", []),
    ("全面贯彻、坚决落实党的二十大精神。", []),
    ("深入学习、坚决贯彻党的二十大精神。", []),
    ("深入学习贯彻党的二十大精神。", []),
], ids=["以为指导", "以为统领", "深入贯彻，", "深入学习，", "落细落实、", "空引号", "召开之年", "领导下",
        "认真学习，", "全面贯彻、", "深入学习、", "深入学习贯彻"])
def test_cut_shapes(text, expected):
    assert [(gap.shape, gap.rule.sure) for gap in find_gaps(text)] == expected


def test_only_the_same_words_share_a_variable():
    text = "一、回顾\n坚持以为指导，以为统领，再次以为指导。\n深入学习，提高能力。深入学习，严守纪律。"
    draft = templatize(text, title="t", with_gaps=True)
    assert draft.gap_keys == ("回顾.指导思想", "回顾.指导思想2", "回顾.指导思想", "回顾.学习内容",
                              "回顾.学习内容2")
    labels = {v.key: v.label for v in draft.schema.variables}
    assert labels["回顾.指导思想2"] == "指导思想（以……为统领）"
    # An uncertain cut is never merged, and each is listed for the clerk to check.
    unsure = [note for note in draft.notes if "不一定删去了词语" in note]
    assert len(unsure) == 2 and "回顾.学习内容2" in unsure[1]


def test_uncertain_cuts_are_marked_in_the_summary(tmp_path, runner):
    report = tmp_path / "r.txt"
    report.write_text("一、回顾\n深入学习，完成x个。", encoding="utf-8")
    result = runner.invoke(cli, ["templatize", str(report), "-o", str(tmp_path / "t")])
    assert result.exit_code == 0, result.output
    assert "（深入学习……，，不一定，请核对）" in result.stdout
