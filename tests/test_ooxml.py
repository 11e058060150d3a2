"""The .docx against the OOXML rules Word enforces: property element order, no theme-font leftovers.

Word refuses ("unreadable content") a pPr, rPr or sectPr whose children are out of the schema's
sequence, where LibreOffice and python-docx read them anyway; so the order is checked here, in every
XML part of the package, for each kind of paragraph and run the writer makes.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

import pytest

from drafter.layout import lay_out
from drafter.word import write_docx

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# ECMA-376 Part 1 (transitional), §17.3.1.26 CT_PPr (CT_PPrBase, then rPr, sectPr, pPrChange).
PPR = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
       "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
       "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
       "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
       "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle",
       "rPr", "sectPr", "pPrChange"]
# §17.3.2.28 CT_RPr (EG_RPrBase, then rPrChange); a paragraph mark's rPr (CT_ParaRPr) starts with
# the revision marks ins, del, moveFrom, moveTo.
RPR = ["ins", "del", "moveFrom", "moveTo", "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps",
       "smallCaps", "strike", "dstrike", "outline", "shadow", "emboss", "imprint", "noProof",
       "snapToGrid", "vanish", "webHidden", "color", "spacing", "w", "kern", "position", "sz", "szCs",
       "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang",
       "eastAsianLayout", "specVanish", "oMath", "rPrChange"]
# §17.6.17 CT_SectPr: header and footer references (in any order among themselves), then the rest.
SECTPR = ["footnotePr", "endnotePr", "type", "pgSz", "pgMar", "paperSrc", "pgBorders", "lnNumType",
          "pgNumType", "cols", "formProt", "vAlign", "noEndnote", "titlePg", "textDirection", "bidi",
          "rtlGutter", "docGrid", "printerSettings", "sectPrChange"]
ORDERS = {"pPr": PPR, "rPr": RPR, "sectPr": ["headerReference|footerReference", *SECTPR]}
THEME_FONTS = {"asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"}


def _name(tag: str) -> tuple[str, str]:
    namespace, _, local = tag[1:].partition("}")
    return namespace, local


def _rank(order: list[str]) -> dict[str, int]:
    return {name: i for i, names in enumerate(order) for name in names.split("|")}


def _parts(data: bytes) -> dict[str, ET.Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: ET.fromstring(package.read(name)) for name in package.namelist()
                if name.startswith("word/") and name.endswith(".xml") and "/theme/" not in name}


def _out_of_order(element: ET.Element) -> list[str]:
    """Return a description of each child of `element` that is unknown or out of schema order."""
    kind = _name(element.tag)[1]
    rank = _rank(ORDERS[kind])
    problems, last = [], -1
    for child in element:
        namespace, name = _name(child.tag)
        if namespace != W:
            continue  # extensions such as w14:*, which Word reads after the schema's own
        if name not in rank:
            problems.append(f"{kind} has an unknown child {name}")
        elif rank[name] < last:
            seen = [_name(c.tag)[1] for c in element]
            problems.append(f"{kind}: {name} out of order in {seen}")
        else:
            last = rank[name]
    return problems


DOCUMENTS = {
    "example": lambda t, e: write_docx(t.render_blocks(e)),
    "draft-marked": lambda t, e: write_docx(t.render_blocks(
        {g: {k: v for k, v in d.items() if k != "签约新项目"} for g, d in e.items()},
        draft=True, mark_values=True)),
    "windows": lambda t, e: write_docx(t.render_blocks(e), profile="windows"),
    "all-headings": lambda t, e: write_docx(lay_out(
        "标题\n——题注\n\n各位代表：\n一、回顾\n（一）聚焦产业。其余。\n1.工业。其余。\n（1）加强监管。其余。\n正文。")),
}


@pytest.fixture(scope="module", params=sorted(DOCUMENTS))
def document(request, template, example) -> bytes:
    return DOCUMENTS[request.param](template, example)


@pytest.fixture(scope="module")
def parts(document) -> dict[str, ET.Element]:
    return _parts(document)


def test_every_document_validates_against_the_office_schema(document, office_schema):
    office_schema(document)


def test_the_validator_catches_an_element_out_of_order(template, example, office_schema):
    data = write_docx(template.render_blocks(example))
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        entries = {name: package.read(name) for name in package.namelist()}
    run_props = b'<w:spacing w:val="-5"/><w:sz w:val="32"/>'
    assert run_props in entries["word/document.xml"]
    entries["word/document.xml"] = entries["word/document.xml"].replace(
        run_props, b'<w:sz w:val="32"/><w:spacing w:val="-5"/>', 1)
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as package:
        for name, content in entries.items():
            package.writestr(name, content)
    with pytest.raises(AssertionError, match="spacing"):
        office_schema(broken.getvalue(), "broken.docx")


def test_property_elements_are_in_schema_order(parts):
    checked = {"pPr": 0, "rPr": 0, "sectPr": 0}
    problems = []
    for name, root in parts.items():
        for kind in checked:
            for element in root.iter(f"{{{W}}}{kind}"):
                problems += [f"{name}: {p}" for p in _out_of_order(element)]
                checked[kind] += 1
    assert problems == []
    assert all(checked.values()), checked


def test_the_writers_own_blocks_are_checked(parts):
    document, styles = parts["word/document.xml"], parts["word/styles.xml"]
    assert len(list(document.iter(f"{{{W}}}sectPr"))) == 1
    assert styles.find(f"{{{W}}}docDefaults/{{{W}}}rPrDefault/{{{W}}}rPr") is not None
    assert styles.find(f"{{{W}}}docDefaults/{{{W}}}pPrDefault/{{{W}}}pPr") is not None
    footers = [name for name in parts if name.startswith("word/footer")]
    assert len(footers) == 2 and all(len(list(parts[f].iter(f"{{{W}}}rPr"))) >= 7 for f in footers)


def test_no_theme_fonts_are_left_in_any_part(parts):
    leftovers = {(name, attribute.rpartition("}")[2])
                 for name, root in parts.items() for element in root.iter()
                 for attribute in element.attrib if attribute.rpartition("}")[2] in THEME_FONTS}
    assert leftovers == set()
