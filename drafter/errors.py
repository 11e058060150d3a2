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
    """Return what went wrong with a file, in Chinese, for the common cases."""
    if isinstance(error, FileNotFoundError):
        return "文件不存在"
    if isinstance(error, IsADirectoryError):
        return "这是一个文件夹，不是文件"
    if isinstance(error, PermissionError):
        return "没有读写权限"
    if error.errno == errno.ENOSPC:
        return "磁盘空间不足"
    if error.errno == errno.ENAMETOOLONG:
        return "文件名太长（最长 255 字节，约 85 个汉字）"
    if error.errno == errno.ELOOP:
        return "符号链接指向了自己（循环）"
    if error.errno == errno.ENOTDIR:
        return "路径中有一段不是文件夹"
    return error.strerror or str(error)


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
