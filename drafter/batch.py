"""Many reports from one template: one a values file or one a table row, rendered in worker processes.

The template is prepared once per worker; each report is checked, rendered and written atomically
by its worker, and only a short outcome comes back. Jobs stream to the workers with a bounded number
in flight, so memory stays flat however many reports there are. A bad file or row does not stop the
others: its problems are collected and returned with the count of reports written.
"""

from __future__ import annotations

import concurrent.futures as futures
import dataclasses
import difflib
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import convert
from . import values as values_module
from .errors import BatchError, DrafterError, OutputError, Problem, ValuesError, describe_os_error
from .filenames import NamePattern, clash_key, safe_file_name
from .spreadsheet import Spreadsheet, column_letter
from .template import Template, load_template, write_atomically
from .word import prepared_package

CHUNK = 8            # reports a worker renders per round trip: fewer, larger messages between processes
# fork shares the loaded modules and the prepared package with the workers; elsewhere (Windows,
# macOS, where fork is unsafe or missing) each worker starts afresh and prepares its own.
START_METHOD = "fork" if sys.platform == "linux" else "spawn"
IN_FLIGHT = 4        # chunks queued per worker: enough to keep it busy, few enough to keep memory flat
SHOWN = 50           # failed reports (and ones with warnings) listed in the summary; the rest counted


@dataclass(frozen=True)
class Options:
    """How every report of a batch is rendered and where it goes."""

    outdir: Path
    profile: str = "gb2312"
    draft: bool = False
    mark_values: bool = False
    rules: bool = True


@dataclass(frozen=True)
class Job:
    """One report to render: its place in the batch, where its values come from, and its file name."""

    index: int
    where: str                          # 甲.yaml, or 各镇.xlsx:第5行
    name: str
    values: values_module.Values
    columns: Mapping[str, str] = field(default_factory=dict)   # key → column letter, for a table row
    bad_cells: tuple[tuple[str, str], ...] = ()                # (key, message): Excel error values


@dataclass(frozen=True)
class Outcome:
    """What became of one report: written or not, and the lines to show for it."""

    index: int
    where: str
    written: bool
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    missing: int = 0


@dataclass
class Summary:
    """The result of a batch: how many reports were written, and what went wrong with the others."""

    written: int = 0
    failed: int = 0
    drafts: int = 0
    warned: int = 0
    failures: list[Outcome] = field(default_factory=list)
    warnings: list[Outcome] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        """Count `outcome`, keeping its messages while fewer than SHOWN are kept."""
        if outcome.written:
            self.written += 1
            self.drafts += outcome.missing > 0
            self.warned += bool(outcome.warnings)
            if outcome.warnings and len(self.warnings) < SHOWN:
                self.warnings.append(outcome)
        else:
            self.failed += 1
            if len(self.failures) < SHOWN:
                self.failures.append(outcome)

    def sort(self) -> None:
        """Put the kept failures and warnings in batch order, whatever order the workers finished in."""
        self.failures.sort(key=lambda o: o.index)
        self.warnings.sort(key=lambda o: o.index)


# --- where the reports come from ------------------------------------------------------------------

def file_jobs(paths: Sequence[Path], common: Sequence[values_module.Values],
              sets: Sequence[values_module.Values]) -> Iterator[Job | Outcome]:
    """Yield a Job for each values file in `paths`, merged over `common` and under `sets`.

    A file that cannot be read yields a failed Outcome instead.
    """
    for index, path in enumerate(paths, start=1):
        try:
            data = values_module.read_values_file(path)
        except DrafterError as error:
            yield Outcome(index, str(path), False, (str(error),))
            continue
        merged = values_module.merge([*common, data, *sets])
        yield Job(index, str(path), safe_name_or_blank(path.stem), merged)


def safe_name_or_blank(stem: str) -> str:
    """Return the default name for a values file's report; blank when the stem makes no name."""
    try:
        return safe_file_name(stem)
    except BatchError:
        return ""


def table_jobs(table: Spreadsheet, common: Sequence[values_module.Values],
               sets: Sequence[values_module.Values]) -> Iterator[Job | Outcome]:
    """Yield a Job for each data row of the open `table`, merged over `common` and under `sets`."""
    header = table.header
    columns = {key: header.column(key) or "" for key in header.keys if key}
    for index, row in enumerate(table, start=1):
        where = f"{table.file}:第{row.number}行"
        origins = {key: values_module.Origin(f"{where} {columns[key]}列") for key in row.cells}
        data = values_module.Values(dict(row.cells), origins)
        yield Job(index, where, f"第{row.number}行.docx", values_module.merge([*common, data, *sets]),
                  columns, row.problems)


def check_header(table: Spreadsheet, template: Template) -> None:
    """Raise BatchError when a column of `table` names no variable of `template`, or one twice."""
    known = template.schema.by_key
    seen: dict[str, str] = {}
    for index, key in enumerate(table.header.keys):
        if key is None:
            continue
        letter = column_letter(index)
        if key in seen:
            raise BatchError(f"表头 {seen[key]}列和 {letter}列都是“{key}”。", file=f"{table.file}:第1行",
                             hint="同一个键只能有一列，请删除或改正其中一列。")
        seen[key] = letter
        if key in known and known[key].type == "records":
            raise BatchError(f"表头 {letter}列“{key}”是清单（表格逐行），不能填在一个单元格里。",
                             file=f"{table.file}:第1行",
                             hint="删除这一列，把清单写在公共取值文件里，用 -f 给出。")
        if key not in known:
            close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.5)
            hint = (f"您是不是想写 {close[0]}？" if close else
                    "表头应是 `drafter vars` 列出的键，如 经济发展.签约新项目。")
            raise BatchError(f"表头 {letter}列“{key}”不是本模板的变量。", file=f"{table.file}:第1行",
                             hint=hint + " 不需要的列请删除。")


def check_names(jobs: Iterator[Job | Outcome], pattern: NamePattern | None) -> int:
    """Return how many jobs there are; raise BatchError if two reports would get one name.

    Names are compared as Windows does (case and Unicode form ignored). Every clash is listed,
    before anything is written. A job whose name cannot be made fails later, when rendered.
    """
    owners: dict[str, str] = {}
    clashes: list[str] = []
    count = 0
    for job in jobs:
        count += 1
        if isinstance(job, Outcome):
            continue
        try:
            name = pattern.name(job.index, job.values) if pattern else job.name
        except BatchError:
            continue
        if not name:
            continue
        key = clash_key(name)
        if key in owners:
            clashes.append(f"  {name}：{owners[key]} 和 {job.where}")
        else:
            owners[key] = job.where
    if clashes:
        more = f"\n  ……另有 {len(clashes) - SHOWN} 处" if len(clashes) > SHOWN else ""
        shown = "\n".join(clashes[:SHOWN]) + more
        raise BatchError(f"有 {len(clashes)} 份报告会与别的报告同名，一份也没有生成：\n{shown}",
                         hint="用 --name 给出能区分各份报告的文件名，例如加上镇名或 {序号}。")
    return count


@dataclass(frozen=True)
class Plan:
    """A batch ready to run: how many reports, and a way to stream its jobs (again)."""

    total: int
    jobs: Callable[[], Iterator[Job | Outcome]]


def plan_files(paths: Sequence[Path], common: Sequence[values_module.Values],
               sets: Sequence[values_module.Values], pattern: NamePattern | None) -> Plan:
    """Return the plan for one report per values file; raise BatchError on clashing names."""
    if pattern is None:  # the names are the files' stems: no need to read the files for them
        empty = values_module.Values({}, {})
        check_names((Job(i, str(p), safe_name_or_blank(p.stem), empty) for i, p in enumerate(paths, 1)),
                    None)
    else:
        check_names(file_jobs(paths, common, sets), pattern)
    return Plan(len(paths), lambda: named(file_jobs(paths, common, sets), pattern))


def plan_table(template: Template, path: Path, sheet: str | None, common: Sequence[values_module.Values],
               sets: Sequence[values_module.Values], pattern: NamePattern | None) -> Plan:
    """Return the plan for one report per row of the table at `path`; raise on a bad header or names.

    With a `pattern` the table is read twice: once for the names, once to render.
    """
    def jobs() -> Iterator[Job | Outcome]:
        with Spreadsheet(path, sheet=sheet, variables=template.variables) as table:
            check_header(table, template)
            yield from table_jobs(table, common, sets)

    with Spreadsheet(path, sheet=sheet, variables=template.variables) as table:
        check_header(table, template)
        total = table.size
    if pattern is not None:
        total = check_names(jobs(), pattern)
    return Plan(total, lambda: named(jobs(), pattern))


def named(jobs: Iterator[Job | Outcome], pattern: NamePattern | None) -> Iterator[Job | Outcome]:
    """Yield `jobs` with their names from `pattern`; a job whose name cannot be made as a failure."""
    for job in jobs:
        if isinstance(job, Outcome) or pattern is None and job.name:
            yield job
            continue
        try:
            name = pattern.name(job.index, job.values) if pattern else safe_file_name("")
        except BatchError as error:
            yield Outcome(job.index, job.where, False, (f"{job.where}: {error.message} {error.hint}",))
            continue
        yield dataclasses.replace(job, name=name)


# --- rendering ------------------------------------------------------------------------------------

_worker: tuple[Template, Options] | None = None


def _start_worker(template_path: str, options: Options) -> None:
    global _worker
    if _worker is None or str(_worker[0].path) != template_path or _worker[1] != options:
        _worker = (load_template(template_path), options)  # not forked from the batch: load it
    prepared_package(options.profile)  # the static parts of the .docx, once per worker


def _render_chunk(jobs: list[Job]) -> list[Outcome]:
    assert _worker is not None, "the worker was not started"
    template, options = _worker
    return [render_job(template, job, options) for job in jobs]


def render_job(template: Template, job: Job, options: Options) -> Outcome:
    """Check, render and write the report of `job`; return what became of it."""
    try:
        if job.bad_cells:
            raise ValuesError(_with_bad_cells(template, job, options))
        rendered = template.render(job.values, draft=options.draft, mark_values=options.mark_values,
                                   rules=options.rules)
        content = rendered.docx(profile=options.profile)
        write_atomically(options.outdir / job.name, content, sync=False)
    except ValuesError as error:
        lines = tuple(_describe(p, job, template) for p in error.problems if p.level == "error")
        return Outcome(job.index, job.where, False, lines)
    except DrafterError as error:
        return Outcome(job.index, job.where, False, (str(error),))
    warnings = tuple(_describe(p, job, template) for p in rendered.warnings)
    return Outcome(job.index, job.where, True, warnings=warnings, missing=len(rendered.missing))


def _with_bad_cells(template: Template, job: Job, options: Options) -> list[Problem]:
    bad = {key for key, _ in job.bad_cells}
    problems = [Problem(key, message, file=f"{job.where} {job.columns.get(key, '')}列", code="invalid",
                        hint="改正公式，或直接填入取值。") for key, message in job.bad_cells]
    checked = values_module.check(template.schema, job.values, allow_missing=options.draft,
                                  rules=options.rules)
    return problems + [p for p in checked.problems if not (p.key in bad and p.code == "missing")]


def _describe(problem: Problem, job: Job, template: Template) -> str:
    """Return `problem` as one line naming the file and line, or the table's row, column and key."""
    if not job.columns:  # a values file: its own file:line, or the file when a value is missing
        return str(problem) if problem.file else f"{job.where}: {problem}"
    column = job.columns.get(problem.key)
    from_row = problem.file is None or problem.file.startswith(f"{job.where} ")
    if not from_row:
        return str(problem)  # from a common -f file or a --set
    hint = problem.hint
    var = template.schema.get(problem.key)
    if problem.code == "missing" and var is not None:
        hint = (f"应填{convert.expected(var)}，填在 {column} 列。" if column else
                f"表中没有“{problem.key}”这一列：在表头加上这一列，或用 -f 公共取值文件、--set 给出。")
    where = f"{job.where} {column}列" if column else job.where
    return f"{where}（{problem.key}）：{problem.message}" + (f" {hint}" if hint else "")


def run(template: Template, jobs: Iterator[Job | Outcome], options: Options, *, workers: int,
        progress: Callable[[int], None] = lambda done: None) -> Summary:
    """Render every job of `jobs` with `workers` processes; return the summary of the batch.

    `progress` is called with the number of reports finished since its last call.
    """
    summary = Summary()
    chunks = _chunks(jobs, summary, progress)
    if workers <= 1:
        for chunk in chunks:
            for job in chunk:
                summary.add(render_job(template, job, options))
            progress(len(chunk))
    else:
        _run_in_pool(template, chunks, options, workers, summary, progress)
    summary.sort()
    return summary


def _chunks(jobs: Iterator[Job | Outcome], summary: Summary,
            progress: Callable[[int], None]) -> Iterator[list[Job]]:
    chunk: list[Job] = []
    for job in jobs:
        if isinstance(job, Outcome):  # failed before rendering: a file that cannot be read
            summary.add(job)
            progress(1)
            continue
        chunk.append(job)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _run_in_pool(template: Template, chunks: Iterator[list[Job]], options: Options, workers: int,
                 summary: Summary, progress: Callable[[int], None]) -> None:
    import multiprocessing

    global _worker
    prepared_package(options.profile)
    _worker = (template, options)  # a forked worker has it already: no second reading of the template

    context = multiprocessing.get_context(START_METHOD)
    with futures.ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                                     initargs=(str(template.path), options)) as pool:
        pending: set[futures.Future[list[Outcome]]] = set()
        try:
            for chunk in chunks:
                pending.add(pool.submit(_render_chunk, chunk))
                if len(pending) >= workers * IN_FLIGHT:
                    pending = _collect(pending, summary, progress)
            while pending:
                pending = _collect(pending, summary, progress)
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise


def _collect(pending: set[futures.Future[list[Outcome]]], summary: Summary,
             progress: Callable[[int], None]) -> set[futures.Future[list[Outcome]]]:
    done, rest = futures.wait(pending, return_when=futures.FIRST_COMPLETED)
    for future in done:
        outcomes = future.result()
        for outcome in outcomes:
            summary.add(outcome)
        progress(len(outcomes))
    return rest


def default_workers() -> int:
    """Return the number of cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def prepare_outdir(outdir: Path) -> None:
    """Create `outdir` (and its parents) unless it is there; raise OutputError when it cannot be."""
    if outdir.exists() and not outdir.is_dir():
        raise OutputError("输出路径是一个文件，不是文件夹。", file=str(outdir),
                          hint="-o 给出一个文件夹，例如 -o 报告。")
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"无法创建输出文件夹：{describe_os_error(err)}。", file=str(outdir)) from err
