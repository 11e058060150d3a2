"""Template text → rendered text, through a sandboxed, strict Jinja environment.

The only module that imports jinja2. Values reach Jinja as finished strings, so a value is never
evaluated as template code, and Jinja never decides how a number is printed.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import jinja2
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment

from .errors import DrafterError, TemplateError

# Private-use characters that bracket a value in the rendered text, so the document writer can
# highlight it; `strip_marks` removes them for plain text.
VALUE_START, MISSING_START, MARK_END = "\ue000", "\ue001", "\ue002"
_MARKS = str.maketrans("", "", VALUE_START + MISSING_START + MARK_END)

_ENV = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)


def compile_source(source: str, *, file: str) -> jinja2.Template:
    """Compile template `source`; raise TemplateError with the line on a syntax error."""
    try:
        return _ENV.from_string(source)
    except jinja2.TemplateSyntaxError as err:
        raise TemplateError(f"模板语法错误：{err.message}", file=file, line=err.lineno,
                            hint="变量写成 {{ 组.名称 }}，花括号成对。") from err


def referenced_keys(source: str, *, file: str) -> dict[str, int]:
    """Return every variable `source` uses, as a dotted key, with the first line using it."""
    try:
        tree = _ENV.parse(source)
    except jinja2.TemplateSyntaxError as err:
        raise TemplateError(f"模板语法错误：{err.message}", file=file, line=err.lineno) from err
    found: dict[str, int] = {}
    inner: set[int] = set()
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        # find_all walks outer nodes first; the inner links of a chain are skipped.
        if id(node) in inner:
            continue
        parts = []
        current: nodes.Node = node
        while isinstance(current, (nodes.Getattr, nodes.Getitem)):
            inner.add(id(current.node))
            if isinstance(current, nodes.Getattr):
                parts.append(current.attr)
            elif isinstance(current.arg, nodes.Const):
                parts.append(str(current.arg.value))
            else:
                parts.append("?")
            current = current.node
        if isinstance(current, nodes.Name):
            inner.add(id(current))
            parts.append(current.name)
            found.setdefault(".".join(reversed(parts)), node.lineno)
    for name in tree.find_all(nodes.Name):
        if id(name) not in inner:
            found.setdefault(name.name, name.lineno)
    return found


def render(template: jinja2.Template, text: Mapping[str, str], *, mark: bool = False,
           missing: Mapping[str, str] | None = None) -> str:
    """Render `template` with the printed values `text` (by dotted key).

    With `mark`, each value is bracketed by marks; `missing` gives, by key, a placeholder that is
    shown bracketed as missing.
    """
    context: dict[str, dict[str, str]] = {}
    for key, value in text.items():
        group, _, name = key.partition(".")
        context.setdefault(group, {})[name] = VALUE_START + value + MARK_END if mark else value
    for key, label in (missing or {}).items():
        group, _, name = key.partition(".")
        context.setdefault(group, {})[name] = MISSING_START + label + MARK_END
    try:
        return template.render(context)
    except jinja2.exceptions.SecurityError as err:
        raise TemplateError(f"模板试图访问不允许的内容：{err}。",
                            hint="模板中只能使用 {{ 组.名称 }} 形式的变量。") from err
    except jinja2.UndefinedError as err:
        raise DrafterError(f"渲染时缺少变量：{err.message}。",
                           hint="检查取值文件是否包含模板的全部变量（drafter check）。") from err
    except (jinja2.TemplateError, ArithmeticError, TypeError, ValueError) as err:
        # The template is untrusted text: an expression failing inside it is its author's error.
        raise TemplateError(f"模板渲染出错：{err}。") from err


def strip_marks(text: str) -> str:
    """Return `text` without the value marks."""
    return text.translate(_MARKS)


@lru_cache(maxsize=256)
def _rule(expression: str) -> jinja2.environment.TemplateExpression:
    return _ENV.compile_expression(expression)


def rule_keys(expression: str) -> dict[str, int]:
    """Return the variables a rule `expression` uses, as dotted keys."""
    return referenced_keys("{{ " + expression + " }}", file="schema.yaml")


def check_rule(expression: str, typed: Mapping[str, object]) -> bool:
    """Return whether the rule `expression` holds for the typed values `typed` (by dotted key)."""
    context: dict[str, dict[str, object]] = {}
    for key, value in typed.items():
        group, _, name = key.partition(".")
        context.setdefault(group, {})[name] = value
    try:
        return bool(_rule(expression)(context))
    except jinja2.TemplateSyntaxError as err:
        raise TemplateError(f"规则“{expression}”有语法错误：{err.message}。") from err
    except (jinja2.TemplateError, ArithmeticError, TypeError, ValueError) as err:
        raise TemplateError(f"规则“{expression}”无法计算：{err}。",
                            hint="检查 schema.yaml 中这条规则用到的变量类型。") from err
