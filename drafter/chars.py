"""Characters a Word document cannot hold, or a clerk cannot see: one definition for every input.

XML 1.0 (and so every .docx) can hold no C0 control but tab and line ends, no lone surrogate and
neither U+FFFE nor U+FFFF; lxml refuses them when the document is written. DEL and the C1 controls
are legal XML but print as nothing or as boxes, and U+2028, U+2029 and U+0085 are line breaks that
drafter's one-paragraph-a-line text would not see. U+E000–U+E002 are drafter's own value marks.
"""

from __future__ import annotations

import re

_XML_INVALID = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
_CONTROLS = "\x7f-\x9f"                       # DEL, and C1 with U+0085 (next line) among them
_SEPARATORS = "\u2028\u2029"
_MARKS = "\ue000-\ue002"                      # render.VALUE_START, MISSING_START, MARK_END
# Line breaks other than \n and \r: pdftotext puts \f between pages, Word exports \v for a manual
# line break; each stands where a paragraph ends.
BREAKS = re.compile("[\x0b\x0c\x85\u2028\u2029]")
# What template text and reports may not hold.
UNWRITABLE = re.compile(f"[{_XML_INVALID}{_CONTROLS}{_SEPARATORS}{_MARKS}]")
# What a value may not hold besides: other private-use characters, and the invisible ones that
# come with text copied from web pages (zero-width, direction overrides, tags, BOM).
UNSAFE_VALUE = re.compile(f"[{_XML_INVALID}{_CONTROLS}{_SEPARATORS}\ue000-\uf8ff"
                          "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
                          "\U000e0000-\U000e007f\U000f0000-\U0010ffff]")
_NAMES = {"\x00": "空字符", "\x0b": "垂直制表符", "\x0c": "换页符", "\x1b": "转义符",
          "\x7f": "删除符", "\x85": "下一行符", "\u2028": "行分隔符", "\u2029": "段落分隔符"}


def describe(char: str) -> str:
    """Return `char` as a clerk can look it up: its code point and, for the common ones, its name."""
    code = f"U+{ord(char):04X}"
    if char in _NAMES:
        return f"{code}，{_NAMES[char]}"
    if char < "\x20" or "\x80" <= char <= "\x9f":
        return f"{code}，控制字符"
    return code


def first_unwritable(text: str) -> tuple[int, str] | None:
    """Return the line (1-based) and character of the first character in `text` no .docx can hold."""
    found = UNWRITABLE.search(text)
    if found is None:
        return None
    return text.count("\n", 0, found.start()) + 1, found.group()
