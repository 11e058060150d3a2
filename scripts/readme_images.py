"""Regenerate the README's pictures: the first pages of the bundled example, as LibreOffice shows them.

Run from the repository root (needs LibreOffice, the preview fonts and poppler-utils):

    python scripts/readme_images.py

It renders templates/township-work-report with its example.yaml, converts the .docx with
drafter.preview (the same conversion as `drafter preview`) and writes docs/images/page-1.png and
page-2.png at 64 dpi, small enough for a README (each well under 200 KB).
"""

from __future__ import annotations

import sys
from pathlib import Path

import drafter
from drafter import preview
from drafter.template import write_atomically
from drafter.values import read_values_file
from drafter.word import write_docx

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "images"
PAGES = 2
RESOLUTION = 64


def main() -> int:
    """Write docs/images/page-N.png for the first PAGES pages of the example; return the exit code."""
    template = drafter.load_template("township-work-report")
    values = read_values_file(template.example_path)
    try:
        pdf = preview.docx_to_pdf(write_docx(template.render_blocks(values)))
        pages = preview.pdf_to_pngs(pdf, resolution=RESOLUTION, first=1, last=PAGES)
    except drafter.DrafterError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    for number, png in enumerate(pages, 1):
        path = write_atomically(OUT / f"page-{number}.png", png)
        print(f"{path.relative_to(ROOT)}  {len(png) // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
