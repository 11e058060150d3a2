"""Anchors: every value in a rendered .docx can be found again, and nothing of it shows."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest
from docx.oxml.ns import qn

import drafter
from drafter import extract, word
from drafter.cli import cli

TEMPLATE = drafter.load_template("township-work-report")
SCHEMA = TEMPLATE.schema
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def rendered(example) -> bytes:
    return TEMPLATE.render_bytes(example)


def _parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name).decode("utf-8") for name in package.namelist()
                if name.endswith(".xml") or name.endswith(".rels")}


def test_every_value_sits_in_a_hidden_bookmark_named_in_the_record(rendered, example):
    parts = _parts(rendered)
    record = parts[word.ANCHORS_PART]
    assert 'template="township-work-report"' in record
    rows = re.findall(r'<anchor name="([^"]+)" key="([^"]+)" label="([^"]+)"/>', record)
    # Each use of a variable is one anchor: the town's name alone stands in eight places.
    assert sum(1 for _, key, _ in rows if key == "基本信息.镇名") == TEMPLATE.source.count("基本信息.镇名")
    assert {key for _, key, _ in rows} == {v.key for v in SCHEMA.variables}
    assert ("基本信息.届次", "人民代表大会届次") in {(k, label) for _, k, label in rows}
    document = docx.Document(io.BytesIO(rendered))
    names = [b.get(qn("w:name")) for b in document.element.body.iter(qn("w:bookmarkStart"))]
    assert names == [name for name, _, _ in rows]
    assert all(name.startswith("_") for name in names)  # hidden from Word's bookmark list
    anchored = word.read_anchors(rendered, file="r.docx")
    assert anchored.texts["基本信息.届次"] == ("十八",)
    assert anchored.texts["经济发展.财税收入"] == ("8620",)
    assert set(anchored.texts["基本信息.镇名"]) == {"艾城"}


def test_anchors_leave_the_text_as_python_docx_reads_it(rendered, example):
    document = docx.Document(io.BytesIO(rendered))
    body = document.element.body
    assert body.find(f".//{W}sdt") is None  # python-docx would not see a content control's text
    texts = [p.text.replace("\n", "") for p in document.paragraphs]
    assert texts == word.read_report(rendered, file="r.docx")
    assert "完成财税收入8620万元，完成固投3.2亿元。" in "".join(texts)


def test_a_report_written_without_a_template_has_an_empty_record():
    from drafter.layout import lay_out

    data = word.write_docx(lay_out("正文。"))
    assert word.read_anchors(data, file="x.docx") == word.Anchored("", {})


def _edited(data: bytes, edit) -> bytes:
    document = docx.Document(io.BytesIO(data))
    edit(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_value_comes_from_its_anchor_when_its_sentence_was_rewritten(rendered):
    def rewrite(document):
        paragraph = next(p for p in document.paragraphs if "完成财税收入" in p.text)
        for run in paragraph.runs:
            run.text = run.text.replace("完成财税收入", "全年税收达到").replace("完成固投", "固投")

    result = extract.extract_docx(TEMPLATE.source, SCHEMA, _edited(rendered, rewrite), file="r.docx")
    assert not result.missing
    assert result.values["经济发展.财税收入"] == "8620" and result.values["经济发展.固定资产投资"] == "3.2"
    assert any("全年税收达到8620万元" in d.report_text for d in result.departures)


def test_a_value_the_clerk_changed_inside_its_anchor_is_the_new_one(rendered):
    def change(document):
        paragraph = next(p for p in document.paragraphs if "完成财税收入" in p.text)
        next(r for r in paragraph.runs if r.text == "8620").text = "8,700"

    result = extract.extract_docx(TEMPLATE.source, SCHEMA, _edited(rendered, change), file="r.docx")
    assert result.values["经济发展.财税收入"] == "8700"


def _drop_bookmark(document, text):
    body = document.element.body
    for start in list(body.iter(qn("w:bookmarkStart"))):
        following = start.getnext()
        if following is not None and following.findtext(qn("w:t")) == text:
            ident = start.get(qn("w:id"))
            end = next(e for e in body.iter(qn("w:bookmarkEnd")) if e.get(qn("w:id")) == ident)
            start.getparent().remove(start)
            end.getparent().remove(end)


def test_a_deleted_anchor_falls_back_to_the_text(rendered):
    edited = _edited(rendered, lambda document: _drop_bookmark(document, "8620"))
    assert "经济发展.财税收入" not in word.read_anchors(edited, file="r.docx").texts
    result = extract.extract_docx(TEMPLATE.source, SCHEMA, edited, file="r.docx")
    assert result.values["经济发展.财税收入"] == "8620" and not result.missing
    assert result.anchored == len(SCHEMA.variables) - 1


def test_a_deleted_anchor_in_a_rewritten_sentence_is_lost_alone(rendered):
    def edit(document):
        _drop_bookmark(document, "8620")
        paragraph = next(p for p in document.paragraphs if "完成财税收入" in p.text)
        for run in paragraph.runs:
            run.text = run.text.replace("完成财税收入", "全年税收达到")

    result = extract.extract_docx(TEMPLATE.source, SCHEMA, _edited(rendered, edit), file="r.docx")
    assert list(result.missing) == ["经济发展.财税收入"]


def test_cli_says_how_many_values_came_from_anchors_and_warns_of_another_template(runner, rendered, tmp_path):
    report = tmp_path / "去年.docx"
    report.write_bytes(rendered)
    out = tmp_path / "v.yaml"
    result = runner.invoke(cli, ["extract", "township-work-report", str(report), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"（{len(SCHEMA.variables)} 项来自文档中的标记）" in result.stdout
    other = tmp_path / "别的模板"
    other.mkdir()
    for name in ("template.txt", "schema.yaml"):
        (other / name).write_bytes((TEMPLATE.path / name).read_bytes())
    again = runner.invoke(cli, ["extract", str(other), str(report), "-o", str(tmp_path / "w.yaml")])
    assert "是用模板“township-work-report”生成的" in again.stderr


def test_a_bad_value_in_an_anchor_is_reported_and_the_text_tried(rendered):
    def change(document):
        paragraph = next(p for p in document.paragraphs if "完成财税收入" in p.text)
        next(r for r in paragraph.runs if r.text == "8620").text = "八千多"

    result = extract.extract_docx(TEMPLATE.source, SCHEMA, _edited(rendered, change), file="r.docx")
    assert "经济发展.财税收入" in result.missing
    assert "八千多" in result.missing["经济发展.财税收入"]


@pytest.mark.parametrize("options", [{"profile": "windows"}, {"mark_values": True}], ids=["windows", "marked"])
def test_every_way_of_rendering_anchors_every_value(example, options, office_schema):
    data = TEMPLATE.render_bytes(example, **options)
    office_schema(data, "anchored.docx")
    result = extract.extract_docx(TEMPLATE.source, SCHEMA, data, file="r.docx")
    assert result.anchored == len(SCHEMA.variables) and not result.missing
