"""Schema → a values file to fill: every key under its group, explained by a comment."""

from __future__ import annotations

import dataclasses
import re
import shlex
from collections.abc import Mapping, Sequence

from .records import item_key
from .schema import NUMBER_TYPES, Schema, Variable
from .yamlfile import flow_list, scalar

# A value as typed, a list of names, or a list of records' items (column → text).
Filled = str | list[str] | Sequence[Mapping[str, str | list[str]]]


def write_skeleton(schema: Schema, *, template: str, schema_url: str | None = None,
                   values_file: str = "values.yaml", filled: Mapping[str, Filled] | None = None,
                   notes: Mapping[str, str] | None = None, intro: tuple[str, ...] = (),
                   source: str | None = None) -> str:
    """Return the text of a values file for `schema`, grouped by section, empty or `filled`.

    `values_file` is the name the file will have, for the commands shown at its top; `filled`
    gives the text to write after some keys (dotted key → text as typed, a list of names, or a
    list of records' items, column → text); `notes` add a comment above a key (why it is empty),
    or above a list item's cell (by `records.item_key`), `intro` comment lines at the top. With
    the template's `source`, each 原句 is cut from it, other blanks shown as …, instead of the
    schema's `context` (which shows other blanks as the report had them and loses cut phrases).
    """
    sentences = sentences_of(source) if source is not None else {}
    lines = []
    if schema_url:
        lines.append(f"# yaml-language-server: $schema={schema_url}")
    template, values_file = shlex.quote(template), shlex.quote(values_file)
    lines += [
        f"# {_one_line(schema.title)}：取值文件",
        "# 在每个冒号后面填写取值。数字只填数字，单位已经写在报告里；名称和文字直接填写。",
        f"# 填好后检查：drafter check {template} -f {values_file}",
        f"# 生成报告：drafter render {template} -f {values_file} -o 报告.docx",
        *(f"# {_one_line(line)}" for line in intro),
    ]
    by_group: dict[str, list[Variable]] = {group: [] for group in schema.groups}
    for var in schema.variables:  # one pass: a templatized 1 MB report has hundreds of groups
        by_group.setdefault(var.group, []).append(var)
    for group, members in by_group.items():
        if members:
            lines += ["", f"# {_one_line(schema.groups.get(group, group))}", f"{group}:"]
        for var in members:
            lines += _entry(var, (filled or {}).get(var.key), notes or {},
                            sentences.get(var.key, var.context))
    return "\n".join(lines) + "\n"


def _entry(var: Variable, value: Filled | None, notes: Mapping[str, str], context: str) -> list[str]:
    lines = [f"  # {_one_line(describe(var))}"]
    if context:
        lines.append(f"  #   原句：{_one_line(context)}")
    note = notes.get(var.key)
    if note:
        lines.append(f"  #   {_one_line(note)}")
    entry = f"  {var.key.split('.', 1)[1]}:"
    if var.type == "records" and isinstance(value, Sequence) and not isinstance(value, str) and all(
            isinstance(item, Mapping) for item in value):
        if not value:
            return [*lines, f"{entry} []", *_example_item(var)]
        return [*lines, entry, *_items(var, value, notes)]  # type: ignore[arg-type]
    if isinstance(value, list):
        lines.append(f"{entry} {flow_list(value)}")  # type: ignore[arg-type]
    else:
        lines.append(f"{entry} {scalar(value)}" if value else entry)  # type: ignore[arg-type]
    if var.type == "records":
        lines += _example_item(var)
    return lines


def _items(var: Variable, items: Sequence[Mapping[str, str | list[str]]],
           notes: Mapping[str, str]) -> list[str]:
    """Return the items of list `var` as YAML list items, each cell on its line, lost cells empty."""
    lines = []
    for index, item in enumerate(items):
        for position, column in enumerate(var.columns):
            note = notes.get(item_key(var, index, column.name))
            lead = "    - " if position == 0 else "      "
            if note:
                if position == 0:
                    lines.append("    -")
                    lead = "      "
                lines.append(f"      # {_one_line(note)}")
            value = item.get(column.name)
            shown = flow_list(value) if isinstance(value, list) else scalar(value) if value else ""
            lines.append(f"{lead}{column.name}: {shown}".rstrip())
    return lines


def _example_item(var: Variable) -> list[str]:
    """Return a commented example item of list `var`: one `列: 值` line a column, with its label."""
    example = var.example[0] if isinstance(var.example, list) and var.example else {}
    sample = example if isinstance(example, dict) else {}
    lines = ["    # 每项一行表格。照下面的样子写，去掉行首的“# ”；再加一项就再写一组“- …”；没有就写 []："]
    for index, column in enumerate(var.columns):
        value = sample.get(column.name, column.example if isinstance(column.example, str) else "")
        shown = scalar(_one_line(str(value))) if value else ""  # quoted where YAML needs it
        entry = f"{'- ' if index == 0 else '  '}{column.name}: {shown}".rstrip()
        unit = f"，单位：{column.unit}" if column.unit and column.type in NUMBER_TYPES else ""
        lines.append(f"    # {entry}    # {_one_line(column.label)}（{column.type_label}{unit}）")
    return lines


def _one_line(text: str) -> str:
    # Schema text is untrusted: a line break in a label would end the comment and start YAML.
    # Only line breaks go: a full-width space (镇长　张三) is part of the text.
    return " ".join(part.strip(" \t") for part in text.splitlines()).strip(" \t")


def describe(var: Variable) -> str:
    """Return a one-line Chinese description of `var`: label, type, unit and example."""
    parts = [var.label, var.type_label]
    if var.type == "records":
        return "｜".join([*parts, "列：" + "、".join(c.name for c in var.columns)])
    if var.unit and var.type in NUMBER_TYPES:
        parts.append(f"单位：{var.unit}")
    if var.approx:
        parts.append("约数（句中写“余”）")
    if var.example is not None and var.example != "":
        example = "[" + ", ".join(var.example) + "]" if isinstance(var.example, list) else var.example
        parts.append(f"例：{example}")
    return "｜".join(parts)


_VARIABLE = re.compile(r"\{\{\s*([^\s}]+)\s*\}\}")
_SENTENCE = re.compile(r"[^。！？!?]*[。！？!?]?")
_CLAUSE = re.compile(r"[^，,；;：:]*[，,；;：:]?")
SHOWN = 40  # characters of a 原句: the clause with the blank, and its neighbours while they fit


def sentences_of(source: str) -> dict[str, str]:
    """Return, for each variable of the template `source`, the words around its first use.

    The variable is shown as 【】 and every other one as …; a long sentence is cut to the clause
    with the blank and as many clauses before, then after it, as fit in SHOWN characters.
    """
    found: dict[str, str] = {}
    for line in source.split("\n"):
        for sentence in filter(None, _SENTENCE.findall(line)):
            for key in dict.fromkeys(_VARIABLE.findall(sentence)):
                if key not in found:
                    found[key] = _around(sentence, key)
    return found


def _around(sentence: str, key: str) -> str:
    at = next(m.start() for m in _VARIABLE.finditer(sentence) if m.group(1) == key)
    shown = _VARIABLE.sub(lambda m: "【】" if m.start() == at else "…", sentence)
    clauses = [clause for clause in _CLAUSE.findall(shown) if clause]
    first = last = next(i for i, clause in enumerate(clauses) if "【】" in clause)
    size = len(clauses[first])
    while first > 0 and size + len(clauses[first - 1]) <= SHOWN:
        first -= 1
        size += len(clauses[first])
    while last + 1 < len(clauses) and size + len(clauses[last + 1]) <= SHOWN:
        last += 1
        size += len(clauses[last])
    return "".join(clauses[first:last + 1]).rstrip("，,；;：:").strip()


def with_sentences(schema: Schema, source: str) -> Schema:
    """Return `schema` with each variable's `context` cut from the template `source` (see sentences_of).

    A hand-written or templatized context shows other blanks as the report had them (x) and loses
    the phrases cut out; the text of the template has them all.
    """
    sentences = sentences_of(source)
    return dataclasses.replace(schema, variables=tuple(
        dataclasses.replace(var, context=sentences.get(var.key, var.context)) for var in schema.variables))
