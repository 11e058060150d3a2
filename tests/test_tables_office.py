"""A table longer than a page, in LibreOffice: header on every page, nothing clipped, in the margins.

One report with a 60-item list (some names long enough to wrap to three lines in their cell) is
converted once and read with pdfplumber, as tests/test_office.py reads the example.
"""

from __future__ import annotations

import io
import re

import pdfplumber
import pytest

import drafter
from drafter import preview
from drafter.errors import OfficeNotFoundError
from tests.test_office import AREA_H, AREA_W, LEFT, LINES, MM, PITCH, TOP
from tests.test_tables import _folder

LONG = "（含配套道路、管网、绿化及附属设施建设工程）"
ITEMS = [{"名称": f"第{i}号重点项目" + (LONG if i % 7 == 0 else ""), "投资": 100 + i, "进度": i % 100}
         for i in range(1, 61)]


@pytest.fixture(scope="module")
def pdf_pages(tmp_path_factory):
    try:
        preview.find_soffice()
    except OfficeNotFoundError:
        pytest.skip(f"soffice not found (LibreOffice): {preview.INSTALL}")
    loaded = drafter.load_template(_folder(tmp_path_factory.mktemp("long") / "项目"))
    values = {"项目建设": {"项目数": 60, "重点项目": ITEMS, "污水投资": 800, "总投资": 9999}}
    pdf = preview.docx_to_pdf(loaded.render_bytes(values), timeout=90)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        # Each page: its rows of cell texts (cells found from the drawn borders), chars, edges, height.
        return [([[re.sub(r"\s", "", cell or "") for cell in row]
                  for table in page.find_tables() for row in table.extract()],
                 list(page.chars), list(page.edges), page.height) for page in document.pages]


def test_the_header_row_is_repeated_on_every_page_of_the_table(pdf_pages):
    assert len(pdf_pages) >= 3
    for number, (rows, _, _, _) in enumerate(pdf_pages, 1):
        assert rows and rows[0] == ["类别", "项目名称", "投资（万元）", "进度（%）"], (number, rows[:1])


def test_no_cell_text_is_clipped(pdf_pages):
    # Every row whole, on one page (rows are not split), each cell's text all there.
    rows = [row for page_rows, _, _, _ in pdf_pages for row in page_rows[1:]]
    assert rows[:60] == [["工业", item["名称"], f"{item['投资']}.0", str(item["进度"])] for item in ITEMS]
    assert rows[60:] == [["民生", "污水处理厂", "800", "100"], ["", "合计", "", "9999"]]


def test_the_table_stays_inside_the_margins(pdf_pages):
    right = LEFT + AREA_W
    for number, (_, chars, edges, _) in enumerate(pdf_pages, 1):
        xs = [e["x0"] / MM for e in edges] + [e["x1"] / MM for e in edges]
        assert LEFT - 0.3 < min(xs) < LEFT + 0.3 and right - 0.3 < max(xs) < right + 0.3, (number, min(xs), max(xs))
        inside = [c for c in chars if c["text"].strip()]
        assert all(LEFT - 0.1 < c["x0"] / MM and c["x1"] / MM < right + 0.1 for c in inside), number
        assert all(e["top"] / MM > TOP - 0.3 and e["bottom"] / MM < TOP + AREA_H + 0.3 for e in edges), number


def test_the_text_after_the_table_is_back_on_the_line_grid(pdf_pages):
    _, chars, _, height = pdf_pages[-1]
    first = next(c for c in chars if c["text"] == "以")
    baseline = (height - first["matrix"][5]) / MM
    # As in test_office: lines are centred in the type area, each baseline 4/5 down its line.
    slot = (baseline - TOP - (AREA_H - LINES * PITCH) / 2 - 0.8 * PITCH) / PITCH
    assert abs(slot - round(slot)) < 0.1, f"line {slot:.2f} of the page"
    assert 16 / MM - 0.2 < (first["x1"] - first["x0"]) / MM < 16 / MM + 0.2  # 三号 again
