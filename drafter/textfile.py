"""Files a clerk brings → text: the encodings Windows editors save, and reports as .txt or .docx.

`decode_text` is shared with yamlfile (values files); `read_report` is the input edge of
`drafter templatize` and `drafter lint`, and refuses with a clear message anything that is not a
report in words: a binary file, an unknown encoding, an empty file.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from pathlib import Path

from . import chars, word
from .errors import DrafterError, ReportError, describe_os_error

# Notepad saves UTF-8 (with a BOM before Windows 10 1903) or "ANSI", which is GB18030 on Chinese
# Windows; GB18030 is a superset of GBK and GB2312.
ENCODINGS = ("utf-8-sig", "gb18030")
MAX_REPORT_BYTES = 20_000_000
_SAVE_AS = "请在记事本或 WPS 中“另存为”，编码选择 UTF-8，或另存为 Word（.docx）文档。"
ACCEPTED = "drafter 只读 Word 文档（.docx）和文本文件（.txt，UTF-8 或 GB18030 编码）"
_CONVERT = f"{ACCEPTED}。请用 Word 或 WPS 打开它，“另存为”Word 文档（.docx）或纯文本（.txt）后再试。"
# Formats a clerk may have the report in, refused by name before any byte is read as text.
_REFUSED_SUFFIXES = {
    ".doc": "旧版 Word 文档（.doc）", ".wps": "WPS 文字文档（.wps）", ".rtf": "RTF 文档（.rtf）",
    ".odt": "OpenDocument 文档（.odt）", ".pdf": "PDF 文件（.pdf）", ".docm": "带宏的 Word 文档（.docm）",
    ".dot": "Word 模板（.dot）", ".dotx": "Word 模板（.dotx）", ".wpt": "WPS 模板（.wpt）",
}
_PDF_HINT = ("请找到生成这个 PDF 的 Word 或 WPS 文档，“另存为”.docx 或 .txt；只有 PDF 时，"
             "可在 WPS 中打开后转为 Word 文档，再核对文字。")
# Signatures of files that are not text, with what to tell the clerk.
_SIGNATURES = (
    (b"PK\x03\x04", "这是 Word、WPS 或压缩文件，不是文本文件。", _CONVERT),
    (b"\xd0\xcf\x11\xe0", "这是旧版 Word（.doc）或 WPS 文件，drafter 读不了。", _CONVERT),
    (b"%PDF", "这是 PDF 文件，drafter 读不了。", _PDF_HINT),
    (b"{\\rtf", "这是 RTF 文档，不是文本文件。", _CONVERT),
)
# Control characters never appear in a report's words; a file with them is not text.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# Byte order marks of the encodings drafter does not read, longest first: UTF-32 LE starts as UTF-16 LE.
_STRAY_CONTROLS = 8
_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
         (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))
_WIDE = (("UTF-32", "utf-32-le"), ("UTF-32", "utf-32-be"), ("UTF-16", "utf-16-le"), ("UTF-16", "utf-16-be"))
# Compiled when a file looks like UTF-16 or UTF-32 (seldom): it takes 4 ms, a one-shot render's 1 %.
_PLAUSIBLE = "[\t\n\r\x20-\x7e\u2000-\u206f\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
_KINDS = ((stat.S_ISDIR, "一个文件夹"), (stat.S_ISCHR, "一个设备文件"), (stat.S_ISBLK, "一个设备文件"),
          (stat.S_ISFIFO, "一个管道（FIFO）"), (stat.S_ISSOCK, "一个套接字"))


def read_file(path: Path, *, limit: int, error: type[DrafterError], what: str) -> bytes:
    """Return the bytes of the regular file at `path`, at most `limit` of them.

    Devices (/dev/zero), FIFOs, sockets and folders are refused before anything is read, and a
    file is never read past `limit`, so nothing can hang drafter or fill its memory. Raise `error`
    naming the file, `what` saying what it should have been (取值文件, 报告 …).
    """
    file = str(path)
    try:
        kind = os.stat(path).st_mode
        _refuse_special(kind, file, error, what)
        # O_NONBLOCK: a FIFO put in place after the stat opens at once instead of waiting for a writer.
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(handle, "rb") as stream:
            _refuse_special(os.fstat(handle).st_mode, file, error, what)
            data = stream.read(limit + 1)
    except OSError as err:
        raise error(f"无法读取{what}：{describe_os_error(err)}。", file=file,
                    hint="检查文件名和路径是否正确。") from err
    if len(data) > limit:
        raise error(f"文件太大（超过 {limit} 字节）。", file=file, hint="请检查是否选错了文件。")
    return data


def _refuse_special(mode: int, file: str, error: type[DrafterError], what: str) -> None:
    for test, kind in _KINDS:
        if test(mode):
            raise error(f"这是{kind}，不是普通文件，不能作为{what}读取。", file=file,
                        hint=f"请给出{what}的文件路径。")


def wide_message(encoding: str) -> str:
    notepad = "（记事本的“Unicode”）" if encoding == "UTF-16" else ""
    return f"文件是 {encoding}{notepad}编码，drafter 读不了。"


def wide_encoding(raw: bytes) -> str | None:
    """Return "UTF-16" or "UTF-32" when `raw` is text in one of them, with or without BOM; else None."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name
    sample = raw[:4096]
    if b"\x00" not in sample:
        return None
    for name, codec in _WIDE:
        try:
            text = codecs.getincrementaldecoder(codec)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        # Any bytes decode as something: only words in the usual ranges prove it is text.
        if text.strip() and len(re.findall(_PLAUSIBLE, text)) >= 0.95 * len(text):
            return name
    return None


def decode_text(raw: bytes) -> str | None:
    """Return `raw` decoded as UTF-8 (with or without BOM) or GB18030, or None when neither fits."""
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def read_report(path: Path) -> str:
    """Return the text of the report at `path`, one paragraph a line, line ends made `\\n`.

    A .docx is read with python-docx; .doc, .wps, .rtf, .odt and .pdf are refused by name, with
    how to save them as .docx or .txt; any other file must be text in UTF-8, UTF-8 with BOM or
    GB18030. Raise ReportError when it cannot be read or holds no words.
    """
    raw = read_report_bytes(path)
    if path.suffix.lower() == ".docx":
        return report_text(word.read_report(raw, file=str(path)), file=str(path))
    return report_text([_decode_report(raw, str(path))], file=str(path))


def read_report_bytes(path: Path) -> bytes:
    """Return the bytes of the report at `path`; refuse folders, formats drafter cannot read, huge files."""
    file = str(path)
    suffix = path.suffix.lower()
    if suffix in _REFUSED_SUFFIXES:
        raise ReportError(f"drafter 读不了{_REFUSED_SUFFIXES[suffix]}。", file=file,
                          hint=_PDF_HINT if suffix == ".pdf" else _CONVERT)
    return read_file(path, limit=MAX_REPORT_BYTES, error=ReportError, what="报告")


def report_text(lines: list[str], *, file: str) -> str:
    """Return `lines` (paragraphs) as one text with `\\n` line ends; refuse a report with no words.

    Page and line separators (\\f from pdftotext, \\v, U+2028, U+2029, U+0085) end a paragraph;
    any other character no Word document can hold is refused with its line.
    """
    text = "\n".join(lines).replace("\r\n", "\n").replace("\r", "\n")
    text = chars.BREAKS.sub("\n", text)
    bad = chars.first_unwritable(text)
    if bad:
        line, char = bad
        raise ReportError(f"第 {line} 行含有 Word 文档不能保存的字符（{chars.describe(char)}）。", file=file,
                          line=line, hint="删除这个字符后再试；它多半是从别的文件或网页复制时带进来的。")
    if not text.strip():
        raise ReportError("报告是空的，没有文字。", file=file, hint="请选择有内容的 .txt 或 .docx 报告。")
    return text


def _decode_report(raw: bytes, file: str) -> str:
    for signature, message, hint in _SIGNATURES:
        if raw.startswith(signature):
            raise ReportError(message, file=file, hint=hint)
    wide = wide_encoding(raw)
    if wide:
        raise ReportError(wide_message(wide), file=file, hint=_SAVE_AS)
    if b"\x00" in raw:
        raise ReportError("这不是文本文件（含有二进制内容）。", file=file,
                          hint="请选择 .txt 文本或 .docx 文档格式的报告。")
    text = decode_text(raw)
    if text is None:
        raise ReportError("无法识别文件编码（既不是 UTF-8 也不是 GB18030）。", file=file, hint=_SAVE_AS)
    controls = len(_CONTROL.findall(text))
    # A stray control or two is a typo, reported with its line; many make a binary file.
    if controls > _STRAY_CONTROLS or controls > 1 and controls * 100 > len(text):
        raise ReportError("这不是文本文件（含有控制字符）。", file=file,
                          hint="请选择 .txt 文本或 .docx 文档格式的报告。")
    return text
