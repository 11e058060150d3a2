"""Template text → rendered text, through a sandboxed, strict Jinja environment.

The only module that imports jinja2. Values reach Jinja as finished strings, so a value is never
evaluated as template code, and Jinja never decides how a number is printed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache

import jinja2
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment

from .errors import DrafterError, TemplateError

# Private-use characters that bracket a value in the rendered text, so the document writer can
# highlight it (VALUE_START) or only anchor it (ANCHOR_START); an anchored or highlighted value
# starts with its key and KEY_END. `strip_marks` removes them all for plain text.
VALUE_START, MISSING_START, MARK_END = "\ue000", "\ue001", "\ue002"
ANCHOR_START, KEY_END = "\ue003", "\ue004"
_MARKS = re.compile(f"[{VALUE_START}{MISSING_START}{ANCHOR_START}](?:[^{KEY_END}{MARK_END}]*{KEY_END})?"
                    f"|{MARK_END}")

_ENV = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)
_RULE_NODES = (nodes.Compare, nodes.Operand, nodes.Add, nodes.Sub, nodes.Mul, nodes.Div,
               nodes.FloorDiv, nodes.Mod, nodes.And, nodes.Or, nodes.Not, nodes.Neg, nodes.Pos)


def _variable_path(node: nodes.Node) -> list[str] | None:
    """Return the parts of a `组.名称` reference, or None when `node` is not a plain one."""
    parts = []
    while isinstance(node, nodes.Getattr):
        parts.append(node.attr)
        node = node.node
    if not isinstance(node, nodes.Name):
        return None
    parts.append(node.name)
    return parts[::-1]


def template_keys(source: str, *, file: str, parts: tuple[int, ...] = (2,)) -> dict[str, int]:
    """Return the variables `source` uses, as dotted keys with the first line using each.

    Raise TemplateError unless `source` is text with only `{{ 组.名称 }}` in it. Templates are
    untrusted: with no filters, calls, operators or tags there is nothing to abuse, and nothing that
    can print a value in some way other than the schema's. `parts` are the numbers of dotted parts
    a key may have (a table's repeated row also uses 组.名称.列).
    """
    try:
        tree = _ENV.parse(source)
    except jinja2.TemplateSyntaxError as err:
        raise TemplateError(f"模板语法错误：{err.message}", file=file, line=err.lineno,
                            hint="变量写成 {{ 组.名称 }}，花括号成对。") from err
    trim = re.search(r"\{\{-|-\}\}", source)
    if trim:  # whitespace control would silently eat the text around a variable
        line = source.count("\n", 0, trim.start()) + 1
        raise TemplateError("模板中不能用 {{- 或 -}}。", file=file, line=line, hint="写成 {{ 组.名称 }}。")
    keys: dict[str, int] = {}
    for statement in tree.body:
        if not isinstance(statement, nodes.Output):
            raise TemplateError("模板中不能使用 {% %} 标签。", file=file, line=statement.lineno,
                                hint="模板中只能写 {{ 组.名称 }} 形式的变量。")
        for node in statement.nodes:
            if isinstance(node, nodes.TemplateData):
                continue
            path = _variable_path(node)
            if path is None or len(path) not in parts or any(part.startswith("_") for part in path):
                raise TemplateError(
                    "这里的 {{ }} 不是“组.名称”形式的变量。", file=file, line=node.lineno,
                    hint="模板中只能写 {{ 组.名称 }}，不能用过滤器、运算、函数或下划线开头的名字。")
            keys.setdefault(".".join(path), node.lineno)
    return keys


def check_rule_source(expression: str, *, file: str, line: int | None) -> dict[str, int]:
    """Return the variables of rule `expression`; raise TemplateError unless it is plain arithmetic.

    A rule may compare and combine `组.名称` values and number constants, nothing else.
    """
    try:
        tree = _ENV.parse("{{ " + expression + " }}")
    except jinja2.TemplateSyntaxError as err:
        raise TemplateError(f"规则“{expression}”有语法错误：{err.message}。", file=file, line=line) from err
    keys: dict[str, int] = {}

    def walk(node: nodes.Node) -> None:
        path = _variable_path(node)
        if path is not None:
            if len(path) != 2 or any(part.startswith("_") for part in path):
                raise TemplateError(f"规则“{expression}”中的变量应写成 组.名称。", file=file, line=line)
            keys.setdefault(".".join(path), line or 0)
        elif isinstance(node, nodes.Const) and type(node.value) in (int, float):
            return
        elif isinstance(node, _RULE_NODES):
            for child in node.iter_child_nodes():
                walk(child)
        else:
            raise TemplateError(f"规则“{expression}”只能比较和计算数字（+ - * / 和比较）。",
                                file=file, line=line)

    for output in tree.body:
        for node in output.iter_child_nodes():
            walk(node)
    return keys


def compile_source(source: str, *, file: str) -> jinja2.Template:
    """Compile template `source`; raise TemplateError with the line on a syntax error."""
    try:
        return _ENV.from_string(source)
    except jinja2.TemplateSyntaxError as err:
        raise TemplateError(f"模板语法错误：{err.message}", file=file, line=err.lineno,
                            hint="变量写成 {{ 组.名称 }}，花括号成对。") from err


def render(template: jinja2.Template, text: Mapping[str, str], *, mark: bool = False,
           missing: Mapping[str, str] | None = None, anchor: bool = False) -> str:
    """Render `template` with the printed values `text` (by dotted key).

    With `mark`, each value is bracketed for highlighting; with `anchor`, the bracket also carries
    the value's key, so the writer can anchor it (without `mark`, it is anchored only). `missing`
    gives, by key, a placeholder that is shown bracketed as missing.
    """
    context: dict[str, dict[str, object]] = {}
    for key, value in text.items():
        if mark or anchor:
            start = (VALUE_START if mark else ANCHOR_START) + (key + KEY_END if anchor else "")
            value = start + value + MARK_END
        _put(context, key, value)
    for key, label in (missing or {}).items():
        _put(context, key, MISSING_START + label + MARK_END)
    try:
        return template.render(context)
    except jinja2.exceptions.SecurityError as err:
        raise TemplateError("模板试图访问 Python 的内部属性，已被沙箱拒绝。",
                            hint="模板中只能使用 {{ 组.名称 }} 形式的变量。") from err
    except jinja2.UndefinedError as err:
        raise DrafterError(f"渲染时缺少变量：{err.message}。",
                           hint="检查取值文件是否包含模板的全部变量（drafter check）。") from err
    except (jinja2.TemplateError, ArithmeticError, TypeError, ValueError) as err:
        # The template is untrusted text: an expression failing inside it is its author's error.
        raise TemplateError(f"模板渲染出错：{err}。") from err


def _put(context: dict[str, dict[str, object]], key: str, value: str) -> None:
    # 组.名称, or 组.名称.列 for a column of a list item in a table's repeated row.
    group, _, name = key.partition(".")
    name, _, column = name.partition(".")
    place = context.setdefault(group, {})
    if column:
        # A list's columns replace the list's own 【label】 (given for a list missing in a draft).
        if not isinstance(place.get(name), dict):
            place[name] = {}
        place[name][column] = value  # type: ignore[index]
    elif not isinstance(place.get(name), dict):
        place[name] = value


def strip_marks(text: str) -> str:
    """Return `text` without the value marks."""
    return _MARKS.sub("", text)


class _RuleEnvironment(SandboxedEnvironment):
    """A sandbox where arithmetic works on numbers only: "艾城" * 10**9 must not eat the memory."""

    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: object,
                   right: object) -> object:
        numbers = (int, float)
        if not (isinstance(left, numbers) and isinstance(right, numbers)):
            raise jinja2.exceptions.SecurityError("规则只能对数字做运算")
        return super().call_binop(context, operator, left, right)


_RULE_ENV = _RuleEnvironment(undefined=jinja2.StrictUndefined)


@lru_cache(maxsize=256)
def _rule(expression: str) -> jinja2.environment.TemplateExpression:
    return _RULE_ENV.compile_expression(expression)


@lru_cache(maxsize=256)
def rule_keys(expression: str) -> tuple[str, ...]:
    """Return the variables a rule `expression` uses, as dotted keys (parsed once per rule)."""
    return tuple(check_rule_source(expression, file="schema.yaml", line=None))


def check_rule(expression: str, typed: Mapping[str, object]) -> bool | None:
    """Return whether the rule `expression` holds for the typed values `typed` (by dotted key).

    Return None when the values leave it undecided (a ratio over a zero).
    """
    context: dict[str, dict[str, object]] = {}
    for key, value in typed.items():
        group, _, name = key.partition(".")
        # Decimal does not mix with the float constants a rule may hold (0.5 * 总数).
        context.setdefault(group, {})[name] = float(value) if isinstance(value, Decimal) else value
    try:
        return bool(_rule(expression)(context))
    except jinja2.TemplateSyntaxError as err:
        raise TemplateError(f"规则“{expression}”有语法错误：{err.message}。") from err
    except ZeroDivisionError:
        return None
    except (jinja2.TemplateError, ArithmeticError, TypeError, ValueError) as err:
        raise TemplateError(f"规则“{expression}”无法计算（{err}）。",
                            hint="规则只能比较和计算数字与日期；检查 schema.yaml 中这条规则用到的变量类型。",
                            ) from err
