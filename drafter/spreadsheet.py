"""Tables of values (.xlsx or .csv, one report a row) → raw values. The only module importing openpyxl.

Cells are read as the clerk sees them in Excel or WPS 表格: a 25% cell is 25, float noise such as
19.990000000000002 is 19.99, a text cell 010 stays 010, a date cell is a date, an empty cell is a
missing value. Rows stream: a 10,000-row table is never held in memory.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from .errors import SpreadsheetError, describe_os_error
from .schema import NUMBER_TYPES, Variable

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
SUFFIXES = (*EXCEL_SUFFIXES, ".csv")
_SAVE_AS = "请在 Excel 或 WPS 表格中“另存为”Excel 工作簿（.xlsx）或 CSV（逗号分隔）文件。"
_REFUSED = {".xls": "旧版 Excel 工作簿（.xls）", ".et": "WPS 表格文件（.et）",
            ".ods": "OpenDocument 表格（.ods）", ".numbers": "Numbers 表格"}
_CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # Excel's “CSV UTF-8”, and “CSV” on Chinese Windows


@dataclass(frozen=True)
class Row:
    """One row of a table: its number as Excel shows it, and the non-empty cells by dotted key."""

    number: int
    cells: dict[str, str]
    problems: tuple[tuple[str, str], ...] = ()  # (key, message) for cells that hold an Excel error


@dataclass(frozen=True)
class Header:
    """A table's header: the dotted key of each column, and the column letters by key."""

    keys: tuple[str | None, ...]

    def column(self, key: str) -> str | None:
        """Return the column letter (A, B, …, AA) holding `key`, or None."""
        for index, name in enumerate(self.keys):
            if name == key:
                return column_letter(index)
        return None


def column_letter(index: int) -> str:
    """Return the Excel column letter of the 0-based column `index`: A, …, Z, AA, …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def label_text(var: Variable) -> str:
    """Return the text of `var`'s cell in the row of labels under the header."""
    unit = f"，单位：{var.unit}" if var.unit and var.type in NUMBER_TYPES else ""
    return f"{var.label}（{var.type_label}{unit}）"


class Spreadsheet:
    """A table of values, read in a `with` block: `header`, then the data rows one at a time.

    Empty rows and the row of labels `drafter init --table` writes under the header are skipped.
    """

    def __init__(self, path: Path, *, sheet: str | None, variables: Sequence[Variable]) -> None:
        self.path, self.file, self.sheet = path, str(path.name), sheet
        self._labels = {v.key: label_text(v) for v in variables}
        suffix = path.suffix.lower()
        if suffix in _REFUSED:
            raise SpreadsheetError(f"drafter 读不了{_REFUSED[suffix]}。", file=str(path), hint=_SAVE_AS)
        if suffix not in SUFFIXES:
            raise SpreadsheetError("表格应是 .xlsx 或 .csv 文件。", file=str(path), hint=_SAVE_AS)
        if not path.is_file():
            raise SpreadsheetError("文件不存在。" if not path.exists() else "这不是文件。", file=str(path),
                             hint="检查文件名和路径是否正确。")
        if suffix == ".csv" and sheet is not None:
            raise SpreadsheetError("CSV 文件只有一张表，不能用 --sheet。", file=str(path),
                                   hint="去掉 --sheet。")
        self.excel = suffix in EXCEL_SUFFIXES
        self._encoding, self._line_count = (None, 0) if self.excel else _csv_encoding(path)
        self._lines: Iterator[tuple[int, list[Cell]]] = iter(())
        self._book: object = None
        self.header = Header(())
        self.size = 0  # rows under the header, as the file says (an estimate, for a progress bar)

    def __enter__(self) -> Spreadsheet:
        if self.excel:
            self._book, worksheet = _open_workbook(self.path, self.sheet)
            self._lines = _excel_lines(worksheet)
            self.size = max((worksheet.max_row or 1) - 1, 0)
        else:
            self._lines = self._csv_lines()
            self.size = max(self._line_count - 1, 0)
        try:
            first = next(self._lines, None)
            if first is None or not any(v is not None for v in first[1]):
                raise SpreadsheetError("表格是空的，第 1 行应是表头（各列的键）。", file=self.file,
                                 hint="可用 `drafter init 模板 --table 表格.xlsx` 生成带表头的表格。")
        except BaseException:
            self.__exit__()
            raise
        self.header = Header(tuple(_key(cell) for cell in first[1]))
        return self

    def __exit__(self, *exc: object) -> None:
        self._lines.close()  # type: ignore[attr-defined]
        if self._book is not None:
            self._book.close()  # type: ignore[attr-defined]  # read_only keeps the file open until then
            self._book = None

    def __iter__(self) -> Iterator[Row]:
        keys = self.header.keys
        for number, cells in self._lines:
            values: dict[str, str] = {}
            problems = []
            for key, cell in zip(keys, cells, strict=False):
                if key is None or cell is None:
                    continue
                if isinstance(cell, _ExcelError):
                    problems.append((key, f"单元格是 Excel 的错误值 {cell}。"))
                    continue
                text = cell.strip()
                if text:
                    values[key] = text
            if not values and not problems:
                continue  # an empty row, often left formatted below the data
            if number == 2 and all(self._labels.get(k) == v for k, v in values.items()) and values:
                continue  # the labels drafter init writes under the header
            yield Row(number, values, tuple(problems))

    def _csv_lines(self) -> Iterator[tuple[int, list[Cell]]]:
        try:
            stream = self.path.open(encoding=self._encoding, newline="")
        except OSError as err:
            raise SpreadsheetError(f"无法读取表格：{describe_os_error(err)}。", file=self.file) from err
        with stream:
            first = stream.readline()
            delimiter = "\t" if "\t" in first and "," not in first else ","
            stream.seek(0)
            reader = csv.reader(stream, delimiter=delimiter)
            try:
                for number, record in enumerate(reader, start=1):
                    yield number, [cell or None for cell in record]
            except csv.Error as err:
                raise SpreadsheetError(f"CSV 格式错误：{err}。", file=f"{self.file}:第{reader.line_num}行",
                                 hint="检查这一行的引号是否成对。") from err


Cell = str | None


class _ExcelError(str):
    """An Excel error value (#DIV/0!, #N/A …) in a cell."""


def _key(cell: Cell) -> str | None:
    return cell.strip() or None if cell is not None else None


def _csv_encoding(path: Path) -> tuple[str, int]:
    """Return the encoding the CSV at `path` is in and its number of lines, reading it in pieces."""
    try:
        with path.open("rb") as stream:
            start = stream.read(4)
            if start.startswith((b"\xff\xfe", b"\xfe\xff")):
                return "utf-16", 0  # Excel's “Unicode 文本” (tab-separated)
            for encoding in _CSV_ENCODINGS:
                stream.seek(0)
                decoder = codecs.getincrementaldecoder(encoding)()
                lines = 0
                try:
                    while chunk := stream.read(1 << 16):
                        decoder.decode(chunk)
                        lines += chunk.count(b"\n")
                    decoder.decode(b"", final=True)
                    return encoding, lines
                except UnicodeDecodeError:
                    continue
    except OSError as err:
        raise SpreadsheetError(f"无法读取表格：{describe_os_error(err)}。", file=str(path)) from err
    raise SpreadsheetError("无法识别 CSV 文件的编码（既不是 UTF-8 也不是 GB18030）。", file=str(path),
                     hint="请在 Excel 或 WPS 表格中“另存为”CSV UTF-8（逗号分隔）文件。")


def _open_workbook(path: Path, sheet: str | None) -> tuple[Any, Any]:
    """Return the workbook at `path`, opened to stream, and its sheet named `sheet` (or the first)."""
    import openpyxl  # only for a workbook: CSV tables and values files never pay for it
    from openpyxl.utils.exceptions import InvalidFileException

    file = path.name
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # a zip or XML the parser cannot read: a broken file, not a bug
        known = (InvalidFileException, KeyError, OSError, ValueError, EOFError)
        if not isinstance(err, known) and type(err).__module__.split(".")[0] not in ("zipfile", "xml"):
            raise
        raise SpreadsheetError("无法打开这个 Excel 文件（文件损坏，或不是 .xlsx 格式）。", file=file,
                         hint=_SAVE_AS) from err
    sheets = [ws for ws in book.worksheets if hasattr(ws, "iter_rows")]  # not chart sheets
    if sheet is None and sheets:
        return book, sheets[0]
    if sheet is not None and sheet in book.sheetnames and hasattr(book[sheet], "iter_rows"):
        return book, book[sheet]
    book.close()
    if sheet is None:
        raise SpreadsheetError("工作簿里没有工作表。", file=file, hint=_SAVE_AS)
    raise SpreadsheetError(f"工作簿里没有名为“{sheet}”的工作表。", file=file,
                     hint=f"可用的工作表：{'、'.join(ws.title for ws in sheets)}。")


def _excel_lines(worksheet: Any) -> Iterator[tuple[int, list[Cell]]]:
    rows = worksheet.iter_rows()
    number = 0
    while True:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            row = next(rows, None)
        if row is None:
            return
        # A sheet may start below row 1; its cells know their row number.
        number = next((c.row for c in row if getattr(c, "row", None)), number + 1)
        yield number, [_excel_text(cell) for cell in row]


def _excel_text(cell: object) -> Cell:
    """Return the text of `cell` as Excel shows it, or None when it is empty."""
    value = getattr(cell, "value", None)
    if value is None:
        return None
    if getattr(cell, "data_type", None) == "e":
        return _ExcelError(str(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (int, float)):
        number = Decimal(value) if isinstance(value, int) else Decimal(format(value, ".15g"))
        if "%" in (getattr(cell, "number_format", "") or ""):
            number = number * 100  # 25% is stored as 0.25; the template writes the % sign
            number = Decimal(format(number, ".15g"))
        return format(number.normalize(), "f") if number != number.to_integral() else str(int(number))
    return str(value)


def write_header(variables: Sequence[Variable], *, excel: bool,
                 rows: Sequence[Sequence[str | None]] = ()) -> bytes:
    """Return a table with the header row of `variables`' keys, a row of labels under it, and `rows`.

    `excel` picks .xlsx; otherwise CSV in UTF-8 with a BOM, which Excel opens with the Chinese intact.
    """
    keys = [v.key for v in variables]
    labels = [label_text(v) for v in variables]
    if not excel:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows([keys, labels, *rows])
        return buffer.getvalue().encode("utf-8-sig")  # with a BOM, Excel reads the Chinese right
    import openpyxl
    from openpyxl.styles import Font, PatternFill

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "取值"
    sheet.append(keys)
    sheet.append(labels)
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            cell.number_format = "@"  # as text: 010 stays 010 and Excel guesses no dates
    grey = PatternFill("solid", fgColor="EEEEEE")
    for cell in sheet[2]:
        cell.font, cell.fill = Font(italic=True, color="666666"), grey
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, var in enumerate(variables):
        width = max(len(var.key), len(labels[index])) * 2 + 2
        sheet.column_dimensions[column_letter(index)].width = min(width, 60)
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
