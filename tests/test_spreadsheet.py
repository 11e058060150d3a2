"""Tables of values: cells read as the clerk sees them in Excel, CSV encodings, the header drafter init writes."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from drafter.errors import SpreadsheetError
from drafter.spreadsheet import Spreadsheet, column_letter, label_text, write_header

KEYS = ["基本信息.镇名", "基本信息.会议日期", "经济发展.签约新项目", "经济发展.招商签约任务", "民生事业.医保参保率"]


def _xlsx(path, rows, formats=None):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for ref, number_format in (formats or {}).items():
        sheet[ref].number_format = number_format
    book.save(path)
    return path


def _rows(path, template, sheet=None):
    with Spreadsheet(path, sheet=sheet, variables=template.variables) as table:
        return table.header, list(table)


def test_excel_cells_are_read_as_the_clerk_sees_them(tmp_path, template):
    keys = ["基本信息.镇名", "基本信息.会议日期", "经济发展.招商签约任务", "经济发展.签约新项目",
            "基本信息.届次", "基本信息.报告人", "经济发展.开工月份", "经济发展.对接新项目"]
    path = _xlsx(tmp_path / "各镇.xlsx", [
        keys,
        ["艾城", dt.datetime(2024, 12, 20), 19.990000000000002, 0.25, "010", None, 8.0, 1234567],
        ["  ", None, None, None, None, None, None, None],  # blank: skipped
        ["虬津", "2024年12月20日", 0.1 + 0.2, 5, "十八", "王五", "8月", 3],
    ], formats={"D2": "0%", "B2": "yyyy-mm-dd"})
    header, rows = _rows(path, template)
    assert header.keys == tuple(keys)
    assert [row.number for row in rows] == [2, 4]
    assert rows[0].cells == {"基本信息.镇名": "艾城", "基本信息.会议日期": "2024-12-20",
                             "经济发展.招商签约任务": "19.99", "经济发展.签约新项目": "25",
                             "基本信息.届次": "010", "经济发展.开工月份": "8", "经济发展.对接新项目": "1234567"}
    assert "基本信息.报告人" not in rows[0].cells  # an empty cell is a missing value
    assert rows[1].cells["经济发展.招商签约任务"] == "0.3"  # 0.30000000000000004 as Excel shows it
    assert rows[1].cells["基本信息.会议日期"] == "2024年12月20日"


@pytest.mark.parametrize("value, number_format, expected", [
    (0.25, "0%", "25"), (0.125, "0.0%", "12.5"), (1, "0%", "100"), (0.07, "0.00%", "7"),
    (0.985, "0.0%", "98.5"), (98.5, "General", "98.5"), (1e-05, "General", "0.00001"),
    (3.0, "0.00", "3"), (2.675, "0.00", "2.675"), (-4.5, "General", "-4.5"),
], ids=["25%", "12.5%", "100%", "7%", "98.5%", "plain", "tiny", "integral-float", "no-rounding", "negative"])
def test_numbers_and_percent_cells(tmp_path, template, value, number_format, expected):
    path = _xlsx(tmp_path / "t.xlsx", [["民生事业.医保参保率"], [value]], formats={"A2": number_format})
    assert _rows(path, template)[1][0].cells == {"民生事业.医保参保率": expected}


def test_excel_error_values_are_problems_not_text(tmp_path, template):
    path = _xlsx(tmp_path / "t.xlsx", [["经济发展.签约新项目", "基本信息.镇名"], ["#DIV/0!", "艾城"]])
    row = _rows(path, template)[1][0]
    assert row.cells == {"基本信息.镇名": "艾城"}
    assert row.problems == (("经济发展.签约新项目", "单元格是 Excel 的错误值 #DIV/0!。"),)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_csv_in_the_encodings_excel_and_notepad_save(tmp_path, template, encoding):
    text = "基本信息.镇名,经济发展.签约新项目,基本信息.届次\r\n艾城,5,010\r\n\"虬津，新\",,25%\r\n"
    if encoding == "utf-16":  # Excel's “Unicode 文本” is tab-separated
        text = text.replace(",", "\t").replace("\"虬津，新\"", "虬津，新")
    path = tmp_path / "各镇.csv"
    path.write_bytes(text.encode(encoding))
    header, rows = _rows(path, template)
    assert header.keys == ("基本信息.镇名", "经济发展.签约新项目", "基本信息.届次")
    assert [r.cells for r in rows] == [
        {"基本信息.镇名": "艾城", "经济发展.签约新项目": "5", "基本信息.届次": "010"},
        {"基本信息.镇名": "虬津，新", "基本信息.届次": "25%"}]
    assert [r.number for r in rows] == [2, 3]


def test_a_csv_in_another_encoding_is_refused(tmp_path, template):
    path = tmp_path / "t.csv"
    path.write_bytes("基本信息.镇名\n艾城\n".encode("big5", errors="ignore") + b"\x81\x20\xff")
    with pytest.raises(SpreadsheetError, match="编码"):
        _rows(path, template)


@pytest.mark.parametrize("excel", [True, False], ids=["xlsx", "csv"])
def test_init_header_round_trips_and_its_label_row_is_skipped(tmp_path, template, excel):
    path = tmp_path / ("t.xlsx" if excel else "t.csv")
    path.write_bytes(write_header(template.variables, excel=excel, rows=[["艾城"]]))
    header, rows = _rows(path, template)
    assert header.keys == tuple(v.key for v in template.variables)
    assert [(r.number, r.cells) for r in rows] == [(3, {"基本信息.镇名": "艾城"})]
    if excel:
        sheet = openpyxl.load_workbook(path).active
        assert sheet["I2"].value == label_text(template.schema.by_key[header.keys[8]])
        assert "个" in sheet["I2"].value and sheet.freeze_panes == "A3"


def test_a_filled_second_row_is_data_not_labels(tmp_path, template):
    var = template.schema.by_key["基本信息.镇名"]
    path = _xlsx(tmp_path / "t.xlsx", [["基本信息.镇名", "经济发展.签约新项目"], [label_text(var), 5]])
    assert [r.number for r in _rows(path, template)[1]] == [2]


def test_sheets_by_name(tmp_path, template):
    book = openpyxl.Workbook()
    book.active.append(["说明"])
    second = book.create_sheet("各镇")
    second.append(["基本信息.镇名"])
    second.append(["艾城"])
    book.save(tmp_path / "t.xlsx")
    assert _rows(tmp_path / "t.xlsx", template, sheet="各镇")[1][0].cells == {"基本信息.镇名": "艾城"}
    with pytest.raises(SpreadsheetError, match="没有名为“乡”的工作表") as caught:
        _rows(tmp_path / "t.xlsx", template, sheet="乡")
    assert "Sheet、各镇" in caught.value.hint


@pytest.mark.parametrize("name, content, message", [
    ("t.xls", b"\xd0\xcf\x11\xe0", "旧版 Excel"),
    ("t.et", b"x", "WPS 表格"),
    ("t.txt", b"a,b", ".xlsx 或 .csv"),
    ("t.xlsx", b"not a zip", "无法打开这个 Excel 文件"),
    ("t.csv", b"", "表格是空的"),
], ids=["xls", "et", "txt", "broken-xlsx", "empty-csv"])
def test_what_cannot_be_read_is_refused_with_a_way_out(tmp_path, template, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SpreadsheetError, match=message):
        _rows(path, template)


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


def test_rows_stream_without_reading_ahead(tmp_path, template):
    path = tmp_path / "t.csv"
    path.write_text("基本信息.镇名\n" + "".join(f"镇{i}\n" for i in range(1000)), encoding="utf-8")
    with Spreadsheet(path, sheet=None, variables=template.variables) as table:
        assert table.size == 1000
        rows = iter(table)
        assert next(rows).cells == {"基本信息.镇名": "镇0"}
        assert next(rows).number == 3
