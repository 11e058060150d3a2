"""Property tests: whatever values or YAML a clerk writes, drafter renders or says what is wrong."""

from __future__ import annotations

import subprocess
import sys

import docx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import drafter
from drafter import values

TEMPLATE = drafter.load_template("township-work-report")
KEYS = [v.key for v in TEMPLATE.variables]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
    st.sampled_from(["5个", "１２", "1,234.5", "95%", "2024年", "8月", "0.95", "{{ 7*7 }}", "", "x",
                     "2024-12-20", "13", "-1", "1e400", "\x07", "张家、李家"]),
)
value_sets = st.dictionaries(st.sampled_from(KEYS + ["乱.键", "基本信息", "经济发展.签约新项木"]),
                             st.one_of(scalars, st.lists(scalars, max_size=3)), max_size=len(KEYS))


def _nested(flat):
    out: dict = {}
    for key, value in flat.items():
        group, _, name = key.partition(".")
        if name:
            entry = out.setdefault(group, {})
            if isinstance(entry, dict):
                entry[name] = value
        else:
            out[group] = value
    return out


def _example_with(flat):
    base = {v.key: v.example for v in TEMPLATE.variables}
    base.update(flat)
    return _nested(base)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value_sets, st.booleans())
def test_random_values_render_or_fail_with_a_drafter_error(flat, draft):
    data = _example_with(flat) if draft else _nested(flat)
    try:
        blocks = TEMPLATE.render_blocks(data, draft=draft)
    except drafter.DrafterError as error:
        assert str(error)
        return
    assert blocks[0].kind == "title"


yaml_text = st.one_of(
    st.text(max_size=200),
    st.lists(st.tuples(st.sampled_from(["基本信息", "经济发展", "a", "- b", "  c", "&x", "*x", "!!python/object"]),
                       st.sampled_from([":", ": ", ":\n  ", " - ", ": [", ": {", ": '", ': "', ": |\n  "]),
                       st.text(max_size=10)), max_size=8).map(lambda rows: "\n".join("".join(r) for r in rows)),
)


@settings(max_examples=200, deadline=None)
@given(yaml_text)
def test_random_yaml_documents_parse_or_fail_with_a_drafter_error(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("y") / "v.yaml"
    path.write_bytes(text.encode("utf-8", errors="replace"))
    try:
        loaded = values.read_values_file(path)
        TEMPLATE.check(loaded)
    except drafter.DrafterError as error:
        assert str(error)


def test_full_render_of_a_hostile_values_file_writes_a_valid_document(tmp_path):
    data = _example_with({"基本信息.报告人": "<w:p>&amp;{{ 7*7 }}{% raw %}", "基本信息.镇名": "]]>\"'\"'"})
    path = TEMPLATE.render_docx(data, tmp_path / "r.docx")
    texts = [p.text.replace("\n", "") for p in docx.Document(str(path)).paragraphs]
    assert texts[0] == "]]>\"'\"'镇人民政府工作报告" and "<w:p>&amp;{{ 7*7 }}{% raw %}" in texts[2]


def test_cli_never_shows_a_traceback_on_garbage(tmp_path):
    path = tmp_path / "v.yaml"
    for content in (b"\xff\xfe\x00garbage", b"a: [", b"- - -", b"a: *nope", b"? [a]\n: b\n", b"a:\n\tb: 1\n"):
        path.write_bytes(content)
        proc = subprocess.run([sys.executable, "-m", "drafter", "check", "township-work-report", "-f", str(path)],
                              capture_output=True, text=True)
        assert proc.returncode == 1, content
        assert "Traceback" not in proc.stderr and proc.stderr.startswith("错误："), (content, proc.stderr)


@settings(max_examples=60, deadline=None)
@given(yaml_text)
def test_the_cli_answers_random_yaml_with_a_report_or_a_message(tmp_path_factory, text):
    from click.testing import CliRunner

    from drafter.cli import cli

    folder = tmp_path_factory.mktemp("cli")
    (folder / "v.yaml").write_bytes(text.encode("utf-8", errors="replace"))
    result = CliRunner().invoke(cli, ["render", "township-work-report", "-f", str(folder / "v.yaml"),
                                      "-o", str(folder / "r.docx"), "--draft"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1)
    assert (folder / "r.docx").exists() == (result.exit_code == 0)
    if result.exit_code == 1:
        assert result.stderr.startswith("错误：")
