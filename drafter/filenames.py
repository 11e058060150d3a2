"""Output file names from values: a `--name` pattern, made safe for Windows and Linux file systems."""

from __future__ import annotations

import difflib
import re
import unicodedata

from . import convert
from . import values as values_module
from .errors import BatchError
from .template import Template

MAX_NAME_BYTES = 200  # Linux allows 255 bytes a name; write_atomically adds a prefix and suffix
INDEX_FIELD = "序号"
_FIELD = re.compile(r"\{([^{}]*)\}")
# Characters Windows refuses in a name, replaced by their full-width forms, which read the same.
_UNSAFE = str.maketrans({'<': '＜', '>': '＞', ':': '：', '"': '＂', '/': '／', '\\': '＼', '|': '｜',
                         '?': '？', '*': '＊'})
_RESERVED = re.compile(r"(?i)^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$")


class NamePattern:
    """A `--name` pattern such as `{基本信息.镇名}镇政府工作报告.docx`, checked against the template."""

    def __init__(self, pattern: str, template: Template) -> None:
        self.pattern = pattern
        stripped = _FIELD.sub("", pattern)
        if "{" in stripped or "}" in stripped:
            raise BatchError(f"--name “{pattern}”中的花括号不成对。",
                             hint="把取值的键写在一对花括号里，例如 --name \"{基本信息.镇名}.docx\"。")
        if "/" in stripped or "\\" in stripped:
            raise BatchError(f"--name “{pattern}”含有文件夹分隔符。",
                             hint="--name 只给文件名；输出文件夹用 -o 指定。")
        self.keys = [key.strip() for key in _FIELD.findall(pattern)]
        known = template.schema.by_key
        for key in self.keys:
            if key != INDEX_FIELD and key not in known:
                close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.5)
                hint = (f"您是不是想写 {{{close[0]}}}？" if close else
                        "键用 `drafter vars` 列出的写法，如 {基本信息.镇名}。")
                raise BatchError(f"--name 中的“{{{key}}}”不是本模板的变量。",
                                 hint=hint + f" 另可用 {{{INDEX_FIELD}}} 表示报告的序号。")
        self.variables = known

    def name(self, job_index: int, data: values_module.Values) -> str:
        """Return the file name for the report with `data`; raise BatchError when a value is missing."""
        def fill(match: re.Match[str]) -> str:
            key = match.group(1).strip()
            if key == INDEX_FIELD:
                return str(job_index)
            raw = data.raw.get(key)
            if raw is None or raw == ():
                raise BatchError(f"文件名要用到 {key}，但它没有填写。",
                                 hint="填上这一项，或换一个 --name。")
            try:
                return convert.parse_value(self.variables[key], raw)[1]
            except convert.BadValue:
                return "、".join(i or "" for i in raw) if isinstance(raw, tuple) else raw
        return safe_file_name(_FIELD.sub(fill, self.pattern))


def safe_file_name(text: str) -> str:
    """Return `text` as a .docx file name that Windows and Linux both accept; raise BatchError if empty.

    Characters Windows refuses become their full-width forms; control and invisible characters,
    trailing dots and spaces go; device names (CON, NUL, COM1 …) get a leading _; a long name is
    cut to fit.
    """
    text = unicodedata.normalize("NFC", text)
    if text.lower().endswith(".docx"):
        text = text[:-5]
    text = "".join(" " if c.isspace() else c for c in text.translate(_UNSAFE)
                   if c.isspace() or unicodedata.category(c) not in ("Cc", "Cf", "Co", "Cs", "Cn"))
    stem = " ".join(text.split()).strip(" .")
    if _RESERVED.match(stem):
        stem = "_" + stem
    while len(stem.encode("utf-8")) > MAX_NAME_BYTES - 5:
        stem = stem[:-1].rstrip(" .")
    if not stem:
        raise BatchError("文件名是空的（取值里只有空格、点号或不可见字符）。",
                         hint="检查文件名要用到的取值，或换一个 --name。")
    return stem + ".docx"


def clash_key(name: str) -> str:
    """Return what makes two names one file on Windows and macOS: case and Unicode form ignored."""
    return unicodedata.normalize("NFC", name).casefold()
