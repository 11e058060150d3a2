"""Values files → raw values with their origins → values checked and formatted against a schema."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from . import convert, records, render, textfile, yamlfile
from .errors import Problem, ValuesFileError
from .records import Records
from .schema import Schema, Variable

Raw = str | None | tuple[str | None, ...] | Records
STDIN = "-"

class Origin(NamedTuple):
    """Where a value was set: a file and line, or a --set option.

    A named tuple, not a dataclass: a batch sends every value's origin to a worker process, and
    a tuple unpickles four times faster.
    """

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Values:
    """Raw values by dotted key, exactly as typed, and where each one came from."""

    raw: Mapping[str, Raw]
    origins: Mapping[str, Origin]
    # Keys whose value came from Python as a bool, number or date (not as typed text), and what it was.
    python: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Checked:
    """The result of checking values: the printed form of each good value, and every problem."""

    text: Mapping[str, str]
    problems: tuple[Problem, ...]
    typed: Mapping[str, object] = field(default_factory=dict)
    items: Mapping[str, tuple[Mapping[str, str], ...]] = field(default_factory=dict)  # lists of records

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Return the problems that stop a render (not the warnings)."""
        return tuple(p for p in self.problems if p.level == "error")


def read_values_file(path: Path) -> Values:
    """Read the values file at `path` (UTF-8, UTF-8 with BOM or GB18030); `-` reads standard input."""
    file = str(path)
    if file == STDIN:  # `-f -`: the one way to pipe a values file in
        file = "标准输入"
        data = sys.stdin.buffer.read(yamlfile.MAX_BYTES + 1)
    else:
        data = textfile.read_file(path, limit=yamlfile.MAX_BYTES, error=ValuesFileError, what="取值文件")
    root = yamlfile.parse(yamlfile.decode(data, file), file)
    if root is None:
        raise ValuesFileError("文件是空的。", file=file,
                              hint="可用 `drafter init 模板 -o 文件` 生成一个待填写的取值文件。")
    if not isinstance(root.value, dict):
        raise ValuesFileError("取值文件应按“分组: 名称: 取值”的层次书写。", file=file, line=root.line,
                              hint="可用 `drafter init` 生成一个待填写的取值文件。")
    raw: dict[str, Raw] = {}
    origins: dict[str, Origin] = {}
    _flatten_nodes(root.value, "", raw, origins, file)
    return Values(raw, origins)


def _flatten_nodes(mapping: dict[str, yamlfile.Node], prefix: str, raw: dict[str, Raw],
                   origins: dict[str, Origin], file: str) -> None:
    for key, node in mapping.items():
        dotted = prefix + key
        if dotted in origins:  # 经济发展.签约新项目 written both dotted and under its group
            raise ValuesFileError(
                f"“{dotted}”写了两次（第 {origins[dotted].line} 行和第 {node.line} 行）。", file=file,
                line=node.line, hint="同一项只能写一次，请删除其中一处。")
        origins[dotted] = Origin(file, node.line)
        if isinstance(node.value, dict):
            _flatten_nodes(node.value, dotted + ".", raw, origins, file)
            continue
        if isinstance(node.value, list):
            if any(isinstance(item.value, dict) for item in node.value):
                odd = next((i for i, item in enumerate(node.value)
                            if not isinstance(item.value, dict)), None)
                if odd is not None:
                    raise ValuesFileError(f"清单“{key}”的第 {odd + 1} 项不是“列: 值”的形式。", file=file,
                                          line=node.value[odd].line,
                                          hint="每项写成“- 名称: 艾城大道”，下面几行写其余各列；"
                                               "空的项请删除。")
                raw[dotted] = _records(node.value, file)
                continue
            nested = [item for item in node.value if isinstance(item.value, (dict, list))]
            if nested:
                raise ValuesFileError("列表里只能写名称，不能再套列表或“键: 值”。", file=file,
                                      line=nested[0].line, hint="写成 [张家, 李家] 或 张家、李家。")
            raw[dotted] = tuple(item.value for item in node.value)  # type: ignore[misc]
        else:
            raw[dotted] = node.value


def load_values(path: str | Path, *more: str | Path) -> Values:
    """Read the values file `path` and any `more`, merged key by key as the CLI's -f options are.

    Every value is kept as typed (`010`, `no`, `1.10` stay text for the schema to judge), with
    its file and line for messages; pass the result to `Template.check` or `Template.render_*`.
    """
    return merge(read_values_file(Path(each)) for each in (path, *more))


def _records(items: list[yamlfile.Node], file: str) -> Records:
    """Return the items of a list of records (`- 名称: …` mappings), each cell with its line."""
    cells, lines = [], []
    for item in items:
        assert isinstance(item.value, dict)
        row: dict[str, records.Cell] = {}
        for column, node in item.value.items():
            if isinstance(node.value, dict) or (isinstance(node.value, list) and any(
                    isinstance(i.value, (dict, list)) for i in node.value)):
                raise ValuesFileError("清单的每一格只能写一个取值，不能再套“键: 值”或列表。", file=file,
                                      line=node.line,
                                      hint="每项写成“- 名称: 艾城大道”，下一行“  投资: 1200”。")
            row[column] = tuple(i.value for i in node.value) if isinstance(node.value, list) \
                else node.value  # type: ignore[assignment]
        cells.append(row)
        lines.append({column: node.line for column, node in item.value.items()})
    return Records(tuple(cells), tuple(lines), tuple(item.line for item in items))


def parse_set(option: str) -> Values:
    """Return the value given by one `--set KEY=VALUE` option."""
    key, sep, value = option.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ValuesFileError(f"--set {option!r} 的格式不对。",
                              hint="写成 --set 组.名称=取值，例如 --set 经济发展.签约新项目=5。")
    return Values({key: value.strip() or None}, {key: Origin(f"--set {key}")})


def from_mapping(data: Mapping[str, object], *, source: str = "") -> Values:
    """Return Values from nested dicts of plain Python values, as an integrator passes them."""
    raw: dict[str, Raw] = {}
    origins: dict[str, Origin] = {}
    python: dict[str, object] = {}

    def walk(mapping: Mapping[str, object], prefix: str) -> None:
        for key, value in mapping.items():
            dotted = f"{prefix}{key}"
            if isinstance(value, Mapping):
                walk(value, dotted + ".")
                continue
            items = value if isinstance(value, (list, tuple)) else (value,)
            typed = [item for item in items
                     if item is not None and not isinstance(item, (str, Mapping))]
            if typed:  # yaml.safe_load turned 010 into 8 and no into False: the text is gone
                python[dotted] = typed[0]
            if isinstance(value, (list, tuple)) and value and all(isinstance(i, Mapping) for i in value):
                raw[dotted] = records.from_python(value, _plain)
            elif isinstance(value, (list, tuple)):
                raw[dotted] = tuple(_plain(item) for item in value)
            else:
                raw[dotted] = _plain(value)
            if source:
                origins[dotted] = Origin(source)

    walk(data, "")
    return Values(raw, origins, python)


def _plain(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and math.isfinite(value):
        return format(Decimal(repr(value)), "f")  # 1e-05 → 0.00001, as a clerk would write it
    return str(value)


def merge(layers: Iterable[Values]) -> Values:
    """Merge `layers` key by key; a later layer wins, and a list is replaced whole."""
    raw: dict[str, Raw] = {}
    origins: dict[str, Origin] = {}
    python: dict[str, object] = {}
    for layer in layers:
        raw.update(layer.raw)
        origins.update(layer.origins)
        for key in layer.raw:
            python.pop(key, None)
        python.update(layer.python)
    return Values(raw, origins, python)


def check(schema: Schema, values: Values, *, allow_missing: bool = False,
          rules: bool = True) -> Checked:
    """Check `values` against `schema`: return the printed form of each value and every problem.

    With `rules`, the schema's cross-checks run over the values that passed their own check.
    """
    problems: list[Problem] = []
    text: dict[str, str] = {}
    typed: dict[str, object] = {}
    items: dict[str, tuple[Mapping[str, str], ...]] = {}
    known = schema.by_key
    strangers: dict[str, list[str]] = {}  # unknown group → its keys: reported once, not per key
    typos: set[str] = set()  # keys missing because the clerk misspelled them: said at the typo
    for key in values.raw:
        group = key.split(".", 1)[0]
        if key in known:
            continue
        if "." in key and group not in schema.groups:
            strangers.setdefault(group, []).append(key)
        else:
            problem, meant = _unknown(key, schema, values)
            problems.append(problem)
            typos.update([meant] if meant else [])
    for group, keys in strangers.items():
        close = difflib.get_close_matches(group, list(schema.groups), n=1, cutoff=0.3)
        origin = values.origins.get(group) or values.origins.get(keys[0])
        misspelt = difflib.get_close_matches(group, list(schema.groups), n=1, cutoff=0.6)
        if misspelt and not any(key.startswith(misspelt[0] + ".") for key in values.raw):
            # 经济发展x: for 经济发展: one mistake at its line, not one per item the group lacks.
            typos.update(v.key for v in schema.variables if v.group == misspelt[0])
            problems.append(_problem(group, f"分组名写错了：模板中没有分组“{group}”，应为“{misspelt[0]}”。",
                                     origin, hint=f"把这一行改成“{misspelt[0]}:”。"))
            continue
        hint = f"是不是“{close[0]}”？" if close else f"本模板的分组有：{'、'.join(schema.groups)}。"
        problems.append(_problem(group, f"模板中没有分组“{group}”，其下 {len(keys)} 项都用不上。",
                                 origin, hint=hint))
    origins, python = values.origins, values.python
    for var in schema.variables:
        origin = origins.get(var.key) or origins.get(var.group)
        raw = values.raw.get(var.key)
        if var.key in typos:
            continue
        refused = _refuse_python(var, python[var.key]) if python and var.key in python else ""
        if refused:
            problems.append(_problem(var.key, refused, origin, label=var.label, code="invalid",
                                     hint=PYTHON_HINT))
            continue
        if var.type == "records" and (raw == () or isinstance(raw, Records)):
            rows = raw if isinstance(raw, Records) else Records(())
            _, items[var.key], found = records.check(
                var, rows, origin.file if origin else None, origin.line if origin else None,
                allow_missing=allow_missing)
            problems += found
            continue
        if raw is None or raw == ():
            if not allow_missing:
                problems.append(_problem(var.key, _missing_message(var, var.key in values.raw), origin,
                                         label=var.label, hint=_missing_hint(var), code="missing"))
            continue
        if isinstance(raw, Records) or var.type == "records":
            wrong = "应为一个取值，而不是清单。" if isinstance(raw, Records) else \
                "应为清单：每项一组“列: 值”，每项前面写“- ”。"
            problems.append(_problem(var.key, wrong, origin, label=var.label,
                                     hint=f"应填{_expected(var)}。", code="invalid"))
            continue
        try:
            typed[var.key], text[var.key] = convert.parse_value(var, raw)
        except convert.BadValue as bad:
            problems.append(_problem(var.key, bad.message, origin, label=var.label, hint=bad.hint,
                                     code="invalid"))
            continue
        value = typed[var.key]
        if var.type == "text":
            problems += [_problem(var.key, doubt.message, origin, label=var.label, hint=doubt.hint,
                                  level="warning", code="invalid") for doubt in convert.doubts(var, value)]
        elif var.type == "percent" and isinstance(value, Decimal) and 0 < value < 1:
            guess = format((value * 100).normalize(), "f")
            problems.append(_problem(var.key, f"{text[var.key]} 看起来是小数形式的比率。", origin,
                                     label=var.label, hint=f"百分号已写在句中，是否应为 {guess}？",
                                     level="warning", code="invalid"))
    if rules:
        problems += _broken_rules(schema, typed, text, values.origins)
    return Checked(text, tuple(sort_problems(problems, schema, values)), typed, items)


def sort_problems(problems: Iterable[Problem], schema: Schema, values: Values) -> list[Problem]:
    """Return `problems` in the order a clerk reads the files: file by file, line by line.

    Files come in the order they were given; problems without a place (a group missing from every
    file) come last, in report order.
    """
    if not problems:
        return []
    files = list(dict.fromkeys(origin.file for origin in values.origins.values()))
    order = {key: i for i, key in enumerate(schema.by_key)}
    return sorted(problems, key=lambda p: (
        p.file is None, files.index(p.file) if p.file in files else len(files), p.line or 0,
        order.get(p.key, -1)))


PYTHON_HINT = ("读取取值文件请用 drafter.load_values(路径)，它按填写的样子保留每一项；"
               "自己组装字典时，把这一项写成字符串。")


def _refuse_python(var: Variable, value: object) -> str:
    """Return why a Python `value` cannot stand for what a clerk typed for `var` ("" if it can)."""
    if isinstance(value, bool):
        return f"是布尔值 {value}，不是填写的文字（YAML 会把 no、yes、on、off 读成布尔值）。"
    if var.type in ("name", "text", "list"):
        kind = "日期" if isinstance(value, (dt.date, dt.datetime)) else "数字"
        return f"是{kind} {value}，不是文字：原来写的样子已经丢失（YAML 会把 010 读成 8、1.10 读成 1.1）。"
    return ""


def _broken_rules(schema: Schema, typed: Mapping[str, object], text: Mapping[str, str],
                  origins: Mapping[str, Origin]) -> list[Problem]:
    problems = []
    for rule in schema.rules:
        keys = list(render.rule_keys(rule.check))
        if not all(key in typed for key in keys):
            continue  # a value it needs is missing or wrong, and already reported
        holds = render.check_rule(rule.check, typed)
        if holds:
            continue
        involved = "，".join(f"{schema.by_key[k].label} {text[k]}" for k in keys)
        if holds is None:
            message = f"无法核对规则“{rule.message}”：除数为零（{involved}），已跳过。"
            problems.append(_problem(keys[0], message, origins.get(keys[0]),
                                     label=schema.by_key[keys[0]].label, level="warning", code="rule"))
            continue
        problems.append(_problem(
            keys[0], f"不符合规则：{rule.message}（{involved}）。", origins.get(keys[0]),
            label=schema.by_key[keys[0]].label, level=rule.level, code="rule",
            hint="请核对这几个数字；如果确实如此，可加 --no-rules 跳过规则检查。"))
    return problems


def _unknown(key: str, schema: Schema, values: Values) -> tuple[Problem, str | None]:
    """Return the problem with the unknown `key`, and the key it misspells when that one is missing."""
    origin = values.origins.get(key)
    if key in schema.groups:
        return _problem(key, "这是一个分组，下面应列出各项取值，而不是直接填值。", origin,
                        hint="可用 `drafter init` 生成带分组的取值文件。"), None
    listed = schema.get(key.rsplit(".", 1)[0])
    if listed is not None and listed.type == "records":  # 重点项目: {名称: …} without the "- "
        return _problem(key, f"“{listed.label}”是清单，每一项前面要写“- ”。", origin,
                        hint=f"写成“{listed.name}:”，下一行“  - {listed.columns[0].name}: …”。"), None
    group, _, leaf = key.rpartition(".")
    # The same name in another group, else a name like it in this group: a misspelt key, surely.
    close = [k for k in schema.by_key if k.rsplit(".", 1)[-1] == leaf][:1]
    if not close:
        names = {v.key.rsplit(".", 1)[-1]: v.key for v in schema.variables if v.group == group}
        close = [names[name] for name in difflib.get_close_matches(leaf, list(names), n=1, cutoff=0.5)]
    if close and values.raw.get(close[0]) in (None, ()):
        meant = schema.by_key[close[0]]
        right = close[0].rsplit(".", 1)[-1]
        written = key.rsplit(".", 1)[-1]
        if written == right:  # 经济发展.镇名: the right name under the wrong group
            return _problem(key, f"“{right}”（{meant.label}）属于分组“{meant.group}”，不在这一组。", origin,
                            hint=f"把这一行移到“{meant.group}:”下面。"), close[0]
        message = f"键名写错了：模板中没有“{written}”，应为“{right}”（{meant.label}）。"
        return _problem(key, message, origin, hint=f"把这一行的键名改成 {right}（即 {close[0]}）。"), close[0]
    close = close or difflib.get_close_matches(key, list(schema.by_key), n=1, cutoff=0.5)
    hint = f"您是不是想写 {close[0]}？" if close else "请用 `drafter vars` 查看本模板的全部变量。"
    return _problem(key, "模板中没有这个变量。", origin, hint=hint + " 如果不需要，请删除这一行。"), None


def _problem(key: str, message: str, origin: Origin | None, *, label: str = "", hint: str = "",
             level: str = "error", code: str = "unknown") -> Problem:
    return Problem(key, message, label=label, hint=hint, level=level, code=code,
                   file=origin.file if origin else None, line=origin.line if origin else None)


def _missing_message(var: Variable, present: bool) -> str:
    return "未填写。" if present else "缺少这一项。"


def _missing_hint(var: Variable) -> str:
    group, name = var.key.split(".", 1)
    if var.type == "records":
        return f"应填{_expected(var)}；在“{group}:”下写“{name}:”，下面每项一组，没有的话写“{name}: []”。"
    example = var.example
    if isinstance(example, list):
        example = "[" + ", ".join(map(str, example)) + "]"
    where = f"在“{group}:”下填写“{name}: {example if example is not None else '…'}”"
    return f"应填{convert.expected(var)}；{where}。"


def _expected(var: Variable) -> str:
    if var.type == "records":
        rest = "、".join(c.name for c in var.columns[1:])
        return f"清单，每项写“- {var.columns[0].name}: …”" + (f"，下面逐行写{rest}" if rest else "")
    return convert.expected(var)
