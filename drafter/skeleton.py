"""Schema → a values file to fill: every key under its group, explained by a comment."""

from __future__ import annotations

import shlex
from collections.abc import Mapping

from .schema import NUMBER_TYPES, Schema, Variable
from .yamlfile import flow_list, scalar


def write_skeleton(schema: Schema, *, template: str, schema_url: str | None = None,
                   values_file: str = "values.yaml", filled: Mapping[str, str | list[str]] | None = None,
                   notes: Mapping[str, str] | None = None, intro: tuple[str, ...] = ()) -> str:
    """Return the text of a values file for `schema`, grouped by section, empty or `filled`.

    `values_file` is the name the file will have, for the commands shown at its top; `filled`
    gives the text to write after some keys (dotted key → text as typed, or a list of names);
    `notes` add a comment above a key (why it is empty), `intro` comment lines at the top.
    """
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
            lines += _entry(var, (filled or {}).get(var.key), (notes or {}).get(var.key))
    return "\n".join(lines) + "\n"


def _entry(var: Variable, value: str | list[str] | None, note: str | None) -> list[str]:
    lines = [f"  # {_one_line(describe(var))}"]
    if var.context:
        lines.append(f"  #   原句：{_one_line(var.context)}")
    if note:
        lines.append(f"  #   {_one_line(note)}")
    entry = f"  {var.key.split('.', 1)[1]}:"
    if isinstance(value, list):
        lines.append(f"{entry} {flow_list(value)}")
    else:
        lines.append(f"{entry} {scalar(value)}" if value else entry)
    if var.type == "records" and not value:
        lines += _example_item(var)
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
    return " ".join(text.split())


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
