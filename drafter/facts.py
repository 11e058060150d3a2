"""Which blanks of a report hold the same fact, and the facts every report has: who reports, and when. Pure.

Two blanks are one variable only when they say the same thing: the same words naming the figure
(招商签约任务, not just 增长), its subject included, the same unit, in the same section, and no
year that tells them apart (2019年完成投资x万元 and 2020年完成投资x万元 are two facts). Dates,
people and names of places other than the reporting body are never merged. The reporting body
(x镇 in a report of a 镇) and the reporting year (2024年是…之年, written out) are one variable each.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .placeholders import CLAUSE_MARKS, Placeholder

INFO_GROUP = "基本信息"
INFO_LABEL = "基本信息（报告单位的名称、报告年份）"
# The kinds of body a report speaks for, by how it calls itself: 全镇、我镇、本镇、镇党委.
BODY_UNITS = ("镇", "乡", "街道", "县", "区", "市", "村", "社区")
_SELF = {unit: re.compile(rf"(?:全|我|本){unit}|{unit}(?:党委|政府|人民政府|人大|党工委|办事处)")
         for unit in BODY_UNITS}
_TITLE_BODY = re.compile(r"[^\n，。；]{0,6}?[xXｘＸ×*＊○〇]+(?P<unit>" + "|".join(BODY_UNITS) +
                         r")(?:人民政府|政府|党委|党工委|办事处|统计局|人大)?[^\n，。；]{0,24}"
                         r"(?:报告|总结|公报|讲话|计划|要点)")
# A name followed by one of these names that thing (XX大桥建成通车), not the reporting body.
_FACILITY = re.compile(r"[“”\"]?(?:大桥|桥|路|街|大道|高速|铁路|机场|港|码头|产业园|工业园|科技园|园区|"
                       r"公园|园|公司|集团|项目|中心|基地|小区|广场|学校|小学|中学|大学|学院|医院|卫生院|工程|"
                       r"厂|站|馆|景区|水库|电站|合作社|协会|银行|酒店|商场|市场|超市|村|社区|街道|组|同志|牌|号)")
BODY_MIN = 2  # how often a report must call itself so before its kind is taken as known
# A year written out at the start of a clause or heading: 2024年是…, 一、2024年工作回顾.
_YEAR_AT_START = re.compile(r"(?:^|(?<=[" + re.escape(CLAUSE_MARKS) + r"——、]))\s*((?:19|20)\d\d)年(?!代)",
                            re.MULTILINE)
_LITERAL_YEAR = r"(?<![\d０-９.．])({year})(?=年(?!代))"
_YEARS_IN = re.compile(r"(?<![\d０-９])(?:19|20)\d\d(?=年)|[上去今明本]年|(?:19|20)[\dxX×*＊]{2}(?=年)")


class Body(NamedTuple):
    """The reporting body: its kind (镇) when the report speaks for one."""

    unit: str

    @property
    def name(self) -> str:
        """Return the variable name of the body's name: 镇名."""
        return f"{self.unit}名"


def body_label(body: Body) -> str:
    """Return the label of the variable holding the reporting body's name."""
    return f"本{body.unit}的名称（报告单位，不含“{body.unit}”字）"


def reporting_body(reading: str) -> Body | None:
    """Return the kind of body Simplified report text `reading` speaks for, or None when unclear.

    A title naming it (XX镇2024年政府工作报告) says so at once; else how the report calls itself.
    """
    title = _TITLE_BODY.match(reading)
    if title:
        return Body(title.group("unit"))
    counts = {unit: len(pattern.findall(reading)) for unit, pattern in _SELF.items()}
    unit = max(BODY_UNITS, key=lambda u: (counts[u], -BODY_UNITS.index(u)))
    return Body(unit) if counts[unit] >= BODY_MIN else None


def is_body(ph: Placeholder, body: Body | None, *, person: bool) -> bool:
    """Return True when blank `ph` holds the reporting body's name: x镇 in a 镇 report, or a name
    blank with no unit there (打响x品牌, 也是x创新发展的一年), which the clerk is told to check."""
    if body is None or person or ph.kind != "name":
        return False
    # A blank that nothing explains (接待群众x。) is a guess, not the body's name.
    return ph.unit == body.unit or (not ph.unit and ph.basis == "after" and not names_a_thing(ph))


def names_a_thing(ph: Placeholder) -> bool:
    """Return True for a name blank followed by the thing it names: XX大桥, XX产业园, XX公司."""
    return bool(_FACILITY.match(ph.after))


def reporting_year(reading: str) -> tuple[str, list[tuple[int, int]]] | None:
    """Return the reporting year written out in `reading` (2024年是…) and the spans of its figures.

    It is the latest year that starts a clause or a heading; every place that year is written
    (2024年底, 2024年12月) is the same year.
    """
    starts = [m.group(1) for m in _YEAR_AT_START.finditer(reading)]
    if not starts:
        return None
    year = max(starts)
    spans = [m.span(1) for m in re.finditer(_LITERAL_YEAR.format(year=year), reading)]
    return year, spans


class Facts:
    """The variables proposed so far, by fact: finds the variable a blank shares with earlier ones."""

    def __init__(self) -> None:
        self._seen: dict[tuple[object, ...], list[tuple[frozenset[str], tuple[object, ...]]]] = {}

    def key(self, ph: Placeholder, section: int, stem: str) -> tuple[object, ...]:
        """Return the merge key of blank `ph`: the same key as an earlier blank of the same fact.

        `stem` names the figure; "" when its words do not say what it is, and it is never merged.
        """
        if not stem or ph.kind in ("year", "month", "day", "date", "name", "list"):
            return ("alone", ph.span)
        base = ("stem", section, ph.kind, ph.unit, stem, ph.token, ph.part)
        words = ph.lead + ph.before
        # A blank year is a year of its own, told by where it is: 200*年 and 201*年 differ, as may two 20**年.
        where = ph.span[0] - len(words)
        years = frozenset(m.group() if m.group().isdigit() or not m.group()[0].isdigit()
                          else f"{m.group()}@{where + m.start()}" for m in _YEARS_IN.finditer(words))
        entries = self._seen.setdefault(base, [])
        for number, (seen, key) in enumerate(entries):
            if seen == years or not seen or not years:
                entries[number] = (seen | years, key)
                return key
        key = (*base, len(entries))
        entries.append((years, key))
        return key
