"""Template text → rendered text: a plain template's holes filled in, anything else in Jinja's sandbox.

The only module that imports jinja2. Jinja's parser judges templates and rules; a plain template
(text and `{{ 组.名称 }}`) is cut at its holes and never run, and a checked rule is evaluated by a
walk of its few nodes. Values fill the holes as finished strings, so a value is never evaluated as
template code, and no template engine decides how a number is printed.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Collection, Mapping
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

import jinja2
import jinja2.parser
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



class _Environment(SandboxedEnvironment):
    """The sandbox, with `组.名称` looked up as a key only: a variable named items, keys or get
    must print its value, not reach the dict's method of that name."""

    def getattr(self, obj: object, attribute: str) -> object:
        if isinstance(obj, dict):
            if attribute in obj:
                return obj[attribute]
            return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


_ENV = _Environment(undefined=jinja2.StrictUndefined, autoescape=False)
MAX_RULE_CHARS = 1000  # a rule compares a few figures; Jinja parses nesting by recursion
MAX_RULE_DEPTH = 200   # operations inside one another: a sum of 200 figures, but no deeper
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


# A `{` of the text that Jinja would read as the start of a tag, written as text instead.
RAW_BRACE = "{% raw %}{{% endraw %}"
# What a plain template holds of Jinja: `{{ 组.名称 }}` and RAW_BRACE; any other opener is something else.
_PLAIN = re.compile(r"\{\{\s*([^\W\d]\w*\.[^\W\d]\w*(?:\.[^\W\d]\w*)?)\s*\}\}|" + re.escape(RAW_BRACE)
                    + r"|(\{[{%#])")


def template_keys(source: str, *, file: str, parts: tuple[int, ...] = (2,)) -> dict[str, int]:
    """Return the variables `source` uses, as dotted keys with the first line using each.

    Raise TemplateError unless `source` is text with only `{{ 组.名称 }}` in it. Templates are
    untrusted: with no filters, calls, operators or tags there is nothing to abuse, and nothing that
    can print a value in some way other than the schema's. `parts` are the numbers of dotted parts
    a key may have (a table's repeated row also uses 组.名称.列).
    """
    plain = _plain_keys(source, parts)
    if plain is not None:
        return plain
    try:
        tree = _ENV.parse(source)
    except jinja2.TemplateSyntaxError as err:
        raise _syntax_error(err, source, file) from err
    except RecursionError as err:  # (((…))) thousands deep inside {{ }}: Jinja's parser recurses
        raise TemplateError("模板的 {{ }} 中括号或运算嵌套太深。", file=file, line=_first_odd_tag(source),
                            hint="模板中只能写 {{ 组.名称 }} 形式的变量。") from err
    trim = re.search(r"\{[{%#]-|-[}%#]\}", source)
    if trim:  # whitespace control would silently eat the text around a variable
        line = source.count("\n", 0, trim.start()) + 1
        raise TemplateError("模板中不能用 {{- 或 -}}（或 {%- -%}）。", file=file, line=line,
                            hint="写成 {{ 组.名称 }}。")
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


_ARITHMETIC = (nodes.Add, nodes.Sub, nodes.Mul, nodes.Div, nodes.FloorDiv, nodes.Mod, nodes.Neg, nodes.Pos)


def refuse_comments(source: str, *, file: str) -> None:
    """Raise TemplateError, with its line, when template text `source` holds a `{# … #}` comment.

    Jinja drops a comment and the words inside it from the report without a word; drafter's own
    table blocks use comments internally, so this is checked on the text as the file holds it.
    """
    if "{#" not in source:  # only a source with `{#` in it can hold one: lex it, raw blocks and all
        return
    try:
        line = next((line for line, kind, _ in _ENV.lex(source) if kind == "comment_begin"), None)
    except jinja2.TemplateSyntaxError:
        return  # an unclosed tag: the parser reports it, with its line
    if line is not None:
        raise TemplateError("模板中不能使用 {# #} 注释，它括住的文字不会出现在报告中。", file=file, line=line,
                            hint="删除 {# 和 #}；报告原文中的“{”请写成 {% raw %}{{% endraw %}。")


def _plain_keys(source: str, parts: tuple[int, ...]) -> dict[str, int] | None:
    """Return the keys of a template holding nothing but text, `{{ 组.名称 }}` and RAW_BRACE.

    Return None for anything else, which Jinja's parser then judges. A report of 100,000 blanks
    is read in a blink this way; Jinja's parser would take minutes and gigabytes on it.
    """
    holes = _holes(source)
    if holes is None or any(key.count(".") + 1 not in parts for key in holes.keys):
        return None
    keys: dict[str, int] = {}
    line = 1
    for text, key in zip(holes.texts, holes.keys, strict=False):  # one more text than keys
        line += text.count("\n")  # a RAW_BRACE, one `{` in the texts, holds no line end
        keys.setdefault(key, line)
    return keys


def check_rule_source(expression: str, *, file: str, line: int | None,
                      words: Collection[str] = ()) -> dict[str, int]:
    """Return the variables of rule `expression`; raise TemplateError unless it is plain arithmetic.

    A rule may compare and combine `组.名称` values and number constants, nothing else; the
    variables in `words` (names, texts, lists) may be compared but not computed with.
    """
    if len(expression) > MAX_RULE_CHARS:
        raise TemplateError(f"规则太长（{len(expression)} 个字符，上限 {MAX_RULE_CHARS}）。", file=file,
                            line=line, hint="一条规则只比较几个数字；复杂的核对请拆成几条规则。")
    try:
        _ENV.parse("{{ " + expression + " }}")  # first, for its words on a syntax error
        tree = _rule(expression)  # what check_rule evaluates: one expression, nothing after it
    except jinja2.TemplateSyntaxError as err:
        raise TemplateError(f"规则“{expression}”有语法错误：{_syntax(err)}。", file=file, line=line) from err
    except RecursionError as err:
        raise TemplateError("规则中括号或运算嵌套太深。", file=file, line=line,
                            hint="一条规则只比较几个数字；复杂的核对请拆成几条规则。") from err
    keys: dict[str, int] = {}

    def walk(node: nodes.Node, computed: bool = False, depth: int = 0) -> None:
        if depth > MAX_RULE_DEPTH:  # - - - … 400 deep: each level a frame when evaluated
            raise TemplateError("规则中括号或运算嵌套太深。", file=file, line=line,
                                hint="一条规则只比较几个数字；复杂的核对请拆成几条规则。")
        path = _variable_path(node)
        if path is not None:
            if len(path) != 2 or any(part.startswith("_") for part in path):
                raise TemplateError(f"规则“{expression}”中的变量应写成 组.名称。", file=file, line=line)
            key = ".".join(path)
            if computed and key in words:  # "艾城" * 10**9 would eat the memory
                raise TemplateError(f"规则“{expression}”对文字变量 {key} 做了运算。", file=file, line=line,
                                    hint="名称和文字只能比较（== !=），加减乘除只能用于数字。")
            keys.setdefault(key, line or 0)
        elif isinstance(node, nodes.Const) and type(node.value) in (int, float):
            return
        elif isinstance(node, _RULE_NODES):
            for child in node.iter_child_nodes():
                # `and`/`or` pass an operand on (0 or 镇名) * 9; a comparison or `not` makes a bool.
                walk(child, isinstance(node, _ARITHMETIC)
                     or computed and isinstance(node, (nodes.And, nodes.Or)), depth + 1)
        else:
            raise TemplateError(f"规则“{expression}”只能比较和计算数字（+ - * / 和比较）。",
                                file=file, line=line)

    walk(tree)
    return keys


def _first_odd_tag(source: str) -> int | None:
    """Return the line of the first `{{ }}` that is not a plain `{{ 组.名称 }}`."""
    for match in re.finditer(r"\{\{(?!\s*\w+\.\w+\s*\}\})", source):
        return source.count("\n", 0, match.start()) + 1
    return None


class Holes(NamedTuple):
    """A plain template compiled: its text cut at each `{{ 组.名称 }}`, the keys of the holes between."""

    texts: tuple[str, ...]  # one more than the keys: the text before each hole, and after the last
    keys: tuple[str, ...]


def compile_source(source: str, *, file: str) -> Holes | jinja2.Template:
    """Compile template `source`; raise TemplateError with the line on a syntax error.

    A plain template (text, `{{ 组.名称 }}` and RAW_BRACE, as every template drafter writes) is cut
    at its holes, which a report fills in: nothing is executed, and a report renders in a blink.
    Anything else is compiled by the sandboxed Jinja.
    """
    holes = _holes(source)
    if holes is not None:
        return holes
    try:
        return _ENV.from_string(source)
    except jinja2.TemplateSyntaxError as err:
        raise _syntax_error(err, source, file) from err


def _hole_key(key: str) -> bool:
    """Return True for what a hole may hold: 组.名称, or 组.名称.列 (a table's repeated row), each
    part a name Jinja would read as one, none starting with `_`."""
    from .schema import is_valid_key  # schema → yamlfile → textfile → word → layout → render

    parts = key.split(".")
    return all(is_valid_key(f"{a}.{b}") and not a.startswith("_") and not b.startswith("_")
               for a, b in zip(parts, parts[1:], strict=False))


def _holes(source: str) -> Holes | None:
    """Return plain template `source` cut at its holes, or None for anything else."""
    if "\r" in source:  # Jinja counts \r as a line end too; files reach here with \n only
        return None
    texts, keys, position = [], [], 0
    stretch = ""
    for match in _PLAIN.finditer(source):
        key = match.group(1)
        if match.group(2) or (key is not None and not _hole_key(key)):
            return None
        stretch += source[position:match.start()]
        position = match.end()
        if key is None:  # RAW_BRACE: a `{` of the text
            stretch += "{"
        else:
            texts.append(stretch)
            keys.append(key)
            stretch = ""
    stretch += source[position:]
    # Jinja drops the text's last line end (keep_trailing_newline is off); so must the holes.
    texts.append(stretch[:-1] if stretch.endswith("\n") else stretch)
    return Holes(tuple(texts), tuple(keys))


def render(template: Holes | jinja2.Template, text: Mapping[str, str], *, mark: bool = False,
           missing: Mapping[str, str] | None = None, anchor: bool = False,
           anchor_keys: Mapping[str, str] | None = None) -> str:
    """Render `template` with the printed values `text` (by dotted key).

    With `mark`, each value is bracketed for highlighting; with `anchor`, the bracket also carries
    the value's key (or its `anchor_keys` entry: a list item's cell says which item), so the writer
    can anchor it (without `mark`, it is anchored only). `missing` gives, by key, a placeholder
    that is shown bracketed as missing.
    """
    if isinstance(template, Holes):
        return _fill(template, text, mark, missing or {}, anchor, anchor_keys or {})
    context: dict[str, dict[str, object]] = {}
    for key, value in text.items():
        if mark or anchor:
            named = (anchor_keys or {}).get(key, key)
            start = (VALUE_START if mark else ANCHOR_START) + (named + KEY_END if anchor else "")
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


def _fill(holes: Holes, text: Mapping[str, str], mark: bool, missing: Mapping[str, str], anchor: bool,
          anchor_keys: Mapping[str, str]) -> str:
    """Return `holes` filled in, as `render` says: what Jinja prints for the same plain template."""
    filled = text
    if mark or anchor:
        begin = VALUE_START if mark else ANCHOR_START
        filled = {key: begin + (anchor_keys.get(key, key) + KEY_END if anchor else "") + value + MARK_END
                  for key, value in text.items()}
    if missing:  # a value missing in a draft (as in Jinja's context, over the text)
        filled = {**filled, **{key: MISSING_START + label + MARK_END for key, label in missing.items()}}
    out = [holes.texts[0]]
    append = out.append
    try:
        for key, after in zip(holes.keys, holes.texts[1:], strict=False):  # one more text than keys
            append(filled[key])
            append(after)
    except KeyError as err:
        raise DrafterError(f"渲染时缺少变量：{err.args[0]}。",
                           hint="检查取值文件是否包含模板的全部变量（drafter check）。") from None
    return "".join(out)


# Jinja's syntax errors, in the words of a template that may hold only {{ 组.名称 }}.
_SYNTAX = {
    "Expected an expression": "{{ }} 里缺少“组.名称”",
    "end of print statement": "{{ }} 里只能写一个“组.名称”，并以 }} 结束",
    "unexpected end of template": "{{ 或 {% 没有结束",
    "Unexpected end of template": "{% %} 标签没有结束（模板中不能用 {% %}）",
    "Missing end of comment tag": "{# 没有结束（模板中不需要 {# #}）",
    "unexpected '}'": "多了一个 }",
    "unexpected char": "有不能出现在 {{ }} 里的字符",
    "Encountered unknown tag": "模板中不能用 {% %} 标签",
}


def _syntax_error(err: jinja2.TemplateSyntaxError, source: str, file: str) -> TemplateError:
    line, message = err.lineno, err.message or ""
    # An unclosed {% or {# is reported where Jinja gave up, the end of the text: name its own line.
    opener = re.search(r"\{%" if message.startswith("Unexpected end of template") else
                       r"\{#" if message.startswith("Missing end of comment") else r"(?!)", source)
    if opener:
        line = source.count("\n", 0, opener.start()) + 1
    return TemplateError(f"模板语法错误：{_syntax(err)}。", file=file, line=line,
                         hint="变量写成 {{ 组.名称 }}，花括号成对。")


def _syntax(err: jinja2.TemplateSyntaxError) -> str:
    message = err.message or ""
    return next((chinese for english, chinese in _SYNTAX.items() if english in message),
                "{{ }} 的写法不对")


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


@lru_cache(maxsize=256)
def _rule(expression: str) -> nodes.Expr:
    """Return the parsed rule `expression`: one expression, nothing after it."""
    parser = jinja2.parser.Parser(_ENV, expression, state="variable")
    tree = parser.parse_expression()
    if not parser.stream.eos:
        raise jinja2.TemplateSyntaxError("chunk after expression", parser.stream.current.lineno)
    return tree


_COMPARISONS = {"eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "gteq": operator.ge,
                "lt": operator.lt, "lteq": operator.le, "in": lambda a, b: a in b,
                "notin": lambda a, b: a not in b}
_ARITHMETIC_OPERATORS = {nodes.Add: operator.add, nodes.Sub: operator.sub, nodes.Mul: operator.mul,
                         nodes.Div: operator.truediv, nodes.FloorDiv: operator.floordiv,
                         nodes.Mod: operator.mod}


def _evaluate(node: nodes.Node, values: Mapping[str, object]) -> object:
    """Return the value of rule expression `node` (checked by check_rule_source) for `values`.

    A walk of the few nodes a rule may hold, as Python evaluates them (chained comparisons,
    `and`/`or` giving an operand), with arithmetic on numbers only: "艾城" * 10**9 must not eat
    the memory. Nothing else can be reached: no attribute, call or filter gets past the check.
    """
    path = _variable_path(node)
    if path is not None:
        key = ".".join(path)
        if key not in values:
            raise jinja2.UndefinedError(f"{key} 没有取值")
        return values[key]
    if isinstance(node, nodes.Const):
        return node.value
    if isinstance(node, nodes.Compare):
        left = _evaluate(node.expr, values)
        for operand in node.ops:
            right = _evaluate(operand.expr, values)
            if not _COMPARISONS[operand.op](left, right):
                return False
            left = right
        return True
    if isinstance(node, nodes.And):
        left = _evaluate(node.left, values)
        return _evaluate(node.right, values) if left else left
    if isinstance(node, nodes.Or):
        left = _evaluate(node.left, values)
        return left if left else _evaluate(node.right, values)
    if isinstance(node, nodes.Not):
        return not _evaluate(node.node, values)
    if isinstance(node, (nodes.Neg, nodes.Pos)):
        value = _evaluate(node.node, values)
        return -value if isinstance(node, nodes.Neg) else +value  # type: ignore[operator]
    left, right = _evaluate(node.left, values), _evaluate(node.right, values)  # type: ignore[attr-defined]
    if not (isinstance(left, (int, float)) and isinstance(right, (int, float))):
        raise TypeError("规则只能对数字做运算")
    return _ARITHMETIC_OPERATORS[type(node)](left, right)


@lru_cache(maxsize=256)
def rule_keys(expression: str) -> tuple[str, ...]:
    """Return the variables a rule `expression` uses, as dotted keys (parsed once per rule)."""
    return tuple(check_rule_source(expression, file="schema.yaml", line=None))


def check_rule(expression: str, typed: Mapping[str, object]) -> bool | None:
    """Return whether the rule `expression` holds for the typed values `typed` (by dotted key).

    Return None when the values leave it undecided (a ratio over a zero).
    """
    values = {}
    for key in rule_keys(expression):  # only what it uses: a rule names each value as 组.名称
        if key in typed:  # (one not given is said to be undefined)
            value = typed[key]
            # Decimal does not mix with the float constants a rule may hold (0.5 * 总数).
            values[key] = float(value) if isinstance(value, Decimal) else value
    try:
        return bool(_evaluate(_rule(expression), values))
    except jinja2.TemplateSyntaxError as err:
        raise TemplateError(f"规则“{expression}”有语法错误：{_syntax(err)}。") from err
    except ZeroDivisionError:
        return None
    except (jinja2.TemplateError, ArithmeticError, TypeError, ValueError) as err:
        raise TemplateError(f"规则“{expression}”无法计算（{err}）。",
                            hint="规则只能比较和计算数字与日期；检查 schema.yaml 中这条规则用到的变量类型。",
                            ) from err
