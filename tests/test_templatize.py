"""drafter templatize and drafter lint: the seed, the corpus, .docx input, stability, refusals."""

from __future__ import annotations

import re
import shlex

import docx
import pytest

import drafter
from drafter import layout, word
from drafter.cli import cli
from drafter.lint import lint_template
from drafter.schema import dump_schema, is_valid_key, load_schema
from drafter.templatize import templatize

from .conftest import SEED
from .test_placeholders import CORPUS, marked

SEED_TEXT = SEED.read_text(encoding="utf-8")
FILES = ("template.txt", "schema.yaml", "values.yaml")


def _originals(schema) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for var in schema.variables:
        group, name = var.key.split(".")
        out.setdefault(group, {})[name] = var.original
    return out


def _run(runner, *args):
    result = runner.invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture(scope="module")
def seed_folder(tmp_path_factory):
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("seed") / "模板"
    result = _run(CliRunner(), "templatize", SEED, "-o", out)
    assert result.exit_code == 0, result.output + result.stderr
    return out, result.stdout


@pytest.mark.parametrize("with_gaps", [False, True], ids=["blanks", "blanks-and-gaps"])
def test_seed_renders_back_to_itself(tmp_path, runner, with_gaps):
    out = tmp_path / "t"
    result = _run(runner, "templatize", SEED, "-o", out, *(["--gaps"] if with_gaps else []))
    assert result.exit_code == 0, result.stderr
    template = drafter.load_template(out)
    assert template.render_text(_originals(template.schema), validate=False) == SEED_TEXT
    assert len(template.variables) == (59 if with_gaps else 55)


def test_seed_folder_is_a_working_template(seed_folder):
    out, stdout = seed_folder
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    template = drafter.load_template(out)
    keys = [v.key for v in template.variables]
    assert len(keys) == len(set(keys)) == 55
    assert all(is_valid_key(key) for key in keys)
    assert {key.split(".")[0] for key in keys} == {"工作回顾", "主要目标和任务", "政府作风转变"}
    # The skeleton lists every variable under its group, ready to fill.
    skeleton = (out / "values.yaml").read_text(encoding="utf-8")
    assert all(f"  {key.split('.')[1]}:\n" in skeleton for key in keys)
    assert "空位 56 处，变量 55 个" in stdout and "工作回顾.财税收入" in stdout
    assert "疑似删去的词语 7 处" in stdout and "需要核对" in stdout
    # The first lines hold no empty line, so no title block is made of the first heading.
    assert "" not in template.source.split("\n")[:8]


@pytest.mark.parametrize("words, key", [
    ("完成财税收入x万元", "工作回顾.财税收入"),
    ("签约新项目x个", "工作回顾.签约新项目"),
    ("x村大力发展菌菇种植", "工作回顾.菌菇种植村"),
    ("x等村大力发展柑橘种植", "工作回顾.柑橘种植村"),
    ("预计x月底开工", "工作回顾.开工月份"),
    ("x个衔接资金项目", "工作回顾.衔接资金项目"),
    ("投入x余万元的涝区治理项目", "工作回顾.涝区治理项目"),
    ("接待来访人数x批", "工作回顾.来访人数"),
    ("批x人次", "工作回顾.来访人数人次"),
    ("x项目和", "工作回顾.项目名称"),
    ("完成招商签约任务x亿元", "主要目标和任务.招商签约任务"),
    ("确保全年完成招商签约任务x亿元", "主要目标和任务.招商签约任务"),
    ("谱写x镇", "政府作风转变.镇名"),
], ids=lambda v: v if "x" in v else None)
def test_seed_key_names(words, key):
    draft = templatize(SEED_TEXT, title="t")
    offset = SEED_TEXT.index(words) + words.index("x")
    index = [ph.span[0] for ph in draft.placeholders].index(offset)
    assert draft.keys[index] == key


def test_same_words_and_unit_are_one_variable():
    draft = templatize(SEED_TEXT, title="t")
    assert draft.uses["主要目标和任务.招商签约任务"] == 2
    assert sum(draft.uses.values()) == 56
    assert any("招商签约任务" in note and "合为一个变量" in note for note in draft.notes)


def test_seed_gaps_are_reported_and_become_text_variables():
    plain = templatize(SEED_TEXT, title="t")
    assert [gap.line for gap in plain.gaps] == [2, 7, 9, 10, 14, 17, 19]
    assert "坚持以【】为指导" in plain.gaps[0].context and "纠治“【】”" in plain.gaps[-1].context
    assert plain.gap_keys == () and "{{ " not in plain.source.split("\n")[1].split("坚持以")[1][:3]
    gapped = templatize(SEED_TEXT, title="t", with_gaps=True)
    texts = [v for v in gapped.schema.variables if v.type == "text"]
    assert [v.original for v in texts] == ["", "", "", ""]
    assert gapped.uses["工作回顾.指导思想"] == 4  # 以…为指导 twice, 深入学习…, 是…科学指引
    assert "纠治“{{ 政府作风转变.引号内容 }}”" in gapped.source


@pytest.mark.parametrize("text", [SEED_TEXT, marked((CORPUS / "conventions.txt").read_text("utf-8"))[0]],
                         ids=["seed", "corpus"])
def test_schema_written_loads_back_to_the_same_variables(tmp_path, text):
    schema = templatize(text, title="标题", with_gaps=True).schema
    path = tmp_path / "schema.yaml"
    path.write_text(dump_schema(schema, header="一行说明"), encoding="utf-8")
    loaded = load_schema(path)
    assert loaded.variables == schema.variables
    assert (loaded.title, loaded.groups) == (schema.title, schema.groups)


def test_corpus_becomes_a_template_that_renders_back(tmp_path, runner):
    text, expected = marked((CORPUS / "conventions.txt").read_text(encoding="utf-8"))
    report = tmp_path / "报告.txt"
    report.write_text(text, encoding="utf-8")
    result = _run(runner, "templatize", report, "-o", tmp_path / "t", "--gaps")
    assert result.exit_code == 0, result.stderr
    template = drafter.load_template(tmp_path / "t")
    assert template.render_text(_originals(template.schema), validate=False) == text
    kinds = {v.key: v.type for v in template.variables}
    draft = templatize(text, title="t")
    assert [kinds[key] for key in draft.keys] == [kind for _, _, kind in expected]
    assert "总体.名称" in result.stdout and "后面没有单位" in result.stdout  # 报告人：××× is a guess


def test_running_twice_gives_identical_files(tmp_path, runner, seed_folder):
    again = tmp_path / "again"
    assert _run(runner, "templatize", SEED, "-o", again).exit_code == 0
    def masked(folder, name):  # the folder's path appears, shell-quoted where needed, in the commands shown
        data = (folder / name).read_bytes()
        return data.replace(shlex.quote(str(folder)).encode(), b"OUT").replace(str(folder).encode(), b"OUT")

    for name in FILES:
        assert masked(again, name) == masked(seed_folder[0], name)
    assert (again / "template.txt").read_bytes() == (seed_folder[0] / "template.txt").read_bytes()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_notepad_encodings_give_the_same_template(tmp_path, runner, seed_folder, encoding):
    report = tmp_path / SEED.name
    report.write_bytes(SEED_TEXT.replace("\n", "\r\n").encode(encoding))
    assert _run(runner, "templatize", report, "-o", tmp_path / "t").exit_code == 0
    for name in ("template.txt", "schema.yaml"):
        assert (tmp_path / "t" / name).read_bytes() == (seed_folder[0] / name).read_bytes()


def test_docx_report_gives_the_same_template(tmp_path, runner, seed_folder):
    document = docx.Document()
    for line in SEED_TEXT.split("\n"):
        document.add_paragraph(line)
    report = tmp_path / f"{SEED.stem}.docx"
    document.save(str(report))
    assert _run(runner, "templatize", report, "-o", tmp_path / "t").exit_code == 0
    assert (tmp_path / "t" / "template.txt").read_bytes() == (seed_folder[0] / "template.txt").read_bytes()
    # The schema's first comment names the report file; everything else is the same.
    ours, theirs = ((folder / "schema.yaml").read_text(encoding="utf-8").split("\n", 1)
                    for folder in (seed_folder[0], tmp_path / "t"))
    assert theirs[1] == ours[1] and theirs[0] == ours[0].replace(".txt", ".docx")


def test_docx_written_by_drafter_gives_the_same_variables(tmp_path):
    # drafter's own .docx makes `,` full-width (，): the blanks, kinds and keys do not change.
    data = word.write_docx(layout.lay_out(SEED_TEXT))
    text = "\n".join(word.read_report(data, file="报告.docx"))
    assert text != SEED_TEXT
    ours, theirs = templatize(SEED_TEXT, title="t"), templatize(text, title="t")
    assert theirs.keys == ours.keys
    assert [(p.token, p.kind, p.unit) for p in theirs.placeholders] == \
        [(p.token, p.kind, p.unit) for p in ours.placeholders]


def test_jinja_delimiters_in_a_report_stay_text(tmp_path):
    text = "一、回顾\n代码写作{{ 7*7 }}和{% raw %}，完成{x}个、签约x个。"
    draft = templatize(text, title="t")
    assert len(draft.placeholders) == 2 and any("{" in note for note in draft.notes)
    (tmp_path / "template.txt").write_text(draft.source, encoding="utf-8")
    (tmp_path / "schema.yaml").write_text(dump_schema(draft.schema), encoding="utf-8")
    template = drafter.load_template(tmp_path)
    assert template.render_text(_originals(template.schema), validate=False) == text


def _write(path, content: bytes | str):
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


@pytest.mark.parametrize("name, content, message", [
    ("空.txt", b"", "报告是空的"),
    ("空白.txt", "  \n\n　\n", "报告是空的"),
    ("无空位.txt", "一、工作回顾\n完成财税收入1.5万元，签约新项目5个。", "没有找到空位"),
    ("二进制.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "不是文本文件"),
    ("控制字符.txt", b"\x01\x02\x03\x04", "不是文本文件"),
    ("拉丁.txt", b"caf\xe9 x\xff\xfe", "无法识别文件编码"),
    ("统一码.txt", "签约新项目x个".encode("utf-16"), "UTF-16"),
    ("假的.docx", b"not a word file", "无法作为 Word 文档打开"),
    ("旧版.txt", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 8, "旧版 Word"),
    ("压缩.txt", b"PK\x03\x04" + b"\x00" * 8, "压缩文件"),
], ids=["empty", "whitespace", "no-blanks", "binary", "control-chars", "unknown-encoding", "utf16",
        "not-docx", "doc", "zip"])
def test_bad_reports_are_refused_and_nothing_is_written(tmp_path, runner, name, content, message):
    report = _write(tmp_path / name, content)
    out = tmp_path / "out"
    result = _run(runner, "templatize", report, "-o", out)
    assert result.exit_code == 1
    assert result.stderr.startswith("错误：") and message in result.stderr and "提示：" in result.stderr
    assert str(report) in result.stderr
    assert not out.exists()


def test_no_blanks_but_cuts_suggests_gaps(tmp_path, runner):
    report = _write(tmp_path / "r.txt", "一、回顾\n坚持以为指导，完成全年任务。")
    result = _run(runner, "templatize", report, "-o", tmp_path / "out")
    assert result.exit_code == 1 and "--gaps" in result.stderr
    assert _run(runner, "templatize", report, "-o", tmp_path / "out", "--gaps").exit_code == 0


def test_existing_folder_is_not_overwritten_without_force(tmp_path, runner):
    out = tmp_path / "t"
    out.mkdir()
    _write(out / "template.txt", "我的模板")
    result = _run(runner, "templatize", SEED, "-o", out)
    assert result.exit_code == 1 and "文件夹不是空的" in result.stderr and "--force" in result.stderr
    assert (out / "template.txt").read_text(encoding="utf-8") == "我的模板"
    assert _run(runner, "templatize", SEED, "-o", out, "--force").exit_code == 0
    assert drafter.load_template(out).variables


def test_output_that_is_a_file_is_refused(tmp_path, runner):
    out = _write(tmp_path / "t", "x")
    result = _run(runner, "templatize", SEED, "-o", out)
    assert result.exit_code == 1 and "不是文件夹" in result.stderr and out.read_text() == "x"


def test_lint_reports_the_cuts_of_a_report(runner):
    result = _run(runner, "lint", SEED)
    assert result.exit_code == 1
    assert result.stdout.count("疑似删去了词语") == 7 and f"{SEED}:19: " in result.stdout
    assert "发现 7 处问题" in result.stderr


def test_lint_passes_a_good_template(runner, tmp_path):
    assert _run(runner, "lint", "township-work-report").exit_code == 0
    assert _run(runner, "templatize", SEED, "-o", tmp_path / "t", "--gaps").exit_code == 0
    result = _run(runner, "lint", tmp_path / "t")
    assert result.exit_code == 0 and "未发现问题" in result.stdout


def test_lint_reports_a_template_whose_schema_and_text_disagree(runner, tmp_path, seed_folder):
    out = tmp_path / "t"
    out.mkdir()
    source = (seed_folder[0] / "template.txt").read_text(encoding="utf-8")
    _write(out / "template.txt", source.replace("{{ 工作回顾.财税收入 }}", "{{ 工作回顾.财税收 }}")
           .replace("{{ 工作回顾.固投 }}", "x"))
    _write(out / "schema.yaml", (seed_folder[0] / "schema.yaml").read_bytes())
    result = _run(runner, "lint", out)
    assert result.exit_code == 1
    assert "没有定义的变量 工作回顾.财税收" in result.stdout
    assert "没有用到的变量 工作回顾.财税收入" in result.stdout and "工作回顾.固投" in result.stdout
    assert "未改成变量的空位“x”" in result.stdout


def test_lint_template_finds_nothing_in_the_bundled_template(template):
    assert lint_template(template.source, template.schema, file="template.txt") == ()


def test_templatize_help_is_in_chinese(runner):
    result = _run(runner, "templatize", "--help")
    assert result.exit_code == 0 and "--gaps" in result.stdout and "报告" in result.stdout
    assert re.search(r"x、XX、××", result.stdout)


def test_generated_template_takes_a_filled_values_file(seed_folder, tmp_path):
    template = drafter.load_template(seed_folder[0])
    sample = {"count": "5", "amount": "12.5", "quantity": "300", "percent": "98.5", "month": "9",
              "name": "虬津", "list": ["张家", "李家"]}
    values = _originals(template.schema)
    for var in template.variables:
        group, name = var.key.split(".")
        values[group][name] = sample[var.type]
    assert template.check(values) == []
    text = template.render_text(values)
    assert "完成财税收入12.5万元" in text and "张家、李家等村" in text
    assert template.render_docx(values, tmp_path / "报告.docx").stat().st_size > 0


@pytest.mark.parametrize("text, key", [
    ("一、回顾\n新建5G基站x座。", "回顾.项5G基站"),
    ("一、2024年工作回顾\n签约新项目x个。", "工作回顾.签约新项目"),
    ("（一）当前的主要任务\n签约新项目x个。", "主要任务.签约新项目"),
    ("签约新项目x个。\n一、\n签约新项目x个。", "第一部分.签约新项目"),
], ids=["digit-first", "year-in-heading", "second-level-headings", "empty-heading"])
def test_keys_are_always_loadable(tmp_path, text, key):
    draft = templatize(text, title="t")
    assert draft.keys[-1] == key
    (tmp_path / "template.txt").write_text(draft.source, encoding="utf-8")
    (tmp_path / "schema.yaml").write_text(dump_schema(draft.schema), encoding="utf-8")
    assert drafter.load_template(tmp_path).variables == draft.schema.variables
