"""Errors raised by drafter, and the Problem record that values checks collect."""

from __future__ import annotations

import errno
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a values file: what, where, and how to fix it."""

    key: str
    message: str
    label: str = ""
    file: str | None = None
    line: int | None = None
    hint: str = ""
    level: str = "error"
    code: str = ""  # what kind of problem: missing, unknown, invalid, rule (for programs and sorting)

    @property
    def where(self) -> str:
        """Return ``file:line`` (or what part of it is known) for the message prefix."""
        if self.file and self.line:
            return f"{self.file}:{self.line}"
        return self.file or ""

    def __str__(self) -> str:
        name = f"{self.key}（{self.label}）" if self.label else self.key
        text = f"{name}：{self.message}"
        if self.hint:
            text += f" {self.hint}"
        return f"{self.where}: {text}" if self.where else text


def describe_os_error(error: OSError) -> str:
    """Return what went wrong with a file, in Chinese: never the system's English strerror."""
    if isinstance(error, FileNotFoundError):
        return "文件不存在"
    if isinstance(error, IsADirectoryError):
        return "这是一个文件夹，不是文件"
    if isinstance(error, PermissionError):
        return "没有读写权限"
    return _ERRNO.get(errno.errorcode.get(error.errno or 0, ""), f"操作系统报告错误（错误码 {error.errno}）")


_ERRNO = {
    "EEXIST": "已有同名的文件或文件夹",
    "ENOTDIR": "路径中有一段是文件，不是文件夹",
    "ENAMETOOLONG": "文件名太长（最长 255 字节，约 85 个汉字）",
    "ENOSPC": "磁盘空间不足",
    "EDQUOT": "磁盘配额已用完",
    "EROFS": "这个位置是只读的（如光盘或写保护的 U 盘）",
    "EACCES": "没有读写权限",
    "EPERM": "没有读写权限",
    "EBUSY": "文件正被其他程序占用",
    "ETXTBSY": "文件正被其他程序占用",
    "ELOOP": "路径中的符号链接指向了自己（循环）",
    "EINVAL": "文件名中有不允许的字符",
    "EIO": "读写磁盘时出错（磁盘或 U 盘可能有问题）",
    "EMFILE": "同时打开的文件太多",
    "ENFILE": "同时打开的文件太多",
    "EXDEV": "不能跨磁盘移动文件",
    "ENOTEMPTY": "文件夹不是空的",
    "EFBIG": "文件太大",
    "ENODEV": "设备不存在",
    "ENXIO": "设备不存在",
}


class DrafterError(Exception):
    """Base class of every error drafter reports to a user; the CLI catches only this."""

    exit_code = 1

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        text = f"{where}{self.message}"
        return f"{text}\n提示：{self.hint}" if self.hint else text


class TemplateError(DrafterError):
    """Raise when a template folder is missing, unreadable, or disagrees with its schema."""


class ValuesFileError(DrafterError):
    """Raise when a values file cannot be read or parsed as YAML."""


SHOWN = 50  # problems listed at most; a wrong file can have thousands


class ValuesError(DrafterError):
    """Raise when values fail the schema check; carries every problem found at once."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        errors = [p for p in self.problems if p.level == "error"]
        super().__init__(f"取值有 {len(errors)} 处错误，请按提示修改后重试（改好之前不会生成文档）：")

    def __str__(self) -> str:
        lines = [self.message]
        lines += [f"  {'警告：' if p.level != 'error' else ''}{p}" for p in self.problems[:SHOWN]]
        if len(self.problems) > SHOWN:
            lines.append(f"  ……另有 {len(self.problems) - SHOWN} 处未列出，请先改正上面这些。")
        return "\n".join(lines)


class OutputError(DrafterError):
    """Raise when the output file cannot be written."""


class ReportError(DrafterError):
    """Raise when a report to templatize or lint cannot be read, or holds nothing to work on."""


class PreviewError(DrafterError):
    """Raise when LibreOffice (or pdftoppm) fails to turn a .docx into a PDF (or page images)."""


class OfficeNotFoundError(PreviewError):
    """Raise when soffice or pdftoppm is not installed; the hint names the packages to install."""


class SpreadsheetError(DrafterError):
    """Raise when a table of values (.xlsx, .csv) cannot be read."""


class BatchError(DrafterError):
    """Raise when a batch cannot start: its table's header, its --name pattern, clashing names."""
