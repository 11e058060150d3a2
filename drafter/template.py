"""A prepared template: its text compiled once, its schema loaded and checked against the text."""

from __future__ import annotations

import dataclasses
import errno
import functools
import os
import re
import stat
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from . import chars, layout, records, render, tables, textfile, values
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
from .skeleton import with_sentences
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
    lists: Mapping[str, int] = field(default_factory=dict)      # each list's number of items

    def docx(self, *, profile: str = "gb2312") -> bytes:
        """Return the .docx bytes of the report, every value anchored to its variable."""
        return write_docx(self.blocks, profile=profile, template=self.template, labels=self.labels,
                          lists=self.lists)


@dataclass(frozen=True)
class Template:
    """A template ready to check values and render them, many times over."""

    name: str
    path: Path
    schema: Schema
    source: str
    compiled: object  # the text to lay out, its marks next to Chinese already full-width
    text: str = ""    # the text as Jinja renders it, each table a marker line
    followers: Mapping[str, frozenset[str]] = field(default_factory=dict)
    tables: tuple[tables.PreparedTable, ...] = ()

    @property
    def variables(self) -> tuple[Variable, ...]:
        """Return the template's variables in report order."""
        return self.schema.variables

    @functools.cached_property
    def labels(self) -> dict[str, str]:
        """Return the label of every variable and list column by key, for the anchor record."""
        labels = {c.key: c.label for v in self.variables for c in v.columns}
        labels.update({v.key: v.label for v in self.variables})
        return labels

    @functools.cached_property
    def _as_written(self) -> object:
        """Return the text compiled with its marks as written, for plain text (not laid out)."""
        return render.compile_source(self.text, file=str(self.path / TEMPLATE_FILE))

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
                        missing[records.item_key(var, index, column.name)] = f"【{column.label}】"
        return found

    def _lay_out(self, text: Mapping[str, str], missing: dict[str, str], items: Mapping[str, tables.Items],
                 *, mark: bool, anchor: bool = False) -> tuple[layout.Block, ...]:
        marked = render.render(self.compiled, text, mark=mark, missing=missing,  # type: ignore[arg-type]
                               anchor=anchor)
        if not self.tables:
            return layout.lay_out(marked)
        return layout.lay_out(marked, self._laid_tables(text, missing, items, mark=mark, anchor=anchor))

    def _laid_tables(self, text: Mapping[str, str], missing: dict[str, str],
                     items: Mapping[str, tables.Items], *, mark: bool,
                     anchor: bool) -> dict[str, layout.Block | None]:
        """Return each table's block (None for a table left out) by its marker line."""
        return {tables.marker(i): tables.render_table(t, text, missing, items, mark=mark,
                                                      size=self.schema.table_size, anchor=anchor)
                for i, t in enumerate(self.tables)}

    def _check(self, data: Mapping[str, object] | values.Values, *, draft: bool,
               rules: bool) -> values.Checked:
        data = _as_values(data)
        checked = values.check(self.schema, data, allow_missing=draft, rules=rules)
        doubled = []
        for key, text in checked.text.items():
            if key not in self.followers:
                continue
            # 镇名 "艾城镇" where the sentence goes on with 镇 would print 艾城镇镇; a list item
            # "上塘村" before 等村 prints 上塘村等村.
            typed = checked.typed.get(key)
            items = typed if isinstance(typed, tuple) else (text,)
            for last in sorted(self.followers.get(key, ())):
                ending = [item for item in items if item.endswith(last)]
                if ending:
                    doubled.append(self._doubled(key, ending, last, data.origins.get(key)))
        problems = values.sort_problems(checked.problems + tuple(doubled), self.schema, data)
        return dataclasses.replace(checked, problems=tuple(problems))

    def _doubled(self, key: str, items: list[str], last: str, origin: values.Origin | None) -> Problem:
        var = self.schema.by_key[key]
        after = "等" + last if var.type == "list" else last
        shown = "“" + "”“".join(items) + "”"
        return Problem(key, f"{shown}以“{last}”结尾，而句中后面已有“{after}”，会印成“{items[-1]}{after}”。",
                       label=var.label, hint=f"去掉末尾的“{last}”。", level="warning", code="invalid",
                       file=origin.file if origin else None, line=origin.line if origin else None)

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
        plain = render.render(self._as_written, text)  # type: ignore[arg-type]
        if self.tables:
            # The text as rendered, each table's marker line replaced by the table as plain text:
            # not the laid-out blocks, whose title breaks and full-width marks are the document's.
            laid = self._laid_tables(text, {}, items, mark=False, anchor=False)
            plain = "\n".join(line if line not in laid else tables.plain_text(laid[line])  # type: ignore[arg-type]
                               for line in plain.split("\n") if not (line in laid and laid[line] is None))
        return render.strip_marks(plain)

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
        return Rendered(blocks, missing, warnings, self.name, self.labels,
                        {key: len(rows) for key, rows in checked.items.items()})

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


TEMPORARY_PREFIX = ".drafter-temp-"  # what a write killed half-way leaves behind, named as ours
_STALE_AFTER = 24 * 3600  # seconds; a temporary file this old is left over whatever its process


def write_atomically(path: Path, content: bytes, *, template_files: bool = False, sync: bool = True) -> Path:
    """Write `content` to `path` through a temporary file, so a failure never leaves half a file.

    A symlink is written through: the file it points to is replaced and the link stays. Folders,
    devices, FIFOs and sockets are refused, and so are a template's own files (template.txt,
    schema.yaml, example.yaml beside a template.txt) unless `template_files`. Temporary files that
    an earlier run killed half-way left in the folder are removed. With `sync` the content reaches
    the disk before the rename; a batch of thousands of reports skips that wait (the rename alone
    still shows either the old file or the whole new one).
    """
    target, _ = output_target(path, template_files=template_files)
    folder = target.parent
    _remove_stale_temporaries(folder, once=not sync)
    try:
        # A short name of its own: `.{name}.XXXXXXXX.tmp` of a legal 250-byte name would not be legal.
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f"{TEMPORARY_PREFIX}{os.getpid()}-",
                                             suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
                stream.flush()
                if sync:
                    os.fsync(stream.fileno())
            # mkstemp makes the file private (0600); a report is an ordinary file, as open() makes.
            os.chmod(temporary, _file_mode(target))
            os.replace(temporary, target)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as err:
        raise OutputError(f"无法写入文件：{describe_os_error(err)}。", file=str(path),
                          hint="检查文件是否正被 Word/WPS 打开，或文件夹是否可写。") from err
    return path


def output_target(path: Path, *, template_files: bool = False) -> tuple[Path, bool]:
    """Return the file a write to `path` replaces (symlinks followed) and whether it exists.

    Raise OutputError when `path` cannot be an output file: its folder is missing, its name is
    too long, it is a folder, a device, a FIFO or a socket, or (unless `template_files`) one of a
    template's own files.
    """
    file = str(path)
    target = Path(os.path.realpath(path))
    try:
        mode: int | None = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as err:
        raise OutputError(_os_problem(err), file=file, hint=_NAME_HINT if _too_long(err) else "") from err
    if mode is None and not target.parent.is_dir():
        if target.parent.exists():
            raise OutputError(f"{path.parent} 是一个文件，不是文件夹。", file=file, hint="请换一个输出位置。")
        raise OutputError("输出文件夹不存在。", file=file, hint=f"请先创建文件夹 {path.parent}。")
    if mode is not None and stat.S_ISDIR(mode):
        raise OutputError("输出路径是一个文件夹。", file=file, hint="请写出文件名，例如 报告.docx。")
    if mode is not None and not stat.S_ISREG(mode):
        raise OutputError("输出路径不是普通文件（是设备、管道或套接字），drafter 不往这类路径写入。",
                          file=file, hint="请给出一个普通文件的路径，例如 报告.docx。")
    if not template_files and target.name in (TEMPLATE_FILE, SCHEMA_FILE, EXAMPLE_FILE) \
            and (target.parent / TEMPLATE_FILE).is_file():
        raise OutputError(f"这是模板自己的文件（{target.name}），drafter 不会覆盖它。", file=file,
                          hint="请换一个文件名，或写到模板文件夹以外。")
    return target, mode is not None


_NAME_HINT = "文件名最长 255 字节（约 85 个汉字），请换一个短一些的名字。"


def _too_long(err: OSError) -> bool:
    return err.errno == errno.ENAMETOOLONG


def _os_problem(err: OSError) -> str:
    return "文件名太长。" if _too_long(err) else f"无法使用这个路径：{describe_os_error(err)}。"


_TIDIED: set[Path] = set()  # folders a batch has tidied in this process


def _remove_stale_temporaries(folder: Path, *, once: bool) -> None:
    """Remove temporary files of ours whose process is gone (POSIX) or that are a day old.

    With `once` (a batch, writing thousands of files into one folder) only the first write to a
    folder looks: listing the folder at every write would cost the square of the reports.
    """
    if once and folder in _TIDIED:
        return
    _TIDIED.add(folder)
    try:
        leftovers = list(folder.glob(f"{TEMPORARY_PREFIX}*.tmp"))
        now = time.time()
        for leftover in leftovers:
            pid = leftover.name[len(TEMPORARY_PREFIX):].split("-", 1)[0]
            if now - leftover.lstat().st_mtime > _STALE_AFTER or not _running(pid):
                leftover.unlink()
    except OSError:
        pass  # tidying up is a courtesy: a folder we cannot list or clean is no reason to fail


def _running(pid: str) -> bool:
    if os.name != "posix" or not pid.isdigit():
        return True  # os.kill(pid, 0) would end the process on Windows: leave it to the age test
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # somebody else's process, alive
    return True


def _file_mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def check_template_folder(folder: Path, *, force: bool) -> None:
    """Raise OutputError unless a new template can be written into `folder`.

    It must be a folder or nothing; a folder with files in it needs `force`.
    """
    file = str(folder)
    try:
        kind = os.stat(folder).st_mode
        if stat.S_ISDIR(kind):
            with os.scandir(folder) as entries:
                if any(entries) and not force:
                    raise OutputError("文件夹不是空的，未写入（里面可能是已有的模板）。", file=file,
                                      hint="换一个文件夹名，或加 --force 覆盖其中的 template.txt 和 "
                                           "schema.yaml（已填写取值的 values.yaml 不会被覆盖）。")
    except FileNotFoundError:
        return
    except OSError as err:
        raise OutputError(_os_problem(err), file=file, hint=_NAME_HINT if _too_long(err) else "") from err
    if not stat.S_ISDIR(kind):
        raise OutputError("输出路径是一个文件，不是文件夹。", file=file,
                          hint="请给出一个新的文件夹名，例如 -o 我的模板。")


def find_template(path_or_name: str | os.PathLike[str]) -> Path | None:
    """Return the template folder `path_or_name` names (a folder or a bundled name), or None."""
    path = Path(path_or_name)
    if _exists(path / TEMPLATE_FILE):  # whatever it is: reading it says what is wrong with it
        return path
    bundled = bundled_root() / str(path_or_name)
    if not _exists(path) and _is_file(bundled / TEMPLATE_FILE):
        return bundled
    return None


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long, a loop of links: no template there
        return False


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return False


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


MAX_TEMPLATE_BYTES = 50_000_000  # a 20 MB report with every blank made a {{ 组.名称 }}


def read_source(folder: Path) -> str:
    """Return the text of the template.txt in `folder`, line ends made `\\n`.

    Raise TemplateError, with the line, when it holds a character no Word document can (a form
    feed, a control character, a line separator).
    """
    source_file = folder / TEMPLATE_FILE
    raw = textfile.read_file(source_file, limit=MAX_TEMPLATE_BYTES, error=TemplateError, what="模板")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise TemplateError("模板不是 UTF-8 编码。", file=str(source_file), line=line,
                            hint="用编辑器把 template.txt 另存为 UTF-8。") from err
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = chars.first_unwritable(text)
    if bad:
        line, char = bad
        raise TemplateError(f"模板含有 Word 文档不能保存的字符（{chars.describe(char)}）。",
                            file=str(source_file), line=line, hint="删除这个字符；段落之间只用换行分开。")
    render.refuse_comments(text, file=str(source_file))
    return text


def load_template(path_or_name: str | os.PathLike[str]) -> Template:
    """Return the template in folder `path_or_name`, or the bundled template of that name."""
    path = find_template(path_or_name)
    if path is None:
        if _is_dir(Path(path_or_name)):
            raise TemplateError(f"文件夹中没有 {TEMPLATE_FILE}。", file=str(path_or_name),
                                hint="模板文件夹应包含 template.txt、schema.yaml 和 example.yaml。")
        names = "、".join(bundled_names()) or "（无）"
        raise TemplateError(f"找不到模板“{path_or_name}”。",
                            hint=f"请给出模板文件夹的路径，或内置模板名：{names}。")
    source, source_file = read_source(path), str(path / TEMPLATE_FILE)
    schema = load_schema(path / SCHEMA_FILE)
    text, specs = check_consistency(source, schema, file=source_file)
    schema = with_sentences(schema, text)  # every 原句 a clerk sees, with other blanks as …
    return Template(name=path.name, path=path, schema=schema, source=source,
                    compiled=render.compile_source(layout.settle_marks(text), file=source_file), text=text,
                    followers=_followers(text),
                    tables=tuple(tables.prepare_table(spec, file=source_file) for spec in specs))


def write_template_folder(folder: Path, files: Mapping[str, str], *, keep_filled: str) -> bool:
    """Write `files` (name → text) into `folder`, each atomically; return whether one was kept.

    The file named `keep_filled` (a values file) is not overwritten when it already holds values
    or cannot be read as a values file: it is somebody's work.
    """
    kept = _filled(folder / keep_filled)
    if _is_dir(folder):  # every file checked before the first is written: all or nothing
        for name in files:
            if not (kept and name == keep_filled):
                output_target(folder / name, template_files=True)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"无法创建文件夹：{describe_os_error(err)}。", file=str(folder)) from err
    for name, content in files.items():
        if not (kept and name == keep_filled):
            write_atomically(folder / name, content.encode("utf-8"), template_files=True)
    return kept


def _filled(path: Path) -> bool:
    try:
        if not path.is_file() or not textfile.read_file(path, limit=values.yamlfile.MAX_BYTES,
                                                         error=ValuesFileError, what="取值文件").strip():
            return False
        data = values.read_values_file(path)
    except (OSError, DrafterError):
        return True  # not readable as a values file: somebody's work, not ours to overwrite
    items = (item for raw in data.raw.values()
             for item in (raw if isinstance(raw, tuple) else (str(raw),) if isinstance(raw, values.Records)
                          else (raw,)))
    return any(item is not None and str(item).strip() for item in items)


def _followers(source: str) -> dict[str, frozenset[str]]:
    """Return, for each variable, the place suffixes (镇, 村 …) that come after it in `source`.

    After a list they follow 等: {{ 柑橘村 }}等村.
    """
    found: dict[str, set[str]] = {}
    for match in re.finditer(r"\{\{\s*([^\s}]+)\s*\}\}等?(.)", source):
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
    words = {v.key for v in schema.variables if v.type in ("name", "text", "list")}
    for rule in schema.rules:
        keys = render.check_rule_source(rule.check, file=schema_file, line=rule.line, words=words)
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
