"""drafter against docxtpl on the bundled seed report, and against its own floor; batch throughput.

Run by hand, from a regular install (docxtpl is in the optional `bench` extra): pip install '.[bench]'.
An editable install (-e) adds its import hook, 20-30 ms, to every drafter process and to none of
docxtpl's, which skews the one-shot comparison.

    python bench/bench_peers.py [--reports 300] [--pairs 7] [--batch 1000] [--jobs 2]

Prints, in one run:

1. per report in one process: drafter's `Template.render_bytes`, docxtpl rendering the same report
   (its template built here from the bundled template.txt, its values the strings drafter prints),
   and the deflate of drafter's own word/document.xml, with the ratios; timed in rounds (ten of
   drafter, ten deflates, one docxtpl), so that a burst of load falls on all three alike;
2. one-shot whole processes: `drafter render` against docxtpl's CLI (`python -m docxtpl`) on the
   same report, interleaved, the median of several pairs;
3. `drafter batch` of a table of N reports with -j J: wall time of the process, files written.

Medians throughout, so a shared machine's noise moves the figures less; still, on a loaded machine
Python code slows more than zlib does, and the ratio to the deflate with it. No figure here is a test.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

import drafter
from drafter import values as values_module

try:
    import docx
    from docxtpl import DocxTemplate
except ImportError:  # pragma: no cover - the bench extra is not installed
    sys.exit("bench_peers needs docxtpl: pip install -e '.[bench]'")


def nested(flat: dict[str, str]) -> dict[str, dict[str, str]]:
    """Return dotted keys as the nested dicts a Jinja context (docxtpl's) needs."""
    out: dict[str, dict[str, str]] = {}
    for key, value in flat.items():
        group, name = key.split(".", 1)
        out.setdefault(group, {})[name] = value
    return out


def docxtpl_template(template: drafter.Template, folder: Path) -> Path:
    """Write the bundled template as a docxtpl template: one paragraph a line, `{{ 组.名称 }}` kept."""
    document = docx.Document()
    for line in template.source.rstrip("\n").split("\n"):
        document.add_paragraph(line)
    path = folder / "docxtpl-template.docx"
    document.save(str(path))
    return path


def in_process(template: drafter.Template, data: values_module.Values, context: dict, tpl_path: Path,
               count: int) -> None:
    """Print per-report times of drafter, docxtpl and the deflate floor, with the ratios."""
    content = template.render_bytes(data)  # warm: the first report prepares what is kept
    xml = zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml")

    def deflate() -> None:
        packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        packer.compress(xml)
        packer.flush()

    def peer() -> None:
        tpl = DocxTemplate(str(tpl_path))
        tpl.render(context)
        tpl.save(io.BytesIO())

    check = DocxTemplate(str(tpl_path))
    check.render(context)
    buffer = io.BytesIO()
    check.save(buffer)
    theirs_text = [p.text for p in docx.Document(buffer).paragraphs]
    ours_text = template.render_text(data).rstrip("\n").split("\n")
    assert theirs_text == ours_text, "docxtpl must render the same report for the comparison to be fair"
    # Interleaved: each round times drafter, the deflate and docxtpl back to back, so a burst of
    # load on a shared machine falls on all three alike; the ratios are taken within each round.
    ours, floors, theirs, ratios = [], [], [], []
    for _ in range(max(count // ROUND, 5)):
        mine, floor = _times(lambda: template.render_bytes(data), ROUND), _times(deflate, ROUND)
        ours += mine
        floors += floor
        theirs += _times(peer, 1)
        ratios.append(statistics.median(mine) / statistics.median(floor))
    ours_ms, theirs_ms, floor_ms = (statistics.median(t) * 1000 for t in (ours, theirs, floors))
    print(f"per report, one process ({len(ours)} reports in rounds of {ROUND}, interleaved, medians):")
    print(f"  drafter render_bytes        {ours_ms:8.2f} ms")
    print(f"  docxtpl (same report)       {theirs_ms:8.2f} ms   drafter is {theirs_ms / ours_ms:5.1f}× faster")
    print(f"  deflate of document.xml     {floor_ms:8.2f} ms   ({len(xml) // 1024} KB; drafter is "
          f"{ours_ms / floor_ms:.1f}× its floor; {statistics.median(ratios):.1f}× within a round)")


ROUND = 10  # reports of drafter, and deflates, between two of docxtpl's


def _times(run, count: int) -> list[float]:
    """Return the wall time of each of `count` calls of `run()`, in seconds."""
    times = []
    for _ in range(count):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


def one_shot(folder: Path, tpl_path: Path, context: dict, pairs: int) -> None:
    """Print the median wall time of whole `drafter render` and docxtpl CLI processes, interleaved."""
    values_path = drafter.load_template("township-work-report").example_path
    json_path = folder / "context.json"
    json_path.write_text(json.dumps(context, ensure_ascii=False), encoding="utf-8")
    ours_cmd = [sys.executable, "-m", "drafter", "render", "township-work-report", "-f", str(values_path),
                "-o", str(folder / "drafter.docx")]
    theirs_cmd = [sys.executable, "-m", "docxtpl", "-o", "-q", str(tpl_path), str(json_path),
                  str(folder / "docxtpl.docx")]
    # As installed by pip, both sides have their modules compiled (.pyc): a PYTHONDONTWRITEBYTECODE
    # in the environment would make drafter, run from a checkout, compile itself in every process.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for command in (ours_cmd, theirs_cmd):  # a first run writes the .pyc files and warms the disk cache
        subprocess.run(command, check=True, capture_output=True, env=env)
    ours, theirs = [], []
    for _ in range(pairs):
        for command, times in ((ours_cmd, ours), (theirs_cmd, theirs)):
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, env=env)
            times.append(time.perf_counter() - start)
    a, b = statistics.median(ours), statistics.median(theirs)
    print(f"one-shot process, median of {pairs} interleaved pairs:")
    print(f"  drafter render              {a * 1000:8.0f} ms")
    print(f"  python -m docxtpl           {b * 1000:8.0f} ms   drafter/docxtpl = {a / b:.2f}")


def batch(folder: Path, cells: dict[str, str], reports: int, jobs: int) -> None:
    """Print the throughput of `drafter batch` over a CSV table of `reports` rows."""
    table = folder / "各镇.csv"
    with table.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(list(cells))
        for index in range(reports):
            writer.writerow([f"镇{index}" if key == "基本信息.镇名" else text for key, text in cells.items()])
    out = folder / "batch"
    command = [sys.executable, "-m", "drafter", "batch", "township-work-report", "--table", str(table), "-o",
               str(out), "-j", str(jobs)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    written = len(list(out.glob("*.docx")))
    print(f"drafter batch, {reports} rows of a CSV table, -j {jobs}, whole process:")
    print(f"  {written} files in {seconds:.2f} s = {written / seconds:.0f} reports a second")
    # On a shared machine the wall time shows the load; the CPU time, what the batch itself costs.
    print(f"  CPU (user+sys, all processes) {cpu:.2f} s = {cpu / written * 1000:.1f} ms a report; "
          f"{jobs} idle cores would give about {written * jobs / cpu:.0f} reports a second")


def main() -> None:
    """Run the comparisons and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=300, help="reports timed in one process")
    parser.add_argument("--pairs", type=int, default=7, help="interleaved one-shot pairs")
    parser.add_argument("--batch", type=int, default=1000, help="reports in the batch (0: skip)")
    parser.add_argument("--jobs", type=int, default=2, help="-j for the batch")
    args = parser.parse_args()
    template = drafter.load_template("township-work-report")
    data = values_module.read_values_file(template.example_path)
    printed, _, _ = template.prepare(data)
    context = nested(dict(printed))
    cells = {k: "、".join(v) if isinstance(v, tuple) else v for k, v in data.raw.items()}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        tpl_path = docxtpl_template(template, folder)
        in_process(template, data, context, tpl_path, args.reports)
        one_shot(folder, tpl_path, context, args.pairs)
        if args.batch:
            batch(folder, cells, args.batch, args.jobs)


if __name__ == "__main__":
    main()
