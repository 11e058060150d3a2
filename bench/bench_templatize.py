"""Time `drafter templatize` on reports made from the seed, to show linear cost in time and memory.

Run from the repository root: python bench/bench_templatize.py [MB …] [--dense]
Each size (default 0.25, 0.5, 1 and 4 MB) is the seed repeated (its 56 blanks and 7 cuts each
time), or with --dense a report that is nearly all blanks (签约新项目x个，完成财税收入x万元，新建x座。
on every line: about 47,000 blanks a MB), written as UTF-8, then run through the whole command
(read, detect, name, check, write the three files and print the summary), best of three runs (one
above 1 MB). Wall and CPU seconds are printed, the CPU ones per MB: they stay about the same as the
size grows when the cost is linear. The peak memory of the process is printed at the end.
"""

from __future__ import annotations

import contextlib
import io
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from drafter.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_bfa708c56a8de71e.txt"
SIZES_MB = (0.25, 0.5, 1.0, 4.0)
DENSE_LINE = "签约新项目x个，完成财税收入x万元，新建x座。"


def build_report(seed: str, megabytes: float, *, dense: bool = False) -> str:
    """Return the seed (or the dense line) repeated until the text is about `megabytes` of UTF-8."""
    unit = DENSE_LINE if dense else seed
    copies = max(1, round(megabytes * 1_000_000 / len(unit.encode("utf-8"))))
    return ("一、工作回顾\n" if dense else "") + "\n".join([unit] * copies)


def time_templatize(report: Path, work: Path) -> tuple[float, float]:
    """Return the wall and CPU seconds one `drafter templatize REPORT -o DIR` takes."""
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    start, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(io.StringIO()):
        cli.main(["templatize", str(report), "-o", str(out)], standalone_mode=False)
    return time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    """Print the seconds per size and per MB, and the peak memory."""
    dense = "--dense" in sys.argv
    sizes = [float(a) for a in sys.argv[1:] if a != "--dense"] or SIZES_MB
    seed = SEED.read_text(encoding="utf-8")
    print(f"{'size':>8}  {'blanks':>7}  {'wall s':>7}  {'CPU s':>7}  {'CPU s/MB':>8}")
    rates = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for megabytes in sizes:
            text = build_report(seed, megabytes, dense=dense)
            report = work / f"report-{megabytes}.txt"
            report.write_text(text, encoding="utf-8")
            size = report.stat().st_size / 1_000_000
            wall, cpu = min(time_templatize(report, work) for _ in range(3 if megabytes <= 1 else 1))
            rates.append(cpu / size)
            print(f"{size:>6.2f}MB  {text.count('x'):>7}  {wall:>7.2f}  {cpu:>7.2f}  {cpu / size:>8.2f}")
    print(f"CPU cost per MB at {sizes[-1]:g} MB is {rates[-1] / rates[0]:.2f}× that at {sizes[0]:g} MB "
          "(1.00 = linear)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    print(f"peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
