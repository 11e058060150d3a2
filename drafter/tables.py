"""Table blocks of template.txt → table specs, and a spec with values → a laid-out table. Pure.

A table is drafter's own syntax, not Jinja, so a template stays plain text with only `{{ 组.名称 }}`
in it (docs/template-format.md):

    【表格】表1　重点项目进展情况
    列宽：4 3 2
    | 项目 | 投资（万元） | 进度（%） |
    |------|-------------:|:---------:|
    | {{ 项目建设.重点项目.名称 }} | {{ 项目建设.重点项目.投资 }} | {{ 项目建设.重点项目.进度 }} |
    【表格完】

Rows above the `|---|` line are header rows; a cell that is only `<` is merged into the cell on its
left, one that is only `^` into the cell above; a row using the columns of a list variable
(`{{ 组.名称.列 }}`) is repeated once per item of that list. The block is taken out of the text
Jinja renders and left there as one marker line, so line numbers in Jinja's errors stay right.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from . import render
from .errors import TemplateError
from .layout import Block, Cell, Row, Segment, Table, line_segments

OPEN, CLOSE = "【表格】", "【表格完】"
# Private-use characters after render.py's value marks (U+E000–U+E004).
MARKER = "\ue005"        # brackets the number of a table in the text Jinja renders
CELL_SEPARATOR = "\ue006"  # between the cells of one row rendered as one Jinja template
_INTERNAL = re.compile("[\ue000-\ue006]")  # drafter's own marks: never in a template's text
SIZES = {"四号": 28, "小四": 24, "五号": 21}  # half-points; the names are schema.TABLE_SIZES
DEFAULT_SIZE = "四号"   # when neither the block's 字号 nor the schema's table_size says
EMPTY_HIDE = "省略"      # the schema's `empty` for a list whose empty table row is left out
ITEM_MARK = "#"         # between a list column's key and its item's number in an anchor key
_OPTION = re.compile(r"(列宽|字号)\s*[：:]\s*(.*)")
_RULE_CELL = re.compile(r":?-{3,}:?")
_FIGURE = re.compile(r"[+-]?[\d０-９][\d０-９,，.．]*\s*[%％‰]?|[—-]{1,2}")
_ALIGN = {(True, False): "left", (False, True): "right", (True, True): "center", (False, False): ""}


class CellSpec(NamedTuple):
    """One cell of a template table: its text (with `{{ }}`), columns covered, merged upwards."""

    text: str
    span: int = 1
    continued: bool = False  # `^`: the lower part of the cell above


class RowSpec(NamedTuple):
    """One row of a template table, where it stands, and the list it repeats for, if any."""

    cells: tuple[CellSpec, ...]
    line: int
    header: bool = False
    repeat: str | None = None  # the dotted key of the list variable whose items make the rows
    keys: tuple[str, ...] = ()  # the variables its cells use (组.名称, and 组.名称.列 when repeated)


class TableSpec(NamedTuple):
    """A table block of template.txt, checked: caption, relative widths, alignment, size, rows."""

    caption: str
    widths: tuple[int, ...]
    aligns: tuple[str, ...]   # per column: left, right, center, or "" (figures right, text left)
    size: str
    rows: tuple[RowSpec, ...]
    line: int

    @property
    def keys(self) -> dict[str, int]:
        """Return the plain variables (组.名称) the table uses, with the first line using each."""
        found = dict.fromkeys(render.template_keys(self.caption, file=""), self.line)
        for row in self.rows:
            for key, line in row_keys(row).items():
                if key.count(".") == 1:
                    found.setdefault(key, line)
        return found

    @property
    def columns_used(self) -> dict[str, dict[str, int]]:
        """Return, by list variable, the columns its repeated rows use, with their lines."""
        found: dict[str, dict[str, int]] = {}
        for row in self.rows:
            for key, line in row_keys(row).items():
                if key.count(".") == 2:
                    head, _, column = key.rpartition(".")
                    found.setdefault(head, {}).setdefault(column, line)
        return found


def marker(index: int) -> str:
    """Return the line that stands for table number `index` in the rendered text."""
    return f"{MARKER}{index}{MARKER}"


def row_source(row: RowSpec) -> str:
    """Return the Jinja source of `row`: its cells' texts joined by CELL_SEPARATOR."""
    return CELL_SEPARATOR.join(cell.text for cell in row.cells)


def row_keys(row: RowSpec) -> dict[str, int]:
    """Return the variables row `row` uses (组.名称 and, in a repeated row, 组.名称.列), with its line."""
    return dict.fromkeys(row.keys, row.line)


def split_source(source: str, *, file: str) -> tuple[str, tuple[TableSpec, ...]]:
    """Return `source` with each table block made one marker line, and the blocks' specs.

    Raise TemplateError, with the line, for a block that is not well formed.
    """
    internal = _INTERNAL.search(source)
    if internal:
        line = source.count("\n", 0, internal.start()) + 1
        raise TemplateError(f"模板中有无法显示的字符（U+{ord(internal.group()):04X}）。", file=file,
                            line=line, hint="删去这个字符（多半是从别处复制带进来的）。")
    if OPEN not in source and CLOSE not in source:
        return source, ()
    lines = source.split("\n")
    out: list[str] = []
    tables: list[TableSpec] = []
    index = 0
    while index < len(lines):
        stripped = lines[index].strip()
        if stripped == CLOSE:
            raise TemplateError(f"“{CLOSE}”前面没有“{OPEN}”。", file=file, line=index + 1,
                                hint=f"表格写在“{OPEN}”一行和“{CLOSE}”一行之间。")
        if not stripped.startswith(OPEN):
            out.append(lines[index])
            index += 1
            continue
        end = next((i for i in range(index + 1, len(lines)) if lines[i].strip() in (CLOSE,)
                    or lines[i].strip().startswith(OPEN)), None)
        if end is None or lines[end].strip() != CLOSE:
            raise TemplateError(f"表格没有结束行“{CLOSE}”。", file=file, line=index + 1,
                                hint=f"在表格最后一行的下一行写“{CLOSE}”。")
        tables.append(parse_table(lines[index:end], first_line=index + 1, file=file))
        # A Jinja comment keeps the block's line breaks, so later lines keep their numbers.
        out.append(marker(len(tables) - 1) + "{#" + "\n" * (end - index) + "#}")
        index = end + 1
    return "\n".join(out), tuple(tables)


def template_variables(source: str, *, file: str) -> tuple[str, tuple[TableSpec, ...], dict[str, int]]:
    """Return `source` ready for Jinja (tables as marker lines), its tables, and the variables it uses.

    The variables are 组.名称 keys with the first line using each; a list variable counts once, on
    the first line using one of its columns.
    """
    text, specs = split_source(source, file=file)
    used = render.template_keys(text, file=file)
    if not specs:
        return text, specs, used
    for spec in specs:
        for key, line in spec.keys.items():
            used.setdefault(key, line)
        for key, columns in spec.columns_used.items():
            used.setdefault(key, min(columns.values()))
    return text, specs, dict(sorted(used.items(), key=lambda item: item[1]))


def parse_table(lines: Sequence[str], *, first_line: int, file: str) -> TableSpec:
    """Return the spec of the table block `lines` (from the 【表格】 line, without the closing one)."""
    caption = lines[0].strip()[len(OPEN):].strip()
    try:  # the caption may hold variables (表1　{{ 基本信息.年份 }}年主要指标), not a list's columns
        render.template_keys(caption, file=file)
    except TemplateError as err:
        raise TemplateError(err.message, file=file, line=first_line, hint=err.hint) from err
    widths: tuple[int, ...] = ()
    size = ""  # the schema's table_size, else DEFAULT_SIZE
    aligns: tuple[str, ...] = ()
    rows: list[RowSpec] = []
    header_end: int | None = None
    for offset, text in enumerate(lines[1:], start=1):
        number = first_line + offset
        line = text.strip()
        if not line:
            continue
        option = _OPTION.fullmatch(line)
        if option and not rows:
            if option.group(1) == "列宽":
                widths = _widths(option.group(2), file, number)
            else:
                size = option.group(2).strip()
                if size not in SIZES:
                    raise TemplateError(f"表格字号“{size}”不可用。", file=file, line=number,
                                        hint=f"可用：{'、'.join(SIZES)}（正文是三号，表格宜小一些）。")
            continue
        if not (line.startswith("|") and line.endswith("|") and len(line) > 1):
            raise TemplateError("表格中的每一行应以“|”开头、以“|”结尾。", file=file, line=number,
                                hint="例如 | 项目 | {{ 项目建设.投资 }} |；列宽、字号写在第一行表格之前。")
        texts = _cells(line[1:-1])
        if all(_RULE_CELL.fullmatch(t) for t in texts):
            if header_end is not None or not rows:
                raise TemplateError("表头分隔行 |---| 只能有一行，且写在表头之后。", file=file, line=number,
                                    hint="分隔行以上是表头（每页重复），以下是表身。")
            header_end = len(rows)
            aligns = tuple(_ALIGN[t.startswith(":"), t.endswith(":")] for t in texts)
            _same_count(len(texts), rows[0], file, number)
            continue
        rows.append(_row(texts, number, file))
        _same_count(_width(rows[-1]), rows[0], file, number)
    if not rows:
        raise TemplateError("表格没有任何行。", file=file, line=first_line,
                            hint="在“【表格】”和“【表格完】”之间写表格的行，如 | 项目 | 数值 |。")
    columns = _width(rows[0])
    if widths and len(widths) != columns:
        raise TemplateError(f"列宽给了 {len(widths)} 个数，表格有 {columns} 列。", file=file,
                            line=first_line, hint="列宽的个数应与列数相同，例如“列宽：4 2 2”。")
    rows = [row._replace(header=header_end is not None and i < header_end) for i, row in enumerate(rows)]
    repeated_head = next((row for row in rows if row.header and row.repeat), None)
    if repeated_head is not None:
        raise TemplateError("表头行不能按清单重复。", file=file, line=repeated_head.line,
                            hint="把用到清单各列的行写在分隔行 |---| 之下。")
    _check_rows(rows, file)
    return TableSpec(caption=caption, widths=widths or (1,) * columns, aligns=aligns or ("",) * columns,
                     size=size, rows=tuple(rows), line=first_line)


def _widths(text: str, file: str, line: int) -> tuple[int, ...]:
    parts = text.replace("，", " ").replace(",", " ").split()
    if not parts or not all(p.isdigit() and 0 < int(p) <= 100 for p in parts):
        raise TemplateError(f"列宽“{text}”应为 1～100 的整数，用空格隔开。", file=file, line=line,
                            hint="按比例写每列宽度，例如“列宽：4 2 2”：第一列是另两列的两倍宽。")
    return tuple(int(p) for p in parts)


# What a row splits on (|), and what it does not look inside: a `\|`, a `{{ }}` (a | there is a
# filter, refused with its own message) and Jinja's raw blocks, which templatize writes for a `{`.
_CELL_PARTS = re.compile(r"\{% raw %\}.*?\{% endraw %\}|\{\{.*?\}\}|\\\||\|")


def _cells(inner: str) -> list[str]:
    cells, start, pieces = [], 0, []
    for match in _CELL_PARTS.finditer(inner):
        if match.group() == "|":
            pieces.append(inner[start:match.start()])
            cells.append("".join(pieces).strip())
            pieces, start = [], match.end()
        elif match.group() == "\\|":
            pieces.append(inner[start:match.start()] + "|")
            start = match.end()
    pieces.append(inner[start:])
    cells.append("".join(pieces).strip())
    return cells


def _row(texts: list[str], line: int, file: str) -> RowSpec:
    cells: list[CellSpec] = []
    for text in texts:
        if text == "<":
            if not cells:
                raise TemplateError("每行第一格不能是“<”（向左合并）。", file=file, line=line,
                                    hint="“<”把这一格并入左边一格；第一格左边没有格子。")
            cells[-1] = cells[-1]._replace(span=cells[-1].span + 1)
        elif text == "^":
            cells.append(CellSpec("", continued=True))
        else:  # \< and \^ are the characters themselves
            cells.append(CellSpec(text[1:] if text in ("\\<", "\\^") else text))
    row = RowSpec(tuple(cells), line)
    try:
        keys = render.template_keys(row_source(row), file=file, parts=(2, 3))
    except TemplateError as err:
        raise TemplateError(err.message, file=file, line=line, hint=err.hint) from err
    lists = sorted({key.rpartition(".")[0] for key in keys if key.count(".") == 2})
    if len(lists) > 1:
        raise TemplateError(f"一行只能按一个清单重复，这一行用了 {'、'.join(lists)}。", file=file, line=line,
                            hint="把不同清单的列分到不同的表格行。")
    return row._replace(repeat=lists[0] if lists else None, keys=tuple(keys))


def _width(row: RowSpec) -> int:
    return sum(cell.span for cell in row.cells)


def _same_count(count: int, first: RowSpec, file: str, line: int) -> None:
    if count != _width(first):
        raise TemplateError(f"这一行有 {count} 格，表格第一行有 {_width(first)} 格。", file=file, line=line,
                            hint="每行的格数（含 < 和 ^）应相同；文字中的“|”写成“\\|”。")


def _starts(row: RowSpec) -> list[int]:
    starts, column = [], 0
    for cell in row.cells:
        starts.append(column)
        column += cell.span
    return starts


def _check_rows(rows: list[RowSpec], file: str) -> None:
    """Raise unless every `^` continues a cell of the same columns right above it."""
    for index, row in enumerate(rows):
        for cell, start in zip(row.cells, _starts(row), strict=True):
            if not cell.continued:
                continue
            where = {"file": file, "line": row.line}
            if index == 0 or rows[index - 1].header != row.header:
                raise TemplateError("“^”（向上合并）上面没有可合并的格子（表头和表身不能合并）。", **where,
                                    hint="“^”把这一格并入上一行同一列的格子。")
            above = rows[index - 1]
            if row.repeat or above.repeat:
                raise TemplateError("按清单重复的行不能向上合并（“^”）。", **where,
                                    hint="重复的行数由清单决定，请去掉这一格的“^”。")
            match = [c for c, s in zip(above.cells, _starts(above), strict=True) if s == start]
            if not match or match[0].span != cell.span:
                raise TemplateError("“^”上面的格子与它的列不对齐。", **where,
                                    hint="向上合并的格子应与上一行的格子占同样的列（“<”也要一样）。")


# --- laying out a table with values ------------------------------------------------------------


class Items(NamedTuple):
    """The printed items of one list variable: a dict (column → text) each; a missing cell absent."""

    rows: tuple[Mapping[str, str], ...]
    labels: Mapping[str, str]   # column → its label, for the 【label】 of a missing cell
    empty: str                  # text of the row an empty list prints, or EMPTY_HIDE


class PreparedTable(NamedTuple):
    """A table spec with each row compiled once, ready to render many value sets."""

    spec: TableSpec
    compiled: tuple[object, ...]
    caption: object = None


def prepare_table(spec: TableSpec, *, file: str) -> PreparedTable:
    """Return `spec` with its rows and caption compiled: cut at their holes, 组.名称 and 组.名称.列."""
    compiled = []
    for row in spec.rows:
        try:
            compiled.append(render.compile_source(row_source(row), file=file))
        except TemplateError as err:
            raise TemplateError(err.message, file=file, line=row.line, hint=err.hint) from err
    caption = render.compile_source(spec.caption, file=file) if spec.caption else None
    return PreparedTable(spec, tuple(compiled), caption)


def render_table(table: PreparedTable, text: Mapping[str, str], missing: Mapping[str, str],
                 items: Mapping[str, Items], *, mark: bool = False, size: str = "",
                 anchor: bool = False) -> Block | None:
    """Return the laid-out table for printed values `text`, list items `items`, `missing` labels.

    `size` is the cell size for a table whose block sets none (the schema's table_size).
    A repeated row comes out once per item; an empty list gives one row with the schema's text
    across the table, or none. With `anchor`, each value carries its key for the writer's anchors,
    a list item's cells their item's number too (`item_anchor`). Return None when that leaves no
    body row: the table and its caption are left out. A list missing in a draft gives one row of 【label】s.
    """
    spec = table.spec
    rendered: list[tuple[RowSpec, Sequence[str] | None]] = []
    for row, compiled in zip(spec.rows, table.compiled, strict=True):
        # Only the row's own variables go to Jinja: a list of many items must not copy them all.
        own = {key: text[key] for key in row.keys if key in text}
        own_missing = {key: missing[key] for key in row.keys if key in missing}
        if row.repeat is None:
            rendered.append((row, _render_row(compiled, own, own_missing, mark, anchor)))
            continue
        listed = items[row.repeat]
        if not listed.rows and listed.empty != EMPTY_HIDE:
            filler = CellSpec(listed.empty, span=len(spec.widths))
            rendered.append((RowSpec((filler,), row.line, repeat=row.repeat), None))
        for index, item in enumerate(listed.rows):
            values = {**own, **{f"{row.repeat}.{c}": v for c, v in item.items()}}
            absent = {f"{row.repeat}.{c}": f"【{label}】" for c, label in listed.labels.items()
                      if c not in item}
            names = {f"{row.repeat}.{c}": item_anchor(f"{row.repeat}.{c}", index) for c in item}
            rendered.append((row, _render_row(compiled, values, {**own_missing, **absent}, mark, anchor,
                                              names)))
    caption = render.render(table.caption, text, mark=mark, missing=missing,  # type: ignore[arg-type]
                            anchor=anchor) if table.caption else ""
    return lay_out_table(spec, rendered, caption, size)


def _render_row(compiled: object, text: Mapping[str, str], missing: Mapping[str, str],
                mark: bool, anchor: bool, names: Mapping[str, str] | None = None) -> list[str]:
    return render.render(compiled, text, mark=mark, missing=missing,  # type: ignore[arg-type]
                         anchor=anchor, anchor_keys=names).split(CELL_SEPARATOR)


def item_anchor(key: str, index: int) -> str:
    """Return the anchor key of column `key` (组.名称.列) in item `index` (from 0): 组.名称.列#1."""
    return f"{key}{ITEM_MARK}{index + 1}"


def split_item_anchor(anchor: str) -> tuple[str, int | None]:
    """Return the variable key of an anchor key and its item's number (from 1), None for a plain one."""
    key, mark, number = anchor.rpartition(ITEM_MARK)
    return (key, int(number)) if mark and number.isdigit() else (anchor, None)


def lay_out_table(spec: TableSpec, rendered_rows: Sequence[tuple[RowSpec, Sequence[str] | None]],
                  caption: str = "", size: str = "") -> Block | None:
    """Return the table block of `spec` from its rows rendered to cell texts (value marks kept).

    A row with texts None is an empty list's one row, its single cell holding the text to print.
    Return None when the table has list rows and no body row is left.
    """
    rows: list[Row] = []
    for row, texts in rendered_rows:
        if texts is None:
            cell = row.cells[0]
            rows.append(Row((Cell(line_segments(cell.text), cell.span, None, "center"),), False))
            continue
        cells = []
        for cell, start, content in zip(row.cells, _starts(row), texts, strict=True):
            segments = () if cell.continued else line_segments(content)
            align = "center" if row.header else _align(spec.aligns[start], segments)
            cells.append(Cell(segments, cell.span, "continue" if cell.continued else None, align))
        rows.append(Row(tuple(cells), row.header))
    if all(row.header for row in rows) and any(spec_row.repeat for spec_row in spec.rows):
        return None
    segments = line_segments(caption) if caption else ()
    points = SIZES[spec.size or size or DEFAULT_SIZE]
    table = Table(rows=tuple(_restarts(rows)), widths=spec.widths, size=points, caption=segments)
    return Block("table", segments, table)


def plain_text(block: Block) -> str:
    """Return a table block as plain text: the caption, then one line a row, cells between |."""
    assert block.table is not None
    lines = [block.text] if block.text else []
    for row in block.table.rows:
        cells = ["" if c.merge == "continue" else "".join(s.text for s in c.segments)
                 for c in row.cells]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _align(declared: str, segments: tuple[Segment, ...]) -> str:
    if declared:
        return declared
    text = "".join(s.text for s in segments).strip()
    return "right" if text and _FIGURE.fullmatch(text) else "left"


def _restarts(rows: list[Row]) -> list[Row]:
    """Return `rows` with each cell that a `^` below continues marked as the merge's start."""
    out = list(rows)
    for index in range(len(out) - 1, 0, -1):
        below = out[index]
        column = 0
        for cell in below.cells:
            if cell.merge == "continue":
                above = out[index - 1]
                position = 0
                cells = list(above.cells)
                for i, candidate in enumerate(cells):
                    if position == column and candidate.merge is None:
                        cells[i] = candidate._replace(merge="restart")
                    position += candidate.span
                out[index - 1] = above._replace(cells=tuple(cells))
            column += cell.span
    return out


def estimate_lines(text: str, width_chars: float) -> int:
    """Return how many lines `text` takes in a cell `width_chars` Chinese characters wide."""
    lines = 0
    for part in text.split("\n") or [""]:
        width = sum(1.0 if ord(c) >= 0x2E80 else 0.55 for c in part)
        lines += max(1, math.ceil(width / max(width_chars, 1.0) - 1e-9))
    return lines
