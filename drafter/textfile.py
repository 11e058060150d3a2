"""Files a clerk brings → text: the encodings Windows editors save, and reports as .txt or .docx.

`decode_text` is shared with yamlfile (values files); `read_report` is the input edge of
`drafter templatize` and `drafter lint`, and refuses with a clear message anything that is not a
report in words: a binary file, an unknown encoding, an empty file.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import word
from .errors import ReportError, describe_os_error

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
    (b"\xff\xfe", "文件是 UTF-16（记事本的“Unicode”）编码，drafter 读不了。", _SAVE_AS),
    (b"\xfe\xff", "文件是 UTF-16（记事本的“Unicode”）编码，drafter 读不了。", _SAVE_AS),
)
# Control characters never appear in a report's words; a file with them is not text.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


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
    if path.is_dir():
        raise ReportError("这是一个文件夹，不是报告文件。", file=file, hint="请给出 .txt 或 .docx 报告文件。")
    suffix = path.suffix.lower()
    if suffix in _REFUSED_SUFFIXES:
        raise ReportError(f"drafter 读不了{_REFUSED_SUFFIXES[suffix]}。", file=file,
                          hint=_PDF_HINT if suffix == ".pdf" else _CONVERT)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ReportError(f"无法读取报告：{describe_os_error(err)}。", file=file,
                          hint="检查文件名和路径是否正确。") from err
    if len(raw) > MAX_REPORT_BYTES:
        raise ReportError(f"文件太大（{len(raw)} 字节，上限 {MAX_REPORT_BYTES} 字节）。", file=file,
                          hint="请检查是否选错了文件。")
    return raw


def report_text(lines: list[str], *, file: str) -> str:
    """Return `lines` (paragraphs) as one text with `\\n` line ends; refuse a report with no words."""
    text = "\n".join(lines).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ReportError("报告是空的，没有文字。", file=file, hint="请选择有内容的 .txt 或 .docx 报告。")
    return text


def _decode_report(raw: bytes, file: str) -> str:
    for signature, message, hint in _SIGNATURES:
        if raw.startswith(signature):
            raise ReportError(message, file=file, hint=hint)
    if b"\x00" in raw:
        raise ReportError("这不是文本文件（含有二进制内容）。", file=file,
                          hint="请选择 .txt 文本或 .docx 文档格式的报告。")
    text = decode_text(raw)
    if text is None:
        raise ReportError("无法识别文件编码（既不是 UTF-8 也不是 GB18030）。", file=file, hint=_SAVE_AS)
    if _CONTROL.search(text):
        raise ReportError("这不是文本文件（含有控制字符）。", file=file,
                          hint="请选择 .txt 文本或 .docx 文档格式的报告。")
    return text
