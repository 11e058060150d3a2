"""Click in Chinese: help headings and notes, usage errors and Ctrl+C, for the drafter command line.

Click says `Usage:`, `Options:`, `[required]`, `[default: …]` and its usage errors in English; the
command and group classes here lay out the same help in Chinese and translate each usage error
from what it carries (the parameter, its type, the option's name), so no English reaches a clerk.
"""

from __future__ import annotations

import difflib
import re

import click


class _Interrupted(click.ClickException):
    """Ctrl+C or the end of input: said in Chinese instead of click's "Aborted!"."""

    def __init__(self) -> None:
        super().__init__("已中断，没有生成任何文件。")

    def show(self, file: object = None) -> None:
        click.echo(f"\n{self.message}", err=True)


class _Usage(click.UsageError):
    """A command-line mistake, said in Chinese, with the way to the command's help (exit code 2)."""

    def __init__(self, error: click.UsageError, command: str = "drafter") -> None:
        super().__init__(_usage_message(error), error.ctx)
        self.command = command  # when click's parser leaves the context out

    def show(self, file: object = None) -> None:
        command = self.ctx.command_path if self.ctx else self.command
        click.echo(f"用法错误：{self.message}\n提示：运行 `{command} --help` 查看用法。", err=True)


def _usage_message(error: click.UsageError) -> str:
    """Return click's `error` in Chinese, from what it carries (the parameter, the option's name)."""
    if isinstance(error, click.MissingParameter) and error.param is not None:
        what = "选项" if isinstance(error.param, click.Option) else "参数"
        return f"缺少{what} {_param_name(error.param)}。"
    if isinstance(error, click.NoSuchOption):
        close = f"您是不是想用 {' 或 '.join(sorted(error.possibilities))}？" if error.possibilities else ""
        return f"没有选项 {error.option_name}。{close}"
    if isinstance(error, click.BadOptionUsage):
        if "does not take a value" in error.message:
            return f"选项 {error.option_name} 是开关，后面不能写取值。"
        return f"选项 {error.option_name} 后面缺少取值。"
    if isinstance(error, click.BadParameter) and error.param is not None:
        if isinstance(error.param.type, click.Choice):
            choices = "、".join(map(str, error.param.type.choices))
            return f"{_param_name(error.param)} 的取值不对，可选：{choices}。"
        return f"{_param_name(error.param)} 的取值不对，应为{_describe_type(error.param.type)}。"
    extra = re.match(r"Got unexpected extra arguments? \((.+)\)", error.message)
    takes_files = error.ctx is not None and any(
        "-f" in getattr(param, "opts", ()) for param in error.ctx.command.params)
    if extra and takes_files and re.search(r"\.ya?ml\b", extra.group(1), re.IGNORECASE):
        return f"多了参数 {extra.group(1)}。取值文件前要加 -f，例如 -f {extra.group(1).split()[0]}。"
    if extra:
        return (f"多了参数 {extra.group(1)}。"
                "文件名里有空格时，请用引号把它括起来，例如 -o \"我的 报告.docx\"。")
    unknown = re.match(r"No such command '(.+)'", error.message)
    if error.ctx is not None and isinstance(error.ctx.command, click.Group):
        commands = sorted(error.ctx.command.commands)
        if unknown:
            close = difflib.get_close_matches(unknown.group(1), commands, n=1)
            return f"没有命令 {unknown.group(1)}。" + (f"您是不是想用 {close[0]}？" if close else
                                                      f"可用的命令：{'、'.join(commands)}。")
        if error.message.startswith("Missing command"):
            return f"缺少命令。可用的命令：{'、'.join(commands)}。"
    if not error.message.isascii():
        return error.message  # drafter's own usage errors are written in Chinese already
    return "命令行写得不对。"


def _describe_type(kind: click.ParamType) -> str:
    if isinstance(kind, click.IntRange) and kind.min is not None and kind.max is not None:
        return f" {kind.min}～{kind.max} 之间的整数"
    return _TYPE_NAMES.get(kind.name, "正确的取值")


# Click's type names, in the words of the help and the messages.
_TYPE_NAMES = {"integer": "整数", "integer range": "整数", "float": "数字", "float range": "数字",
               "text": "文字", "path": "路径", "filename": "文件", "boolean": "是或否"}


def _param_name(param: click.Parameter) -> str:
    return " / ".join(param.opts) if isinstance(param, click.Option) else _metavar(param)


def _metavar(param: click.Parameter) -> str:
    return param.metavar or _TYPE_NAMES.get(param.type.name, param.name or "")


class _Formatter(click.HelpFormatter):
    """Click's help layout with Chinese headings and columns aligned by display width."""

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_dl(self, rows: object, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)  # type: ignore[call-overload]
        width = min(max((display_width(first) for first, _ in rows), default=0), col_max)
        hang = " " * (self.current_indent + width + col_spacing)
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if display_width(first) > width:
                self.write(f"\n{hang}")
            else:
                self.write(" " * (width - display_width(first) + col_spacing))
            lines = _wrap(second, max(self.width - len(hang), 20))
            self.write(f"\n{hang}".join(lines) + "\n")


def _wrap(text: str, limit: int) -> list[str]:
    """Return `text` in lines of at most `limit` columns, breaking between Chinese characters or words."""
    lines, line = [], ""
    for token in re.findall(r"[\x21-\x7e]+|.", text):
        if line and display_width(line + token) > limit and token not in "，。；、）”":
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    return [*lines, line]


class _Context(click.Context):
    formatter_class = _Formatter


class ChineseCommand(click.Command):
    """A command whose help reads in Chinese: headings, usage line and every option's notes."""

    context_class = _Context

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示本帮助并退出。"
        return option

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: object) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)  # type: ignore[arg-type]
        except click.exceptions.NoArgsIsHelpError:
            raise  # shows the (Chinese) help
        except click.UsageError as error:
            path = " ".join(filter(None, [parent.command_path if parent else "", info_name or "drafter"]))
            raise _Usage(error, path) from error

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix="用法：")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [row for param in self.get_params(ctx) if (row := _help_row(param, ctx))]
        if rows:
            with formatter.section("选项"):
                formatter.write_dl(rows)


def _help_row(param: click.Parameter, ctx: click.Context) -> tuple[str, str] | None:
    """Return `param`'s line of help: its names and metavar, its help, and its default or range."""
    if not isinstance(param, click.Option) or param.hidden:
        return None
    names = ", ".join(sorted(param.opts, key=lambda name: name.startswith("--")))
    if not param.is_flag and not param.count:
        choice = isinstance(param.type, click.Choice)
        names += f" {param.make_metavar(ctx) if choice else _metavar(param)}"
    notes = []
    if param.required:
        notes.append("必填")
    if param.show_default and param.default is not None and not param.is_flag:
        notes.append(f"默认 {param.default}")
    if isinstance(param.type, click.IntRange) and param.type.min is not None and param.type.max is not None:
        notes.append(f"范围 {param.type.min}～{param.type.max}")
    return names, (param.help or "") + (f"（{'；'.join(notes)}）" if notes else "")


class ChineseGroup(ChineseCommand, click.Group):
    """A group whose help, usage errors and Ctrl+C read in Chinese; its commands are ChineseCommands."""

    command_class = ChineseCommand

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, command.get_short_help_str(formatter.width)) for name in self.list_commands(ctx)
                if (command := self.get_command(ctx, name)) is not None and not command.hidden]
        if rows:
            with formatter.section("命令"):
                formatter.write_dl(rows)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as error:
            raise error if isinstance(error, _Usage) else _Usage(error) from error
        except (KeyboardInterrupt, EOFError) as error:
            raise _Interrupted() from error


def display_width(text: str) -> int:
    """Return the columns `text` takes in a terminal: two for a Chinese character."""
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)
