"""A template as a form: its paragraphs with a field in each blank, its tables with a field in
each cell's blank and a list's repeated row, and the values of a page (text, or a list's items).

Pure: no web framework. `drafter.serve` turns what is built here into JSON for the page, and
the page's values back into a values file, the document and the checker's problems.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from . import convert, layout, render, tables, textfile, values
from .errors import Problem, ValuesFileError
from .records import Records
from .schema import NUMBER_TYPES, Variable
from .skeleton import describe, write_skeleton
from .template import Template

# Each variable is rendered as one character of Unicode's supplementary private-use area, which
# layout treats like a Chinese character, so the page's text around a blank is the document's.
_STAND_IN = 0xF0000
_APPROX = "余多近约"

PageValue = str | list[dict[str, str]] | None  # a value as the page holds it


@dataclass(frozen=True)
class Piece:
    """A stretch of a paragraph: text, or the blank of variable `key` (its text is then "")."""

    text: str = ""
    key: str | None = None
    lead: bool = False  # part of a run-in heading
    first: bool = False  # the variable's first blank: the one with the input, the others mirror it
    unit: str = ""  # the unit to show after the input, when the sentence does not show it


@dataclass(frozen=True)
class TableCell:
    """One cell of a table on the page: its pieces, the columns and rows it spans."""

    pieces: tuple[Piece, ...]
    span: int = 1
    rows: int = 1             # rows it covers downwards (a `^` below it); 0: covered by the cell above
    align: str = "left"


@dataclass(frozen=True)
class TableRow:
    """One row of a table as the template writes it; a repeated row stands for each item of a list."""

    cells: tuple[TableCell, ...]
    header: bool = False
    repeat: str | None = None  # the list variable whose items the row prints, one row an item
    editor: bool = False       # the list's first repeated row: its items are edited here


@dataclass(frozen=True)
class TableView:
    """A table of the report: its rows and column widths.

    `shared` names variables that only repeated rows print: their inputs go above the table.
    """

    rows: tuple[TableRow, ...]
    widths: tuple[int, ...]
    shared: tuple[str, ...] = ()


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the report as the page shows it; a table's pieces are its caption."""

    kind: str  # as layout.Block: title, caption, salutation, h1…h4, body, blank, table
    heading: bool  # a heading on a line of its own
    pieces: tuple[Piece, ...]
    table: TableView | None = None


def paragraphs(template: Template) -> tuple[Paragraph, ...]:
    """Return the report of `template` paragraph by paragraph, with a Piece for every blank.

    The text comes from the template's own rendering and layout (value marks, punctuation,
    headings, tables), so the page reads as the document will. A list's repeated table row is
    laid out with one item whose cells are the columns' blanks.
    """
    known = variables_and_columns(template)
    stand_ins = {key: chr(_STAND_IN + index) for index, key in enumerate(known)}
    reader = _Reader(known, {char: key for key, char in stand_ins.items()})
    text = {key: char for key, char in stand_ins.items() if key.count(".") == 1}
    marked = render.render(template.compiled, text, mark=True)  # type: ignore[arg-type]
    if not template.tables:
        blocks = layout.lay_out(marked)
    else:
        items = {var.key: tables.Items(({c.name: stand_ins[c.key] for c in var.columns},), {}, var.empty)
                 for var in template.variables if var.type == "records"}
        laid = {tables.marker(i): tables.render_table(t, text, {}, items, mark=True)
                for i, t in enumerate(template.tables)}
        specs = {id(block): table.spec for block, table in zip(laid.values(), template.tables, strict=True)}
        blocks = layout.lay_out(marked, laid)
    out: list[Paragraph] = []
    for block in blocks:
        reader.paragraph = len(out)
        if block.table is None:
            out.append(Paragraph(block.kind, block.standalone, reader.pieces(block.segments)))
            continue
        spec = specs[id(block)]
        caption = reader.pieces(block.segments)
        rows = reader.table_rows(block.table, spec)
        out.append(Paragraph("table", False, caption, TableView(rows, spec.widths)))
    # A variable printed only in repeated rows gets its input above the first table printing it.
    for index, paragraph in enumerate(out):
        shared = tuple(key for key in reader.only_repeated.get(index, ()) if key not in reader.seen)
        if shared and paragraph.table is not None:
            table = dataclasses.replace(paragraph.table, shared=shared)
            out[index] = dataclasses.replace(paragraph, table=table)
            reader.seen.update(shared)
    return tuple(out)


def variables_and_columns(template: Template) -> dict[str, Variable]:
    """Return the template's variables by key, each list's columns (组.名称.列) after their list."""
    known: dict[str, Variable] = {}
    for var in template.variables:
        known[var.key] = var
        known.update((column.key, column) for column in var.columns)
    return known


class _Reader:
    """Turns laid-out segments into Pieces, remembering which variables already have an input."""

    def __init__(self, known: Mapping[str, Variable], key_of: Mapping[str, str]) -> None:
        self.known, self.key_of = known, key_of
        self.seen: set[str] = set()
        self.lists: set[str] = set()   # lists whose editable row is placed
        self.only_repeated: dict[int, list[str]] = {}  # paragraph → variables seen in repeated rows
        self.paragraph = 0  # the index of the paragraph being read

    def pieces(self, segments: tuple[layout.Segment, ...], *, in_table: bool = False,
               repeat: str | None = None, editor: bool = False) -> tuple[Piece, ...]:
        texts = [(segment.text.replace("\n", ""), segment) for segment in segments]
        pieces: list[Piece] = []
        for index, (text, segment) in enumerate(texts):
            key = self.key_of.get(text) if segment.mark == "value" else None
            if key is None:
                if pieces and pieces[-1].key is None and pieces[-1].lead == segment.lead:
                    pieces[-1] = Piece(pieces[-1].text + text, lead=segment.lead)
                else:
                    pieces.append(Piece(text, lead=segment.lead))
                continue
            after = "".join(t for t, s in texts[index + 1:index + 2] if s.mark is None)
            if key.count(".") == 2:  # a list's column: its inputs are in the list's editable row
                first = editor
            elif repeat is not None:  # a plain variable printed again on each item's row
                first = False
                if key not in self.seen:
                    self.only_repeated.setdefault(self.paragraph, []).append(key)
            else:
                first = key not in self.seen
                self.seen.add(key)
            # A table says its units in its header: a cell prints the figure alone.
            unit = _unit_to_show(self.known[key], after) if first and not in_table else ""
            pieces.append(Piece(key=key, lead=segment.lead, first=first, unit=unit))
        return tuple(pieces)

    def table_rows(self, table: layout.Table, spec: tables.TableSpec) -> tuple[TableRow, ...]:
        # With one item a list, the laid-out rows are the template's rows one for one.
        rows = []
        for index, (row, row_spec) in enumerate(zip(table.rows, spec.rows, strict=True)):
            editor = row_spec.repeat is not None and row_spec.repeat not in self.lists
            if editor:
                self.lists.add(row_spec.repeat)  # type: ignore[arg-type]
            cells = []
            column = 0
            for cell in row.cells:
                down = 0 if cell.merge == "continue" else 1 + _covered(table.rows[index + 1:], column)
                pieces = self.pieces(cell.segments, in_table=True, repeat=row_spec.repeat, editor=editor)
                align = cell.align
                if not row.header and not spec.aligns[column] and self._figure(pieces):
                    align = "right"  # as the document sets a figure when the column says nothing
                cells.append(TableCell(pieces, cell.span, down, align))
                column += cell.span
            rows.append(TableRow(tuple(cells), row.header, row_spec.repeat, editor))
        return tuple(rows)


    def _figure(self, pieces: tuple[Piece, ...]) -> bool:
        """Return True when `pieces` are one number variable's blank and nothing else."""
        keys = [piece.key for piece in pieces if piece.key]
        return len(keys) == 1 and self.known[keys[0]].type in NUMBER_TYPES and not any(
            piece.text.strip() for piece in pieces if not piece.key)


def _covered(rows: tuple[layout.Row, ...], column: int) -> int:
    """Return how many of `rows`, from the first, continue (`^`) the cell starting at `column`."""
    count = 0
    for row in rows:
        start = 0
        starts = {}
        for cell in row.cells:
            starts[start] = cell
            start += cell.span
        if column not in starts or starts[column].merge != "continue":
            break
        count += 1
    return count


def _unit_to_show(var: Variable, after: str) -> str:
    """Return `var`'s unit when the text after its blank does not already say it."""
    if not var.unit or var.type not in NUMBER_TYPES:
        return ""
    return "" if after.lstrip(_APPROX).startswith(var.unit) else var.unit


def field_info(var: Variable) -> dict[str, object]:
    """Return what the page shows about `var`: label, type, unit, what it accepts, an example.

    A list of records also gives its columns (each as a variable) and what an empty list prints.
    """
    example = var.example
    if var.type == "records":
        example = None  # its columns show theirs
    elif isinstance(example, list):
        example = var.sep.join(example)  # type: ignore[arg-type]
    info: dict[str, object] = {
        "key": var.key, "label": var.label, "type": var.type, "type_label": var.type_label,
        "unit": var.unit if var.type in NUMBER_TYPES else "", "expected": convert.expected(var),
        "example": "" if example is None else str(example), "group": var.group,
        "context": var.context, "describe": describe(var)}
    if var.type == "records":
        info["expected"] = "清单：每项一行表格，点“添加一项”后逐格填写"
        info["columns"] = [field_info(column) for column in var.columns]
        info["empty"] = var.empty
    return info


def page_text(raw: values.Raw) -> str:
    """Return a loaded value as the page's input shows it: a list as names joined by 、."""
    if isinstance(raw, Records):
        return ""
    if isinstance(raw, tuple):
        return "、".join(item or "" for item in raw)
    return raw or ""


def page_value(var: Variable, raw: values.Raw) -> PageValue:
    """Return a loaded value as the page holds it: text, or for a list its items (column → text).

    A list not filled in is None, an empty list []. A value of the wrong shape (a list where one
    value is wanted, or the reverse) is left out: `shape_problem` says so.
    """
    if var.type != "records":
        return page_text(raw)
    if isinstance(raw, Records):
        return [{c.name: page_text(item.get(c.name)) for c in var.columns} for item in raw.items]
    return [] if raw == () else None


def shape_problem(var: Variable, raw: values.Raw) -> str:
    """Return why the page cannot show `var`'s loaded value `raw` ("" when it can)."""
    if var.type == "records" and raw not in (None, ()) and not isinstance(raw, Records):
        return f"{var.key}（{var.label}）应为清单，文件中写的是一个取值；本页按未填写显示，保存时会改写。"
    if var.type != "records" and isinstance(raw, Records):
        return f"{var.key}（{var.label}）应为一个取值，文件中写的是清单；本页按未填写显示，保存时会改写。"
    if isinstance(raw, Records):
        columns = {c.name for c in var.columns}
        extra = sorted({name for item in raw.items for name in item if name not in columns})
        if extra:
            return (f"{var.key}（{var.label}）的项中有清单没有的列：{'、'.join(extra)}；"
                    "本页不显示，保存时不会写入。")
    return ""


def from_page(template: Template, data: object) -> values.Values:
    """Return the values a page sent; raise ValuesFileError if they are malformed.

    The page sends dotted key → text, and for a list of records null (not filled in) or its items,
    each a mapping of column → text. Every key must be the template's; empty text means missing.
    """
    if not isinstance(data, Mapping):
        raise ValuesFileError("请求中的取值应为“键: 文字”的映射。")
    known = template.schema.by_key
    raw: dict[str, values.Raw] = {}
    for key, value in data.items():
        var = known.get(key)
        if var is not None and var.type == "records" and (value is None or isinstance(value, list)):
            raw[key] = None if value is None else _items_from_page(var, value)
            continue
        if var is None or var.type == "records" or not isinstance(value, str):
            raise ValuesFileError(f"请求中有模板没有的变量或非文字的取值：{str(key)[:60]}。")
        raw[key] = value if value.strip() else None
    return values.Values(raw, {})


def _items_from_page(var: Variable, items: list[object]) -> Records:
    columns = {c.name for c in var.columns}
    out = []
    for item in items:
        if not isinstance(item, Mapping) or not all(
                key in columns and isinstance(text, str) for key, text in item.items()):
            raise ValuesFileError(f"请求中清单“{var.label}”的项应为“列: 文字”的映射，且只用清单的列。")
        out.append({name: text if text.strip() else None for name, text in item.items()})
    return Records(tuple(out))


_ITEM_KEY = re.compile(r"(.+)第\d+项(?:\..*)?", re.DOTALL)


def owner(template: Template, key: str) -> Variable | None:
    """Return the variable a problem's `key` is about: itself, or the list of an item (组.名称第3项.列)."""
    var = template.schema.by_key.get(key)
    if var is None and (match := _ITEM_KEY.fullmatch(key)):
        var = template.schema.by_key.get(match.group(1))
        return var if var is not None and var.type == "records" else None
    return var


def problem_json(template: Template, problem: Problem) -> dict[str, object]:
    """Return `problem` for the page, with `related`: every variable of a broken rule."""
    related: list[str] = []
    if problem.code == "rule":
        for rule in template.schema.rules:
            keys = render.rule_keys(rule.check)
            if keys and keys[0] == problem.key and rule.message in problem.message:
                related = list(keys)
                break
    return {"key": problem.key, "label": problem.label, "message": problem.message,
            "hint": problem.hint, "level": problem.level, "code": problem.code,
            "related": related, "text": str(problem)}


def values_file_text(template: Template, data: values.Values, *, template_arg: str, path: Path) -> str:
    """Return the values file `drafter init` would write for `template`, filled with `data`."""
    filled: dict[str, PageValue] = {}
    for key, raw in data.raw.items():
        var = template.schema.by_key.get(key)
        shown = page_value(var, raw) if var is not None else None
        if shown is not None and (not isinstance(shown, str) or shown.strip()):
            filled[key] = shown
    return write_skeleton(template.schema, template=template_arg, schema_url=schema_path(path).name,
                          values_file=path.name, filled=filled, source=template.source)


def schema_path(path: Path) -> Path:
    """Return the JSON Schema file `drafter init` writes beside the values file `path`."""
    return path.with_name(f"{path.stem}.schema.json")


def version(content: bytes | None) -> str:
    """Return a fingerprint of a values file's content ("" when there is no file)."""
    return "" if content is None else hashlib.sha256(content).hexdigest()


def read_file(path: Path) -> bytes | None:
    """Return the bytes of the values file at `path`, or None when it does not exist yet."""
    if not os.path.lexists(path):
        return None
    # A regular file under the values cap only: /dev/zero or a FIFO must not hang the server.
    return textfile.read_file(path, limit=values.yamlfile.MAX_BYTES, error=ValuesFileError, what="取值文件")


def new_values_path(folder: Path) -> Path:
    """Return a values file name in `folder` that is not taken: values.yaml, values-2.yaml …"""
    path, number = folder / "values.yaml", 1
    while path.exists() or schema_path(path).exists():
        number += 1
        path = folder / f"values-{number}.yaml"
    return path
