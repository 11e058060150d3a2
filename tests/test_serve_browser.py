"""`drafter serve` driven in a real browser: Playwright with Debian's Chromium.

One server and one browser for the module; a fresh page for each test. The template is a copy of
the bundled one with HTML-like text in its report and in a label, to show that the page prints
them as text. Needs `pip install playwright` and `apt-get install chromium`; skips naming them.
"""

from __future__ import annotations

import io
import shutil
import threading
import zipfile
from pathlib import Path

import pytest

import drafter
from drafter import preview, serve
from drafter.cli import cli
from drafter.values import read_values_file

from .conftest import ROOT, TEMPLATE_DIR

CHROMIUM = Path("/usr/bin/chromium")
HOSTILE = "<img src=x onerror=alert(1)>"
SCRIPT_IN_TEMPLATE = "<script>window.pwned = 1</script><b>附注</b>"

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
if not CHROMIUM.exists():
    pytest.skip("Chromium not found at /usr/bin/chromium: apt-get install chromium", allow_module_level=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Serve a copy of the bundled template with the example values; yield (session, base address)."""
    folder = tmp_path_factory.mktemp("serve")
    template_dir = folder / "模板"
    shutil.copytree(TEMPLATE_DIR, template_dir)
    with (template_dir / "template.txt").open("a", encoding="utf-8") as text:
        text.write(f"{SCRIPT_IN_TEMPLATE}由{{{{ 基本信息.报告人 }}}}报告。\n")
    schema = template_dir / "schema.yaml"
    schema.write_text(schema.read_text(encoding="utf-8").replace("label: 报告人姓名", f'label: "报告人{HOSTILE}"'),
                      encoding="utf-8")
    values = folder / "values.yaml"
    shutil.copy(TEMPLATE_DIR / "example.yaml", values)
    session = serve.Session(drafter.load_template(template_dir), str(template_dir), values, serve.new_token())
    server = serve.start(session)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield session, f"http://127.0.0.1:{session.port}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def context(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    yield context
    context.close()


@pytest.fixture(scope="module")
def tab(context):
    """One tab for the module, loaded afresh by each test: quicker than a new page each time."""
    page = context.new_page()

    def answer(dialog) -> None:
        page.dialogs.append(dialog.message)
        dialog.accept() if page.answer else dialog.dismiss()

    page.on("dialog", answer)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    page.close()


@pytest.fixture
def page(tab, site):
    session, base = site
    tab.dialogs, tab.answer, tab.errors = [], True, []  # answer: what the clerk says to window.confirm
    tab.goto(f"{base}/?token={session.token}")
    tab.dialogs.clear()  # a “leave with unsaved changes?” from the test before
    tab.locator("#count").filter(has_text="处").or_(tab.locator("#count").filter(has_text="检查通过")).wait_for()
    yield tab
    tab.unroute_all()
    assert tab.errors == []


def field(page, key: str):
    return page.locator(f'input[name="{key}"]')


def alert_of(page, key: str):
    return page.locator(f'input[name="{key}"] ~ [role="alert"]')


def test_an_input_per_variable_inside_its_sentence(page, site):
    session, _ = site
    names = page.locator("#report input").evaluate_all("nodes => nodes.map(n => n.name)")
    assert sorted(names) == sorted(v.key for v in session.template.variables)
    signed = field(page, "经济发展.签约新项目")
    assert signed.get_attribute("aria-label") == "签约新项目数"
    sentence = signed.evaluate("n => n.closest('p').textContent")
    assert "对接了中基恒光背光源" in sentence and "签约新项目" in sentence
    assert signed.input_value() == "5"
    # 镇名 is one input; its other uses mirror it as it is typed.
    mirrors = page.locator('.mirror[data-key="基本信息.镇名"]')
    assert mirrors.count() == session.template.source.count("基本信息.镇名") - 1
    field(page, "基本信息.镇名").fill("桃源")
    assert set(mirrors.all_text_contents()) == {"桃源"}
    assert "我代表桃源镇人民政府" in page.locator("p", has_text="现在，我代表").inner_text()


def test_typing_a_unit_shows_the_checkers_message_and_fixing_it_clears_it(page):
    signed = field(page, "经济发展.签约新项目")
    signed.fill("5个")
    alert = alert_of(page, "经济发展.签约新项目")
    sync_api.expect(alert).to_have_text("“5个”后面多了“个”。 单位已写在句中（签约新项目【】个。），只填数字，例如 5。")
    sync_api.expect(signed).to_have_attribute("aria-invalid", "true")
    sync_api.expect(page.locator("#count")).to_have_text("错误 1 处")
    page.locator("#report input").first.focus()
    page.click("#next")
    sync_api.expect(signed).to_be_focused()
    signed.fill("5")
    sync_api.expect(alert).to_have_text("")
    sync_api.expect(page.locator("#count")).to_contain_text("检查通过")


def test_a_broken_rule_shows_where_it_breaks(page):
    field(page, "平安治理.信访已办结").fill("999")
    alert = alert_of(page, "平安治理.信访已办结")
    sync_api.expect(alert).to_contain_text("不符合规则：已办结与正在办理的信访件之和不能超过受理的信访件总数")
    sync_api.expect(field(page, "平安治理.信访件总数")).to_have_class("involved")
    field(page, "平安治理.来访批次").fill("99999")  # a warning rule: shown as a warning
    sync_api.expect(alert_of(page, "平安治理.来访批次")).to_have_class("msg warning")


def test_keyboard_alone_moves_through_the_text(page, site):
    session, _ = site
    order = page.locator("#report input").evaluate_all("nodes => nodes.map(n => n.name)")
    field(page, order[0]).focus()
    page.keyboard.press("Tab")
    sync_api.expect(field(page, order[1])).to_be_focused()
    page.keyboard.press("Enter")
    sync_api.expect(field(page, order[2])).to_be_focused()
    var = session.template.schema.by_key[order[2]]
    sync_api.expect(page.locator("#info")).to_contain_text(var.label)
    sync_api.expect(page.locator("#info")).to_contain_text(var.type_label)


def test_save_writes_the_file_and_a_reload_shows_the_values(page, site):
    session, _ = site
    field(page, "民生事业.小额信贷").fill("321.5")
    page.click("#save")
    sync_api.expect(page.locator("#notice")).to_contain_text("已保存")
    assert read_values_file(session.path).raw["民生事业.小额信贷"] == "321.5"
    assert session.path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=values.schema.json")
    page.reload()
    sync_api.expect(field(page, "民生事业.小额信贷")).to_have_value("321.5")


def test_save_asks_before_overwriting_a_file_changed_on_disk(page, site):
    session, _ = site
    before = session.path.read_text(encoding="utf-8")
    session.path.write_text(before.replace("小额信贷: ", "小额信贷: 1") + "# 别处改过\n", encoding="utf-8")
    page.answer = False  # “仍然覆盖吗？” — no
    field(page, "民生事业.小额信贷").fill("5")
    page.click("#save")
    sync_api.expect(page.locator("#notice")).to_contain_text("没有保存")
    assert "被修改过" in page.dialogs[0]
    assert session.path.read_text(encoding="utf-8").endswith("# 别处改过\n")


def _parts(docx: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        return {n: package.read(n) for n in package.namelist() if n != "docProps/core.xml"}


def test_render_downloads_the_document_drafter_render_makes(page, site, runner, tmp_path):
    session, _ = site
    with page.expect_download() as caught:
        page.click("#render")
    download = caught.value
    assert download.suggested_filename == "报告.docx"
    out = tmp_path / "报告.docx"
    result = runner.invoke(cli, ["render", str(session.template.path), "-f", str(session.path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert _parts(Path(download.path()).read_bytes()) == _parts(out.read_bytes())


def test_render_with_a_missing_value_offers_the_draft(page):
    field(page, "经济发展.签约新项目").fill("")
    with page.expect_download() as caught:
        page.click("#render")
    assert caught.value.suggested_filename == "报告-草稿.docx"
    assert any("还有 1 项未填写" in message for message in page.dialogs)
    with zipfile.ZipFile(caught.value.path()) as package:
        assert "【签约新项目数】" in package.read("word/document.xml").decode("utf-8")


def test_html_in_values_and_template_is_shown_as_text(page):
    town = field(page, "基本信息.镇名")
    town.fill(HOSTILE)
    mirrors = page.locator('.mirror[data-key="基本信息.镇名"]')
    sync_api.expect(mirrors.first).to_have_text(HOSTILE)
    assert page.locator("#report img").count() == 0
    assert page.get_by_text(SCRIPT_IN_TEMPLATE).count() == 1
    speaker = field(page, "基本信息.报告人")
    assert speaker.get_attribute("aria-label") == f"报告人{HOSTILE}"
    page.wait_for_timeout(300)  # an onerror would have run by now
    assert page.evaluate("window.pwned") is None and page.dialogs == []


def test_a_request_without_the_token_gets_403(page, site):
    _, base = site
    for path in ("/", "/api/form", "/assets/serve.js"):
        assert page.request.get(base + path).status == 403
    status = page.evaluate("""async () => (await fetch('/api/check', {method: 'POST',
        headers: {'Content-Type': 'application/json'}, body: '{"values": {}}'})).status""")
    assert status == 403


def test_a_foreign_origin_is_refused(page, site):
    session, base = site
    before = session.path.read_bytes()
    response = page.request.post(base + "/api/save", data={"values": {}, "version": "", "overwrite": True},
                                 headers={"X-Drafter-Token": session.token, "Origin": "http://evil.example"})
    assert response.status == 403 and session.path.read_bytes() == before
    # The same server under another name is another origin to the browser: its call is blocked.
    other = page.context.new_page()
    other.goto(f"http://localhost:{session.port}/?token={session.token}")
    status = other.evaluate("""async ([url, token]) => {
        try { return (await fetch(url, {method: 'POST', body: '{"values": {}, "version": "", "overwrite": true}',
                 headers: {'Content-Type': 'application/json', 'X-Drafter-Token': token}})).status; }
        catch (error) { return 'blocked'; } }""", [f"{base}/api/save", session.token])
    assert status in ("blocked", 403) and session.path.read_bytes() == before


def test_preview_shows_the_pages(page, monkeypatch):
    # LibreOffice itself is tested in test_preview.py and test_office.py; here it is stood in for by
    # the README's page images, so the test checks what the page does with pages, and quickly.
    pages = [(ROOT / "docs" / "images" / f"page-{n}.png").read_bytes() for n in (1, 2)]
    converted = []
    monkeypatch.setattr(serve.previewing, "find_soffice", lambda: "soffice")
    monkeypatch.setattr(serve.previewing, "find_pdftoppm", lambda: "pdftoppm")
    monkeypatch.setattr(serve.previewing, "docx_to_pdf", lambda docx: converted.append(docx) or b"%PDF")
    monkeypatch.setattr(serve.previewing, "pdf_to_pngs", lambda pdf, resolution: pages)
    page.click("#preview")
    sync_api.expect(page.locator("#pages")).to_be_visible()
    images = page.locator("#page-images img")
    sync_api.expect(images).to_have_count(2)
    assert images.first.evaluate("n => n.naturalWidth") > 300 and images.first.get_attribute("alt") == "第 1 页"
    assert len(converted) == 1 and converted[0][:2] == b"PK"
    page.keyboard.press("Escape")
    sync_api.expect(page.locator("#pages")).to_be_hidden()


def test_preview_without_libreoffice_says_how_to_install(page, monkeypatch):
    monkeypatch.setattr(serve.previewing.shutil, "which", lambda name: None)
    page.click("#preview")
    sync_api.expect(page.locator("#notice")).to_contain_text("找不到 LibreOffice")
    sync_api.expect(page.locator("#notice")).to_contain_text(preview.INSTALL)
    sync_api.expect(page.locator("#preview")).to_be_enabled()


def test_usable_at_150_percent_on_a_1366_by_768_screen(browser, site):
    session, base = site
    context = browser.new_context(viewport={"width": 911, "height": 512}, device_scale_factor=1.5)
    page = context.new_page()
    page.goto(f"{base}/?token={session.token}")
    signed = field(page, "经济发展.签约新项目")
    signed.focus()
    signed.evaluate("n => n.scrollIntoView({block: 'center'})")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    box, bar = signed.bounding_box(), page.locator(".bar").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 911 and box["y"] >= bar["height"]
    for button in ("#save", "#render", "#preview", "#next"):
        assert page.locator(button).is_visible()
    context.close()


def test_a_server_that_went_away_is_said_so(page, site):
    session, _ = site
    before = session.path.read_bytes()
    page.route("**/api/save", lambda route: route.abort())
    page.click("#save")
    sync_api.expect(page.locator("#notice")).to_contain_text("连接不上 drafter serve")
    assert session.path.read_bytes() == before


def test_pinyin_being_composed_is_not_checked_the_chosen_word_is(page):
    signed = field(page, "经济发展.签约新项目")
    signed.fill("")
    signed.focus()
    ime = page.context.new_cdp_session(page)
    ime.send("Input.imeSetComposition", {"text": "5ge", "selectionStart": 3, "selectionEnd": 3})
    page.wait_for_timeout(600)  # longer than the page waits before checking
    assert signed.input_value() == "5ge"
    sync_api.expect(alert_of(page, "经济发展.签约新项目")).to_have_text("")
    ime.send("Input.insertText", {"text": "5个"})
    sync_api.expect(alert_of(page, "经济发展.签约新项目")).to_contain_text("“5个”后面多了“个”")
    ime.detach()
