"""The drafter command line: a thin click layer, and the one place that reports DrafterError."""

from __future__ import annotations

import dataclasses
import json
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import textfile
from . import values as values_module
from .chinese_click import ChineseGroup, display_width
from .errors import (
    SHOWN,
    BatchError,
    DrafterError,
    OutputError,
    Problem,
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
    check_template_folder,
    find_template,
    load_template,
    output_target,
    read_source,
    write_atomically,
    write_template_folder,
)

if TYPE_CHECKING:
    from . import batch as batch_module
    from .templatize import Draft
from .word import PROFILES

# Each command imports the stages it runs (preview, templatize, lint, batch, openpyxl) inside it,
# so `drafter --help`, vars, check and init start quickly; the writer loads python-docx only to
# prepare its package.


class _Reported(click.ClickException):
    """A DrafterError on its way to stderr: shown without a traceback, with its exit code."""

    def __init__(self, error: DrafterError) -> None:
        super().__init__(str(error))
        self.exit_code = error.exit_code

    def show(self, file: object = None) -> None:
        click.echo(f"错误：{self.message}", err=True)


class _Group(ChineseGroup):
    """The drafter group: the one place a DrafterError becomes a message and an exit code."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except DrafterError as error:
            raise _Reported(error) from error
        except BrokenPipeError:
            raise  # `drafter vars … | head`: click ends quietly
        except OSError as error:  # a path the system refuses (too long, under a file): not a bug
            file = str(error.filename) if error.filename else None
            raise _Reported(OutputError(f"无法读写文件：{describe_os_error(error)}。", file=file)) from error


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="drafter", message="drafter 版本 %(version)s", help="显示版本号并退出。")
def cli() -> None:
    """drafter：用 YAML 取值文件填写报告模板，生成符合 GB/T 9704 的 Word 文档。"""


# Paths are checked by the readers and writers, which say what is wrong in Chinese.
PATH = click.Path(path_type=Path, readable=False)
TEMPLATE = click.argument("template", metavar="模板")
FILES = click.option("-f", "--values", "files", multiple=True, metavar="取值.yaml",
                     type=PATH,
                     help="取值文件；可多次给出，后面的文件逐项覆盖前面的。")
NO_RULES = click.option("--no-rules", is_flag=True,
                        help="跳过模板中各项取值之间的规则检查（数字确实如此时使用）。")
SETS = click.option("--set", "sets", multiple=True, metavar="组.名称=取值",
                    help="直接设置一项取值，如 --set 经济发展.签约新项目=5；覆盖文件中的值。")


PROFILE = click.option(
    "--profile", type=click.Choice(sorted(PROFILES)), default="gb2312", show_default=True,
    help="字体方案：gb2312（仿宋_GB2312 等，机关电脑）或 windows（仿宋、楷体等，Windows 自带）。")
DRAFT = click.option("--draft", is_flag=True, help="草稿：允许缺项，缺的值以黄色【标签】显示。")
MARK_VALUES = click.option("--mark-values", is_flag=True, help="把每个填入的取值加底色，便于逐项核对。")
STRICT = click.option("--strict", is_flag=True, help="警告也算错误：有警告时不通过、不生成文件。")
PREVIOUS = click.option("--previous", type=PATH, metavar="去年.yaml",
                        help="去年的取值文件：与之对比，疑似填错的数字（差 10 倍、归零、未改等）先列为警告。")


def _rendered(template: str, files: tuple[Path, ...], sets: tuple[str, ...], *, draft: bool,
              mark_values: bool, no_rules: bool, strict: bool = False,
              previous: Path | None = None) -> tuple[Rendered, int]:
    """Load `template` and the values (once: `-f -` is standard input), lay out the report and
    print the warnings, those against last year's `previous` values included; return the
    report and how many warnings came from `previous`.
    """
    loaded = load_template(template)
    data = _load_values(files, sets, draft=draft)
    rendered = loaded.render(data, draft=draft, mark_values=mark_values, rules=not no_rules)
    _say_warnings(rendered.warnings, strict=strict)
    _warn_cuts(loaded)
    compared = _warn_against(loaded, data, previous, strict=strict) if previous is not None else 0
    return rendered, compared


def _say_warnings(warnings: Sequence[Problem], *, strict: bool) -> None:
    """Print `warnings`, or with `strict` raise them as errors: before any all-clear is said."""
    if strict and warnings:
        raise ValuesError([dataclasses.replace(p, level="error") for p in warnings])
    for problem in warnings:
        click.echo(f"警告：{problem}", err=True)


def _warned(count: int) -> str:
    return f"（有 {count} 处警告，见上，请逐条核对）" if count else ""


def _warn_cuts(template: Template) -> None:
    """Warn about the words or figures cut out of the template's text: they print as they are."""
    cuts = _template_cuts(template.source, str(template.path / TEMPLATE_FILE))
    if not cuts:
        return
    click.echo(f"警告：模板正文还有 {len(cuts)} 处疑似删去了词语或数字，生成的报告中这些地方是空的：",
               err=True)
    for cut in cuts:
        click.echo(f"  {cut}", err=True)
    click.echo("提示：在 template.txt 中补上原文，或重新 drafter templatize 报告 -o 模板 --gaps，"
               "把它们设为变量后填写。", err=True)


def _template_cuts(source: str, where: str) -> list[str]:
    """Return the cuts template `source` (the file `where`) still has, as printed.

    Kept in the cache: finding them loads OpenCC (0.1 s) to read a Traditional template too, and
    a template's text changes far less often than its values.
    """
    from . import cache

    digest = cache.key(source, where, modules=("lint", "gaps", "placeholders", "chinese"),
                       libraries=("opencc",))
    kept = cache.load("cuts", digest) if digest else None
    if isinstance(kept, list) and all(isinstance(line, str) for line in kept):
        return kept
    from . import lint as linting

    found = [cut.located(where) for cut in linting.template_cuts(source)]
    if digest:
        cache.store("cuts", digest, found)
    return found


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
    layers = [values_module.load_values(*files)] if files else []
    layers += [values_module.parse_set(option) for option in sets]
    return values_module.merge(layers)


@cli.command()
@TEMPLATE
@FILES
@SETS
@click.option("-o", "--output", type=PATH, required=True, metavar="报告.docx",
              help="输出的 .docx 文件。")
@PROFILE
@DRAFT
@MARK_VALUES
@NO_RULES
@STRICT
@PREVIOUS
def render(template: str, files: tuple[Path, ...], sets: tuple[str, ...], output: Path,
           profile: str, draft: bool, mark_values: bool, no_rules: bool, strict: bool,
           previous: Path | None) -> None:
    """用取值文件填写模板，生成 .docx。"""
    if output.suffix.lower() != ".docx":
        raise OutputError("输出文件应以 .docx 结尾。", file=str(output), hint="例如 -o 报告.docx。")
    rendered, compared = _rendered(template, files, sets, draft=draft, mark_values=mark_values,
                                   no_rules=no_rules, strict=strict, previous=previous)
    write_atomically(output, rendered.docx(profile=profile))
    _say_missing(rendered.missing)
    click.echo(f"已生成 {output}{_warned(len(rendered.warnings) + compared)}")


@cli.command()
@TEMPLATE
@FILES
@SETS
@NO_RULES
@STRICT
@click.option("--explain", is_flag=True, help="列出每一项最终取值来自哪个文件的第几行（或哪个 --set）。")
@PREVIOUS
def check(template: str, files: tuple[Path, ...], sets: tuple[str, ...], no_rules: bool, strict: bool,
          explain: bool, previous: Path | None) -> None:
    """只检查取值文件，不生成文档。"""
    loaded = load_template(template)
    data = _load_values(files, sets)
    if explain:
        width = max(display_width(v.key) for v in loaded.variables)
        for var in loaded.variables:
            raw = data.raw.get(var.key)
            shown = "、".join(i or "" for i in raw) if isinstance(raw, tuple) else raw or "（未填写）"
            origin = data.origins.get(var.key, "—")
            if isinstance(raw, values_module.Records):  # a list: one line an item, with its own line
                shown = f"{len(raw.items)} 项"
            click.echo(f"{var.key}{' ' * (width - display_width(var.key))}  {shown}  ← {origin}")
            if isinstance(raw, values_module.Records):
                for index, item in enumerate(raw.items):
                    line = raw.item_lines[index] if index < len(raw.item_lines) else None
                    where = f"{origin.file}:{line}" if line and not isinstance(origin, str) else origin
                    click.echo(f"  第{index + 1}项  {values_module.Records((item,))}  ← {where}")
    problems = loaded.check(data, rules=not no_rules)
    if any(p.level == "error" for p in problems):
        raise ValuesError(problems)
    _say_warnings(problems, strict=strict)
    _warn_cuts(loaded)
    compared = _warn_against(loaded, data, previous, strict=strict) if previous is not None else 0
    warned = len(problems) + compared
    if warned:
        click.echo(f"检查通过：{len(loaded.variables)} 个变量都已填写，但有 {warned} 处警告（见上），"
                   "请逐条核对；加 --strict 则警告也算错误。")
    else:
        click.echo(f"检查通过：{len(loaded.variables)} 个变量全部填写正确。")


@cli.command()
@TEMPLATE
@click.option("-o", "--output", type=PATH, metavar="取值.yaml",
              help="要生成的取值文件，如 values.yaml。")
@click.option("--example", is_flag=True, help="写出模板自带的示例取值（已填好），而不是空白文件。")
@click.option("--force", is_flag=True, help="覆盖已存在的文件。")
@click.option("--table", type=click.Path(path_type=Path), metavar="表格.xlsx|表格.csv",
              help="改为生成填写用的表格：第 1 行是各项的键，第 2 行是说明（读取时跳过），"
                   "以下每行一份报告，供 drafter batch --table 使用。")
def init(template: str, output: Path | None, example: bool, force: bool, table: Path | None) -> None:
    """生成待填写的取值文件（按章节分组，每项附说明）。"""
    loaded = load_template(template)
    if table is not None:
        _init_table(loaded, table, output=output, example=example, force=force)
        return
    if output is None:
        raise click.UsageError("缺少选项 -o / --output（或用 --table 生成表格）。")
    json_schema = _values_outputs(output, force=force)
    if example:
        if not loaded.example_path.is_file():  # drafter templatize writes none
            raise TemplateError("模板没有示例取值文件 example.yaml，无法使用 --example。",
                                file=str(loaded.example_path),
                                hint="去掉 --example，生成待填写的取值文件：drafter init "
                                     f"{shlex.quote(template)} -o {shlex.quote(str(output))}；"
                                     "或把一份填好的取值文件放进模板文件夹，命名为 example.yaml。")
        content = textfile.read_file(loaded.example_path, limit=values_module.yamlfile.MAX_BYTES,
                                     error=TemplateError, what="模板的示例取值文件")
        write_atomically(output, content)
        click.echo(f"已生成 {output}：模板自带的示例取值。")
        return
    # Editors that speak yaml-language-server (VS Code) complete and check keys from this file.
    skeleton = write_skeleton(loaded.schema, template=template, schema_url=json_schema.name,
                              values_file=output.name, source=loaded.source)
    json_text = _json(to_json_schema(loaded.schema))  # made before either file is written
    write_atomically(output, skeleton.encode("utf-8"))
    write_atomically(json_schema, json_text.encode("utf-8"))
    click.echo(f"已生成 {output}：共 {len(loaded.variables)} 项待填写。")
    click.echo(f"已生成 {json_schema}：供 VS Code 等编辑器自动补全和检查。")


@cli.command(name="schema")
@TEMPLATE
@click.option("-o", "--output", type=PATH, metavar="文件.json", help="写入的 JSON 文件；不给则输出到屏幕。")
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
        if output_target(path)[1] and not force:
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
    # Group by group, as the values file is: 基本信息.年份 is first used late in the report.
    order = list(dict.fromkeys([*loaded.schema.groups, *(v.group for v in loaded.variables)]))
    variables = sorted(loaded.variables, key=lambda v: order.index(v.group))
    if as_json:
        rows = [{"key": v.key, "type": v.type, "unit": v.unit, "label": v.label,
                 "context": v.context, "example": v.example}
                | ({"columns": [{"key": c.key, "type": c.type, "unit": c.unit, "label": c.label}
                                for c in v.columns], "empty": v.empty} if v.columns else {})
                for v in variables]
        click.echo(_json(rows), nl=False)
        return
    # A list's columns follow it, one row each (组.名称.列), as a table's repeated row uses them.
    _echo_table([("键", "类型", "单位", "说明")]
                + [(v.key, v.type_label, v.unit or "—", v.label)
                   for var in variables for v in (var, *var.columns)])
    click.echo(f"\n共 {len(loaded.variables)} 个变量。")


@cli.command()
@TEMPLATE
@FILES
@SETS
@click.option("-o", "--output", type=PATH, required=True, metavar="报告.pdf",
              help="输出的 PDF 文件，如 report.pdf。")
@click.option("--png", "png_dir", type=PATH, metavar="文件夹",
              help="另把每一页存为图片：文件夹/page-1.png、page-2.png……")
@click.option("--dpi", type=click.IntRange(30, 600), default=96, show_default=True, metavar="整数",
              help="页面图片的分辨率（每英寸点数）。")
@PROFILE
@DRAFT
@MARK_VALUES
@NO_RULES
@STRICT
def preview(template: str, files: tuple[Path, ...], sets: tuple[str, ...], output: Path,
            png_dir: Path | None, dpi: int, profile: str, draft: bool, mark_values: bool,
            no_rules: bool, strict: bool) -> None:
    """生成报告并用 LibreOffice 转成 PDF（可加页面图片），不用 Word 也能看版面。"""
    from . import preview as previewing

    if output.suffix.lower() != ".pdf":
        raise OutputError("输出文件应以 .pdf 结尾。", file=str(output), hint="例如 -o report.pdf。")
    previewing.find_soffice()  # say what to install before the values are checked
    if png_dir is not None:
        previewing.find_pdftoppm()
    rendered, _ = _rendered(template, files, sets, draft=draft, mark_values=mark_values, no_rules=no_rules,
                            strict=strict)
    for font in previewing.missing_fonts():
        click.echo(f"警告：预览字体 {font} 未安装，页面中的字形会不同（行数、每行字数不变）。"
                   f"安装：sudo apt-get install {previewing.font_packages([font])}", err=True)
    written = previewing.write_preview(rendered.docx(profile=profile), output,
                                       png_dir=png_dir, resolution=dpi)
    _say_missing(rendered.missing)
    click.echo(f"已生成 {output}" + (f"，页面图片 {len(written) - 1} 张在 {png_dir}" if png_dir else "")
               + _warned(len(rendered.warnings)))


VALUES_FILE, VALUES_SCHEMA = "values.yaml", "values.schema.json"
REPORT_VALUES_FILE = "报告原值.yaml"  # a finished report's values, when values.yaml is somebody's work


@cli.command(name="templatize")
@click.argument("report", type=PATH, metavar="报告")
@click.option("-o", "--output", type=PATH, required=True, metavar="文件夹",
              help="要生成的模板文件夹（写入 template.txt、schema.yaml、values.yaml）。")
@click.option("--gaps", "with_gaps", is_flag=True,
              help="把疑似删去词语或数字的地方（如“坚持以为指导”“纠治“””“辖个社区”）也设为变量。")
@click.option("--title", metavar="标题", help="模板标题（默认为报告的标题行，没有标题行时为报告的文件名）。")
@click.option("--force", is_flag=True,
              help="文件夹已有内容时仍然写入（覆盖 template.txt 和 schema.yaml；"
                   "已填写的 values.yaml 保留）。")
@click.option("--name", "names", multiple=True, metavar="名称",
              help="把报告中出现的这个名称（如镇名“艾城”、人名“刘志强”）的每一处设为同一个变量；可多次给出。")
def templatize_command(report: Path, output: Path, with_gaps: bool, title: str | None, force: bool,
                       names: tuple[str, ...]) -> None:
    """把报告（.txt 或 .docx）变成模板文件夹。

    空白处用 x、XX、××、**、○○ 等标出的报告，每个空位成为变量；没有空位的报告按成稿（如去年的报告）
    读取，其中的数字、日期和届次等成为变量，values.yaml 填好报告中的原值。
    """
    from . import templatize as templatizing

    if title is not None and textfile.chars.UNWRITABLE.search(title):
        raise click.BadParameter("--title 含有 Word 文档不能保存的字符（控制字符、换页符等）。")
    check_template_folder(output, force=force)
    text = textfile.read_report(report)
    _check_names(names, text, report)
    draft = templatizing.templatize(text, title=title, default_title=report.stem, with_gaps=with_gaps,
                                    names=names)
    if not draft.schema.variables:
        hint = ("待填的数字或名称请用 x、XX、××、**、○○ 等标出，例如“签约新项目x个”；"
                "名称也可以用 --name 设为变量。")
        if draft.gaps:
            hint += f" 另发现 {len(draft.gaps)} 处疑似删去的词语或数字（见上），可加 --gaps 把它们设为变量。"
            from . import lint as linting

            for finding in linting.lint_report(text):
                click.echo(finding.located(str(report)))
        raise ReportError("报告中既没有空位（用 x、×× 等标出的待填处），也没有可设为变量的数字。",
                          file=str(report), hint=hint)
    check_consistency(draft.source, draft.schema, file=str(output / TEMPLATE_FILE))
    header = (f"由 drafter templatize 从 {report.name} 生成。请核对每一项的 type（类型）和 label（说明）；\n"
              "格式见 docs/template-format.md。")
    values_file = output / VALUES_FILE
    # As `drafter init` does: the values file names its JSON Schema, for editors that complete keys.
    skeleton = write_skeleton(draft.schema, template=str(output), values_file=str(values_file),
                              schema_url=VALUES_SCHEMA, source=draft.source, filled=draft.values or None)
    files = {TEMPLATE_FILE: draft.source, SCHEMA_FILE: dump_schema(draft.schema, header=header),
             VALUES_FILE: skeleton, VALUES_SCHEMA: _json(to_json_schema(draft.schema))}
    _refuse_unreadable(files, report)
    kept = write_template_folder(output, files, keep_filled=VALUES_FILE)
    if kept and draft.finished:  # the clerk's values.yaml stays; the report's own values go beside it
        write_atomically(output / REPORT_VALUES_FILE,
                         write_skeleton(draft.schema, template=str(output),
                                        values_file=str(output / REPORT_VALUES_FILE),
                                        schema_url=VALUES_SCHEMA, source=draft.source,
                                        filled=draft.values).encode("utf-8"))
    _summarize(draft, output, kept=kept, untitled=title is None and draft.schema.title == report.stem)


def _refuse_unreadable(files: Mapping[str, str], report: Path) -> None:
    """Raise ReportError when a YAML file templatize would write is more than drafter reads back."""
    limit = values_module.yamlfile.MAX_BYTES
    for name in (SCHEMA_FILE, VALUES_FILE):
        size = len(files[name].encode("utf-8"))
        if size > limit:
            raise ReportError(f"报告太长：做成的 {name} 有 {size} 字节，超过 drafter 能读取的 {limit} 字节，"
                              "这样的模板无法使用，所以没有写出任何文件。", file=str(report),
                              hint="请把报告按章节分成几份，分别做成模板。")


def _summarize(draft: Draft, output: Path, *, kept: bool, untitled: bool) -> None:
    variables = draft.schema.variables
    values_file = output / VALUES_FILE
    if kept:
        click.echo(f"已生成模板 {output}：template.txt、schema.yaml、{VALUES_SCHEMA}。")
        click.echo(f"{values_file} 里已经填写了取值，未覆盖；" + (
            f"报告中的原值写在 {output / REPORT_VALUES_FILE}。" if draft.finished else
            f"新的待填写文件可用 drafter init {shlex.quote(str(output))} -o 新取值.yaml 生成。"))
    elif draft.finished:
        click.echo(f"已生成模板 {output}：template.txt、schema.yaml、values.yaml（已填好报告中的原值）、"
                   f"{VALUES_SCHEMA}。")
    elif draft.values:
        click.echo(f"已生成模板 {output}：template.txt、schema.yaml、values.yaml（名称已填好，其余待填写）、"
                   f"{VALUES_SCHEMA}。")
    else:
        click.echo(f"已生成模板 {output}：template.txt、schema.yaml、values.yaml（待填写）、"
                   f"{VALUES_SCHEMA}（供编辑器自动补全和检查）。")
    if untitled:
        click.echo(f"报告开头没有可用的标题行，模板标题暂用文件名“{draft.schema.title}”。"
                   "请加 --title 重新生成，例如 --title 某某镇人民政府工作报告（同时加 --force）。")
    elif draft.title_lines:
        click.echo(f"报告标题：{draft.schema.title}（开头 {draft.title_lines} 行作为标题块，其后空一行）。")
    given = {key for key, f in zip(draft.keys, draft.figures, strict=False) if f is not None and f.given}
    places = sum(key in given for key in draft.keys)
    named = f"；--name 给出的名称 {places} 处，成为 {len(given)} 个变量" if given else ""
    if draft.finished:
        figures = len(draft.keys) - places
        click.echo(f"报告中没有空位，已按成稿（如去年的报告）读取：{figures} 处数字、日期和届次成为 "
                   f"{len(set(draft.keys) - given)} 个变量{named}。values.yaml 已填好报告中的原值，"
                   "只需改动今年变了的。")
        click.echo(f"变量共 {len(variables)} 个。\n")
    else:
        cuts = f"（其中 {len(set(draft.gap_keys))} 个是删去的词语）" if draft.gap_keys else ""
        click.echo(f"空位 {len(draft.keys) - places} 处{named}，变量 {len(variables)} 个{cuts}。\n")
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
    step = "核对" if kept else "改动" if draft.finished else "填写"
    click.echo(f"\n下一步：{step} {values}，然后 drafter render {folder} -f {values} -o 报告.docx")


def _check_names(names: tuple[str, ...], text: str, report: Path) -> None:
    """Refuse a --name that is empty, spans lines or does not occur in the report."""
    for name in names:
        if not name.strip() or "\n" in name or name != name.strip():
            raise ReportError(f"--name “{name}”不是一个名称（为空、有首尾空格或换行）。",
                              hint="例如 --name 艾城 --name 刘志强。")
        if name not in text:
            raise ReportError(f"--name 给出的“{name}”在报告中没有出现。", file=str(report),
                              hint="检查是否写错了字；名称须与报告中的写法完全一样。")


@cli.command()
@click.argument("target", metavar="报告或模板")
def lint(target: str) -> None:
    """检查报告或模板：疑似删去的词语、未改成变量的空位、模板与 schema 不一致之处。"""
    from . import lint as linting

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


def _warn_against(loaded: Template, data: values_module.Values, previous: Path, *,
                  strict: bool = False) -> int:
    """Print a warning for each value that looks like a slip next to last year's file `previous`.

    Return how many; with `strict`, raise instead when there are any.
    """
    from . import compare as comparing

    lines = comparing.warnings(comparing.compare(loaded.schema, values_module.read_values_file(previous),
                                                 data))
    for line in lines:
        click.echo(f"警告（与 {previous} 对比）：{line}", err=True)
    if strict and lines:
        raise ValuesFileError(f"与 {previous} 对比，有 {len(lines)} 处疑似填错（见上）。",
                              hint="--strict 时警告也算错误：核对这些数字，确实如此时去掉 --strict。")
    return len(lines)


@cli.command(name="compare")
@TEMPLATE
@click.argument("old", type=PATH, metavar="去年.yaml")
@click.argument("new", type=PATH, metavar="今年.yaml")
@click.option("--json", "as_json", is_flag=True,
              help="以 JSON 输出：每项一个对象，含 key、label、old、new、change、flag。")
@click.option("--strict", is_flag=True, help="有疑似填错的项时退出码为 1（默认只警告）。")
def compare_command(template: str, old: Path, new: Path, as_json: bool, strict: bool) -> None:
    """对比去年和今年的取值文件：逐项列出变化，标出疑似填错的数字。"""
    from . import compare as comparing

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
@click.argument("report", type=PATH, metavar="报告.docx或.txt")
@click.option("-o", "--output", type=PATH, required=True, metavar="取值.yaml",
              help="要生成的取值文件，如 values.yaml（格式与 drafter init 相同，已填好）。")
@click.option("--force", is_flag=True, help="覆盖已存在的文件。")
def extract_command(template: str, report: Path, output: Path, force: bool) -> None:
    """从按模板写成的报告（去年的 .docx 或 .txt）取回各项取值，写成取值文件。"""
    from . import extract as extracting

    loaded = load_template(template)
    json_schema = _values_outputs(output, force=force)
    result = extracting.extract_report(loaded.source, loaded.schema, report)
    total, recovered = len(loaded.variables), len(loaded.variables) - len(result.lost(loaded.schema))
    intro = (f"由 drafter extract 从 {report.name} 取回：{recovered}/{total} 项。",
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
            click.echo(f"  模板 {source_file}{':' + lines if lines else ''}: {text or '（无，报告中新增）'}")
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
            click.echo(f"  {key}（{extracting.label(loaded.schema, key)}）：{why}")
    click.echo(f"已生成 {output}：取回 {recovered}/{total} 项"
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
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell + " " * (width - display_width(cell))
                 for cell, width in zip(row[:-1], widths, strict=True)]
        click.echo("  ".join([*cells, row[-1]]))


# --- drafter batch ----------------------------------------------------------------------------


@cli.command(name="batch")
@TEMPLATE
@click.argument("values_files", nargs=-1, type=click.Path(path_type=Path), metavar="[取值.yaml]...")
@click.option("--table", type=click.Path(path_type=Path), metavar="表格.xlsx|表格.csv",
              help="每行一份报告的表格：第 1 行是各列的键（drafter vars 列出的写法）。")
@click.option("--sheet", metavar="工作表", help="读表格中的这张工作表（默认第一张）。")
@click.option("-o", "--output", "outdir", type=click.Path(path_type=Path), required=True,
              help="输出文件夹（没有则新建）。")
@click.option("-f", "--values", "files", multiple=True, metavar="公共.yaml",
              type=click.Path(path_type=Path),
              help="各份报告共用的取值文件；可多次给出。每个取值文件或表格的每行逐项覆盖它。")
@SETS
@click.option("--name", "pattern", metavar="文件名格式",
              help="输出文件名，用取值填写，如 \"{基本信息.镇名}镇政府工作报告.docx\"；{序号} 是报告的序号。"
                   "默认：取值文件名，或表格的行号（第5行.docx）。")
@PROFILE
@DRAFT
@MARK_VALUES
@NO_RULES
@click.option("-j", "--jobs", "workers", type=click.IntRange(1, 256), metavar="N",
              help="同时生成报告的进程数（默认：处理器核数）。")
def batch_command(template: str, values_files: tuple[Path, ...], table: Path | None, sheet: str | None,
                  outdir: Path, files: tuple[Path, ...], sets: tuple[str, ...], pattern: str | None,
                  profile: str, draft: bool, mark_values: bool, no_rules: bool, workers: int | None) -> None:
    """一次生成多份报告：每个取值文件一份，或表格（.xlsx、.csv）每行一份。"""
    import sys

    from . import batch as batching

    if bool(values_files) == (table is not None):
        raise click.UsageError("请给出取值文件（每个文件一份报告）或 --table 表格（每行一份），二者选一。")
    if sheet is not None and table is None:
        raise click.UsageError("--sheet 只能和 --table 一起用。")
    loaded = load_template(template)
    common = [values_module.read_values_file(path) for path in files]
    overrides = [values_module.parse_set(option) for option in sets]
    names = batching.NamePattern(pattern, loaded) if pattern else None
    if table is not None:
        plan = batching.plan_table(loaded, table, sheet, common, overrides, names)
    else:
        plan = batching.plan_files(values_files, common, overrides, names)
    batching.prepare_outdir(outdir)
    options = batching.Options(outdir, profile=profile, draft=draft, mark_values=mark_values,
                               rules=not no_rules)
    chunks = -(-plan.total // batching.CHUNK)  # no more workers than there is work for
    count = min(workers or batching.default_workers(), max(chunks, 1))
    if sys.stderr.isatty():  # a bar on a terminal; nothing of it in a pipe or a log file
        with click.progressbar(length=max(plan.total, 1), label="生成报告", show_pos=True, show_eta=True,
                               file=sys.stderr) as bar:
            summary = batching.run(loaded, plan.jobs(), options, workers=count, progress=bar.update)
    else:
        summary = batching.run(loaded, plan.jobs(), options, workers=count)
    if table is not None and not summary.written + summary.failed:
        raise BatchError("表格在表头下没有要生成报告的行。", file=str(table),
                         hint="从第 3 行起（第 2 行是说明时）每行填一份报告的取值。")
    _report_batch(summary, outdir)


def _report_batch(summary: batch_module.Summary, outdir: Path) -> None:
    for outcome in summary.warnings:
        for line in outcome.warnings:
            click.echo(f"警告：{line}", err=True)
    if summary.warned > len(summary.warnings):
        click.echo(f"警告：另有 {summary.warned - len(summary.warnings)} 份报告有警告，未列出。", err=True)
    click.echo(f"已生成 {summary.written} 份报告，在 {outdir}。")
    if summary.drafts:
        click.echo(f"草稿：其中 {summary.drafts} 份还有待填写的项（文档中以黄色标出）。", err=True)
    if not summary.failed:
        return
    click.echo(f"以下 {summary.failed} 份报告未生成：", err=True)
    for outcome in summary.failures:
        for line in outcome.problems:
            click.echo("  " + line.replace("\n", "\n    "), err=True)
    if summary.failed > len(summary.failures):
        more = summary.failed - len(summary.failures)
        click.echo(f"  ……另有 {more} 份未列出，请先改正上面这些。", err=True)
    raise BatchError(f"{summary.failed} 份报告未生成（见上），其余 {summary.written} 份已生成。",
                     hint="按提示改正后重新运行；已生成的报告会被同名的新报告替换。")


def _init_table(loaded: Template, table: Path, *, output: Path | None, example: bool, force: bool) -> None:
    from .spreadsheet import write_header

    if output is not None:
        raise click.UsageError("--table 和 -o 只能用一个：--table 生成表格，-o 生成取值文件。")
    suffix = table.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise OutputError("表格应以 .xlsx 或 .csv 结尾。", file=str(table), hint="例如 --table 各镇.xlsx。")
    if table.exists() and not force:
        raise OutputError("文件已存在，未覆盖（里面可能是已填好的取值）。", file=str(table),
                          hint="换一个文件名，或加 --force 覆盖。")
    # A list of records (a table in the report) cannot be one cell: it goes in a common -f file.
    columns = [var for var in loaded.variables if var.type != "records"]
    rows = []
    if example:
        raw = values_module.read_values_file(loaded.example_path).raw
        rows.append(["、".join(i or "" for i in v) if isinstance(v := raw.get(var.key), tuple) else v
                     for var in columns])
    write_atomically(table, write_header(columns, excel=suffix != ".csv", rows=rows))
    click.echo(f"已生成 {table}：第 1 行是 {len(columns)} 项的键，第 2 行是说明；"
               f"从第 3 行起每行填一份报告" + ("（第 3 行是示例）。" if example else "。"))
    lists = [var.key for var in loaded.variables if var.type == "records"]
    if lists:
        click.echo(f"清单 {'、'.join(lists)} 不能填在一个单元格里，未列入表格：请写在公共取值文件里，"
                   "用 drafter batch … -f 公共.yaml 给出。")


@cli.command(name="serve")
@TEMPLATE
@click.option("-f", "--values", "values_file", type=PATH, metavar="取值.yaml",
              help="要填写的取值文件（不存在时点“保存”新建）；不给则在当前文件夹新建 values.yaml。")
@click.option("--port", type=click.IntRange(0, 65535), default=0, metavar="端口号",
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
