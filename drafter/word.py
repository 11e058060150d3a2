"""Word files: blocks + a font profile → a GB/T 9704-2012 .docx, and .docx → paragraph texts.

The only module that imports docx.

Layout numbers follow GBT9704.md (shared layout spec): twips for page geometry, half-points for sizes.
Paragraphs are written as XML with every property in the schema order Word insists on.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import cache, tables
from .errors import ReportError
from .layout import Block, Cell, Row, Segment
from .layout import Table as LaidTable
from .tables import estimate_lines

if TYPE_CHECKING:  # python-docx and lxml load only when a package is prepared or a report read
    import docx.document
    from docx.blkcntnr import BlockItemContainer
    from docx.oxml.xmlchemy import BaseOxmlElement

PROFILES: dict[str, dict[str, str]] = {
    # Government PCs carry the GB2312 fonts and 方正小标宋 named by local 公文 rules.
    "gb2312": {"fang": "仿宋_GB2312", "kai": "楷体_GB2312", "hei": "黑体",
               "title": "方正小标宋简体", "song": "宋体"},
    # Every Chinese Windows since Vista ships these four; 宋体 stands in for 小标宋.
    "windows": {"fang": "仿宋", "kai": "楷体", "hei": "黑体", "title": "宋体", "song": "宋体"},
}
LATIN = "Times New Roman"
PAGE = {"w": 11906, "h": 16838, "top": 2098, "bottom": 1984, "left": 1587, "right": 1474,
        "header": 851, "footer": 1361}  # footer 24 mm: the dash 7 mm below the type area
LINE = 579          # exact 28.95 pt: 22 lines fill the 225 mm type area
BODY_SIZE = 32      # 三号 16 pt
TITLE_SIZE = 44     # 二号 22 pt
FOOTER_SIZE = 28    # 四号 14 pt
TRACKING = -5       # -0.25 pt a character: 28 characters of 三号 per 156 mm line
INDENT = 640        # two 三号 characters
HIGHLIGHT = {"missing": "yellow", "value": "cyan"}
OUTLINE = {"h1": 0, "h2": 1, "h3": 2, "h4": 3}
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCUMENT_PART, CORE_PART = "word/document.xml", "docProps/core.xml"
# The record of which anchor is which variable: a custom XML part, which Word, WPS and LibreOffice
# keep when they save, and which nothing shows.
ANCHORS_PART, ANCHORS_NS = "customXml/item1.xml", "urn:drafter:anchors:1"
_ANCHORS_PROPS = ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
                  '<ds:datastoreItem ds:itemID="{5B0D7A9E-3C1F-4E2A-9D6B-8A4C2E1F0D37}" '
                  'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml">'
                  f'<ds:schemaRefs><ds:schemaRef ds:uri="{ANCHORS_NS}"/></ds:schemaRefs></ds:datastoreItem>')
BOOKMARK_PREFIX = "_drafter"  # a leading underscore hides a bookmark in Word's bookmark list
_TITLE, _TIME = "\ue000title\ue000", "2000-01-01T00:00:00Z"  # stand-ins filled per report


@dataclass(frozen=True)
class Package:
    """Everything of a .docx that is the same in every report of one font profile, prepared once.

    `static` is a zip of every part but the document and its core properties, deflated once;
    `head` and `tail` are document.xml around the paragraphs (namespaces; sectPr); `core` is
    core.xml with stand-ins for the title and the time.
    """

    static: bytes
    head: str
    tail: str
    core: str


def write_docx(blocks: Sequence[Block], *, profile: str = "gb2312", bold_h3: bool = True,
               template: str = "", labels: Mapping[str, str] | None = None,
               lists: Mapping[str, int] | None = None) -> bytes:
    """Return the bytes of a .docx holding `blocks`, laid out per GB/T 9704 with `profile` fonts.

    Each filled-in value (a segment with a key) is anchored by a hidden bookmark around it; a
    custom XML part records the `template` name, each bookmark's variable and label (from
    `labels`) and, for a list item's cell, the item's number, and each list's number of items
    (`lists`). Nothing of it shows on the page, in print or in Word's bookmark list.
    """
    package = prepared_package(profile)
    fonts = PROFILES[profile]
    anchors = _Anchors(labels or {}, lists or {})
    # Bytes, not text: the markup is encoded once and kept, and only the report's words are
    # encoded per report, where encoding the whole document would cost a tenth of it.
    parts = [_encoded(package.head)]
    parts += [_table(block.table, fonts, last=_ends_table(blocks, index), anchors=anchors)
              if block.table is not None
              else _paragraph(block, _run_starts(profile, block.kind, bold_h3), anchors)
              for index, block in enumerate(blocks)]
    parts.append(_encoded(package.tail))
    titles = [block.text.replace("\n", "") for block in blocks if block.kind == "title"]
    now = dt.datetime.now(dt.timezone.utc)
    core = (package.core.replace(_TITLE, escape(titles[0][:255] if titles else ""))  # OOXML's limit
            .replace(_TIME, now.strftime("%Y-%m-%dT%H:%M:%SZ")))
    return assemble(package, b"".join(parts), core, now, anchors=anchors.record(template))


class _Anchors:
    """The anchors of one document: numbered as they are written, and their record."""

    def __init__(self, labels: Mapping[str, str], lists: Mapping[str, int] | None = None) -> None:
        self.labels = labels
        self.lists = lists or {}
        self.keys: list[str] = []

    def open(self, key: str) -> tuple[bytes, bytes]:
        """Return the start and the end of the bookmark around one value, numbered in document order.

        Not a content control: python-docx (and what is built on it) does not see the text of
        runs inside `w:sdt`, and LibreOffice drops a control's tag and title when it saves.
        """
        self.keys.append(key)
        return _bookmark(len(self.keys))

    def record(self, template: str) -> str:
        """Return the custom XML part: the template's name, each bookmark's variable, label and
        item (a list item's cell: key 组.名称.列 and item="2"), and each list's number of items."""
        labels = self.labels
        rows = []
        for number, anchor in enumerate(self.keys, start=1):
            label = labels.get(anchor)  # a plain value's key is its anchor; a list cell's is not
            if label is None:
                key, _ = tables.split_item_anchor(anchor)
                label = labels.get(key, key)
            rows.append(_anchor_row(number, anchor, label))
        rows += [f'<list key="{escape(key)}" items="{count}"/>' for key, count in self.lists.items()]
        return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<drafter xmlns="{ANCHORS_NS}" template="{escape(template)}">{"".join(rows)}</drafter>')


@functools.lru_cache(maxsize=4096)
def _bookmark(number: int) -> tuple[bytes, bytes]:
    """Return the start and end of bookmark `number`: the same in every report, made once."""
    return (f'<w:bookmarkStart w:id="{number}" w:name="{BOOKMARK_PREFIX}{number}"/>'.encode(),
            f'<w:bookmarkEnd w:id="{number}"/>'.encode())


@functools.lru_cache(maxsize=8)
def _encoded(text: str) -> bytes:
    return text.encode("utf-8")


@functools.lru_cache(maxsize=4096)
def _anchor_row(number: int, anchor: str, label: str) -> str:
    """Return the record of anchor `number`: its variable's key, its item (a list cell), its label.

    Kept: the same template gives the same rows report after report.
    """
    key, item = tables.split_item_anchor(anchor)
    return (f'<anchor name="{BOOKMARK_PREFIX}{number}" key="{escape(key)}" '
            + (f'item="{item}" ' if item is not None else "") + f'label="{escape(label)}"/>')


def assemble(package: Package, document: str | bytes, core: str, when: dt.datetime, *,
             anchors: str = "") -> bytes:
    """Return `package`'s static parts with `document`, `core` and `anchors` added: a whole .docx.

    The static parts' compressed bytes are copied as they are, so a report costs the deflate of
    its own parts only. The zip is laid out here rather than by zipfile, which appending would
    make read the prepared zip's directory again for every report.
    """
    anchors = anchors or _Anchors({}).record("")
    local, directory, count = _static_zip(package.static)
    day = (when.year - 1980) << 9 | when.month << 5 | when.day
    clock = when.hour << 11 | when.minute << 5 | when.second // 2
    out, entries = [local], [directory]
    offset = len(local)
    # Only the document is deflated per report, at zlib's default as the whole package is. core.xml
    # (600 bytes) is stored, which costs nothing; the anchor record is the same report after report
    # of one template (the values change, not their places), so its deflate is kept.
    for name, (packed, method, crc, size) in ((DOCUMENT_PART, _deflated(_as_bytes(document), -1)),
                                               (CORE_PART, _stored(core.encode("utf-8"))),
                                               (ANCHORS_PART, _kept_deflated(anchors.encode("utf-8"), 1))):
        path = name.encode("ascii")
        sums = (crc, len(packed), size, len(path))
        header = _LOCAL_HEADER.pack(b"PK\3\4", 20, 0, method, clock, day, *sums, 0)
        out += [header, path, packed]
        entries += [_CENTRAL_HEADER.pack(b"PK\1\2", 20, 3, 20, 0, 0, method, clock, day, *sums,
                                         0, 0, 0, 0, 0, offset), path]
        offset += _LOCAL_HEADER.size + len(path) + len(packed)
    directory_size = sum(map(len, entries))
    out += entries
    out.append(_END_RECORD.pack(b"PK\5\6", 0, 0, count + 3, count + 3, directory_size, offset, 0))
    return b"".join(out)


def _as_bytes(text: str | bytes) -> bytes:
    return text if isinstance(text, bytes) else text.encode("utf-8")


def _deflated(data: bytes, level: int) -> tuple[bytes, int, int, int]:
    """Return `data` as a zip entry holds it, raw-deflated at `level`: bytes, method, CRC, size."""
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(), zipfile.ZIP_DEFLATED, zlib.crc32(data), len(data)


def _stored(data: bytes) -> tuple[bytes, int, int, int]:
    """Return `data` as a zip entry holds it uncompressed: bytes, method, CRC, size."""
    return data, zipfile.ZIP_STORED, zlib.crc32(data), len(data)


_kept_deflated = functools.lru_cache(maxsize=16)(_deflated)


# The zip records of APPNOTE 4.3.7, 4.3.12 and 4.3.16, as zipfile writes them (no zip64: a report
# is far below 4 GB).
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_CENTRAL_HEADER = struct.Struct("<4s4B4H3L5H2L")
_END_RECORD = struct.Struct("<4s4H2LH")


@functools.lru_cache(maxsize=8)
def _static_zip(static: bytes) -> tuple[bytes, bytes, int]:
    """Return the prepared zip's entries, its central directory and its number of entries."""
    _, _, _, _, count, size, start, _ = _END_RECORD.unpack(static[-_END_RECORD.size:])
    return static[:start], static[start:start + size], count


@functools.cache
def prepared_package(profile: str) -> Package:
    """Return the static parts of a report in font `profile`, built once per process.

    A process that renders one report would spend most of its time importing python-docx to
    build them, so they are also kept in the user's cache folder, under a name that changes with
    this module's source and python-docx's files.
    """
    digest = _package_key(profile)
    package = _unpacked(cache.load(_CACHE_KIND, digest)) if digest else None
    if package is None:
        package = _build_package(profile)
        if digest:
            cache.store(_CACHE_KIND, digest, _packed(package))
    return package


_CACHE_KIND = "docx-package"


def _package_key(profile: str) -> str:
    return cache.key(profile, modules=("word",), libraries=("docx",))


def _packed(package: Package) -> dict[str, str]:
    import base64

    return {"static": base64.b64encode(package.static).decode("ascii"), "head": package.head,
            "tail": package.tail, "core": package.core}


def _unpacked(data: object) -> Package | None:
    """Return the package kept as `data`, or None when it is not one (damaged, or edited by hand)."""
    import base64

    try:
        package = Package(base64.b64decode(data["static"], validate=True), data["head"],  # type: ignore[index]
                          data["tail"], data["core"])  # type: ignore[index]
    except (ValueError, KeyError, TypeError):
        return None
    if not all(isinstance(text, str) for text in (package.head, package.tail, package.core)):
        return None
    try:
        zipfile.ZipFile(io.BytesIO(package.static)).close()
    except zipfile.BadZipFile:
        return None
    end = package.static[-_END_RECORD.size:]
    if end[:4] != b"PK\5\6" or end[-2:] != b"\0\0":
        return None  # a zip with a comment: assemble reads the directory from the last 22 bytes
    return package


def _build_package(profile: str) -> Package:
    import docx
    from docx.oxml.ns import qn

    fonts = PROFILES[profile]
    document = docx.Document()
    _set_defaults(document, fonts)
    _set_section(document)
    _set_footers(document, fonts)
    _set_properties(document)
    _add_anchors_part(document)
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    saved = io.BytesIO()
    document.save(saved)
    static = io.BytesIO()
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(static, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename not in (DOCUMENT_PART, CORE_PART, ANCHORS_PART):
                content = source.read(info.filename)
                if info.filename == "[Content_Types].xml":  # every part named, none left to a Default
                    override = f'<Override PartName="/{ANCHORS_PART}" ContentType="application/xml"/>'
                    content = content.replace(b"</Types>", override.encode() + b"</Types>")
                info.date_time = (1980, 1, 1, 0, 0, 0)  # not the time it was built: one package a profile
                target.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED)
        xml = source.read(DOCUMENT_PART).decode("utf-8")
        core = source.read(CORE_PART).decode("utf-8")
    open_body = xml.index("<w:body>") + len("<w:body>")
    sect = xml.index("<w:sectPr", open_body)
    return Package(static.getvalue(), xml[:open_body], xml[sect:], core)


def _set_defaults(document: docx.document.Document, fonts: dict[str, str]) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    defaults.getparent().replace(defaults, parse_xml(
        f"<w:docDefaults {nsdecls('w')}><w:rPrDefault><w:rPr>"
        f"{_fonts(fonts['fang'])}<w:sz w:val=\"{BODY_SIZE}\"/><w:szCs w:val=\"{BODY_SIZE}\"/>"
        "<w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault>"
        "<w:pPrDefault><w:pPr><w:widowControl w:val=\"0\"/>"
        f"<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"{LINE}\" w:lineRule=\"exact\"/>"
        "</w:pPr></w:pPrDefault></w:docDefaults>"))
    # The report names no style: keep the defaults (Normal, the default run and table styles) and
    # drop python-docx's 160 others and its 340 KB of latent styles, which only made the file big.
    for element in list(styles):
        if element.tag == qn("w:latentStyles") or (
                element.tag == qn("w:style") and element.get(qn("w:default")) != "1"):
            styles.remove(element)
    # Theme fonts override explicit names and point CJK text at a Japanese face: drop them all.
    for element in styles.iter(qn("w:rFonts")):
        for attribute in [a for a in element.attrib if a.endswith("Theme") or a.endswith("theme")]:
            del element.attrib[attribute]
    # The template also carries stylesWithEffects, Word 2010's copy of its styles with Calibri and
    # the theme fonts in them; its list numbering names styles just dropped, and its customXml is
    # an empty bibliography: nothing needs them, so they go rather than contradict styles.xml.
    for rel_id, rel in list(document.part.rels.items()):
        if rel.reltype.rsplit("/", 1)[-1] in ("stylesWithEffects", "numbering", "customXml"):
            document.part.drop_rel(rel_id)
    # The template's thumbnail is a picture of an empty page: Explorer would show it for the report.
    package_rels = document.part.package.rels
    for rel_id, rel in list(package_rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package_rels[rel_id]
    settings = document.settings.element
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")
    document.settings.odd_and_even_pages_header_footer = True


def _set_properties(document: docx.document.Document) -> None:
    # python-docx's template says it was written by "python-docx" in 2013; say what this is instead.
    properties = document.core_properties
    properties.title = _TITLE
    properties.author = properties.last_modified_by = ""
    properties.comments = "drafter"
    properties.language = "zh-CN"
    properties.created = properties.modified = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
    properties.revision = 1


def _add_anchors_part(document: docx.document.Document) -> None:
    """Relate the custom XML part (written per report) and its properties to the document."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    package = document.part.package
    item = Part(PackURI("/" + ANCHORS_PART), "application/xml", b"", package)
    props = Part(PackURI("/customXml/itemProps1.xml"),
                 "application/vnd.openxmlformats-officedocument.customXmlProperties+xml",
                 _ANCHORS_PROPS.encode("utf-8"), package)
    item.relate_to(props, RT.CUSTOM_XML_PROPS)
    document.part.relate_to(item, RT.CUSTOM_XML)


def _set_section(document: docx.document.Document) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn
    from docx.shared import Twips

    section = document.sections[0]
    section.page_width, section.page_height = Twips(PAGE["w"]), Twips(PAGE["h"])
    section.top_margin, section.bottom_margin = Twips(PAGE["top"]), Twips(PAGE["bottom"])
    section.left_margin, section.right_margin = Twips(PAGE["left"]), Twips(PAGE["right"])
    section.header_distance, section.footer_distance = Twips(PAGE["header"]), Twips(PAGE["footer"])
    sect_pr = section._sectPr
    for grid in sect_pr.findall(qn("w:docGrid")):
        sect_pr.remove(grid)
    # docGrid must be the last child of sectPr; Word's page setup then reports 22 lines.
    sect_pr.append(parse_xml(f'<w:docGrid {nsdecls("w")} w:type="lines" w:linePitch="{LINE}"/>'))


def escape(text: str) -> str:
    """Return `text` with the characters XML reserves in text and attribute values escaped."""
    if "&" in text or "<" in text or ">" in text or '"' in text:  # seldom: most text is returned as is
        return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace('"', "&quot;"))
    return text


def _fonts(east_asia: str) -> str:
    return (f'<w:rFonts w:ascii="{LATIN}" w:hAnsi="{LATIN}" w:eastAsia="{escape(east_asia)}" '
            f'w:cs="{LATIN}" w:hint="eastAsia"/>')


def _run_start(font: str, size: int, bold: bool, mark: str | None) -> bytes:
    """Return a run up to its text: the run, its properties, the opening of its text."""
    props = [_fonts(font)]
    if bold:
        props.append("<w:b/><w:bCs/>")
    if size == BODY_SIZE:
        props.append(f'<w:spacing w:val="{TRACKING}"/>')
    props.append(f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>')
    if mark:
        props.append(f'<w:highlight w:val="{HIGHLIGHT[mark]}"/>')
    props.append('<w:lang w:val="en-US" w:eastAsia="zh-CN"/>')
    return ('<w:r><w:rPr>' + "".join(props) + '</w:rPr><w:t xml:space="preserve">').encode()


def _paragraph(block: Block, starts: Mapping[tuple[bool, str | None], bytes],
               anchors: _Anchors | None) -> bytes:
    """Return the paragraph of `block`, each run begun as `starts` says for its lead and mark."""
    return b"".join((b"<w:p>", _paragraph_properties(block.kind, block.standalone),
                     _anchored(block.segments, anchors, starts), b"</w:p>"))


@functools.lru_cache(maxsize=64)
def _paragraph_properties(kind: str, standalone: bool) -> bytes:
    centred = kind in ("title", "caption")
    indent = 0 if centred or kind == "salutation" else INDENT
    props = []
    if standalone:
        props.append("<w:keepNext/>")
    # overflowPunct=1 is Word's default (a closing mark may hang past the margin). LibreOffice reads
    # it inverted and then moves the last character down instead; left to its own default it hangs
    # the mark and, in a justified line, drops it from the page (LibreOffice 7.4, see test_office).
    props.append('<w:widowControl w:val="0"/><w:overflowPunct w:val="1"/><w:autoSpaceDE w:val="0"/>'
                 '<w:autoSpaceDN w:val="0"/><w:snapToGrid w:val="0"/>')
    props.append(f'<w:spacing w:before="0" w:after="0" w:line="{LINE}" w:lineRule="exact"/>')
    props.append(f'<w:ind w:firstLine="{indent}"/>' if indent else '<w:ind w:firstLine="0"/>')
    props.append(f'<w:jc w:val="{"center" if centred else "left" if kind == "salutation" else "both"}"/>')
    if standalone:
        props.append(f'<w:outlineLvl w:val="{OUTLINE[kind]}"/>')
    return f"<w:pPr>{''.join(props)}</w:pPr>".encode()


def _anchored(segments: Sequence[Segment], anchors: _Anchors | None,
              starts: Mapping[tuple[bool, str | None], bytes]) -> bytes:
    """Return the runs of `segments`, each begun as `starts` says for its lead and mark, each
    value's runs inside its bookmark (the segments of one value cut at a title's line break share one)."""
    out: list[bytes] = []
    append = out.append
    open_key, open_piece, end = None, -1, b""
    for text, lead, mark, key, piece in segments:
        if anchors is not None and (key != open_key or piece != open_piece):
            if end:
                append(end)
                end = b""
            open_key, open_piece = key, piece
            if key:
                begin, end = anchors.open(key)
                append(begin)
        append(starts[lead, mark])
        # Most runs have nothing to escape and no line break: looked for here, not in a call a run.
        if "&" in text or "<" in text or ">" in text or '"' in text or "\n" in text:
            text = _LINE_BREAK.join(map(escape, text.split("\n")))
        append(text.encode("utf-8"))
        append(_RUN_END)
    if end:
        append(end)
    return b"".join(out)


_LINE_BREAK = '</w:t><w:br/><w:t xml:space="preserve">'
_RUN_END = b"</w:t></w:r>"


@functools.lru_cache(maxsize=64)
def _plain_starts(font: str, size: int) -> dict[tuple[bool, str | None], bytes]:
    """Return how each run begins in `font` and `size`, by lead and mark: all alike but the mark."""
    return {(lead, mark): _run_start(font, size, False, mark) for lead in (False, True)
            for mark in (None, *HIGHLIGHT)}


@functools.lru_cache(maxsize=64)
def _run_starts(profile: str, kind: str, bold_h3: bool) -> dict[tuple[bool, str | None], bytes]:
    """Return how each run of a paragraph of `kind` begins, by whether it is the run-in heading
    (lead) and by its mark: the fonts, size and weight of GB/T 9704 for that kind."""
    fonts = PROFILES[profile]
    starts = {}
    for lead in (False, True):
        font, size, bold = fonts["fang"], BODY_SIZE, False
        if kind == "title":
            font, size, bold = fonts["title"], TITLE_SIZE, profile == "windows"
        elif kind == "caption":
            font = fonts["kai"]
        elif lead and kind == "h1":
            font = fonts["hei"]
        elif lead and kind == "h2":
            font = fonts["kai"]
        elif lead and kind == "h3":
            bold = bold_h3
        for mark in (None, *HIGHLIGHT):
            starts[lead, mark] = _run_start(font, size, bold, mark)
    return starts


def _set_footers(document: docx.document.Document, fonts: dict[str, str]) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    section = document.sections[0]
    # Odd pages: number at the right, one character in; even pages: at the left (GB/T 9704 7.5).
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        footer.is_linked_to_previous = False
        element = footer._element
        for paragraph in element.findall(qn("w:p")):
            element.remove(paragraph)
        element.append(parse_xml(_page_number(fonts["song"], side)))


def _page_number(font: str, side: str) -> str:
    def run(inner: str) -> str:
        return (f"<w:r><w:rPr>{_fonts(font)}<w:sz w:val=\"{FOOTER_SIZE}\"/>"
                f"<w:szCs w:val=\"{FOOTER_SIZE}\"/></w:rPr>{inner}</w:r>")

    # The field is split over separate runs: in one run LibreOffice loses its font and size.
    field = (run('<w:fldChar w:fldCharType="begin"/>')
             + run('<w:instrText xml:space="preserve"> PAGE </w:instrText>')
             + run('<w:fldChar w:fldCharType="separate"/>') + run("<w:t>1</w:t>")
             + run('<w:fldChar w:fldCharType="end"/>'))
    before = run('<w:t xml:space="preserve">— </w:t>')
    after = run('<w:t xml:space="preserve"> —</w:t>')
    return (f'<w:p xmlns:w="{W_NS}"><w:pPr><w:widowControl w:val="0"/><w:snapToGrid w:val="0"/>'
            f'<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
            f'<w:ind w:{side}="280"/><w:jc w:val="{side}"/></w:pPr>{before}{field}{after}</w:p>')


# --- tables -------------------------------------------------------------------------------------

AREA_WIDTH = PAGE["w"] - PAGE["left"] - PAGE["right"]  # the type area, 156 mm
CELL_MARGIN = 85     # 1.5 mm of space left and right of a cell's text
BORDER = 4           # eighths of a point: 0.5 pt lines
LINE_HEIGHT = 1.45   # a single-spaced line of CJK text, in ems (Noto CJK; SimSun and FangSong less)


def _ends_table(blocks: Sequence[Block], index: int) -> bool:
    """Return True when nothing but another table without a caption (or the end) follows block `index`.

    Word joins two tables with nothing between them into one, and wants a paragraph at the end.
    """
    after = blocks[index + 1] if index + 1 < len(blocks) else None
    return after is None or (after.table is not None and not after.table.caption)


def column_widths(table: LaidTable) -> tuple[int, ...]:
    """Return the widths of `table`'s columns in twips: its relative widths across the type area."""
    total = sum(table.widths)
    widths = [AREA_WIDTH * w // total for w in table.widths]
    widths[-1] += AREA_WIDTH - sum(widths)
    return tuple(widths)


def _table(table: LaidTable, fonts: dict[str, str], *, last: bool, anchors: _Anchors | None = None) -> bytes:
    """Return the XML of `table`: its caption paragraph (if any), the w:tbl, and a paragraph after
    it when `last` (Word needs one there).

    The table fills the type area, centred, with a w:tblGrid (WPS draws tables wrongly without
    one), 0.5 pt single borders, header rows repeated on each page and no row split across pages.
    Each row is a whole number of body lines high, so the text after the table is back on the grid.
    """
    out = []
    if table.caption:
        runs = _anchored(table.caption, anchors, _plain_starts(fonts["hei"], BODY_SIZE))
        out.append('<w:p><w:pPr><w:keepNext/><w:widowControl w:val="0"/>'
                   f'<w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" w:line="{LINE}" '
                   f'w:lineRule="exact"/><w:ind w:firstLine="0"/><w:jc w:val="center"/></w:pPr>'.encode()
                   + runs + b"</w:p>")
    widths = column_widths(table)
    edges = "".join(f'<w:{side} w:val="single" w:sz="{BORDER}" w:space="0" w:color="000000"/>'
                    for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    rows = b"".join(_table_row(row, widths, table.size, fonts, anchors) for row in table.rows)
    out.append(f"<w:tbl><w:tblPr><w:tblW w:w=\"{AREA_WIDTH}\" w:type=\"dxa\"/>"
               f"<w:jc w:val=\"center\"/><w:tblBorders>{edges}</w:tblBorders><w:tblLayout w:type=\"fixed\"/>"
               f"<w:tblCellMar><w:left w:w=\"{CELL_MARGIN}\" w:type=\"dxa\"/>"
               f"<w:right w:w=\"{CELL_MARGIN}\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr>"
               f"<w:tblGrid>{grid}</w:tblGrid>".encode() + rows + b"</w:tbl>")
    if last:
        out.append(_paragraph(Block("blank", ()), {}, None))
    return b"".join(out)


def _table_row(row: Row, widths: tuple[int, ...], size: int, fonts: dict[str, str],
               anchors: _Anchors | None) -> bytes:
    cells, column, lines = [], 0, 1
    for cell in row.cells:
        width = sum(widths[column:column + cell.span])
        column += cell.span
        if cell.merge is None:  # a merged cell's text spreads over its rows
            usable = (width - 2 * CELL_MARGIN) / (size * 10)
            lines = max(lines, estimate_lines("".join(s.text for s in cell.segments), usable))
        cells.append(_table_cell(cell, width, size, fonts["hei" if row.header else "fang"], anchors))
    height = max(1, math.ceil(lines * size * 10 * LINE_HEIGHT / LINE)) * LINE
    header = "<w:tblHeader/>" if row.header else ""
    return (f'<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val="{height}" w:hRule="atLeast"/>{header}</w:trPr>'
            .encode() + b"".join(cells) + b"</w:tr>")


def _table_cell(cell: Cell, width: int, size: int, font: str, anchors: _Anchors | None) -> bytes:
    props = [f'<w:tcW w:w="{width}" w:type="dxa"/>']
    if cell.span > 1:
        props.append(f'<w:gridSpan w:val="{cell.span}"/>')
    if cell.merge == "restart":
        props.append('<w:vMerge w:val="restart"/>')
    elif cell.merge == "continue":
        props.append("<w:vMerge/>")
    props.append('<w:vAlign w:val="center"/>')
    runs = _anchored(cell.segments, anchors, _plain_starts(font, size))
    # Single line spacing: the body's exact 28.95 pt lines would clip smaller text in a row.
    head = (f'<w:tc><w:tcPr>{"".join(props)}</w:tcPr>'
            '<w:p><w:pPr><w:widowControl w:val="0"/><w:autoSpaceDE w:val="0"/>'
            '<w:autoSpaceDN w:val="0"/><w:snapToGrid w:val="0"/>'
            '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
            f'<w:ind w:firstLine="0"/><w:jc w:val="{_JC[cell.align]}"/>'
            f'<w:rPr><w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr></w:pPr>')
    return head.encode() + runs + b"</w:p></w:tc>"


_JC = {"left": "left", "center": "center", "right": "right"}


def read_report(data: bytes, *, file: str) -> list[str]:
    """Return the paragraphs of the .docx report in `data`, one line each, in document order.

    A table becomes a table block of template.txt (【表格】 … 【表格完】, see tables.py): its rows
    with merged cells as `<` and `^`, its header rows above `|---|`, its column widths, and the
    paragraph right before it as its caption when that reads 表1 …; a cell's paragraphs are
    joined by a space, nested tables included. Content controls read like plain text. Raise
    ReportError, naming `file`, when `data` is not a Word document python-docx can open.
    """
    document = _open(data, file=file)
    lines: list[str] = []
    for text in _texts(document.element.body, document._body):
        # A manual line break inside a Chinese paragraph only wraps it; the words run on.
        text = text.replace("\n", "")
        if text == tables.OPEN and lines and _CAPTION.fullmatch(lines[-1].strip()):
            text += lines.pop().strip()
        lines.append(text)
    return lines


# 表1 …, 附表2：…, 表 3-1　… : the paragraph right before a table that names it.
_CAPTION = re.compile(r"(?:附)?表\s*[0-9０-９一二三四五六七八九十]+(?:[-－.．][0-9０-９]+)?"
                      r"(?:[\s\u3000：:]+\S.{0,40})?")


def _open(data: bytes, *, file: str) -> docx.document.Document:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.oxml.ns import qn

    if data.startswith(_OLE):
        raise ReportError("这是加密（设了密码）的 Word 文档，或改了扩展名的旧版 .doc 文件，drafter 读不了。",
                          file=file, hint=_RESAVE)
    _check_package(data, file)
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, SyntaxError, PackageNotFoundError) as err:
        # Not a zip, a zip without Word parts, another Office file, or broken XML inside.
        raise ReportError("无法作为 Word 文档打开（不是 .docx 文件，或文件已损坏）。", file=file,
                          hint=_RESAVE) from err
    root = document.element
    if root.tag != qn("w:document") or root.find(qn("w:body")) is None:
        raise ReportError("Word 文档中没有正文（文件已损坏）。", file=file, hint=_RESAVE)
    return document


_OLE = b"\xd0\xcf\x11\xe0"  # an encrypted .docx is an OLE compound file, as a .doc is
_RESAVE = "请用 Word 或 WPS 打开后“另存为”.docx（不设密码）；也可以另存为 .txt 文本再试。"
MAX_PART_BYTES = 64_000_000      # one part unpacked: document.xml of a long report is a few MB
MAX_PACKAGE_BYTES = 256_000_000  # all parts unpacked, pictures included
MAX_PARTS = 10_000
_WORD_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


def _check_package(data: bytes, file: str) -> None:
    """Raise ReportError unless `data` is a zip whose parts all unpack, within the size limits.

    The sizes the zip declares are checked first, then every part is unpacked as a stream that
    stops at its declared size (zipfile's own limit; a lying header then fails its CRC), so a zip
    bomb is refused at once and a damaged, encrypted or Deflate64 part before python-docx sees it.
    """
    damaged = ReportError("Word 文档已损坏或已加密，drafter 读不了。", file=file, hint=_RESAVE)
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as err:
        raise ReportError("无法作为 Word 文档打开（不是 .docx 文件，或文件已损坏）。", file=file,
                          hint=_RESAVE) from err
    try:
        with package:
            parts = package.infolist()
            declared = sum(part.file_size for part in parts)
            if (len(parts) > MAX_PARTS or declared > MAX_PACKAGE_BYTES
                    or any(part.file_size > MAX_PART_BYTES for part in parts)):
                raise ReportError(f"Word 文档解压后太大（声明 {declared} 字节，上限 {MAX_PACKAGE_BYTES}），"
                                  "可能是恶意的压缩包。", file=file, hint="请检查是否选错了文件。")
            for part in parts:
                if part.flag_bits & 0x1 or part.compress_type not in _WORD_METHODS:
                    raise damaged  # encrypted, or packed in a way Word never writes (Deflate64 …)
                with package.open(part) as stream:
                    while stream.read(1 << 20):
                        pass
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as err:
        # zipfile's own words for a broken archive: bad CRC, truncated or corrupt deflate stream.
        raise damaged from err




@dataclass(frozen=True)
class Anchored:
    """What the anchors of a drafter .docx say: its template's name and the text of each value."""

    template: str | None
    texts: Mapping[str, tuple[str, ...]]  # key → the text in each of its bookmarks, in order
    cells: Mapping[tuple[str, int], str] = field(default_factory=dict)  # (组.名称.列, item) → text
    lists: Mapping[str, int] = field(default_factory=dict)  # list key → number of items


def read_anchors(data: bytes, *, file: str) -> Anchored:
    """Return the values found in the bookmarks of the .docx `data`, through its anchor record.

    A report drafter did not write, or one whose record was lost, has none. A bookmark that an
    edit emptied is left out. A list item's cell comes by its column and item number, with the
    number of items each list had.
    """
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    document = _open(data, file=file)
    names: dict[str, str] = {}
    items: dict[str, int] = {}   # bookmark name → item number, for a list item's cell
    lists: dict[str, int] = {}
    template = None
    for part in document.part.package.iter_parts():
        if str(part.partname).startswith("/customXml/") and ANCHORS_NS.encode() in part.blob:
            try:
                root = parse_xml(part.blob)
            except (ValueError, SyntaxError):
                continue  # a record somebody broke: the text alignment still works
            if root.tag != f"{{{ANCHORS_NS}}}drafter":
                continue  # the record's properties part names the namespace too
            template = root.get("template")
            for entry in root:
                name, key, item = entry.get("name"), entry.get("key"), entry.get("item") or ""
                if entry.tag == f"{{{ANCHORS_NS}}}list" and key and (entry.get("items") or "").isdigit():
                    lists[key] = int(entry.get("items"))
                elif entry.tag == f"{{{ANCHORS_NS}}}anchor" and name and key:
                    names[name] = key
                    if item.isdigit():
                        items[name] = int(item)
    texts: dict[str, list[str]] = {}
    open_marks: dict[str, str] = {}  # bookmark id → name
    start, end, text = qn("w:bookmarkStart"), qn("w:bookmarkEnd"), qn("w:t")
    for element in document.element.body.iter(start, end, text):
        if element.tag == start and element.get(qn("w:name")) in names:
            open_marks[element.get(qn("w:id"))] = element.get(qn("w:name"))
            texts[element.get(qn("w:name"))] = []
        elif element.tag == end:
            open_marks.pop(element.get(qn("w:id")), None)
        elif element.tag == text:
            for name in open_marks.values():
                texts[name].append(element.text or "")
    found: dict[str, list[str]] = {}
    cells: dict[tuple[str, int], str] = {}
    for name, parts in texts.items():
        if not "".join(parts).strip():
            continue
        if name in items:
            cells[names[name], items[name]] = "".join(parts)
        else:
            found.setdefault(names[name], []).append("".join(parts))
    return Anchored(template, {key: tuple(values) for key, values in found.items()}, cells, lists)


def _texts(element: BaseOxmlElement, parent: BlockItemContainer) -> Iterator[str]:
    """Yield the text of every paragraph under body `element`, each table as a table block."""
    from docx.oxml.ns import qn

    for child in element.iterchildren():
        if child.tag == qn("w:p"):
            yield paragraph_text(child)
        elif child.tag == qn("w:tbl"):
            yield from _table_lines(child, parent)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _texts(content, parent)


def _table_lines(tbl: BaseOxmlElement, parent: BlockItemContainer) -> list[str]:
    """Return table `tbl` as the lines of a table block (without a caption yet)."""
    from docx.oxml.ns import qn

    grid = [_whole(col.get(qn("w:w"))) for col in tbl.iter(qn("w:gridCol"))
            if col.getparent().getparent() is tbl]
    rows: list[list[tuple[str, int, bool]]] = []  # per row: (text, span, continues the cell above)
    headers = 0
    for tr in tbl.tr_lst:
        cells: list[tuple[str, int, bool]] = []
        before = tr.find(f"{qn('w:trPr')}/{qn('w:gridBefore')}")
        for _ in range(min(_whole(before.get(qn("w:val"))), 64) if before is not None else 0):
            cells.append(("", 1, False))
        for tc in tr.tc_lst:
            text = " ".join(t for t in (paragraph_text(p).replace("\n", "").strip()
                                        for p in tc.iter(qn("w:p"))) if t)
            # Read from the XML, not python-docx's typed attributes, which raise on odd values.
            span = tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
            merge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
            cells.append((text, max(1, min(_whole(span.get(qn("w:val"))), 64)) if span is not None else 1,
                          merge is not None and merge.get(qn("w:val")) in (None, "continue")))
        if not cells:
            continue
        flag = tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}")
        if flag is not None and flag.get(qn("w:val"), "1") not in ("0", "false", "off") \
                and headers == len(rows):
            headers += 1
        rows.append(cells)
    if not rows:
        return []
    columns = max(len(grid), max(sum(span for _, span, _ in row) for row in rows))
    lines = [tables.OPEN]
    widths = grid + [0] * (columns - len(grid))
    if all(widths):
        total = sum(widths)
        shares = [w // math.gcd(*widths) for w in widths]  # 2 cm, 4 cm, 3 cm → 2 4 3
        if max(shares) > 100:
            shares = [max(1, min(100, round(w * 50 / total))) for w in widths]
        common = math.gcd(*shares)
        lines.append("列宽：" + " ".join(str(share // common) for share in shares))
    texts = [_row_texts(row, rows[index - 1] if index else None, columns) for index, row in enumerate(rows)]
    header_end = headers or _header_rows(rows, columns)
    while header_end < len(rows) and "^" in texts[header_end]:
        header_end += 1  # a cell merged down from the header makes its rows header rows too
    for index, cells in enumerate(texts):
        if index == header_end and index:
            lines.append("|" + "|".join("---" for _ in range(columns)) + "|")
        lines.append("| " + " | ".join(cells) + " |")
    lines.append(tables.CLOSE)
    return lines


def _whole(text: str | None) -> int:
    """Return a table measure or count written in the XML as a whole number ≥ 0, else 0.

    Word writes whole twips, but the schema also allows 1440.5 or 1in: such a width counts as
    unknown rather than stopping the reading of the report.
    """
    return int(text) if text is not None and text.isascii() and text.isdigit() else 0


def _header_rows(rows: list[list[tuple[str, int, bool]]], columns: int) -> int:
    """Return how many rows head a table that does not say: the first, and a title row above it."""
    if len(rows) < 2:
        return 0
    title = len(rows[0]) == 1 and rows[0][0][1] == columns
    return 2 if title and len(rows) > 2 else 1


def _row_texts(row: list[tuple[str, int, bool]], above: list[tuple[str, int, bool]] | None,
               columns: int) -> list[str]:
    """Return the cells of `row` in block syntax: text, `<` for each further column, `^` below."""
    starts: dict[int, int] = {}
    if above is not None:
        position = 0
        for _, span, _ in above:
            starts[position] = span
            position += span
    out: list[str] = []
    for text, span, continued in row:
        span = min(span, columns - len(out))
        if span <= 0:
            break
        if continued and starts.get(len(out)) == span:
            out.append("^")
        else:
            escaped = text.replace("|", "\\|")
            out.append("\\" + escaped if escaped in ("<", "^") else escaped)
        out += ["<"] * (span - 1)
    return out + [""] * (columns - len(out))


_INLINE = {f"{{{W_NS}}}{tag}" for tag in ("r", "hyperlink", "sdt", "sdtContent", "smartTag", "ins",
                                         "fldSimple", "customXml", "dir", "bdo")}
_TEXT = {f"{{{W_NS}}}t": None, f"{{{W_NS}}}tab": "\t", f"{{{W_NS}}}br": "\n", f"{{{W_NS}}}cr": "\n"}


def paragraph_text(paragraph: BaseOxmlElement) -> str:
    """Return the text of a `w:p` element, values in content controls included.

    python-docx's `Paragraph.text` skips runs inside a content control (`w:sdt`), which is where
    drafter puts every value; text boxes and deleted text are left out, as Word's own count does.
    """
    parts: list[str] = []

    def walk(element: BaseOxmlElement) -> None:
        for child in element.iterchildren():
            if child.tag in _TEXT:
                parts.append(child.text or "" if _TEXT[child.tag] is None else _TEXT[child.tag])
            elif child.tag in _INLINE:
                walk(child)

    walk(paragraph)
    return "".join(parts)
