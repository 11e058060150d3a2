"""Time `drafter templatize` on 0.25, 0.5 and 1 MB reports made from the seed, to show linear cost.

Run from the repository root: python bench/bench_templatize.py
Each size is the seed repeated (its 56 blanks and 7 cuts each time), written as UTF-8, then run
through the whole command (read, detect, name, write the three files and print the summary), best
of three runs. The seconds per MB stay about the same as the size doubles: the cost is linear.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
import time
from pathlib import Path

from drafter.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_bfa708c56a8de71e.txt"
SIZES_MB = (0.25, 0.5, 1.0)
RUNS = 3


def build_report(seed: str, megabytes: float) -> str:
    """Return the seed repeated until the text is at least `megabytes` of UTF-8."""
    copies = max(1, round(megabytes * 1_000_000 / len(seed.encode("utf-8"))))
    return "\n".join([seed] * copies)


def time_templatize(report: Path, work: Path) -> float:
    """Return the seconds one `drafter templatize REPORT -o DIR` takes, its output discarded."""
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        cli.main(["templatize", str(report), "-o", str(out)], standalone_mode=False)
    return time.perf_counter() - start


def main() -> None:
    """Print the seconds per size and per MB."""
    seed = SEED.read_text(encoding="utf-8")
    print(f"{'size':>8}  {'blanks':>6}  {'seconds':>8}  {'s per MB':>8}")
    rates = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for megabytes in SIZES_MB:
            text = build_report(seed, megabytes)
            report = work / f"report-{megabytes}.txt"
            report.write_text(text, encoding="utf-8")
            size = report.stat().st_size / 1_000_000
            best = min(time_templatize(report, work) for _ in range(RUNS))
            rates.append(best / size)
            print(f"{size:>6.2f}MB  {text.count('x'):>6}  {best:>8.2f}  {best / size:>8.2f}")
    print(f"cost per MB at 1 MB is {rates[-1] / rates[0]:.2f}× that at 0.25 MB (1.00 = linear)")


if __name__ == "__main__":
    main()
