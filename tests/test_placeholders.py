"""Blank detection: the seed's 56 blanks and their kinds, every convention, and every trap."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from drafter.placeholders import find_placeholders, mask_blanks

from .conftest import SEED

SEED_TEXT = SEED.read_text(encoding="utf-8")
SEED_BLANKS = find_placeholders(SEED_TEXT)
CORPUS = Path(__file__).parent / "corpus"
_MARK = re.compile(r"⟦([^:⟧]+):(\w+)⟧")


def marked(raw: str) -> tuple[str, list[tuple[int, str, str]]]:
    """Return corpus text `raw` without its ⟦token:kind⟧ marks, and each mark's (offset, token, kind)."""
    text, expected, position = [], [], 0
    length = 0
    for match in _MARK.finditer(raw):
        before = raw[position:match.start()]
        text.append(before)
        length += len(before)
        expected.append((length, match.group(1), match.group(2)))
        text.append(match.group(1))
        length += len(match.group(1))
        position = match.end()
    text.append(raw[position:])
    return "".join(text), expected


# The seed's blanks in order: the words around each (its x is the first x shown), kind and unit.
SEED_TABLE = [
    ("等新项目x个", "count", "个"), ("签约新项目x个", "count", "个"), ("解难题。x项目和", "name", "项目"),
    ("项目和x胶业", "name", "胶业"), ("预计x月底开工", "month", "月"), ("学校项目x月已完成", "month", "月"),
    ("财税收入x万元", "amount", "万元"), ("完成固投x亿元", "amount", "亿元"),
    ("农田建设x余亩", "quantity", "亩"), ("水稻种植x亩", "quantity", "亩"),
    ("补贴金额x余万元", "amount", "万元"), ("万元。x村大力", "name", "村"),
    ("种植,x等村", "list", "村"), ("投入资金x余万元", "amount", "万元"),
    ("投入x余万元的涝区", "amount", "万元"), ("投资x万的导托渠", "amount", "万"),
    ("工作,x条“四好", "count", "条"), ("集镇污水处理设施x座", "count", "座"),
    ("农村污水处理设施x座", "count", "座"), ("巩固。x个衔接资金", "count", "个"),
    ("项目完工率x%", "percent", "%"), ("脱贫户x人", "count", "人"), ("小额信贷x万元", "amount", "万元"),
    ("公益性岗位x人", "count", "人"), ("交通补贴x万元", "amount", "万元"),
    ("教育补助x万元", "amount", "万元"), ("雨露计划x万元", "amount", "万元"),
    ("认证通过x人", "count", "人"), ("房屋鉴定x户", "count", "户"), ("医疗报销x人次", "count", "人次"),
    ("补偿金额x余万元", "amount", "万元"), ("参保率x%", "percent", "%"), ("完成x位残疾人", "count", "位"),
    ("总金额为x万元", "amount", "万元"), ("网上信访x起", "count", "起"), ("信访件x件", "count", "件"),
    ("已办结x件", "count", "件"), ("正在办理x件", "count", "件"), ("来访人数x批", "count", "批"),
    ("批x人次", "count", "人次"), ("均达x%", "percent", "%"), ("抗旱井等x个小型项目", "count", "个"),
    ("也是x创新", "name", ""), ("实施,x在全县", "name", ""), ("招商签约任务x亿元,重点", "amount", "亿元"),
    ("招商签约任务x亿元。以", "amount", "亿元"), ("利用x便利", "name", ""), ("个体户x个", "count", "个"),
    ("企业x户", "count", "户"), ("提升x品牌力", "name", ""), ("平安x形象", "name", ""),
    ("打响x粮油", "name", ""), ("打造x个新农村", "count", "个"), ("完成x套公租房", "count", "套"),
    ("部署在x不折不扣", "name", ""), ("谱写x镇高质量", "name", "镇"),
]


def test_seed_has_56_blanks_and_no_other():
    assert len(SEED_BLANKS) == 56 == len(SEED_TABLE)
    assert {ph.token for ph in SEED_BLANKS} == {"x"}
    assert [ph.span[0] for ph in SEED_BLANKS] == [m.start() for m in re.finditer("x", SEED_TEXT)]


@pytest.mark.parametrize("index, words, kind, unit", [(i, *row) for i, row in enumerate(SEED_TABLE)],
                         ids=[f"{i + 1:02d}-{row[0]}" for i, row in enumerate(SEED_TABLE)])
def test_seed_blank_kind(index, words, kind, unit):
    ph = SEED_BLANKS[index]
    start = ph.span[0] - words.index("x")
    assert SEED_TEXT[start:start + len(words)] == words
    assert (ph.kind, ph.unit) == (kind, unit)


def test_seed_kinds_agree_with_the_hand_made_template(template):
    # The bundled template was made by hand from the same seed: its x variables, in text order.
    body = template.source.split("\n", 6)[6]
    blanks = {v.key for v in template.variables if v.original == "x"}
    uses = [key for key in re.findall(r"\{\{ (\S+) \}\}", body) if key in blanks]
    assert [template.schema.get(key).type for key in uses] == [ph.kind for ph in SEED_BLANKS]


def test_seed_context_marks_its_own_blank():
    for ph in SEED_BLANKS:
        assert ph.context.count("【】") == 1
        assert ph.context.replace("【】", ph.token).strip("…") in SEED_TEXT.split("\n")[ph.line - 1]


@pytest.mark.parametrize("text, expected", [
    ("签约新项目x个。", [("x", "count", "个")]),
    ("签约新项目X个。", [("X", "count", "个")]),
    ("签约新项目xx个。", [("xx", "count", "个")]),
    ("签约新项目XXX个。", [("XXX", "count", "个")]),
    ("签约新项目×个。", [("×", "count", "个")]),
    ("签约新项目××个。", [("××", "count", "个")]),
    ("签约新项目*个。", [("*", "count", "个")]),
    ("签约新项目**个。", [("**", "count", "个")]),
    ("签约新项目＊个。", [("＊", "count", "个")]),
    ("○○村发展菌菇。", [("○○", "name", "村")]),
    ("〇〇村发展菌菇。", [("〇〇", "name", "村")]),
    ("增长X.X%。", [("X.X", "percent", "%")]),
    ("完成投资XX.XX亿元。", [("XX.XX", "amount", "亿元")]),
    ("20XX年工作安排", [("20XX", "year", "年")]),
    ("201x年以来", [("201x", "year", "年")]),
    ("X月X日召开", [("X", "month", "月"), ("X", "day", "日")]),
    ("建成x座、x条、x人、x户、x人次、x起、x件、x批、x套、x位、x家、x所。",
     [("x", "count", unit)
      for unit in ("座", "条", "人", "户", "人次", "起", "件", "批", "套", "位", "家", "所")]),
    ("收入x万元、x亿元、x元、x万。", [("x", "amount", unit) for unit in ("万元", "亿元", "元", "万")]),
    ("x亩、x公里、x平方米、x吨。", [("x", "quantity", unit) for unit in ("亩", "公里", "平方米", "吨")]),
    ("预计x月底开工", [("x", "month", "月")]),
    ("x村、x镇、x乡、x组、x公司、x胶业、x项目", [("x", "name", unit) for unit in
                                                  ("村", "镇", "乡", "组", "公司", "胶业", "项目")]),
    ("x等村发展柑橘", [("x", "list", "村")]),
    ("完成高标准农田x余亩", [("x", "quantity", "亩")]),
    ("同比增长x，", [("x", "percent", "")]),
    ("完工率x，", [("x", "percent", "")]),
    ("占x，", [("x", "percent", "")]),
    ("近x年来", [("x", "count", "年")]),
    ("实现GDPx亿元", [("x", "amount", "亿元")]),
    ("在XX同志的领导下", [("XX", "name", "同志")]),
    ("二〇二四年○月○日", [("○", "month", "月"), ("○", "day", "日")]),
    # Full width, as a Chinese keyboard in full-width mode types them.
    ("ＸＸ镇召开大会", [("ＸＸ", "name", "镇")]),
    ("收入ｘｘ万元。", [("ｘｘ", "amount", "万元")]),
    ("参保率ｘ%。", [("ｘ", "percent", "%")]),
    ("增长Ｘ.Ｘ%。", [("Ｘ.Ｘ", "percent", "%")]),
    ("增长Ｘ．Ｘ%。", [("Ｘ．Ｘ", "percent", "%")]),
    ("２０ＸＸ年工作安排", [("２０ＸＸ", "year", "年")]),
    ("使用ＧＤＰｘ亿元", [("ｘ", "amount", "亿元")]),
    # One blank across a thousands separator; years and dates as one blank.
    ("投资X,XXX万元", [("X,XXX", "amount", "万元")]),
    ("投资x,xxx.xx万元", [("x,xxx.xx", "amount", "万元")]),
    ("二〇XX年工作安排", [("二〇XX", "year", "年")]),
    ("二〇二X年", [("二〇二X", "year", "年")]),
    ("20xx-xx-xx召开", [("20xx-xx-xx", "date", "")]),
    ("XXXX/XX/XX召开", [("XXXX/XX/XX", "date", "")]),
    # A range is two blanks of the unit after the second.
    ("预计x-x月完成", [("x", "month", "月"), ("x", "month", "月")]),
    ("投资x至x万元", [("x", "amount", "万元"), ("x", "amount", "万元")]),
    ("增长x～x%", [("x", "percent", "%"), ("x", "percent", "%")]),
    # Latin units, and 万 before a unit of things.
    ("新修道路xkm。", [("x", "quantity", "km")]),
    ("新修道路x km。", [("x", "quantity", "km")]),
    ("新建厂房xx万平方米", [("xx", "quantity", "万平方米")]),
    ("出栏生猪x万头", [("x", "quantity", "万头")]),
    ("发放贷款x笔", [("x", "count", "笔")]),
    ("第x季度", [("x", "count", "季度")]),
    ("完成x季度目标", [("x", "count", "季度")]),
    ("新建村级活动场所（x）个", [("x", "count", "个")]),
    ("完成**万元，签约**个。", [("**", "amount", "万元"), ("**", "count", "个")]),
], ids=["x", "X", "xx", "XXX", "×", "××", "*", "**", "＊", "○○", "〇〇", "X.X", "XX.XX", "20XX年",
        "201x年", "X月X日", "count-units", "amount-units", "quantity-units", "月底", "name-units", "等村",
        "x余", "增长", "率", "占", "近x年", "GDPx", "同志", "○月○日",
        "ＸＸ镇", "ｘｘ万元", "ｘ%", "Ｘ.Ｘ", "Ｘ．Ｘ", "２０ＸＸ年", "ＧＤＰｘ", "X,XXX", "x,xxx.xx", "二〇XX年",
        "二〇二X年", "20xx-xx-xx", "XXXX/XX/XX", "x-x月", "x至x万元", "x～x%", "xkm", "x-km", "xx万平方米",
        "x万头", "x笔", "第x季度", "x季度", "（x）个", "**-blanks-mid-sentence"])
def test_convention(text, expected):
    assert [(ph.token, ph.kind, ph.unit) for ph in find_placeholders(text)] == expected


def test_approximate_figure_is_marked():
    first, second = find_placeholders("完成高标准农田x余亩，水稻x亩。")
    assert (first.approx, second.approx) == (True, False)


@pytest.mark.parametrize("text, places, thousands", [
    ("完成投资XX.XX亿元。", 2, False),
    ("完成投资Ｘ．Ｘ亿元。", 1, False),
    ("投资X,XXX万元", None, True),
    ("投资X,XXX.X万元", 1, True),
], ids=["XX.XX", "Ｘ．Ｘ", "X,XXX", "X,XXX.X"])
def test_figure_shape(text, places, thousands):
    (ph,) = find_placeholders(text)
    assert (ph.places, ph.thousands) == (places, thousands)


def test_range_ends_share_their_words():
    first, second = find_placeholders("项目预计x-x月开工。")
    assert (first.part, second.part) == ("from", "to")
    assert (first.before, first.after) == (second.before, second.after) == ("项目预计", "开工")


@pytest.mark.parametrize("line, shown", [
    ("二、20XX年工作安排", "二、20…年工作安排"),
    ("XX镇201x年政府工作报告", "…镇201…年政府工作报告"),
    ("二〇XX年", "二〇…年"),
    ("签约新项目x个", "签约新项目…个"),
], ids=["20XX", "XX-201x", "二〇XX", "x"])
def test_mask_blanks_keeps_the_figures_of_a_year(line, shown):
    assert mask_blanks(line) == shown


def test_decimal_point_does_not_split_a_blank():
    (ph,) = find_placeholders("完成投资XX.XX亿元。")
    assert ph.token == "XX.XX" and ph.span == (4, 9)


def test_nothing_around_a_blank_is_a_guess():
    (guess,) = find_placeholders("报告人：×××")
    (sure,) = find_placeholders("利用x便利的交通区位")
    assert (guess.sure, sure.sure) == (False, True)


def test_corpus_has_no_missed_and_no_false_blanks():
    text, expected = marked((CORPUS / "conventions.txt").read_text(encoding="utf-8"))
    found = [(ph.span[0], ph.token, ph.kind) for ph in find_placeholders(text)]
    assert found == expected
    assert len(expected) >= 50


def _traps() -> list[tuple[str, str]]:
    rows = (CORPUS / "traps.txt").read_text(encoding="utf-8").splitlines()
    return [tuple(row.split("\t", 1)) for row in rows if row and not row.startswith("#")]  # type: ignore[misc]


@pytest.mark.parametrize("name, text", _traps(), ids=[name for name, _ in _traps()])
def test_trap_is_not_a_blank(name, text):
    assert find_placeholders(text) == ()
    # Next to a real blank, the trap still stays text and the blank is still found.
    assert [ph.token for ph in find_placeholders(text + "签约新项目x个。")] == ["x"]


def test_bundled_template_text_has_no_blank_left(template):
    masked = re.sub(r"\{\{.*?\}\}", "□", template.source)
    assert find_placeholders(masked) == ()
