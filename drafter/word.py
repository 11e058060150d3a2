"""Word files: blocks + a font profile → a GB/T 9704-2012 .docx, and .docx → paragraph texts.

The only module that imports docx.

Layout numbers follow GBT9704.md (shared layout spec): twips for page geometry, half-points for sizes.
Paragraphs are written as XML with every property in the schema order Word insists on.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from xml.sax.saxutils import escape, quoteattr

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, nsmap, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Twips
from lxml import etree

from .errors import ReportError
from .layout import Block, Segment

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


def write_docx(blocks: Sequence[Block], *, profile: str = "gb2312", bold_h3: bool = True) -> bytes:
    """Return the bytes of a .docx holding `blocks`, laid out per GB/T 9704 with `profile` fonts."""
    fonts = PROFILES[profile]
    document = docx.Document()
    _set_defaults(document, fonts)
    _set_section(document)
    body = document.element.body
    sect_pr = body.sectPr
    for block in blocks:
        xml = _paragraph(block, fonts, bold_h3=bold_h3, title_bold=profile == "windows")
        sect_pr.addprevious(parse_xml(xml))
    _set_footers(document, fonts)
    _set_properties(document, blocks)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _set_defaults(document: docx.document.Document, fonts: dict[str, str]) -> None:
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    defaults.getparent().replace(defaults, parse_xml(
        f"<w:docDefaults {nsdecls('w')}><w:rPrDefault><w:rPr>"
        f"{_fonts(fonts['fang'])}<w:sz w:val=\"{BODY_SIZE}\"/><w:szCs w:val=\"{BODY_SIZE}\"/>"
        "<w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault>"
        "<w:pPrDefault><w:pPr><w:widowControl w:val=\"0\"/>"
        f"<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"{LINE}\" w:lineRule=\"exact\"/>"
        "</w:pPr></w:pPrDefault></w:docDefaults>"))
    # Theme fonts override explicit names and point CJK text at a Japanese face: drop them all.
    for element in styles.iter(qn("w:rFonts")):
        for attribute in [a for a in element.attrib if a.endswith("Theme") or a.endswith("theme")]:
            del element.attrib[attribute]
    # The template also carries stylesWithEffects, Word 2010's copy of its styles with Calibri and
    # the theme fonts in them; nothing needs it, so it goes rather than contradict styles.xml.
    for rel_id, rel in list(document.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
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


def _set_properties(document: docx.document.Document, blocks: Sequence[Block]) -> None:
    # python-docx's template says it was written by "python-docx" in 2013; say what this is instead.
    properties = document.core_properties
    titles = [block.text.replace("\n", "") for block in blocks if block.kind == "title"]
    properties.title = titles[0][:255] if titles else ""  # the OOXML limit for core properties
    properties.author = properties.last_modified_by = ""
    properties.comments = "drafter"
    properties.language = "zh-CN"
    properties.created = properties.modified = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    properties.revision = 1


def _set_section(document: docx.document.Document) -> None:
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


def _fonts(east_asia: str) -> str:
    return (f'<w:rFonts w:ascii="{LATIN}" w:hAnsi="{LATIN}" w:eastAsia={quoteattr(east_asia)} '
            f'w:cs="{LATIN}" w:hint="eastAsia"/>')


def _run(text: str, font: str, size: int, *, bold: bool = False, mark: str | None = None) -> str:
    props = [_fonts(font)]
    if bold:
        props.append("<w:b/><w:bCs/>")
    if size == BODY_SIZE:
        props.append(f'<w:spacing w:val="{TRACKING}"/>')
    props.append(f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>')
    if mark:
        props.append(f'<w:highlight w:val="{HIGHLIGHT[mark]}"/>')
    props.append('<w:lang w:val="en-US" w:eastAsia="zh-CN"/>')
    rpr = "<w:rPr>" + "".join(props) + "</w:rPr>"
    content = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(part)}</w:t>'
                             for part in text.split("\n"))
    return f"<w:r>{rpr}{content}</w:r>"


def _paragraph(block: Block, fonts: dict[str, str], *, bold_h3: bool, title_bold: bool) -> str:
    kind = block.kind
    centred = kind in ("title", "caption")
    indent = 0 if centred or kind == "salutation" else INDENT
    props = []
    if block.standalone:
        props.append("<w:keepNext/>")
    # overflowPunct=1 is Word's default (a closing mark may hang past the margin). LibreOffice reads
    # it inverted and then moves the last character down instead; left to its own default it hangs
    # the mark and, in a justified line, drops it from the page (LibreOffice 7.4, see test_office).
    props.append('<w:widowControl w:val="0"/><w:overflowPunct w:val="1"/><w:autoSpaceDE w:val="0"/>'
                 '<w:autoSpaceDN w:val="0"/><w:snapToGrid w:val="0"/>')
    props.append(f'<w:spacing w:before="0" w:after="0" w:line="{LINE}" w:lineRule="exact"/>')
    props.append(f'<w:ind w:firstLine="{indent}"/>' if indent else '<w:ind w:firstLine="0"/>')
    props.append(f'<w:jc w:val="{"center" if centred else "left" if kind == "salutation" else "both"}"/>')
    if block.standalone:
        props.append(f'<w:outlineLvl w:val="{OUTLINE[kind]}"/>')
    runs = "".join(_segment_run(segment, kind, fonts, bold_h3=bold_h3, title_bold=title_bold)
                   for segment in block.segments)
    return f"<w:p {nsdecls('w')}><w:pPr>{''.join(props)}</w:pPr>{runs}</w:p>"


def _segment_run(segment: Segment, kind: str, fonts: dict[str, str], *, bold_h3: bool,
                 title_bold: bool) -> str:
    if kind == "title":
        return _run(segment.text, fonts["title"], TITLE_SIZE, bold=title_bold, mark=segment.mark)
    font, bold = fonts["fang"], False
    if kind == "caption":
        font = fonts["kai"]
    elif segment.lead and kind == "h1":
        font = fonts["hei"]
    elif segment.lead and kind == "h2":
        font = fonts["kai"]
    elif segment.lead and kind == "h3":
        bold = bold_h3
    return _run(segment.text, font, BODY_SIZE, bold=bold, mark=segment.mark)


def _set_footers(document: docx.document.Document, fonts: dict[str, str]) -> None:
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
    return (f'<w:p {nsdecls("w")}><w:pPr><w:widowControl w:val="0"/><w:snapToGrid w:val="0"/>'
            f'<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
            f'<w:ind w:{side}="280"/><w:jc w:val="{side}"/></w:pPr>{before}{field}{after}</w:p>')


def read_report(data: bytes, *, file: str) -> list[str]:
    """Return the paragraphs of the .docx report in `data`, one line each, in document order.

    A table's cells are read row by row, one line for each paragraph of a cell, after the text
    the table follows; a cell merged over several rows or columns is read once, nested tables
    where they stand, content controls like plain text. Raise ReportError, naming `file`, when
    `data` is not a Word document python-docx can open.
    """
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
    # A manual line break inside a Chinese paragraph only wraps it; the words run on.
    return [text.replace("\n", "") for text in _texts(root.body)]


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


def _texts(element: BaseOxmlElement) -> Iterator[str]:
    """Yield the text of every paragraph under body or cell `element`, tables and controls included."""
    for child in element.iterchildren():
        if child.tag == qn("w:p"):
            yield "".join(str(item) for item in _PARAGRAPH_TEXT(child))
        elif child.tag == qn("w:tbl"):
            for row in child.tr_lst:
                for tc in row.tc_lst:
                    if tc.vMerge != "continue":  # the rest of a vertically merged cell is empty
                        yield from _texts(tc)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _texts(content)


# python-docx's Paragraph.text (runs, and the runs of hyperlinks; tabs and breaks as \t and \n), with
# its XPath compiled once: python-docx compiles one for every paragraph and every run, which made a
# .docx of 100,000 paragraphs take half a minute.
_RUN_ITEMS = ("w:br", "w:cr", "w:noBreakHyphen", "w:ptab", "w:t", "w:tab")
_PARAGRAPH_TEXT = etree.XPath(" | ".join(f"{run}/{item}" for run in ("w:r", "w:hyperlink/w:r")
                                         for item in _RUN_ITEMS), namespaces={"w": nsmap["w"]})
