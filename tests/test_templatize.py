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
FILES = ("template.txt", "schema.yaml", "values.yaml", "values.schema.json")


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
    assert len(template.variables) == (55 if with_gaps else 49)


def test_seed_folder_is_a_working_template(seed_folder):
    out, stdout = seed_folder
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    template = drafter.load_template(out)
    keys = [v.key for v in template.variables]
    assert len(keys) == len(set(keys)) == 49
    assert all(is_valid_key(key) for key in keys)
    assert {key.split(".")[0] for key in keys} == {"基本信息", "工作回顾", "主要目标和任务"}
    # The skeleton lists every variable under its group, ready to fill.
    skeleton = (out / "values.yaml").read_text(encoding="utf-8")
    assert all(f"  {key.split('.')[1]}:\n" in skeleton for key in keys)
    assert "空位 56 处，变量 49 个" in stdout and "工作回顾.财税收入" in stdout
    assert "疑似删去的词语或数字 7 处" in stdout and "需要核对" in stdout
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
    ("谱写x镇", "基本信息.镇名"),
    ("也是x创新", "基本信息.镇名"),
    ("包装了投资x万的导托渠", "工作回顾.导托渠治理"),
], ids=lambda v: v if "x" in v else None)
def test_seed_key_names(words, key):
    draft = templatize(SEED_TEXT, title="t")
    offset = SEED_TEXT.index(words) + words.index("x")
    index = [ph.span[0] for ph in draft.placeholders].index(offset)
    assert draft.keys[index] == key


def test_same_words_and_unit_are_one_variable():
    draft = templatize(SEED_TEXT, title="t")
    assert draft.uses["主要目标和任务.招商签约任务"] == 2
    assert sum(draft.uses.values()) == 56 + 2  # and the year 2024, written out twice
    assert any("招商签约任务" in note and "合为一个变量" in note for note in draft.notes)


def test_seed_gaps_are_reported_and_become_text_variables():
    plain = templatize(SEED_TEXT, title="t")
    assert [gap.line for gap in plain.gaps] == [2, 7, 9, 10, 14, 17, 19]
    assert "坚持以【】为指导" in plain.gaps[0].context and "纠治“【】”" in plain.gaps[-1].context
    assert plain.gap_keys == () and "{{ " not in plain.source.split("\n")[1].split("坚持以")[1][:3]
    gapped = templatize(SEED_TEXT, title="t", with_gaps=True)
    texts = [v for v in gapped.schema.variables if v.type == "text"]
    assert [v.original for v in texts] == [""] * 6
    # Only the very same words share a variable: 以…为指导 twice; 是…科学指引 and 深入学习… alone.
    assert gapped.uses["工作回顾.指导思想"] == 2
    assert gapped.uses["工作回顾.指引思想"] == 1 and gapped.uses["政府作风转变.学习内容"] == 1
    assert "纠治“{{ 政府作风转变.引号内容 }}”" in gapped.source
    # The rules that may be wrong (深入学习，, 落细落实、) are left for the clerk to check.
    unsure = [note for note in gapped.notes if "不一定删去了词语" in note]
    assert len(unsure) == 2 and "政府作风转变.学习内容" in unsure[1] and "落细落实" in unsure[0]


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
    # The report's final newline is not a paragraph: the template ends with exactly one newline.
    assert text.endswith("\n") and (tmp_path / "t" / "template.txt").read_text("utf-8").endswith("。\n")
    # The town's name is one variable however its blanks were drawn (XX镇, ××镇, ＸＸ镇): it prints
    # as the first of them everywhere; every other blank prints back as written.
    draft = templatize(text, title="t")
    body = [ph for ph, key in zip(draft.placeholders, draft.keys, strict=True) if key == "基本信息.镇名"]
    assert [ph.token for ph in body] == ["XX", "××", "ＸＸ"]
    back = text
    for ph in reversed(body):
        back = back[:ph.span[0]] + "XX" + back[ph.span[1]:]
    assert template.render_text(_originals(template.schema), validate=False) == back.removesuffix("\n")
    kinds = {v.key: v.type for v in template.variables}
    assert [kinds[key] for key in draft.keys] == [kind for _, _, kind in expected]
    assert "总体.报告人姓名" in result.stdout


def test_running_twice_gives_identical_files(tmp_path, runner, seed_folder):
    again = tmp_path / "again"
    assert _run(runner, "templatize", SEED, "-o", again).exit_code == 0
    def masked(folder, name):  # the folder's path appears, shell-quoted where needed, in the commands shown
        data = (folder / name).read_bytes().replace(shlex.quote(str(folder / "values.yaml")).encode(),
                                                    b"OUT/values.yaml")
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
    ("无空位.txt", "一、工作回顾\n我们继续努力，完成全年任务。", "也没有可设为变量的数字"),
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
    assert result.stdout.count("疑似删去了词语") == 5 and f"{SEED}:19: " in result.stdout
    assert result.stdout.count("可能删去了词语") == 2 and "（深入学习……,），不一定，请核对。" in result.stdout
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
    sample = {"count": "5", "amount": "12.5", "quantity": "300", "percent": "98.5", "month": "9", "year": "2025",
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


# Title blocks: a Word report's title has no empty paragraph under it; drafter's layout needs one.
@pytest.mark.parametrize("report, lines, title", [
    ("XX镇政府工作报告\n各位代表：\n一、回顾\n签约x个。",
     ["XX镇政府工作报告", "", "各位代表：", "一、回顾", "签约x个。"], "…镇政府工作报告"),
    ("XX镇20XX年政府工作报告\n——20XX年X月X日在XX镇第x届人民代表大会上\n镇长　张三\n（2024年1月5日）\n各位代表：\n签约x个。",
     ["XX镇20XX年政府工作报告", "——20XX年X月X日在XX镇第x届人民代表大会上", "镇长　张三", "（2024年1月5日）", "",
      "各位代表：", "签约x个。"], "…镇20…年政府工作报告"),
    ("政府工作报告\n\n\n报告人：张三\n\n各位代表：\n\n签约x个。\n\n完成x万元。\n",
     ["政府工作报告", "报告人：张三", "", "各位代表：", "签约x个。", "完成x万元。"], "政府工作报告"),
    ("一、回顾\n\n签约x个。\n\n完成x万元。\n\n\n", ["一、回顾", "签约x个。", "完成x万元。"], "文件名"),
    ("各位代表：\n\n签约x个。", ["各位代表：", "签约x个。"], "文件名"),
    ("今年以来，全镇签约新项目x个，完成投资x万元。\n\n二、安排", ["今年以来，全镇签约新项目x个，完成投资x万元。", "二、安排"],
     "文件名"),
    ("XX\n签约x个。", ["XX", "", "签约x个。"], "文件名"),
], ids=["title-then-salutation", "title-caption-speaker-date", "empty-lines-dropped", "heading-first",
        "salutation-first", "sentence-first", "title-of-blanks-only"])
def test_title_block_gets_one_empty_line_and_the_body_none(report, lines, title):
    draft = templatize(report, default_title="文件名")
    assert draft.report.split("\n") == lines
    assert draft.schema.title == title
    assert draft.title_lines == (lines.index("") if "" in lines else 0)


def test_title_given_on_the_command_line_wins():
    assert templatize("XX镇政府工作报告\n签约x个。", title="我的模板").schema.title == "我的模板"


@pytest.mark.parametrize("report, kinds", [
    ("XX镇政府工作报告\n各位代表：\n一、回顾\n签约x个。", ["title", "blank", "salutation", "h1", "body"]),
    ("一、回顾\n\n签约x个。\n\n", ["h1", "body"]),
    ("签约x个。\r\n\r\n", ["body"]),
], ids=["title", "heading-first", "crlf-and-trailing-empty-lines"])
def test_rendered_template_has_a_title_block_and_no_trailing_empty_paragraph(tmp_path, report, kinds):
    draft = templatize(report, title="t")
    assert draft.source.endswith("\n") and not draft.source.endswith("\n\n")
    (tmp_path / "template.txt").write_text(draft.source, encoding="utf-8")
    (tmp_path / "schema.yaml").write_text(dump_schema(draft.schema), encoding="utf-8")
    template = drafter.load_template(tmp_path)
    blocks = layout.lay_out(template.render_text(_originals(template.schema), validate=False))
    assert [block.kind for block in blocks] == kinds


def test_docx_tables_are_read_in_document_order(tmp_path, runner):
    document = docx.Document()
    document.add_paragraph("XX镇政府工作报告")
    document.add_paragraph("一、主要指标")
    table = document.add_table(rows=3, cols=3)
    for (row, column), text in {(0, 0): "指标", (0, 1): "2023年", (0, 2): "20XX年",
                                (1, 0): "财税收入（万元）", (1, 1): "1200", (1, 2): "完成x万元"}.items():
        table.cell(row, column).text = text
    merged = table.cell(2, 0).merge(table.cell(2, 2))
    merged.text = "合计签约x个"
    merged.add_paragraph("备注：含续建项目")
    document.add_paragraph("二、工作安排")
    document.add_paragraph("新建x座。")
    report = tmp_path / "报告.docx"
    document.save(str(report))
    assert word.read_report(report.read_bytes(), file="报告.docx") == [
        "XX镇政府工作报告", "一、主要指标", "【表格】", "列宽：1 1 1", "| 指标 | 2023年 | 20XX年 |", "|---|---|---|",
        "| 财税收入（万元） | 1200 | 完成x万元 |", "| 合计签约x个 备注：含续建项目 | < | < |", "【表格完】",
        "二、工作安排", "新建x座。"]
    result = _run(runner, "templatize", report, "-o", tmp_path / "t")
    assert result.exit_code == 0, result.stderr
    source = (tmp_path / "t" / "template.txt").read_text("utf-8")
    assert "| 指标 | 2023年 | {{ 主要指标.指标年份 }}年 |\n" in source  # a header's blank, named as in text
    # A body cell's blank is named by its row and its column's header, or by its own words.
    assert "| 财税收入（万元） | 1200 | 完成{{ 主要指标.财税收入万元20XX年 }}万元 |\n" in source
    assert "| 合计签约{{ 主要指标.合计签约 }}个 备注：含续建项目 | < | < |\n" in source


@pytest.mark.parametrize("name, content, words", [
    ("报告.rtf", b"{\\rtf1\\ansi \\'d0\\'c2 x}", "RTF"),
    ("报告.odt", b"PK\x03\x04" + b"\x00" * 8, "OpenDocument"),
    ("报告.pdf", b"%PDF-1.7\n", "PDF"),
    ("报告.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版 Word"),
    ("报告.wps", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "WPS"),
    ("报告.RTF", "签约新项目x个。".encode(), "RTF"),
    ("报告.txt", b"{\\rtf1\\ansi \\'d0\\'c2 x}", "RTF"),
], ids=["rtf", "odt", "pdf", "doc", "wps", "upper-case-suffix", "rtf-named-txt"])
def test_other_document_formats_are_refused_with_how_to_convert(tmp_path, runner, name, content, words):
    report = _write(tmp_path / name, content)
    result = _run(runner, "templatize", report, "-o", tmp_path / "out")
    assert result.exit_code == 1 and words in result.stderr
    assert "另存为" in result.stderr and ".docx" in result.stderr and ".txt" in result.stderr
    assert "扩展名" not in result.stderr and "改名" not in result.stderr
    assert not (tmp_path / "out").exists()
    assert _run(runner, "lint", report).exit_code == 1


@pytest.mark.parametrize("filled, kept", [
    ("总体:\n  名称:\n", False),
    ("总体:\n  名称: 张家\n", True),
    ("总体:\n  名称: [张家]\n", True),
    ("总体:\n  名称: '  '\n", False),
    ("总体: [\n", True),
    ("", False),
], ids=["empty-skeleton", "a-value", "a-list", "blank-string", "broken-yaml", "empty-file"])
def test_force_keeps_a_values_file_with_values_in_it(tmp_path, runner, filled, kept):
    report = _write(tmp_path / "r.txt", "报告人：×××\n签约x个。")
    out = tmp_path / "t"
    assert _run(runner, "templatize", report, "-o", out).exit_code == 0
    _write(out / "values.yaml", filled)
    (out / "template.txt").write_text("旧的", encoding="utf-8")
    result = _run(runner, "templatize", report, "-o", out, "--force")
    assert result.exit_code == 0, result.stderr
    assert ((out / "values.yaml").read_text("utf-8") == filled) is kept
    assert ("已经填写了取值，未覆盖" in result.stdout) is kept
    assert (out / "template.txt").read_text("utf-8") != "旧的"


def test_commands_shown_quote_a_path_with_spaces(tmp_path, runner):
    report = _write(tmp_path / "r.txt", "一、回顾\n签约x个。")
    out = tmp_path / "我的 模板"
    result = _run(runner, "templatize", report, "-o", out)
    assert result.exit_code == 0
    folder, values = shlex.quote(str(out)), shlex.quote(str(out / "values.yaml"))
    assert f"drafter render {folder} -f {values} -o 报告.docx" in result.stdout
    skeleton = (out / "values.yaml").read_text("utf-8")
    assert "本文件" not in skeleton and f"drafter check {folder} -f {values}\n" in skeleton


def test_init_example_on_a_template_without_example_says_so(tmp_path, runner, seed_folder):
    result = _run(runner, "init", seed_folder[0], "-o", tmp_path / "v.yaml", "--example")
    assert result.exit_code == 1
    assert "没有示例取值文件 example.yaml" in result.stderr and "去掉 --example" in result.stderr
    assert "No such file" not in result.stderr and not (tmp_path / "v.yaml").exists()


def test_group_label_shows_a_year_blank_as_figures_and_dots():
    draft = templatize("一、20XX年工作回顾\n签约x个。\n二、二〇XX年工作安排\n完成x万元。", title="t")
    assert list(draft.schema.groups.values()) == ["一、20…年工作回顾", "二、二〇…年工作安排"]


def test_lint_names_the_template_file_and_sorts_by_line(tmp_path, runner, seed_folder):
    out = tmp_path / "t"
    out.mkdir()
    source = (seed_folder[0] / "template.txt").read_text(encoding="utf-8")
    lines = source.split("\n")
    lines[15] += "签约新项目x个。"
    lines[2] = lines[2] + "坚持以为指导。"
    _write(out / "template.txt", "\n".join(lines).replace("{{ 工作回顾.财税收入 }}", "1"))
    _write(out / "schema.yaml", (seed_folder[0] / "schema.yaml").read_bytes())
    result = _run(runner, "lint", out)
    assert result.exit_code == 1
    shown = result.stdout.splitlines()
    assert shown[0].startswith(f"{out / 'schema.yaml'}: schema.yaml 定义了模板中没有用到的变量 工作回顾.财税收入")
    located = [int(line.split(":")[1]) for line in shown[1:]]
    assert located == sorted(located) and 3 in located and 16 in located
    assert all(line.startswith(f"{out / 'template.txt'}:") for line in shown[1:])


def test_a_template_too_big_to_read_back_is_not_written(runner, tmp_path, monkeypatch):
    from drafter import yamlfile
    from drafter.cli import cli

    # The seed makes a schema.yaml of some 12 KB; with the reading limit below that, templatize
    # must refuse rather than write a template drafter itself would then refuse to load.
    monkeypatch.setattr(yamlfile, "MAX_BYTES", 10_000)
    out = tmp_path / "t"
    result = runner.invoke(cli, ["templatize", str(SEED), "-o", str(out)])
    assert result.exit_code == 1 and "报告太长" in result.stderr and "schema.yaml" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()
