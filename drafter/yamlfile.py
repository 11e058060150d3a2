"""Read YAML text into a tree of nodes that keep their line numbers; the only module importing yaml.

Scalars are kept as the text the clerk typed, never resolved by the YAML loader: the schema decides
what `010`, `no` or `1.10` mean, so YAML 1.1 surprises (octals, booleans, floats that lose digits,
dates) cannot reach a report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

import yaml

from .errors import ValuesFileError

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
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValuesFileError("无法识别文件编码（既不是 UTF-8 也不是 GB18030）。", file=file,
                          hint="请在记事本中“另存为”，编码选择 UTF-8。")


def parse(text: str, file: str) -> Node | None:
    """Parse `text` into a Node tree; return None for an empty document."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        raise ValuesFileError(f"YAML 格式错误：{err.problem or err.context}。", file=file, line=line,
                              hint="检查这一行及上一行的缩进、冒号后是否有空格、引号是否成对。") from err
    except yaml.YAMLError as err:
        raise ValuesFileError(f"YAML 格式错误：{err}", file=file,
                              hint="检查缩进、冒号和引号。") from err
    if root is None:
        return None
    return _convert(root, file, [0])


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
