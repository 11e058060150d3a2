"""A template's table blocks aligned with a report's tables → the values in their cells.

`word.read_report` gives each .docx table as a table block (【表格】…【表格完】, the syntax of
template.txt). Each template table is paired with the report table whose caption, header and fixed
rows agree best; header rows pair by position; fixed body rows are found in order (those after a
repeated row from the end), and the body rows between them are the repeated row's items, one
item a row. A cell is matched alone: a cell the clerk rewrote loses its own values only, and a
row rewritten whole keeps its place as an item with its values not recovered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from . import convert, extract, records, tables
from .schema import Schema, Variable

_SLOT = re.compile(r"\{\{\s*([^\s}]+)\s*\}\}")
_RAW = re.compile(r"\{% raw %\}(.*?)\{% endraw %\}", re.S)
_ESCAPED_BAR = re.compile(r"(?<!\\)\|")
_RULE = re.compile(r":?-{3,}:?")
# A paragraph naming the table under it, too long for read_report to take as the caption.
_LONG_CAPTION = re.compile(r"\s*(?:附)?表\s*[0-9０-９一二三四五六七八九十]+\S*[\s\u3000：:]+\S.*")

Column = tuple[str, str]   # a cell's text and its merge mark: "", "<" (merged left) or "^" (merged up)
Value = str | list[str]


class ReportRow(NamedTuple):
    """One row of a report's table: its columns and its line in the report text."""

    columns: tuple[Column, ...]
    line: int

    @property
    def text(self) -> str:
        """Return the row as the report shows it: its cells between |."""
        return "| " + " | ".join(text for text, mark in self.columns if not mark) + " |"


class ReportTable(NamedTuple):
    """A table block of the report text: caption, rows, and its first line.

    Which rows head it is the template's to say: Word marks header rows only when asked to, and
    `read_report` guesses for a table that does not.
    """

    caption: str
    rows: tuple[ReportRow, ...]
    line: int

    @property
    def width(self) -> int:
        """Return the number of columns."""
        return len(self.rows[0].columns) if self.rows else 0


@dataclass
class TableValues:
    """What the tables of a report gave: plain values (with their line), lists, what was lost, why."""

    found: dict[str, list[tuple[Value, int]]] = field(default_factory=dict)
    lists: dict[str, list[dict[str, Value]]] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)  # variable or list item's cell → why
    departures: list[extract.Departure] = field(default_factory=list)


def report_tables(report: str) -> tuple[str, tuple[ReportTable, ...]]:
    """Return `report` with each table block's lines emptied (line numbers kept), and the tables."""
    lines = report.split("\n")
    found = []
    index = 0
    while index < len(lines):
        if not lines[index].strip().startswith(tables.OPEN):
            index += 1
            continue
        end = next((i for i in range(index + 1, len(lines)) if lines[i].strip() == tables.CLOSE),
                   len(lines) - 1)
        table = _report_table(lines, index, end)
        if not table.caption and index and _LONG_CAPTION.fullmatch(lines[index - 1]):
            table = table._replace(caption=lines[index - 1].strip())
            lines[index - 1] = ""
        found.append(table)
        lines[index:end + 1] = [""] * (end + 1 - index)
        index = end + 1
    return "\n".join(lines), tuple(found)


def _report_table(lines: list[str], start: int, end: int) -> ReportTable:
    caption = lines[start].strip()[len(tables.OPEN):].strip()
    rows: list[ReportRow] = []
    for number in range(start + 1, end):
        line = lines[number].strip()
        if not (line.startswith("|") and line.endswith("|") and len(line) > 1):
            continue  # 列宽, or a line that is no row
        cells = [c.strip() for c in _ESCAPED_BAR.split(line[1:-1])]
        if all(_RULE.fullmatch(c) for c in cells):
            continue
        rows.append(ReportRow(tuple(_column(c) for c in cells), number + 1))
    return ReportTable(caption, tuple(rows), start + 1)


def _column(cell: str) -> Column:
    """Return a report cell as (text, merge mark): `<` and `^` are marks, `\\<` and `\\^` text."""
    if cell in ("<", "^"):
        return "", cell
    return (cell[1:] if cell in ("\\<", "\\^") else cell.replace("\\|", "|")), ""


def template_source(source: str) -> tuple[str, frozenset[int]]:
    """Return template `source` with each table block's lines emptied (line numbers kept), and the
    numbers of the lines right after a block."""
    lines = source.split("\n")
    inside, after = False, set()
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(tables.OPEN):
            inside = True
        if inside:
            lines[index] = ""
        if stripped == tables.CLOSE:
            inside = False
            after.add(index + 2)
    return "\n".join(lines), frozenset(after)


def _columns(row: tables.RowSpec) -> tuple[Column, ...]:
    out: list[Column] = []
    for cell in row.cells:
        out.append(("", "^") if cell.continued else (cell.text, ""))
        out += [("", "<")] * (cell.span - 1)
    return tuple(out)


def column_variable(schema: Schema, key: str) -> Variable | None:
    """Return the variable of `key`: a plain 组.名称, or a list's column 组.名称.列."""
    head, _, column = key.rpartition(".")
    if key.count(".") == 2:
        listed = schema.get(head)
        return next((c for c in listed.columns if c.name == column), None) if listed else None
    return schema.get(key)


@lru_cache(maxsize=512)
def _cell_pattern(text: str, kinds: tuple[tuple[str, str, str], ...]
                  ) -> tuple[re.Pattern[str], tuple[str, ...]]:
    by_key = {key: (kind, sep) for key, kind, sep in kinds}
    text = _RAW.sub(lambda m: m.group(1), text)
    pattern, keys, position = [r"\s*"], [], 0
    for match in _SLOT.finditer(text):
        pattern.append(extract.literal_pattern(text[position:match.start()]))
        kind, sep = by_key[match.group(1)]
        # The cell's edges bound a name: any character may be in it.
        value = r"[^\n]+?" if kind in ("name", "text") else extract.value_pattern(kind, sep)
        pattern.append(f"(?P<g{len(keys)}>{value})\\s*")
        keys.append(match.group(1))
        position = match.end()
    pattern.append(extract.literal_pattern(text[position:]) + r"\s*")
    return re.compile("".join(pattern)), tuple(keys)


class _Matcher:
    """Cells of template rows matched against cells of report rows, values parsed by their type."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema

    def cell(self, template: Column, report: Column) -> dict[str, str] | None:
        """Return the text of each variable in `template`'s cell as `report` has it, or None."""
        if template[1] or report[1]:
            return {} if template[1] == report[1] else None
        keys = tuple(dict.fromkeys(m.group(1) for m in _SLOT.finditer(template[0])))
        kinds = []
        for key in keys:
            var = column_variable(self.schema, key)
            kinds.append((key, var.type if var else "text", var.sep if var else "、"))
        pattern, groups = _cell_pattern(template[0], tuple(kinds))
        match = pattern.fullmatch(report[0])
        if match is None:
            return None
        return {key: match.group(f"g{i}") for i, key in enumerate(groups)}

    def row(self, template: tables.RowSpec, report: ReportRow | None
            ) -> tuple[dict[str, str], dict[str, str]]:
        """Return the texts `report` has for `template`'s variables, and the variables not matched
        with the text of their cell in `report` ("" when it has no such cell)."""
        texts: dict[str, str] = {}
        lost: dict[str, str] = {}
        columns = _columns(template)
        for index, column in enumerate(columns):
            keys = [m.group(1) for m in _SLOT.finditer(column[0])]
            found, cell = None, ""
            if report is not None and len(report.columns) == len(columns):
                found, cell = self.cell(column, report.columns[index]), report.columns[index][0]
            if found is None:
                lost.update(dict.fromkeys(keys, cell))
            else:
                texts.update(found)
        return texts, lost

    def matches(self, template: tables.RowSpec, report: ReportRow) -> bool:
        """Return True when every cell of `report` matches `template`'s."""
        columns = _columns(template)
        return len(report.columns) == len(columns) and all(
            self.cell(c, r) is not None for c, r in zip(columns, report.columns, strict=True))


def extract_tables(specs: Sequence[tables.TableSpec], report: Sequence[ReportTable],
                   schema: Schema, *, from_docx: bool) -> TableValues:
    """Return the values the report's tables give for the template's tables `specs`.

    A text report (not `from_docx`) has no tables: their values are not recovered.
    """
    matcher = _Matcher(schema)
    out = TableValues()
    start, used = 0, set()
    for spec in specs:
        chosen = _choose_table(spec, report[start:], matcher)
        if chosen is None and from_docx and _omitted_when_empty(spec, schema):
            # Rendered with its lists empty, such a table is left out whole: its absence is that.
            out.lists.update((key, []) for key in spec.columns_used)
            for key in spec.keys:
                out.missing.setdefault(key, f"模板第 {spec.line} 行的表格没有印出（清单为空时整表省略）")
            continue
        if chosen is None:
            _lose_table(spec, schema, out, "报告中找不到模板第 {line} 行的表格" if from_docx else
                        "文本报告中没有表格（请用 .docx 报告，或对照报告填写）")
            continue
        table = report[start + chosen]
        used.add(start + chosen)
        start += chosen + 1
        _read_table(spec, table, schema, matcher, out)
    for index, table in enumerate(report):
        if index not in used:  # a table the template does not have
            first = table.rows[0].text if table.rows else ""
            shown = tables.OPEN + (f"{table.caption} {first}" if table.caption else first)
            out.departures.append(extract.Departure((), "", table.line, shown))
    return out


def _omitted_when_empty(spec: tables.TableSpec, schema: Schema) -> bool:
    """Return True when `spec` prints nothing for empty lists: no fixed body row, every list 省略."""
    lists = [schema.get(key) for key in spec.columns_used]
    return all(row.header or row.repeat for row in spec.rows) and bool(lists) and all(
        var is not None and var.empty == tables.EMPTY_HIDE for var in lists)


def _score(spec: tables.TableSpec, table: ReportTable, matcher: _Matcher) -> int:
    if table.width != len(spec.widths):
        return -1
    score = int(bool(spec.caption) and matcher.cell((spec.caption, ""), (table.caption, "")) is not None)
    header = [row for row in spec.rows if row.header]
    for row, found in zip(header, table.rows, strict=False):
        score += sum(1 for c, r in zip(_columns(row), found.columns, strict=True)
                     if (c[0].strip() or c[1]) and matcher.cell(c, r) is not None)
    fixed = [row for row in spec.rows if not row.header and not row.repeat]
    body = table.rows[len(header):]
    score += sum(1 for row in fixed if any(matcher.matches(row, found) for found in body))
    return score


def _choose_table(spec: tables.TableSpec, candidates: Sequence[ReportTable], matcher: _Matcher) -> int | None:
    scores = [_score(spec, table, matcher) for table in candidates]
    best = max(scores, default=-1)
    # A table with no caption, header or fixed row to recognise it by is the next of its width.
    bare = not spec.caption.strip() and all(row.repeat for row in spec.rows)
    return scores.index(best) if best > 0 or (bare and best == 0) else None


def _lose_table(spec: tables.TableSpec, schema: Schema, out: TableValues, why: str) -> None:
    reason = why.format(line=spec.line)
    for key in [*spec.keys, *spec.columns_used]:
        out.missing.setdefault(key, reason)
    shown = spec.caption or "表格"
    out.departures.append(extract.Departure((spec.line,), _shown(shown, schema), None, ""))


def _shown(text: str, schema: Schema) -> str:
    def label(match: re.Match[str]) -> str:
        var = column_variable(schema, match.group(1))
        return f"【{var.label if var else match.group(1)}】"

    return _SLOT.sub(label, _RAW.sub(lambda m: m.group(1), text))


def _row_shown(row: tables.RowSpec, schema: Schema) -> str:
    return "| " + " | ".join(_shown(c.text, schema) for c in row.cells if not c.continued) + " |"


def _read_table(spec: tables.TableSpec, table: ReportTable, schema: Schema, matcher: _Matcher,
                out: TableValues) -> None:
    if spec.caption and _SLOT.search(spec.caption):
        caption = tables.RowSpec((tables.CellSpec(spec.caption),), spec.line)
        _take(caption, ReportRow(((table.caption, ""),), table.line), schema, matcher, out)
    header = [row for row in spec.rows if row.header]
    for index, row in enumerate(header):
        _take(row, table.rows[index] if index < len(table.rows) else None, schema, matcher, out)
    body = [row for row in spec.rows if not row.header]
    rows = list(table.rows[len(header):])
    placed = _place_fixed(body, rows, matcher)
    used: set[int] = set(placed.values())
    for index, row in enumerate(body):
        if row.repeat is None:
            continue
        before = max((placed[i] for i in placed if i < index), default=-1)
        after = min((placed[i] for i in placed if i > index), default=len(rows))
        region = [r for r in range(before + 1, after) if r not in used]
        # Fixed rows lost next to the list (edited) take the rows at the region's ends that are no item.
        for lost in [i for i in range(index - 1, -1, -1) if i not in placed and body[i].repeat is None]:
            if region and not matcher.matches(row, rows[region[0]]):
                placed[lost] = region.pop(0)
        for lost in [i for i in range(index + 1, len(body)) if i not in placed and body[i].repeat is None]:
            if region and not matcher.matches(row, rows[region[-1]]):
                placed[lost] = region.pop()
        used.update(region)
        used.update(placed.values())
        _take_items(row, [rows[r] for r in region], schema, matcher, out)
    for index, row in enumerate(body):
        if row.repeat is None:
            _take(row, rows[placed[index]] if index in placed else None, schema, matcher, out)
    for number, extra in enumerate(rows):
        if number not in used and number not in placed.values():
            out.departures.append(extract.Departure((), "", extra.line, extra.text))


def _place_fixed(body: list[tables.RowSpec], rows: list[ReportRow], matcher: _Matcher) -> dict[int, int]:
    """Return, for each fixed body row found, the report row it is: in order, from the end after a list."""
    placed: dict[int, int] = {}
    first_list = next((i for i, row in enumerate(body) if row.repeat), len(body))
    position = 0
    for index in range(first_list):
        found = next((r for r in range(position, len(rows)) if matcher.matches(body[index], rows[r])), None)
        if found is not None:
            placed[index], position = found, found + 1
    floor, position = position, len(rows) - 1
    for index in range(len(body) - 1, first_list, -1):
        if body[index].repeat:
            continue
        found = next((r for r in range(position, floor - 1, -1)
                      if matcher.matches(body[index], rows[r])), None)
        if found is not None:
            placed[index], position = found, found - 1
    return placed


def _take(row: tables.RowSpec, report: ReportRow | None, schema: Schema, matcher: _Matcher,
          out: TableValues) -> None:
    """Add the values of fixed `row` as `report` has them; a cell not matched loses its own."""
    texts, lost = matcher.row(row, report)
    for key, text in texts.items():
        _add_plain(key, text, report.line if report else 0, schema, out)
    for key, cell in lost.items():
        if schema.get(key) is not None:
            out.missing.setdefault(key, _unmatched(key, cell, row, report.line if report else None, schema))
    if lost:
        where = (report.line, report.text) if report else (None, "")
        out.departures.append(extract.Departure((row.line,), _row_shown(row, schema), *where))


def _take_items(row: tables.RowSpec, found: list[ReportRow], schema: Schema, matcher: _Matcher,
                out: TableValues) -> None:
    """Add the list items of repeated `row`: one a report row, or none for the empty list's row."""
    listed = schema.get(row.repeat or "")
    if listed is None or row.repeat in out.lists:
        return
    if len(found) == 1 and _is_empty_row(found[0], listed):
        out.lists[listed.key] = []
        return
    columns = {c.name: c for c in listed.columns}
    items: list[dict[str, Value]] = []
    for index, report in enumerate(found):
        texts, lost = matcher.row(row, report)
        item: dict[str, Value] = {}
        for key, text in texts.items():
            head, _, name = key.rpartition(".")
            if head != listed.key:
                _add_plain(key, text, report.line, schema, out)
                continue
            try:
                item[name] = extract.clerk_value(columns[name], text)
            except convert.BadValue as err:
                out.missing[records.item_key(listed, index, name)] = \
                    f"报告第 {report.line} 行表格中写的是“{text}”：{err.message}"
        for key, cell in lost.items():
            head, _, name = key.rpartition(".")
            if head == listed.key:
                out.missing[records.item_key(listed, index, name)] = _unmatched(key, cell, row, report.line,
                                                                                schema)
        if lost:
            out.departures.append(extract.Departure((row.line,), _row_shown(row, schema), report.line,
                                                    report.text))
        items.append(item)
    out.lists[listed.key] = items


def _unmatched(key: str, cell: str, row: tables.RowSpec, line: int | None, schema: Schema) -> str:
    """Return why the value `key` of template `row` was not found in the report's cell `cell`."""
    if line is None:
        return f"报告的表格中找不到模板第 {row.line} 行（改写或删去了）"
    var = column_variable(schema, key)
    what = f"【{var.label}】（{var.type_label}）" if var else "这一格"
    shown = f"写的是“{cell}”" if cell else "是空的"
    return f"报告第 {line} 行表格中这一格{shown}，对不上模板第 {row.line} 行的{what}（改写了？）"


def _add_plain(key: str, text: str, line: int, schema: Schema, out: TableValues) -> None:
    var = schema.get(key)
    if var is None:
        return
    try:
        out.found.setdefault(key, []).append((extract.clerk_value(var, text), line))
    except convert.BadValue as err:
        out.missing.setdefault(key, f"报告第 {line} 行表格中写的是“{text}”：{err.message}")


def _is_empty_row(row: ReportRow, listed: Variable) -> bool:
    """Return True for the one row an empty list prints: its `empty` text across the table."""
    first, *rest = row.columns
    return all(mark == "<" for _, mark in rest) and "".join(first[0].split()) == "".join(listed.empty.split())

