"""Rendered text → blocks (title, title lines, salutation, headings of four levels, body): pure."""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Mapping
from typing import NamedTuple

from .render import ANCHOR_START, KEY_END, MARK_END, MISSING_START, VALUE_START

_H1 = re.compile(r"[一二三四五六七八九十]+、")
_H2 = re.compile(r"[（(][一二三四五六七八九十]+[）)]")
_H3 = re.compile(r"\d{1,2}[.．](?!\d)")
_H4 = re.compile(r"[（(]\d{1,2}[）)]")
_SALUTATION = re.compile(r"[^，。；！？：,.;!?:]{1,12}[：:]")
_HEADING_STARTS = frozenset("一二三四五六七八九十（(")  # and digits: str.isdecimal, as \d has them
_SENTENCE_END = re.compile(r"[。！？]")
_PAREN_PAIR = re.compile(r"\(([^()\n]*)\)")
_HALF_TO_FULL = {",": "，", "!": "！", ":": "：", ";": "；", "?": "？"}
# What is_cjk accepts, written as a negated class: a class up to U+10FFFF takes re ~10 ms to compile.
_CJK = "[^\x00-\u2e7f]|[“”‘’—…·]"
_HELD_AS = dict(zip(_HALF_TO_FULL, "\1\2\3\4\5", strict=True))
_MARK_KINDS = {ANCHOR_START: None, VALUE_START: "value", MISSING_START: "missing"}

_FULL_STOPS = ("。", "！", "？", "；", ".", "!", "?", ";")
_NO_LINE_START = "）)】」》”’、，。；：！？,.;:!?%"
_NO_LINE_END = "（(【「《“‘"

TITLE_CHARS = 20  # 二号 characters in a 156 mm line
LINE_CHARS = 28   # 三号 characters in a 156 mm line


class Segment(NamedTuple):
    """A stretch of one paragraph: its text, whether it is the run-in heading, its mark, its value.

    `key` names the variable a filled-in value comes from, and `piece` tells the values of one
    paragraph apart, so that the writer can anchor each value, even when cut in two segments.
    """

    text: str
    lead: bool = False
    mark: str | None = None  # None, "value" or "missing"
    key: str | None = None
    piece: int = 0


class Cell(NamedTuple):
    """One cell of a table: its text, the columns it spans, and its part in a vertical merge."""

    segments: tuple[Segment, ...]
    span: int = 1
    merge: str | None = None  # None, "restart" (a merge starts here) or "continue" (merged above)
    align: str = "left"       # left, center or right


class Row(NamedTuple):
    """One row of a table; header rows are repeated at the top of each page."""

    cells: tuple[Cell, ...]
    header: bool = False


class Table(NamedTuple):
    """A table: its rows, relative column widths, cell text size (half-points), caption."""

    rows: tuple[Row, ...]
    widths: tuple[int, ...]
    size: int
    caption: tuple[Segment, ...] = ()


class Block(NamedTuple):
    """One paragraph of the document, or a table: its kind and its segments (a table's caption)."""

    kind: str  # title, caption, salutation, h1, h2, h3, h4, body, blank, table
    segments: tuple[Segment, ...]
    table: Table | None = None

    @property
    def text(self) -> str:
        """Return the paragraph's plain text."""
        return "".join(s.text for s in self.segments)

    @property
    def standalone(self) -> bool:
        """Return True for a heading that has no body text after it in the same paragraph."""
        return self.kind.startswith("h") and all(s.lead for s in self.segments)


def is_cjk(char: str) -> bool:
    """Return True for a Chinese character or full-width punctuation mark."""
    return char >= "\u2e80" or char in "“”‘’—…·"


def normalize_punctuation(text: str) -> str:
    """Return `text` with half-width , ! : ; ? ( ) next to Chinese text made full-width.

    Figures keep their marks: a comma or colon between two digits (3,000 or 10:30) stays.
    """
    # `in` for each mark, not a class pattern: it scans a Chinese line five times faster.
    if not ("," in text or ":" in text or ";" in text or "(" in text or "!" in text or "?" in text):
        return text  # as in most paragraphs: the template's own marks were settled when it was loaded
    # A mark with Chinese on either side cannot sit between two digits, so 3,000 is safe. Each
    # kind of mark is first held as a control character, not Chinese as the mark was not, so that
    # the next kind's neighbours are what the text had (in ",;" only the comma may change).
    out = text
    # No stand-in is in the text already (no text drafter renders has them).
    if not ("\1" in out or "\2" in out or "\3" in out or "\4" in out or "\5" in out):
        held = []
        for half, full in _HALF_TO_FULL.items():
            if half in out:
                out = _half_mark(half).sub(_HELD_AS[half], out)
                held.append((_HELD_AS[half], full))
        for stand_in, full in held:
            out = out.replace(stand_in, full)
    else:
        out = "".join(_HALF_TO_FULL[c] if c in _HALF_TO_FULL and _next_to_cjk(text, i) else c
                      for i, c in enumerate(text))

    def full(match: re.Match[str]) -> str:
        start, end = match.span()
        around = out[start - 1 : start] + out[end : end + 1] + match.group(1)
        if any(is_cjk(c) for c in around):
            return f"（{match.group(1)}）"
        return match.group(0)

    return _PAREN_PAIR.sub(full, out) if "(" in out else out


@functools.cache
def _half_mark(half: str) -> re.Pattern[str]:
    """Return the pattern of mark `half` next to Chinese, compiled when first met (3 ms each).

    One pattern for each mark, the mark first and its neighbours looked at after it: a pattern
    that starts with a literal is found by a quick scan, one that starts with a class or a
    lookbehind is tried at every character of the paragraph, several times slower.
    """
    mark = re.escape(half)
    return re.compile(f"{mark}(?:(?<=(?:{_CJK}){mark})|(?={_CJK}))")


# What stays next to a mark of the template's text whatever the values: any character but a brace
# of a tag (a value may come there), a value or table mark, or another half-width mark (whose own
# fate may wait for a value). Whitespace stays too: drafter refuses Jinja's {{- -}}.
_UNFIXED = "[,!:;?{}\ue000-\ue005]"
_SETTLEABLE = re.compile(f"[,!:;?](?<!{_UNFIXED}.)(?!{_UNFIXED})")


def settle_marks(source: str) -> str:
    """Return template `source` with the half-width marks that Chinese text of its own surrounds made
    full-width now, as `normalize_punctuation` would make them on every render.

    A mark is settled when both its neighbours are the template's own text (or a line's end) and one
    is Chinese: then its fate depends on nothing a value brings, and no other mark's on it.
    """
    def settle(match: re.Match[str]) -> str:
        at = match.start()
        if _next_to_cjk(source, at):
            return _HALF_TO_FULL[match.group()]
        return match.group()

    return _SETTLEABLE.sub(settle, source)


def _next_to_cjk(text: str, at: int) -> bool:
    return (at > 0 and is_cjk(text[at - 1])) or (at + 1 < len(text) and is_cjk(text[at + 1]))


def line_segments(line: str) -> tuple[Segment, ...]:
    """Return the segments of one rendered `line` of text (value marks kept, punctuation normalized)."""
    pieces = _pieces(line)
    if pieces is None:
        plain = normalize_punctuation(line)
        return (Segment(plain),) if plain else ()
    joined = "".join([piece[0] for piece in pieces])
    plain = normalize_punctuation(joined)
    return _cut_pieces(pieces, plain, 0, plain == joined)


def lay_out(text: str, inserts: Mapping[str, Block | None] | None = None) -> tuple[Block, ...]:
    """Return the blocks of rendered `text` (which may carry value marks), one per line.

    A line equal to a key of `inserts` is replaced by that block (a table), or left out for None.
    """
    lines = text.split("\n")
    if inserts:
        return _insert(lay_out("\n".join(line for line in lines if line not in inserts)), lines, inserts)
    split = [_pieces(line) for line in lines]
    plains = [line if pieces is None else "".join([piece[0] for piece in pieces])
              for line, pieces in zip(lines, split, strict=True)]
    head = _title_block_length(plains)
    blocks = []
    for index, pieces in enumerate(split):
        plain = normalize_punctuation(plains[index])
        if pieces is None:
            pieces = [Segment(plain)] if plain else []
        if index < head:
            kind = "title" if index == 0 else "caption"
            width = TITLE_CHARS if index == 0 else LINE_CHARS
            breaks = _break_lines(plain, width, kind, _marked_spans(pieces))
            blocks.append(Block(kind, _segments(pieces, plain, 0, breaks)))
            continue
        kind = paragraph_kind(plain)
        lead = _lead_length(plain) if kind[0] == "h" else 0
        blocks.append(Block(kind, _cut_pieces(pieces, plain, lead, plain == plains[index])))
    return tuple(blocks)


def _insert(blocks: tuple[Block, ...], lines: list[str],
            inserts: Mapping[str, Block | None]) -> tuple[Block, ...]:
    out, taken = [], iter(blocks)
    for line in lines:
        if line in inserts:
            if inserts[line] is not None:
                out.append(inserts[line])
        else:
            out.append(next(taken))
    return tuple(out)


def _title_block_length(plains: list[str]) -> int:
    """Return how many lines the title block has: those before an early empty line, if title-like.

    A title is short, ends without a full stop and is no heading or salutation; so is each line
    under it (题注, speaker, date). Anything else means the text has no title block.
    """
    for index, line in enumerate(plains[:8]):
        if line.strip():
            continue
        head = plains[:index]
        if not head or len(head[0]) > 60:
            return 0  # a first line that long is a paragraph, not a title
        # Lines under the title may be long (a 题注 with a long office name), but no sentences.
        title_like = all(paragraph_kind(text) == "body" and not text.endswith(_FULL_STOPS)
                         for text in head)
        return index if title_like else 0
    return 0


def _display_width(char: str) -> float:
    # Latin letters and figures are about half as wide as a Chinese character.
    return 1.0 if is_cjk(char) else 0.5


def _marked_spans(pieces: list[Segment]) -> list[tuple[int, int]]:
    # Only highlighted values are kept whole in a title; an anchor alone does not move a break.
    spans, position = [], 0
    for text, _, mark, _, _ in pieces:
        if mark:
            spans.append((position, position + len(text)))
        position += len(text)
    return spans


def paragraph_kind(plain: str) -> str:
    """Return the kind of a paragraph from how it starts: h1–h4, salutation, body or blank."""
    first = plain[:1]
    if first in _HEADING_STARTS or first.isdecimal():  # most start otherwise: no pattern tried
        for kind, pattern in (("h1", _H1), ("h2", _H2), ("h4", _H4), ("h3", _H3)):
            if pattern.match(plain):
                return kind
    if len(plain) <= 13 and _SALUTATION.fullmatch(plain):
        return "salutation"
    if not first or not plain.strip():
        return "blank"
    return "body"


def _lead_length(plain: str) -> int:
    end = _SENTENCE_END.search(plain)
    return end.end() if end else len(plain)


def _break_lines(plain: str, width: int, kind: str,
                 protected: list[tuple[int, int]]) -> tuple[int, ...]:
    """Return the offsets where a centred line wider than `width` characters is broken.

    Lines come out balanced with the upper ones longer (the 梯形 shape), never breaking inside a
    figure, a Latin word or a filled-in value, nor before a closing or after an opening mark.
    """
    cumulative = [0.0, *itertools.accumulate(map(_display_width, plain))]
    total = cumulative[-1]
    # Word and LibreOffice set a small gap between Chinese and figures, so a 题注 whose characters
    # just fit (——2024年1月5日在…会议上) still wraps its last character onto a line of its own.
    gaps = 0.25 * _figure_edges(plain) if kind == "caption" else 0
    if total + gaps <= width:
        return ()
    if kind == "caption":
        # Break a 题注 before 在 so that "会议上" does not wrap alone.
        at = plain.rfind("在", 1)
        if at > 0 and _breakable(plain, at, protected) and cumulative[at] <= width \
                and total - cumulative[at] <= width:
            return (at,)
    allowed = [p for p in range(1, len(plain)) if _breakable(plain, p, protected)]
    count = math.ceil(total / width)
    breaks: list[int] = []
    previous = 0
    for line in range(1, count):
        target = total * line / count
        fits = [p for p in allowed if p > previous and cumulative[p] - cumulative[previous] <= width]
        if not fits:
            fits = [max(p for p in range(previous + 1, len(plain))
                        if cumulative[p] - cumulative[previous] <= width)]
        best = min(fits, key=lambda p: (abs(cumulative[p] - target) - 2 * _word_end(plain, p), -p))
        breaks.append(best)
        previous = best
    return tuple(breaks)


def _figure_edges(plain: str) -> int:
    """Return how often a Chinese character (or mark) and a figure or Latin letter meet in `plain`."""
    edges = 0
    for at, char in enumerate(plain):  # each meeting counted at its figure or letter
        if char.isascii() and char.isalnum():
            edges += (at > 0 and is_cjk(plain[at - 1])) + (at + 1 < len(plain) and is_cjk(plain[at + 1]))
    return edges


def _word_end(plain: str, at: int) -> bool:
    # Without a dictionary, these mark likely word ends in a title: 人民政府|关于…的|报告.
    return plain[at - 1] in "府的镇县区市省会局委度和与及" or plain.startswith("关于", at)


def _breakable(plain: str, at: int, protected: list[tuple[int, int]]) -> bool:
    before, after = plain[at - 1], plain[at]
    if before.isascii() and after.isascii() and (before + after).strip().isalnum():
        return False
    if after in _NO_LINE_START or before in _NO_LINE_END:
        return False
    return not protected or not any(start < at < end for start, end in protected)


def _pieces(line: str) -> list[Segment] | None:
    """Return the stretches of `line` between value marks as segments: text, mark, key (when
    anchored) and their number in the line. An empty value has none.

    Return None for a line without marks (a heading, a paragraph with no value in it).
    """
    if MARK_END not in line:
        return None
    # String methods, not a pattern: a regular expression walks a Chinese line ten times slower.
    # Neither the template's text nor a value may hold a mark, so each chunk is text, then one
    # start, then the key (when anchored) and the value.
    pieces: list[Segment] = []
    append = pieces.append
    chunks = line.split(MARK_END)
    if VALUE_START in line or MISSING_START in line or KEY_END not in line:
        for chunk in chunks[:-1]:
            start = max(chunk.rfind(VALUE_START), chunk.rfind(MISSING_START), chunk.rfind(ANCHOR_START))
            if start:
                append(_segment(Segment, (chunk[:start], False, None, None, len(pieces))))
            key, _, value = chunk[start + 1:].rpartition(KEY_END)
            if value:
                append(_segment(Segment, (value, False, _MARK_KINDS[chunk[start]], key or None, len(pieces))))
    else:  # anchors only, as in every report not marked up: two cuts a value
        for chunk in chunks[:-1]:
            head, _, value = chunk.rpartition(KEY_END)
            text, _, key = head.rpartition(ANCHOR_START)
            if text:
                append(_segment(Segment, (text, False, None, None, len(pieces))))
            if value:
                append(_segment(Segment, (value, False, None, key or None, len(pieces))))
    if chunks[-1]:
        append(_segment(Segment, (chunks[-1], False, None, None, len(pieces))))
    return pieces


def _segments(pieces: list[Segment], plain: str, lead: int,
              breaks: tuple[int, ...]) -> tuple[Segment, ...]:
    """Cut `plain` (the normalized text of `pieces`) at piece, lead and line-break boundaries."""
    if not breaks:
        return _cut_pieces(pieces, plain, lead, False)
    cuts = {0, len(plain), lead, *breaks}
    position = 0
    marks: list[tuple[int, int, str | None, str | None, int]] = []
    for text, _, mark, key, number in pieces:
        marks.append((position, position + len(text), mark, key, number))
        cuts.add(position)
        position += len(text)
    segments = []
    ordered = sorted(c for c in cuts if 0 <= c <= len(plain))
    piece = 0  # cuts and pieces both run left to right: one walk finds each cut's piece
    for start, end in zip(ordered, ordered[1:], strict=False):
        if start == end:
            continue
        while piece < len(marks) and marks[piece][1] <= start:
            piece += 1
        if piece < len(marks) and marks[piece][0] <= start:
            _, _, mark, key, number = marks[piece]
        else:
            number, mark, key = 0, None, None
        prefix = "\n" if start in breaks else ""
        segments.append(Segment(prefix + plain[start:end], start < lead, mark, key, number))
    return tuple(segments)


def _cut_pieces(pieces: list[Segment], plain: str, lead: int, kept: bool) -> tuple[Segment, ...]:
    """Return `_segments` without line breaks, as every paragraph but the title block has them:
    one segment a piece, and the piece the run-in heading ends in cut in two at `lead`.

    When `plain` `kept` the pieces' text (no mark was made full-width), a piece after the heading
    is a segment already: a body paragraph's segments are its pieces.
    """
    if kept and not lead:
        return tuple(pieces)
    segments = []
    start = 0
    for at, (text, _, mark, key, number) in enumerate(pieces):
        if kept and start >= lead:
            segments += pieces[at:]
            break
        end = start + len(text)
        if start < lead < end:
            segments.append(_segment(Segment, (plain[start:lead], True, mark, key, number)))
            segments.append(_segment(Segment, (plain[lead:end], False, mark, key, number)))
        elif start < end:
            segments.append(_segment(Segment, (plain[start:end], start < lead, mark, key, number)))
        start = end
    return tuple(segments)


# Segment's own __new__ is Python code, a tenth of this loop's time; every field is given here.
_segment = tuple.__new__
