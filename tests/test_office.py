"""The example in a real office suite: LibreOffice's PDF of it, checked against GB/T 9704 on the page.

The rendered example is converted once (drafter.preview: a private profile and drafter/fonts.conf)
and read with pdfplumber: every character with its font, size and position. Positions are in mm
from the page's top-left corner; a line's position is its baseline. LibreOffice lays exact-height
lines on the document grid, centres the whole lines in the type area (here 225 − 22 × 10.21 =
0.32 mm is left over) and puts each baseline 4/5 of the way down its line (measured with 36, 37 and
38 mm top margins, 34 and 35 mm bottom margins, 28.95 and 30 pt lines: all within 0.02 mm).
"""

from __future__ import annotations

import io
import re
import shutil
from dataclasses import dataclass

import pdfplumber
import pytest

from drafter import preview
from drafter.errors import OfficeNotFoundError
from drafter.layout import normalize_punctuation

MM = 72 / 25.4                  # points in a millimetre
PAGE_W, PAGE_H = 210.0, 297.0   # A4
TOP, LEFT = 37.0, 28.0          # 天头 and 订口 (GB/T 9704 5.2.1)
AREA_W, AREA_H = 156.0, 225.0   # the type area (版心)
LINES, CHARS = 22, 28           # a full page; a line of 三号 Chinese text
PITCH = 28.95 / MM              # the exact line height, in mm
ONE_CHAR_14 = 14 / MM           # the footer's indent: one 四号 character
PLAIN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")  # Chinese and full-width marks only
IDEOGRAPHS = re.compile(r"[\u4e00-\u9fff]+")
FACES = {  # role → the stand-in font drafter/fonts.conf maps its Chinese name to
    "title": r"NotoSerifCJK\w*-Black",   # 方正小标宋简体
    "kai": r"UKai",                      # 楷体_GB2312
    "hei": r"NotoSansCJK",               # 黑体
    "fang": r"NotoSerifCJK\w*-Regular",  # 仿宋_GB2312
    "fang-bold": r"NotoSerifCJK\w*-Bold",
}


@dataclass(frozen=True)
class Line:
    """One line of text on a PDF page: its baseline (mm from the top) and its characters."""

    baseline: float
    chars: tuple[dict, ...]

    @property
    def text(self) -> str:
        """Return the line's characters, whitespace left out."""
        return "".join(c["text"] for c in self.chars if not c["text"].isspace())

    @property
    def left(self) -> float:
        """Return the left edge of the first character, in mm."""
        return self.chars[0]["x0"] / MM

    @property
    def right(self) -> float:
        """Return the right edge of the last character, in mm."""
        return self.chars[-1]["x1"] / MM


@dataclass(frozen=True)
class Page:
    """A PDF page: its size in mm, its body lines and its footer lines."""

    number: int
    width: float
    height: float
    body: tuple[Line, ...]
    footer: tuple[Line, ...]


def _page(number: int, page: pdfplumber.page.Page) -> Page:
    chars = sorted((c for c in page.chars if c["text"].strip()),
                   key=lambda c: page.height - c["matrix"][5])
    rows: list[list[dict]] = []
    for char in chars:
        baseline = page.height - char["matrix"][5]
        if rows and baseline - (page.height - rows[-1][0]["matrix"][5]) < 1:
            rows[-1].append(char)
        else:
            rows.append([char])
    lines = [Line((page.height - row[0]["matrix"][5]) / MM, tuple(sorted(row, key=lambda c: c["x0"])))
             for row in rows]
    # The page number sits 7 mm under the type area; everything above it is body text.
    bottom = TOP + AREA_H + 2
    return Page(number, page.width / MM, page.height / MM,
                tuple(line for line in lines if line.baseline < bottom),
                tuple(line for line in lines if line.baseline >= bottom))


def _skip_without(fonts: tuple[str, ...]) -> None:
    """Skip, naming the packages to install, unless fontconfig lists every one of `fonts`."""
    if shutil.which("fc-list") is None:
        pytest.skip("fc-list not found: apt-get install fontconfig")
    missing = preview.missing_fonts(fonts)
    if missing:
        pytest.skip(f"fonts {', '.join(missing)} not installed: apt-get install {preview.font_packages(missing)}")


@pytest.fixture(scope="session")
def faces() -> None:
    """Skip a test that reads which stand-in font printed each role, before anything is converted."""
    _skip_without(tuple(preview.STAND_INS))


@pytest.fixture(scope="module")
def pages(example_docx) -> list[Page]:
    try:
        preview.find_soffice()
    except OfficeNotFoundError:
        pytest.skip(f"soffice not found (LibreOffice): {preview.INSTALL}")
    # Line and character counts hold in any CJK font, but one must be there for them to be measured.
    _skip_without(("Noto Serif CJK SC",))
    pdf = preview.docx_to_pdf(example_docx, timeout=90)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [_page(n, page) for n, page in enumerate(document.pages, 1)]


def _slots(page: Page, pitch: float = PITCH) -> list[float]:
    """Return each body line's place on the page in lines of `pitch` mm from the first (0, 1, 2…)."""
    first = page.body[0].baseline
    return [(line.baseline - first) / pitch for line in page.body]


def test_pages_are_a4(pages):
    assert len(pages) >= 8
    for page in pages:
        assert abs(page.width - PAGE_W) < 0.5 and abs(page.height - PAGE_H) < 0.5, page.number


def test_lines_are_28_95_pt_apart_and_full_pages_hold_22(pages):
    steps = [b.baseline - a.baseline
             for page in pages for a, b in zip(page.body, page.body[1:], strict=False)]
    # The mean of single steps: LibreOffice rounds each position, and a blank line is a double step.
    single = [step for step in steps if step < 1.5 * PITCH]
    pitch = sum(single) / len(single)
    counts = [round(_slots(page, pitch)[-1]) + 1 for page in pages]
    assert counts[:-1] == [LINES] * (len(pages) - 1), (
        f"lines on each page: {counts}, {pitch * MM:.2f} pt apart")
    assert abs(pitch - PITCH) * MM < 0.05, f"lines {pitch * MM:.2f} pt apart"
    for page in pages:
        slots = _slots(page)  # every line on the 28.95 pt grid, none past line 22
        assert all(abs(s - round(s)) < 0.02 for s in slots), (page.number, [f"{s:.3f}" for s in slots])
        assert round(slots[-1]) + 1 <= LINES, page.number


def test_text_block_starts_37_mm_from_the_top_and_28_mm_from_the_left(pages):
    centring = (AREA_H - LINES * PITCH) / 2
    for page in pages:
        top = page.body[0].baseline - 0.8 * PITCH - centring
        assert abs(top - TOP) < 0.3, f"page {page.number}: text block starts {top:.2f} mm from the top"
        left = min(line.left for line in page.body if line.left < LEFT + 3)
        assert abs(left - LEFT) < 0.3, f"page {page.number}: text block starts {left:.2f} mm from the left"
    for page in pages[:-1]:
        bottom = page.body[-1].baseline + 0.2 * PITCH + centring
        assert abs(bottom - (TOP + AREA_H)) < 0.3, f"page {page.number}: text block ends at {bottom:.2f} mm"


def test_a_line_of_plain_chinese_holds_28_characters(pages):
    lines = [line for page in pages for line in page.body]
    counted = 0
    for line, after in zip(lines, lines[1:], strict=False):
        # Nothing crosses the right margin: LibreOffice moves a character down rather than hang a mark.
        assert line.right <= LEFT + AREA_W + 0.3, (line.right, line.text)
        full = (line.left < LEFT + 1 and line.right > LEFT + AREA_W - 2
                and abs(line.chars[0]["size"] - 16) < 0.05)
        if not (full and PLAIN.fullmatch(line.text)):
            continue
        pitch = (line.chars[-1]["x0"] - line.chars[0]["x0"]) / (len(line.chars) - 1)
        shown = f"{len(line.text)} characters {pitch:.2f} pt apart: {line.text}"
        if abs(pitch - 15.75) < 0.03:  # set solid: 16 pt less 0.25 pt
            assert len(line.text) == CHARS, shown
            counted += 1
        else:  # justified wider: a figure or a mark that may not start a line kept the break back
            assert len(line.text) < CHARS, shown
            assert not IDEOGRAPHS.fullmatch(after.text[:2]), f"{shown} (next line: {after.text[:4]}…)"
    assert counted >= 50


def test_footer_reads_dash_number_dash_at_14_pt_right_on_odd_pages_left_on_even(pages):
    for page in pages:
        assert len(page.footer) == 1, page.number
        [footer] = page.footer
        assert footer.text == f"—{page.number}—"
        assert {round(c["size"], 1) for c in footer.chars} == {14.0}
        assert TOP + AREA_H + 5 < footer.baseline < TOP + AREA_H + 12, footer.baseline
        if page.number % 2:
            right = LEFT + AREA_W - ONE_CHAR_14
            assert abs(footer.right - right) < 0.5, f"odd page number ends at {footer.right:.2f} mm"
        else:
            left = LEFT + ONE_CHAR_14
            assert abs(footer.left - left) < 0.5, f"even page number starts at {footer.left:.2f} mm"


def _roles(template, example) -> list[tuple[str, str, float]]:
    """Return (character, role, size in pt) for every printed character of the example, in order."""
    out = []
    for block in template.render_blocks(example):
        for segment in block.segments:
            role, size = "fang", 16.0
            if block.kind == "title":
                role, size = "title", 22.0
            elif block.kind == "caption" or (segment.lead and block.kind == "h2"):
                role = "kai"
            elif segment.lead and block.kind == "h1":
                role = "hei"
            elif segment.lead and block.kind == "h3":
                role = "fang-bold"
            out += [(char, role, size) for char in segment.text if not char.isspace()]
    return out


def test_pdf_text_in_order_is_the_rendered_text(pages, template, example):
    printed = "".join(line.text for page in pages for line in page.body)
    rendered = "".join(normalize_punctuation(line) for line in template.render_text(example).split("\n"))
    assert printed == "".join(rendered.split())


def test_title_headings_and_body_come_out_in_their_fonts_and_sizes(faces, pages, template, example):
    chars = [c for page in pages for line in page.body for c in line.chars if not c["text"].isspace()]
    expected = _roles(template, example)
    assert len(chars) == len(expected)
    seen = set()
    for char, (text, role, size) in zip(chars, expected, strict=True):
        assert char["text"] == text
        assert abs(char["size"] - size) < 0.05, (text, role, char["size"])
        if "\u4e00" <= text <= "\u9fff":  # other characters come from the Latin font
            assert re.search(FACES[role], char["fontname"]), (
                f"{text} ({role}) printed in {char['fontname']}; are the preview fonts installed? "
                f"{preview.INSTALL}")
            seen.add(role)
    assert seen == set(FACES)
