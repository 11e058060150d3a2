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
    try:
        root = _build(yaml.parse(text, Loader=yaml.SafeLoader), file)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        problem = _explain(err.problem or err.context or "")
        raise ValuesFileError(f"YAML 格式错误：{problem}。", file=file, line=line,
                              hint="检查这一行及上一行的缩进（用空格，不用 Tab）、冒号后是否有空格、"
                              "引号和括号是否成对。") from err
    except yaml.YAMLError as err:
        raise ValuesFileError(f"YAML 格式错误：{err}", file=file,
                              hint="检查缩进、冒号和引号。") from err
    return root


# PyYAML's messages, in the words a clerk understands; the original stays in brackets for engineers.
_MESSAGES = {
    "mapping values are not allowed here": "这里不能出现“键: 值”（多半是缩进不对，或值里有“: ”）",
    "could not find expected ':'": "缺少冒号",
    "found character '\\t' that cannot start any token": "用了 Tab 缩进",
    "found undefined alias": "用了未定义的别名（*）",
    "expected <block end>, but found": "缩进不一致",
    "found unexpected end of stream": "文件在引号或括号中间结束了",
    "expected ',' or ']'": "方括号 [ ] 没有配对，或列表项之间缺逗号",
    "expected ',' or '}'": "花括号 { } 没有配对",
    "but found another document": "文件里有多份 YAML 文档（---）",
    "found duplicate anchor": "别名（&）重复定义",
}


def _explain(problem: str) -> str:
    for english, chinese in _MESSAGES.items():
        if problem.startswith(english) or english in problem:
            return f"{chinese}（{problem}）"
    return problem


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
            plain_null = event.style is None and event.value in ("", "~", "null", "Null", "NULL")
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
