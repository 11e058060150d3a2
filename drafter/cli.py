"""The drafter command line: a thin click layer, and the one place that reports DrafterError."""

from __future__ import annotations

import difflib
import json
import re
import shlex
from collections.abc import Mapping
from pathlib import Path

import click

from . import compare as comparing
from . import extract as extracting
from . import lint as linting
from . import preview as previewing
from . import templatize as templatizing
from . import textfile
from . import values as values_module
from .errors import (
    SHOWN,
    DrafterError,
    OutputError,
    ReportError,
    TemplateError,
    ValuesError,
    ValuesFileError,
    describe_os_error,
)
from .schema import dump_schema, load_schema, to_json_schema
from .skeleton import write_skeleton
from .template import (
    SCHEMA_FILE,
    TEMPLATE_FILE,
    Rendered,
    Template,
    check_consistency,
    find_template,
    load_template,
    read_source,
    write_atomically,
    write_template_folder,
)
from .word import PROFILES


class _Reported(click.ClickException):
    """A DrafterError on its way to stderr: shown without a traceback, with its exit code."""

    def __init__(self, error: DrafterError) -> None:
        super().__init__(str(error))
        self.exit_code = error.exit_code

    def show(self, file: object = None) -> None:
        click.echo(f"错误：{self.message}", err=True)


class _Usage(click.UsageError):
    """A command-line mistake, said in Chinese, with the way to the command's help (exit code 2)."""

    def __init__(self, error: click.UsageError) -> None:
        super().__init__(_usage_message(error), error.ctx)

    def show(self, file: object = None) -> None:
        command = self.ctx.command_path if self.ctx else "drafter"
        click.echo(f"用法错误：{self.message}\n提示：运行 `{command} --help` 查看用法。", err=True)


def _usage_message(error: click.UsageError) -> str:
    if isinstance(error, click.MissingParameter) and error.param is not None:
        names = " / ".join(error.param.opts) if error.param.opts else error.param.name
        what = "选项" if isinstance(error.param, click.Option) else "参数"
        return f"缺少{what} {names or ''}。"
    if isinstance(error, click.NoSuchOption):
        close = f"您是不是想用 {' 或 '.join(sorted(error.possibilities))}？" if error.possibilities else ""
        return f"没有选项 {error.option_name}。{close}"
    if isinstance(error, click.BadParameter) and error.param is not None:
        names = " / ".join(error.param.opts) or error.param.name
        if isinstance(error.param.type, click.Choice):
            return f"{names} 的取值不对，可选：{'、'.join(map(str, error.param.type.choices))}。"
        return f"{names} 的取值不对：{error.message}"
    unknown = re.match(r"No such command '(.+)'", error.message)
    if unknown and error.ctx is not None and isinstance(error.ctx.command, click.Group):
        commands = list(error.ctx.command.commands)
        close = difflib.get_close_matches(unknown.group(1), commands, n=1)
        return f"没有命令 {unknown.group(1)}。" + (f"您是不是想用 {close[0]}？" if close else
                                                  f"可用的命令：{'、'.join(sorted(commands))}。")
    return error.message


class _Command(click.Command):
    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示本帮助并退出。"
        return option


class _Group(_Command, click.Group):
    command_class = _Command

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except DrafterError as error:
            raise _Reported(error) from error
        except click.UsageError as error:
            raise _Usage(error) from error


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="drafter", help="显示版本号并退出。")
def cli() -> None:
    """drafter：用 YAML 取值文件填写报告模板，生成符合 GB/T 9704 的 Word 文档。"""


TEMPLATE = click.argument("template", metavar="TEMPLATE")
FILES = click.option("-f", "--values", "files", multiple=True, metavar="VALUES.yaml",
                     type=click.Path(path_type=Path),
                     help="取值文件；可多次给出，后面的文件逐项覆盖前面的。")
NO_RULES = click.option("--no-rules", is_flag=True,
                        help="跳过模板中各项取值之间的规则检查（数字确实如此时使用）。")
SETS = click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
                    help="直接设置一项取值，如 --set 经济发展.签约新项目=5；覆盖文件中的值。")


PROFILE = click.option(
    "--profile", type=click.Choice(sorted(PROFILES)), default="gb2312", show_default=True,
    help="字体方案：gb2312（仿宋_GB2312 等，机关电脑）或 windows（仿宋、楷体等，Windows 自带）。")
DRAFT = click.option("--draft", is_flag=True, help="草稿：允许缺项，缺的值以黄色【标签】显示。")
MARK_VALUES = click.option("--mark-values", is_flag=True, help="把每个填入的取值加底色，便于逐项核对。")
PREVIOUS = click.option("--previous", type=click.Path(path_type=Path), metavar="OLD.yaml",
                        help="去年的取值文件：与之对比，疑似填错的数字（差 10 倍、归零、未改等）先列为警告。")


def _rendered(template: str, files: tuple[Path, ...], sets: tuple[str, ...], *, draft: bool,
              mark_values: bool, no_rules: bool) -> Rendered:
    """Load `template` and the values, lay out the report and print the warnings."""
    loaded = load_template(template)
    rendered = loaded.render(_load_values(files, sets, draft=draft), draft=draft,
                             mark_values=mark_values, rules=not no_rules)
    for problem in rendered.warnings:
        click.echo(f"警告：{problem}", err=True)
    _warn_cuts(loaded)
    return rendered


def _warn_cuts(template: Template) -> None:
    """Warn about the words or figures cut out of the template's text: they print as they are."""
    cuts = linting.template_cuts(template.source)
    if not cuts:
        return
    where = str(template.path / TEMPLATE_FILE)
    click.echo(f"警告：模板正文还有 {len(cuts)} 处疑似删去了词语或数字，生成的报告中这些地方是空的：",
               err=True)
    for cut in cuts:
        click.echo(f"  {cut.located(where)}", err=True)
    click.echo("提示：在 template.txt 中补上原文，或重新 drafter templatize 报告 -o 模板 --gaps，"
               "把它们设为变量后填写。", err=True)


def _say_missing(missing: Mapping[str, str]) -> None:
    if missing:
        click.echo(f"草稿：还有 {len(missing)} 项待填写（文档中以黄色标出）：", err=True)
        for key, label in missing.items():
            click.echo(f"  {key} {label}", err=True)


def _load_values(files: tuple[Path, ...], sets: tuple[str, ...], *,
                 draft: bool = False) -> values_module.Values:
    if not files and not sets and not draft:
        raise ValuesFileError("没有给出取值文件。", hint="用 -f 取值文件.yaml 给出；还没有的话，"
                              "先用 `drafter init 模板 -o values.yaml` 生成一个。")
    layers = [values_module.read_values_file(path) for path in files]
    layers += [values_module.parse_set(option) for option in sets]
    return values_module.merge(layers)


@cli.command()
@TEMPLATE
@FILES
@SETS
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="输出的 .docx 文件。")
@PROFILE
@DRAFT
@MARK_VALUES
@NO_RULES
@PREVIOUS
def render(template: str, files: tuple[Path, ...], sets: tuple[str, ...], output: Path,
           profile: str, draft: bool, mark_values: bool, no_rules: bool, previous: Path | None) -> None:
    """用取值文件填写模板 TEMPLATE，生成 .docx。"""
    if output.suffix.lower() != ".docx":
        raise OutputError("输出文件应以 .docx 结尾。", file=str(output), hint="例如 -o 报告.docx。")
    rendered = _rendered(template, files, sets, draft=draft, mark_values=mark_values, no_rules=no_rules)
    if previous is not None:
        _warn_against(load_template(template), _load_values(files, sets, draft=draft), previous)
    write_atomically(output, rendered.docx(profile=profile))
    _say_missing(rendered.missing)
    click.echo(f"已生成 {output}")


@cli.command()
@TEMPLATE
@FILES
@SETS
@NO_RULES
@click.option("--explain", is_flag=True, help="列出每一项最终取值来自哪个文件的第几行（或哪个 --set）。")
@PREVIOUS
def check(template: str, files: tuple[Path, ...], sets: tuple[str, ...], no_rules: bool,
          explain: bool, previous: Path | None) -> None:
    """只检查取值文件，不生成文档。"""
    loaded = load_template(template)
    data = _load_values(files, sets)
    if explain:
        width = max(_width(v.key) for v in loaded.variables)
        for var in loaded.variables:
            raw = data.raw.get(var.key)
            shown = "、".join(i or "" for i in raw) if isinstance(raw, tuple) else raw or "（未填写）"
            origin = data.origins.get(var.key, "—")
            if isinstance(raw, values_module.Records):  # a list: one line an item, with its own line
                shown = f"{len(raw.items)} 项"
            click.echo(f"{var.key}{' ' * (width - _width(var.key))}  {shown}  ← {origin}")
            if isinstance(raw, values_module.Records):
                for index, item in enumerate(raw.items):
                    line = raw.item_lines[index] if index < len(raw.item_lines) else None
                    where = f"{origin.file}:{line}" if line and not isinstance(origin, str) else origin
                    click.echo(f"  第{index + 1}项  {values_module.Records((item,))}  ← {where}")
    problems = loaded.check(data, rules=not no_rules)
    if any(p.level == "error" for p in problems):
        raise ValuesError(problems)
    for problem in problems:
        click.echo(f"警告：{problem}", err=True)
    _warn_cuts(loaded)
    if previous is not None:
        _warn_against(loaded, data, previous)
    click.echo(f"检查通过：{len(loaded.variables)} 个变量全部填写正确。")


@cli.command()
@TEMPLATE
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="要生成的取值文件，如 values.yaml。")
@click.option("--example", is_flag=True, help="写出模板自带的示例取值（已填好），而不是空白文件。")
@click.option("--force", is_flag=True, help="覆盖已存在的文件。")
def init(template: str, output: Path, example: bool, force: bool) -> None:
    """生成待填写的取值文件（按章节分组，每项附说明）。"""
    loaded = load_template(template)
    json_schema = _values_outputs(output, force=force)
    if example:
        if not loaded.example_path.is_file():  # drafter templatize writes none
            raise TemplateError("模板没有示例取值文件 example.yaml，无法使用 --example。",
                                file=str(loaded.example_path),
                                hint="去掉 --example，生成待填写的取值文件：drafter init "
                                     f"{shlex.quote(template)} -o {shlex.quote(str(output))}；"
                                     "或把一份填好的取值文件放进模板文件夹，命名为 example.yaml。")
        try:
            content = loaded.example_path.read_bytes()
        except OSError as err:
            raise OutputError(f"无法读取模板的示例取值文件：{describe_os_error(err)}。",
                              file=str(loaded.example_path)) from err
        write_atomically(output, content)
        click.echo(f"已生成 {output}：模板自带的示例取值。")
        return
    # Editors that speak yaml-language-server (VS Code) complete and check keys from this file.
    skeleton = write_skeleton(loaded.schema, template=template, schema_url=json_schema.name,
                              values_file=output.name)
    write_atomically(output, skeleton.encode("utf-8"))
    write_atomically(json_schema, _json(to_json_schema(loaded.schema)).encode("utf-8"))
    click.echo(f"已生成 {output}：共 {len(loaded.variables)} 项待填写。")
    click.echo(f"已生成 {json_schema}：供 VS Code 等编辑器自动补全和检查。")


@cli.command(name="schema")
@TEMPLATE
@click.option("-o", "--output", type=click.Path(path_type=Path), help="写入的 JSON 文件；不给则输出到屏幕。")
def json_schema_command(template: str, output: Path | None) -> None:
    """输出取值文件的 JSON Schema（类型、范围、中文说明），供编辑器使用。"""
    text = _json(to_json_schema(load_template(template).schema))
    if output is None:
        click.echo(text, nl=False)
        return
    write_atomically(output, text.encode("utf-8"))
    click.echo(f"已生成 {output}")


def _values_outputs(output: Path, *, force: bool) -> Path:
    """Refuse `output` unless it is a new .yaml file (or `force`); return its JSON Schema's path."""
    if output.suffix.lower() not in (".yaml", ".yml"):
        raise OutputError("取值文件应以 .yaml 结尾。", file=str(output), hint="例如 -o values.yaml。")
    json_schema = output.with_name(f"{output.stem}.schema.json")
    for path in (output, json_schema):
        if path.is_dir():
            raise OutputError("这是一个文件夹。", file=str(path), hint="请写出文件名，例如 -o values.yaml。")
        if path.exists() and not force:
            raise OutputError("文件已存在，未覆盖（里面可能是已填好的取值）。", file=str(path),
                              hint="换一个文件名，或加 --force 覆盖。")
    return json_schema


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


@cli.command(name="vars")
@TEMPLATE
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
def list_vars(template: str, as_json: bool) -> None:
    """列出模板的全部变量：键、类型、单位、说明。"""
    loaded = load_template(template)
    if as_json:
        rows = [{"key": v.key, "type": v.type, "unit": v.unit, "label": v.label,
                 "context": v.context, "example": v.example}
                | ({"columns": [{"key": c.key, "type": c.type, "unit": c.unit, "label": c.label}
                                for c in v.columns], "empty": v.empty} if v.columns else {})
                for v in loaded.variables]
        click.echo(_json(rows), nl=False)
        return
    # A list's columns follow it, one row each (组.名称.列), as a table's repeated row uses them.
    _echo_table([("键", "类型", "单位", "说明")]
                + [(v.key, v.type_label, v.unit or "—", v.label)
                   for var in loaded.variables for v in (var, *var.columns)])
    click.echo(f"\n共 {len(loaded.variables)} 个变量。")


@cli.command()
@TEMPLATE
@FILES
@SETS
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="输出的 PDF 文件，如 report.pdf。")
@click.option("--png", "png_dir", type=click.Path(path_type=Path), metavar="DIR",
              help="另把每一页存为图片 DIR/page-1.png、page-2.png……")
@click.option("--dpi", type=click.IntRange(30, 600), default=96, show_default=True,
              help="页面图片的分辨率（每英寸点数）。")
@PROFILE
@DRAFT
@MARK_VALUES
@NO_RULES
def preview(template: str, files: tuple[Path, ...], sets: tuple[str, ...], output: Path,
            png_dir: Path | None, dpi: int, profile: str, draft: bool, mark_values: bool,
            no_rules: bool) -> None:
    """生成报告并用 LibreOffice 转成 PDF（可加页面图片），不用 Word 也能看版面。"""
    if output.suffix.lower() != ".pdf":
        raise OutputError("输出文件应以 .pdf 结尾。", file=str(output), hint="例如 -o report.pdf。")
    previewing.find_soffice()  # say what to install before the values are checked
    if png_dir is not None:
        previewing.find_pdftoppm()
    rendered = _rendered(template, files, sets, draft=draft, mark_values=mark_values, no_rules=no_rules)
    for font in previewing.missing_fonts():
        click.echo(f"警告：预览字体 {font} 未安装，页面中的字形会不同（行数、每行字数不变）。"
                   f"安装：sudo {previewing.INSTALL}", err=True)
    written = previewing.write_preview(rendered.docx(profile=profile), output,
                                       png_dir=png_dir, resolution=dpi)
    _say_missing(rendered.missing)
    click.echo(f"已生成 {output}" + (f"，页面图片 {len(written) - 1} 张在 {png_dir}" if png_dir else ""))


VALUES_FILE = "values.yaml"


@cli.command(name="templatize")
@click.argument("report", type=click.Path(path_type=Path), metavar="REPORT")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="要生成的模板文件夹（写入 template.txt、schema.yaml、values.yaml）。")
@click.option("--gaps", "with_gaps", is_flag=True,
              help="把疑似删去词语或数字的地方（如“坚持以为指导”“纠治“””“辖个社区”）也设为变量。")
@click.option("--title", help="模板标题（默认为报告的标题行，没有标题行时为报告的文件名）。")
@click.option("--force", is_flag=True,
              help="文件夹已有内容时仍然写入（覆盖 template.txt 和 schema.yaml；"
                   "已填写的 values.yaml 保留）。")
def templatize_command(report: Path, output: Path, with_gaps: bool, title: str | None, force: bool) -> None:
    """把空白处用 x、XX、××、**、○○ 等标出的报告（.txt 或 .docx）变成模板文件夹。"""
    if output.exists() and not output.is_dir():
        raise OutputError("输出路径是一个文件，不是文件夹。", file=str(output),
                          hint="请给出一个新的文件夹名，例如 -o 我的模板。")
    if output.is_dir() and any(output.iterdir()) and not force:
        raise OutputError("文件夹不是空的，未写入（里面可能是已有的模板）。", file=str(output),
                          hint="换一个文件夹名，或加 --force 覆盖其中的 template.txt 和 schema.yaml"
                               "（已填写取值的 values.yaml 不会被覆盖）。")
    text = textfile.read_report(report)
    draft = templatizing.templatize(text, title=title, default_title=report.stem, with_gaps=with_gaps)
    if not draft.schema.variables:
        hint = "待填的数字或名称请用 x、XX、××、**、○○ 等标出，例如“签约新项目x个”。"
        if draft.gaps:
            hint += f" 另发现 {len(draft.gaps)} 处疑似删去的词语或数字（见上），可加 --gaps 把它们设为变量。"
            for finding in linting.lint_report(text):
                click.echo(finding.located(str(report)))
        raise ReportError("报告中没有找到空位（用 x、×× 等标出的待填处）。", file=str(report), hint=hint)
    check_consistency(draft.source, draft.schema, file=str(output / TEMPLATE_FILE))
    header = (f"由 drafter templatize 从 {report.name} 生成。请核对每一项的 type（类型）和 label（说明）；\n"
              "格式见 docs/template-format.md。")
    values_file = output / VALUES_FILE
    files = {TEMPLATE_FILE: draft.source, SCHEMA_FILE: dump_schema(draft.schema, header=header),
             VALUES_FILE: write_skeleton(draft.schema, template=str(output), values_file=str(values_file))}
    kept = write_template_folder(output, files, keep_filled=VALUES_FILE)
    _summarize(draft, output, kept=kept)


def _summarize(draft: templatizing.Draft, output: Path, *, kept: bool) -> None:
    variables = draft.schema.variables
    values_file = output / VALUES_FILE
    if kept:
        click.echo(f"已生成模板 {output}：template.txt、schema.yaml。")
        click.echo(f"{values_file} 里已经填写了取值，未覆盖；新的待填写文件可用 "
                   f"drafter init {shlex.quote(str(output))} -o 新取值.yaml 生成。")
    else:
        click.echo(f"已生成模板 {output}：template.txt、schema.yaml、values.yaml（待填写）。")
    if draft.title_lines:
        click.echo(f"报告标题：{draft.schema.title}（开头 {draft.title_lines} 行作为标题块，其后空一行）。")
    click.echo(f"空位 {len(draft.placeholders)} 处，变量 {len(variables)} 个"
               + (f"（其中 {len(set(draft.gap_keys))} 个是删去的词语）" if draft.gap_keys else "") + "。\n")
    uses = draft.uses
    table = [("键", "类型", "单位", "处数", "原文", "原句")]
    table += [(v.key, v.type_label, v.unit or "—", str(uses[v.key]), v.original or "（空）",
               v.context if len(v.context) <= 30 else v.context[:29] + "…") for v in variables]
    _echo_table(table)
    if draft.notes:
        click.echo(f"\n需要核对（{len(draft.notes)} 处；行号是 template.txt 中的行）：")
        for note in draft.notes:
            click.echo(f"  {note}")
    if draft.gaps and not draft.gap_keys:
        click.echo(f"\n疑似删去的词语或数字 {len(draft.gaps)} 处（未处理；加 --gaps 可设为变量）：")
        for gap in draft.gaps:
            unsure = "" if gap.rule.sure else "，不一定，请核对"
            click.echo(f"  第 {gap.line} 行（{gap.shape}{unsure}）：{gap.context}")
    folder, values = shlex.quote(str(output)), shlex.quote(str(values_file))
    step = "核对" if kept else "填写"
    click.echo(f"\n下一步：{step} {values}，然后 drafter render {folder} -f {values} -o 报告.docx")


@cli.command()
@click.argument("target", metavar="REPORT|TEMPLATE")
def lint(target: str) -> None:
    """检查报告或模板：疑似删去的词语、未改成变量的空位、模板与 schema 不一致之处。"""
    folder = find_template(target)
    if folder is None:
        findings = linting.lint_report(textfile.read_report(Path(target)))
        error: type[DrafterError] = ReportError
        where = target
    else:
        source_file = folder / TEMPLATE_FILE
        findings = linting.lint_template(read_source(folder), load_schema(folder / SCHEMA_FILE),
                                         file=str(source_file), schema_file=str(folder / SCHEMA_FILE))
        error = TemplateError
        where = str(source_file)  # DIR/template.txt:21:, which an editor can open at the line
    for finding in findings:
        click.echo(finding.located(where))
    if findings:
        raise error(f"发现 {len(findings)} 处问题（见上）。", file=target,
                    hint="删去的词语可补回原文，或用 drafter templatize --gaps 设为变量；"
                         "模板与 schema 须列出相同的变量。")
    click.echo(f"{target}：未发现问题。")


# ── Year over year: compare (and --previous on render and check) ─────────────────────────────


def _ranges(numbers: tuple[int, ...]) -> str:
    """Return line numbers as runs: 1–3、5、7–26."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return "、".join(f"{run[0]}–{run[-1]}" if len(run) > 2 else "、".join(map(str, run)) for run in runs)


def _clip(text: str, limit: int = 200) -> str:
    """Return `text`, or its start and its length when it is longer than `limit` characters."""
    return text if len(text) <= limit else f"{text[:limit]}……（共 {len(text)} 字）"


def _short(text: str, limit: int) -> str:
    """Return `text` cut to `limit` characters with an ellipsis, for a table cell."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _warn_against(loaded: Template, data: values_module.Values, previous: Path) -> None:
    """Print a warning for each value that looks like a slip next to last year's file `previous`."""
    lines = comparing.warnings(comparing.compare(loaded.schema, values_module.read_values_file(previous),
                                                 data))
    for line in lines:
        click.echo(f"警告（与 {previous} 对比）：{line}", err=True)


@cli.command(name="compare")
@TEMPLATE
@click.argument("old", type=click.Path(path_type=Path), metavar="OLD.yaml")
@click.argument("new", type=click.Path(path_type=Path), metavar="NEW.yaml")
@click.option("--json", "as_json", is_flag=True,
              help="以 JSON 输出：每项一个对象，含 key、label、old、new、change、flag。")
@click.option("--strict", is_flag=True, help="有疑似填错的项时退出码为 1（默认只警告）。")
def compare_command(template: str, old: Path, new: Path, as_json: bool, strict: bool) -> None:
    """对比去年（OLD.yaml）和今年（NEW.yaml）的取值：逐项列出变化，标出疑似填错的数字。"""
    loaded = load_template(template)
    changes = comparing.compare(loaded.schema, values_module.read_values_file(old),
                                values_module.read_values_file(new))
    suspicious = comparing.flagged(changes)
    if as_json:
        click.echo(_json([c.as_json() for c in changes]), nl=False)
    else:
        rows = comparing.as_rows(changes)
        _echo_table([("键", "说明", f"去年（{old.name}）", f"今年（{new.name}）", "变化", "提示")]
                    + [(key, _short(label, 16), _short(last, 20), _short(this, 20), change,
                        f"⚠ {flag}" if flag else "") for key, label, last, this, change, flag in rows])
        counts = (sum(1 for c in changes if c.difference), sum(1 for c in changes if c.change == "已改"))
        click.echo(f"\n共 {len(changes)} 项：数字和日期变了 {counts[0]} 项，文字改了 {counts[1]} 项，"
                   f"疑似填错 {len(suspicious)} 项。")
    for line in comparing.warnings(changes):
        click.echo(f"警告：{line}", err=True)
    if suspicious and strict:
        raise comparing.SlipError(f"有 {len(suspicious)} 项疑似填错（见上面的警告）。", file=str(new),
                                  hint="逐项核对；确实如此的话，去掉 --strict 即可。")


@cli.command(name="extract")
@TEMPLATE
@click.argument("report", type=click.Path(path_type=Path), metavar="REPORT.docx|REPORT.txt")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="要生成的取值文件，如 values.yaml（格式与 drafter init 相同，已填好）。")
@click.option("--force", is_flag=True, help="覆盖已存在的文件。")
def extract_command(template: str, report: Path, output: Path, force: bool) -> None:
    """从按模板 TEMPLATE 写成的报告（去年的 .docx 或 .txt）取回各项取值，写成取值文件。"""
    loaded = load_template(template)
    json_schema = _values_outputs(output, force=force)
    result = extracting.extract_report(loaded.source, loaded.schema, report)
    total = len(loaded.variables)
    intro = (f"由 drafter extract 从 {report.name} 取回：{total - len(result.missing)}/{total} 项。",
             *(("未能取回的项留空，并在其上方注明原因。",) if result.missing else ()))
    skeleton = write_skeleton(loaded.schema, template=template, schema_url=json_schema.name,
                              values_file=output.name, filled=result.values,
                              notes={k: f"未能取回：{why}" for k, why in result.missing.items()},
                              intro=intro)
    write_atomically(output, skeleton.encode("utf-8"))
    write_atomically(json_schema, _json(to_json_schema(loaded.schema)).encode("utf-8"))
    source_file = loaded.path / TEMPLATE_FILE
    if result.departures:
        click.echo(f"报告与模板不同的地方（{len(result.departures)} 处）：")
        for departure in result.departures[:SHOWN]:
            lines, text = _ranges(departure.template_lines), _clip(departure.template_text)
            click.echo(f"  模板 {source_file}:{lines}: {text or '（无，报告中新增）'}")
            where = f"{report}:{departure.report_line}" if departure.report_line else str(report)
            click.echo(f"  报告 {where}: {_clip(departure.report_text) or '（无，报告中删去了）'}\n")
        if len(result.departures) > SHOWN:
            click.echo(f"  ……另有 {len(result.departures) - SHOWN} 处未列出。报告是不是用别的模板写的？\n")
    if result.template and result.template != loaded.name:
        click.echo(f"警告：{report} 是用模板“{result.template}”生成的，而这里用的是“{loaded.name}”；"
                   "请确认模板没有选错。", err=True)
    for key, seen in result.disagreements.items():
        click.echo(f"警告：{key}（{loaded.schema.by_key[key].label}）在报告中有不同的写法："
                   f"{'、'.join(seen)}；取了出现最多的“{extracting.shown(result.values[key])}”。", err=True)
    if result.missing:
        click.echo(f"未能取回 {len(result.missing)} 项：")
        for key, why in result.missing.items():
            click.echo(f"  {key}（{loaded.schema.by_key[key].label}）：{why}")
    click.echo(f"已生成 {output}：取回 {total - len(result.missing)}/{total} 项"
               + (f"（{result.anchored} 项来自文档中的标记）" if result.anchored else "") + "。")
    if result.missing:
        check = f"drafter check {shlex.quote(template)} -f {shlex.quote(str(output))}"
        hint = (f"报告中没有一句与模板“{loaded.schema.title}”对得上：是不是选错了模板或报告？"
                if not result.values else f"对照报告填上这几项，然后 {check}。")
        raise extracting.IncompleteError(
            f"有 {len(result.missing)} 项未能取回，已在 {output} 中留空并注明原因。", file=str(report),
            hint=hint)


def _echo_table(rows: list[tuple[str, ...]]) -> None:
    """Print `rows` in aligned columns; the last column runs free."""
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell + " " * (width - _width(cell)) for cell, width in zip(row[:-1], widths, strict=True)]
        click.echo("  ".join([*cells, row[-1]]))


def _width(text: str) -> int:
    # A Chinese character takes two columns in a terminal.
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


@cli.command(name="serve")
@TEMPLATE
@click.option("-f", "--values", "values_file", type=click.Path(path_type=Path), metavar="VALUES.yaml",
              help="要填写的取值文件（不存在时点“保存”新建）；不给则在当前文件夹新建 values.yaml。")
@click.option("--port", type=click.IntRange(0, 65535), default=0, metavar="N",
              help="端口号；默认自动选一个空闲端口。")
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器（地址会显示在屏幕上）。")
@PROFILE
def serve_command(template: str, values_file: Path | None, port: int, no_browser: bool, profile: str) -> None:
    """在浏览器中填写报告：每个空白是句中的输入框，边填边检查，可保存、生成文档和预览。"""
    try:  # Flask loads only for this command, so the others start as fast as before
        from . import serve as serving
    except ImportError as err:
        raise DrafterError(f"drafter serve 需要 Flask，但没有安装（{err.name}）。",
                           hint="运行 pip install 'flask>=3' 后重试。") from err
    from . import form

    loaded = load_template(template)
    path = values_file if values_file is not None else form.new_values_path(Path.cwd())
    if path.is_dir():
        raise OutputError("这是一个文件夹，不是取值文件。", file=str(path), hint="例如 -f values.yaml。")
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise OutputError("取值文件应以 .yaml 结尾。", file=str(path), hint="例如 -f values.yaml。")
    if not path.parent.resolve().is_dir():
        raise OutputError("取值文件所在的文件夹不存在。", file=str(path),
                          hint=f"请先创建文件夹 {path.parent}。")
    if path.exists():
        loaded.check(values_module.read_values_file(path))  # a file drafter cannot read: say so now
    session = serving.Session(loaded, template, path, serving.new_token(), profile=profile)
    serving.run(session, port=port, open_browser=not no_browser, echo=click.echo)


def main() -> None:
    """Run the command line."""
    cli(prog_name="drafter")
