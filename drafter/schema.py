"""Variable and Schema records, and reading them from a template's schema.yaml."""

from __future__ import annotations

import keyword
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path

from . import yamlfile
from .errors import TemplateError, ValuesFileError, describe_os_error

TYPES = {
    "count": "整数",
    "amount": "金额",
    "quantity": "数量",
    "percent": "百分比",
    "year": "年份",
    "month": "月份",
    "day": "日",
    "date": "日期",
    "name": "名称",
    "text": "文字",
    "list": "名称列表",
    "records": "清单（表格逐行）",
}
TABLE_SIZES = ("四号", "小四", "五号")  # a table's cell text: smaller than the body's 三号
NUMBER_TYPES = {"count", "amount", "quantity", "percent", "year", "month", "day"}
DEFAULT_LIMITS: dict[str, tuple[int | None, int | None]] = {
    "count": (0, None), "amount": (0, None), "quantity": (0, None), "percent": (0, 100),
    "year": (1900, 2100), "month": (1, 12), "day": (1, 31),
}
# Jinja treats these as literals or operators, so they cannot name a variable.
_JINJA_WORDS = {"true", "false", "none", "True", "False", "None", "and", "or", "not", "in", "is",
                "if", "else", "loop", "self"}
_FIELDS = {"type", "unit", "label", "context", "example", "original", "min", "max", "places",
           "approx", "chinese", "sep", "thousands"}
_RECORD_FIELDS = {"type", "label", "context", "example", "columns", "empty"}


@dataclass(frozen=True)
class Variable:
    """One blank of a template: its dotted key, type and everything a clerk needs to fill it."""

    key: str
    type: str
    label: str
    unit: str = ""
    context: str = ""
    example: str | list[str] | list[dict[str, str]] | None = None
    original: str | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    places: int | None = None
    approx: bool = False
    chinese: bool = False
    thousands: bool = False
    sep: str = "、"
    columns: tuple[Variable, ...] = ()  # a list of records: one variable per column (组.名称.列)
    empty: str = "无"                   # what a table prints for an empty list ("省略": no row)

    @property
    def name(self) -> str:
        """Return the last part of the key (a column's name for a column)."""
        return self.key.rsplit(".", 1)[-1]

    @property
    def group(self) -> str:
        """Return the group part of the key (the part before the dot)."""
        return self.key.split(".", 1)[0]

    @property
    def type_label(self) -> str:
        """Return the Chinese name of the variable's type."""
        return TYPES[self.type]


@dataclass(frozen=True)
class Rule:
    """A cross-check between values: a safe expression that must hold, and what to say if not."""

    check: str
    message: str
    level: str = "error"  # or "warning": reported, but the report is still rendered
    line: int | None = None


@dataclass(frozen=True)
class Schema:
    """The variables of a template, in report order, with the labels of their groups."""

    title: str
    variables: tuple[Variable, ...]
    groups: dict[str, str] = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()
    table_size: str = ""  # cell text size of tables that set no 字号: 四号 (when empty), 小四, 五号

    def get(self, key: str) -> Variable | None:
        """Return the variable named `key`, or None."""
        return self.by_key.get(key)

    @cached_property
    def by_key(self) -> dict[str, Variable]:
        """Return a mapping from dotted key to variable."""
        return {v.key: v for v in self.variables}


def is_valid_key(key: str) -> bool:
    """Return True when every dot-separated part of `key` is a usable identifier."""
    parts = key.split(".")
    return len(parts) == 2 and all(
        p.isidentifier() and not keyword.iskeyword(p) and p not in _JINJA_WORDS for p in parts)


def load_schema(path: Path) -> Schema:
    """Read and check `path` (a schema.yaml) and return its Schema."""
    try:
        return _load_schema(path)
    except TemplateError as err:
        if err.file is None:  # raised deep in a field reader that does not know the file
            err.file = str(path)
        raise
    except ValuesFileError as err:  # the YAML reader speaks of values files; this is a template
        raise TemplateError(err.message, file=err.file, line=err.line, hint=err.hint) from err


def _load_schema(path: Path) -> Schema:
    file = str(path)
    try:
        root = yamlfile.parse(yamlfile.decode(path.read_bytes(), file), file)
    except OSError as err:
        raise TemplateError(f"无法读取模板的 schema：{describe_os_error(err)}。", file=file,
                            hint="模板文件夹应包含 template.txt、schema.yaml 和 example.yaml。") from err
    if root is None or not isinstance(root.value, dict):
        raise TemplateError("schema 应为 YAML 映射，含 title、groups 和 variables。", file=file)
    top = root.value
    specs = top.get("variables")
    if specs is None or not isinstance(specs.value, dict) or not specs.value:
        raise TemplateError("schema 缺少 variables（变量表）。", file=file,
                            line=specs.line if specs else None)
    groups_node = top.get("groups")
    groups: dict[str, str] = {}
    if groups_node is not None and isinstance(groups_node.value, dict):
        groups = {k: _text(v) or k for k, v in groups_node.value.items()}
    variables = tuple(_variable(key, node, file) for key, node in specs.value.items())
    for var in variables:
        groups.setdefault(var.group, var.group)
    title = _text(top["title"]) if "title" in top else ""
    table_size = _text(top.get("table_size")) or ""
    if table_size and table_size not in TABLE_SIZES:
        raise TemplateError(f"table_size“{table_size}”不可用。", file=file, line=top["table_size"].line,
                            hint=f"可用：{'、'.join(TABLE_SIZES)}（表格中文字的字号，正文是三号）。")
    rules = _rules(top.get("rules"), file)
    return Schema(title=title or path.parent.name, variables=variables, groups=groups, rules=rules,
                  table_size=table_size)


def _rules(node: yamlfile.Node | None, file: str) -> tuple[Rule, ...]:
    if node is None or node.value is None:
        return ()
    if not isinstance(node.value, list):
        raise TemplateError("rules 应为列表，每条含 check 和 message。", file=file, line=node.line)
    rules = []
    for item in node.value:
        spec = item.value if isinstance(item.value, dict) else {}
        check, message = _text(spec.get("check")), _text(spec.get("message"))
        level = _text(spec.get("level")) or "error"
        if not check or not message or level not in ("error", "warning"):
            raise TemplateError("规则应写成 check（表达式）、message（说明），level 可为 error 或 warning。",
                                file=file, line=item.line)
        rules.append(Rule(check=check, message=message, level=level, line=item.line))
    return tuple(rules)


def _variable(key: str, node: yamlfile.Node, file: str) -> Variable:
    if not is_valid_key(key):
        raise TemplateError(f"变量名“{key}”不合法。", file=file, line=node.line,
                            hint="变量名写成“组.名称”两段，每段是汉字、字母、数字或下划线，不以数字开头。")
    if not isinstance(node.value, dict):
        raise TemplateError(f"变量 {key} 的定义应为映射（type、label 等）。", file=file, line=node.line)
    spec = node.value
    if _text(spec.get("type")) == "records":
        return _records(key, node, file)
    return _plain_variable(key, node, file)


def _records(key: str, node: yamlfile.Node, file: str) -> Variable:
    """Return the list-of-records variable `key`: its columns are variables `key.列`."""
    spec = node.value
    assert isinstance(spec, dict)
    unknown = sorted(set(spec) - _RECORD_FIELDS)
    if unknown:
        raise TemplateError(f"清单变量 {key} 有未知字段：{'、'.join(unknown)}。", file=file,
                            line=spec[unknown[0]].line,
                            hint=f"可用字段：{'、'.join(sorted(_RECORD_FIELDS))}。")
    label = _text(spec.get("label"))
    if not label:
        raise TemplateError(f"变量 {key} 缺少 label（中文说明）。", file=file, line=node.line)
    columns_node = spec.get("columns")
    if columns_node is None or not isinstance(columns_node.value, dict) or not columns_node.value:
        raise TemplateError(f"清单变量 {key} 缺少 columns（各列的定义）。", file=file, line=node.line,
                            hint="columns 下每列写一项，如 投资: {type: amount, unit: 万元, label: 总投资}。")
    columns = []
    for name, column in columns_node.value.items():
        if not is_valid_key(f"列.{name}"):
            raise TemplateError(f"清单变量 {key} 的列名“{name}”不合法。", file=file, line=column.line,
                                hint="列名是汉字、字母、数字或下划线，不以数字开头。")
        if isinstance(column.value, dict) and _text(column.value.get("type")) in ("records", "list"):
            raise TemplateError(f"清单变量 {key} 的列 {name} 不能是{TYPES[_text(column.value['type'])]}。",
                                file=file, line=column.line, hint="一格只填一个数字、名称或一段文字。")
        columns.append(_plain_variable(f"{key}.{name}", column, file))
    example_node = spec.get("example")
    example = None
    if example_node is not None and isinstance(example_node.value, list):
        example = [{k: _text(v) or "" for k, v in item.value.items()} for item in example_node.value
                   if isinstance(item.value, dict) and all(isinstance(v.value, (str, type(None)))
                                                           for v in item.value.values())]
    return Variable(key=key, type="records", label=label, context=_text(spec.get("context")) or "",
                    example=example, columns=tuple(columns), empty=_text(spec.get("empty")) or "无")


def _plain_variable(key: str, node: yamlfile.Node, file: str) -> Variable:
    spec = node.value
    if not isinstance(spec, dict):
        raise TemplateError(f"变量 {key} 的定义应为映射（type、label 等）。", file=file, line=node.line)
    unknown = sorted(set(spec) - _FIELDS)
    if unknown:
        raise TemplateError(f"变量 {key} 有未知字段：{'、'.join(unknown)}。", file=file,
                            line=spec[unknown[0]].line, hint=f"可用字段：{'、'.join(sorted(_FIELDS))}。")
    kind = _text(spec.get("type"))
    if kind not in TYPES or (kind == "records" and key.count(".") != 1):
        raise TemplateError(f"变量 {key} 的类型“{kind}”未知。", file=file, line=node.line,
                            hint=f"可用类型：{'、'.join(TYPES)}。")
    label = _text(spec.get("label"))
    if not label:
        raise TemplateError(f"变量 {key} 缺少 label（中文说明）。", file=file, line=node.line)
    low, high = DEFAULT_LIMITS.get(kind, (None, None))
    example_node = spec.get("example")
    example: str | list[str] | list[dict[str, str]] | None = None
    if example_node is not None:
        if isinstance(example_node.value, list):
            example = [_text(item) or "" for item in example_node.value]
        else:
            example = _text(example_node)
    return Variable(
        key=key, type=kind, label=label, unit=_text(spec.get("unit")) or "",
        context=_text(spec.get("context")) or "", example=example,
        original=_text(spec.get("original")),
        min=_number(spec.get("min"), key, file, low), max=_number(spec.get("max"), key, file, high),
        places=_int(spec.get("places"), key, file), approx=_flag(spec.get("approx")),
        chinese=_flag(spec.get("chinese")), thousands=_flag(spec.get("thousands")),
        sep=_text(spec.get("sep")) or "、",
    )


def _text(node: yamlfile.Node | None) -> str | None:
    if node is None or node.value is None:
        return None
    if not isinstance(node.value, str):
        raise TemplateError("此处应为文字，而不是列表或映射。", line=node.line)
    return node.value


def _flag(node: yamlfile.Node | None) -> bool:
    return (_text(node) or "").lower() in ("true", "yes", "1")


def _number(node: yamlfile.Node | None, key: str, file: str, default: int | None) -> Decimal | None:
    text = _text(node)
    if text is None:
        return None if default is None else Decimal(default)
    try:
        return Decimal(text)
    except InvalidOperation as err:
        raise TemplateError(f"变量 {key} 的界限“{text}”不是数字。", file=file,
                            line=node.line if node else None) from err


def _int(node: yamlfile.Node | None, key: str, file: str) -> int | None:
    value = _number(node, key, file, None)
    if value is None:
        return None
    if value != value.to_integral_value() or value < 0:
        raise TemplateError(f"变量 {key} 的 places 应为不小于 0 的整数。", file=file)
    return int(value)


_DIGITS = "[0-9０-９]"
_FIGURE = rf"{_DIGITS}+(?:[,，]{_DIGITS}{{3}})*"
# What drafter accepts as text besides a plain YAML number (full-width digits, 1,234, 95%, 8月):
# the editor must not mark red what `drafter check` takes.
_JSON_TEXT_PATTERNS = {
    "count": rf"^{_FIGURE}$", "amount": rf"^{_FIGURE}(?:[.．]{_DIGITS}+)?$",
    "quantity": rf"^{_FIGURE}(?:[.．]{_DIGITS}+)?$", "percent": rf"^{_FIGURE}(?:[.．]{_DIGITS}+)?[%％]?$",
    "year": rf"^{_DIGITS}{{4}}年?$", "month": rf"^{_DIGITS}{{1,2}}月?$", "day": rf"^{_DIGITS}{{1,2}}日?$",
}
_JSON_TYPES: dict[str, dict[str, object]] = {
    "date": {"type": "string", "pattern": rf"^{_DIGITS}{{4}}(?:[-/.]{_DIGITS}{{1,2}}[-/.]{_DIGITS}{{1,2}}"
                                          rf"|年{_DIGITS}{{1,2}}月{_DIGITS}{{1,2}}日)$"},
    "name": {"type": "string", "minLength": 1}, "text": {"type": "string", "minLength": 1},
    "list": {"anyOf": [{"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
                       {"type": "string", "minLength": 1}]},
}


def _json_type(var: Variable) -> dict[str, object]:
    if var.type not in NUMBER_TYPES:
        return dict(_JSON_TYPES[var.type])
    number: dict[str, object] = {"type": "integer" if var.type in ("count", "year", "month", "day")
                                 else "number"}
    for name, limit in (("minimum", var.min), ("maximum", var.max)):
        if limit is not None:
            number[name] = int(limit) if limit == limit.to_integral_value() else float(limit)
    return {"anyOf": [number, {"type": "string", "pattern": _JSON_TEXT_PATTERNS[var.type]}]}


def _json_example(var: Variable) -> object:
    if var.type == "records" and isinstance(var.example, list):
        columns = {c.name: c for c in var.columns}
        return [{k: _json_example(replace(columns[k], example=v)) if k in columns else v
                 for k, v in item.items()} for item in var.example if isinstance(item, dict)]
    if var.type in NUMBER_TYPES and isinstance(var.example, str):
        try:
            number = Decimal(var.example)
        except InvalidOperation:
            return var.example
        return int(number) if number == number.to_integral_value() else float(number)
    return var.example


def _json_variable(var: Variable) -> dict[str, object]:
    if var.type == "records":
        spec: dict[str, object] = {"type": "array", "items": {
            "type": "object", "properties": {c.name: _json_variable(c) for c in var.columns},
            "required": [c.name for c in var.columns], "additionalProperties": False}}
    else:
        spec = _json_type(var)
    unit = f"（单位：{var.unit}）" if var.unit and var.type in NUMBER_TYPES else ""
    spec["title"] = var.label
    spec["description"] = f"{var.label}{unit}，{var.type_label}。原句：{var.context}" if var.context \
        else f"{var.label}{unit}，{var.type_label}。"
    if var.example is not None:
        spec["examples"] = [_json_example(var)]
    return spec


def to_json_schema(schema: Schema) -> dict[str, object]:
    """Return a JSON Schema (draft 2020-12) of a values file for `schema`, for editors like VS Code.

    Numbers may also be written as text in the forms drafter accepts (95%, 2024年, １２, 1,234);
    limits apply to plain numbers, which is how most are typed.
    """
    groups: dict[str, dict[str, object]] = {}
    for var in schema.variables:
        group, name = var.key.split(".", 1)
        entry = groups.setdefault(group, {
            "type": "object", "description": schema.groups.get(group, group),
            "properties": {}, "required": [], "additionalProperties": False})
        entry["properties"][name] = _json_variable(var)  # type: ignore[index]
        entry["required"].append(name)  # type: ignore[attr-defined]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{schema.title}：取值文件",
        "type": "object",
        "properties": groups,
        "required": list(groups),
        "additionalProperties": False,
    }


def _dump_variable(var: Variable) -> dict[str, object]:
    if var.type == "records":
        spec: dict[str, object] = {"type": var.type, "label": var.label}
        if var.context:
            spec["context"] = var.context
        if var.empty != "无":
            spec["empty"] = var.empty
        spec["columns"] = {column.name: _dump_variable(column) for column in var.columns}
        if var.example is not None:
            spec["example"] = var.example
        return spec
    spec = {"type": var.type, "unit": var.unit, "label": var.label}
    if var.context:
        spec["context"] = var.context
    if var.example is not None:
        spec["example"] = list(var.example) if isinstance(var.example, list) else var.example
    if var.original is not None:
        spec["original"] = var.original
    low, high = (None if d is None else Decimal(d) for d in DEFAULT_LIMITS.get(var.type, (None, None)))
    for name, value, default in (("min", var.min, low), ("max", var.max, high)):
        if value is not None and value != default:
            spec[name] = int(value) if value == value.to_integral_value() else str(value)
    if var.places is not None:
        spec["places"] = var.places
    for flag in ("approx", "chinese", "thousands"):
        if getattr(var, flag):
            spec[flag] = True
    if var.sep != "、":
        spec["sep"] = var.sep
    return spec


def dump_schema(schema: Schema, *, header: str = "") -> str:
    """Return the text of a schema.yaml that `load_schema` reads back to `schema`.

    Limits equal to the type's defaults are left out; `header` is written first, as comments.
    """
    variables = {var.key: _dump_variable(var) for var in schema.variables}
    data: dict[str, object] = {"title": schema.title, "groups": dict(schema.groups), "variables": variables}
    if schema.table_size:
        data["table_size"] = schema.table_size
    if schema.rules:
        data["rules"] = [{"check": r.check, "message": r.message}
                         | ({"level": r.level} if r.level != "error" else {}) for r in schema.rules]
    comments = "".join(f"# {line}\n" for line in header.splitlines())
    return comments + yamlfile.dump(data)
