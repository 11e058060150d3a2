"""The drafter command line: a thin click layer, and the one place that reports DrafterError."""

from __future__ import annotations

import json
from pathlib import Path

import click

from . import values as values_module
from .word import PROFILES
from .errors import DrafterError, OutputError, ValuesError
from .schema import to_json_schema
from .skeleton import write_skeleton
from .template import load_template, write_atomically


class _Reported(click.ClickException):
    """A DrafterError on its way to stderr: shown without a traceback, with its exit code."""

    def __init__(self, error: DrafterError) -> None:
        super().__init__(str(error))
        self.exit_code = error.exit_code

    def show(self, file: object = None) -> None:
        click.echo(f"错误：{self.message}", err=True)


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except DrafterError as error:
            raise _Reported(error) from error


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="drafter")
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


def _load_values(files: tuple[Path, ...], sets: tuple[str, ...]) -> values_module.Values:
    layers = [values_module.read_values_file(path) for path in files]
    layers += [values_module.parse_set(option) for option in sets]
    return values_module.merge(layers)


@cli.command()
@TEMPLATE
@FILES
@SETS
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="输出的 .docx 文件。")
@click.option("--profile", type=click.Choice(sorted(PROFILES)), default="gb2312", show_default=True,
              help="字体方案：gb2312（仿宋_GB2312 等，机关电脑）或 windows（仿宋、楷体等，Windows 自带）。")
@click.option("--draft", is_flag=True, help="草稿：允许缺项，缺的值以黄色【标签】显示。")
@click.option("--mark-values", is_flag=True, help="把每个填入的取值加底色，便于逐项核对。")
@NO_RULES
def render(template: str, files: tuple[Path, ...], sets: tuple[str, ...], output: Path,
           profile: str, draft: bool, mark_values: bool, no_rules: bool) -> None:
    """用取值文件填写模板 TEMPLATE，生成 .docx。"""
    if output.suffix.lower() != ".docx":
        raise OutputError("输出文件应以 .docx 结尾。", file=str(output), hint="例如 -o 报告.docx。")
    loaded = load_template(template)
    data = _load_values(files, sets)
    _, missing, warnings = loaded.prepare(data, draft=draft, rules=not no_rules)
    for problem in warnings:
        click.echo(f"警告：{problem}", err=True)
    loaded.render_docx(data, output, profile=profile, draft=draft, mark_values=mark_values,
                       rules=not no_rules)
    if missing:
        click.echo(f"草稿：还有 {len(missing)} 项待填写（文档中以黄色标出）：", err=True)
        for key, label in missing.items():
            click.echo(f"  {key} {label}", err=True)
    click.echo(f"已生成 {output}")


@cli.command()
@TEMPLATE
@FILES
@SETS
@NO_RULES
@click.option("--explain", is_flag=True, help="列出每一项最终取值来自哪个文件的第几行（或哪个 --set）。")
def check(template: str, files: tuple[Path, ...], sets: tuple[str, ...], no_rules: bool,
          explain: bool) -> None:
    """只检查取值文件，不生成文档。"""
    loaded = load_template(template)
    data = _load_values(files, sets)
    if explain:
        width = max(_width(v.key) for v in loaded.variables)
        for var in loaded.variables:
            raw, origin = data.raw.get(var.key), data.origins.get(var.key)
            shown = "（未填写）" if raw is None else "、".join(i or "" for i in raw) if isinstance(raw, tuple) else raw
            where = f"{origin.file}:{origin.line}" if origin and origin.line else origin.file if origin else "—"
            click.echo(f"{var.key}{' ' * (width - _width(var.key))}  {shown}  ← {where}")
    problems = loaded.check(data, rules=not no_rules)
    if any(p.level == "error" for p in problems):
        raise ValuesError(problems)
    for problem in problems:
        click.echo(f"警告：{problem}", err=True)
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
    if output.exists() and not force:
        raise OutputError("文件已存在，未覆盖（里面可能是已填好的取值）。", file=str(output),
                          hint="换一个文件名，或加 --force 覆盖。")
    if example:
        try:
            content = loaded.example_path.read_bytes()
        except OSError as err:
            raise OutputError(f"模板没有示例取值文件：{err.strerror}。", file=str(loaded.example_path)) from err
        write_atomically(output, content)
        click.echo(f"已生成 {output}：模板自带的示例取值。")
        return
    # Editors that speak yaml-language-server (VS Code) complete and check keys from this file.
    json_schema = output.with_name(f"{output.stem}.schema.json")
    write_atomically(json_schema, _json(to_json_schema(loaded.schema)).encode("utf-8"))
    skeleton = write_skeleton(loaded.schema, template=template, schema_url=json_schema.name)
    write_atomically(output, skeleton.encode("utf-8"))
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
                 "context": v.context, "example": v.example} for v in loaded.variables]
        click.echo(_json(rows), nl=False)
        return
    table = [("键", "类型", "单位", "说明")]
    table += [(v.key, v.type_label, v.unit or "—", v.label) for v in loaded.variables]
    widths = [max(_width(row[i]) for row in table) for i in range(3)]
    for row in table:
        cells = [row[i] + " " * (widths[i] - _width(row[i])) for i in range(3)]
        click.echo("  ".join(cells + [row[3]]))
    click.echo(f"\n共 {len(loaded.variables)} 个变量。")


def _width(text: str) -> int:
    # A Chinese character takes two columns in a terminal.
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


def main() -> None:
    """Run the command line."""
    cli(prog_name="drafter")
