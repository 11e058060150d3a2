"""Hostile inputs, class by class: each is refused with a Chinese message naming the file (and the
line), exit 1 or 2, no traceback, nothing written and nothing replaced.

Every bomb is generated in tmp_path; none is committed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import socket
import stat
import struct
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import jinja2
import pytest
from docx.oxml.ns import qn
from hypothesis import example, given, settings
from hypothesis import strategies as st
from jinja2.sandbox import SandboxedEnvironment

import drafter
from drafter import render, textfile, word, yamlfile
from drafter.cli import cli
from drafter.errors import DrafterError, ReportError, TemplateError, ValuesFileError
from drafter.template import TEMPORARY_PREFIX

from .conftest import SEED, nested

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, sockets and symlinks are POSIX here")

SCHEMA = """\
title: 小模板
variables:
  经济.收入:
    type: amount
    unit: 万元
    label: 财税收入
  经济.项目:
    type: count
    unit: 个
    label: 签约项目数
  基本.镇名:
    type: name
    label: 镇名
"""
SOURCE = "{{ 基本.镇名 }}镇工作报告\n\n完成财税收入{{ 经济.收入 }}万元，签约项目{{ 经济.项目 }}个。\n"
VALUES = "经济:\n  收入: 1.5\n  项目: 3\n基本:\n  镇名: 艾城\n"


def _tree(root: Path) -> dict[str, tuple]:
    """Return what is at and under `root`: kind, size, time and content hash of each entry."""
    seen = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder, name)
            info = path.lstat()
            digest = ""
            if stat.S_ISREG(info.st_mode) and info.st_size < 50_000_000:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            target = os.readlink(path) if stat.S_ISLNK(info.st_mode) else ""
            seen[str(path.relative_to(root))] = (stat.S_IFMT(info.st_mode), info.st_size, info.st_mtime_ns,
                                                 digest, target)
    return seen


@pytest.fixture
def small(tmp_path) -> Path:
    """Return a small template folder: three variables, one of each kind of value."""
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "template.txt").write_text(SOURCE, encoding="utf-8")
    (folder / "schema.yaml").write_text(SCHEMA, encoding="utf-8")
    (folder / "values.yaml").write_text(VALUES, encoding="utf-8")
    return folder


def refused(runner, tmp_path, *args, file: str | Path, line: int | None = None, words: str = "",
            stdin: bytes | None = None):
    """Run the CLI; assert a clean refusal that changed nothing under `tmp_path`; return stderr."""
    before = _tree(tmp_path)
    result = runner.invoke(cli, [str(a) for a in args], input=stdin)
    assert result.exit_code in (1, 2), (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    stderr = result.stderr
    assert "Traceback" not in result.output and "Traceback" not in stderr
    assert stderr.startswith(("错误：", "用法错误：")), stderr
    assert str(file) in stderr, stderr
    if line is not None:
        assert f"{file}:{line}:" in stderr, stderr
    assert words in stderr, stderr
    assert _tree(tmp_path) == before, "a refused run wrote or replaced something"
    return stderr


def _docx(text: str = "签约新项目x个，完成财税收入x万元。") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _repack(data: bytes, parts: dict[str, bytes | None]) -> bytes:
    """Return the zip `data` with `parts` replaced (None: removed)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for info in source.infolist():
            content = parts.get(info.filename, source.read(info.filename))
            if content is not None:
                package.writestr(info.filename, content)
        for name, content in parts.items():
            if content is not None and name not in source.namelist():
                package.writestr(name, content)
    return out.getvalue()


def _patch_entry(data: bytes, name: str, *, size: int | None = None, flags: int | None = None,
                 method: int | None = None) -> bytes:
    """Return zip `data` with the headers of part `name` saying another size, flags or method."""
    data = bytearray(data)
    encoded = name.encode()
    for signature, name_at, flags_at, method_at, size_at in ((b"PK\x01\x02", 46, 8, 10, 24),
                                                            (b"PK\x03\x04", 30, 6, 8, 22)):
        position = 0
        while (position := data.find(signature, position)) >= 0:
            length = struct.unpack("<H", data[position + name_at - 18:position + name_at - 16])[0] \
                if signature == b"PK\x03\x04" else struct.unpack("<H", data[position + 28:position + 30])[0]
            if data[position + name_at:position + name_at + length] == encoded:
                if size is not None:
                    data[position + size_at:position + size_at + 4] = struct.pack("<I", size)
                if flags is not None:
                    data[position + flags_at:position + flags_at + 2] = struct.pack("<H", flags)
                if method is not None:
                    data[position + method_at:position + method_at + 2] = struct.pack("<H", method)
            position += 4
    return bytes(data)


def _templatize_refused(runner, tmp_path, report: Path, words: str, line: int | None = None):
    out = tmp_path / "out"
    stderr = refused(runner, tmp_path, "templatize", report, "-o", out, file=report, line=line, words=words)
    assert not out.exists()
    return stderr


# 1. Zip bombs --------------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_by_its_declared_size(runner, tmp_path):
    bomb = _patch_entry(_docx(), "word/document.xml", size=4_000_000_000)  # 4 GB, says the header
    report = tmp_path / "bomb.docx"
    report.write_bytes(bomb)
    _templatize_refused(runner, tmp_path, report, "解压后太大")


def test_a_zip_bomb_with_a_lying_header_stops_at_the_declared_size(runner, tmp_path):
    xml = zipfile.ZipFile(io.BytesIO(_docx())).read("word/document.xml")
    padded = xml.replace(b"<w:body>", b"<w:body>" + b"<w:p/>" * 12_000_000)  # 72 MB unpacked
    liar = _patch_entry(_repack(_docx(), {"word/document.xml": padded}), "word/document.xml", size=len(xml))
    assert len(liar) < 1_000_000
    report = tmp_path / "liar.docx"
    report.write_bytes(liar)
    _templatize_refused(runner, tmp_path, report, "已损坏")


def test_many_parts_adding_up_past_the_limit_are_refused(tmp_path):
    data = _repack(_docx(), {f"word/media/image{i}.png": b"\0" * 100 for i in range(5)})
    for i in range(5):  # each under the limit of one part, together over the limit of all
        data = _patch_entry(data, f"word/media/image{i}.png", size=60_000_000)
    with pytest.raises(ReportError, match="解压后太大"):
        word.read_report(data, file="many.docx")


# 2. Damaged .docx ---------------------------------------------------------------------------------


def _corrupt(data: bytes) -> bytes:
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    broken = bytearray(data)
    broken[start + 5:start + 45] = b"\xff" * 40
    return bytes(broken)


DAMAGED = {
    "corrupt-deflate": lambda: _corrupt(_docx()),
    "encrypted-part": lambda: _patch_entry(_docx(), "word/document.xml", flags=1),
    "deflate64": lambda: _patch_entry(_docx(), "word/document.xml", method=9),
    "bzip2": lambda: _patch_entry(_docx(), "word/document.xml", method=12),
    "password-protected": lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
    "no-document-part": lambda: _repack(_docx(), {"word/document.xml": None}),
    "no-relationships": lambda: _repack(_docx(), {"_rels/.rels": None}),
    "other-root": lambda: _repack(_docx(), {"word/document.xml": b"<?xml version='1.0'?><a/>"}),
    "no-body": lambda: _repack(_docx(), {"word/document.xml": (
        b"<w:document xmlns:w='http://schemas.openxmlformats.org/wordprocessingml/2006/main'/>")}),
    "broken-xml": lambda: _repack(_docx(), {"word/document.xml": b"<w:document><w:body>"}),
    "truncated": lambda: _docx()[:3000],
    "not-a-zip": lambda: b"PK\x05\x06" + b"\0" * 18,
}


@pytest.mark.parametrize("make", DAMAGED.values(), ids=DAMAGED.keys())
def test_a_damaged_docx_is_refused_with_how_to_save_it_again(runner, tmp_path, make):
    report = tmp_path / "坏.docx"
    report.write_bytes(make())
    stderr = _templatize_refused(runner, tmp_path, report, "Word")
    assert "另存为" in stderr


# 3. Characters XML cannot hold --------------------------------------------------------------------

UNWRITABLE = ["\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x80", "\x85", "\x9f", "\u2028",
              "\u2029", "\ufffe", "\uffff", "\ue000", "\ue002"]
NAMES = [f"U+{ord(c):04X}" for c in UNWRITABLE]


@pytest.mark.parametrize("char", UNWRITABLE, ids=NAMES)
def test_template_text_with_an_unwritable_character_is_refused_with_its_line(runner, tmp_path, small, char):
    (small / "template.txt").write_text(SOURCE.replace("签约", f"签{char}约"), encoding="utf-8")
    refused(runner, tmp_path, "render", small, "-f", small / "values.yaml", "-o", tmp_path / "r.docx",
            file=small / "template.txt", line=3, words=f"U+{ord(char):04X}")


@pytest.mark.parametrize("escape", ["\\f", "\\v", "\\x01", "\\L", "\\P", "\\N", "\\x9b", "\\e", "\\uFFFE"])
def test_schema_text_with_an_unwritable_character_is_refused_with_its_line(runner, tmp_path, small, escape):
    (small / "schema.yaml").write_text(SCHEMA.replace("label: 签约项目数", f'label: "签约{escape}项目数"'),
                                       encoding="utf-8")
    refused(runner, tmp_path, "render", small, "-f", small / "values.yaml", "-o", tmp_path / "r.docx",
            "--draft", file=small / "schema.yaml", line=10, words="Word 文档不能保存的字符")


@pytest.mark.parametrize("separator", ["\f", "\v", "\u2028", "\u2029", "\x85", "\r\n\f"],
                         ids=["form-feed", "vertical-tab", "line-sep", "para-sep", "next-line", "crlf-ff"])
def test_page_and_line_separators_in_a_report_become_paragraph_ends(runner, tmp_path, separator):
    report = tmp_path / "报告.txt"
    report.write_text(f"一、工作回顾{separator}签约新项目x个。{separator}完成财税收入x万元。", encoding="utf-8")
    out = tmp_path / "模板"
    assert runner.invoke(cli, ["templatize", str(report), "-o", str(out)]).exit_code == 0
    source = (out / "template.txt").read_text(encoding="utf-8")
    assert source.count("\n") == 3 and textfile.chars.first_unwritable(source) is None
    template = drafter.load_template(out)
    content = template.render_bytes(nested({v.key: "5" for v in template.variables}))
    assert content.startswith(b"PK")


@pytest.mark.parametrize("char", ["\x01", "\x1b", "\x80", "\x9f", "\ufffe"], ids=["soh", "esc", "c1-80", "c1-9f", "fffe"])
def test_a_report_with_a_stray_control_character_is_refused_with_its_line(runner, tmp_path, char):
    report = tmp_path / "报告.txt"
    report.write_text(f"一、工作回顾\n签约新项目x个。\n完成财税{char}收入x万元。\n", encoding="utf-8")
    _templatize_refused(runner, tmp_path, report, f"U+{ord(char):04X}", line=3)


def test_a_docx_report_with_a_control_character_in_a_run_is_refused_or_read(runner, tmp_path):
    # python-docx turns <w:tab/> and <w:cr/> into \t and \n; nothing it returns may reach lxml unchecked.
    xml = zipfile.ZipFile(io.BytesIO(_docx())).read("word/document.xml")
    xml = xml.replace(b"<w:t>", b"<w:tab/><w:cr/><w:br w:type='page'/><w:t>", 1)
    report = tmp_path / "报告.docx"
    report.write_bytes(_repack(_docx(), {"word/document.xml": xml}))
    assert runner.invoke(cli, ["templatize", str(report), "-o", str(tmp_path / "t")]).exit_code == 0
    drafter.load_template(tmp_path / "t")


# 4. Variable names that are dict methods ----------------------------------------------------------

METHODS = ["items", "keys", "values", "get", "copy", "update", "pop", "clear", "setdefault", "popitem",
           "fromkeys", "mro"]


def test_variables_named_like_dict_methods_print_their_values(tmp_path):
    folder = tmp_path / "methods"
    folder.mkdir()
    keys = [f"组.{m}" for m in METHODS] + [f"{m}.名称" for m in METHODS[:3]] + ["items.keys"]
    (folder / "template.txt").write_text("、".join(f"{{{{ {k} }}}}" for k in keys) + "\n", encoding="utf-8")
    (folder / "schema.yaml").write_text("variables:\n" + "".join(
        f"  {k}:\n    type: name\n    label: 名{i}\n" for i, k in enumerate(keys)), encoding="utf-8")
    template = drafter.load_template(folder)
    values: dict[str, dict[str, str]] = {}
    for i, key in enumerate(keys):
        group, name = key.split(".")
        values.setdefault(group, {})[name] = f"值{i}"
    text = template.render_text(values)
    assert text.strip() == "、".join(f"值{i}" for i in range(len(keys)))
    assert "built-in" not in text and "method" not in text


class _JinjaRules(SandboxedEnvironment):
    """Rules as Jinja's sandbox evaluates them, arithmetic on numbers only: the reference."""

    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%"})

    def call_binop(self, context, operator, left, right):
        if not (isinstance(left, (int, float)) and isinstance(right, (int, float))):
            raise jinja2.exceptions.SecurityError("规则只能对数字做运算")
        return super().call_binop(context, operator, left, right)


def _by_jinja(expression: str, typed: dict) -> object:
    context: dict = {}
    for key, value in typed.items():
        group, name = key.split(".")
        context.setdefault(group, {})[name] = float(value) if isinstance(value, Decimal) else value
    try:
        return bool(_JinjaRules().compile_expression(expression)(context))
    except ZeroDivisionError:
        return None
    except (jinja2.TemplateError, ArithmeticError, TypeError, ValueError) as err:
        return f"无法计算（{err}）"


_OPERAND = st.sampled_from(["组.甲", "组.乙", "组.名", "组.日", "0", "2", "1.5"])
_RULE = st.recursive(_OPERAND, lambda inner: st.one_of(
    st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "//", "%", "==", "!=", "<", "<=", ">", ">=", "in",
                                      "not in", "and", "or"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
    st.tuples(inner, st.sampled_from(["<", "=="]), inner, st.sampled_from(["<=", "!="]), inner)
    .map(lambda t: " ".join(t)),  # chained
    inner.map(lambda e: f"not {e}"), inner.map(lambda e: f"-{e}"), inner.map(lambda e: f"+{e}")),
    max_leaves=6)


@settings(max_examples=400, deadline=None)
@example("((组.甲 and 2) + 1) == 3", 1, Decimal(0), "城", dt.date(2024, 1, 1))  # `and` gives an operand
@example("((组.乙 or 组.甲) * 2) == 0", 0, Decimal(0), "城", dt.date(2024, 1, 1))
@example("组.名 in 组.名 != 0 < 组.甲", 1, Decimal(0), "城", dt.date(2024, 1, 1))  # chained
@example("组.日 - 组.日 > 0", 1, Decimal(0), "城", dt.date(2024, 1, 1))  # a date is no number
@given(_RULE, st.integers(-3, 3), st.sampled_from([Decimal("1.5"), Decimal(0), Decimal(-2)]),
       st.sampled_from(["艾城", "城"]), st.sampled_from([dt.date(2024, 1, 1), dt.date(2025, 6, 30)]))
def test_a_rule_holds_exactly_when_jinja_says_it_does(expression, first, second, name, day):
    # drafter walks a checked rule itself; Jinja's sandbox, compiling it, must agree on every value.
    typed = {"组.甲": first, "组.乙": second, "组.名": name, "组.日": day}
    try:
        render.rule_keys(expression)
    except TemplateError:
        return  # not a rule drafter takes (`-not -组.甲`, `组.甲 ~ 组.乙`): refused at load, never run
    try:
        outcome: object = render.check_rule(expression, typed)
    except TemplateError as err:
        outcome = str(err).split("”", 1)[1].split("。")[0]  # 无法计算（…）
    assert outcome == _by_jinja(expression, typed)


def test_a_rule_on_a_variable_named_items_compares_its_value(tmp_path):
    assert render.check_rule("组.items > 组.keys", {"组.items": 5, "组.keys": 3}) is True


# 5. schema.yaml that lies -------------------------------------------------------------------------

LIES = {
    "places-40": ("    unit: 万元\n", "    unit: 万元\n    places: 40\n", 6),
    "places-negative": ("    unit: 万元\n", "    unit: 万元\n    places: -1\n", 6),
    "places-fraction": ("    unit: 万元\n", "    unit: 万元\n    places: 1.5\n", 6),
    "min-nan": ("    unit: 万元\n", "    unit: 万元\n    min: NaN\n", 6),
    "min-snan": ("    unit: 万元\n", "    unit: 万元\n    min: sNaN\n", 6),
    "max-infinity": ("    unit: 万元\n", "    unit: 万元\n    max: Infinity\n", 6),
    "max-1e5000": ("    unit: 万元\n", "    unit: 万元\n    max: 1e5000\n", 6),
    "max-1e999999999": ("    unit: 万元\n", "    unit: 万元\n    max: 1e999999999\n", 6),
    "min-tiny": ("    unit: 万元\n", "    unit: 万元\n    min: 1e-999999999\n", 6),
    "max-long": ("    unit: 万元\n", "    unit: 万元\n    max: " + "9" * 100_000 + "\n", 6),
    "min-over-max": ("    unit: 万元\n", "    unit: 万元\n    min: 10\n    max: 5\n", 6),
    "min-over-default": ("    unit: 个\n", "    unit: 个\n    min: 5\n    max: -5\n", 10),
}


@pytest.mark.parametrize("old, new, line", LIES.values(), ids=LIES.keys())
def test_a_schema_number_that_lies_is_refused_at_load_with_its_line(runner, tmp_path, small, old, new, line):
    (small / "schema.yaml").write_text(SCHEMA.replace(old, new), encoding="utf-8")
    refused(runner, tmp_path, "init", small, "-o", tmp_path / "v.yaml", file=small / "schema.yaml",
            line=line, words="变量 经济.")


def test_a_percent_whose_min_passes_its_default_max_is_refused(tmp_path, small):
    (small / "schema.yaml").write_text(SCHEMA.replace("type: amount", "type: percent").replace(
        "    unit: 万元\n", "    unit: \"%\"\n    min: 150\n"), encoding="utf-8")
    with pytest.raises(TemplateError, match="下限 150 大于上限 100"):
        drafter.load_template(small)


# 6. Recursion -------------------------------------------------------------------------------------

DEEP_VALUES = {
    "recursive-alias": ("a: &a [*a]\n", 1),
    "recursive-mapping-alias": ("a: &a\n  b: *a\n", 2),
    "brackets": ("经济: " + "[" * 50_000 + "]" * 50_000 + "\n", 1),
    "braces": ("经济: " + "{a: " * 50_000 + "1" + "}" * 50_000 + "\n", 1),
    "dashes": ("经济:\n  " + "- " * 50_000 + "x\n", 2),
    "unclosed-brackets": ("经济: " + "[" * 50_000 + "\n", 1),
}


@pytest.mark.parametrize("content, line", DEEP_VALUES.values(), ids=DEEP_VALUES.keys())
def test_deep_or_recursive_values_files_are_refused(runner, tmp_path, small, content, line):
    values = tmp_path / "深.yaml"
    values.write_text(content, encoding="utf-8")
    refused(runner, tmp_path, "check", small, "-f", values, file=values, line=line)


def test_a_billion_laughs_of_mappings_is_refused(tmp_path):
    lines = ["a0: &a0 {k: 1}"] + [f"a{i}: &a{i} {{" + ", ".join(f"k{j}: *a{i - 1}" for j in range(10)) + "}"
                                  for i in range(1, 9)]
    values = tmp_path / "笑.yaml"
    values.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValuesFileError, match="别名"):
        drafter.values.read_values_file(values)


def test_a_deep_schema_is_refused(runner, tmp_path, small):
    (small / "schema.yaml").write_text("variables: " + "[" * 50_000 + "\n", encoding="utf-8")
    refused(runner, tmp_path, "vars", small, file=small / "schema.yaml", line=1, words="嵌套太深")


@pytest.mark.parametrize("inner", ["(" * 3000 + "经济.收入" + ")" * 3000, "[" * 3000 + "经济.收入" + "]" * 3000,
                                   "not " * 3000 + "经济.收入", "- " * 3000 + "经济.收入"],
                         ids=["parentheses", "brackets", "not", "minus"])
def test_deep_nesting_in_template_text_is_refused(runner, tmp_path, small, inner):
    (small / "template.txt").write_text(SOURCE + "又及{{ " + inner + " }}\n", encoding="utf-8")
    refused(runner, tmp_path, "vars", small, file=small / "template.txt", line=4)


@pytest.mark.parametrize("check", ["(" * 300 + "经济.项目" + ")" * 300 + " > 1",
                                   "(" * 3000 + "经济.项目" + ")" * 3000 + " > 1",
                                   " + ".join(["经济.项目"] * 200) + " > 1", "- " * 400 + "经济.项目 > 1"],
                         ids=["parentheses", "too-long", "long-sum", "minus"])
def test_deep_nesting_in_a_rule_is_refused_at_load(runner, tmp_path, small, check):
    (small / "schema.yaml").write_text(SCHEMA + f'rules:\n  - check: "{check}"\n    message: 核对\n',
                                       encoding="utf-8")
    refused(runner, tmp_path, "vars", small, file=small / "schema.yaml", line=15, words="规则")


# 7. Unbounded reads -------------------------------------------------------------------------------


def _special(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"special-{kind}"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        server.close()
    elif kind == "zero":
        path.symlink_to("/dev/zero")
    elif kind == "folder":
        path.mkdir()
    elif kind == "sparse":
        with path.open("wb") as stream:
            stream.truncate(3_000_000_000)  # 3 GB of nothing, in no disk space
    return path


SPECIALS = ["fifo", "socket", "zero", "folder", "sparse"]


@POSIX
@pytest.mark.parametrize("kind", SPECIALS)
def test_values_files_that_are_not_plain_files_are_refused_unread(runner, tmp_path, small, kind):
    path = _special(tmp_path, kind)
    refused(runner, tmp_path, "check", small, "-f", path, file=path)


@POSIX
@pytest.mark.parametrize("kind", SPECIALS)
def test_reports_that_are_not_plain_files_are_refused_unread(runner, tmp_path, kind):
    _templatize_refused(runner, tmp_path, _special(tmp_path, kind), "")


@POSIX
@pytest.mark.parametrize("name", ["template.txt", "schema.yaml"])
@pytest.mark.parametrize("kind", ["fifo", "zero", "sparse"])
def test_template_files_that_are_not_plain_files_are_refused_unread(runner, tmp_path, small, name, kind):
    (small / name).unlink()
    special = _special(tmp_path, kind)
    os.rename(special, small / name) if kind != "zero" else (small / name).symlink_to("/dev/zero")
    refused(runner, tmp_path, "vars", small, file=small / name)


def test_values_are_read_from_standard_input_only_when_asked_with_a_dash(runner, small):
    result = runner.invoke(cli, ["check", str(small), "-f", "-"], input=VALUES.encode("utf-8"))
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["check", str(small), "-f", "-"], input=b"a" * 2_000_000)
    assert result.exit_code == 1 and "标准输入" in result.stderr and "太大" in result.stderr


# 8. Outputs that are not plain files ---------------------------------------------------------------


def _device(tmp_path: Path) -> Path:
    path = tmp_path / "null.docx"
    if os.geteuid() == 0:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a /dev/null of our own
    else:
        path.symlink_to(os.devnull)  # without root, renaming over it fails anyway
    return path


@POSIX
@pytest.mark.parametrize("kind", ["device", "fifo", "socket", "link-to-fifo", "link-loop"])
def test_outputs_that_are_not_plain_files_are_refused(runner, tmp_path, small, kind):
    if kind == "device":
        out = _device(tmp_path)
    elif kind == "link-to-fifo":
        out = tmp_path / "link.docx"
        out.symlink_to(_special(tmp_path, "fifo"))
    elif kind == "link-loop":
        out = tmp_path / "loop.docx"
        out.symlink_to(tmp_path / "loop.docx")
    else:
        out = tmp_path / f"out-{kind}.docx"
        _special(tmp_path, kind).rename(out)
    refused(runner, tmp_path, "render", small, "-f", small / "values.yaml", "-o", out, file=out)


@POSIX
@pytest.mark.parametrize("command", ["init", "schema"])
def test_other_commands_refuse_special_outputs_too(runner, tmp_path, small, command):
    out = tmp_path / ("v.yaml" if command == "init" else "s.json")
    os.mkfifo(out)
    refused(runner, tmp_path, command, small, "-o", out, "--force" if command == "init" else "--", file=out)


@POSIX
def test_a_symlinked_output_is_written_through_and_stays_a_link(runner, tmp_path, small):
    real = tmp_path / "real"
    real.mkdir()
    (real / "报告.docx").write_bytes(b"old")
    link = tmp_path / "报告.docx"
    link.symlink_to(real / "报告.docx")
    dangling = tmp_path / "新.docx"
    dangling.symlink_to(real / "新.docx")
    for out in (link, dangling):
        result = runner.invoke(cli, ["render", str(small), "-f", str(small / "values.yaml"), "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert out.is_symlink()
    assert docx.Document(str(real / "报告.docx")).paragraphs[0].text == "艾城镇工作报告"
    assert (real / "新.docx").read_bytes().startswith(b"PK")


@pytest.mark.parametrize("command, name", [("schema", "schema.yaml"), ("schema", "template.txt"),
                                           ("init", "example.yaml"), ("init", "schema.yaml")])
def test_a_template_folder_own_files_are_never_overwritten(runner, tmp_path, small, monkeypatch, command, name):
    monkeypatch.chdir(small)
    (small / "example.yaml").write_text(VALUES, encoding="utf-8")
    refused(runner, tmp_path, command, ".", "-o", name, *(["--force"] if command == "init" else []),
            file=name, words="模板自己的文件")


@POSIX
def test_a_link_to_a_template_file_is_not_a_way_around(runner, tmp_path, small):
    link = tmp_path / "s.yaml"
    link.symlink_to(small / "schema.yaml")
    refused(runner, tmp_path, "schema", small, "-o", link, file=link, words="模板自己的文件")


# 9. Output names ----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["render", "init", "schema", "templatize", "check-f", "template"])
def test_a_name_longer_than_the_file_system_allows_is_refused(runner, tmp_path, small, command):
    long = tmp_path / ("名" * 100 + {"render": ".docx", "init": ".yaml", "schema": ".json"}.get(command, ""))
    report = tmp_path / "报告.txt"
    report.write_text("签约新项目x个。\n", encoding="utf-8")
    args = {"render": ["render", small, "-f", small / "values.yaml", "-o", long],
            "init": ["init", small, "-o", long], "schema": ["schema", small, "-o", long],
            "templatize": ["templatize", report, "-o", long], "check-f": ["check", small, "-f", long],
            "template": ["vars", long]}[command]
    stderr = refused(runner, tmp_path, *args, file=long if command != "template" else "名" * 100)
    assert "太长" in stderr or "找不到" in stderr


def test_a_legal_name_of_81_chinese_characters_is_written(runner, tmp_path, small):
    out = tmp_path / ("报" * 81 + ".docx")  # 248 bytes: legal on every file system
    result = runner.invoke(cli, ["render", str(small), "-f", str(small / "values.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"PK")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# 10. Partial outputs ------------------------------------------------------------------------------


@POSIX
def test_preview_png_aimed_at_a_file_writes_no_pdf(runner, tmp_path, small, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("soffice", "pdftoppm"):
        (bin_dir / tool).write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
        (bin_dir / tool).chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    pages = tmp_path / "pages"
    pages.write_text("我的文件", encoding="utf-8")
    out = tmp_path / "r.pdf"
    refused(runner, tmp_path, "preview", small, "-f", small / "values.yaml", "-o", out, "--png", pages,
            file=pages, words="文件夹")
    assert not out.exists()


def test_temporary_files_left_by_a_killed_run_are_removed_on_the_next(runner, tmp_path, small):
    dead = tmp_path / f"{TEMPORARY_PREFIX}999999999-abcd.tmp"   # no process has this id
    alive = tmp_path / f"{TEMPORARY_PREFIX}{os.getpid()}-efgh.tmp"  # a write still running
    other = tmp_path / ".报告.docx.abcd.tmp"                   # not ours: left alone
    for path in (dead, alive, other):
        path.write_bytes(b"half")
    out = tmp_path / "报告.docx"
    assert runner.invoke(cli, ["render", str(small), "-f", str(small / "values.yaml"), "-o", str(out)]).exit_code == 0
    assert not dead.exists() and alive.exists() and other.exists()
    os.utime(alive, (0, 0))  # a day old: left over, whatever the process
    assert runner.invoke(cli, ["render", str(small), "-f", str(small / "values.yaml"), "-o", str(out)]).exit_code == 0
    assert not alive.exists()


# 11. Values that get past the filters -------------------------------------------------------------


@pytest.mark.parametrize("value, line, words", [
    ("1." + "5" * 300_000, 2, "小数位数太多"),
    ('"艾\\L城"', 5, "不能换行"), ('"艾\\P城"', 5, "不能换行"), ('"艾\\N城"', 5, "不能换行"),
    ('"艾\\v城"', 5, "不能换行"), ('"艾\\f城"', 5, "不能换行"),
    ('"艾\\x80城"', 5, "U+0080"), ('"艾\\x9b城"', 5, "U+009B"), ('"艾\\x7f城"', 5, "U+007F"),
    ("艾\u2028城", 5, "U+2028"), ("艾\x85城", 5, "U+0085"),
], ids=["long-fraction", "yaml-L", "yaml-P", "yaml-N", "vt", "ff", "c1-80", "c1-9b", "del", "raw-2028",
        "raw-85"])
def test_values_that_slipped_past_the_filters_are_refused(runner, tmp_path, small, value, line, words):
    target = "  收入: 1.5" if line == 2 else "  镇名: 艾城"
    values = tmp_path / "v.yaml"
    values.write_text(VALUES.replace(target, target.split(":")[0] + ": " + value), encoding="utf-8")
    refused(runner, tmp_path, "render", small, "-f", values, "-o", tmp_path / "r.docx", file=values,
            line=line, words=words)


# 12. Silent template features ---------------------------------------------------------------------


@pytest.mark.parametrize("text, words", [
    ("{# 这一句不会印出来 #}", "注释"), ("{#- 去掉空白 -#}", "注释"), ("{%- raw %}x{% endraw %}", "{%-"),
    ("{% raw -%} x{% endraw %}", "-%}"),
], ids=["comment", "trimmed-comment", "trimmed-raw", "trimmed-raw-end"])
def test_template_features_that_would_change_the_text_silently_are_refused(runner, tmp_path, small, text, words):
    (small / "template.txt").write_text(SOURCE + f"又及：{text}完。\n", encoding="utf-8")
    stderr = refused(runner, tmp_path, "vars", small, file=small / "template.txt", line=4)
    assert "不能" in stderr


# 14. Encoding messages ----------------------------------------------------------------------------

ENCODINGS = {"utf-32-le-bom": ("utf-32", "UTF-32"), "utf-32-be-bom": ("utf-32-be", "UTF-32"),
             "utf-16-le": ("utf-16-le", "UTF-16"), "utf-16-be": ("utf-16-be", "UTF-16"),
             "utf-32-le": ("utf-32-le", "UTF-32"), "utf-16-bom": ("utf-16", "UTF-16")}


@pytest.mark.parametrize("codec, name", ENCODINGS.values(), ids=ENCODINGS.keys())
def test_wide_encodings_are_called_by_their_name(runner, tmp_path, small, codec, name):
    bom = b"\x00\x00\xfe\xff" if codec == "utf-32-be" else b""
    values = tmp_path / "v.yaml"
    values.write_bytes(bom + VALUES.encode(codec))
    refused(runner, tmp_path, "check", small, "-f", values, file=values, words=f"{name}")
    report = tmp_path / "报告.txt"
    report.write_bytes(bom + "一、工作回顾\n签约新项目x个。\n".encode(codec))
    stderr = _templatize_refused(runner, tmp_path, report, f"{name}")
    assert "二进制" not in stderr and ("UTF-16" not in stderr if name == "UTF-32" else True)


def test_many_plain_values_are_not_blamed_on_aliases(tmp_path, monkeypatch):
    monkeypatch.setattr(yamlfile, "MAX_NODES", 1000)  # the message is the point, not the number
    values = tmp_path / "多.yaml"
    values.write_text("a:\n" + "".join(f"  k{i}: 1\n" for i in range(1001)), encoding="utf-8")
    with pytest.raises(ValuesFileError, match="超过 1000 个取值") as caught:
        drafter.values.read_values_file(values)
    assert "别名" not in caught.value.message


# 15. Guards no other test would notice losing -----------------------------------------------------


def test_a_rule_computing_with_a_name_is_refused_at_load(runner, tmp_path, small):
    (small / "schema.yaml").write_text(SCHEMA + "rules:\n  - check: 基本.镇名 * 1000 > 1\n    message: 核对\n",
                                       encoding="utf-8")
    refused(runner, tmp_path, "vars", small, file=small / "schema.yaml", line=15, words="基本.镇名")


def test_rule_arithmetic_on_text_is_refused_at_run_time_too():
    # "艾城" * 2 would be "艾城艾城" (and * 10**9 a few gigabytes) without the sandbox's binop guard.
    with pytest.raises(DrafterError, match="无法计算"):
        render.check_rule("基本.镇名 * 2 == 基本.别名 + 基本.别名", {"基本.镇名": "艾城", "基本.别名": "艾城"})
    assert render.check_rule("经济.项目 * 2 == 经济.项目 + 经济.项目", {"经济.项目": 3}) is True


def test_every_run_names_its_east_asian_font_and_hint(template, example, tmp_path):
    content = template.render_bytes(example, mark_values=True)
    package = zipfile.ZipFile(io.BytesIO(content))
    for part in ("word/document.xml", "word/footer1.xml", "word/footer2.xml"):
        if part not in package.namelist():
            continue
        root = docx.oxml.parse_xml(package.read(part))
        runs = root.findall(f".//{qn('w:r')}")
        assert len(runs) > 1
        for run in runs:
            fonts = run.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
            assert fonts is not None and fonts.get(qn("w:eastAsia")), (part, run.xpath("string(.)"))
            assert fonts.get(qn("w:hint")) == "eastAsia", (part, run.xpath("string(.)"))


def test_the_ci_script_starts_fresh_and_chooses_the_hypothesis_profile():
    script = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    lines = [line.strip() for line in script.splitlines() if line.strip() and not line.startswith("#")]
    assert "set -euo pipefail" in lines
    assert lines.index("rm -rf .venv") < next(i for i, line in enumerate(lines) if "-m venv" in line)
    test = lines[-1]
    assert test.startswith("python -m pytest -q") and "--hypothesis-profile=ci" in test
    assert "||" not in test and "; " not in test  # pytest's exit code (5: nothing ran) is the script's


def test_templatize_output_is_the_same_under_every_hash_seed(tmp_path):
    outputs = []
    for seed in ("0", "1", "4242"):
        run = tmp_path / f"seed-{seed}"
        run.mkdir()
        out = run / "模板"  # the same relative name each time: values.yaml quotes it
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "drafter", "templatize", str(SEED), "-o", "模板", "--gaps"],
                       check=True, capture_output=True, env=env, cwd=run)
        outputs.append([(out / name).read_bytes() for name in ("template.txt", "schema.yaml", "values.yaml")])
    assert outputs[0] == outputs[1] == outputs[2]


FAKE_SOFFICE = """\
echo "$@" > "{log}"
while [ $# -gt 0 ]; do case "$1" in --outdir) shift; out="$1";; esac; shift; done
mkdir -p "$out" && printf '%%PDF-1.4 fake' > "$out/report.pdf"
"""


@pytest.fixture
def fake_office(tmp_path, monkeypatch) -> Path:
    """Return a PATH folder with a soffice that writes a PDF and logs its arguments to soffice.log."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for name, script in (("soffice", FAKE_SOFFICE.format(log=tmp_path / "soffice.log")),
                         ("fc-list", "echo 'Noto Serif CJK SC'")):
        (folder / name).write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
        (folder / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return folder


@POSIX
def test_preview_writes_nothing_when_pdftoppm_fails(runner, tmp_path, small, fake_office):
    (fake_office / "pdftoppm").write_text("#!/bin/sh\necho 'Syntax Error' >&2\nexit 99\n", encoding="utf-8")
    (fake_office / "pdftoppm").chmod(0o755)
    out, pages = tmp_path / "r.pdf", tmp_path / "pages"
    result = runner.invoke(cli, ["preview", str(small), "-f", str(small / "values.yaml"), "-o", str(out),
                                 "--png", str(pages)])
    assert result.exit_code == 1 and "pdftoppm 转换失败" in result.stderr
    assert not out.exists() and not pages.exists()


@POSIX
def test_preview_warns_of_missing_fonts_and_uses_a_private_profile(runner, tmp_path, small, fake_office):
    out = tmp_path / "r.pdf"
    result = runner.invoke(cli, ["preview", str(small), "-f", str(small / "values.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == b"%PDF-1.4 fake"
    warned = [line for line in result.stderr.splitlines() if "预览字体" in line]
    # One warning per stand-in font fc-list does not know, each naming its Debian package.
    told = "\n".join(warned)
    assert len(warned) == 3 and all(w.startswith("警告：预览字体") and "fonts-" in w for w in warned), told
    assert "Noto Sans CJK SC" in told and "AR PL UKai CN" in told and "Noto Serif CJK SC Black" in told
    args = (tmp_path / "soffice.log").read_text(encoding="utf-8").split()
    profile = next(a for a in args if a.startswith("-env:UserInstallation=file://"))
    folder = Path(profile.split("file://", 1)[1])
    assert folder.name == "profile" and folder.parent.name.startswith("drafter-preview-")
    assert not folder.parent.exists()  # made for this conversion, and removed after it
    assert Path.home() not in folder.parents


def test_a_title_no_document_can_hold_is_a_usage_error(runner, tmp_path):
    report = tmp_path / "报告.txt"
    report.write_text("签约新项目x个。\n", encoding="utf-8")
    stderr = refused(runner, tmp_path, "templatize", report, "-o", tmp_path / "out", "--title", "年度\x0c报告",
                     file="--title", words="不能保存")
    assert stderr.startswith("用法错误：")


def test_a_value_of_thousands_of_brackets_is_written_quoted_not_overflowing(tmp_path):
    text = "[" * 3000 + "艾城"
    line = yamlfile.scalar(text)
    assert line.startswith('"')
    path = tmp_path / "v.yaml"
    path.write_text(f"基本:\n  镇名: {line}\n", encoding="utf-8")
    assert drafter.values.read_values_file(path).raw["基本.镇名"] == text
