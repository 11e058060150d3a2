"""The .docx: reopened with python-docx and checked against GB/T 9704 (page, fonts, sizes, footers)."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docx.oxml.ns import qn

from drafter.layout import lay_out
from drafter.word import write_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _val(element, tag, attribute="val"):
    child = element.find(qn(tag)) if element is not None else None
    return None if child is None else child.get(qn(f"w:{attribute}"))


@pytest.fixture(scope="module")
def document(example_docx):
    return docx.Document(str(example_docx))


def _kinds(template, example):
    return [block.kind for block in template.render_blocks(example)]


def test_page_is_a4_with_gbt_margins_and_line_grid(document):
    sect_pr = document.sections[0]._sectPr
    size, margins = sect_pr.find(qn("w:pgSz")), sect_pr.find(qn("w:pgMar"))
    assert (size.get(qn("w:w")), size.get(qn("w:h"))) == ("11906", "16838")
    assert {k: margins.get(qn(f"w:{k}")) for k in ("top", "bottom", "left", "right")} == {
        "top": "2098", "bottom": "1984", "left": "1587", "right": "1474"}
    grid = sect_pr[-1]
    assert grid.tag == qn("w:docGrid") and grid.get(qn("w:linePitch")) == "579"


def test_document_text_is_the_rendered_text(document, template, example):
    from drafter.layout import normalize_punctuation
    rendered = template.render_text(example)
    paragraphs = [p.text.replace("\n", "") for p in document.paragraphs]
    assert paragraphs == [normalize_punctuation(line) for line in rendered.split("\n")]
    assert "," not in "".join(paragraphs[6:]).replace("3,", "")  # the seed's , became ，


EXPECTED = {  # kind of paragraph → (east Asian font of the heading part, size, alignment, indent)
    "title": ("方正小标宋简体", "44", "center", "0"),
    "caption": ("楷体_GB2312", "32", "center", "0"),
    "salutation": ("仿宋_GB2312", "32", "left", "0"),
    "body": ("仿宋_GB2312", "32", "both", "640"),
    "h1": ("黑体", "32", "both", "640"),
    "h3": ("仿宋_GB2312", "32", "both", "640"),
}


def test_every_kind_of_paragraph_has_its_font_size_and_place(document, template, example):
    kinds = _kinds(template, example)
    assert kinds[:6] == ["title", "caption", "caption", "blank", "salutation", "body"]
    assert kinds.count("h1") == 3 and kinds.count("h3") == 7
    seen = set()
    for paragraph, kind in zip(document.paragraphs, kinds, strict=True):
        ppr = paragraph._p.pPr
        spacing = ppr.find(qn("w:spacing"))
        assert (spacing.get(qn("w:line")), spacing.get(qn("w:lineRule"))) == ("579", "exact")
        assert _val(ppr, "w:widowControl") == "0" and _val(ppr, "w:snapToGrid") == "0"
        if kind == "blank":
            continue
        font, size, align, indent = EXPECTED[kind]
        assert _val(ppr, "w:jc") == align and _val(ppr, "w:ind", "firstLine") == indent
        first = paragraph.runs[0]._r.rPr
        fonts = first.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == font, (kind, paragraph.text[:10])
        assert fonts.get(qn("w:ascii")) == "Times New Roman" and fonts.get(qn("w:hint")) == "eastAsia"
        for run in paragraph.runs:
            rpr = run._r.rPr
            assert _val(rpr, "w:sz") == size and _val(rpr, "w:lang", "eastAsia") == "zh-CN"
            assert _val(rpr, "w:spacing") == ("-5" if size == "32" else None)
        seen.add(kind)
    assert seen == set(EXPECTED)


def test_run_in_heading_lead_is_bold_and_the_rest_is_not(document, template, example):
    kinds = _kinds(template, example)
    paragraph = document.paragraphs[kinds.index("h3")]
    lead, rest = paragraph.runs[0], paragraph.runs[1]
    assert lead.text == "1.聚拓展镇域经济新空间。" and lead.bold
    assert rest.text.startswith("一是做强项目支撑") and not rest.bold
    h1 = document.paragraphs[kinds.index("h1")]
    assert h1.text == "一、今年以来工作回顾"
    assert h1._p.pPr.find(qn("w:keepNext")) is not None
    assert h1._p.pPr.find(qn("w:outlineLvl")) is not None
    assert paragraph._p.pPr.find(qn("w:keepNext")) is None  # run-in headings must not chain


def test_second_and_fourth_level_headings():
    blocks = lay_out("（一）聚焦产业发展，经济实力稳步增强。全镇上下。\n（1）加强监管。其余。")
    document = docx.Document(__import__("io").BytesIO(write_docx(blocks)))
    h2, h4 = document.paragraphs
    assert [r._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) for r in h2.runs] == ["楷体_GB2312", "仿宋_GB2312"]
    assert {r._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) for r in h4.runs} == {"仿宋_GB2312"}
    assert not any(r.bold for r in h4.runs)


def test_windows_profile_uses_fonts_every_windows_has():
    blocks = lay_out("艾城镇人民政府工作报告\n——会议\n\n一、回顾\n正文。")
    document = docx.Document(__import__("io").BytesIO(write_docx(blocks, profile="windows")))
    fonts = {r._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) for p in document.paragraphs for r in p.runs}
    assert fonts == {"宋体", "楷体", "黑体", "仿宋"}
    assert document.paragraphs[0].runs[0].bold


def test_no_theme_fonts_and_chinese_defaults(document):
    styles = document.styles.element
    for fonts in styles.iter(qn("w:rFonts")):
        assert not [a for a in fonts.attrib if "heme" in a]
    defaults = styles.find(qn("w:docDefaults"))
    assert defaults.find(f".//{W}rFonts").get(qn("w:eastAsia")) == "仿宋_GB2312"
    settings = document.settings.element
    assert settings.find(qn("w:themeFontLang")).get(qn("w:eastAsia")) == "zh-CN"
    assert settings.find(qn("w:evenAndOddHeaders")) is not None


def test_footers_carry_page_fields_odd_right_even_left(document):
    section = document.sections[0]
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        [paragraph] = footer.paragraphs
        ppr = paragraph._p.pPr
        assert _val(ppr, "w:jc") == side and _val(ppr, "w:ind", side) == "280"
        runs = paragraph._p.findall(qn("w:r"))
        kinds = [next(iter(r.iterchildren(W + "fldChar", W + "instrText", W + "t"))).tag for r in runs]
        assert kinds.count(W + "fldChar") == 3  # begin, separate, end in separate runs
        assert "PAGE" in "".join(r.findtext(qn("w:instrText")) or "" for r in runs)
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        for run in runs:
            assert _val(run.rPr, "w:sz") == "28"
            assert run.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体"


def test_xml_special_characters_survive(template, example, tmp_path):
    values = {**example, "基本信息": {**example["基本信息"], "报告人": "A&B<C>\"D\"'E'"}}
    path = template.render_docx(values, tmp_path / "x.docx")
    assert "镇长　A&B<C>\"D\"'E'" in [p.text for p in docx.Document(str(path)).paragraphs]


def test_draft_highlights_missing_values_and_marks_filled_ones(template, example, tmp_path):
    partial = {g: dict(d) for g, d in example.items()}
    del partial["经济发展"]["签约新项目"]
    path = template.render_docx(partial, tmp_path / "draft.docx", draft=True, mark_values=True)
    runs = [r for p in docx.Document(str(path)).paragraphs for r in p.runs]
    missing = [r for r in runs if _val(r._r.rPr, "w:highlight") == "yellow"]
    assert [r.text for r in missing] == ["【签约新项目数】"]
    marked = [r.text for r in runs if _val(r._r.rPr, "w:highlight") == "cyan"]
    assert str(example["经济发展"]["财税收入"]) in marked


def test_package_says_what_it_is_and_is_readable_by_others(example_docx, document):
    import stat
    import zipfile

    assert not [n for n in zipfile.ZipFile(example_docx).namelist() if "thumbnail" in n]
    properties = document.core_properties
    assert properties.title == "艾城镇人民政府工作报告" and properties.author == ""
    assert properties.language == "zh-CN" and properties.created.year >= 2025
    assert stat.S_IMODE(example_docx.stat().st_mode) & 0o044  # not mkstemp's private 0600


def _entries(data: bytes) -> dict[str, bytes]:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.testzip() is None  # every entry's CRC checks out
        return {name: package.read(name) for name in package.namelist()}


def test_reports_share_the_prepared_parts_and_differ_in_their_own(template, example):
    other = {**example, "基本信息": {**example["基本信息"], "镇名": "青溪"}}
    first, second = _entries(template.render_bytes(example)), _entries(template.render_bytes(other))
    assert first.keys() == second.keys()
    changed = {name for name in first if first[name] != second[name]}
    assert changed == {"word/document.xml", "docProps/core.xml"}
    assert "青溪镇人民政府工作报告" in second["docProps/core.xml"].decode()
    assert "青溪" in second["word/document.xml"].decode() and "青溪" not in first["word/document.xml"].decode()


def test_package_parts_and_content_types_agree(template, example):
    import xml.etree.ElementTree as ET

    entries = _entries(template.render_bytes(example))
    assert next(iter(entries)) == "[Content_Types].xml"  # readers look for it first
    types = ET.fromstring(entries["[Content_Types].xml"])
    overrides = {e.get("PartName").lstrip("/") for e in types if e.tag.endswith("Override")}
    parts = {name for name in entries if not name.endswith(".rels") and name != "[Content_Types].xml"}
    assert overrides == parts
    for rels_name in [n for n in entries if n.endswith(".rels")]:
        folder = rels_name.replace("_rels/", "").removesuffix(".rels").rpartition("/")[0]
        for rel in ET.fromstring(entries[rels_name]):
            target = rel.get("Target")
            resolved = target if not folder else f"{folder}/{target}"
            parts_path = __import__("posixpath").normpath(resolved)
            assert parts_path in entries, (rels_name, target)


def test_styles_keep_the_defaults_and_drop_the_unused(template, example):
    styles = _entries(template.render_bytes(example))["word/styles.xml"].decode()
    assert "latentStyles" not in styles and "Heading1" not in styles
    assert 'w:styleId="Normal"' in styles and 'w:eastAsia="仿宋_GB2312"' in styles
    assert len(styles) < 5000


def _commented_zip() -> str:
    """Return, in base64, a well-formed zip whose directory does not end the file: it has a comment."""
    import base64

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.xml", "<a/>")
        archive.comment = b"edited"
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def test_the_prepared_package_is_cached_and_a_damaged_cache_is_rebuilt(template, example, tmp_path, monkeypatch):
    import json

    from drafter import cache, word

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    word.prepared_package.cache_clear()
    built = word._build_package("windows")
    digest = word._package_key("windows")
    file = tmp_path / "drafter" / f"docx-package-{digest}.json"
    assert not file.exists()
    assert word.prepared_package("windows") == built and file.exists()
    assert word._unpacked(cache.load("docx-package", digest)) == built
    for damage in ("", "{}", '{"static": "not base64!", "head": "", "tail": "", "core": ""}',
                   '{"static": "UEsFBg==", "head": 1, "tail": "", "core": ""}', "[1, 2]",
                   json.dumps({"static": _commented_zip(), "head": "", "tail": "", "core": ""})):
        file.write_text(damage, encoding="utf-8")
        assert word._unpacked(cache.load("docx-package", digest)) is None, damage
        word.prepared_package.cache_clear()
        assert word.prepared_package("windows") == built, damage  # rebuilt, and kept again
        assert json.loads(file.read_text(encoding="utf-8"))["head"] == built.head
    assert word._package_key("gb2312") != digest  # one file per profile
    word.prepared_package.cache_clear()


def test_a_process_renders_from_the_cache_without_python_docx(tmp_path):
    import subprocess
    import sys

    code = ("import hashlib, io, sys, zipfile, drafter, yaml; t = drafter.load_template('township-work-report'); "
            "v = yaml.safe_load(open(t.example_path, encoding='utf-8')); d = t.render_bytes(v); "
            "x = zipfile.ZipFile(io.BytesIO(d)).read('word/document.xml'); "
            "print(hashlib.sha256(x).hexdigest(), 'docx' in sys.modules)")
    env = {**__import__("os").environ, "XDG_CACHE_HOME": str(tmp_path)}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert first.stdout.split()[1] == "True" and second.stdout.split()[1] == "False"
    assert first.stdout.split()[0] == second.stdout.split()[0]  # the same document.xml either way
    assert len(list((tmp_path / "drafter").glob("docx-package-*.json"))) == 1
