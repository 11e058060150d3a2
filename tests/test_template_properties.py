"""Property test: whatever template folder a stranger hands over, loading and rendering it ends in a
document or a DrafterError, never another exception (and so never a traceback for the clerk)."""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from pathlib import Path

import yaml
from docx.oxml import parse_xml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import drafter
from drafter.errors import DrafterError
from drafter.schema import TYPES

KEYS = ["经济.收入", "经济.项目", "基本.镇名", "基本.items", "keys.get", "组.名称", "a.b", "组.表"]
ODD_KEYS = ["_x.y", "经济.收入.多", "true.x", "经济", "基本.__class__"]
WORDS = st.text(st.sampled_from(list("艾城镇完成财税收入万元，。、：；（）“”—xX×*○0123456789.,% \n")), max_size=12)
# What a hand-edited template.txt may also hold: braces of every kind, and characters that no Word
# document can hold.
ODD_TEXT = st.text(st.sampled_from(list("{}|()[]-+~_#%\t\r") + [
    "\f", "\v", "\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9b", "\u2028", "\u2029", "\ufeff", "\ue000",
    "\ue002", "\ufffe", "\U0001f600", "\ud800"]), min_size=1, max_size=4)
# Pieces of table blocks (【表格】 … 【表格完】), whole and broken.
TABLE = st.sampled_from(["\n【表格】\n", "\n【表格完】\n", "| a | b |\n", "|---|---|\n", "| < | ^ |\n", "列宽：1 2\n",
                         "字号：小四\n", "| {{ 组.名称 }} | {{ 组.表.列 }} |\n", "列宽：0 999\n", "| \\| |\n", "|:---:|\n",
                         "\n【表格】表1 {{ 经济.收入 }}\n| 甲 | {{ 经济.项目 }} |\n|---|---|\n| 乙 | ^ |\n【表格完】\n"])
JINJA = st.sampled_from(["{{", "}}", "{%", "%}", "{#", "#}", "{{ 经济.收入 | upper }}", "{% raw %}{{% endraw %}",
                         "{%- raw %}", "{{ (((经济.收入))) }}", "{{ 经济.收入 * 2 }}", "{{ 经济 }}",
                         "{{ 经济.收入.__class__ }}", "{{ range(10) }}", "{# 注释 #}", "{{- 经济.收入 -}}"])


def sometimes(usual, odd, one_in: int = 8):
    """Return a strategy drawing from `usual`, and one time in `one_in` from `odd` instead."""
    # sampled_from draws evenly (integers favour their bounds) and shrinks towards the usual.
    return st.sampled_from(range(one_in)).flatmap(lambda n: odd if n == one_in - 1 else usual)


NUMBERS = sometimes(st.integers(-5, 3000).map(str), st.one_of(
    st.integers(-10**20, 10**20).map(str), st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["NaN", "sNaN", "-Infinity", "1e5000", "1e999999999", "1e-999999999", "0.1", "-0", "40",
                     "9" * 60, "", "abc", "1,000", "１２"])), one_in=3)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, WORDS)
NESTED = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                      st.dictionaries(st.text(max_size=4), inner, max_size=3)),
                      max_leaves=8)
TEXT = sometimes(WORDS, st.one_of(ODD_TEXT, NESTED))
ROWS = st.lists(st.dictionaries(st.sampled_from(["列", "名称", "x"]), SCALARS, max_size=2), max_size=3)


@st.composite
def variables(draw) -> dict[str, object]:
    spec: dict[str, object] = {"type": draw(sometimes(st.sampled_from(sorted(TYPES)), st.text(max_size=5), 12)),
                               "label": draw(sometimes(WORDS.filter(str.strip), TEXT, 12))}
    for field in ("unit", "context", "example", "original", "sep"):
        if draw(st.sampled_from(range(3))) == 2:
            spec[field] = draw(sometimes(WORDS, TEXT, 6))
    for field, usual in (("min", st.integers(0, 50)), ("max", st.integers(50, 5000)), ("places", st.integers(0, 4))):
        if draw(st.sampled_from(range(3))) == 2:
            spec[field] = draw(sometimes(usual.map(str), NUMBERS, 4))
    if spec["type"] == "records":
        spec["columns"] = draw(sometimes(st.fixed_dictionaries({"列": st.fixed_dictionaries({
            "type": st.sampled_from(["name", "count", "amount"]), "label": WORDS.filter(str.strip)})}), NESTED, 4))
        if draw(st.booleans()):
            spec["empty"] = draw(sometimes(st.sampled_from(["无", "省略"]), TEXT, 4))
    for field in ("approx", "chinese", "thousands", "unknown"):
        if draw(st.sampled_from(range(5))) == 4:
            spec[field] = draw(SCALARS)
    return spec


@st.composite
def folders(draw) -> tuple[str, str]:
    """Return the text of a template.txt and of a schema.yaml."""
    names = draw(st.lists(sometimes(st.sampled_from(KEYS), st.sampled_from(ODD_KEYS)), min_size=1, max_size=5,
                          unique=True))
    uses = st.sampled_from(names).map(lambda key: f"{{{{ {key} }}}}")
    pieces = draw(st.lists(sometimes(st.one_of(WORDS, uses), st.one_of(ODD_TEXT, JINJA, TABLE)), max_size=12))
    pieces += [f"{{{{ {key} }}}}" for key in names]  # a schema naming a variable the text lacks is dull
    source = "".join(draw(st.permutations(pieces)))
    if draw(st.sampled_from(range(20))) == 19:
        return source, draw(ODD_TEXT)  # not even YAML-shaped
    schema: dict[str, object] = {"title": draw(TEXT), "variables": {key: draw(variables()) for key in names}}
    if draw(st.booleans()):
        schema["rules"] = draw(st.lists(st.fixed_dictionaries({
            "check": sometimes(st.sampled_from([f"{a} {op} {b}" for a in names for b in ("1", names[0])
                                                for op in ("<=", "*", "+", "==", ">")]), ODD_TEXT),
            "message": WORDS}), max_size=2))
    if draw(st.sampled_from(range(6))) == 5:
        schema["groups"] = draw(NESTED)
    return source, yaml.safe_dump(schema, allow_unicode=draw(st.booleans()))


def _values(template: drafter.Template, raw: list[object]) -> dict[str, dict[str, object]]:
    values: dict[str, dict[str, object]] = {}
    for var, value in zip(template.variables, raw, strict=False):
        group, name = var.key.split(".")
        values.setdefault(group, {})[name] = var.example if value == "example" else value
    return values


@settings(max_examples=int(os.environ.get("I14_EXAMPLES", 60)), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(folders(), st.lists(sometimes(st.sampled_from(["example", "5", "12.5", "艾城", "2024", "2024-12-20"]),
                                     st.one_of(SCALARS, ROWS), one_in=4), max_size=8), st.booleans())
def test_any_template_folder_loads_and_renders_or_says_what_is_wrong(folder, raw, draft):
    source, schema = folder
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "tpl"
        path.mkdir()
        (path / "template.txt").write_text(source, encoding="utf-8", errors="surrogatepass")
        (path / "schema.yaml").write_text(schema, encoding="utf-8", errors="surrogatepass")
        try:
            template = drafter.load_template(path)
            content = template.render_bytes(_values(template, raw), draft=draft, mark_values=draft)
        except DrafterError as error:
            assert str(error)  # said in words, with where when it is known
            return
    document = zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml")
    assert parse_xml(document) is not None


TABLE_SCHEMA = """\
variables:
  组.收入: {type: amount, unit: 万元, label: 收入}
  组.表:
    type: records
    label: 项目
    columns:
      名称: {type: name, label: 名称}
      投资: {type: amount, unit: 万元, label: 投资, places: 1}
"""
CELLS = st.sampled_from(["甲", "", "<", "^", "\\|", "\\<", "{{ 组.收入 }}", "{{ 组.表.名称 }}", "{{ 组.表.投资 }}",
                         "合计", "x", "{{ 组.表.进度 }}", "—"])


@st.composite
def table_templates(draw) -> str:
    """Return a template.txt with one table block of random cells, merges, rules and widths."""
    columns = draw(st.integers(1, 4))
    rows = [[draw(CELLS) for _ in range(columns)] for _ in range(draw(st.integers(0, 4)))]
    rows.append(["{{ 组.表.名称 }}"] + ["{{ 组.表.投资 }}"] * (columns - 1))  # the repeated row
    lines = ["| " + " | ".join(row) + " |" for row in rows]
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), "|" + "|".join(draw(st.sampled_from(
            ["---", ":---", "---:", ":---:", "--"])) for _ in range(columns)) + "|")
    if draw(st.booleans()):
        lines.insert(0, "列宽：" + " ".join(str(draw(st.integers(0, 120))) for _ in range(draw(st.integers(1, 5)))))
    if draw(st.booleans()):
        lines.insert(0, "字号：" + draw(st.sampled_from(["四号", "小四", "五号", "初号", ""])))
    caption = draw(st.sampled_from(["", "表1 项目", "表1 {{ 组.收入 }}", "表"]))
    return f"收入{{{{ 组.收入 }}}}万元。\n【表格】{caption}\n" + "\n".join(lines) + "\n【表格完】\n结束。\n"


@settings(max_examples=int(os.environ.get("I14_EXAMPLES", 60)), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(table_templates(), st.lists(st.fixed_dictionaries({"名称": sometimes(st.just("艾城大道"), SCALARS, 4),
                                                           "投资": sometimes(st.just("12.5"), SCALARS, 4)}),
                                    max_size=4), st.booleans())
def test_any_table_block_loads_and_renders_or_says_what_is_wrong(source, rows, draft):
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "tpl"
        path.mkdir()
        (path / "template.txt").write_text(source, encoding="utf-8")
        (path / "schema.yaml").write_text(TABLE_SCHEMA, encoding="utf-8")
        try:
            template = drafter.load_template(path)
            content = template.render_bytes({"组": {"收入": "3", "表": rows}}, draft=draft)
        except DrafterError as error:
            assert str(error)
            return
    assert parse_xml(zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml")) is not None
