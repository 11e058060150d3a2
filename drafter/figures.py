"""Finished report text → figures: each number, date and count it states, as a typed place. Pure.

A report without blank marks is read as a finished one (last year's report): every Arabic figure
(12个, 3.2亿元, 98.5%, 1,200万元, １２个, 3-5个, 2024年12月20日) and every count in Chinese numerals
tied to a measure word (第十八届, 第四次, 三个) becomes a `Figure`: a `Placeholder` as a blank in
its place would be, plus the value a clerk would type (1200, 3.2, 2024-12-20, 18) and how the schema
must print it back (places, thousands, Chinese numerals, full width). Proper names given by the
caller (艾城, 刘志强) become figures too, each name one variable wherever it stands (`names`).

Kinds, units and the words around a figure are read by `placeholders`, on a copy of the report in
which each figure is masked as a blank of the same shape (3.2 → x.x), so a finished report and a
redacted one are read by the same rules. Figures that belong to names and fixed phrases stay text:
see `kept_as_text`. A figure the schema could not print back exactly as written (a leading zero,
2024-03-05, mixed widths) becomes a text variable, so the template always renders the report back.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from bisect import bisect_right
from decimal import Decimal
from itertools import accumulate
from typing import NamedTuple

from .convert import BadValue, from_chinese, parse_value
from .placeholders import UNITS, LineMarks, Placeholder, context_of, find_placeholders
from .schema import DEFAULT_LIMITS, Variable

_HALF, _FULL = "[0-9]", "[０-９]"
_DIGIT = "[0-9０-９]"
_SEPARATOR = re.compile("[,，]")
_THOUSANDS_KINDS = ("count", "amount", "quantity", "percent")
# 1,200 (half-width), １，２００ (full-width, either comma), 36500, 3.2, ３．２
_NUMBER = re.compile(rf"(?:{_HALF}{{1,3}}(?:,{_HALF}{{3}})+|{_FULL}{{1,3}}(?:[,，]{_FULL}{{3}})+|{_DIGIT}+)"
                     rf"(?!{_DIGIT})(?:[.．]{_DIGIT}+)?")
_DATE = re.compile(rf"(?<!{_DIGIT})({_DIGIT}{{4}})年({_DIGIT}{{1,2}})月({_DIGIT}{{1,2}})日")
# 2024-03-05, 2024/3/5, 2024.3.5: one date, though the schema prints dates as 2024年3月5日 only.
_NUMERIC_DATE = re.compile(rf"(?<![0-9０-９.．])({_DIGIT}{{4}})([-/.．－])({_DIGIT}{{1,2}})\2"
                           rf"({_DIGIT}{{1,2}})(?![0-9０-９]|[.．][0-9])")
_NUMERALS = "零〇一二三四五六七八九十百千"
# The units a count in Chinese numerals may stand before: measure words (届 次 个 …), and money and
# measures (三千万元, 五亩), but not 万 or 亿 alone (十万火急).
_CHINESE_UNITS = "|".join(re.escape(u) for u in sorted(
    (u for kind in ("count", "amount", "quantity") for u in UNITS[kind]
     if not u.isascii() and u not in ("万", "亿")), key=len, reverse=True))
# 十八, 四, 三 before such a unit, possibly with 余 or 多 between (十余个); not 几十个, 数十个, nor
# the decimals of 零点五倍.
_CHINESE = re.compile(rf"(?<![{_NUMERALS}两万亿几数若点])两?[{_NUMERALS}]*(?<=[{_NUMERALS}两])"
                      rf"(?=[余多]?(?:{_CHINESE_UNITS}))")
# 二〇二四年十二月二十日, 十二月二十日, 二〇二四(年): dates in Chinese numerals, kept as typed (text).
_CN_YEAR = "[一二][〇○零][〇○零一二三四五六七八九]{2}"
_CN_DAY = "[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日"
_CHINESE_DATE = re.compile(rf"(?<![零〇○一二三四五六七八九十])"
                           rf"(?:{_CN_YEAR}年{_CN_DAY}|{_CN_DAY}|{_CN_YEAR}(?=年))")

# Names and slogans: whatever stands in quotation marks or book-title marks is text.
_QUOTED = re.compile(r"“[^“”\n]{1,30}”|‘[^‘’\n]{1,30}’|「[^「」\n]{1,30}」|『[^『』\n]{1,30}』"
                     r"|《[^《》\n]{1,60}》|\"[^\"\n]{1,30}\"|〔[^〔〕\n]{1,12}〕|\[[^\[\]\n]{1,12}\]")
# Fixed phrases that hold a count and a measure word but count nothing one can change.
FIXED_PHRASES = ("八项规定", "三个代表", "四个意识", "四个自信", "四个全面", "三个务必", "四个不摘",
                 "三位一体", "五位一体", "三次产业", "千家万户", "三番五次", "十个明确", "十四个坚持",
                 "五个必由之路", "六个必须坚持", "十个坚持", "九个坚持", "三个区分开来", "五个振兴",
                 "四个服务", "三个转变", "十四五", "十三五", "十五五", "一二三产业", "两张皮", "两个维护",
                 "两个确立", "两个务必", "两个一百年", "两条腿走路", "两个责任", "两个根本")
# The national congress and plenums: 党的二十届三中全会, 十四届全国人大二次会议.
_CONGRESS_AFTER = re.compile(r"[一二三四五六七八九十]+中全会|全国人大|全国政协|中央委员会|中央纪委"
                             r"|全国人民代表大会")
_PHASE = re.compile(r"期(?:工程|项目|建设|改造|扩建)")
_CONGRESS_BEFORE = ("党的", "全国人大", "全国政协", "中共", "中央")
# 1. / 2、/ 3） opening a line or a sentence, （1） anywhere: the numbering of a heading or a list.
_NUMBERING_AFTER = re.compile(rf"[.．、)）](?!{_DIGIT})")
_SENTENCE_OPENERS = " \t\u3000;；。:：!！?？*#"
_HOTLINE = re.compile(r"[^\s，。；、：:,.;（）()]{0,8}?(?:热线|专线|报警|急救|火警|服务电话)")
_HOTLINE_BEFORE = re.compile(r"(?:热线|电话|专线|拨打|号码|传真|邮编|手机)[：:\s]*$")
_LATIN_UNITS = tuple(sorted((u for u in UNITS["quantity"] if u.isascii()), key=len, reverse=True))
_CODE_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789０１２３４５６７８９.-_/")
_MIDDLE_DOTS = "·•・‧∙"
_AROUND = 24  # how many characters either side of a figure the rules look at
# What may follow a figure as its unit: the units blanks know, and 万 亿 元 年 月 日 % on their own.
_FIGURE_UNITS = (*(u for units in UNITS.values() for u in units),
                 "%", "％", "万", "亿", "元", "年", "月", "日")
# After a figure, these make it part of a name: 桥头村5组, 7栋, 2队, 105国道.
_NAME_NUMBERS = (*UNITS["name"], "栋", "单元", "室", "楼", "队", "路", "街", "巷", "弄",
                 "国道", "省道", "县道", "线")


class Figure(NamedTuple):
    """One figure of a finished report (or one place a given name stands) and its typed value."""

    placeholder: Placeholder   # where it is and what it is, as a blank there would be; token = the text
    value: str                 # what a clerk types for it: 1200, 3.2, 2024-12-20, 18, 艾城
    chinese: bool = False      # printed in Chinese numerals (第十八届)
    liang: bool = False        # and a leading 二 as 两 (两个)
    fullwidth: bool = False    # printed full-width (１２个)
    places: int | None = None
    thousands: bool = False
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    note: str = ""             # what the clerk should check, or ""
    given: str = ""            # for a given name: the variable's name (镇名, 姓名, 名称); else ""
    label: str = ""            # for a given name: its label

    @property
    def merge(self) -> tuple[str, str] | None:
        """Return what makes other places the same variable as this one, or None to name it by its words.

        A given name is one variable wherever it stands; so is a year (2024年 is this year in
        every section), so that the clerk changes it once.
        """
        if self.given:
            return ("given", self.value)
        if self.placeholder.kind == "year":  # as written: ２０２４年 prints otherwise than 2024年
            return ("year", self.placeholder.token)
        return None

    def typed(self, variable: Variable) -> Variable:
        """Return `variable` with the printing and limits this figure needs to be printed back."""
        return dataclasses.replace(variable, chinese=self.chinese, liang=self.liang, fullwidth=self.fullwidth,
                                   places=self.places, thousands=self.thousands, min=self.minimum,
                                   max=self.maximum)


class _Candidate(NamedTuple):
    start: int
    end: int
    masks: tuple[tuple[int, int], ...]   # the digit runs to mask as blanks
    shape: str                           # number, date, numeric-date, chinese, chinese-date


def find_figures(text: str, *, names: tuple[str, ...] = ()) -> tuple[Figure, ...]:
    """Return every figure of finished report `text` that is not part of a name or fixed phrase.

    The words that name a figure stop at any of `names` (given proper names), so that no key
    holds last year's name: 在艾城镇第十八届 names 届 by 镇第, not by 在艾城镇第.
    """
    lines = ReportLines(text)
    candidates: list[tuple[int, _Candidate]] = []
    for number, line in enumerate(lines.lines, start=1):
        candidates += [(number, c) for c in _line_candidates(line, lines.offsets[number - 1])]
    masked = list(text)
    for _, candidate in candidates:
        for start, end in candidate.masks:
            for position in range(start, end):
                char = text[position]
                masked[position] = "," if char in ",，" else "." if char in ".．" else \
                    "x" if char.isdigit() or char in _NUMERALS or char == "两" else char
    found = find_placeholders("".join(masked))
    figures = []
    index = 0
    for number, candidate in candidates:
        while index < len(found) and found[index].span[0] < candidate.start:
            index += 1
        parts = []
        while index < len(found) and found[index].span[1] <= candidate.end:
            parts.append(found[index])
            index += 1
        figure = _figure(text, lines, number, candidate, parts)
        ph = figure.placeholder
        figures.append(figure._replace(placeholder=ph._replace(before=_after_names(ph.before, names),
                                                               after=_before_names(ph.after, names))))
    return tuple(figures)


class ReportLines:
    """The lines of a text, where each starts, and their LineMarks, made once per line when asked."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.offsets = [0, *accumulate(len(line) + 1 for line in self.lines)][:-1]
        self._marks: dict[int, LineMarks] = {}

    def number(self, position: int) -> int:
        """Return the 1-based number of the line holding `position`."""
        return bisect_right(self.offsets, position)

    def context(self, number: int, start: int, end: int) -> str:
        """Return the sentence around text[start:end] (on line `number`), the place shown as 【】."""
        if number not in self._marks:  # a long line is scanned once, not once per figure on it
            self._marks[number] = LineMarks(self.lines[number - 1])
        offset = self.offsets[number - 1]
        return context_of(self.lines[number - 1], start - offset, end - offset, self._marks[number])


def _after_names(words: str, names: tuple[str, ...]) -> str:
    cut = max((words.rfind(name) + len(name) for name in names if name in words), default=0)
    return words[cut:]


def _before_names(words: str, names: tuple[str, ...]) -> str:
    return words[:min((words.find(name) for name in names if name in words), default=len(words))]


def _line_candidates(line: str, offset: int) -> list[_Candidate]:
    quoted = [m.span() for m in _QUOTED.finditer(line)]
    fixed = [(m.start(), m.start() + len(p)) for p in FIXED_PHRASES if p in line
             for m in re.finditer(re.escape(p), line)]
    raw: list[_Candidate] = []
    for match in _DATE.finditer(line):
        raw.append(_Candidate(match.start(), match.end(), tuple(match.span(g) for g in (1, 2, 3)), "date"))
    for match in _NUMERIC_DATE.finditer(line):
        raw.append(_Candidate(match.start(), match.end(), ((match.start(), match.end()),), "numeric-date"))
    for match in _NUMBER.finditer(line):
        raw.append(_Candidate(match.start(), match.end(), (match.span(),), "number"))
    for match in _CHINESE_DATE.finditer(line):
        raw.append(_Candidate(match.start(), match.end(), (match.span(),), "chinese-date"))
    for match in _CHINESE.finditer(line):
        raw.append(_Candidate(match.start(), match.end(), (match.span(),), "chinese"))
    # Whatever a quoted name or a fixed phrase holds: spans by start, and the furthest end so far.
    protected = sorted(quoted + fixed)
    starts = [start for start, _ in protected]
    reach = list(accumulate((end for _, end in protected), max))
    kept: list[_Candidate] = []
    taken_until = -1
    # A date first, then what starts first: the parts of 2024年12月20日 are not figures of their own.
    for candidate in sorted(raw, key=lambda c: (c.start, "date" not in c.shape)):
        if candidate.start < taken_until:
            continue
        last = bisect_right(starts, candidate.start) - 1
        inside = last >= 0 and reach[last] >= candidate.end
        if inside or kept_as_text(line, candidate.start, candidate.end, candidate.shape):
            continue
        kept.append(candidate)
        taken_until = candidate.end
    return [c._replace(start=c.start + offset, end=c.end + offset,
                       masks=tuple((s + offset, e + offset) for s, e in c.masks)) for c in kept]


def kept_as_text(line: str, start: int, end: int, shape: str = "number") -> str:
    """Return why the figure at `line[start:end]` belongs to a name or fixed phrase, or "" if it does not.

    `shape` is "number" for Arabic figures, "chinese" for Chinese numerals, or a kind of date.
    Quotation and book-title marks and the FIXED_PHRASES are checked by the caller.
    """
    # Only the few characters around it matter; a long line must not be copied once per figure.
    before, after = line[max(0, start - _AROUND):start], line[end:end + _AROUND]
    if shape == "chinese":
        token = line[start:end]
        if token == "一" and not before.endswith("第"):
            return "一个、一批：一 是量词前的“一”，不是数"  # 一批项目, 一个项目一个项目抓
        if _chinese_value(token) is None:
            return "不是规范的汉字数字"  # 十四五
        if before.endswith(_CONGRESS_BEFORE) or _CONGRESS_AFTER.match(after, 1):
            return "党的代表大会、全会和全国人大的届次"
        if _PHASE.match(after):
            return "工程、项目的期数（二期项目）"
        return ""
    if shape != "number":
        return ""
    if re.match(rf"[.．]{_DIGIT}", after) or re.search(rf"{_DIGIT}[.．]$", before):
        return "版本号、条款号（1.2.3）"
    if _in_code(line, start, end):
        return "字母和数字组成的名称或代码（5G、PM2.5、COVID-19）"
    if _NUMBERING_AFTER.match(after) and (not before.strip() or before.rstrip()[-1] in _SENTENCE_OPENERS
                                          or before.lstrip("*#").strip() == ""):
        return "标题或条目的序号（1. 2、 3）"
    if before.endswith(("（", "(")) and after.startswith(("）", ")")) and not _unit_follows(after[1:]):
        return "标题或条目的序号（（1））"
    if (before[-1:] and before[-1] in _MIDDLE_DOTS and before[-2:-1].isdigit()) or \
            (after[:1] and after[0] in _MIDDLE_DOTS and after[1:2].isdigit()):
        return "节日、纪念日（3·15）"
    if (before[-1:] in (":", "：") and before[-2:-1].isdigit()) or \
            (after[:1] in (":", "：") and after[1:2].isdigit()):
        return "时刻、比例（10:30）"
    if not _unit_follows(after):
        if _HOTLINE.match(after) or _HOTLINE_BEFORE.search(before):
            return "热线、电话号码（12345热线）"
        digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", line[start:end]))
        # 0791-86123456; but 2023-2025年 is a range, its unit after the second figure.
        joined = re.match(rf"[-－]{_DIGIT}{{3,}}", after)
        if len(digits) >= 7 or (joined and not _unit_follows(after[joined.end():])) or \
                (before[-1:] in ("-", "－") and re.search(rf"{_DIGIT}{{3,}}[-－]$", before)):
            return "电话号码、编号"
        if after.startswith("号") and not re.search(rf"{_DIGIT}月$", before):
            return "文号、门牌、楼号（1号文件、3号楼）"
    if after.startswith(_NAME_NUMBERS):
        return "地名、单位名里的编号（桥头村5组、3号楼、2队）"
    return ""


def _unit_follows(after: str) -> bool:
    return after.lstrip(" \u3000余多").startswith(_FIGURE_UNITS)


def _in_code(line: str, start: int, end: int) -> bool:
    """Return True when letters make the figure part of a word or code: 5G, PM2.5, GB/T 9704-2012."""
    right = end
    after = line[end:end + _AROUND].lstrip(" ")
    if after.startswith(_LATIN_UNITS) and not after[len(next(u for u in _LATIN_UNITS
                                                              if after.startswith(u))):][:1].isalpha():
        return False  # 5 km, 30kW: a figure and its unit
    while right < len(line) and line[right] in _CODE_CHARS:
        if line[right].isalpha():
            return True
        right += 1
    left = start - 1
    # One space may stand between letters and the figure: GB/T 9704, iPhone 15.
    while left >= 0 and (line[left] in _CODE_CHARS or (
            line[left] == " " and left > 0 and line[left - 1].isascii() and line[left - 1].isalpha())):
        if line[left].isalpha():
            return True
        left -= 1
    return False


def _chinese_value(token: str) -> int | None:
    """Return the number `token` (十八, 一百零五) writes, when it is written the standard way."""
    liang = token.startswith("两")
    if liang:
        token = "二" + token[1:]
    number = from_chinese(token)
    if number is None:
        return None  # 十四五
    probe = Variable(key="报告.数", type="count", label="", chinese=True)
    try:
        printed = parse_value(probe, str(number))[1]
    except BadValue:
        return None
    # 二三 reads as 23 but would be printed 二十三: figures in a row are a name, not a number.
    return number if printed == token and number > 0 and not (liang and token.startswith("二十")) else None


def _figure(text: str, lines: ReportLines, number: int, candidate: _Candidate,
            parts: list[Placeholder]) -> Figure:
    """Return the figure of `candidate`, typed from the placeholders read on the masked report."""
    token = text[candidate.start:candidate.end]
    line, line_start = lines.lines[number - 1], lines.offsets[number - 1]
    context = lines.context(number, candidate.start, candidate.end)
    if parts:
        first, last = parts[0], parts[-1]
        ph = first._replace(token=token, span=(candidate.start, candidate.end), context=context,
                            after=last.after)
    else:  # masking did not make a blank of it (should not happen): read it as a bare figure
        ph = Placeholder(token=token, span=(candidate.start, candidate.end), line=number, kind="count",
                         unit="", approx=False, context=context, before="", after="", chained=False,
                         basis="token")
    plain = unicodedata.normalize("NFKC", token).replace(",", "")
    fullwidth = any("０" <= c <= "９" for c in token)
    if candidate.shape == "chinese-date":  # 年 after 二〇二四 is its unit; a whole date has none
        return _as_text(ph._replace(unit="" if token.endswith("日") else ph.unit), "汉字写的年份或日期")
    if candidate.shape == "numeric-date":
        return _as_text(ph, "日期写法不是“2024年12月20日”")
    if candidate.shape == "date":
        year, month, day = (int(unicodedata.normalize("NFKC", text[s:e])) for s, e in candidate.masks)
        return _checked(Figure(ph._replace(kind="date", unit="", basis="token"),
                               f"{year}-{month:02d}-{day:02d}", fullwidth=fullwidth))
    if candidate.shape == "chinese":
        value = _chinese_value(token) or 0
        return _checked(Figure(ph._replace(kind="count", basis="unit"), str(value), chinese=True,
                               liang=token.startswith("两"), minimum=Decimal(0)))
    kind, note = ph.kind, ""
    decimal = "." in plain
    if kind in ("name", "list", "text") or not ph.unit and kind not in ("percent", "count", "quantity"):
        kind = "quantity" if decimal else "count"
        column = candidate.start - line_start
        if re.fullmatch(rf"{_DIGIT}月", line[max(0, column - 2):column]) and \
                line.startswith("号", candidate.end - line_start):
            kind = "day"  # 12月5号
        else:
            note = "数字后面没有单位，请核对类型"
    elif kind == "year" and (decimal or len(plain) != 4 or not 1900 <= int(plain) <= 2100):
        kind = "count"  # 3年, 500年
    elif kind == "month" and (decimal or not 1 <= int(plain) <= 12):
        kind = "count"
    elif kind == "day" and (decimal or not 1 <= int(plain) <= 31
                            or line.startswith(("内", "以内", "之内"), candidate.end - line_start + 1)):
        kind = "count"
    if kind in ("count", "year", "month", "day") and decimal:
        kind = "quantity"
    low, high = DEFAULT_LIMITS.get(kind, (None, None))
    if kind == "percent" and Decimal(plain) > 100:  # 增长150%: room for ten times as much
        high = 10 ** (len(plain.split(".")[0]) + 1)
    places = len(plain.split(".")[1]) if decimal and kind in ("amount", "quantity", "percent") else None
    return _checked(Figure(
        ph._replace(kind=kind, basis="unit" if not note else "token"), plain, fullwidth=fullwidth,
        places=places, thousands=bool(_SEPARATOR.search(token)) and kind in _THOUSANDS_KINDS,
        minimum=None if low is None else Decimal(low), maximum=None if high is None else Decimal(high),
        note=note))


def _checked(figure: Figure) -> Figure:
    """Return `figure`, or the same place as a text variable when its type cannot print it back."""
    ph = figure.placeholder
    probe = figure.typed(Variable(key="报告.数", type=ph.kind, label="", unit=ph.unit))
    try:
        printed = parse_value(probe, figure.value)[1]
    except BadValue:
        printed = None
    if printed == ph.token:
        return figure
    return _as_text(ph, f"按“{ph.kind}”类型打印不出原样“{ph.token}”")


def _as_text(ph: Placeholder, why: str) -> Figure:
    return Figure(ph._replace(kind="text", basis="token"), ph.token, note=f"{why}，已设为文字变量，原样填写")
