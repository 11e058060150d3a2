"""Report text → placeholders: every blank left where a figure or a name was redacted. Pure.

A blank is a run of `x X × * ＊ ○ 〇` standing alone between Chinese words (`x`, `XX`, `××`, `○○`),
possibly split by a decimal point (`XX.XX`) or finishing a year (`20XX`, `201x`). Latin words
and codes (GDP, Excel, x86, X-ray, PM2.5, a web address), products (`3×4`), Chinese numerals
(`二〇二四`) and bullets (`* `) are text. The kind of each blank is read from its neighbours: the
unit after it first, then the words before it, then what kind of text follows.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import NamedTuple

# Units written after a blank, by the schema type they imply.
UNITS: dict[str, tuple[str, ...]] = {
    "count": ("个", "座", "条", "人", "户", "人次", "起", "件", "批", "套", "位", "家", "所", "届", "次",
              "名", "项", "处", "台", "辆", "场", "篇", "份", "栋", "间", "只", "头", "张", "本", "天",
              "个月", "周", "轮", "例", "宗", "株", "棵", "盏", "支", "期", "类"),
    "amount": ("万元", "亿元", "元", "万", "亿", "千元", "百万元", "万美元", "美元"),
    "quantity": ("亩", "万亩", "公里", "平方公里", "平方米", "立方米", "米", "千米", "吨", "万吨",
                 "公顷", "公斤", "千克", "斤", "千瓦", "万千瓦", "千瓦时", "个百分点", "倍", "万人",
                 "万人次", "万户"),
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
CLAUSE_MARKS = "，,、；;。：:！!？?（）()【】…\n"
SENTENCE_MARKS = "。！？!?；;\n"
_CLAUSE_MARK = re.compile("[" + re.escape(CLAUSE_MARKS) + "]")
_SENTENCE_MARK = re.compile("[" + re.escape(SENTENCE_MARKS) + "]")
CONTEXT_CHARS = 60
SCAN_CHARS = 200  # how far to look for the start or end of a clause or sentence

_BLANK = re.compile(
    r"(?P<year>(?:19|20)(?:\d[xX×]|[xX×]{2}))(?![xX×])"
    r"|[xX]+(?:\.[xX]+)?|×+(?:\.×+)?|[*＊]+(?:\.[*＊]+)?|[○〇]+")
_UNIT = re.compile(
    r"[ \u3000]?(?P<approx>[余多])?(?P<etc>等)?(?P<unit>"
    + "|".join(re.escape(u) for u in sorted(UNIT_KIND, key=len, reverse=True)) + ")")
_APPROX = re.compile(r"[余多]")
_URL = re.compile(r"(?:https?://|ftp://|www\.)[\w\-./?%&=:#~+@]*|[\w.\-]+@[\w\-]+(?:\.[\w\-]+)+",
                  re.ASCII)
_PERCENT_WORDS = re.compile(r"(?:率|占比|占|比重|增长|下降|降低|提高|增幅|降幅)(?:达到|均达|达|为|约|了)?$")
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

    @property
    def sure(self) -> bool:
        """Return False when nothing around the blank told its kind and a default was used."""
        return self.basis != "default"


def find_placeholders(text: str) -> tuple[Placeholder, ...]:
    """Return every blank of report `text`, in order."""
    found: list[Placeholder] = []
    offset = 0
    for number, line in enumerate(text.split("\n"), start=1):
        found += _line_placeholders(line, number, offset)
        offset += len(line) + 1
    return tuple(found)


def blank_spans(line: str) -> list[tuple[int, int]]:
    """Return the spans of the blanks in one `line` of text."""
    urls = [m.span() for m in _URL.finditer(line)] if ("/" in line or "@" in line or "www." in line) else []
    spans = []
    for match in _BLANK.finditer(line):
        start, end = match.span()
        if any(s <= start < e for s, e in urls):
            continue
        if _is_blank(line, start, end, year=match.group("year") is not None):
            spans.append((start, end))
    return spans


def _is_blank(line: str, start: int, end: int, *, year: bool) -> bool:
    token = line[start:end]
    left = line[start - 1] if start else ""
    right = line[end] if end < len(line) else ""
    after_right = line[end + 1] if end + 1 < len(line) else ""
    if _ascii_word(left) and not _after_acronym(line, start, token):
        return False  # part of a word or code: Excel, Linux, 5x
    if _ascii_word(right) or (left and left in "./\\@#&=_") or (right and right in "/\\@_"):
        return False  # part of a word, code, version or address: x86, XL, 1.x, a/x
    if right == "." and _ascii_word(after_right):
        return False  # xx.gov.cn, x.5
    if (right == "-" and after_right.isascii() and after_right.isalpha()) or \
            (left == "-" and start > 1 and line[start - 2].isascii() and line[start - 2].isalpha()):
        return False  # X-ray
    first = token[0]
    if first in "○〇":
        numeral = (left and left in _NUMERALS) or (right and right in _NUMERALS)
        return not numeral and not _bullet(line, start, end)
    if first in "*＊" and _bullet(line, start, end):
        return False
    if not year and _between_digits(line, start, end):
        return False  # 3 × 4, 2 * 5
    if first in "xX" and len(token) == 1 and line.startswith(_LETTER_WORDS, end):
        return False
    return True


def _after_acronym(line: str, start: int, token: str) -> bool:
    """Return True for a lower-case x right after an upper-case acronym: 实现GDPx亿元."""
    if not token.islower():
        return False
    letters = start
    while letters > 0 and line[letters - 1].isascii() and line[letters - 1].isalpha():
        letters -= 1
    return start - letters >= 2 and line[letters:start].isupper()


def _ascii_word(char: str) -> bool:
    return bool(char) and char.isascii() and char.isalnum()


def _bullet(line: str, start: int, end: int) -> bool:
    # Only a little text is sliced: a long line must not cost a copy of itself per blank.
    return start < 8 and not line[:start].strip() and end < len(line) and line[end] in " \t\u3000"


def _between_digits(line: str, start: int, end: int) -> bool:
    before = line[max(0, start - 8):start].rstrip(" \u3000")
    after = line[end:end + 8].lstrip(" \u3000")
    return bool(before) and bool(after) and before[-1].isdigit() and after[0].isdigit()


def _line_placeholders(line: str, number: int, offset: int) -> list[Placeholder]:
    spans = blank_spans(line)
    if not spans:
        return []
    marks = LineMarks(line)
    found = []
    previous_end = 0
    for index, (start, end) in enumerate(spans):
        token = line[start:end]
        unit_match = _UNIT.match(line, end)
        unit = unit_match.group("unit") if unit_match else ""
        approx = bool(unit_match and unit_match.group("approx")) or bool(_APPROX.match(line, end))
        tail = unit_match.end() if unit_match else end + (1 if approx else 0)
        clause_start = marks.start(start)
        # 接待来访人数x批x人次, 帮扶群众x人、x户: the later blank counts the same people or things.
        chained = clause_start < previous_end or (
            index > 0 and clause_start == previous_end + 1 and line[previous_end] == "、")
        before = line[max(clause_start, previous_end):start]
        next_start = spans[index + 1][0] if index + 1 < len(spans) else len(line)
        after = line[tail:min(marks.end(tail), next_start)]
        etc = bool(unit_match and unit_match.group("etc"))
        kind, basis = _kind(token, unit, before, line[tail:tail + 1], etc=etc)
        found.append(Placeholder(
            token=token, span=(offset + start, offset + end), line=number, kind=kind, unit=unit,
            approx=approx, context=context_of(line, start, end, marks), before=before, after=after,
            chained=chained, basis=basis))
        previous_end = tail
    return found


def _kind(token: str, unit: str, before: str, rest: str, *, etc: bool) -> tuple[str, str]:
    """Return the kind of a blank and what it was read from; `rest` is the character after it all."""
    decimal = "." in token
    if len(token) == 4 and token[:2] in ("19", "20"):
        return "year", "token"
    if unit:
        kind = UNIT_KIND[unit]
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
    if decimal:
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
