"""Time `drafter templatize --name` on 0.25, 0.5 and 1 MB finished reports, to show linear cost.

Run from the repository root: python bench/bench_finished.py
Each size is the bundled template rendered with its example values (no blanks, 49 figures and
12 places of the two names each time), repeated, then run through the whole command with
`--name 艾城 --name 刘志强`; best of three runs. A last row times one 0.25 MB report written as a
single line, which must cost no more per MB than the rest.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
import time
from pathlib import Path

import yaml

import drafter
from drafter.cli import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "templates" / "township-work-report" / "example.yaml"
SIZES_MB = (0.25, 0.5, 1.0)
RUNS = 3


def time_templatize(report: Path, work: Path) -> float:
    """Return the seconds one `drafter templatize REPORT -o DIR --name …` takes, output discarded."""
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        cli.main(["templatize", str(report), "-o", str(out), "--name", "艾城", "--name", "刘志强"],
                 standalone_mode=False)
    return time.perf_counter() - start


def main() -> None:
    """Print the seconds per size and per MB."""
    values = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    finished = drafter.load_template("township-work-report").render_text(values)
    print(f"{'size':>10}  {'seconds':>8}  {'s per MB':>8}")
    rates = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        reports = []
        for megabytes in SIZES_MB:
            copies = max(1, round(megabytes * 1_000_000 / len(finished.encode("utf-8"))))
            reports.append((f"{megabytes}MB", "\n".join([finished] * copies)))
        reports.append(("one line", reports[0][1].replace("\n", "。")))
        for name, text in reports:
            report = work / "report.txt"
            report.write_text(text, encoding="utf-8")
            size = report.stat().st_size / 1_000_000
            best = min(time_templatize(report, work) for _ in range(RUNS))
            rates.append(best / size)
            print(f"{name:>10}  {best:>8.2f}  {best / size:>8.2f}")
    print(f"cost per MB at 1 MB is {rates[2] / rates[0]:.2f}× that at 0.25 MB (1.00 = linear)")


if __name__ == "__main__":
    main()
