"""Given proper names → figures: every place a name stands (艾城, 刘志强), all of one name one variable. Pure.

`drafter templatize --name 艾城` makes 艾城镇 `{{ 总体.镇名 }}镇` in every place. The variable is
named from the words around its places: 镇名 when 镇 follows it, 姓名 after a title (镇长　刘志强)
or before 同志, else 名称.
"""

from __future__ import annotations

import re
from collections import Counter

from .figures import Figure, ReportLines
from .placeholders import Placeholder

_PLACE_UNITS = ("镇", "乡", "村", "县", "区", "市", "社区", "街道", "公司", "集团")
_PERSON_BEFORE = re.compile(r"(?:镇长|乡长|县长|市长|区长|书记|主任|主席|局长|代表|委员|同志|报告人|发言人)"
                            r"[：:\s\u3000]*$")


def find_names(text: str, names: tuple[str, ...], *,
               taken: tuple[tuple[int, int], ...] = ()) -> tuple[Figure, ...]:
    """Return every occurrence of each of `names` in `text` as a figure; all of one name are one variable.

    Longer names win where names overlap (艾城镇 before 艾城); places inside a span of `taken`
    (blanks already found) are skipped. Each name gets a variable name from what follows or
    precedes it: 镇名 for 艾城(镇), 姓名 for a person (镇长　刘志强), else 名称.
    """
    spans: list[tuple[int, int, str]] = []
    occupied = bytearray(len(text))
    for start, end in taken:
        occupied[start:end] = b"\x01" * (end - start)
    for name in sorted(dict.fromkeys(n for n in names if n), key=lambda n: (-len(n), n)):
        for match in re.finditer(re.escape(name), text):
            start, end = match.span()
            if not any(occupied[start:end]):
                spans.append((start, end, name))
                occupied[start:end] = b"\x01" * (end - start)
    spans.sort()
    lines = ReportLines(text)
    heads = {name: _given_name(text, [(s, e) for s, e, n in spans if n == name], name)
             for name in names if name}
    figures = []
    for start, end, name in spans:
        number = lines.number(start)
        ph = Placeholder(token=name, span=(start, end), line=number, kind="name", unit="", approx=False,
                         context=lines.context(number, start, end), before="", after="", chained=False,
                         basis="given")
        given, label = heads[name]
        figures.append(Figure(ph, name, given=given, label=label))
    return tuple(figures)


def _given_name(text: str, spans: list[tuple[int, int]], name: str) -> tuple[str, str]:
    """Return the variable name and label for a given proper name, from the words around its places."""
    units = Counter(next((u for u in _PLACE_UNITS if text.startswith(u, end)), "") for _, end in spans)
    unit = max((u for u in units if u), key=lambda u: (units[u], -_PLACE_UNITS.index(u)), default="")
    person = any(_PERSON_BEFORE.search(text, max(0, start - 8), start) or text.startswith("同志", end)
                 for start, end in spans)
    # The label is what every message, the form and compare call it: no count of places in it
    # (templatize's summary gives that).
    if person and not unit:
        return "姓名", "姓名"
    if unit:
        return f"{unit}名", f"{unit}名，不含“{unit}”字"
    return "名称", "名称"
