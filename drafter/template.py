"""A prepared template: its text compiled once, its schema loaded and checked against the text."""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from . import layout, render, tables, values
from .errors import (
    DrafterError,
    OutputError,
    Problem,
    TemplateError,
    ValuesError,
    ValuesFileError,
    describe_os_error,
)
from .schema import Schema, Variable, load_schema
from .word import PROFILES, write_docx

TEMPLATE_FILE, SCHEMA_FILE, EXAMPLE_FILE = "template.txt", "schema.yaml", "example.yaml"

def bundled_root() -> Path:
    """Return the folder of the templates shipped with drafter."""
    installed = Path(str(resources.files("drafter") / "templates"))
    if installed.is_dir():
        return installed
    # A source checkout or an editable install keeps them at the top of the repository.
    return Path(__file__).resolve().parent.parent / "templates"


def bundled_names() -> list[str]:
    """Return the names of the bundled templates."""
    root = bundled_root()
    return sorted(p.name for p in root.iterdir() if (p / TEMPLATE_FILE).is_file()) if root.is_dir() else []


@dataclass(frozen=True)
class Rendered:
    """A report laid out for writing, with the values still missing (in a draft) and the warnings."""

    blocks: tuple[layout.Block, ...]
    missing: Mapping[str, str]
    warnings: tuple[Problem, ...]
    template: str = ""                                          # the template's name, for anchors
    labels: Mapping[str, str] = field(default_factory=dict)     # each variable's label, by key

    def docx(self, *, profile: str = "gb2312") -> bytes:
        """Return the .docx bytes of the report, every value anchored to its variable."""
        return write_docx(self.blocks, profile=profile, template=self.template, labels=self.labels)


@dataclass(frozen=True)
class Template:
    """A template ready to check values and render them, many times over."""

    name: str
    path: Path
    schema: Schema
    source: str
    compiled: object
    followers: Mapping[str, frozenset[str]] = field(default_factory=dict)
    tables: tuple[tables.PreparedTable, ...] = ()

    @property
    def variables(self) -> tuple[Variable, ...]:
        """Return the template's variables in report order."""
        return self.schema.variables

    @property
    def example_path(self) -> Path:
        """Return the path of the template's example values file."""
        return self.path / EXAMPLE_FILE

    def check(self, data: Mapping[str, object] | values.Values, *, rules: bool = True) -> list[Problem]:
        """Return every problem with `data` (nested dicts or loaded Values), warnings included.

        With `rules=False` the schema's cross-checks between values are skipped.
        """
        return list(self._check(data, draft=False, rules=rules).problems)

    def prepare(self, data: Mapping[str, object] | values.Values, *, draft: bool = False,
                rules: bool = True) -> tuple[dict[str, str], dict[str, str], tuple[Problem, ...]]:
        """Check `data`; return printed values, placeholders of missing ones and the warnings.

        Raise ValuesError when there are errors; in a `draft`, missing values are not errors.
        """
        return self._prepared(self._check(data, draft=draft, rules=rules))

    def _prepared(self, checked: values.Checked
                  ) -> tuple[dict[str, str], dict[str, str], tuple[Problem, ...]]:
        if checked.errors:
            raise ValuesError(checked.problems)
        missing = {v.key: f"【{v.label}】" for v in self.variables
                   if v.key not in checked.text and v.key not in checked.items}
        warnings = tuple(p for p in checked.problems if p.level != "error")
        return dict(checked.text), missing, warnings

    def _items(self, checked_items: Mapping[str, tuple[Mapping[str, str], ...]],
               missing: dict[str, str]) -> dict[str, tables.Items]:
        """Return the items of each list variable for the tables; add their missing cells to `missing`.

        A list missing in a draft prints as one row of its columns' 【label】s.
        """
        found = {}
        for var in self.variables:
            if var.type != "records":
                continue
            rows = checked_items.get(var.key, ({},))
            labels = {c.name: c.label for c in var.columns}
            found[var.key] = tables.Items(tuple(rows), labels, var.empty)
            for index, row in enumerate(rows if var.key in checked_items else ()):
                for column in var.columns:
                    if column.name not in row:
                        missing[f"{var.key}第{index + 1}项.{column.name}"] = f"【{column.label}】"
        return found

    def _lay_out(self, text: Mapping[str, str], missing: dict[str, str], items: Mapping[str, tables.Items],
                 *, mark: bool, anchor: bool = False) -> tuple[layout.Block, ...]:
        marked = render.render(self.compiled, text, mark=mark, missing=missing,  # type: ignore[arg-type]
                               anchor=anchor)
        if not self.tables:
            return layout.lay_out(marked)
        laid = {tables.marker(i): tables.render_table(t, text, missing, items, mark=mark,
                                                      size=self.schema.table_size)
                for i, t in enumerate(self.tables)}
        return layout.lay_out(marked, laid)

    def _check(self, data: Mapping[str, object] | values.Values, *, draft: bool,
               rules: bool) -> values.Checked:
        data = _as_values(data)
        checked = values.check(self.schema, data, allow_missing=draft, rules=rules)
        doubled = []
        for key, text in checked.text.items():
            if key not in self.followers:
                continue
            # 镇名 "艾城镇" where the sentence goes on with 镇 would print 艾城镇镇.
            if text and text[-1] in self.followers.get(key, ()):
                var, origin = self.schema.by_key[key], data.origins.get(key)
                last = text[-1]
                doubled.append(Problem(
                    key, f"“{text}”以“{last}”结尾，而句中它后面已有“{last}”，会印成“{text}{last}”。",
                    label=var.label, hint=f"去掉末尾的“{last}”。", level="warning", code="invalid",
                    file=origin.file if origin else None, line=origin.line if origin else None))
        return dataclasses.replace(checked, problems=checked.problems + tuple(doubled))

    def render_text(self, data: Mapping[str, object] | values.Values, *, validate: bool = True,
                    rules: bool = True) -> str:
        """Return the report text for `data`.

        With `validate=False` no check is made and every value is printed as its plain string.
        """
        if validate:
            checked = self._check(data, draft=False, rules=rules)
            text, items = self._prepared(checked)[0], self._items(checked.items, {})
        else:
            raw = _as_values(data).raw
            text = {k: _plain_text(v) for k, v in raw.items() if not isinstance(v, values.Records)}
            items = self._items({k: tuple({c: _plain_text(x) for c, x in item.items()} for item in v.items)
                                 for k, v in raw.items() if isinstance(v, values.Records)}, {})
        blocks = self._lay_out(text, {}, items, mark=False)
        if not self.tables:
            return render.strip_marks(render.render(self.compiled, text))  # type: ignore[arg-type]
        return render.strip_marks("\n".join(tables.plain_text(b) if b.table else b.text for b in blocks))

    def render(self, data: Mapping[str, object] | values.Values, *, draft: bool = False,
               mark_values: bool = False, rules: bool = True) -> Rendered:
        """Check `data` and lay out the report: return its paragraphs, what is missing, the warnings.

        In a `draft` a missing value shows as its 【label】; with `mark_values` every value is
        marked for highlighting. Raise ValuesError when the values have errors.
        """
        checked = self._check(data, draft=draft, rules=rules)
        text, missing, warnings = self._prepared(checked)
        items = self._items(checked.items, missing)
        blocks = self._lay_out(text, missing, items, mark=mark_values, anchor=True)
        return Rendered(blocks, missing, warnings, self.name, {v.key: v.label for v in self.variables})

    def render_blocks(self, data: Mapping[str, object] | values.Values, *, draft: bool = False,
                      mark_values: bool = False, rules: bool = True) -> tuple[layout.Block, ...]:
        """Return the laid-out paragraphs of the report for `data`."""
        return self.render(data, draft=draft, mark_values=mark_values, rules=rules).blocks

    def render_docx(self, data: Mapping[str, object] | values.Values, path: str | Path, *,
                    profile: str = "gb2312", draft: bool = False, mark_values: bool = False,
                    rules: bool = True) -> Path:
        """Write the report for `data` to `path` as a .docx, atomically; return the path."""
        content = self.render_bytes(data, profile=profile, draft=draft, mark_values=mark_values,
                                    rules=rules)
        return write_atomically(Path(path), content)

    def render_bytes(self, data: Mapping[str, object] | values.Values, *, profile: str = "gb2312",
                     draft: bool = False, mark_values: bool = False, rules: bool = True) -> bytes:
        """Return the .docx bytes of the report for `data`; raise ValuesError on bad values."""
        if profile not in PROFILES:
            raise OutputError(f"未知的字体方案“{profile}”。", hint=f"可选：{'、'.join(PROFILES)}。")
        return self.render(data, draft=draft, mark_values=mark_values, rules=rules).docx(profile=profile)


def _plain_text(raw: object) -> str:
    if isinstance(raw, values.Records):
        return str(raw)
    if isinstance(raw, tuple):
        return "、".join(item or "" for item in raw)
    return raw or ""


def _as_values(data: Mapping[str, object] | values.Values) -> values.Values:
    if isinstance(data, values.Values):
        return data
    if not isinstance(data, Mapping):
        raise ValuesFileError(f"取值应为按分组嵌套的字典，而不是 {type(data).__name__}。",
                              hint='例如 {"经济发展": {"签约新项目": 5}}，与取值文件的层次相同。')
    return values.from_mapping(data)


def write_atomically(path: Path, content: bytes) -> Path:
    """Write `content` to `path` through a temporary file, so a failure never leaves half a file."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError("输出文件夹不存在。", file=str(path), hint=f"请先创建文件夹 {folder}。")
    if path.is_dir():
        raise OutputError("输出路径是一个文件夹。", file=str(path), hint="请写出文件名，例如 报告.docx。")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
                stream.flush()
                os.fsync(stream.fileno())
            # mkstemp makes the file private (0600); a report is an ordinary file, as open() makes.
            os.chmod(temporary, _file_mode(path))
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as err:
        raise OutputError(f"无法写入文件：{describe_os_error(err)}。", file=str(path),
                          hint="检查文件是否正被 Word/WPS 打开，或文件夹是否可写。") from err
    return path


def _file_mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def find_template(path_or_name: str | os.PathLike[str]) -> Path | None:
    """Return the template folder `path_or_name` names (a folder or a bundled name), or None."""
    path = Path(path_or_name)
    if (path / TEMPLATE_FILE).is_file():
        return path
    bundled = bundled_root() / str(path_or_name)
    if not path.exists() and (bundled / TEMPLATE_FILE).is_file():
        return bundled
    return None


def read_source(folder: Path) -> str:
    """Return the text of the template.txt in `folder`."""
    source_file = folder / TEMPLATE_FILE
    try:
        return source_file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise TemplateError("模板不是 UTF-8 编码。", file=str(source_file),
                            hint="用编辑器把 template.txt 另存为 UTF-8。") from err
    except OSError as err:
        raise TemplateError(f"无法读取模板：{describe_os_error(err)}。", file=str(source_file)) from err


def load_template(path_or_name: str | os.PathLike[str]) -> Template:
    """Return the template in folder `path_or_name`, or the bundled template of that name."""
    path = find_template(path_or_name)
    if path is None:
        if Path(path_or_name).is_dir():
            raise TemplateError(f"文件夹中没有 {TEMPLATE_FILE}。", file=str(path_or_name),
                                hint="模板文件夹应包含 template.txt、schema.yaml 和 example.yaml。")
        names = "、".join(bundled_names()) or "（无）"
        raise TemplateError(f"找不到模板“{path_or_name}”。",
                            hint=f"请给出模板文件夹的路径，或内置模板名：{names}。")
    source, source_file = read_source(path), str(path / TEMPLATE_FILE)
    schema = load_schema(path / SCHEMA_FILE)
    text, specs = check_consistency(source, schema, file=source_file)
    return Template(name=path.name, path=path, schema=schema, source=source,
                    compiled=render.compile_source(text, file=source_file),
                    followers=_followers(text),
                    tables=tuple(tables.prepare_table(spec, file=source_file) for spec in specs))


def write_template_folder(folder: Path, files: Mapping[str, str], *, keep_filled: str) -> bool:
    """Write `files` (name → text) into `folder`, each atomically; return whether one was kept.

    The file named `keep_filled` (a values file) is not overwritten when it already holds values
    or cannot be read as a values file: it is somebody's work.
    """
    kept = _filled(folder / keep_filled)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"无法创建文件夹：{describe_os_error(err)}。", file=str(folder)) from err
    for name, content in files.items():
        if not (kept and name == keep_filled):
            write_atomically(folder / name, content.encode("utf-8"))
    return kept


def _filled(path: Path) -> bool:
    try:
        if not path.is_file() or not path.read_bytes().strip():
            return False
        data = values.read_values_file(path)
    except (OSError, DrafterError):
        return True  # not readable as a values file: somebody's work, not ours to overwrite
    items = (item for raw in data.raw.values()
             for item in (raw if isinstance(raw, tuple) else (str(raw),) if isinstance(raw, values.Records)
                          else (raw,)))
    return any(item is not None and str(item).strip() for item in items)


def _followers(source: str) -> dict[str, frozenset[str]]:
    """Return, for each variable, the place suffixes (镇, 村 …) that come right after it in `source`."""
    found: dict[str, set[str]] = {}
    for match in re.finditer(r"\{\{\s*([^\s}]+)\s*\}\}(.)", source):
        if match.group(2) in "镇乡村县区市省州组社园厂":
            found.setdefault(match.group(1), set()).add(match.group(2))
    return {key: frozenset(chars) for key, chars in found.items()}


def check_consistency(source: str, schema: Schema, *, file: str) -> tuple[str, tuple[tables.TableSpec, ...]]:
    """Raise TemplateError unless the template text and the schema name the same variables.

    Return the text Jinja renders (each table a marker line) and the tables.
    """
    text, specs, used = tables.template_variables(source, file=file)
    declared = schema.by_key
    _check_lists(text, specs, schema, file=file)
    extra = [(key, line) for key, line in used.items() if key not in declared]
    unused = [key for key in declared if key not in used]
    if extra:
        listing = "、".join(f"{key}（第 {line} 行）" for key, line in extra)
        raise TemplateError(f"模板使用了 schema.yaml 中没有定义的变量：{listing}。", file=file,
                            line=extra[0][1], hint="在 schema.yaml 的 variables 中补上它们，或改正拼写。")
    if unused:
        raise TemplateError(f"schema.yaml 定义了模板中没有用到的变量：{'、'.join(unused)}。",
                            file=file, hint="从 schema.yaml 删除它们，或在 template.txt 中使用。")
    schema_file = str(Path(file).with_name(SCHEMA_FILE))
    for rule in schema.rules:
        keys = render.check_rule_source(rule.check, file=schema_file, line=rule.line)
        strangers = [key for key in keys if key not in declared]
        if strangers:
            raise TemplateError(f"规则“{rule.check}”用到了未定义的变量：{'、'.join(strangers)}。",
                                file=schema_file, line=rule.line,
                                hint="规则中的变量写成 组.名称，须在 variables 中定义。")
        lists = [key for key in keys if declared[key].type == "records"]
        if lists:
            raise TemplateError(f"规则“{rule.check}”用到了清单变量 {'、'.join(lists)}，"
                                "规则只能核对单个数字。",
                                file=schema_file, line=rule.line, hint="清单的各项在表格中逐行核对。")
    return text, specs


def _check_lists(text: str, specs: tuple[tables.TableSpec, ...], schema: Schema, *, file: str) -> None:
    """Raise unless list variables are used only through their columns, in tables' repeated rows."""
    plain = render.template_keys(text, file=file)
    for spec in specs:
        plain.update({k: v for k, v in spec.keys.items() if k not in plain})
    for key, line in plain.items():
        var = schema.get(key)
        if var is not None and var.type == "records":
            column = var.columns[0].name
            raise TemplateError(f"清单变量 {key} 只能用在表格中按清单重复的行里。", file=file, line=line,
                                hint=f"在表格行的格子里写它的列，如 {{{{ {key}.{column} }}}}。")
    for spec in specs:
        for key, columns in spec.columns_used.items():
            var = schema.get(key)
            if var is None:
                continue  # reported as an undefined variable
            if var.type != "records":
                raise TemplateError(f"{key} 不是清单变量，不能写 {key}.列。", file=file,
                                    line=min(columns.values()),
                                    hint="在 schema.yaml 中把它定义为 type: records 并列出 columns，"
                                         "或改正拼写。")
            names = {c.name for c in var.columns}
            for column, line in columns.items():
                if column not in names:
                    raise TemplateError(f"清单 {key} 没有“{column}”这一列。", file=file, line=line,
                                        hint=f"schema.yaml 中它的列有：{'、'.join(names)}。")
