"""Time a report whose table has a row per item of a list: the cost per row of checking and writing.

Run by hand: python bench/bench_tables.py [rows]. Builds a template with one table (a repeated row
of three typed columns) in a temporary folder, and prints milliseconds for loading it, and per
report for the check, the layout and the .docx, with `rows` items (default 500).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bench_render import time_stages  # bench/ is the script's folder, first on sys.path

import drafter

TEMPLATE = """\
重点项目情况

【表格】表1　重点项目进展情况
列宽：4 3 2
| 项目名称 | 投资（万元） | 进度（%） |
|---|---:|:---:|
| {{ 项目.清单.名称 }} | {{ 项目.清单.投资 }} | {{ 项目.清单.进度 }} |
【表格完】
"""
SCHEMA = """\
title: 重点项目情况
variables:
  项目.清单:
    type: records
    label: 重点项目
    columns:
      名称: {type: name, label: 项目名称}
      投资: {type: amount, unit: 万元, label: 总投资, places: 1}
      进度: {type: percent, label: 形象进度}
"""


def main() -> None:
    """Render a table of `rows` items five times and print the cost of each stage per report."""
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    items = [{"名称": f"第{i}号重点项目", "投资": 100 + i, "进度": i % 100} for i in range(rows)]
    values = {"项目": {"清单": items}}
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "template.txt").write_text(TEMPLATE, encoding="utf-8")
        (Path(folder) / "schema.yaml").write_text(SCHEMA, encoding="utf-8")
        start = time.perf_counter()
        template = drafter.load_template(folder)
        loaded = time.perf_counter() - start
    count = 5
    timings = time_stages(template, values, count)
    print(f"template loaded: {loaded * 1000:.1f} ms")
    for stage, seconds in timings.items():
        per_report = seconds / count
        print(f"{stage:>14}: {per_report * 1000:7.1f} ms per report ({per_report / rows * 1e6:.0f} µs a row)")


if __name__ == "__main__":
    main()
