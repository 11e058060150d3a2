"""Placeholders → named variables → template source and Schema: a report made a template. Pure.

Each blank gets a `组.名称` key: the group is the report's numbered section (一、…), the name made
by `naming` of whole words (完成财税收入x万元 → 财税收入). Blanks share a variable only when `facts`
finds them the same fact (完成招商签约任务x亿元 and 确保全年完成招商签约任务x亿元); the reporting body
and the reporting year go to the group 基本信息. A Traditional report is read as Simplified and its
keys, labels and units written back in Traditional. With `with_gaps`, each unmarked cut becomes a
variable whose original is "": a cut phrase is text, a cut figure (辖个社区) a number of its unit's
kind; cut phrases share a variable only when their words are exactly the same.

The report's empty lines carry nothing (one line is one paragraph) and are dropped, except that a
title block (a short title line, with its 题注 and speaker lines) gets exactly one empty line after
it: that is what drafter's layout reads as a title block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from . import chinese, facts, tables
from .figures import Figure, find_figures
from .gaps import DATE_CUT, Gap, find_gaps
from .layout import paragraph_kind
from .names import find_names
from .naming import (
    NAME_CHARS,
    find_sections,
    identifier,
    number_name,
    person_name,
    plain_name,
    text_name,
    unique,
)
from .placeholders import Placeholder, context_of, find_placeholders, mask_blanks
from .render import RAW_BRACE
from .schema import DEFAULT_LIMITS, Schema, Variable

START_GROUP = "总体"
_HEAD_UNIT = re.compile(r"[（(]\s*([^（）()]{1,6}?)\s*[）)]\s*$")   # 投资（万元）, 增长（%）
_UNIT_HEADS = ("单位", "计量单位")
_RULE = re.compile(r":?-{3,}:?")
_JINJA_OPENERS = re.compile(r"\{(?=[{%#])|\{\Z")
# A title: short, no sentence end, not a heading (一、 （一） 1. （1）) nor a salutation (各位代表：).
TITLE_CHARS = 40
CAPTION_CHARS = 60
CAPTION_LINES = 4
_LINE_ENDS = ("。", "！", "？", "；", ".", "!", "?", ";", "，", ",", "、", "：", ":")
# Under the title: a 题注 (——在…会议上), a date in brackets (（2024年1月5日）), a speaker line
# (镇长　张三, 报告人：张三).
_CAPTION = re.compile(r"(?:——|—|－－|--).+|[（(][^（()）]+[）)]|(?:报告人|发言人|主讲人|汇报人)[：:].{1,12}"
                      r"|[^\s，。；！？：,.;!?:]{2,12}[ \u3000]+[^\s，。；！？：,.;!?:]{2,12}")


@dataclass(frozen=True)
class Draft:
    """A report turned into a template: its text, its schema, and what was found on the way."""

    source: str                          # template.txt
    report: str                          # the report as the template reads it (see title_lines)
    title_lines: int                     # the lines of its title block; 0 when it has none
    schema: Schema
    placeholders: tuple[Placeholder, ...]
    keys: tuple[str, ...]                # the variable of each placeholder, in the same order
    gaps: tuple[Gap, ...]
    gap_keys: tuple[str, ...]            # the variable of each gap; empty without `with_gaps`
    notes: tuple[str, ...]               # what it was unsure of, for the clerk to check
    # A finished report (no blanks): each placeholder's figure or given name (None for a blank),
    # and the report's own value of each variable, by key, for the values file.
    figures: tuple[Figure | None, ...] = ()
    values: dict[str, str] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        """Return True when the report had no blanks and was read as a finished report."""
        return any(f is not None and not f.given for f in self.figures)
    # Figures written out that became variables (the reporting year, 2024年): span and key.
    literals: tuple[tuple[tuple[int, int], str], ...] = ()

    @property
    def uses(self) -> dict[str, int]:
        """Return how many places of the report each variable fills, by key."""
        counts = {v.key: 0 for v in self.schema.variables}
        for key in (*self.keys, *self.gap_keys, *(key for _, key in self.literals)):
            counts[key] += 1
        return counts


class _Proposal(NamedTuple):
    """A variable proposed for one place of the report, before its name is made unique."""

    name: str
    label: str
    kind: str
    unit: str
    context: str
    original: str
    approx: bool = False
    places: int | None = None
    thousands: bool = False


def templatize(text: str, *, title: str | None = None, default_title: str = "报告",
               with_gaps: bool = False, names: tuple[str, ...] = ()) -> Draft:
    """Return the template made from report `text`: every blank a variable, named and typed.

    A report without blanks is read as a finished report: its figures become the variables
    (see `figures`), each filled with the report's value. Each of `names` (proper names: 艾城,
    刘志强) becomes one variable wherever it stands. The schema's title is `title` when given, else
    the report's title line (blanks shown as …), else `default_title`.
    """
    text, title_lines = arrange_lines(text)
    if title is None:
        shown = mask_blanks(text.split("\n", 1)[0]).strip() if title_lines else ""
        title = shown if shown.strip("…") else default_title  # a title of blanks only names nothing
    reading = chinese.to_simplified(text)
    placeholders, figures = _places_and_figures(text, names, reading)
    in_cells = table_blanks(text, placeholders)
    placeholders = tuple(ph._replace(kind=cell.kind, unit=cell.unit, context=cell.context,
                                     basis="unit" if cell.kind != "name" else ph.basis)
                         if (cell := in_cells.get(i)) else ph for i, ph in enumerate(placeholders))
    rows = table_lines(text)
    gaps = tuple(gap for gap in find_gaps(text, reading) if gap.line not in rows)  # cuts are for sentences
    script = chinese.to_traditional if chinese.is_traditional(text, reading) else _same
    sections = find_sections(text.split("\n"), start_group=START_GROUP, reading=reading.split("\n"),
                             script=None if script is _same else script)
    body = facts.reporting_body(reading)
    # Blanks and gaps in report order, so that variables are declared in the order they appear.
    places = sorted([(ph.span[0], "blank", i) for i, ph in enumerate(placeholders)]
                    + ([(gap.offset, "gap", i) for i, gap in enumerate(gaps)] if with_gaps else []))
    variables: dict[tuple[object, ...], Variable] = {}
    taken: dict[str, dict[str, int]] = {}
    keys: dict[tuple[str, int], str] = {}
    values: dict[str, str] = {}
    merger = facts.Facts()
    guessed: list[int] = []   # blanks with no unit taken as the reporting body's name
    people: set[int] = set()
    previous_name = ""
    for _, what, index in places:
        group = ""
        if what == "blank":
            ph = placeholders[index]
            chained = ph.chained and index > 0 and placeholders[index - 1].line == ph.line
            section = sections.of_line[ph.line - 1]
            figure = figures[index]
            if figure is not None and figure.given:  # a proper name: one variable wherever it stands
                merge, proposal = figure.merge, _Proposal(figure.given, figure.label, "name", "",
                                                          ph.context, ph.token)
            else:
                if index in in_cells:
                    merge, proposal = ("cell", index), in_cells[index]
                else:
                    merge, proposal, person = _propose_blank(ph, section, previous_name if chained else "",
                                                             merger)
                    if figure is not None and figure.merge:  # a year: one variable wherever it stands
                        merge = figure.merge
                    elif person:
                        people.add(index)
                    elif figure is None and facts.is_body(ph, body, person=person) and body is not None:
                        merge, group = ("body",), facts.INFO_GROUP
                        proposal = proposal._replace(name=body.name, unit="", label=facts.body_label(body))
                        if ph.unit != body.unit:
                            guessed.append(index)
                previous_name = proposal.name
        else:
            gap = gaps[index]
            section = sections.of_line[gap.line - 1]
            merge, proposal = _propose_gap(gap, text)
        if merge not in variables:
            group = group or sections.groups[section]
            proposal = proposal._replace(name=identifier(script(proposal.name)) or proposal.name,
                                         label=script(proposal.label), unit=script(proposal.unit))
            name = unique(proposal.name, taken.setdefault(group, {}))
            variables[merge] = _variable(f"{group}.{name}", proposal)
            if what == "blank" and figure is not None:
                if not figure.given:
                    variables[merge] = figure.typed(variables[merge])
                values[variables[merge].key] = figure.value
        keys[what, index] = variables[merge].key
    blank_keys = tuple(keys["blank", i] for i in range(len(placeholders)))
    gap_keys = tuple(keys["gap", i] for i in range(len(gaps))) if with_gaps else ()

    edits = [(ph.span[0], ph.span[1], key) for ph, key in zip(placeholders, blank_keys, strict=True)]
    edits += [(gap.offset, gap.offset, key) for gap, key in zip(gaps, gap_keys, strict=False)]
    literals: tuple[tuple[tuple[int, int], str], ...] = ()
    # A report that blanks its years (20XX年) writes out only years gone by; a table's years are its
    # columns and captions (| 2023年 | 2024年 |), left as they are.
    prose = "\n".join(" " * len(line) if number in rows else line
                      for number, line in enumerate(reading.split("\n"), start=1))
    # A finished report's years are figures already, each a variable of its own.
    year = facts.reporting_year(prose) if variables and not any(
        ph.kind == "year" for ph in placeholders) and not any(
        f is not None and not f.given for f in figures) else None
    if year is not None:
        written, spans = year
        key = f"{facts.INFO_GROUP}.{unique(script('报告年份'), taken.setdefault(facts.INFO_GROUP, {}))}"
        first = spans[0][0]
        variables[("year",)] = _variable(key, _Proposal(
            script("报告年份"), script("报告年份（报告所说的年度）"), "year", script("年"),
            context_of(text.split("\n")[_line_of(text, first) - 1], *_in_line(text, spans[0])), written))
        literals = tuple((span, key) for span in spans)
        edits += [(start, end, key) for start, end in spans]
    source, escaped = _source(text, sorted(edits))
    declared = tuple(sorted(variables.values(), key=lambda v: v.group != facts.INFO_GROUP))
    used = {v.group for v in declared}
    groups = {facts.INFO_GROUP: script(facts.INFO_LABEL)} if facts.INFO_GROUP in used else {}
    groups |= {g: label for g, label in zip(sections.groups, sections.labels, strict=True)
               if g in used and g not in groups}
    schema = Schema(title=title, variables=declared, groups=groups)
    notes = _notes(placeholders, blank_keys, escaped, figures, people=people)
    if guessed:
        lines = "、".join(str(n) for n in dict.fromkeys(placeholders[i].line for i in guessed))
        notes += (f"{blank_keys[guessed[0]]}：第 {lines} 行有 {len(guessed)} 处名称空位后面没有单位，"
                  f"本报告是{body.unit if body else ''}的报告，按本{body.unit if body else ''}的名称处理；"
                  "如某处不是，请在 template.txt 中改用新的变量。",)
    if year is not None:
        lines = "、".join(str(n) for n in dict.fromkeys(_line_of(text, s) for s, _ in year[1]))
        notes += (f"第 {lines} 行写明的“{year[0]}年”是报告年份，已设为变量 {literals[0][1]}；"
                  "如某处不是报告年份，请在 template.txt 中改回。",)
    notes += tuple(f"第 {gap.line} 行 {key}：“{gap.shape}”不一定删去了词语，请核对原文；没有删去的，"
                   f"在 template.txt 中删去 {{{{ {key} }}}}，并从 schema.yaml 删去这一项。原句：{gap.context}"
                   for gap, key in zip(gaps, gap_keys, strict=False) if not gap.rule.sure)
    return Draft(source=source, report=text, title_lines=title_lines, schema=schema,
                 placeholders=placeholders, keys=blank_keys, gaps=gaps, gap_keys=gap_keys, notes=notes,
                 figures=figures, values=values, literals=literals)


def _same(text: str) -> str:
    return text


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _in_line(text: str, span: tuple[int, int]) -> tuple[int, int]:
    start = text.rfind("\n", 0, span[0]) + 1
    return span[0] - start, span[1] - start


def _places_and_figures(text: str, names: tuple[str, ...], reading: str) -> tuple[
        tuple[Placeholder, ...], tuple[Figure | None, ...]]:
    """Return the places to make variables of, in order, and the figure of each (None for a blank).

    The blanks, when the report has any; else its figures (a finished report). The places of
    `names` come first: a figure inside a given name (第一中学) is part of the name.
    """
    blanks = find_placeholders(text, reading)
    named = find_names(text, names, taken=tuple(ph.span for ph in blanks))
    figures = () if blanks else find_figures(text, names=names)
    taken = bytearray(len(text))
    for figure in named:
        start, end = figure.placeholder.span
        taken[start:end] = b"\x01" * (end - start)
    for start, end in _table_syntax(text):  # 列宽：4 3, |---|, 表1: the block's own figures
        taken[start:end] = b"\x01" * (end - start)
    figures = tuple(f for f in figures if not any(taken[f.placeholder.span[0]:f.placeholder.span[1]]))
    places: list[tuple[Placeholder, Figure | None]] = [(ph, None) for ph in blanks]
    places += [(f.placeholder, f) for f in (*named, *figures)]
    places.sort(key=lambda place: place[0].span)
    return tuple(p for p, _ in places), tuple(f for _, f in places)


_TABLE_SYNTAX = re.compile(r"[ \t]*(?:列宽|字号)[：:].*|[ \t]*\|[\s:|-]*\|[ \t]*"
                           rf"|[ \t]*{re.escape(tables.OPEN)}(?:附)?表\s*[0-9０-９]+(?:[-－.．][0-9０-９]+)?")


def _table_syntax(text: str) -> list[tuple[int, int]]:
    """Return the spans of `text` that are table-block syntax, not report text, in table blocks."""
    numbers = table_lines(text)
    spans, offset = [], 0
    for number, line in enumerate(text.split("\n"), start=1):
        if number in numbers:
            match = _TABLE_SYNTAX.match(line)
            if match:
                spans.append((offset, offset + match.end()))
        offset += len(line) + 1
    return spans


def table_lines(text: str) -> set[int]:
    """Return the numbers (from 1) of the lines of `text` inside table blocks, the block lines too."""
    numbers, inside = set(), False
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        inside = inside or stripped.startswith(tables.OPEN)
        if inside:
            numbers.add(number)
        inside = inside and stripped != tables.CLOSE
    return numbers


def table_blanks(text: str, placeholders: tuple[Placeholder, ...]) -> dict[int, _Proposal]:
    """Return a variable for each blank in a table's body cell, by the blank's index.

    A blank in a cell is named by its row (the texts before it in the row: 工业, 产值) and its
    column's header (投资（万元）); its unit, when the cell has none after it, comes from the
    header's brackets or from the row's cell under a 单位 header.
    """
    cells = _body_cells(text)
    proposals = {}
    for index, ph in enumerate(placeholders):
        found = cells.get(ph.line)
        if found is None:
            continue
        caption, heads, row, offset = found
        at = ph.span[0] - offset
        column = next((c for c, (start, end, _) in enumerate(row) if start <= at < end), None)
        if column is None:
            continue
        head = heads[column] if column < len(heads) else ""
        unit_match = _HEAD_UNIT.search(head)
        head_words = _HEAD_UNIT.sub("", head).strip()
        unit_column = next((c for c, h in enumerate(heads) if h.strip() in _UNIT_HEADS), None)
        # A unit in the cell (x万元) wins; else the header's (投资（万元）) or the row's 单位 cell.
        unit = ph.unit if ph.basis == "unit" else (unit_match.group(1).strip() if unit_match else
                                                   row[unit_column][2] if unit_column is not None else "")
        labels = [words for c, (_, _, words) in enumerate(row[:column])
                  if words and c != unit_column and not find_placeholders(words)
                  and not any(ch.isdigit() for ch in words)]
        # 工业 | 工业产值 → 工业产值: a word inside a later one says nothing more.
        labels = [w for i, w in enumerate(labels) if not any(w in other for other in labels[i + 1:])]
        row_words, column_words = "".join(dict.fromkeys(labels)), head_words
        if not row_words:  # the first column: the cell's own words before the blank name it
            row_words = mask_blanks(text[row[column][0] + offset:ph.span[0]]).strip(" |…")
            column_words = ""
        kind = ph.kind
        if ph.basis != "unit":
            probe = find_placeholders(f"{head_words}{ph.token}{unit}")
            kind = probe[0].kind if probe and probe[0].sure else ph.kind
        name = identifier(row_words + column_words)[:NAME_CHARS] or identifier(head_words) or "表格数据"
        label = f"{row_words}（{column_words}）" if row_words and column_words else (
            row_words or head_words or name)
        where = f"表格“{caption}”" if caption else "表格"
        context = f"{where}中“{row_words or '—'}”一行、“{head or '—'}”一列的【】"
        proposals[index] = _Proposal(name, label, kind, unit,
                                     context, ph.token, ph.approx, _places(ph._replace(kind=kind)),
                                     ph.thousands and kind in ("amount", "quantity"))
    return proposals


def _body_cells(text: str) -> dict[int, tuple[str, list[str], list[tuple[int, int, str]], int]]:
    """Return, by line number, each table body row: caption, column heads, cells, line offset.

    Cells are per column (start, end, text), with `<` and `^` resolved to the text they merge into.
    """
    out: dict[int, tuple[str, list[str], list[tuple[int, int, str]], int]] = {}
    caption, rows, heads, offset = "", [], None, 0
    inside = False
    for number, line in enumerate(text.split("\n"), start=1):
        start, offset = offset, offset + len(line) + 1
        stripped = line.strip()
        if stripped.startswith(tables.OPEN):
            inside, caption, rows, heads = True, stripped[len(tables.OPEN):].strip(), [], None
        elif stripped == tables.CLOSE:
            inside = False
        elif inside and stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
            row = _split_row(line, rows[-1] if rows else None)
            if all(_RULE.fullmatch(cell) for _, _, cell in row):
                heads = [cell for _, _, cell in rows[-1]] if rows else []
                continue
            rows.append(row)
            if heads is not None:
                out[number] = (caption, heads, row, start)
    return out


def _split_row(line: str, above: list[tuple[int, int, str]] | None) -> list[tuple[int, int, str]]:
    cells: list[tuple[int, int, str]] = []
    start = line.index("|") + 1
    position = start
    while position < len(line):
        if line[position] == "\\":
            position += 2
            continue
        if line[position] == "|":
            raw = line[start:position].strip()
            if raw == "<" and cells:
                raw = cells[-1][2]
            elif raw == "^" and above is not None and len(cells) < len(above):
                raw = above[len(cells)][2]
            cells.append((start, position, raw.replace("\\|", "|")))
            start = position + 1
        position += 1
    return cells


def arrange_lines(text: str) -> tuple[str, int]:
    """Return report `text` without empty lines, a title block followed by one, and its length.

    Line ends become `\n`. The title block is a title-like first line (at most TITLE_CHARS
    characters, no sentence end, no heading or salutation) and the 题注, date and speaker lines
    right under it; drafter's layout takes the lines before the first empty one for it.
    """
    lines = [line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if line.strip()]
    count = title_block_length(lines)
    if count:
        lines.insert(count, "")
    return "\n".join(lines), count


def title_block_length(lines: list[str]) -> int:
    """Return how many of the first `lines` (none empty) make a title block: 0 without a title."""
    if not lines or not _title_like(lines[0], TITLE_CHARS):
        return 0
    count = 1
    while (count < len(lines) and count <= CAPTION_LINES and _title_like(lines[count], CAPTION_CHARS)
           and _CAPTION.fullmatch(lines[count].strip())):
        count += 1
    return count


def _title_like(line: str, limit: int) -> bool:
    text = line.strip()
    # The same test the layout uses, so what templatize keeps as a title the document sets as one.
    return (len(text) <= limit and not text.endswith(_LINE_ENDS) and paragraph_kind(text) == "body"
            and not text.startswith(tables.OPEN))


def _propose_blank(ph: Placeholder, section: int, previous: str, merger: facts.Facts
                   ) -> tuple[tuple[object, ...], _Proposal, bool]:
    """Return what merges blank `ph` with others of the same fact, its variable, and whether it
    holds a person's name."""
    person = False
    if ph.kind in ("name", "list"):
        found = person_name(ph)
        person = found is not None
        name, label, stem = found or plain_name(ph)
    else:
        name, label, stem = number_name(ph, previous)
    # A name's 村, 镇 or 项目 is text around it, not a unit of measure: the label says it is left out.
    unit = "" if ph.kind in ("name", "list") else ph.unit
    return merger.key(ph, section, stem), _Proposal(
        name, label, ph.kind, unit, ph.context, ph.token, ph.approx, _places(ph),
        ph.thousands and ph.kind in ("amount", "quantity")), person


def _propose_gap(gap: Gap, text: str) -> tuple[tuple[object, ...], _Proposal]:
    """Return what merges cut `gap` with others, and the variable that fills it.

    A figure cut before its unit (辖个社区) is read as the blank it would be (辖x个社区): a number
    of that unit's kind, named as a blank is; a cut phrase is text.
    """
    if gap.rule.figure:
        found, before = _figure_blank(gap, text)
        if found is not None and found.kind not in ("name", "list"):
            previous = number_name(before, "")[0] if before is not None and found.chained else ""
            name, label, _ = number_name(found, previous)
            unit = "" if found.kind == "date" else found.unit
            return ("gap", gap.offset), _Proposal(name, label, found.kind, unit, gap.context, "")
    # Only the very same words are the same phrase: 以……为指导 and 以……为统领 are not.
    merge = ("gap", gap.words) if gap.rule.shared else ("gap", gap.offset)
    return merge, _Proposal(text_name(gap.rule.name), gap.label, "text", "", gap.context, "")


def _figure_blank(gap: Gap, text: str) -> tuple[Placeholder | None, Placeholder | None]:
    """Return the blank figure cut `gap` would be, had the figure been marked (辖x个社区, 定于20xx-xx-xx
    召开), and the blank before it in its line.

    Every figure cut of the line is marked at once, so that 低保户x户x人 names both.
    """
    line_start = text.rfind("\n", 0, gap.offset) + 1
    line = text[line_start:text.find("\n", gap.offset) if "\n" in text[gap.offset:] else len(text)]
    # A date cut before its verb (定于召开) is a whole date; any other cut, one figure.
    cuts = sorted((g.column - 1, "20xx-xx-xx" if g.rule.shape == DATE_CUT else "x")
                  for g in find_gaps(line) if g.rule.figure)
    pieces, position, wanted = [], 0, None
    for column, mark in cuts:
        pieces += [line[position:column]]
        if column == gap.column - 1:
            wanted = sum(len(p) for p in pieces)
        pieces.append(mark)
        position = column
    pieces.append(line[position:])
    probe = find_placeholders("".join(pieces))
    index = next((i for i, ph in enumerate(probe) if ph.span[0] == wanted), None)
    if index is None:
        return None, None
    return probe[index], probe[index - 1] if index else None


def _places(ph: Placeholder) -> int | None:
    return ph.places if ph.kind in ("amount", "quantity", "percent") else None


def _variable(key: str, proposal: _Proposal) -> Variable:
    low, high = DEFAULT_LIMITS.get(proposal.kind, (None, None))
    return Variable(
        key=key, type=proposal.kind, label=proposal.label, unit=proposal.unit, context=proposal.context,
        original=proposal.original, approx=proposal.approx, places=proposal.places,
        thousands=proposal.thousands,
        min=None if low is None else Decimal(low), max=None if high is None else Decimal(high))


def _source(text: str, edits: list[tuple[int, int, str]]) -> tuple[str, bool]:
    """Return `text` with each edit's span replaced by its variable, and whether `{` was escaped."""
    pieces: list[str] = []
    position = 0
    escaped = False
    for start, end, key in edits:
        literal, did = _escape(text[position:start])
        escaped |= did
        pieces += [literal, "{{ ", key, " }}"]
        position = end
    literal, did = _escape(text[position:])
    pieces.append(literal)
    # Jinja drops one final newline: add one so the rendered report ends as the source did.
    return "".join(pieces) + "\n", escaped or did


def _escape(literal: str) -> tuple[str, bool]:
    # Only a `{` that would open a Jinja tag, or stand right before a variable, needs it.
    if "{" not in literal:
        return literal, False
    return _JINJA_OPENERS.sub(RAW_BRACE, literal), True


def _notes(placeholders: tuple[Placeholder, ...], keys: tuple[str, ...], escaped: bool,
           figures: tuple[Figure | None, ...], *, people: set[int]) -> tuple[str, ...]:
    notes = []
    given = {key for key, figure in zip(keys, figures, strict=True) if figure is not None and figure.given}
    for index, (ph, key, figure) in enumerate(zip(placeholders, keys, figures, strict=True)):
        if figure is not None:
            if figure.note:
                notes.append(f"第 {ph.line} 行 {key}：“{ph.token}”{figure.note}。原句：{ph.context}")
        elif not ph.sure and index not in people and not key.startswith(f"{facts.INFO_GROUP}."):
            notes.append(f"第 {ph.line} 行 {key}：空位后面没有单位，按“名称”处理，请核对类型。"
                         f"原句：{ph.context}")
    uses: dict[str, list[int]] = {}
    for ph, key in zip(placeholders, keys, strict=True):
        uses.setdefault(key, []).append(ph.line)
    # A finished report's places merge only with the same figure as well: say so.
    same = "数字词语、单位和数值" if any(f is not None and not f.given for f in figures) else "空位词语和单位"
    for key, lines in uses.items():
        if len(lines) > 1 and key not in given:
            rows = list(dict.fromkeys(lines))
            where = "、".join(str(n) for n in rows[:10]) + ("等" if len(rows) > 10 else "")
            if any(f is not None and not f.given for f in figures):
                same = "处数字词语、单位和数值相同"  # a finished report's figures merge only when equal
            elif key.startswith(f"{facts.INFO_GROUP}."):
                same = "处空位都是报告单位自己的名称"
            else:
                same = "处空位词语（连同主语）和单位相同"
            notes.append(f"{key}：第 {where} 行的 {len(lines)} {same}，合为一个变量；"
                         "如不是同一项，请在 template.txt 中改用新的变量。")
    bare = list(dict.fromkeys(
        key for index, (ph, key) in enumerate(zip(placeholders, keys, strict=True))
        if ph.kind == "name" and not ph.unit and index not in people and not facts.names_a_thing(ph)
        and not key.startswith(f"{facts.INFO_GROUP}.") and key not in given))
    if len(bare) > 1:
        shown = "、".join(bare[:8]) + ("等" if len(bare) > 8 else "")
        notes.append(f"{len(bare)} 个名称空位后面没有“村”“镇”等字（{shown}），"
                     "可能指同一个名称（如本地地名）；如是，可在 template.txt 中改用同一个变量，"
                     "并从 schema.yaml 删去其余的。")
    if escaped:
        notes.append(f"报告原文含有“{{”，已在 template.txt 中写成 {RAW_BRACE}，以免被当作模板语法。")
    return tuple(notes)
