"""Report text → placeholders: every blank left where a figure or a name was redacted. Pure.

A blank is a run of `x X ｘ Ｘ × * ＊ ○ 〇` standing alone between Chinese words (`x`, `XX`, `ＸＸ`,
`××`, `○○`), possibly split by a decimal point (`XX.XX`, `Ｘ．Ｘ`) or a thousands separator
(`X,XXX`), finishing a year (`20XX`, `201x`, `二〇XX`) or making a date (`20xx-xx-xx`). Latin words
and codes (GDP, Excel, x86, X-ray, PM2.5, a web address), products (`3×4`), Chinese numerals
(`二〇二四`), bullets (`* `), Markdown bold (`**一、工作回顾**`) and footnote marks (`*表示预计数`)
are text. The kind of each blank is read from its neighbours: the unit after it first (`x km`,
`x万平方米`, `（x）个`, and for the first blank of a range `x-x月` the unit after the second), then
the words before it, then what kind of text follows.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from typing import NamedTuple

from . import chinese

# Units written after a blank, by the schema type they imply.
UNITS: dict[str, tuple[str, ...]] = {
    "count": ("个", "座", "条", "人", "户", "人次", "起", "件", "批", "套", "位", "家", "所", "届", "次",
              "名", "项", "处", "台", "辆", "场", "篇", "份", "栋", "间", "只", "头", "张", "本", "天",
              "个月", "周", "轮", "例", "宗", "株", "棵", "盏", "支", "期", "类", "笔", "季度", "册", "块",
              "口", "枚", "片", "眼", "根", "艘", "部", "首", "门", "层", "场次", "批次", "架次", "班次"),
    "amount": ("万元", "亿元", "元", "万", "亿", "千元", "百万元", "千万元", "万亿元", "万美元", "亿美元",
               "千万美元", "美元", "欧元", "港元"),
    "quantity": ("亩", "万亩", "公里", "平方公里", "平方米", "立方米", "米", "千米", "吨", "万吨",
                 "公顷", "公斤", "千克", "斤", "千瓦", "万千瓦", "千瓦时", "个百分点", "倍", "万人",
                 "万人次", "万户",
                 # Latin units, written right after the blank or after a space: x km, xkm.
                 "km", "km²", "km2", "m", "m²", "m2", "m³", "m3", "kg", "t", "kW", "kWh", "MW", "MWh",
                 "ha", "㎡", "㎥", "㎞", "㎏"),
    "percent": ("%", "％"),
    "year": ("年", "年度"),
    "month": ("月",),
    "day": ("日",),
    "name": ("村", "镇", "乡", "组", "公司", "胶业", "项目", "县", "区", "市", "社区", "街道", "集团",
             "企业", "合作社", "学校", "小学", "中学", "医院", "工程", "同志", "村委会", "村民小组",
             "园区", "厂"),
}
UNIT_KIND = {unit: kind for kind, units in UNITS.items() for unit in units}
# What separates clauses: the words of a clause name the blank in it.
CLAUSE_MARKS = "，,、；;。：:！!？?（）()【】…|｜\n"  # | and ｜ part the cells of a table row
SENTENCE_MARKS = "。！？!?；;\n"
_CLAUSE_MARK = re.compile("[" + re.escape(CLAUSE_MARKS) + "]")
_SENTENCE_MARK = re.compile("[" + re.escape(SENTENCE_MARKS) + "]")
CONTEXT_CHARS = 60
SCAN_CHARS = 200  # how far to look for the start or end of a clause or sentence

# Letters that stand for a digit: half- and full-width x and X.
_X = "xXｘＸ"
# Any blank letter may finish a year: 20XX, 201x, ２０ＸＸ, 200*, 20**; 二〇XX, 二〇二X, 二00*.
_YEAR_LETTERS = f"{_X}×*＊"
_YEAR_TOKEN = (rf"(?:19|20|１９|２０)(?:[\d０-９][{_YEAR_LETTERS}]|[{_YEAR_LETTERS}]{{2}})"
               rf"|[一二][〇○零0０](?:[〇○零一二三四五六七八九0-9０-９][{_YEAR_LETTERS}]|[{_YEAR_LETTERS}]{{2}})")
_DATE_TOKEN = (rf"(?:(?:19|20)(?:\d[{_X}]|[{_X}]{{2}})|[{_X}]{{4}})"        # 20xx-xx-xx, XXXX/XX/XX
               rf"(?P<sep>[-/.])[{_X}]{{1,2}}(?P=sep)[{_X}]{{1,2}}")


def _run(letters: str) -> str:
    # A figure with thousands separators (X,XXX) is one blank, as is one with a decimal point.
    return (rf"{letters}{{1,3}}(?:,{letters}{{3}})+(?!{letters})(?:[.．]{letters}+)?"
            rf"|{letters}+(?:[.．]{letters}+)?")


_BLANK = re.compile(
    rf"(?P<date>{_DATE_TOKEN})(?![{_X}\d])"
    rf"|(?P<year>{_YEAR_TOKEN})(?![{_YEAR_LETTERS}])"
    rf"|{_run(f'[{_X}]')}|{_run('×')}|{_run('[*＊]')}|[○〇]+")
_YEAR = re.compile(_YEAR_TOKEN)
# A figure partly blanked out: x2.4, xx.37, xx615, x.8, 2x.5 (a letter and a digit, one point at most).
_MIXED = re.compile(r"(?<![A-Za-z0-9０-９ｘＸ.．,])(?=[0-9０-９.．]*[xXｘＸ])(?=[xXｘＸ.．]*[0-9０-９])"
                    r"[xXｘＸ0-9０-９]+(?:[.．][xXｘＸ0-9０-９]+)?(?![A-Za-z0-9０-９ｘＸ])")
_CODE = re.compile(r"[xXｘＸ][0-9０-９]+")
_PRODUCT = re.compile(r"[0-9０-９]+[xXｘＸ][0-9０-９]+")  # 3x4米: a size, not a blank
_DATE = re.compile(_DATE_TOKEN)
_DECIMAL_POINT = re.compile("[.．]")


def _unit_pattern(unit: str) -> str:
    # A Latin unit must end where its word ends: x m, not the m of "x mL".
    return re.escape(unit) + ("(?![A-Za-z0-9])" if unit[-1].isascii() and unit[-1].isalnum() else "")


_UNITS_LONGEST_FIRST = sorted(UNIT_KIND, key=len, reverse=True)
_UNIT = re.compile(
    r"[ \u3000]?(?P<approx>[余多])?(?P<etc>等)?(?P<unit>"
    + "|".join(_unit_pattern(u) for u in _UNITS_LONGEST_FIRST) + ")")
# After 万 or 亿, a unit of things counted or measured: x万平方米, x万头 (a quantity, not money).
_SCALED_UNIT = re.compile("|".join(_unit_pattern(u) for u in _UNITS_LONGEST_FIRST
                                   if UNIT_KIND[u] in ("count", "quantity") and not u.isascii()
                                   and not u.startswith(("万", "亿"))))
_LATIN_UNIT = re.compile("|".join(_unit_pattern(u) for u in _UNITS_LONGEST_FIRST if u.isascii()
                                  and u[0].isalpha()))
# Marks between the two ends of a range: x-x月, x至x万元.
RANGE_MARKS = ("-", "－", "~", "～", "〜", "—", "至", "到")
BRACKET_CHARS = 12  # a bracketed word inside a clause: 新增（市场）主体
BOLD_INDENT = 8    # Markdown bold opens a line: at most this much indent and # > - before it
BOLD_CHARS = 100   # and closes within this many characters
# What a footnote mark is followed by: *表示预计数.
_FOOTNOTE_WORDS = ("表示", "代表", "标注", "注明", "为预计", "为预估")
_HEADING_NUMBER = re.compile(r"[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[.．、]")
_APPROX = re.compile(r"[余多]")
_URL = re.compile(r"(?:https?://|ftp://|www\.)[\w\-./?%&=:#~+@]*|[\w.\-]+@[\w\-]+(?:\.[\w\-]+)+",
                  re.ASCII)
_PERCENT_WORDS = re.compile(r"(?:率|占比|占|比重|增长|下降|降低|提高|增幅|降幅)(?:达到|均达|达|为|约|了)?$")
# Words that make a bare 万 or 亿 money: 投资x万, 收入x亿.
_MONEY_WORDS = re.compile(r"元|资|金|款|收入|产值|税|费|贷|补贴|补助|总值|额|预算|支出|利润|营收|价|GDP|收益")
_BLANK_LETTERS = re.compile(f"[{_X}×*＊○〇]+")
_TIMES = ("year", "month", "day", "date")
_TIME_WORDS = "以来前后起底初末中旬"
_YEARS_COUNTED = re.compile(r"(?:近|连续|连|历时|用了|经过)$")
# Chinese numerals around a circle make it a zero (二〇二四年), not a blank.
_NUMERALS = "零一二三四五六七八九十"
# Letters used as names in Chinese words: X光, X射线, X型.
_LETTER_WORDS = ("光", "射线", "线", "型", "轴", "刀", "染色体")


class Placeholder(NamedTuple):
    """One blank of a report: where it is, what it holds, and the words around it."""

    token: str                # the blank as written: x, XX.XX, 20XX, ○○
    span: tuple[int, int]     # offsets of the token in the report text
    line: int                 # 1-based line (paragraph) number
    kind: str                 # a schema type: count, amount, ..., name, list
    unit: str                 # the unit written after it ("" if none)
    approx: bool              # the text says x余 or x多
    context: str              # its sentence, this blank shown as 【】
    before: str               # the words of its clause before it (back to an earlier blank)
    after: str                # the words of its clause after its unit
    chained: bool             # it follows another blank in its clause, or right after that one's 、
    basis: str                # what the kind was read from: unit, token, before, after, default
    part: str = ""            # "from"/"to" for the ends of a range (x-x月), "ratio1"… for x:x, else ""
    lead: str = ""            # the words of its sentence before its clause (where a subject may be)

    @property
    def sure(self) -> bool:
        """Return False when nothing around the blank told its kind and a default was used."""
        return self.basis != "default"

    @property
    def places(self) -> int | None:
        """Return the number of decimal places the token shows (XX.XX → 2), or None."""
        parts = _DECIMAL_POINT.split(self.token)
        return len(parts[-1]) if len(parts) > 1 else None

    @property
    def thousands(self) -> bool:
        """Return True when the token shows a thousands separator: X,XXX."""
        return "," in self.token


def find_placeholders(text: str, reading: str | None = None) -> tuple[Placeholder, ...]:
    """Return every blank of report `text`, in order.

    Traditional text is read as Simplified (萬元 is 万元, 個 is 个): the words and unit of each
    placeholder are Simplified, its token and context as written. `reading` is
    `chinese.to_simplified(text)`, when the caller has it.
    """
    reading = chinese.to_simplified(text) if reading is None else reading
    found: list[Placeholder] = []
    offset = 0
    for number, (line, read) in enumerate(zip(text.split("\n"), reading.split("\n"), strict=True), start=1):
        found += _line_placeholders(line, number, offset, read)
        offset += len(line) + 1
    return tuple(found)


def blank_spans(line: str, reading: str | None = None) -> list[tuple[int, int]]:
    """Return the spans of the blanks in one `line` of text.

    `reading` is the line in Simplified characters (chinese.to_simplified), when the caller has it.
    """
    line = chinese.to_simplified(line) if reading is None else reading
    urls = [m.span() for m in _URL.finditer(line)] if ("/" in line or "@" in line or "www." in line) else []
    mixed = [m.span() for m in _MIXED.finditer(line) if _half_redacted(line, *m.span())]
    spans = list(mixed)
    for match in _BLANK.finditer(line):
        start, end = match.span()
        if any(s <= start < e for s, e in urls) or any(s < end and start < e for s, e in mixed):
            continue
        dated = match.group("year") is not None or match.group("date") is not None
        if _is_blank(line, start, end, year=dated):
            spans.append((start, end))
    return sorted(spans)


def _half_redacted(line: str, start: int, end: int) -> bool:
    """Return True for a figure partly blanked out with a unit after it: 增长x2.4%, xx615元, x.8亿元."""
    token = line[start:end]
    unit = _UNIT.match(line, end)
    if _PRODUCT.fullmatch(token) or unit is None:
        return False  # 3x4米 is a size; x86架构 a code
    if _YEAR.fullmatch(token):
        return unit.group("unit") in UNITS["year"]  # 201x年
    # x64位 is a code; x5万元 a blank
    return not (_CODE.fullmatch(token) and UNIT_KIND[unit.group("unit")] in ("count", "name"))


def mask_blanks(line: str, mark: str = "…") -> str:
    """Return `line` with each blank shown as `mark`; a year keeps its figures (20XX → 20…)."""
    pieces, position = [], 0
    for start, end in blank_spans(line):
        token = line[start:end]
        kept = ""
        if _YEAR.fullmatch(token):
            kept = token.rstrip(_YEAR_LETTERS)
        pieces += [line[position:start], kept, mark]
        position = end
    pieces.append(line[position:])
    return "".join(pieces)


def _is_blank(line: str, start: int, end: int, *, year: bool) -> bool:
    token = line[start:end]
    left = line[start - 1] if start else ""
    right = line[end] if end < len(line) else ""
    after_right = line[end + 1] if end + 1 < len(line) else ""
    if _latin(left) and not _after_acronym(line, start, token):
        return False  # part of a word or code: Excel, Linux, 5x
    if _latin(right) and not _LATIN_UNIT.match(line, end):
        return False  # part of a word or code: x86, XL (but x km, xkm are a blank and its unit)
    if (left and left in "./\\@#&=_") or (right and right in "/\\@_"):
        return False  # part of a code, version or address: 1.x, a/x
    if right and right in ".．" and _latin(after_right):
        return False  # xx.gov.cn, x.5
    if (right and right in "-－" and _word_across(line, end + 1, 1)) or \
            (left and left in "-－" and _word_across(line, start - 2, -1)):
        return False  # X-ray; but x-x月 is a range of two blanks
    first = token[0]
    if first in "○〇":
        numeral = (left and left in _NUMERALS) or (right and right in _NUMERALS)
        return not numeral and not _bullet(line, start, end)
    if first in "*＊" and (_bullet(line, start, end) or _markdown_bold(line, start, end)
                          or _footnote(line, start, end)):
        return False
    if not year and _between_digits(line, start, end):
        return False  # 3 × 4, 2 * 5
    if first in _X and len(token) == 1 and line.startswith(_LETTER_WORDS, end):
        return False
    return True


def _word_across(line: str, position: int, step: int) -> bool:
    """Return True when a Latin word other than a run of x starts at `position`, read by `step`."""
    letters = []
    while 0 <= position < len(line) and line[position].isascii() and line[position].isalpha():
        letters.append(line[position])
        position += step
    return bool(letters) and any(c not in "xX" for c in letters)


def _after_acronym(line: str, start: int, token: str) -> bool:
    """Return True for a lower-case x right after an upper-case acronym: 实现GDPx亿元."""
    if not token.islower():
        return False
    letters = start
    while letters > 0 and _latin(line[letters - 1]) and line[letters - 1].isalpha():
        letters -= 1
    return start - letters >= 2 and line[letters:start].isupper()  # ＧＤＰ is upper case too


def _latin(char: str) -> bool:
    """Return True for a Latin letter or a digit, half- or full-width (Ａ, ５)."""
    if not char:
        return False
    if "\uff10" <= char <= "\uff5a":
        char = unicodedata.normalize("NFKC", char)
    return char.isascii() and char.isalnum()


def _bullet(line: str, start: int, end: int) -> bool:
    # Only a little text is sliced: a long line must not cost a copy of itself per blank.
    return start < 8 and not line[:start].strip() and end < len(line) and line[end] in " \t\u3000"


def _markdown_bold(line: str, start: int, end: int) -> bool:
    """Return True for either `**` of Markdown bold opening a line: **一、工作回顾**, **重点工作**。

    Bold in the middle of a sentence is not told from two blanks (完成**万元，签约**个): those stay
    blanks, as do two at a line's start with a unit after either (**村发展菌菇，签约**个).
    """
    if line[start:end] != "**":
        return False
    # Searches are bounded: a long line with many ** blanks must not cost a scan of itself per blank.
    opening = line.find("**", 0, BOLD_INDENT + 2)
    if opening < 0 or line[:opening].strip(" \t\u3000#>-"):
        return False
    closing = line.find("**", opening + 2, opening + BOLD_CHARS + 4)
    if closing < 0 or start not in (opening, closing):
        return False
    inner = line[opening + 2:closing]
    if not inner.strip() or "*" in inner or line[closing + 2:closing + 3] == "*":
        return False
    if _HEADING_NUMBER.match(inner) or inner.endswith(tuple(CLAUSE_MARKS)) or \
            all(c in CLAUSE_MARKS for c in line[closing + 2:].strip()):
        return True
    # **重点工作**全年…: bold, unless a unit after either star pair makes both blanks (**村…**万元).
    return not _UNIT.match(line, opening + 2) and not _UNIT.match(line, closing + 2)


def _footnote(line: str, start: int, end: int) -> bool:
    """Return True for a footnote mark: *表示预计数, or a star after a figure (5%*，)."""
    if line.startswith(_FOOTNOTE_WORDS, end):
        return True
    left = line[start - 1] if start else ""
    right = line[end] if end < len(line) else ""
    return (end - start == 1 and bool(left) and (left.isdigit() or left in "%％）)")
            and (not right or right in CLAUSE_MARKS or right.isspace()))


def _between_digits(line: str, start: int, end: int) -> bool:
    before = line[max(0, start - 8):start].rstrip(" \u3000")
    after = line[end:end + 8].lstrip(" \u3000")
    return bool(before) and bool(after) and before[-1].isdigit() and after[0].isdigit()


class _Unit(NamedTuple):
    unit: str
    approx: bool
    etc: bool
    tail: int  # where the words after the blank and its unit start


def _unit_after(line: str, start: int, end: int) -> _Unit:
    """Return the unit written after the blank at `line[start:end]`, and where it ends."""
    match = _UNIT.match(line, end)
    if match is None and line[end:end + 1] in "）)" and start and line[start - 1] in "（(":
        match = _UNIT.match(line, end + 1)  # （x）个
    if match is None:
        approx = bool(_APPROX.match(line, end))
        return _Unit("", approx, False, end + (1 if approx else 0))
    unit, tail = match.group("unit"), match.end()
    if unit in ("万", "亿"):
        scaled = _SCALED_UNIT.match(line, tail)
        if scaled:
            unit, tail = unit + scaled.group(), scaled.end()
    approx = bool(match.group("approx")) or bool(_APPROX.match(line, end))
    return _Unit(unit, approx, bool(match.group("etc")), tail)


def _line_placeholders(written: str, number: int, offset: int, line: str) -> list[Placeholder]:
    """Return the blanks of one line: `written` as the report has it, `line` read as Simplified."""
    spans = blank_spans(written, line)
    if not spans:
        return []
    units = [_unit_after(line, start, end) for start, end in spans]
    # A range, x-x月 or x至x万元: the first end takes the unit written after the second.
    parts = [""] * len(spans)
    for index in range(len(spans) - 1):
        (_, end), (following, _) = spans[index], spans[index + 1]
        if not units[index].unit and units[index + 1].unit and line[end:following] in RANGE_MARKS:
            parts[index], parts[index + 1] = "from", "to"
            units[index] = units[index]._replace(unit=units[index + 1].unit)
    _mark_ratios(line, spans, units, parts)
    marks = LineMarks(line)
    found: list[Placeholder] = []
    previous_end = 0
    for index, (start, end) in enumerate(spans):
        token = written[start:end]
        unit, approx, etc, tail = units[index]
        # （x）个: the brackets hold the figure, the clause around them names it.
        bracketed = start > 0 and line[start - 1] in "（(" and line[end:end + 1] in "）)"
        clause_start = marks.start(start - 1) if bracketed else marks.start(start)
        # 新增（市场）主体x户: a word in brackets is part of the clause, not the end of one.
        while clause_start > 1 and line[clause_start - 1] in "）)" and not bracketed:
            opening = max(line.rfind("（", 0, clause_start - 1), line.rfind("(", 0, clause_start - 1))
            if opening < 0 or clause_start - opening > BRACKET_CHARS:
                break
            clause_start = marks.start(opening)
        # 接待来访人数x批x人次, 帮扶群众x人、x户: the later blank counts the same people or things.
        chained = clause_start < previous_end or (
            index > 0 and clause_start == previous_end + 1 and line[previous_end] == "、") or (
            parts[index].startswith("ratio") and parts[index] != "ratio1")  # x:x: one ratio
        before = line[max(clause_start, previous_end):start - 1 if bracketed else start]
        next_start = spans[index + 1][0] if index + 1 < len(spans) else len(line)
        after = line[tail:min(marks.end(tail), next_start)]
        kind, basis = _kind(token, unit, before, line[tail:tail + 1], etc=etc)
        # x月x日，召开…; x年以来，累计…: a date at the head of a sentence dates the clause after it.
        mark = tail + len(after)
        if kind in _TIMES and not after.strip(_TIME_WORDS) and line[mark:mark + 1] in "，,":
            # The clause may hold a blank itself: its first words name the event (x月x日，XX大桥建成通车;
            # x年以来，累计发放低保金xx万元).
            after = next((words for words in _BLANK_LETTERS.split(line[mark + 1:marks.end(mark + 1)])
                          if words), "")
        elif kind in _TIMES and after in ("在", "于", "") and mark < marks.end(tail):
            # x月x日在××镇第x届…会议上: the date's clause goes on past the next blank.
            after = _BLANK_LETTERS.sub("", line[tail:marks.end(tail)])
        if parts[index].startswith("ratio"):
            kind, basis = "quantity", "token"
        elif unit in ("万", "亿") and chained and found and found[-1].kind == "amount":
            kind = "amount"  # 收入x万元、x万: the same money
        lead = line[marks.start(clause_start, sentence=True):max(clause_start, previous_end)]
        found.append(Placeholder(
            token=token, span=(offset + start, offset + end), line=number, kind=kind, unit=unit,
            approx=approx, context=context_of(written, start, end, marks), before=before, after=after,
            chained=chained, basis=basis, part=parts[index], lead=lead))
        previous_end = tail
    # x年x月x日召开: the year and the month date the event after the day.
    for index in range(len(found) - 2, -1, -1):
        ph, following = found[index], found[index + 1]
        if (ph.kind, following.kind) in (("year", "month"), ("month", "day")) and \
                following.span[0] - ph.span[1] == len(ph.unit):
            found[index] = ph._replace(after=following.after)
    # The two ends of a range share their words: 预计x-x月完成 is 完成 from and to.
    for index, ph in enumerate(found):
        if ph.part == "from":
            following = found[index + 1]
            found[index] = ph._replace(after=following.after)
            found[index + 1] = following._replace(before=ph.before, chained=ph.chained)
    return found


def _mark_ratios(line: str, spans: list[tuple[int, int]], units: list[_Unit], parts: list[str]) -> None:
    """Mark the terms of each ratio, x.x:xx.x:xx.x, in `parts` as ratio1, ratio2, …: numbers, not names."""
    index = 0
    while index < len(spans) - 1:
        last = index
        while (last + 1 < len(spans) and not units[last].unit and not parts[last]
               and line[spans[last][1]:spans[last + 1][0]] in (":", "：")):
            last += 1
        if last > index and not units[last].unit:
            for term in range(index, last + 1):
                parts[term] = f"ratio{term - index + 1}"
        index = last + 1


def _unit_kind(unit: str) -> str:
    if unit in UNIT_KIND:
        return UNIT_KIND[unit]
    return "quantity"  # 万 or 亿 before a unit of things: x万平方米, x万头


def _kind(token: str, unit: str, before: str, rest: str, *, etc: bool) -> tuple[str, str]:
    """Return the kind of a blank and what it was read from; `rest` is the character after it all."""
    decimal = bool(_DECIMAL_POINT.search(token))
    if _DATE.fullmatch(token):
        return "date", "token"
    if _YEAR.fullmatch(token):
        return "year", "token"
    if unit:
        kind = _unit_kind(unit)
        if unit in ("万", "亿") and not _MONEY_WORDS.search(before):
            return "quantity", "unit"  # 常住人口x万: people, not money
        if kind == "name" and etc:
            return "list", "unit"
        if kind == "year" and (_YEARS_COUNTED.search(before) or rest[:1] in ("来", "内", "间")):
            return "count", "before"
        if kind == "count" and decimal:
            return "quantity", "unit"
        return kind, "unit"
    if _PERCENT_WORDS.search(before):
        return "percent", "before"
    if before.endswith("第"):
        return "count", "before"
    if decimal or "," in token:
        return "quantity", "token"
    if etc:
        return "list", "after"
    if rest and "\u4e00" <= rest[0] <= "\u9fff":
        return "name", "after"
    return "name", "default"


class LineMarks:
    """Where the clauses and the sentences of one line end, to find them around any position fast."""

    def __init__(self, line: str) -> None:
        self.clause = [m.start() for m in _CLAUSE_MARK.finditer(line)]
        self.sentence = [m.start() for m in _SENTENCE_MARK.finditer(line)]
        self.length = len(line)

    def start(self, position: int, *, sentence: bool = False) -> int:
        """Return where the clause (or sentence) holding `position` starts."""
        marks = self.sentence if sentence else self.clause
        index = bisect_left(marks, position)
        # Bounded, so that a line without punctuation gives no endless context.
        return max(marks[index - 1] + 1 if index else 0, position - SCAN_CHARS)

    def end(self, position: int, *, sentence: bool = False) -> int:
        """Return where the clause (or sentence) holding `position` ends: at its mark."""
        marks = self.sentence if sentence else self.clause
        index = bisect_left(marks, position)
        return min(marks[index] if index < len(marks) else self.length, position + SCAN_CHARS)


def context_of(line: str, start: int, end: int, marks: LineMarks | None = None) -> str:
    """Return the sentence around `line[start:end]`, the blank as 【】, cut to whole clauses near it.

    `marks` are the line's LineMarks, when the caller has them already.
    """
    marks = marks or LineMarks(line)
    first = marks.start(start, sentence=True)
    last = min(marks.end(end, sentence=True) + 1, len(line))  # with its own full stop
    left = max(marks.start(start), first)
    right = min(marks.end(end) + 1, last)
    grown = True
    while grown:
        grown = False
        if left > first and right - max(marks.start(left - 1), first) <= CONTEXT_CHARS:
            left, grown = max(marks.start(left - 1), first), True
        if right < last and min(marks.end(right) + 1, last) - left <= CONTEXT_CHARS:
            right, grown = min(marks.end(right) + 1, last), True
    prefix = "……" if left > 0 and line[left - 1] not in SENTENCE_MARKS else ""
    suffix = "……" if right < len(line) and line[right - 1] not in SENTENCE_MARKS else ""
    return f"{prefix}{line[left:start]}【】{line[end:right]}{suffix}"
