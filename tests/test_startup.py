"""Start-up: what each command imports, and libyaml's loader giving what PyYAML's gives."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drafter import errors, yamlfile

from .conftest import TEMPLATE_DIR

HEAVY = ("docx", "lxml", "xml.sax.saxutils", "drafter.placeholders", "drafter.preview", "openpyxl", "flask",
         "drafter.serve", "drafter.batch")
_PROBE = """
import sys
from drafter.cli import cli
try:
    cli(sys.argv[1:], prog_name="drafter")
except SystemExit as exit:
    assert not exit.code, exit.code
print(" ".join(sorted(sys.modules)))
"""


@pytest.mark.parametrize("args", [
    ["--help"],
    ["vars", "township-work-report"],
    ["check", "township-work-report", "-f", str(TEMPLATE_DIR / "example.yaml")],
    ["init", "township-work-report", "-o", "{tmp}/values.yaml"],
    ["render", "--help"],
], ids=["help", "vars", "check", "init", "render-help"])
def test_light_commands_load_neither_python_docx_nor_lxml(args, tmp_path):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    done = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    loaded = set(done.stdout.split())
    assert "drafter.cli" in loaded
    # check also looks for words cut out of the template's text (lint's cut finder, not jieba).
    allowed = {"drafter.placeholders"} if args[0] == "check" else set()
    assert not [m for m in loaded if m.split(".")[0] in ("docx", "lxml", "jieba") or m in HEAVY
                and m not in allowed]


def test_render_loads_the_writer(tmp_path):
    done = subprocess.run([sys.executable, "-c", _PROBE, "render", "township-work-report", "-f",
                           str(TEMPLATE_DIR / "example.yaml"), "-o", str(tmp_path / "r.docx")],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert done.returncode == 0, done.stderr
    # With no cached package the writer builds it: the probe sees what it should, not nothing.
    assert "docx" in done.stdout.split()


def test_render_warns_of_cuts_from_the_cache_without_loading_opencc(tmp_path):
    import shutil

    folder = tmp_path / "模板"
    shutil.copytree(TEMPLATE_DIR, folder)
    source = folder / "template.txt"
    source.write_text(source.read_text(encoding="utf-8").replace("坚持稳中求进", "坚持以为引领，坚持稳中求进", 1),
                      encoding="utf-8")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}

    def run() -> tuple[set[str], str]:
        done = subprocess.run([sys.executable, "-c", _PROBE, "render", str(folder), "-f",
                               str(TEMPLATE_DIR / "example.yaml"), "-o", str(tmp_path / "r.docx")],
                              capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        return set(done.stdout.split()), done.stderr

    first, warned = run()
    assert "opencc" in first and "以……为引领" in warned and f"{source}:" in warned
    second, again = run()
    assert again == warned  # the same warning, word for word, line for line
    assert "opencc" not in second and "drafter.gaps" not in second and "drafter.lint" not in second
    source.write_text(source.read_text(encoding="utf-8").replace("坚持以为引领，", "", 1), encoding="utf-8")
    third, mended = run()  # an edited template is read again, not answered from the cache
    assert "opencc" in third and "以……为引领" not in mended


def _outcome(text: str) -> object:
    try:
        return yamlfile.parse(text, "v.yaml")
    except errors.DrafterError as error:
        return str(error)


@pytest.fixture
def pure(monkeypatch):
    """Return a function parsing as a machine without libyaml does."""
    def parse(text: str) -> object:
        with monkeypatch.context() as patch:
            patch.setattr(yamlfile, "_FAST_LOADER", None)
            return _outcome(text)
    return parse


BAD = {
    "value-after-value": "经济发展:\n  签约新项目: 5: 6\n",
    "missing-colon": "经济发展:\n  签约新项目\n  开工月份: 8\n",
    "tab": "经济发展:\n\t签约新项目: 5\n",
    "undefined-alias": "经济发展:\n  签约新项目: *x\n",
    "indent": "经济发展:\n    签约新项目: 5\n  开工月份: 8\n",
    "open-quote": "基本信息:\n  镇名: \"艾城\n",
    "open-bracket": "基本信息:\n  村: [张家, 李家\n  镇名: 艾城\n",
    "open-brace": "基本信息: {镇名: 艾城\n",
    "two-documents": "基本信息:\n  镇名: 艾城\n---\n经济发展: 1\n",
    "duplicate-anchor": "a: &x 1\nb: &x 2\n",
    "bad-character": "基本信息:\n  镇名: @艾城\n",
    "text-after-quote": "基本信息:\n  镇名: '艾城' 镇\n",
    "list-in-mapping": "基本信息:\n  镇名: 艾城\n- 张家\n",
    "duplicate-key": "基本信息:\n  镇名: 艾城\n  镇名: 虬津\n",
}
GOOD = {
    "example": (TEMPLATE_DIR / "example.yaml").read_text(encoding="utf-8"),
    "styles": "a:\n  b:\n  c: ~\n  d: \"\"\n  e: ''\n  f: |\n    多行\n  g: [张家, \"李家\"]\n  h: 010\n  i: no\n",
    "aliases": "a: &x 5\nb: *x\nc: [&y 甲, *y]\n",
    "document-start": "---\n基本信息:\n  镇名: 艾城\n...\n",
    "empty-document": "---",
    "percent-and-directive": "%YAML 1.1\n---\n民生事业:\n  医保参保率: 98.5%\n",
}


@pytest.mark.skipif(yamlfile._FAST_LOADER is None, reason="PyYAML built without libyaml: only one path here")
@pytest.mark.parametrize("text", list(BAD.values()) + list(GOOD.values()), ids=list(BAD) + list(GOOD))
def test_libyaml_and_pure_python_give_the_same_tree_and_messages(text, pure):
    fast = _outcome(text)
    assert fast == pure(text)
    if text in BAD.values():
        assert isinstance(fast, str) and "v.yaml:" in fast
    else:
        assert isinstance(fast, yamlfile.Node) or fast is None


@pytest.mark.skipif(yamlfile._FAST_LOADER is None, reason="PyYAML built without libyaml: only one path here")
@given(st.text(alphabet="ab镇: -\n\"'[]{},&*#|>~\t%!?@`\r\ufeff\x85\\", max_size=40))
def test_both_loaders_agree_on_any_text(text):
    fast = _outcome(text)
    original = yamlfile._FAST_LOADER
    yamlfile._FAST_LOADER = None
    try:
        assert fast == _outcome(text)
    finally:
        yamlfile._FAST_LOADER = original


_TEXT = st.text(alphabet="今年,\n {}%#a", max_size=8)
_HOLE = st.sampled_from(["{{ 经济.项目 }}", "{{经济.金额}}", "{{ 经济.清单.名称 }}", "{% raw %}{{% endraw %}"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_TEXT, _HOLE), max_size=6), st.booleans(), st.booleans(), st.booleans())
def test_a_plain_template_is_filled_in_as_jinja_renders_it(parts, mark, anchor, missing):
    from drafter import render

    source = "".join(parts)
    try:
        jinja = render._ENV.from_string(source)
    except Exception:  # noqa: BLE001 - not a template: compile_source must refuse it too
        with pytest.raises(errors.TemplateError):
            render.compile_source(source, file="t.txt")
        return
    compiled = render.compile_source(source, file="t.txt")
    if "{%" not in source.replace(render.RAW_BRACE, "") and "{#" not in source and \
            "{{" not in source.replace("{{ 经济.项目 }}", "").replace("{{经济.金额}}", "") \
            .replace("{{ 经济.清单.名称 }}", "").replace(render.RAW_BRACE, ""):
        assert isinstance(compiled, render.Holes)  # nothing but holes: Jinja compiles nothing
    text = {"经济.项目": "5", "经济.金额": "1,2", "经济.清单.名称": "东村"}  # a table's item cell too
    absent = {"经济.金额": "【金额】"} if missing else {}

    def outcome(template: object, values: dict[str, str]) -> str:
        try:
            return render.render(template, values, mark=mark, anchor=anchor, missing=absent)
        except errors.DrafterError as err:  # {{a}}: a variable not given, said in words
            return f"{type(err).__name__}: {err.message.split('：')[0]}"

    assert outcome(compiled, text) == outcome(jinja, text)
    if "经济.项目" in source and isinstance(compiled, render.Holes):  # a value not given: both say so
        given = {"经济.金额": "1", "经济.清单.名称": "东村"}
        assert outcome(compiled, given) == outcome(jinja, given) == "DrafterError: 渲染时缺少变量"


def test_the_cache_keeps_the_newest_entries_of_a_kind(tmp_path, monkeypatch):
    from drafter import cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    for index in range(cache.KEPT + 5):
        cache.store("cuts", f"{index:020x}", [index])
        entry = tmp_path / "drafter" / f"cuts-{index:020x}.json"
        os.utime(entry, (1e9 + index, 1e9 + index))  # one a second: the clock's tick may be coarser
    cache.store("docx-package", "0" * 20, {})
    kept = sorted(p.name for p in (tmp_path / "drafter").glob("cuts-*"))
    assert len(kept) == cache.KEPT and kept[0] == f"cuts-{5:020x}.json"
    assert cache.load("cuts", f"{cache.KEPT + 4:020x}") == [cache.KEPT + 4]
    assert cache.load("cuts", f"{0:020x}") is None and cache.load("docx-package", "0" * 20) == {}


