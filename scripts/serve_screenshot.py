"""Make docs/images/serve.png: `drafter serve` in Chromium at 1366×768, a wrong value being fixed.

Run `python scripts/serve_screenshot.py` (needs `pip install playwright` and Debian's chromium,
`apt-get install chromium`). The page is served from a copy of the bundled example values in a
temporary folder, with 签约新项目 typed as "5个", the way a clerk might.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

import drafter
from drafter import serve

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "images" / "serve.png"
CHROMIUM = "/usr/bin/chromium"


def main() -> None:
    """Serve the example, type a wrong value into the page and save a screenshot of it."""
    template = drafter.load_template("township-work-report")
    with tempfile.TemporaryDirectory() as folder:
        values = Path(folder) / "values.yaml"
        shutil.copy(template.example_path, values)
        session = serve.Session(template, "township-work-report", values, serve.new_token())
        server = serve.start(session)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM)
                page = browser.new_page(viewport={"width": 1366, "height": 768})
                page.goto(f"http://127.0.0.1:{session.port}/?token={session.token}")
                field = page.locator('input[name="经济发展.签约新项目"]')
                field.fill("5个")
                field.locator("xpath=..").locator('[role="alert"]').filter(has_text="个").wait_for()
                field.evaluate("node => node.scrollIntoView({block: 'center'})")
                field.focus()
                OUTPUT.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(OUTPUT))
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    print(f"wrote {OUTPUT.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
