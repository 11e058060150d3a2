"""Read YAML text into a tree of nodes that keep their line numbers; the only module importing yaml.

Scalars are kept as the text the clerk typed, never resolved by the YAML loader: the schema decides
what `010`, `no` or `1.10` mean, so YAML 1.1 surprises (octals, booleans, floats that lose digits,
dates) cannot reach a report.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Union

import yaml

from . import chars
from .errors import ValuesFileError
from .textfile import decode_text, wide_encoding, wide_message

MAX_BYTES = 1_000_000
MAX_NODES = 100_000
MAX_DEPTH = 32  # levels of nesting; a values file has 2 or 3, a schema.yaml 4

Data = Union[str, None, "dict[str, Node]", "list[Node]"]


@dataclass(frozen=True)
class Node:
    """A value from a YAML file with the 1-based line it stands on (the key's line in a mapping)."""

    value: Data
    line: int


def decode(raw: bytes, file: str) -> str:
    """Return `raw` decoded as UTF-8 (with or without BOM) or GB18030, as Windows Notepad saves."""
    if len(raw) > MAX_BYTES:
        raise ValuesFileError(f"文件太大（{len(raw)} 字节，上限 {MAX_BYTES} 字节）。", file=file,
                              hint="取值文件只需列出各项数字和名称，请检查是否选错了文件。")
    wide = wide_encoding(raw)
    if wide:
        raise ValuesFileError(wide_message(wide), file=file, hint="请在记事本中“另存为”，编码选择 UTF-8。")
    if b"\x00" in raw:
        raise ValuesFileError("这不是文本文件（含有二进制内容）。", file=file,
                              hint="请选择用记事本或编辑器保存的 .yaml 文本文件。")
    text = decode_text(raw)
    if text is not None:
        return text
    raise ValuesFileError("无法识别文件编码（既不是 UTF-8 也不是 GB18030）。", file=file,
                          hint="请在记事本中“另存为”，编码选择 UTF-8。")


def parse(text: str, file: str) -> Node | None:
    """Parse `text` into a Node tree; return None for an empty document."""
    _check_colons(text, file)
    bad = chars.first_unwritable(text)
    if bad:  # YAML would count U+2028 as a new line, and stop at a control with no line at all
        raise ValuesFileError(f"含有看不见或无法保存的字符（{chars.describe(bad[1])}）。", file=file,
                              line=bad[0],
                              hint="多半是从网页或其他文件复制时带进来的，请删除这个字符后重新输入。")
    text = _check_spacing(text, file)
    try:
        root = _tree(text, file)
    except yaml.MarkedYAMLError as err:
        raise _syntax_error(err, text, file) from err
    except yaml.reader.ReaderError as err:  # a control character: the reader knows only its offset
        line = text.count("\n", 0, err.position) + 1
        raise ValuesFileError(f"含有不能出现在 YAML 中的控制字符（U+{err.character:04X}）。", file=file,
                              line=line, hint="多半是复制时带进来的，请删掉这一行重新输入。") from err
    except yaml.YAMLError as err:
        raise ValuesFileError("YAML 格式错误。", file=file, hint="检查缩进、冒号和引号。") from err
    return root


# libyaml (CSafeLoader) composes the same tree several times faster, keeping the line numbers.
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)
# Where the two loaders disagree (found by fuzzing both): PyYAML refuses a tab after a value, `|#`,
# odd `!` tags and `?` in brackets; libyaml drops a second BOM, reads NEL and U+2028 otherwise and
# puts an empty document (`---`) on another line; `%` directives are left to PyYAML as well.
# Such text, rare in a values file, takes PyYAML's path: every machine gives the same values and
# the same messages.
_LOADERS_DIFFER = re.compile(r"[!?\t\ufeff\x85\u2028\u2029]|[|>][-+0-9]*#|^(?:---|\.\.\.|%)", re.MULTILINE)


def _tree(text: str, file: str) -> Node | None:
    # Events, not a composed tree, from either loader: libyaml's composer recurses in C and
    # crashes the process on 50,000 nested brackets, its parser does not.
    if _FAST_LOADER is not None and not _LOADERS_DIFFER.search(text):
        try:
            return _build(yaml.parse(text, Loader=_FAST_LOADER), file)
        except yaml.YAMLError:
            pass  # libyaml words its errors differently: parse again for PyYAML's, the same everywhere
    return _build(yaml.parse(text, Loader=yaml.SafeLoader), file)


def _syntax_error(err: yaml.MarkedYAMLError, text: str, file: str) -> ValuesFileError:
    """Return the error for YAML's `err`, placed where the clerk's mistake is, not where YAML gave up."""
    mark = err.problem_mark or err.context_mark
    line = mark.line + 1 if mark else None
    # An unclosed quote or bracket runs on to a later line (or the end of the file) before YAML
    # notices; the mistake is where it opens.
    opened = _unclosed(text.split("\n")[: line or None])
    if opened:
        number, mark_char = opened
        message = f"YAML 格式错误：这一行的{_OPENERS[mark_char]} {mark_char} 没有配对（缺少后一个）。"
        return ValuesFileError(message, file=file, line=number, hint=_PAIR_HINT)
    context = err.context or ""
    if err.context_mark and context.startswith(("while scanning a quoted", "while parsing a flow")):
        opener = "引号" if "quoted" in context else "括号"
        return ValuesFileError(f"YAML 格式错误：{opener}没有配对。", file=file,
                               line=err.context_mark.line + 1, hint=_PAIR_HINT)
    return ValuesFileError(f"YAML 格式错误：{_explain(err.problem or '', context)}。", file=file,
                           line=line, hint="检查这一行及上一行的缩进（用空格，不用 Tab）、冒号后是否有空格、"
                                           "引号和括号是否成对。")


_OPENERS = {'"': "双引号", "'": "单引号", "[": "方括号", "{": "花括号"}
_PAIR_HINT = "引号和括号要在同一行内配对；值里不需要引号时，直接写取值即可，例如“镇名: 青溪”。"


_ESCAPE = "双引号里的反斜杠 \\ 后面跟了不认识的字符（值里不需要引号时直接写取值）"
# PyYAML's and libyaml's messages, in the words a clerk understands.
_MESSAGES = {
    "mapping values are not allowed": "这里不能出现“键: 值”（多半是缩进不对，或值里有“: ”）",
    "could not find expected ':'": "缺少冒号",
    "cannot start any token": "这里有不能出现的字符（如 Tab、@ 或 `）",
    "found undefined alias": "用了未定义的别名（*）",
    "expected <block end>": "缩进不一致",
    "did not find expected key": "缩进不一致",
    "did not find expected '-' indicator": "缩进不一致",
    "sequence entries are not allowed": "这里不能出现“- ”列表项（多半是缩进不对）",
    "found unexpected end of stream": "文件在引号或括号中间结束了",
    "expected ',' or ']'": "方括号 [ ] 没有配对，或列表项之间缺逗号",
    "did not find expected ',' or ']'": "方括号 [ ] 没有配对，或列表项之间缺逗号",
    "expected ',' or '}'": "花括号 { } 没有配对",
    "did not find expected ',' or '}'": "花括号 { } 没有配对",
    "but found another document": "文件里有多份 YAML 文档（---）",
    "expected a single document": "文件里有多份 YAML 文档（---）",
    "found duplicate anchor": "别名（&）重复定义",
    "found unknown escape character": _ESCAPE,
    "expected escape sequence": _ESCAPE,
    "found unexpected document separator": "引号中间出现了 --- 或 ...",
    "expected the node content": "这里缺少取值",
    "expected node content": "这里缺少取值",
    "found unexpected ':'": "值里有冒号“:”，请给这一项的值加引号",
    "tab character where an indentation space": "用了 Tab 缩进",
    "<document start>": "文件开头的 % 指令不对，或多了 ---",
    "while scanning a tag": "用了不认识的 ! 标记（取值里的 ! 要加引号）",
    "while parsing a tag": "用了不认识的 ! 标记（取值里的 ! 要加引号）",
    "expected alphabetic or numeric character": "& 或 * 后面缺少名称（取值里的 & 和 * 要加引号）",
    "expected chomping or indentation indicators": "| 或 > 后面有多余的字符",
    "while scanning a block scalar": "| 或 > 后面有多余的字符",
    "found undefined tag handle": "用了不认识的 ! 标记（取值里的 ! 要加引号）",
    "expected '<document start>'": "文件开头的 % 指令不对",
    "while scanning a directive": "文件开头的 % 指令不对",
    "mapping keys are not allowed": "这里不能出现 “? ”",
}


def _explain(problem: str, context: str = "") -> str:
    for text in (problem, context):  # what went wrong, else what YAML was reading
        for english, chinese in _MESSAGES.items():
            if english in text:
                return chinese
    return "格式不对"


_SPACES = "\u00a0\u2000-\u200a\u202f\u205f\u3000"  # no-break and full-width spaces, from Word
_WIDE_INDENT = re.compile(f"^[ \t]*[{_SPACES}]")
_WIDE_AFTER_COLON = re.compile(f"^\\s*(?:- )?[^\\s#'\"\\[{{][^:]*?:[{_SPACES}]")


def _check_spacing(text: str, file: str) -> str:
    """Raise on indentation with Tabs or full-width spaces; return `text` with other Tabs as spaces.

    YAML counts only ASCII spaces: a full-width space (U+3000, pasted from Word) is text to it, so
    it would complain a line later; a Tab after the colon is what a clerk types to line values up.
    """
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if _WIDE_INDENT.match(line):
            raise ValuesFileError("这一行开头用了全角空格（或不换行空格），YAML 不认它作缩进。", file=file,
                                  line=number, hint="删掉行首的空白，换成半角空格（英文输入状态的空格键）。")
        if _WIDE_AFTER_COLON.match(line):
            raise ValuesFileError("这一行冒号后面是全角空格（或不换行空格）。", file=file, line=number,
                                  hint="键和值之间要用半角冒号加一个半角空格，例如“签约新项目: 5”。")
        if line.lstrip(" ").startswith("\t") and line.strip():
            raise ValuesFileError("这一行用了 Tab 缩进，YAML 只认空格缩进。", file=file, line=number,
                                  hint="删掉行首的 Tab，换成空格（与同组的其他行对齐）。")
        if "\t" in line:
            lines[number - 1] = _untab(line)
    return "\n".join(lines)


def _quote_spans(line: str) -> tuple[list[tuple[int, int]], tuple[int, str] | None]:
    """Return the spans of `line` inside quotes or flow brackets, and a quote left open, if any.

    Only a quote that starts a value opens one (`镇名: "青溪"`, `[“a”, 'b']`); `it's` does not.
    """
    spans: list[tuple[int, int]] = []
    depth, start, quote, previous = 0, 0, "", ":"
    for at, char in enumerate(line):
        if quote:
            if char == quote and not (quote == '"' and line[at - 1] == "\\"):
                if quote == "'" and line[at + 1:at + 2] == "'":
                    continue
                spans.append((start, at))
                quote = ""
            continue
        if char == "#" and (at == 0 or line[at - 1] in " \t"):
            break
        if char in "\"'" and previous in ":-[{,?":
            quote, start = char, at
        elif char in "[{" and previous in ":-[{,?":
            depth, start = depth + 1, at if depth == 0 else start
        elif char in "]}" and depth:
            depth -= 1
            if not depth:
                spans.append((start, at))
        if char not in " \t":
            indicator = char in ":-" and line[at + 1:at + 2] in (" ", "\t", "")
            previous = char if indicator or char in "[{,?" else "x"
    if depth:
        spans.append((start, len(line)))  # a list may go on over lines: YAML allows that
    return spans, (start, quote) if quote else None


def _unclosed(lines: list[str]) -> tuple[int, str] | None:
    """Return the 1-based number of the first of `lines` that leaves a quote open, and the quote."""
    for number, line in enumerate(lines, start=1):
        opened = _quote_spans(line)[1]
        if opened:
            return number, opened[1]
    return None


def _untab(line: str) -> str:
    spans = _quote_spans(line)[0]
    return "".join(" " if char == "\t" and not any(a < at < b for a, b in spans) else char
                   for at, char in enumerate(line))


_FULL_WIDTH_COLON = re.compile(r"^\s*(?:- )?[^\s#:：'\"\[{][^:：]*?：")
_NO_SPACE_COLON = re.compile(r"^\s*(?:- )?[^\s#:'\"\[{][^:]*?:(?=[^\s/:])")


def _check_colons(text: str, file: str) -> None:
    """Raise on a key written with a full-width colon or no space after the colon.

    YAML would take such a line for part of a value and complain lines later, or not at all.
    """
    for number, line in enumerate(text.split("\n"), start=1):
        if _FULL_WIDTH_COLON.match(line) and ":" not in line:
            raise ValuesFileError("这一行用了全角冒号“：”。", file=file, line=number,
                                  hint="键和值之间要用半角冒号加一个空格，例如“签约新项目: 5”。")
        if _NO_SPACE_COLON.match(line) and ": " not in line and not line.rstrip().endswith(":"):
            raise ValuesFileError("这一行的冒号后面没有空格。", file=file, line=number,
                                  hint="键和值之间要用半角冒号加一个空格，例如“签约新项目: 5”。")


class _Open:
    """A mapping or list being built from the events, with its key waiting for a value."""

    def __init__(self, value: dict[str, Node] | list[Node], line: int, anchor: str | None) -> None:
        self.value, self.line, self.anchor = value, line, anchor
        self.key: tuple[str, int] | None = None
        self.size = 1  # nodes in it, aliases counted as often as they are used


def _build(events: Iterator[yaml.Event], file: str) -> Node | None:
    """Return the tree of `events` (one YAML document), or None when it is empty.

    Built with a stack rather than PyYAML's recursive composer: 50,000 nested brackets must be
    refused, not overflow Python's stack (or, in libyaml, crash the process). An alias reuses its
    anchor's node, and counts as that many nodes towards MAX_NODES, so a billion laughs is refused.
    """
    stack: list[_Open] = []
    anchors: dict[str, tuple[Node, int]] = {}
    open_anchors: set[str] = set()
    root: Node | None = None
    documents = aliases = 0
    for event in events:
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise ValuesFileError("YAML 格式错误：文件里有多份 YAML 文档（---）。", file=file, line=line,
                                      hint="取值文件只能有一份文档，删除多余的 --- 行。")
            continue
        anchor_name = getattr(event, "anchor", None)
        if anchor_name and not isinstance(event, yaml.AliasEvent) and (
                anchor_name in anchors or anchor_name in open_anchors):
            raise ValuesFileError(f"YAML 格式错误：锚点 &{anchor_name} 定义了两次。", file=file, line=line,
                                  hint="取值文件不需要 & 和 * 别名，请删除它们。")
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            _key_position(stack, line, file)
            if len(stack) >= MAX_DEPTH:
                raise ValuesFileError(f"嵌套太深（超过 {MAX_DEPTH} 层）。", file=file, line=line,
                                      hint="取值文件只需“分组: 名称: 取值”两三层，请检查括号是否成对。")
            empty: dict[str, Node] | list[Node] = {} if isinstance(event, yaml.MappingStartEvent) else []
            stack.append(_Open(empty, line, event.anchor))
            if event.anchor:
                open_anchors.add(event.anchor)
            continue
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            done = stack.pop()
            node, size, anchor = Node(done.value, done.line), done.size, done.anchor
            open_anchors.discard(anchor or "")
        elif isinstance(event, yaml.ScalarEvent):
            if stack and isinstance(stack[-1].value, dict) and stack[-1].key is None:
                stack[-1].key = (str(event.value).strip(), line)
                continue
            if event.style in ("'", '"') and event.end_mark.line > event.start_mark.line:
                quote = _OPENERS[event.style]
                closed = event.end_mark.line + 1
                raise ValuesFileError(f"这一行的{quote}没有配对（到第 {closed} 行才遇到后一个）。",
                                      file=file, line=line, hint=_PAIR_HINT)
            # libyaml gives a plain scalar the style "", PyYAML None.
            plain_null = not event.style and event.value in ("", "~", "null", "Null", "NULL")
            node, size, anchor = Node(None if plain_null else event.value, line), 1, event.anchor
        elif isinstance(event, yaml.AliasEvent):
            _key_position(stack, line, file)
            if event.anchor in open_anchors:
                raise ValuesFileError(f"别名 *{event.anchor} 引用了包含它自己的内容（循环引用）。", file=file,
                                      line=line, hint="取值文件不需要 & 和 * 别名，请删除它们。")
            if event.anchor not in anchors:
                raise ValuesFileError(f"YAML 格式错误：用了未定义的别名（*{event.anchor}）。", file=file,
                                      line=line, hint="取值文件不需要 & 和 * 别名，请删除它们。")
            (node, size), anchor = anchors[event.anchor], None
            aliases += 1
        else:
            continue
        if anchor:
            anchors[anchor] = (node, size)
        if not stack:
            root = node
            continue
        parent = stack[-1]
        parent.size += size
        if parent.size > MAX_NODES:
            why = "（多半是 YAML 别名 * 的层层引用）" if aliases else ""
            raise ValuesFileError(f"文件展开后超过 {MAX_NODES} 个取值{why}。", file=file, line=line,
                                  hint="取值文件不需要 & 和 * 别名，请删除它们。" if aliases
                                  else "取值文件只需列出模板的各项取值，请检查是否选错了文件。")
        _attach(parent, node, file)
    return root


def _key_position(stack: list[_Open], line: int, file: str) -> None:
    if stack and isinstance(stack[-1].value, dict) and stack[-1].key is None:
        raise ValuesFileError("键必须是文字。", file=file, line=line, hint="每行写成“名称: 取值”。")


def _attach(parent: _Open, node: Node, file: str) -> None:
    if isinstance(parent.value, list):
        parent.value.append(node)
        return
    assert parent.key is not None  # a value comes after its key
    key, key_line = parent.key
    parent.key = None
    if key in parent.value:
        raise ValuesFileError(
            f"键“{key}”重复出现（第 {parent.value[key].line} 行和第 {key_line} 行）。", file=file,
            line=key_line, hint="同一个键只能写一次，请删除其中一行。")
    parent.value[key] = Node(node.value, key_line)


def dump(data: object) -> str:
    """Return `data` (dicts, lists, strings, numbers, booleans) as block-style YAML, keys in order.

    Strings are quoted only where YAML needs it, so a file written here reads back through
    `parse` to the same text; long lines are never folded.
    """
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when present: 1 MB in a blink
    return yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=1_000_000, indent=2)


def scalar(text: str) -> str:
    """Return `text` written as the value of a `key: value` line that `parse` reads back as `text`.

    Plain where that reads back unchanged (5, 艾城, 2024-12-20), as a clerk writes it; in double
    quotes where YAML would read something else (a comment, a list, a null, spaces at the ends).
    """
    if text and "\n" not in text and "\r" not in text:
        try:  # parse, not yaml.compose: a text of 3,000 brackets must not overflow the stack
            root = parse(f"k: {text}\n", "")
        except ValuesFileError:
            root = None
        node = root.value.get("k") if root is not None and isinstance(root.value, dict) else None
        # Only a plain scalar reads back as its own text (a null reads back as None).
        if node is not None and node.value == text:
            return text
    return yaml.dump(text, Dumper=yaml.SafeDumper, allow_unicode=True, default_style='"',
                     width=1_000_000).rstrip("\n")


def flow_list(items: list[str]) -> str:
    """Return `items` as a one-line YAML flow list, `[南岭, 新华]`, each quoted only where needed."""
    return yaml.safe_dump(items, default_flow_style=True, allow_unicode=True, width=1_000_000).rstrip("\n")
