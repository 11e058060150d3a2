"""Placeholders → named variables → template source and Schema: a report made a template. Pure.

Each blank gets a `组.名称` key: the group is the report's numbered section (一、…), the name the
words before the blank in its clause (完成财税收入x万元 → 财税收入), else the words after it, else
its unit. Two blanks of one section with the same words and unit (完成招商签约任务x亿元 and
确保全年完成招商签约任务x亿元) are one variable. With `with_gaps`, each unmarked cut becomes a text
variable whose original is "".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from .gaps import Gap, find_gaps
from .naming import find_sections, number_name, plain_name, text_name, unique
from .placeholders import Placeholder, find_placeholders
from .schema import DEFAULT_LIMITS, Schema, Variable

START_GROUP = "总体"
# A `{` of the report that Jinja would read as the start of a tag, printed as text instead.
RAW_BRACE = "{% raw %}{{% endraw %}"
_JINJA_OPENERS = re.compile(r"\{(?=[{%#])|\{\Z")


@dataclass(frozen=True)
class Draft:
    """A report turned into a template: its text, its schema, and what was found on the way."""

    source: str                          # template.txt
    schema: Schema
    placeholders: tuple[Placeholder, ...]
    keys: tuple[str, ...]                # the variable of each placeholder, in the same order
    gaps: tuple[Gap, ...]
    gap_keys: tuple[str, ...]            # the variable of each gap; empty without `with_gaps`
    notes: tuple[str, ...]               # what it was unsure of, for the clerk to check

    @property
    def uses(self) -> dict[str, int]:
        """Return how many places of the report each variable fills, by key."""
        counts = {v.key: 0 for v in self.schema.variables}
        for key in (*self.keys, *self.gap_keys):
            counts[key] += 1
        return counts


class _Proposal(NamedTuple):
    """A variable proposed for one place of the report, before its name is made unique."""

    name: str
    label: str
    kind: str
    unit: str
    context: str
    original: str
    approx: bool = False
    places: int | None = None


def templatize(text: str, *, title: str, with_gaps: bool = False) -> Draft:
    """Return the template made from report `text`: every blank a variable, named and typed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    placeholders = find_placeholders(text)
    gaps = find_gaps(text)
    sections = find_sections(text.split("\n"), start_group=START_GROUP)
    # Blanks and gaps in report order, so that variables are declared in the order they appear.
    places = sorted([(ph.span[0], "blank", i) for i, ph in enumerate(placeholders)]
                    + ([(gap.offset, "gap", i) for i, gap in enumerate(gaps)] if with_gaps else []))
    variables: dict[tuple[object, ...], Variable] = {}
    taken: dict[str, dict[str, int]] = {}
    keys: dict[tuple[str, int], str] = {}
    previous_name = ""
    for _, what, index in places:
        if what == "blank":
            ph = placeholders[index]
            chained = ph.chained and index > 0 and placeholders[index - 1].line == ph.line
            section = sections.of_line[ph.line - 1]
            merge, proposal = _propose_blank(ph, section, previous_name if chained else "")
            previous_name = proposal.name
        else:
            gap = gaps[index]
            section = sections.of_line[gap.line - 1]
            merge = ("gap", gap.rule.name) if gap.rule.shared else ("gap", gap.offset)
            proposal = _Proposal(text_name(gap.rule.name), gap.rule.label, "text", "", gap.context, "")
        if merge not in variables:
            group = sections.groups[section]
            name = unique(proposal.name, taken.setdefault(group, {}))
            variables[merge] = _variable(f"{group}.{name}", proposal)
        keys[what, index] = variables[merge].key
    blank_keys = tuple(keys["blank", i] for i in range(len(placeholders)))
    gap_keys = tuple(keys["gap", i] for i in range(len(gaps))) if with_gaps else ()

    edits = [(ph.span[0], ph.span[1], key) for ph, key in zip(placeholders, blank_keys, strict=True)]
    edits += [(gap.offset, gap.offset, key) for gap, key in zip(gaps, gap_keys, strict=False)]
    source, escaped = _source(text, sorted(edits))
    declared = tuple(variables.values())
    used = {v.group for v in declared}
    schema = Schema(title=title, variables=declared,
                    groups={g: label for g, label in zip(sections.groups, sections.labels, strict=True)
                            if g in used})
    return Draft(source=source, schema=schema, placeholders=placeholders, keys=blank_keys, gaps=gaps,
                 gap_keys=gap_keys, notes=_notes(placeholders, blank_keys, declared, escaped))


def _propose_blank(ph: Placeholder, section: int, previous: str) -> tuple[tuple[object, ...], _Proposal]:
    """Return what merges blank `ph` with others of its section, and the variable it proposes."""
    if ph.kind in ("name", "list"):
        name, label, stem = plain_name(ph)
    else:
        name, label, stem = number_name(ph, previous)
    # The same words and unit in one section are one fact, written twice (招商签约任务).
    merge = (("stem", section, ph.kind, ph.unit, stem, ph.token) if stem else
             ("clause", section, ph.kind, ph.unit, ph.before, ph.after, ph.token))
    return merge, _Proposal(name, label, ph.kind, ph.unit, ph.context, ph.token, ph.approx, _places(ph))


def _places(ph: Placeholder) -> int | None:
    if "." in ph.token and ph.kind in ("amount", "quantity", "percent"):
        return len(ph.token.rsplit(".", 1)[1])
    return None


def _variable(key: str, proposal: _Proposal) -> Variable:
    low, high = DEFAULT_LIMITS.get(proposal.kind, (None, None))
    return Variable(
        key=key, type=proposal.kind, label=proposal.label, unit=proposal.unit, context=proposal.context,
        original=proposal.original, approx=proposal.approx, places=proposal.places,
        min=None if low is None else Decimal(low), max=None if high is None else Decimal(high))


def _source(text: str, edits: list[tuple[int, int, str]]) -> tuple[str, bool]:
    """Return `text` with each edit's span replaced by its variable, and whether `{` was escaped."""
    pieces: list[str] = []
    position = 0
    escaped = False
    for start, end, key in edits:
        literal, did = _escape(text[position:start])
        escaped |= did
        pieces += [literal, "{{ ", key, " }}"]
        position = end
    literal, did = _escape(text[position:])
    pieces.append(literal)
    # Jinja drops one final newline: add one so the rendered report ends as the source did.
    return "".join(pieces) + "\n", escaped or did


def _escape(literal: str) -> tuple[str, bool]:
    # Only a `{` that would open a Jinja tag, or stand right before a variable, needs it.
    if "{" not in literal:
        return literal, False
    return _JINJA_OPENERS.sub(RAW_BRACE, literal), True


def _notes(placeholders: tuple[Placeholder, ...], keys: tuple[str, ...], variables: tuple[Variable, ...],
           escaped: bool) -> tuple[str, ...]:
    notes = []
    for ph, key in zip(placeholders, keys, strict=True):
        if not ph.sure:
            notes.append(f"第 {ph.line} 行 {key}：空位后面没有单位，按“名称”处理，请核对类型。"
                         f"原句：{ph.context}")
    uses: dict[str, list[int]] = {}
    for ph, key in zip(placeholders, keys, strict=True):
        uses.setdefault(key, []).append(ph.line)
    for key, lines in uses.items():
        if len(lines) > 1:
            rows = list(dict.fromkeys(lines))
            where = "、".join(str(n) for n in rows[:10]) + ("等" if len(rows) > 10 else "")
            notes.append(f"{key}：第 {where} 行的 {len(lines)} 处空位词语和单位相同，合为一个变量；"
                         "如不是同一项，请分开。")
    bare = [v.key for v in variables if v.type == "name" and not v.unit]
    if len(bare) > 1:
        shown = "、".join(bare[:8]) + ("等" if len(bare) > 8 else "")
        notes.append(f"{len(bare)} 个名称空位后面没有“村”“镇”等字（{shown}），"
                     "可能指同一个名称（如本地地名）；如是，可在 template.txt 中改用同一个变量，"
                     "并从 schema.yaml 删去其余的。")
    if escaped:
        notes.append(f"报告原文含有“{{”，已在 template.txt 中写成 {RAW_BRACE}，以免被当作模板语法。")
    return tuple(notes)
