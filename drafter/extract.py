"""A finished report → the values it was written with: from its anchors, or aligned with its template.

The template is cut into sentences; each becomes a pattern of its literal words (half- and
full-width punctuation alike, any white space or line break between characters) and a typed
pattern for each value. The sentences are looked for in order through the report: one the clerk
rewrote is not found, loses only its own values, and is listed as a departure. A .docx that
drafter wrote carries each value in a bookmark (see `word`); those come first.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import convert, extract_tables, records, tables, textfile, word
from .errors import DrafterError
from .render import RAW_BRACE
from .schema import Schema, Variable

Value = str | list[str]
Item = dict[str, Value]   # a list item: column → value; a cell not recovered is absent

_SLOT = re.compile(r"\{\{\s*([^\s}]+)\s*\}\}")
_SENTENCE_END = "。！？；!?;"
# Characters a clerk types either way; each stands for its whole class.
_ALIKE = ["，,", "；;", "：:", "！!", "？?", "（(", "）)", "。.", "“”\"＂", "‘’'", "—-－―",
          "%％", "、", "·•・", "［[", "］]", "〇○"]
_CLASS = {char: "[" + re.escape(group) + "]" for group in _ALIKE for char in group}
_NAME_STOP = r"\s，。；：！？、,;:!?“”\"（）()"
_FIGURE = r"\d{1,3}(?:[,，]\d{3})+(?:[.．]\d+)?|\d+(?:[.．]\d+)?"
_PATTERNS = {
    "count": rf"\d{{1,3}}(?:[,，]\d{{3}})+|\d+|{convert.CHINESE_NUMERAL}",
    "amount": _FIGURE, "quantity": _FIGURE, "percent": _FIGURE,
    "year": r"\d{4}|[零〇一二三四五六七八九]{4}",
    "month": rf"\d{{1,2}}|{convert.CHINESE_NUMERAL}", "day": rf"\d{{1,2}}|{convert.CHINESE_NUMERAL}",
    "date": r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}",
    "name": rf"[^{_NAME_STOP}]{{1,{convert.MAX_NAME}}}?",
    "text": rf"[^\n。！？；]{{1,{convert.MAX_TEXT}}}?",
}
_ITEM_CELL = re.compile(r"(.+)第\d+项\..+")  # records.item_key: 组.名称第2项.列
SURE_LITERAL = 6   # a sentence with this many literal characters is found wherever it is
_WINDOW = 40       # otherwise it must start this close after the last sentence found (plus skips)


@dataclass(frozen=True)
class Sentence:
    """One sentence of the template: its line, its parts (text, or a variable's key), its pattern."""

    line: int
    parts: tuple[tuple[str, bool], ...]  # (text, is_key)
    pattern: re.Pattern[str]
    groups: tuple[str, ...]              # the key behind each named group g0, g1 …
    literal: int                         # how many literal characters it has (white space aside)

    def shown(self, schema: Schema) -> str:
        """Return the sentence as a clerk reads it: each value as 【its label】."""
        return "".join(f"【{schema.by_key[text].label}】" if is_key else text for text, is_key in self.parts)


@dataclass(frozen=True)
class Departure:
    """Where the report differs from the template: the template's sentences and the report's text."""

    template_lines: tuple[int, ...]
    template_text: str          # the template's sentences there, values as 【label】; "" when added
    report_line: int | None
    report_text: str            # the report's text there; "" when the sentences were deleted


@dataclass(frozen=True)
class Extracted:
    """The values found in a report as a clerk types them, what was not, and where it departs."""

    values: Mapping[str, Value | list[Item]]  # a list of records: its items
    missing: Mapping[str, str]               # key (or a list item's cell, 组.名称第2项.列) → why
    departures: tuple[Departure, ...] = ()
    disagreements: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # key → values seen
    anchored: int = 0                        # how many values came from anchors in the .docx
    template: str | None = None              # the template the anchors say the report came from

    def lost(self, schema: Schema) -> list[str]:
        """Return the keys of the variables not wholly recovered (a list with a cell lost included)."""
        cells = {_list_of(key) for key in self.missing}
        return [v.key for v in schema.variables if v.key in self.missing or v.key in cells]


class IncompleteError(DrafterError):
    """Raise when some values could not be recovered from a report (the values file is written)."""


def extract_report(source: str, schema: Schema, path: Path) -> Extracted:
    """Return the values of the report at `path` (.docx or .txt) written from `source` and `schema`."""
    if path.suffix.lower() == ".docx":
        return extract_docx(source, schema, textfile.read_report_bytes(path), file=str(path))
    return extract_text(source, schema, textfile.read_report(path))


def extract_docx(source: str, schema: Schema, data: bytes, *, file: str) -> Extracted:
    """Return the values of the .docx report `data` (named `file` in messages).

    A value drafter anchored comes from its bookmarks, exact whatever was edited around it; the
    others, and every departure, come from aligning the text with the template.
    """
    aligned = extract_text(source, schema, textfile.report_text(word.read_report(data, file=file), file=file),
                           from_docx=True)
    anchored = word.read_anchors(data, file=file)
    found: dict[str, list[tuple[str | list[str], int]]] = {}
    bad: dict[str, str] = {}
    for key, texts in anchored.texts.items():
        var = schema.get(key)
        if var is None:
            continue  # a variable of another template, or one since renamed
        for text in texts:
            try:
                value = clerk_value(var, text)
                found.setdefault(key, []).append((value, 0))
            except convert.BadValue as err:
                bad[key] = f"文档中这一项写的是“{text}”：{err.message}"
    chosen, disagreements = _choose(found)
    values: dict[str, Value | list[Item]] = dict(chosen)
    missing = {k: bad.get(k) or why for k, why in aligned.missing.items() if k not in values}
    whole = 0
    for var in schema.variables:
        if var.type == "records":
            items, lost, exact = _anchored_items(var, anchored, aligned)
            if items is None:
                continue
            values[var.key] = items
            missing = {k: why for k, why in missing.items() if k != var.key and _list_of(k) != var.key}
            missing.update(lost)
            whole += exact
    merged = {k: values.get(k, aligned.values.get(k)) for k in (v.key for v in schema.variables)}
    return Extracted({k: v for k, v in merged.items() if v is not None}, missing, aligned.departures,
                     {**{k: d for k, d in aligned.disagreements.items() if k not in values}, **disagreements},
                     anchored=len(chosen) + whole, template=anchored.template)


def _anchored_items(var: Variable, anchored: word.Anchored, aligned: Extracted
                    ) -> tuple[list[Item] | None, dict[str, str], bool]:
    """Return the items of list `var` from its anchors, the text filling in, the cells lost, and
    whether every cell came from its anchor.

    While the table in the text has the recorded number of items, each cell comes from its anchor
    (exact), else from the text. When the text has another number (the clerk added a row, which
    Word copies with its bookmarks, or deleted one), the table as it now stands decides. Return
    None for the items when neither says anything.
    """
    count = anchored.lists.get(var.key)
    texts = aligned.values.get(var.key)
    from_text = texts if isinstance(texts, list) else None
    if from_text is not None and len(from_text) != count:
        return from_text, {k: why for k, why in aligned.missing.items() if _list_of(k) == var.key}, False
    if count is None:
        return None, {}, False
    columns = {c.name: c for c in var.columns}
    cells: dict[tuple[int, str], Value] = {}
    bad: dict[str, str] = {}
    for (key, number), text in anchored.cells.items():
        head, _, name = key.rpartition(".")
        if head != var.key or name not in columns or not 0 < number <= count:
            continue  # another list's, a column since dropped, or an item the record does not count
        try:
            cells[number - 1, name] = clerk_value(columns[name], text)
        except convert.BadValue as err:
            bad[records.item_key(var, number - 1, name)] = f"文档中这一格写的是“{text}”：{err.message}"
    items: list[Item] = []
    lost: dict[str, str] = {}
    for index in range(count):
        item: Item = {}
        for name in columns:
            key = records.item_key(var, index, name)
            if (index, name) in cells:
                item[name] = cells[index, name]
            elif from_text is not None and name in from_text[index]:
                item[name] = from_text[index][name]
            else:
                lost[key] = bad.get(key) or aligned.missing.get(key) or \
                    "文档中这一格的标记被删去了，文字中也对不上"
        items.append(item)
    return items, lost, len(cells) == count * len(columns)


def _list_of(key: str) -> str | None:
    """Return the list whose item's cell `key` names (组.名称第2项.列 → 组.名称), else None."""
    match = _ITEM_CELL.fullmatch(key)
    return match.group(1) if match else None


def label(schema: Schema, key: str) -> str:
    """Return the label of variable `key`, or of the column a list item's cell `key` names."""
    var = schema.get(key)
    if var is not None:
        return var.label
    listed = schema.get(_list_of(key) or "")
    column = key.rpartition(".")[2]
    return next((c.label for c in listed.columns if c.name == column), key) if listed else key


def shown(value: str | list[str]) -> str:
    """Return a recovered value as one line of text (a list joined by 、)."""
    return "、".join(value) if isinstance(value, list) else value


def sentences(source: str, schema: Schema) -> tuple[Sentence, ...]:
    """Return the sentences of template `source`, each with its pattern (compiled once per template)."""
    return _sentences(source, tuple((v.key, v.type, v.sep) for v in schema.variables))


@lru_cache(maxsize=16)
def _sentences(source: str, kinds: tuple[tuple[str, str, str], ...]) -> tuple[Sentence, ...]:
    by_key = {key: (kind, sep) for key, kind, sep in kinds}
    raw: list[tuple[int, list[tuple[str, bool]]]] = []
    for number, line in enumerate(source.split("\n"), start=1):
        current: list[tuple[str, bool]] = []
        position = 0
        for match in _SLOT.finditer(line):
            _add_text(line[position:match.start()].replace(RAW_BRACE, "{"), current, raw, number)
            current.append((match.group(1), True))
            position = match.end()
        _add_text(line[position:].replace(RAW_BRACE, "{"), current, raw, number)  # the report's “{”
        if current:
            raw.append((number, current))
    raw = [(n, parts) for n, parts in raw if any(is_key or text.strip() for text, is_key in parts)]
    out = []
    for index, (number, parts) in enumerate(raw):
        before = _text_before(raw, index)
        after = _text_after(raw, index)
        out.append(_compile(number, parts, by_key, before, after))
    return tuple(out)


def _add_text(text: str, current: list[tuple[str, bool]], raw: list, number: int) -> None:
    start = 0
    for index, char in enumerate(text):
        if char in _SENTENCE_END:
            current.append((text[start:index + 1], False))
            raw.append((number, list(current)))
            current.clear()
            start = index + 1
    if text[start:]:
        current.append((text[start:], False))


def _text_before(raw: list, index: int) -> str | None:
    """Return the literal character right before sentence `index` ("\n" at a line start), or None."""
    if index == 0:
        return "\n"
    previous_line, parts = raw[index - 1]
    if previous_line != raw[index][0]:
        return "\n"
    text, is_key = parts[-1]
    return None if is_key else text.rstrip()[-1:] or None


def _text_after(raw: list, index: int) -> str:
    """Return up to four literal characters that follow sentence `index` on its line or the next."""
    if index + 1 >= len(raw):
        return ""
    text, is_key = raw[index + 1][1][0]
    return "" if is_key else "".join(text.split())[:4]


def _chars(char: str) -> str:
    """Return `char` and the characters typed in its stead, escaped for a character class."""
    group = next((g for g in _ALIKE if char in g), char)
    return "".join("\\n" if c == "\n" else re.escape(c) for c in group)


def literal_pattern(text: str) -> str:
    """Return a pattern of literal `text`: any white space, half- or full-width punctuation alike."""
    out = []
    for char in text:
        if char.isspace():
            if not out or out[-1] != r"\s+":
                out.append(r"\s+")
        else:
            out.append(_CLASS.get(char, re.escape(char)) + r"\s*")
    return "".join(out)


def _compile(number: int, parts: list[tuple[str, bool]], kinds: Mapping[str, tuple[str, str]],
             before: str | None, after: str) -> Sentence:
    pattern, groups, literal = [], [], 0
    if parts[0][1] and before is not None:
        # A value opening the sentence starts right after the text before it, not anywhere earlier.
        stops = "".join(_chars(c) for c in ("\n" + _SENTENCE_END if before == "\n" else before + "\n"))
        pattern.append(rf"(?:^|(?<=[{stops}]))\s*")
    for text, is_key in parts:
        if is_key:
            pattern.append(f"(?P<g{len(groups)}>{value_pattern(*kinds[text])})\\s*")
            groups.append(text)
        else:
            pattern.append(literal_pattern(text))
            literal += len("".join(text.split()))
    if parts[-1][1]:
        # A value closing the sentence ends where the next one starts, or at the end of a line.
        ahead = literal_pattern(after) if after else ""
        pattern.append(r"(?=[ \t\u3000]*(?:\n|$)" + (f"|{ahead})" if ahead else ")"))
    return Sentence(number, tuple(parts), re.compile("".join(pattern)), tuple(groups), literal)


def value_pattern(kind: str, sep: str) -> str:
    """Return the pattern of a value of type `kind` (names of a list joined by `sep`) in a report."""
    if kind == "list":
        item = _PATTERNS["name"]
        between = "".join(_CLASS.get(c, re.escape(c)) for c in sep) if sep else "、"
        return f"{item}(?:{between}{item})*?"
    return _PATTERNS[kind]


def extract_text(source: str, schema: Schema, report: str, *, from_docx: bool = False) -> Extracted:
    """Return the values of the report text `report`, written from template `source` and `schema`.

    `report` is one paragraph a line; line numbers in departures are its lines. Tables are
    recovered only `from_docx`, whose text (`word.read_report`) carries them as table blocks.
    """
    specs = _table_specs(source)
    in_tables = extract_tables.TableValues()
    after_tables: frozenset[int] = frozenset()
    if specs:  # the tables are aligned apart; their lines are left empty for the sentences
        report, found_tables = extract_tables.report_tables(report)
        in_tables = extract_tables.extract_tables(specs, found_tables, schema, from_docx=from_docx)
        source, after_tables = extract_tables.template_source(source)
    found: dict[str, list[tuple[str | list[str], int]]] = {k: list(v) for k, v in in_tables.found.items()}
    bad: dict[str, str] = {}
    matched: list[tuple[Sentence, re.Match[str]] | tuple[Sentence, None]] = []
    position, pending = 0, 0
    for sentence in sentences(source, schema):
        match = sentence.pattern.search(report, position)
        # A table, however long, may stand between the last sentence found and the one after it.
        if match and sentence.literal < SURE_LITERAL and sentence.line not in after_tables \
                and match.start() - position > _WINDOW + 3 * pending:
            match = None
        matched.append((sentence, match))
        if match is None:
            pending += sum(len(t) for t, is_key in sentence.parts if not is_key) + 4
            continue
        # Not past the white space after it: the next sentence may need to see what ends this one.
        position, pending = match.start() + len(match.group().rstrip()), 0
        line = report.count("\n", 0, match.start()) + 1
        for index, key in enumerate(sentence.groups):
            text = match.group(f"g{index}")
            try:
                value = clerk_value(schema.by_key[key], text)
                found.setdefault(key, []).append((value, line))
            except convert.BadValue as err:
                bad[key] = f"报告第 {line} 行写的是“{text}”：{err.message}"
    chosen, disagreements = _choose(found)
    values: dict[str, Value | list[Item]] = dict(chosen)
    missing = {}
    for var in schema.variables:
        if var.type == "records" and var.key in in_tables.lists:
            values[var.key] = in_tables.lists[var.key]
        if var.key in values:
            continue
        lines = sorted({s.line for s, _ in matched if var.key in s.groups})
        where = "、".join(str(n) for n in lines)
        missing[var.key] = (bad.get(var.key) or in_tables.missing.get(var.key)
                            or f"报告中找不到模板第 {where} 行含这一项的句子（改写或删去了）")
    missing.update({k: why for k, why in in_tables.missing.items() if k not in schema.by_key})
    departures = _departures(matched, report, schema) + tuple(in_tables.departures)
    return Extracted(values, missing, departures, disagreements)


@lru_cache(maxsize=16)
def _table_specs(source: str) -> tuple[tables.TableSpec, ...]:
    """Return the table blocks of template `source` (checked when the template was loaded)."""
    return tables.split_source(source, file="template.txt")[1] if tables.OPEN in source else ()


def _choose(found: Mapping[str, list[tuple[str | list[str], int]]]
            ) -> tuple[dict[str, str | list[str]], dict[str, tuple[str, ...]]]:
    """Return the value seen most often for each key, and the keys seen with different values."""
    values: dict[str, str | list[str]] = {}
    disagreements: dict[str, tuple[str, ...]] = {}
    for key, seen in found.items():
        counts = Counter(shown(value) for value, _ in seen)
        best = counts.most_common(1)[0][0]
        values[key] = next(value for value, _ in seen if shown(value) == best)
        if len(counts) > 1:
            disagreements[key] = tuple(counts)
    return values, disagreements


def clerk_value(var: Variable, text: str) -> str | list[str]:
    """Return `text` as found in the report, as a clerk would type it; raise BadValue if unusable."""
    text = "".join(text.split()) if var.type not in ("name", "text", "list") else text.strip()
    if text.startswith("【") and text.endswith("】"):
        raise convert.BadValue("这是草稿中待填写的【说明】，不是取值")
    if var.type in ("count", "year", "month", "day"):
        figure = convert.from_chinese(text)
        if figure is not None:
            text = str(figure)
    raw: str | tuple[str | None, ...] = text
    if var.type == "list":
        raw = tuple(re.split("|".join(re.escape(s) for s in {var.sep, "、", "，", ","} if s), text))
    return convert.typed_text(var, convert.parse_value(var, raw)[0])


def _departures(matched: Sequence[tuple[Sentence, re.Match[str] | None]], report: str,
                schema: Schema) -> tuple[Departure, ...]:
    """Return the stretches where the report and the template part: sentences not found, text added."""
    out = []
    position, lost = 0, []
    for sentence, match in [*matched, (None, None)]:
        if sentence is not None and match is None:
            lost.append(sentence)
            continue
        end = match.start() if match is not None else len(report)
        between = report[position:end]
        text = " ".join(between.split())
        if lost or _has_words(text):
            start = position + len(between) - len(between.lstrip())
            out.append(Departure(
                tuple(dict.fromkeys(s.line for s in lost)), "".join(s.shown(schema) for s in lost),
                report.count("\n", 0, start) + 1 if _has_words(text) else None,
                text if _has_words(text) else ""))
        lost = []
        if match is not None:
            position = match.end()
    return tuple(out)


def _has_words(text: str) -> bool:
    return any(char.isalnum() for char in text)
