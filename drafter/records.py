"""Lists of records in a values file (one mapping an item) → checked items, by the columns' types.

A table's repeated row prints one item a row; each cell is checked like any variable, and a
problem names the item and column: `项目建设.重点项目第3项.投资`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from . import convert
from .errors import Problem, ValuesFileError
from .schema import Variable

Cell = str | None | tuple[str | None, ...]


@dataclass(frozen=True)
class Records:
    """The items of a list of records as typed: column → raw text, with the line of each cell."""

    items: tuple[Mapping[str, Cell], ...]
    lines: tuple[Mapping[str, int], ...] = ()      # column → line, per item (empty: not from a file)
    item_lines: tuple[int | None, ...] = ()

    def __str__(self) -> str:
        return "；".join("，".join(f"{k}={_shown(v)}" for k, v in item.items()) for item in self.items) \
            or "（无）"


def _shown(cell: Cell) -> str:
    if isinstance(cell, tuple):
        return "、".join(i or "" for i in cell)
    return cell or ""


def from_python(items: Sequence[Mapping[str, object]], plain: object) -> Records:
    """Return Records from Python mappings; `plain` turns a value into its text (values._plain)."""
    out = []
    for item in items:
        cells: dict[str, Cell] = {}
        for key, value in item.items():
            if isinstance(value, Mapping) or (isinstance(value, (list, tuple)) and any(
                    isinstance(v, (Mapping, list, tuple)) for v in value)):
                raise ValuesFileError(f"清单第 {len(out) + 1} 项的“{key}”只能是一个取值，"
                                      "不能再套“键: 值”或列表。",
                                      hint="每项写成 {\"名称\": \"艾城大道\", \"投资\": 1200}。")
            if isinstance(value, (list, tuple)):
                cells[str(key)] = tuple(plain(v) for v in value)  # type: ignore[operator]
            else:
                cells[str(key)] = plain(value)  # type: ignore[operator]
        out.append(cells)
    return Records(tuple(out))


def item_key(var: Variable, index: int, column: str = "") -> str:
    """Return how a problem names item `index` (from 0) of `var`, and its `column`."""
    return f"{var.key}第{index + 1}项" + (f".{column}" if column else "")


def check(var: Variable, records: Records, file: str | None, line: int | None, *,
          allow_missing: bool) -> tuple[tuple[dict[str, object], ...], tuple[dict[str, str], ...],
                                        list[Problem]]:
    """Check each cell of `records` against `var`'s columns; return typed and printed items, problems.

    In a draft (`allow_missing`) a missing cell is left out of its item, to print as its 【label】.
    """
    columns = {c.name: c for c in var.columns}
    typed_items, printed_items, problems = [], [], []
    for index, item in enumerate(records.items):
        lines = records.lines[index] if index < len(records.lines) else {}
        item_line = records.item_lines[index] if index < len(records.item_lines) else line
        typed: dict[str, object] = {}
        printed: dict[str, str] = {}
        for name in item:
            if name not in columns:
                problems.append(Problem(
                    item_key(var, index, name), f"清单“{var.label}”没有“{name}”这一列。",
                    file=file, line=lines.get(name, item_line), code="unknown",
                    hint=f"可填的列：{'、'.join(columns)}。如果不需要，请删除这一行。"))
        for name, column in columns.items():
            raw = item.get(name)
            where = lines.get(name, item_line)
            if raw is None or raw == ():
                if not allow_missing:
                    shown = column.example if column.example not in (None, "") else "…"
                    example = f"{name}: {shown}"
                    problems.append(Problem(
                        item_key(var, index, name), "缺少这一格。" if name not in item else "未填写。",
                        label=column.label, file=file, line=where, code="missing",
                        hint=f"应填{convert.expected(column)}；在第 {index + 1} 项下写“{example}”。"))
                continue
            try:
                typed[name], printed[name] = convert.parse_value(column, raw)
            except convert.BadValue as bad:
                problems.append(Problem(item_key(var, index, name), bad.message, label=column.label,
                                        hint=bad.hint, file=file, line=where, code="invalid"))
        typed_items.append(typed)
        printed_items.append(printed)
    return tuple(typed_items), tuple(printed_items), problems
