"""Reading uploaded CSV/XLSX files row by row, with caps, for the member and goods imports.

Both formats are streamed: memory stays flat however long the file is. XLSX is read with
openpyxl's read-only mode and the sheet's declared size is ignored: a workbook that declares
A1:XFD1048576 (Excel does after formatting whole rows or columns) would otherwise have every row
padded to 16,384 cells. Rows, columns and cell length are capped; a file over a cap is refused
with one clear message instead of being worked through.
"""

import codecs
import csv
import datetime
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

MAX_ROWS = 100_000  # spreadsheet lines under the header, empty formatted lines included
MAX_COLUMNS = 200
MAX_CELL_CHARS = 10_000
# A CSV line is read at most this long: MAX_COLUMNS cells of MAX_CELL_CHARS, with separators.
MAX_LINE_CHARS = MAX_COLUMNS * (MAX_CELL_CHARS + 3)


class ImportFileError(Exception):
    """The file as a whole cannot be imported (encoding, format, columns, size)."""

    def __init__(self, message, **params):
        super().__init__(str(message))
        self.message = message
        self.params = params


MSG_EMPTY = _("The file is empty.")
MSG_ENCODING = _("The file could not be read as text. Save it as CSV (UTF-8 or Shift_JIS).")
MSG_XLSX = _("The file could not be read as an Excel workbook (.xlsx).")
MSG_CSV = _("The file could not be read as CSV: %(error)s")
MSG_TOO_MANY_ROWS = _(
    "The file has more than %(max)s lines under the header (empty lines that carry formatting "
    "count too). Split it into files of at most %(max)s lines, or delete the empty lines below "
    "your data, and upload it again. Nothing was imported."
)
MSG_TOO_MANY_COLUMNS = _(
    "Line %(line)s has more than %(max)s columns. Delete the columns you do not need and upload "
    "the file again. Nothing was imported."
)
MSG_CELL_TOO_LONG = _(
    "Line %(line)s has a cell longer than %(max)s characters. Shorten it and upload the file "
    "again. Nothing was imported."
)


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, list]]  # (spreadsheet line, cells)
    estimated_rows: int
    close: Callable[[], None] = lambda: None  # noqa: E731 - releases the workbook early


def _check_row(line: int, cells, *, count_cells: bool = True) -> None:
    if line > MAX_ROWS + 1:
        raise ImportFileError(MSG_TOO_MANY_ROWS, max=f"{MAX_ROWS:,}")
    if count_cells and len(cells) > MAX_COLUMNS:
        # Trailing empty cells (a row of separators, a formatted column) do not count.
        used = len(cells)
        while used and cells[used - 1] in (None, ""):
            used -= 1
        if used > MAX_COLUMNS:
            raise ImportFileError(MSG_TOO_MANY_COLUMNS, line=line, max=MAX_COLUMNS)
    try:
        longest = max(map(len, cells), default=0)  # a CSV row: all text, measured in C
    except TypeError:  # a workbook's numbers, dates and empty cells: only text can be too long
        longest = max((len(cell) for cell in cells if isinstance(cell, str)), default=0)
    if longest > MAX_CELL_CHARS:
        raise ImportFileError(MSG_CELL_TOO_LONG, line=line, max=f"{MAX_CELL_CHARS:,}")


# --- Cells as spreadsheets give them ---------------------------------------------------------


def cell_text(value) -> str:
    """A cell as text. Excel gives numbers for digit-only cells; whole numbers lose ".0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def restore_leading_zero(name: str, value: str) -> str:
    """Excel drops leading zeros from digit-only cells: 0601234 → 601234, 0312345678 → 312345678."""
    if not value.isdigit():
        return value
    if name == "postal_code" and len(value) in (5, 6):
        return value.zfill(7)
    if name == "phone" and len(value) in (9, 10) and not value.startswith("0"):
        return "0" + value
    return value


# --- CSV ---------------------------------------------------------------------------------------


def _csv_encoding(raw) -> tuple[str, int]:
    """The file's encoding (UTF-8 with or without BOM, else Shift_JIS/CP932) and its line count.

    Decodes the whole file strictly, in chunks, so a file mixing encodings is refused here rather
    than half-way through the import.
    """
    for encoding in ("utf-8-sig", "cp932"):
        raw.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        newlines = 0
        try:
            while chunk := raw.read(1 << 20):
                newlines += chunk.count(b"\n")
                if "\x00" in decoder.decode(chunk):
                    raise ImportFileError(MSG_ENCODING)  # binary, or UTF-16
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        raw.seek(0)
        return encoding, newlines
    raise ImportFileError(MSG_ENCODING)


def _capped_lines(text: io.TextIOBase) -> Iterator[str]:
    """The text's lines, refusing one longer than MAX_LINE_CHARS before it is held in memory
    (a file of one endless line would otherwise become one huge list of cells)."""
    number = 0
    while line := text.readline(MAX_LINE_CHARS + 1):
        number += 1
        if len(line) > MAX_LINE_CHARS:
            raise ImportFileError(MSG_CELL_TOO_LONG, line=number, max=f"{MAX_CELL_CHARS:,}")
        yield line


def csv_table(raw) -> Table:
    encoding, newlines = _csv_encoding(raw)
    if raw.read(1) == b"":
        raise ImportFileError(MSG_EMPTY)
    raw.seek(0)
    reader = csv.reader(_capped_lines(io.TextIOWrapper(raw, encoding=encoding, newline="")))

    def records() -> Iterator[tuple[int, list]]:
        # A record is one spreadsheet line even when a quoted cell holds a line break.
        line = 0
        try:
            for line, row in enumerate(reader, start=1):  # noqa: B007 - read in except
                _check_row(line, row)
                yield line, row
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise ImportFileError(
                    MSG_CELL_TOO_LONG, line=line + 1, max=f"{MAX_CELL_CHARS:,}"
                ) from exc
            raise ImportFileError(MSG_CSV, error=str(exc)) from exc

    rows = records()
    try:
        _line, headers = next(rows)
    except StopIteration:
        raise ImportFileError(MSG_EMPTY) from None
    estimated = min(max(newlines - 1, 0), MAX_ROWS)
    return Table(headers=headers, rows=rows, estimated_rows=estimated, close=rows.close)


# --- XLSX --------------------------------------------------------------------------------------


def xlsx_table(raw) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(raw, read_only=True, data_only=True, keep_links=False)
    except zipfile.BadZipFile as exc:
        raise ImportFileError(MSG_XLSX) from exc
    except Exception as exc:  # openpyxl raises many kinds (KeyError, ValueError...) for damage
        raise ImportFileError(MSG_XLSX) from exc
    try:
        sheet = workbook.worksheets[0]
        declared_rows = sheet.max_row or 1
        # The declared size can be anything (A1:XFD1048576): read only the cells really there.
        sheet.reset_dimensions()
        header = next(sheet.iter_rows(max_row=1, max_col=MAX_COLUMNS + 1, values_only=True), None)
        if header is not None:
            _check_row(1, header)
    except ImportFileError:
        workbook.close()
        raise
    except Exception as exc:
        workbook.close()
        raise ImportFileError(MSG_XLSX) from exc
    if header is None or all(value is None for value in header):
        workbook.close()
        raise ImportFileError(MSG_EMPTY)
    headers = ["" if value is None else str(value) for value in header]
    while headers and headers[-1] == "":
        headers.pop()
    width = len(headers)

    def records() -> Iterator[tuple[int, list]]:
        try:
            # max_col: cells right of the last header are never read into the row.
            cells = sheet.iter_rows(min_row=2, max_col=width, values_only=True)
            for line, row in enumerate(cells, start=2):
                _check_row(line, row, count_cells=False)
                yield line, list(row)
        except ImportFileError:
            raise
        except Exception as exc:  # a damaged sheet part only shows up while reading
            raise ImportFileError(MSG_XLSX) from exc
        finally:
            workbook.close()

    def close() -> None:
        rows.close()
        workbook.close()

    rows = records()
    estimated = min(max(declared_rows - 1, 0), MAX_ROWS)
    return Table(headers=headers, rows=rows, estimated_rows=estimated, close=close)
