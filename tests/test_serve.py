"""drafter.form and the endpoints of `drafter serve`, through Flask's test client (no browser)."""

from __future__ import annotations

import base64
import fnmatch
import io
import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import drafter
from drafter import form, serve, yamlfile
from drafter.cli import cli
from drafter.errors import OfficeNotFoundError
from drafter.values import read_values_file

from .conftest import ROOT, TEMPLATE_DIR, nested

PORT = 5000
BASE = f"http://127.0.0.1:{PORT}"
TOKEN = "test-token-of-this-start"
HEADERS = {"X-Drafter-Token": TOKEN, "Origin": BASE}


def flat(data: dict) -> dict[str, str]:
    """Return nested example values as the page sends them: dotted key → text."""
    out = {}
    for group, members in data.items():
        for name, value in members.items():
            out[f"{group}.{name}"] = "、".join(value) if isinstance(value, list) else str(value)
    return out


@pytest.fixture(scope="module")
def page_values(example) -> dict[str, str]:
    return flat(example)


def make_app(template: drafter.Template, path: Path):
    session = serve.Session(template, "township-work-report", path, TOKEN, port=PORT)
    return session, serve.create_app(session).test_client()


@pytest.fixture
def values_path(tmp_path) -> Path:
    return tmp_path / "values.yaml"


@pytest.fixture
def client(template, values_path):
    return make_app(template, values_path)[1]


def post(client, path: str, body: object, headers: dict | None = None):
    return client.post(path, json=body, headers=HEADERS if headers is None else headers, base_url=BASE)


def get(client, path: str):
    return client.get(path, base_url=BASE)


def make_template(folder: Path, text: str, variables: dict, rules: list | None = None) -> drafter.Template:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "template.txt").write_text(text, encoding="utf-8")
    schema = {"title": "测试报告", "variables": variables}
    if rules:
        schema["rules"] = rules
    (folder / "schema.yaml").write_text(yaml.safe_dump(schema, allow_unicode=True), encoding="utf-8")
    return drafter.load_template(folder)


# --- the page's report: drafter's own rendering, with a field in each blank -------------------------

def test_page_text_is_the_documents_text(template, example):
    """Filled with the example's printed values, the page's paragraphs read as the document's."""
    text, _, _ = template.prepare(example)
    page = ["".join(text[p.key] if p.key else p.text for p in paragraph.pieces)
            for paragraph in form.paragraphs(template)]
    document = [block.text.replace("\n", "") for block in template.render_blocks(example)]
    assert page == document


def test_one_input_per_variable_the_other_uses_mirror(template):
    pieces = [p for paragraph in form.paragraphs(template) for p in paragraph.pieces if p.key]
    firsts = [p.key for p in pieces if p.first]
    assert firsts == sorted(firsts, key=[p.key for p in pieces].index)  # an input where it is first used
    assert sorted(firsts) == sorted(v.key for v in template.variables)
    mirrors = [p.key for p in pieces if not p.first]
    assert mirrors.count("基本信息.镇名") == template.source.count("基本信息.镇名") - 1
    assert mirrors.count("目标任务.招商签约任务") == 1


def test_headings_and_title_keep_their_kinds(template):
    kinds = [(p.kind, p.heading) for p in form.paragraphs(template)]
    assert kinds[0] == ("title", False)
    assert ("h1", True) in kinds and ("salutation", False) in kinds
    h1 = next(p for p in form.paragraphs(template) if p.kind == "h1")
    assert h1.pieces[0].text == "一、今年以来工作回顾" and h1.pieces[0].lead


def test_unit_follows_the_input_only_when_the_sentence_lacks_it(tmp_path):
    loaded = make_template(tmp_path / "t", "完成投资{{ 组.投资 }}，面积{{ 组.面积 }}余亩，增长{{ 组.增长 }}%，由{{ 组.单位 }}承办。\n", {
        "组.投资": {"type": "amount", "unit": "万元", "label": "投资"},
        "组.面积": {"type": "quantity", "unit": "亩", "label": "面积"},
        "组.增长": {"type": "percent", "unit": "%", "label": "增长"},
        "组.单位": {"type": "name", "unit": "", "label": "承办单位"},
    })
    units = {p.key: p.unit for paragraph in form.paragraphs(loaded) for p in paragraph.pieces if p.key}
    assert units == {"组.投资": "万元", "组.面积": "", "组.增长": "", "组.单位": ""}


def test_template_text_that_looks_like_html_stays_text(tmp_path):
    loaded = make_template(tmp_path / "t", "<b>注意</b>{{ 组.名 }}<script>alert(1)</script>\n",
                           {"组.名": {"type": "name", "label": "<img src=x onerror=alert(1)>"}})
    paragraph = form.paragraphs(loaded)[0]
    assert [p.text for p in paragraph.pieces] == ["<b>注意</b>", "", "<script>alert(1)</script>"]
    assert form.field_info(loaded.schema.by_key["组.名"])["label"] == "<img src=x onerror=alert(1)>"


# --- the values file: the init format, filled ------------------------------------------------------

@pytest.mark.parametrize("text", [
    "5", "艾城", "010", "no", "a: b", "x # y", " 前后有空格 ", "[张家, 李家]", "'q'", '"q"', "null", "~", "",
    "两行\n文字", "2024-12-20", "<img src=x onerror=alert(1)>", "*别名", "&锚", "!标签", "- 列表", "? 键", "a:b",
    "\u2028", "\t制表", "全角：冒号", "张家、李家", "5个", "{a: 1}", "%YAML", "@", "`", "---", "...",
], ids=repr)
def test_scalar_reads_back_as_typed(text):
    root = yamlfile.parse(f"组:\n  名: {yamlfile.scalar(text)}\n", "values.yaml")
    assert root.value["组"].value["名"].value == text


@given(st.text(max_size=40))
def test_any_text_reads_back_as_typed(text):
    root = yamlfile.parse(f"组:\n  名: {yamlfile.scalar(text)}\n", "values.yaml")
    assert root.value["组"].value["名"].value == text


def test_plain_values_are_written_plain():
    assert [yamlfile.scalar(t) for t in ("5", "3.2", "艾城", "2024-12-20", "张家、李家")] == \
        ["5", "3.2", "艾城", "2024-12-20", "张家、李家"]


def test_filled_skeleton_reads_back_and_renders_like_the_example(template, example, tmp_path, page_values):
    path = tmp_path / "填好的.yaml"
    data = form.from_page(template, page_values)
    path.write_text(form.values_file_text(template, data, template_arg="township-work-report", path=path),
                    encoding="utf-8")
    loaded = read_values_file(path)
    assert {k: form.page_text(v) for k, v in loaded.raw.items()} == page_values
    assert template.render_text(loaded) == template.render_text(example)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=填好的.schema.json\n")
    assert "  # 签约新项目数｜整数｜单位：个｜例：5\n  #   原句：" in text and "\n  签约新项目: 5\n" in text


# --- the endpoints -----------------------------------------------------------------------------

def test_page_carries_the_token_and_only_local_assets(client):
    response = get(client, f"/?token={TOKEN}")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert f'content="{TOKEN}"' in html and "__TOKEN__" not in html
    for name in serve.ASSETS:
        asset = get(client, f"/assets/{name}?token={TOKEN}")
        assert asset.status_code == 200 and asset.mimetype == serve.ASSETS[name]
    assets = html + "".join(get(client, f"/assets/{n}?token={TOKEN}").get_data(as_text=True) for n in serve.ASSETS)
    assert not re.search(r"(https?:)?//[a-z]", re.sub(r"https://zh-cn\.libreoffice\.org/", "", assets))
    assert "@import" not in assets and "url(" not in assets


def test_script_never_parses_text_as_html():
    script = (Path(drafter.__file__).parent / "web" / "serve.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in script


def test_form_model_lists_fields_groups_and_the_files_values(template, tmp_path):
    path = tmp_path / "values.yaml"
    path.write_text("经济发展:\n  签约新项目: 5\n  签约新项木: 6\n农业农村:\n  柑橘村: [张家, 李家]\n", encoding="utf-8")
    _, client = make_app(template, path)
    model = get(client, f"/api/form?token={TOKEN}").json
    assert model["exists"] and model["version"] == form.version(path.read_bytes())
    assert model["values"] == {"经济发展.签约新项目": "5", "农业农村.柑橘村": "张家、李家"}
    assert [f["key"] for f in model["fields"]] == [v.key for v in template.variables]
    field = next(f for f in model["fields"] if f["key"] == "经济发展.签约新项目")
    assert field["label"] == "签约新项目数" and field["type_label"] == "整数" and field["example"] == "5"
    assert "不小于 0" in field["expected"]
    assert [g["key"] for g in model["groups"]] == list(template.schema.groups)
    assert [p["key"] for p in model["problems"] if p["code"] != "missing"] == []
    assert len([p for p in model["problems"] if p["code"] == "missing"]) == len(template.variables) - 2
    assert len(model["file_problems"]) == 1 and "签约新项木" in model["file_problems"][0]
    assert "经济发展.签约新项目" in model["file_problems"][0]  # the suggestion


def test_form_model_of_a_broken_file_says_where(template, tmp_path):
    path = tmp_path / "values.yaml"
    path.write_text("经济发展:\n  签约新项目: [5\n", encoding="utf-8")
    _, client = make_app(template, path)
    response = get(client, f"/api/form?token={TOKEN}")
    assert response.status_code == 400 and "YAML 格式错误" in response.json["message"]
    assert f"{path}:" in response.json["message"]


def test_check_gives_the_checkers_own_problems(client, template, page_values):
    values = {**page_values, "经济发展.签约新项目": "5个", "经济发展.开工月份": "13"}
    problems = post(client, "/api/check", {"values": values}).json["problems"]
    expected = template.check(nested(values))
    assert [(p["key"], p["message"], p["hint"], p["level"]) for p in problems] == \
        [(p.key, p.message, p.hint, p.level) for p in expected]
    assert problems[0]["message"] == "“5个”后面多了“个”。"


def test_check_of_good_values_is_clean(client, page_values):
    assert post(client, "/api/check", {"values": page_values}).json["problems"] == []


def test_broken_rule_names_every_variable_it_involves(client, page_values):
    values = {**page_values, "平安治理.信访件总数": "3", "平安治理.信访已办结": "5"}
    problems = post(client, "/api/check", {"values": values}).json["problems"]
    rule = next(p for p in problems if p["code"] == "rule")
    assert rule["key"] == "平安治理.信访已办结" and "不符合规则" in rule["message"]
    assert rule["related"] == ["平安治理.信访已办结", "平安治理.信访正在办理", "平安治理.信访件总数"]


def test_empty_text_is_missing(client):
    problems = post(client, "/api/check", {"values": {"经济发展.签约新项目": "  "}}).json["problems"]
    mine = [p for p in problems if p["key"] == "经济发展.签约新项目"]
    assert [p["code"] for p in mine] == ["missing"]


@pytest.mark.parametrize("values", [
    {"经济发展.不存在": "5"}, {"经济发展.签约新项目": 5}, {"经济发展.签约新项目": ["5"]}, ["5"], "5", None,
], ids=["unknown-key", "number", "list", "list-body", "string-body", "none"])
def test_malformed_values_are_refused(client, values):
    response = post(client, "/api/check", {"values": values})
    assert response.status_code == 400 and "请求中" in response.json["message"]


def test_save_writes_the_init_format_atomically(client, values_path, template, page_values):
    response = post(client, "/api/save", {"values": page_values, "version": ""})
    assert response.status_code == 200
    content = values_path.read_bytes()
    assert response.json == {"version": form.version(content), "file": str(values_path.resolve())}
    expected = form.values_file_text(template, form.from_page(template, page_values),
                                     template_arg="township-work-report", path=values_path)
    assert content.decode("utf-8") == expected
    schema = json.loads((values_path.parent / "values.schema.json").read_text(encoding="utf-8"))
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert sorted(p.name for p in values_path.parent.iterdir()) == ["values.schema.json", "values.yaml"]
    assert not list(values_path.parent.glob(".*.tmp"))


def test_save_keeps_what_is_typed_even_when_wrong(client, values_path):
    post(client, "/api/save", {"values": {"经济发展.签约新项目": "5个", "经济发展.对接新项目": ""}, "version": ""})
    raw = read_values_file(values_path).raw
    assert raw["经济发展.签约新项目"] == "5个" and raw.get("经济发展.对接新项目") is None


def test_save_refuses_a_file_changed_since_it_was_loaded(client, values_path):
    first = post(client, "/api/save", {"values": {"经济发展.签约新项目": "5"}, "version": ""}).json
    values_path.write_text("经济发展:\n  签约新项目: 7  # 另一个窗口改的\n", encoding="utf-8")
    stale = post(client, "/api/save", {"values": {"经济发展.签约新项目": "6"}, "version": first["version"]})
    assert stale.status_code == 409 and stale.json["conflict"] and "被修改过" in stale.json["message"]
    assert "另一个窗口改的" in values_path.read_text(encoding="utf-8")
    forced = post(client, "/api/save", {"values": {"经济发展.签约新项目": "6"}, "version": first["version"],
                                        "overwrite": True})
    assert forced.status_code == 200 and read_values_file(values_path).raw["经济发展.签约新项目"] == "6"


def test_save_refuses_a_file_that_appeared_since_the_page_loaded(client, values_path):
    values_path.write_text("经济发展:\n  签约新项目: 7\n", encoding="utf-8")
    response = post(client, "/api/save", {"values": {"经济发展.签约新项目": "6"}, "version": ""})
    assert response.status_code == 409 and values_path.read_text(encoding="utf-8").endswith("7\n")


def test_save_into_a_folder_that_went_away_says_so(template, tmp_path):
    _, client = make_app(template, tmp_path / "gone" / "values.yaml")
    response = post(client, "/api/save", {"values": {}, "version": ""})
    assert response.status_code == 400 and "文件夹不存在" in response.json["message"]


def _parts(docx: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        return {n: package.read(n) for n in package.namelist() if n != "docProps/core.xml"}


def test_render_downloads_what_drafter_render_writes(client, page_values, example, template, runner, tmp_path):
    response = post(client, "/api/render", {"values": page_values})
    assert response.status_code == 200 and response.mimetype == serve.DOCX
    assert "attachment" in response.headers["Content-Disposition"]
    out = tmp_path / "报告.docx"
    result = runner.invoke(cli, ["render", "township-work-report", "-f", str(TEMPLATE_DIR / "example.yaml"),
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert _parts(response.data) == _parts(out.read_bytes())  # every part but the creation time


def test_render_with_missing_values_offers_the_draft(client, page_values):
    values = {**page_values, "经济发展.签约新项目": "", "民生事业.小额信贷": ""}
    refused = post(client, "/api/render", {"values": values})
    assert refused.status_code == 409 and refused.json["missing"] == 2 and "草稿" in refused.json["hint"]
    draft = post(client, "/api/render", {"values": values, "draft": True})
    assert draft.status_code == 200
    document = _parts(draft.data)["word/document.xml"].decode("utf-8")
    assert "【签约新项目数】" in document and '<w:highlight w:val="yellow"/>' in document


def test_render_with_wrong_values_lists_the_problems(client, page_values):
    response = post(client, "/api/render", {"values": {**page_values, "经济发展.签约新项目": "5个"}, "draft": True})
    assert response.status_code == 422 and "1 处错误" in response.json["message"]
    assert [p["key"] for p in response.json["problems"]] == ["经济发展.签约新项目"]


def test_preview_without_libreoffice_says_how_to_install(client, monkeypatch, page_values):
    def missing() -> str:
        raise OfficeNotFoundError("找不到 LibreOffice（soffice 命令），无法生成预览。", hint="请先安装")

    monkeypatch.setattr(serve.previewing, "find_soffice", missing)
    response = post(client, "/api/preview", {"values": page_values})
    assert response.status_code == 503 and "找不到 LibreOffice" in response.json["message"]
    assert "apt-get install libreoffice-writer-nogui" in response.json["install"]
    assert "libreoffice.org" in response.json["hint"]


def test_preview_converts_the_draft_and_returns_pages(client, monkeypatch, page_values, template):
    seen = {}
    monkeypatch.setattr(serve.previewing, "find_soffice", lambda: "soffice")
    monkeypatch.setattr(serve.previewing, "find_pdftoppm", lambda: "pdftoppm")
    monkeypatch.setattr(serve.previewing, "docx_to_pdf", lambda docx: seen.setdefault("docx", docx) and b"%PDF")
    monkeypatch.setattr(serve.previewing, "pdf_to_pngs",
                        lambda pdf, resolution: [b"\x89PNG one", b"\x89PNG two"])
    values = {**page_values, "经济发展.签约新项目": ""}
    response = post(client, "/api/preview", {"values": values})
    assert response.status_code == 200
    pages = response.json["pages"]
    assert [base64.b64decode(p.split(",", 1)[1]) for p in pages] == [b"\x89PNG one", b"\x89PNG two"]
    assert all(p.startswith("data:image/png;base64,") for p in pages)
    assert _parts(seen["docx"]) == _parts(template.render_bytes(form.from_page(template, values), draft=True))


# --- who may ask --------------------------------------------------------------------------------

ROUTES = [("GET", "/"), ("GET", "/assets/serve.js"), ("GET", "/api/form"), ("POST", "/api/check"),
          ("POST", "/api/save"), ("POST", "/api/render"), ("POST", "/api/preview"), ("GET", "/nowhere")]


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[p for _, p in ROUTES])
@pytest.mark.parametrize("token", [None, "", "wrong", TOKEN[:-1]], ids=["none", "empty", "wrong", "prefix"])
def test_every_request_without_the_token_is_refused(client, values_path, method, path, token):
    query = "" if token is None else f"?token={token}"
    headers = {"Origin": BASE} | ({} if token is None else {"X-Drafter-Token": token})
    response = client.open(path + query, method=method, json={"values": {}}, headers=headers, base_url=BASE)
    assert response.status_code == 403 and "令牌" in response.json["message"]
    assert not values_path.exists()


def test_post_wants_the_token_in_its_header_not_the_address(client, values_path):
    response = client.post(f"/api/save?token={TOKEN}", json={"values": {}, "version": ""},
                           headers={"Origin": BASE}, base_url=BASE)
    assert response.status_code == 403 and not values_path.exists()


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1:5001",
                                    "https://127.0.0.1:5000", None], ids=str)
def test_a_foreign_or_missing_origin_is_refused(client, values_path, origin):
    headers = {"X-Drafter-Token": TOKEN} | ({"Origin": origin} if origin else {})
    response = post(client, "/api/save", {"values": {}, "version": ""}, headers=headers)
    assert response.status_code == 403 and "不是来自本页面" in response.json["message"]
    assert not values_path.exists()


@pytest.mark.parametrize("host", ["evil.example:5000", "127.0.0.1:5001", "127.0.0.1", "localhost.evil.example:5000"])
def test_a_foreign_host_is_refused_even_with_the_token(client, host):
    response = client.get(f"/api/form?token={TOKEN}", base_url=f"http://{host}")
    assert response.status_code == 403 and "地址不对" in response.json["message"]


def test_localhost_is_the_same_place(client):
    response = client.get(f"/?token={TOKEN}", base_url=f"http://localhost:{PORT}")
    assert response.status_code == 200


def test_state_changes_are_post_only(client):
    for path in ("/api/save", "/api/render", "/api/check", "/api/preview"):
        assert client.get(f"{path}?token={TOKEN}", base_url=BASE).status_code == 405


def test_a_body_too_large_is_refused(client, values_path):
    body = {"values": {"经济发展.签约新项目": "5" * serve.MAX_BODY}, "version": ""}
    response = post(client, "/api/save", body)
    assert response.status_code == 413 and "请求太大" in response.json["message"]
    assert not values_path.exists()


def test_a_form_post_is_refused(client, values_path):
    response = client.post("/api/save", data={"values": "x"}, headers=HEADERS, base_url=BASE)
    assert response.status_code == 415 and not values_path.exists()


@pytest.mark.parametrize("name", ["../serve.py", "..%2Fserve.py", "index.html", "fonts.conf", "serve.js.map"])
def test_assets_come_from_a_fixed_list(client, name):
    assert get(client, f"/assets/{name}?token={TOKEN}").status_code == 404


def test_every_answer_forbids_inline_script_and_sniffing(client):
    for response in (get(client, f"/?token={TOKEN}"), get(client, "/"),
                     post(client, "/api/check", {"values": {}})):
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "default-src 'none'" in policy and "unsafe" not in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-store"


# --- the command --------------------------------------------------------------------------------

def test_help_does_not_load_flask():
    code = ("import sys\nfrom drafter.cli import cli\ntry:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
            "print('flask' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("False")


def test_serve_help_is_chinese(runner):
    result = runner.invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0 and "在浏览器中填写报告" in result.output and "--no-browser" in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["-f", "{tmp}"], "这是一个文件夹"),
    (["-f", "{tmp}/values.txt"], "应以 .yaml 结尾"),
    (["-f", "{tmp}/no/such/values.yaml"], "文件夹不存在"),
    (["-f", "{tmp}/broken.yaml"], "YAML 格式错误"),
], ids=["folder", "suffix", "no-folder", "broken"])
def test_serve_refuses_a_bad_values_file_before_starting(runner, tmp_path, args, message):
    (tmp_path / "broken.yaml").write_text("经济发展:\n  签约新项目: [5\n", encoding="utf-8")
    args = [a.format(tmp=tmp_path) for a in args]
    result = runner.invoke(cli, ["serve", "township-work-report", *args, "--no-browser"])
    assert result.exit_code == 1 and message in result.stderr and "Traceback" not in result.output


def test_serve_refuses_a_port_in_use(runner, tmp_path):
    taken = serve.bind(0)
    try:
        port = taken.getsockname()[1]
        result = runner.invoke(cli, ["serve", "township-work-report", "-f", str(tmp_path / "v.yaml"),
                                     "--port", str(port), "--no-browser"])
    finally:
        taken.close()
    assert result.exit_code == 1 and f"无法在端口 {port} 上启动：端口已被别的程序占用" in result.stderr
    assert "--port" in result.stderr


def test_new_values_file_takes_a_free_name(tmp_path):
    assert form.new_values_path(tmp_path).name == "values.yaml"
    (tmp_path / "values.yaml").write_text("", encoding="utf-8")
    (tmp_path / "values-2.schema.json").write_text("{}", encoding="utf-8")
    assert form.new_values_path(tmp_path).name == "values-3.yaml"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT stands in for Ctrl-C")
def test_serve_prints_its_address_serves_and_stops_on_ctrl_c(tmp_path):
    # On Linux without a display it must not start a text browser in the terminal: it says so instead.
    linux = sys.platform.startswith("linux")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    process = subprocess.Popen([sys.executable, "-m", "drafter", "serve", "township-work-report"]
                               + ([] if linux else ["--no-browser"]),
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**env, "PYTHONUNBUFFERED": "1"})
    try:
        first = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=([\w-]+)", first)
        assert url, first
        assert f"{tmp_path / 'values.yaml'}（新文件" in process.stdout.readline()
        process.stdout.readline()  # 只有本机能访问……
        if linux:
            assert "没有图形界面，未自动打开浏览器" in process.stdout.readline()
        with urllib.request.urlopen(url.group(0)) as response:
            assert response.status == 200 and url.group(2) in response.read().decode("utf-8")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{url.group(1)}/")
        assert refused.value.code == 403
        refused.value.close()
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "已停止" in out and "Traceback" not in err


def test_every_page_asset_is_package_data():
    """A non-editable `pip install .` must carry the page: every file in drafter/web matches a glob."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    line = re.search(r'^"drafter" = \[(.*)\]$', pyproject, re.M)
    globs = re.findall(r'"([^"]+)"', line.group(1))
    files = [f"web/{p.name}" for p in (ROOT / "drafter" / "web").iterdir()]
    assert sorted(files) == sorted(["web/index.html", *(f"web/{n}" for n in serve.ASSETS)])
    assert all(any(fnmatch.fnmatch(f, g) for g in globs) for f in files)
