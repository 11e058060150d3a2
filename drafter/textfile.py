"""Files a clerk brings → text: the encodings Windows editors save, and reports as .txt or .docx.

`decode_text` is shared with yamlfile (values files); `read_report` is the input edge of
`drafter templatize` and `drafter lint`, and refuses with a clear message anything that is not a
report in words: a binary file, an unknown encoding, an empty file.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import word
from .errors import ReportError

# Notepad saves UTF-8 (with a BOM before Windows 10 1903) or "ANSI", which is GB18030 on Chinese
# Windows; GB18030 is a superset of GBK and GB2312.
ENCODINGS = ("utf-8-sig", "gb18030")
MAX_REPORT_BYTES = 20_000_000
_SAVE_AS = "请在记事本或 WPS 中“另存为”，编码选择 UTF-8，或另存为 Word（.docx）文档。"
# Signatures of files that are not text, with what to tell the clerk.
_SIGNATURES = (
    (b"PK\x03\x04", "这是 Word（.docx）或压缩文件，不是文本文件。",
     "如果是 Word 文档，请把文件扩展名改为 .docx。"),
    (b"\xd0\xcf\x11\xe0", "这是旧版 Word（.doc）或 WPS 文件，drafter 读不了。",
     "请在 Word 或 WPS 中另存为 .docx 或 .txt。"),
    (b"%PDF", "这是 PDF 文件，drafter 读不了。", "请从原文档另存为 .docx 或 .txt。"),
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

    A .docx is read with python-docx; any other file must be text in UTF-8, UTF-8 with BOM or
    GB18030. Raise ReportError when it cannot be read or holds no words.
    """
    file = str(path)
    if path.is_dir():
        raise ReportError("这是一个文件夹，不是报告文件。", file=file, hint="请给出 .txt 或 .docx 报告文件。")
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ReportError(f"无法读取报告：{err.strerror}。", file=file,
                          hint="检查文件名和路径是否正确。") from err
    if len(raw) > MAX_REPORT_BYTES:
        raise ReportError(f"文件太大（{len(raw)} 字节，上限 {MAX_REPORT_BYTES} 字节）。", file=file,
                          hint="请检查是否选错了文件。")
    if path.suffix.lower() == ".docx":
        text = "\n".join(word.read_report(raw, file=file))
    else:
        text = _decode_report(raw, file)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
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
