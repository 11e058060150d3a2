"""Read YAML text into a tree of nodes that keep their line numbers; the only module importing yaml.

Scalars are kept as the text the clerk typed, never resolved by the YAML loader: the schema decides
what `010`, `no` or `1.10` mean, so YAML 1.1 surprises (octals, booleans, floats that lose digits,
dates) cannot reach a report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

import yaml

from .errors import ValuesFileError
from .textfile import decode_text

MAX_BYTES = 1_000_000
MAX_NODES = 100_000

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
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValuesFileError("文件是 UTF-16（记事本的“Unicode”）编码，drafter 读不了。", file=file,
                              hint="请在记事本中“另存为”，编码选择 UTF-8。")
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
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
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
    if root is None:
        return None
    return _convert(root, file, [0])


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


def _convert(node: yaml.Node, file: str, seen: list[int]) -> Node:
    seen[0] += 1
    line = node.start_mark.line + 1
    if seen[0] > MAX_NODES:
        raise ValuesFileError(f"文件展开后超过 {MAX_NODES} 个取值（可能是 YAML 别名的循环引用）。",
                              file=file, line=line, hint="取值文件不需要 & 和 * 别名，请删除它们。")
    if isinstance(node, yaml.ScalarNode):
        if node.style is None and node.value in ("", "~", "null", "Null", "NULL"):
            return Node(None, line)
        return Node(node.value, line)
    if isinstance(node, yaml.SequenceNode):
        return Node([_convert(item, file, seen) for item in node.value], line)
    mapping: dict[str, Node] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise ValuesFileError("键必须是文字。", file=file, line=key_node.start_mark.line + 1,
                                  hint="每行写成“名称: 取值”。")
        key = str(key_node.value).strip()
        key_line = key_node.start_mark.line + 1
        if key in mapping:
            raise ValuesFileError(
                f"键“{key}”重复出现（第 {mapping[key].line} 行和第 {key_line} 行）。", file=file,
                line=key_line, hint="同一个键只能写一次，请删除其中一行。")
        child = _convert(value_node, file, seen)
        mapping[key] = Node(child.value, key_line)
    return Node(mapping, line)


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
        try:
            root = yaml.compose(f"k: {text}\n", Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            root = None
        node = root.value[0][1] if isinstance(root, yaml.MappingNode) else None
        if (isinstance(node, yaml.ScalarNode) and node.style is None and node.value == text
                and text not in ("~", "null", "Null", "NULL")):
            return text
    return yaml.dump(text, Dumper=yaml.SafeDumper, allow_unicode=True, default_style='"',
                     width=1_000_000).rstrip("\n")


def flow_list(items: list[str]) -> str:
    """Return `items` as a one-line YAML flow list, `[南岭, 新华]`, each quoted only where needed."""
    return yaml.safe_dump(items, default_flow_style=True, allow_unicode=True, width=1_000_000).rstrip("\n")
