"""drafter batch: many reports from values files or table rows, failures collected, names from values."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest

from drafter import batch, filenames, values
from drafter.cli import cli
from drafter.errors import BatchError

from .conftest import TEMPLATE_DIR

EXAMPLE = (TEMPLATE_DIR / "example.yaml").read_text(encoding="utf-8")


def _invoke(runner, *args):
    result = runner.invoke(cli, ["batch", *map(str, args)])
    assert "Traceback" not in result.output + (result.stderr or "")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def _values_file(path: Path, **replacements: str) -> Path:
    text = EXAMPLE
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return path


def _document_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as package:
        return package.read("word/document.xml")


def _first_line(path: Path) -> str:
    return docx.Document(str(path)).paragraphs[0].text


@pytest.fixture(scope="module")
def example_cells() -> dict[str, str]:
    """Return the example's values as a table row holds them: one text per key."""
    raw = values.read_values_file(TEMPLATE_DIR / "example.yaml").raw
    return {key: "、".join(v) if isinstance(v, tuple) else v for key, v in raw.items()}


def _table(path: Path, example_cells: dict[str, str], rows: list[dict[str, object]], *,
           drop: tuple[str, ...] = ()) -> Path:
    """Write an .xlsx whose rows are the example with the changes in `rows`."""
    keys = [k for k in example_cells if k not in drop]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(keys)
    for changes in rows:
        sheet.append([changes.get(k, example_cells[k]) for k in keys])
    book.save(path)
    return path


def test_many_files_with_one_bad_write_the_others_and_name_the_failure(runner, tmp_path):
    good = [_values_file(tmp_path / f"{town}.yaml", **{"镇名: 艾城": f"镇名: {town}"}) for town in ("甲", "乙", "丙")]
    bad = _values_file(tmp_path / "丁.yaml", **{"签约新项目: 5": "签约新项目: 5个"})
    line = bad.read_text(encoding="utf-8").split("\n").index("  签约新项目: 5个") + 1
    out = tmp_path / "报告"
    result = _invoke(runner, "township-work-report", good[0], bad, *good[1:], "-o", out, "-j", "1")
    assert result.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == ["丙.docx", "乙.docx", "甲.docx"]
    assert _first_line(out / "乙.docx") == "乙镇人民政府工作报告"
    assert f"{bad}:{line}: 经济发展.签约新项目（签约新项目数）：“5个”后面多了“个”" in result.stderr
    assert "1 份报告未生成" in result.stderr and "已生成 3 份报告" in result.stdout
    assert not list(out.glob(".*"))  # no temporary file left


def test_common_files_and_set_merge_as_in_render(runner, tmp_path):
    common = tmp_path / "公共.yaml"
    common.write_text(EXAMPLE, encoding="utf-8")
    town = tmp_path / "虬津.yaml"
    town.write_text("基本信息:\n  镇名: 虬津\n  报告人: 李四\n", encoding="utf-8")
    unreadable = tmp_path / "坏.yaml"
    unreadable.write_text("基本信息:\n  镇名: [虬津\n", encoding="utf-8")
    out = tmp_path / "out"
    result = _invoke(runner, "township-work-report", town, unreadable, "-f", common,
                     "--set", "基本信息.报告人=王五", "-o", out)
    assert result.exit_code == 1
    texts = [p.text for p in docx.Document(str(out / "虬津.docx")).paragraphs]
    assert texts[0] == "虬津镇人民政府工作报告" and texts[2] == "镇长　王五"  # --set wins over the file
    assert f"{unreadable}:2: YAML 格式错误" in result.stderr  # where the bracket opens


def test_table_rows_become_reports_and_bad_rows_name_row_column_and_key(runner, tmp_path, example_cells):
    path = _table(tmp_path / "各镇.xlsx", example_cells, [
        {"基本信息.镇名": "甲"}, {"基本信息.镇名": "乙", "经济发展.签约新项目": "5个"},
        {"基本信息.镇名": "丙", "经济发展.开工月份": None}, {"基本信息.镇名": "丁", "民生事业.医保参保率": "#N/A"},
    ])
    keys = list(example_cells)
    letter = {k: openpyxl.utils.get_column_letter(keys.index(k) + 1) for k in keys}
    out = tmp_path / "out"
    result = _invoke(runner, "township-work-report", "--table", path, "-o", out,
                     "--name", "{基本信息.镇名}镇政府工作报告.docx")
    assert result.exit_code == 1, result.output
    assert sorted(p.name for p in out.iterdir()) == ["甲镇政府工作报告.docx"]
    assert (f"各镇.xlsx:第3行 {letter['经济发展.签约新项目']}列（经济发展.签约新项目）：“5个”后面多了“个”"
            in result.stderr)
    assert f"各镇.xlsx:第4行 {letter['经济发展.开工月份']}列（经济发展.开工月份）：缺少这一项" in result.stderr
    assert f"填在 {letter['经济发展.开工月份']} 列" in result.stderr
    assert (f"各镇.xlsx:第5行 {letter['民生事业.医保参保率']}列（民生事业.医保参保率）：单元格是 Excel 的错误值 #N/A"
            in result.stderr)
    assert "3 份报告未生成" in result.stderr


def test_table_pitfalls_reach_the_report(runner, tmp_path, example_cells):
    path = tmp_path / "t.xlsx"
    _table(path, example_cells, [{"基本信息.镇名": "甲", "民生事业.医保参保率": 0.985, "经济发展.招商签约任务": 3.0000000000000004,
                                  "基本信息.届次": "18"}])
    book = openpyxl.load_workbook(path)
    sheet = book.active
    column = list(example_cells).index("民生事业.医保参保率") + 1
    sheet.cell(row=2, column=column).number_format = "0.0%"
    book.save(path)
    out = tmp_path / "out"
    result = _invoke(runner, "township-work-report", "--table", path, "-o", out)
    assert result.exit_code == 0, result.stderr
    text = "\n".join(p.text for p in docx.Document(str(out / "第2行.docx")).paragraphs)
    assert "98.5%" in text and "3.0000000000000004" not in text


def test_a_missing_column_is_taken_from_the_common_file_or_reported(runner, tmp_path, example_cells):
    path = _table(tmp_path / "t.csv.xlsx", example_cells, [{}], drop=("基本信息.报告人",))
    out = tmp_path / "out"
    result = _invoke(runner, "township-work-report", "--table", path, "-o", out)
    assert result.exit_code == 1
    assert "t.csv.xlsx:第2行（基本信息.报告人）：缺少这一项。 表中没有“基本信息.报告人”这一列" in result.stderr
    common = tmp_path / "c.yaml"
    common.write_text("基本信息:\n  报告人: 赵六\n", encoding="utf-8")
    result = _invoke(runner, "township-work-report", "--table", path, "-f", common, "-o", out)
    assert result.exit_code == 0, result.stderr


def test_csv_table_in_gb18030(runner, tmp_path, example_cells):
    keys = list(example_cells)
    rows = [keys, [example_cells[k] if k != "基本信息.镇名" else "虬津" for k in keys]]
    text = "\r\n".join(",".join(f'"{cell}"' for cell in row) for row in rows) + "\r\n"
    path = tmp_path / "各镇.csv"
    path.write_bytes(text.encode("gb18030"))
    out = tmp_path / "out"
    result = _invoke(runner, "township-work-report", "--table", path, "-o", out, "--name", "{基本信息.镇名}")
    assert result.exit_code == 0, result.stderr
    assert _first_line(out / "虬津.docx") == "虬津镇人民政府工作报告"


def test_a_table_without_rows_is_an_error(runner, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("基本信息.镇名\n\n,\n", encoding="utf-8")
    result = _invoke(runner, "township-work-report", "--table", path, "-o", tmp_path / "out")
    assert result.exit_code == 1 and "表头下没有要生成报告的行" in result.stderr


def test_init_table_then_batch(runner, tmp_path):
    table = tmp_path / "各镇.xlsx"
    result = runner.invoke(cli, ["init", "township-work-report", "--table", str(table), "--example"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(cli, ["init", "township-work-report", "--table", str(table)])
    assert again.exit_code == 1 and "文件已存在" in again.stderr
    result = _invoke(runner, "township-work-report", "--table", table, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["第3行.docx"]  # row 2, the labels, skipped


@pytest.mark.parametrize("header, message", [
    ("经济发展.签约新项木", "表头 B列“经济发展.签约新项木”不是本模板的变量"),
    ("基本信息.镇名", "表头 A列和 B列都是“基本信息.镇名”"),
], ids=["unknown", "twice"])
def test_a_bad_header_is_refused_before_anything_is_written(runner, tmp_path, header, message):
    path = tmp_path / "t.csv"
    path.write_text(f"基本信息.镇名,{header}\n艾城,5\n", encoding="utf-8")
    result = _invoke(runner, "township-work-report", "--table", path, "-o", tmp_path / "out")
    assert result.exit_code == 1 and message in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("text, expected", [
    ("艾城", "艾城.docx"),
    ('a/b\\c:d*e?f"g<h>i|j', "a／b＼c：d＊e？f＂g＜h＞i｜j.docx"),
    ("  镇\t名\n  ", "镇 名.docx"),
    ("报告...", "报告.docx"),
    ("..隐藏", "隐藏.docx"),
    ("CON", "_CON.docx"),
    ("nul.txt", "_nul.txt.docx"),
    ("com1", "_com1.docx"),
    ("零\u200b宽\u202e反", "零宽反.docx"),
    ("报告.DOCX", "报告.docx"),
    ("镇" * 100, "镇" * 65 + ".docx"),
], ids=["plain", "windows-forbidden", "whitespace", "trailing-dots", "leading-dots", "con", "nul-ext", "com1",
        "invisible", "suffix", "too-long"])
def test_file_names_are_safe_on_windows_and_linux(text, expected):
    name = filenames.safe_file_name(text)
    assert name == expected
    assert len(name.encode("utf-8")) <= 255 - 20


@pytest.mark.parametrize("text", ["", "...", " \u200b ", "/"[:0]])
def test_an_empty_name_is_refused(text):
    with pytest.raises(BatchError, match="文件名是空的"):
        filenames.safe_file_name(text)


def test_unsafe_characters_in_values_make_safe_names(runner, tmp_path):
    town = _values_file(tmp_path / "a.yaml", **{"镇名: 艾城": '镇名: "艾/城:"'})
    result = _invoke(runner, "township-work-report", town, "-o", tmp_path / "out", "--name", "{基本信息.镇名}?.docx")
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["艾／城：？.docx"]


def test_clashing_names_are_refused_before_anything_is_written(runner, tmp_path):
    files = [_values_file(tmp_path / f"{n}.yaml") for n in ("a", "b")]
    files.append(_values_file(tmp_path / "c.yaml", **{"镇名: 艾城": "镇名: 虬津"}))
    out = tmp_path / "out"
    out.mkdir()
    (out / "艾城.docx").write_bytes(b"old")
    result = _invoke(runner, "township-work-report", *files, "-o", out, "--name", "{基本信息.镇名}")
    assert result.exit_code == 1
    assert f"艾城.docx：{files[0]} 和 {files[1]}" in result.stderr
    assert [p.name for p in out.iterdir()] == ["艾城.docx"] and (out / "艾城.docx").read_bytes() == b"old"


def test_default_names_that_clash_only_in_case_are_refused(runner, tmp_path):
    (tmp_path / "x").mkdir()
    files = [_values_file(tmp_path / "Report.yaml"), _values_file(tmp_path / "x" / "report.yaml")]
    result = _invoke(runner, "township-work-report", *files, "-o", tmp_path / "out")
    assert result.exit_code == 1 and "同名" in result.stderr and not (tmp_path / "out").exists()


@pytest.mark.parametrize("pattern, message", [
    ("{基本信息.镇明}", "您是不是想写 {基本信息.镇名}"),
    ("{基本信息.镇名", "花括号不成对"),
    ("报告/{基本信息.镇名}", "文件夹分隔符"),
], ids=["unknown-key", "brace", "folder"])
def test_bad_name_patterns_are_refused(runner, tmp_path, pattern, message):
    result = _invoke(runner, "township-work-report", _values_file(tmp_path / "a.yaml"), "-o", tmp_path / "out",
                     "--name", pattern)
    assert result.exit_code == 1 and message in result.stderr and not (tmp_path / "out").exists()


def test_a_name_from_a_missing_value_fails_that_report_only(runner, tmp_path):
    files = [_values_file(tmp_path / "a.yaml"),
             _values_file(tmp_path / "b.yaml", **{"  报告人: 刘志强\n": ""})]
    result = _invoke(runner, "township-work-report", *files, "-o", tmp_path / "out", "--name", "{基本信息.报告人}",
                     "--draft")
    assert result.exit_code == 1
    assert "文件名要用到 基本信息.报告人，但它没有填写" in result.stderr
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["刘志强.docx"]


def test_usage_errors(runner, tmp_path):
    neither = runner.invoke(cli, ["batch", "township-work-report", "-o", str(tmp_path)])
    assert neither.exit_code == 2 and "二者选一" in neither.stderr
    sheet = runner.invoke(cli, ["batch", "township-work-report", "a.yaml", "--sheet", "x", "-o", str(tmp_path)])
    assert sheet.exit_code == 2 and "--sheet 只能和 --table 一起用" in sheet.stderr


def test_j1_and_j2_give_the_same_documents(runner, tmp_path, example_cells):
    rows = [{"基本信息.镇名": f"镇{i}", "经济发展.签约新项目": i} for i in range(1, 12)]
    rows[4]["经济发展.开工月份"] = 13
    path = _table(tmp_path / "t.xlsx", example_cells, rows)
    outputs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        result = _invoke(runner, "township-work-report", "--table", path, "-o", out, "-j", jobs, "--name",
                         "{序号}-{基本信息.镇名}", "--mark-values", "--profile", "windows")
        assert result.exit_code == 1 and "第6行" in result.stderr
        outputs[jobs] = ({p.name: _document_xml(p) for p in out.iterdir()}, result.stderr)
    assert len(outputs["1"][0]) == 10
    assert outputs["1"] == outputs["2"]


def test_render_bytes_equals_render_docx_in_content(template, example, tmp_path):
    written = template.render_docx(example, tmp_path / "r.docx", profile="windows", mark_values=True)
    content = template.render_bytes(example, profile="windows", mark_values=True)
    with zipfile.ZipFile(written) as on_disk, zipfile.ZipFile(io.BytesIO(content)) as in_memory:
        assert on_disk.namelist() == in_memory.namelist()
        for name in on_disk.namelist():
            if name != "docProps/core.xml":  # it holds the time of writing
                assert on_disk.read(name) == in_memory.read(name), name


def test_in_flight_work_is_bounded(template, tmp_path):
    """Jobs are drawn from the stream only as workers finish: a 10,000-row table never sits in memory."""
    drawn = []
    done = []

    def jobs():
        for index in range(1, 400):
            drawn.append(index)
            yield batch.Job(index, f"t.csv:第{index}行", "x.docx", values.Values({}, {}), {},
                            (("基本信息.镇名", "单元格是 Excel 的错误值 #N/A。"),))

    def progress(count):
        done.append(count)
        assert len(drawn) - sum(done) <= 2 * batch.IN_FLIGHT * batch.CHUNK + batch.CHUNK

    options = batch.Options(tmp_path)
    summary = batch.run(template, jobs(), options, workers=2, progress=progress)
    assert summary.failed == 399 and sum(done) == 399
    assert len(summary.failures) == batch.SHOWN and summary.failures[0].index == 1
    assert not list(tmp_path.iterdir())


_PROBE_ARGS = ["-m", "drafter", "batch", "township-work-report"]


def test_no_progress_bar_when_piped(tmp_path):
    files = [_values_file(tmp_path / f"{n}.yaml") for n in ("a", "b")]
    done = subprocess.run([sys.executable, *_PROBE_ARGS, *map(str, files), "-o", str(tmp_path / "out"), "-j", "1"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and done.stdout == f"已生成 2 份报告，在 {tmp_path / 'out'}。\n"


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal (Linux, macOS)")
def test_a_progress_bar_on_a_terminal(tmp_path):
    files = [_values_file(tmp_path / f"{n}.yaml") for n in ("a", "b")]
    leader, follower = os.openpty()
    with os.fdopen(leader, "rb", buffering=0) as terminal:
        process = subprocess.Popen([sys.executable, *_PROBE_ARGS, *map(str, files), "-o", str(tmp_path / "out"),
                                    "-j", "1"], stdout=subprocess.DEVNULL, stderr=follower)
        os.close(follower)
        shown = b""
        try:
            while chunk := terminal.read(4096):
                shown += chunk
        except OSError:  # EIO: the process closed the terminal
            pass
        assert process.wait(timeout=120) == 0
    assert "生成报告".encode() in shown and b"2/2" in shown


def test_warnings_name_the_row_and_the_report_is_written(runner, tmp_path, example_cells):
    path = _table(tmp_path / "各镇.xlsx", example_cells, [{"民生事业.医保参保率": "0.95"}])
    letter = openpyxl.utils.get_column_letter(list(example_cells).index("民生事业.医保参保率") + 1)
    result = _invoke(runner, "township-work-report", "--table", path, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert f"警告：各镇.xlsx:第2行 {letter}列（民生事业.医保参保率）：0.95 看起来是小数形式的比率" in result.stderr
    assert (tmp_path / "out" / "第2行.docx").is_file()


def test_no_rules_skips_the_cross_checks_as_in_render(runner, tmp_path, example_cells):
    path = _table(tmp_path / "t.xlsx", example_cells, [{"经济发展.签约新项目": 99}])
    checked = _invoke(runner, "township-work-report", "--table", path, "-o", tmp_path / "a")
    assert checked.exit_code == 1 and "不符合规则：签约的新项目不能多于对接的新项目" in checked.stderr
    skipped = _invoke(runner, "township-work-report", "--table", path, "-o", tmp_path / "b", "--no-rules")
    assert skipped.exit_code == 0, skipped.stderr
    assert [p.name for p in (tmp_path / "b").iterdir()] == ["第2行.docx"]


def test_workers_started_by_spawn_as_on_windows(template, tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "START_METHOD", "spawn")
    jobs = [batch.Job(i, f"t.csv:第{i + 1}行", f"{i}.docx", values.read_values_file(TEMPLATE_DIR / "example.yaml"))
            for i in range(1, 11)]
    summary = batch.run(template, iter(jobs), batch.Options(tmp_path), workers=2)
    assert (summary.written, summary.failed) == (10, 0)
    assert _first_line(tmp_path / "10.docx") == "艾城镇人民政府工作报告"


def test_a_list_of_records_comes_from_a_common_file_not_a_cell(runner, tmp_path):
    from .test_tables import _folder

    folder = _folder(tmp_path / "模板")
    table = tmp_path / "各镇.csv"
    made = runner.invoke(cli, ["init", str(folder), "--table", str(table)])
    assert made.exit_code == 0 and "清单 项目建设.重点项目 不能填在一个单元格里" in made.stdout
    assert table.read_text(encoding="utf-8-sig").split("\n")[0] == "项目建设.项目数,项目建设.污水投资,项目建设.总投资"
    with table.open("a", encoding="utf-8") as stream:
        stream.write("2,800,5000\r\n3,900,6000\r\n")
    common = tmp_path / "公共.yaml"
    common.write_text("项目建设:\n  重点项目:\n    - {名称: 艾城大道, 投资: 1200, 进度: 85}\n", encoding="utf-8")
    result = _invoke(runner, folder, "--table", table, "-f", common, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["第3行.docx", "第4行.docx"]
    table.write_text("项目建设.项目数,项目建设.重点项目\n2,艾城大道\n", encoding="utf-8")
    refused = _invoke(runner, folder, "--table", table, "-f", common, "-o", tmp_path / "out2")
    assert refused.exit_code == 1 and "表头 B列“项目建设.重点项目”是清单（表格逐行），不能填在一个单元格里" in refused.stderr


def test_a_batch_report_is_the_report_render_writes(runner, tmp_path):
    values_file = _values_file(tmp_path / "艾城.yaml")
    alone = tmp_path / "alone.docx"
    assert runner.invoke(cli, ["render", "township-work-report", "-f", str(values_file), "-o", str(alone),
                               "--mark-values"]).exit_code == 0
    result = _invoke(runner, "township-work-report", values_file, "-o", tmp_path / "out", "--mark-values")
    assert result.exit_code == 0, result.stderr
    assert _document_xml(tmp_path / "out" / "艾城.docx") == _document_xml(alone)
