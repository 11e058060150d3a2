"""Values files → raw values with their origins → values checked and formatted against a schema."""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from . import convert, records, render, yamlfile
from .errors import Problem, ValuesFileError, describe_os_error
from .records import Records
from .schema import Schema, Variable

Raw = str | None | tuple[str | None, ...] | Records

@dataclass(frozen=True)
class Origin:
    """Where a value was set: a file and line, or a --set option."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Values:
    """Raw values by dotted key, exactly as typed, and where each one came from."""

    raw: Mapping[str, Raw]
    origins: Mapping[str, Origin]


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
    """Read the values file at `path` (UTF-8, UTF-8 with BOM or GB18030)."""
    file = str(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ValuesFileError(f"无法读取取值文件：{describe_os_error(err)}。", file=file,
                              hint="检查文件名和路径是否正确。") from err
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

    def walk(mapping: Mapping[str, object], prefix: str) -> None:
        for key, value in mapping.items():
            dotted = f"{prefix}{key}"
            if isinstance(value, Mapping):
                walk(value, dotted + ".")
                continue
            if isinstance(value, (list, tuple)) and value and all(isinstance(i, Mapping) for i in value):
                raw[dotted] = records.from_python(value, _plain)
            elif isinstance(value, (list, tuple)):
                raw[dotted] = tuple(_plain(item) for item in value)
            else:
                raw[dotted] = _plain(value)
            if source:
                origins[dotted] = Origin(source)

    walk(data, "")
    return Values(raw, origins)


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
    for layer in layers:
        raw.update(layer.raw)
        origins.update(layer.origins)
    return Values(raw, origins)


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
    for key in values.raw:
        group = key.split(".", 1)[0]
        if key in known:
            continue
        if "." in key and group not in schema.groups:
            strangers.setdefault(group, []).append(key)
        else:
            problems.append(_unknown(key, schema, values.origins.get(key)))
    for group, keys in strangers.items():
        close = difflib.get_close_matches(group, list(schema.groups), n=1, cutoff=0.3)
        hint = f"是不是“{close[0]}”？" if close else f"本模板的分组有：{'、'.join(schema.groups)}。"
        problems.append(_problem(group, f"模板中没有分组“{group}”，其下 {len(keys)} 项都用不上。",
                                 values.origins.get(group) or values.origins.get(keys[0]), hint=hint))
    for var in schema.variables:
        origin = values.origins.get(var.key) or values.origins.get(var.group)
        raw = values.raw.get(var.key)
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
        if var.type == "percent" and isinstance(value, Decimal) and 0 < value < 1:
            guess = format((value * 100).normalize(), "f")
            problems.append(_problem(var.key, f"{text[var.key]} 看起来是小数形式的比率。", origin,
                                     label=var.label, hint=f"百分号已写在句中，是否应为 {guess}？",
                                     level="warning", code="invalid"))
    if rules:
        problems += _broken_rules(schema, typed, text, values.origins)
    order = {key: i for i, key in enumerate(known)}
    # Wrong values first: a half-filled file must not bury them under its missing ones.
    problems.sort(key=lambda p: (p.code == "missing", p.file or "", p.line or 0, order.get(p.key, -1)))
    return Checked(text, tuple(problems), typed, items)


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


def _unknown(key: str, schema: Schema, origin: Origin | None) -> Problem:
    if key in schema.groups:
        return _problem(key, "这是一个分组，下面应列出各项取值，而不是直接填值。", origin,
                        hint="可用 `drafter init` 生成带分组的取值文件。")
    listed = schema.get(key.rsplit(".", 1)[0])
    if listed is not None and listed.type == "records":  # 重点项目: {名称: …} without the "- "
        return _problem(key, f"“{listed.label}”是清单，每一项前面要写“- ”。", origin,
                        hint=f"写成“{listed.name}:”，下一行“  - {listed.columns[0].name}: …”。")
    close = difflib.get_close_matches(key, list(schema.by_key), n=1, cutoff=0.5)
    if not close:
        leaf = key.rsplit(".", 1)[-1]
        close = [k for k in schema.by_key if k.rsplit(".", 1)[-1] == leaf][:1]
    hint = f"您是不是想写 {close[0]}？" if close else "请用 `drafter vars` 查看本模板的全部变量。"
    return _problem(key, "模板中没有这个变量。", origin, hint=hint + " 如果不需要，请删除这一行。")


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
