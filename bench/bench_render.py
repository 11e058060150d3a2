"""Time checking and rendering the bundled example: the cost per document of a batch of reports.

Run by hand: python bench/bench_render.py [count]. Prints seconds per document for the check,
the layout and the .docx, with the template prepared once (as a batch would do).
"""

from __future__ import annotations

import sys
import time

import yaml

import drafter
from drafter.word import write_docx


def time_stages(template: drafter.Template, values: dict, count: int) -> dict[str, float]:
    """Return the seconds `count` reports of `values` took in each stage: check, layout, .docx."""
    timings = {"check": 0.0, "render+layout": 0.0, "docx": 0.0}
    for _ in range(count):
        t0 = time.perf_counter()
        template.check(values)
        t1 = time.perf_counter()
        rendered = template.render(values)
        t2 = time.perf_counter()
        write_docx(rendered.blocks)
        t3 = time.perf_counter()
        timings["check"] += t1 - t0
        timings["render+layout"] += t2 - t1
        timings["docx"] += t3 - t2
    return timings


def main() -> None:
    """Render the example `count` times and print the cost of each stage per document."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    start = time.perf_counter()
    template = drafter.load_template("township-work-report")
    prepared = time.perf_counter() - start
    values = yaml.safe_load(template.example_path.read_text(encoding="utf-8"))
    timings = time_stages(template, values, count)
    print(f"template prepared once: {prepared * 1000:.1f} ms")
    for stage, seconds in timings.items():
        print(f"{stage:>14}: {seconds / count * 1000:6.1f} ms per document")
    print(f"{'total':>14}: {sum(timings.values()) / count * 1000:6.1f} ms per document ({count} documents)")


if __name__ == "__main__":
    main()
