"""Layout: paragraph kinds from the Chinese numbering, run-in headings, punctuation, title breaks."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from drafter import render
from drafter.layout import is_cjk, lay_out, normalize_punctuation, settle_marks
from drafter.render import MARK_END, MISSING_START, VALUE_START


@pytest.mark.parametrize("line, kind, lead", [
    ("一、今年以来工作回顾", "h1", "一、今年以来工作回顾"),
    ("十二、其他", "h1", "十二、其他"),
    ("（一）聚焦产业发展，经济实力稳步增强。全镇……", "h2", "（一）聚焦产业发展，经济实力稳步增强。"),
    ("1.聚拓展镇域经济新空间。一是做强项目支撑。", "h3", "1.聚拓展镇域经济新空间。"),
    ("（1）加强监管。其余。", "h4", "（1）加强监管。"),
    ("2024年是召开之年。", "body", ""),
    ("1.5万元用于……", "body", ""),
    ("一是招商引资成效显著。", "body", ""),
    ("各位代表：", "salutation", ""),
    ("主要是：产业基础薄弱，二三产业发展不快。", "body", ""),
    ("", "blank", ""),
], ids=lambda v: v if isinstance(v, str) and len(v) < 12 else None)
def test_paragraph_kinds(line, kind, lead):
    [block] = lay_out(line)
    assert block.kind == kind
    assert "".join(s.text for s in block.segments if s.lead) == lead


def test_standalone_heading_versus_run_in():
    standalone, run_in = lay_out("一、今年以来工作回顾\n1.突出政治建设。深入学习。")
    assert standalone.standalone and not run_in.standalone


@pytest.mark.parametrize("raw, fixed", [
    ("今年以来,面对", "今年以来，面对"), ("各位代表!奋斗", "各位代表！奋斗"), ("主要是:我镇", "主要是：我镇"),
    ("村(社区)疫情", "村（社区）疫情"), ("投资3,000万元", "投资3,000万元"), ("增长1.5%", "增长1.5%"),
    ("10:30开会", "10:30开会"), ("GDP (PPP), ok", "GDP (PPP), ok"), ("完成x个,签约", "完成x个，签约"),
    ("“两张皮”,全", "“两张皮”，全"),
], ids=str)
def test_half_width_punctuation_between_chinese_becomes_full_width(raw, fixed):
    assert normalize_punctuation(raw) == fixed


def test_title_block_is_lines_before_first_empty_line():
    text = "艾城镇人民政府工作报告\n——2024年12月20日在艾城镇第十八届人民代表大会第四次会议上\n镇长　刘志强\n\n各位代表："
    blocks = lay_out(text)
    assert [b.kind for b in blocks] == ["title", "caption", "caption", "blank", "salutation"]
    # A 题注 over 28 characters breaks before 在, so 会议上 never wraps alone.
    assert blocks[1].text == "——2024年12月20日\n在艾城镇第十八届人民代表大会第四次会议上"


def test_long_title_breaks_into_lines_of_twenty_at_most_upper_longer():
    title = "关于进一步加强和改进新时代乡镇人民政府工作的若干意见的报告"
    [block, _] = lay_out(title + "\n")
    lines = block.text.split("\n")
    assert "".join(lines) == title and all(len(line) <= 20 for line in lines)
    assert len(lines[0]) >= len(lines[-1])


def test_marks_become_segments_and_leave_the_text():
    text = f"完成{VALUE_START}12{MARK_END}个,还有{MISSING_START}【签约新项目数】{MARK_END}个。"
    [block] = lay_out(text)
    assert block.text == "完成12个，还有【签约新项目数】个。"
    assert [(s.text, s.mark) for s in block.segments if s.mark] == [("12", "value"), ("【签约新项目数】", "missing")]


@pytest.mark.parametrize("title", [
    "艾城镇人民政府关于2024年工作情况的报告",            # 19 wide: figures are half a character
    "艾城镇人民政府2024年度工作报告（审议稿）",
], ids=["figures-half-width", "brackets"])
def test_titles_that_fit_in_twenty_characters_stay_on_one_line(title):
    [block, _] = lay_out(title + "\n")
    assert block.text == title


@pytest.mark.parametrize("title, lines", [
    ("关于进一步加强和改进新时代乡镇人民政府工作的若干意见的报告", ["关于进一步加强和改进新时代乡镇", "人民政府工作的若干意见的报告"]),
    ("艾城镇人民政府关于二〇二四年度工作情况和二〇二五年工作安排的报告",
     ["艾城镇人民政府关于二〇二四年度", "工作情况和二〇二五年工作安排的报告"]),
], ids=["long", "two-years"])
def test_long_titles_break_at_likely_word_ends(title, lines):
    [block, _] = lay_out(title + "\n")
    assert block.text.split("\n") == lines


def test_a_filled_in_value_is_never_broken_across_title_lines():
    label = f"{MISSING_START}【镇名（不含“镇”字）】{MARK_END}"
    [block, _] = lay_out(label + "镇人民政府关于二〇二四年度工作情况的报告\n")
    first, second = block.text.split("\n")
    assert first.startswith("【镇名（不含“镇”字）】") and not second.startswith(("】", "）"))


@pytest.mark.parametrize("text", [
    "各位代表：\n现在，我代表镇人民政府报告工作。\n一、工作回顾\n\n正文。",   # salutation first
    "今年以来，" + "全镇上下凝心聚力" * 10 + "。\n\n正文。",                  # a paragraph, not a title
    "一、工作回顾\n\n正文。",                                                # a heading first
], ids=["salutation", "long-paragraph", "heading"])
def test_no_title_block_when_the_first_lines_are_not_a_title(text):
    assert "title" not in [block.kind for block in lay_out(text)]


def _normalize_one_mark_at_a_time(text: str) -> str:
    """Say, the slow and obvious way, what normalize_punctuation does to , ! : ; ? (not brackets)."""
    full = {",": "，", "!": "！", ":": "：", ";": "；", "?": "？"}
    out = list(text)
    for i, char in enumerate(text):
        before, after = text[i - 1 : i], text[i + 1 : i + 2]
        if char in full and not (before.isdigit() and after.isdigit()) and (
                (before and is_cjk(before)) or (after and is_cjk(after))):
            out[i] = full[char]
    return "".join(out)


@settings(max_examples=300)
@given(st.text(alphabet="中文,!:;?，12a .“”—\x02", max_size=30))
def test_marks_become_full_width_exactly_next_to_chinese(text):
    assert normalize_punctuation(text) == _normalize_one_mark_at_a_time(text)


_LITERAL = st.text(alphabet="中文,!:;?，（12a \n“”()", max_size=12)
_BLANK = st.sampled_from(["{{ 组.甲 }}", "{{ 组.乙 }}"])


@settings(max_examples=200, deadline=None)
@example(["中,", "{{ 组.甲 }}"], ";1", "")    # the value's mark is judged by the comma as typed
@example(["{{ 组.甲 }}", ":中"], "1,", "")    # and the other way round
@example(["中,:1"], "", "")                  # a mark beside a mark waits for the render
@given(st.lists(st.one_of(_LITERAL, _BLANK), max_size=8),
       st.text(alphabet="中,;:1a (）\x02", max_size=5), st.text(alphabet="中,!?2 ", max_size=5))
def test_settled_marks_lay_out_as_marks_normalized_at_render(parts, first, second):
    # The template's own marks are made full-width once, when it is loaded; the report must come
    # out as if each were judged next to the values on every render, whatever the values hold.
    source = "".join(parts)
    values = {"组.甲": first, "组.乙": second}
    for mark in (False, True):
        as_written = render.render(render.compile_source(source, file="t"), values, mark=mark, anchor=True)
        settled = render.render(render.compile_source(settle_marks(source), file="t"), values, mark=mark,
                                anchor=True)
        assert lay_out(settled) == lay_out(as_written)


def test_settling_leaves_marks_a_value_may_decide():
    assert settle_marks("今年,全镇:\n3,000;中{{ 组.甲 }},个,{{ 组.乙 }}!") == \
        "今年，全镇：\n3,000；中{{ 组.甲 }},个,{{ 组.乙 }}!"
