"""Reports and templates → findings: unmarked cuts, blanks left over, schema and text disagreeing. Pure."""

from __future__ import annotations

import re
from typing import NamedTuple

from . import tables
from .gaps import find_gaps
from .placeholders import find_placeholders
from .schema import Schema

# A Jinja expression, tag or comment; masked before the text around it is read as report words.
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_MASK = "□"


class Finding(NamedTuple):
    """One thing `drafter lint` reports: the line, what is wrong, and the words around it."""

    line: int | None
    message: str
    context: str = ""
    file: str | None = None   # the file it is in, when not the one being linted (schema.yaml)

    def located(self, file: str) -> str:
        """Return the finding as `file:line: message context`, as compilers and editors show it.

        `file` is the file linted; a finding about another file names that one instead.
        """
        file = self.file or file
        where = f"{file}:{self.line}" if self.line else file
        return f"{where}: {self.message}" + (f" {self.context}" if self.context else "")


def lint_report(text: str) -> tuple[Finding, ...]:
    """Return the unmarked cuts in report `text`: words removed and nothing left in their place."""
    return tuple(Finding(gap.line, f"{'疑似' if gap.rule.sure else '可能'}删去了"
                                   f"{'数字' if gap.rule.figure else '词语'}（{gap.shape}）"
                                   f"{'' if gap.rule.sure else '，不一定，请核对'}。", gap.context)
                 for gap in find_gaps(text))


def lint_template(source: str, schema: Schema, *, file: str, schema_file: str | None = None
                  ) -> tuple[Finding, ...]:
    """Return every disagreement between template `source` and its `schema`, then the cuts and
    blanks its text still has, sorted by line; those about the schema as a whole come first.

    `file` names the template text in messages, `schema_file` the schema.
    """
    findings = []
    _, specs, used = tables.template_variables(source, file=file)
    for key, line in used.items():
        if schema.get(key) is None:
            findings.append(Finding(line, f"模板使用了 schema.yaml 中没有定义的变量 {key}。"))
    for var in schema.variables:
        if var.key not in used:
            findings.append(Finding(None, f"schema.yaml 定义了模板中没有用到的变量 {var.key}"
                                          f"（{var.label}）。", file=schema_file))
    columns = {key: found for spec in specs for key, found in spec.columns_used.items()}
    for var in schema.variables:
        if var.key in columns:
            findings += [Finding(None, f"清单 {var.key} 的列 {c.name}（{c.label}）在表格中没有用到。",
                                 file=schema_file) for c in var.columns if c.name not in columns[var.key]]
            findings += [Finding(line, f"清单 {var.key} 没有“{name}”这一列。")
                         for name, line in columns[var.key].items()
                         if name not in {c.name for c in var.columns}]
    masked = _masked(source)
    findings += lint_report(masked)
    findings += [Finding(ph.line, f"还有未改成变量的空位“{ph.token}”。", ph.context)
                 for ph in find_placeholders(masked)]
    return tuple(sorted(findings, key=lambda f: f.line or 0))


def template_cuts(source: str) -> tuple[Finding, ...]:
    """Return the cuts template `source` still has in its text (坚持以为指导), which would print as
    they are: what `check` and `render` warn about. Cheap: no word segmenter is loaded."""
    return lint_report(_masked(source))


def _masked(source: str) -> str:
    # Masking keeps the line numbers: an expression's own newlines stay in place.
    return _JINJA.sub(lambda m: _MASK + "\n" * m.group().count("\n"), source)
