"""`drafter serve`: the report as a form in the browser, on 127.0.0.1, behind a token per start.

The only module importing flask (and werkzeug, the server Flask runs on). Everything the page
does goes through the same Template the command line uses: `check` for the messages,
`render_bytes` for the document, the `drafter init` skeleton for the values file, and
`drafter.preview` for page images. The page (drafter/web/) builds the report with textContent
only, so no text from a template or a value is ever read as HTML.
"""

from __future__ import annotations

import base64
import errno
import hmac
import json
import os
import secrets
import socket
import sys
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import quote

import flask
from werkzeug.exceptions import HTTPException
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from . import form
from . import preview as previewing
from .errors import DrafterError, OfficeNotFoundError, OutputError, ValuesError, describe_os_error
from .schema import to_json_schema
from .template import Template, write_atomically
from .values import read_values_file

HOST = "127.0.0.1"
MAX_BODY = 1_000_000  # bytes: the values of a report are a few kilobytes
ASSETS = {"serve.js": "text/javascript", "serve.css": "text/css"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PREVIEW_DPI = 72
TOKEN_HEADER = "X-Drafter-Token"
_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
           "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


@dataclass
class Session:
    """What one `drafter serve` works on: a template, a values file and the token of this start."""

    template: Template
    template_arg: str  # as the clerk named it, for the commands written at the top of the file
    path: Path
    token: str
    profile: str = "gb2312"
    port: int = 0
    saving: threading.Lock = field(default_factory=threading.Lock)
    previewing: threading.Lock = field(default_factory=threading.Lock)


class Refused(Exception):
    """A request answered with an error status and a Chinese message for the page."""

    def __init__(self, status: int, message: str, hint: str = "", **extra: object) -> None:
        super().__init__(message)
        self.status, self.message, self.hint, self.extra = status, message, hint, extra


def create_app(session: Session) -> flask.Flask:
    """Return the Flask application serving `session`'s page and its endpoints."""
    app = flask.Flask(__name__, static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY

    @app.before_request
    def guard() -> None:
        _check_request(session, flask.request)

    @app.after_request
    def harden(response: flask.Response) -> flask.Response:
        response.headers["Content-Security-Policy"] = _POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(Refused)
    def refused(error: Refused) -> tuple[flask.Response, int]:
        return flask.jsonify(message=error.message, hint=error.hint, **error.extra), error.status

    @app.errorhandler(DrafterError)
    def drafter_error(error: DrafterError) -> tuple[flask.Response, int]:
        return flask.jsonify(message=str(error)), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[flask.Response, int]:
        messages = {404: "没有这个页面。", 405: "不支持这种请求方式。",
                    413: f"请求太大（上限 {MAX_BODY} 字节）。", 400: "请求格式不对。"}
        return flask.jsonify(message=messages.get(error.code or 400, "请求出错。")), error.code or 400

    @app.get("/")
    def page() -> flask.Response:
        html = _asset("index.html").replace("__TOKEN__", session.token)
        return flask.Response(html, mimetype="text/html")

    @app.get("/assets/<name>")
    def asset(name: str) -> flask.Response:
        if name not in ASSETS:  # a fixed list: no path from the page ever reaches the disk
            raise Refused(404, "没有这个文件。")
        return flask.Response(_asset(name), mimetype=ASSETS[name])

    @app.get("/api/form")
    def form_model() -> flask.Response:
        return flask.jsonify(_model(session))

    @app.post("/api/check")
    def check() -> flask.Response:
        data = form.from_page(session.template, _body().get("values"))
        problems = session.template.check(data)
        return flask.jsonify(problems=[form.problem_json(session.template, p) for p in problems])

    @app.post("/api/save")
    def save() -> flask.Response:
        body = _body()
        data = form.from_page(session.template, body.get("values"))
        return flask.jsonify(_save(session, data, seen=str(body.get("version", "")),
                                   overwrite=body.get("overwrite") is True))

    @app.post("/api/render")
    def render() -> flask.Response:
        body = _body()
        draft = body.get("draft") is True
        content = _document(session, form.from_page(session.template, body.get("values")), draft=draft)
        name = "报告-草稿.docx" if draft else "报告.docx"
        return flask.Response(content, mimetype=DOCX, headers={
            "Content-Disposition": f"attachment; filename=report.docx; filename*=UTF-8''{quote(name)}"})

    @app.post("/api/preview")
    def preview() -> flask.Response:
        data = form.from_page(session.template, _body().get("values"))
        return flask.jsonify(_preview(session, data))

    return app


def _check_request(session: Session, request: flask.Request) -> None:
    """Refuse a request from anywhere but this start's page (token, Host, and Origin for a POST)."""
    hosts = {f"{HOST}:{session.port}", f"localhost:{session.port}"}
    if request.host not in hosts:  # DNS rebinding: a page of evil.example resolving to 127.0.0.1
        raise Refused(403, "拒绝访问：地址不对。",
                      hint=f"请用启动时显示的地址 http://{HOST}:{session.port}/ 打开。")
    given = request.headers.get(TOKEN_HEADER) if request.method == "POST" else request.args.get("token")
    if not given or not hmac.compare_digest(given.encode(), session.token.encode()):
        raise Refused(403, "拒绝访问：缺少或错误的访问令牌。",
                      hint="请使用 drafter serve 启动时显示的完整地址（含 ?token=…）；每次启动令牌都不同。")
    if request.method == "POST":
        if request.headers.get("Origin") != f"http://{request.host}":
            raise Refused(403, "拒绝访问：请求不是来自本页面。",
                          hint="请只在 drafter serve 打开的页面中操作。")
        if not request.is_json:
            raise Refused(415, "请求格式不对：应为 JSON。")


def _body() -> dict[str, object]:
    data = flask.request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Refused(400, "请求格式不对：应为 JSON 对象。")
    return data


def _asset(name: str) -> str:
    return (resources.files("drafter") / "web" / name).read_text(encoding="utf-8")


def _model(session: Session) -> dict[str, object]:
    """Return the page's model: the report's paragraphs, the fields, the groups and the file's values."""
    template, path = session.template, session.path
    content = form.read_file(path)
    raw: dict[str, str] = {}
    file_problems: list[str] = []
    if content is not None:
        loaded = read_values_file(path)
        raw = {key: form.page_text(value) for key, value in loaded.raw.items()
               if key in template.schema.by_key}
        file_problems = [str(p) for p in template.check(loaded, rules=False)
                         if p.key not in template.schema.by_key]
    return {
        "title": template.schema.title, "template": session.template_arg, "file": str(path.resolve()),
        "exists": content is not None, "version": form.version(content),
        "paragraphs": [{"kind": p.kind, "heading": p.heading,
                        "pieces": [{"text": x.text, "key": x.key, "lead": x.lead, "first": x.first,
                                    "unit": x.unit} for x in p.pieces]}
                       for p in form.paragraphs(template) if p.kind != "blank"],
        "fields": [form.field_info(var) for var in template.variables],
        "groups": [{"key": key, "label": label} for key, label in template.schema.groups.items()],
        "values": raw, "file_problems": file_problems,
        # What /api/check would answer at once, so the page shows the file's problems as it opens.
        "problems": [form.problem_json(template, p) for p in template.check(form.from_page(template, raw))],
    }


def _save(session: Session, data: object, *, seen: str, overwrite: bool) -> dict[str, object]:
    """Write the values file atomically, unless it changed on disk since the page loaded it."""
    path = session.path
    with session.saving:
        current = form.version(form.read_file(path))
        if current != seen and not overwrite:
            raise Refused(409, "取值文件在本页打开之后被修改过（可能是在别的窗口或编辑器中）。",
                          hint="覆盖会丢掉那些修改；不想覆盖就刷新本页，载入文件现在的内容。", conflict=True)
        text = form.values_file_text(session.template, data, template_arg=session.template_arg,
                                     path=path).encode("utf-8")
        write_atomically(path, text)
        schema_file = form.schema_path(path)
        if not schema_file.exists():  # the modeline at the top of the file points editors at it
            schema = json.dumps(to_json_schema(session.template.schema), ensure_ascii=False, indent=2)
            write_atomically(schema_file, (schema + "\n").encode("utf-8"))
    return {"version": form.version(text), "file": str(path.resolve())}


def _document(session: Session, data: object, *, draft: bool) -> bytes:
    """Return the .docx `drafter render` makes of `data`; refuse with the problems when it cannot."""
    try:
        return session.template.render_bytes(data, profile=session.profile, draft=draft)  # type: ignore[arg-type]
    except ValuesError as error:
        problems = [form.problem_json(session.template, p) for p in error.problems]
        errors = [p for p in error.problems if p.level == "error"]
        if all(p.code == "missing" for p in errors):
            raise Refused(409, f"还有 {len(errors)} 项未填写。",
                          hint="可以先生成草稿：缺的项在文档中以黄色【说明】标出。",
                          missing=len(errors), problems=problems) from error
        raise Refused(422, f"有 {len(errors)} 处错误，改好之前不能生成文档。", hint="点“下一处”逐个查看。",
                      problems=problems) from error


def _preview(session: Session, data: object) -> dict[str, object]:
    """Return the report's pages as PNG data URLs, through LibreOffice; a draft if values are missing."""
    try:
        previewing.find_soffice()
        previewing.find_pdftoppm()
    except OfficeNotFoundError as error:
        hint = (f"{error.hint}；Windows 上请从 https://zh-cn.libreoffice.org/ 下载安装。"
                "装好后重新启动 drafter serve。")
        raise Refused(503, error.message, hint=hint, install=previewing.INSTALL) from error
    content = _document(session, data, draft=True)
    if not session.previewing.acquire(blocking=False):  # one soffice at a time on a small PC
        raise Refused(429, "上一次预览还没有完成，请稍候再试。")
    try:
        pages = previewing.pdf_to_pngs(previewing.docx_to_pdf(content), resolution=PREVIEW_DPI)
    finally:
        session.previewing.release()
    return {"pages": ["data:image/png;base64," + base64.b64encode(png).decode("ascii") for png in pages]}


class _QuietHandler(WSGIRequestHandler):
    """A request handler that does not log every request on the clerk's terminal."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def bind(port: int) -> socket.socket:
    """Return a listening socket on 127.0.0.1:`port` (0: a free port); OutputError when taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((HOST, port))
        sock.listen(64)
    except OSError as err:
        sock.close()
        reasons = {errno.EADDRINUSE: "端口已被别的程序占用",
                   errno.EACCES: "没有权限使用这个端口（1024 以下的端口要管理员权限）"}
        reason = reasons.get(err.errno or 0, describe_os_error(err))
        raise OutputError(f"无法在端口 {port} 上启动：{reason}。",
                          hint="换一个 --port，或不加 --port 让 drafter 自动选一个空闲端口。") from err
    return sock


def start(session: Session, *, port: int = 0) -> BaseWSGIServer:
    """Return a threaded server for `session` bound to 127.0.0.1:`port`, not yet serving.

    Call its `serve_forever()`, and `shutdown()` and `server_close()` to stop it.
    """
    sock = bind(port)
    try:
        server = make_server(HOST, port, create_app(session), threaded=True, request_handler=_QuietHandler,
                             fd=sock.fileno())
    finally:
        sock.close()  # the server works on its own duplicate of the descriptor
    session.port = server.port
    return server


def run(session: Session, *, port: int = 0, open_browser: bool = True,
        echo: Callable[[str], None] = print) -> None:
    """Serve `session` until Ctrl-C, printing the address and opening it in the browser."""
    server = start(session, port=port)
    url = f"http://{HOST}:{session.port}/?token={session.token}"
    echo(f"drafter serve：请在浏览器中打开 {url}")
    state = "" if session.path.exists() else "（新文件，点“保存”后写入）"
    echo(f"取值文件：{session.path.resolve()}{state}")
    echo("只有本机能访问；按 Ctrl-C 停止。")
    if open_browser and _headless():
        echo("这台电脑没有图形界面，未自动打开浏览器；请在本机的浏览器中打开上面的地址。")
    elif open_browser:
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    echo("已停止。")


def _headless() -> bool:
    # Without a display, webbrowser would start a text browser (lynx, w3m) in the clerk's terminal.
    shown = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    return sys.platform.startswith("linux") and not shown


def new_token() -> str:
    """Return a fresh random token for one start."""
    return secrets.token_urlsafe(24)
