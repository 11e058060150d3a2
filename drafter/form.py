"""A template as a form: its paragraphs with a field in each blank, and the values of a page.

Pure: no web framework. `drafter.serve` turns what is built here into JSON for the page, and
the page's values back into a values file, the document and the checker's problems.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from . import convert, layout, render, values
from .errors import DrafterError, Problem, ValuesFileError, describe_os_error
from .schema import NUMBER_TYPES, Variable
from .skeleton import describe, write_skeleton
from .template import Template

# Each variable is rendered as one character of Unicode's supplementary private-use area, which
# layout treats like a Chinese character, so the page's text around a blank is the document's.
_STAND_IN = 0xF0000
_APPROX = "余多近约"


@dataclass(frozen=True)
class Piece:
    """A stretch of a paragraph: text, or the blank of variable `key` (its text is then "")."""

    text: str = ""
    key: str | None = None
    lead: bool = False  # part of a run-in heading
    first: bool = False  # the variable's first blank: the one with the input, the others mirror it
    unit: str = ""  # the unit to show after the input, when the sentence does not show it


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the report as the page shows it."""

    kind: str  # as layout.Block: title, caption, salutation, h1…h4, body, blank
    heading: bool  # a heading on a line of its own
    pieces: tuple[Piece, ...]


def paragraphs(template: Template) -> tuple[Paragraph, ...]:
    """Return the report of `template` paragraph by paragraph, with a Piece for every blank.

    The text comes from the template's own rendering and layout (value marks, punctuation,
    headings), so the page reads as the document will.
    """
    keys = [var.key for var in template.variables]
    stand_ins = {key: chr(_STAND_IN + index) for index, key in enumerate(keys)}
    key_of = {char: key for key, char in stand_ins.items()}
    marked = render.render(template.compiled, stand_ins, mark=True)  # type: ignore[arg-type]
    seen: set[str] = set()
    out = []
    for block in layout.lay_out(marked):
        texts = [(segment.text.replace("\n", ""), segment) for segment in block.segments]
        pieces = []
        for index, (text, segment) in enumerate(texts):
            key = key_of.get(text) if segment.mark == "value" else None
            if key is None:
                if pieces and pieces[-1].key is None and pieces[-1].lead == segment.lead:
                    pieces[-1] = Piece(pieces[-1].text + text, lead=segment.lead)
                else:
                    pieces.append(Piece(text, lead=segment.lead))
                continue
            after = "".join(t for t, s in texts[index + 1:index + 2] if s.mark is None)
            first = key not in seen
            seen.add(key)
            unit = _unit_to_show(template.schema.by_key[key], after) if first else ""
            pieces.append(Piece(key=key, lead=segment.lead, first=first, unit=unit))
        out.append(Paragraph(block.kind, block.standalone, tuple(pieces)))
    return tuple(out)


def _unit_to_show(var: Variable, after: str) -> str:
    """Return `var`'s unit when the text after its blank does not already say it."""
    if not var.unit or var.type not in NUMBER_TYPES:
        return ""
    return "" if after.lstrip(_APPROX).startswith(var.unit) else var.unit


def field_info(var: Variable) -> dict[str, object]:
    """Return what the page shows about `var`: label, type, unit, what it accepts, an example."""
    example = var.example
    if isinstance(example, list):
        example = var.sep.join(example)
    return {"key": var.key, "label": var.label, "type": var.type, "type_label": var.type_label,
            "unit": var.unit if var.type in NUMBER_TYPES else "", "expected": convert.expected(var),
            "example": "" if example is None else str(example), "group": var.group,
            "context": var.context, "describe": describe(var)}


def page_text(raw: values.Raw) -> str:
    """Return a loaded value as the page's input shows it: a list as names joined by 、."""
    if isinstance(raw, tuple):
        return "、".join(item or "" for item in raw)
    return raw or ""


def from_page(template: Template, data: object) -> values.Values:
    """Return the values a page sent (dotted key → text); raise ValuesFileError if it is malformed.

    Every key must be one of the template's variables and every value text; empty means missing.
    """
    if not isinstance(data, Mapping):
        raise ValuesFileError("请求中的取值应为“键: 文字”的映射。")
    known = template.schema.by_key
    raw: dict[str, values.Raw] = {}
    for key, text in data.items():
        if key not in known or not isinstance(text, str):
            raise ValuesFileError(f"请求中有模板没有的变量或非文字的取值：{str(key)[:60]}。")
        raw[key] = text if text.strip() else None
    return values.Values(raw, {})


def problem_json(template: Template, problem: Problem) -> dict[str, object]:
    """Return `problem` for the page, with `related`: every variable of a broken rule."""
    related: list[str] = []
    if problem.code == "rule":
        for rule in template.schema.rules:
            keys = render.rule_keys(rule.check)
            if keys and keys[0] == problem.key and rule.message in problem.message:
                related = list(keys)
                break
    return {"key": problem.key, "label": problem.label, "message": problem.message,
            "hint": problem.hint, "level": problem.level, "code": problem.code,
            "related": related, "text": str(problem)}


def values_file_text(template: Template, data: values.Values, *, template_arg: str, path: Path) -> str:
    """Return the values file `drafter init` would write for `template`, filled with `data`."""
    filled = {key: page_text(raw) for key, raw in data.raw.items() if page_text(raw).strip()}
    return write_skeleton(template.schema, template=template_arg, schema_url=schema_path(path).name,
                          values_file=path.name, filled=filled)


def schema_path(path: Path) -> Path:
    """Return the JSON Schema file `drafter init` writes beside the values file `path`."""
    return path.with_name(f"{path.stem}.schema.json")


def version(content: bytes | None) -> str:
    """Return a fingerprint of a values file's content ("" when there is no file)."""
    return "" if content is None else hashlib.sha256(content).hexdigest()


def read_file(path: Path) -> bytes | None:
    """Return the bytes of the values file at `path`, or None when it does not exist yet."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise DrafterError(f"无法读取取值文件：{describe_os_error(err)}。", file=str(path),
                           hint="检查文件是否存在、是否有读取权限。") from err


def new_values_path(folder: Path) -> Path:
    """Return a values file name in `folder` that is not taken: values.yaml, values-2.yaml …"""
    path, number = folder / "values.yaml", 1
    while path.exists() or schema_path(path).exists():
        number += 1
        path = folder / f"values-{number}.yaml"
    return path
