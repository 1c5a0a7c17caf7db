"""Reading uploaded spreadsheets: streaming, and capped in rows, columns and cell length."""

import io
import time
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from members import import_reading
from members.imports import member_import_create, member_import_validate
from members.models import MemberImport

Status = MemberImport.Status
HEADER = ["姓", "セイ", "メールアドレス"]


@pytest.fixture(autouse=True)
def _cache():
    cache.clear()
    yield
    cache.clear()


def check(content: bytes, name: str) -> MemberImport:
    member_import = member_import_create(upload=SimpleUploadedFile(name, content), user=None)
    return member_import_validate(member_import_id=member_import.pk)


def csv_bytes(lines: list[str]) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


def xlsx_bytes(rows: list[list], *, dimension: str | None = None, empty_rows: int = 0) -> bytes:
    """A workbook as Excel writes one after formatting whole rows: a declared size far beyond
    the data and many rows holding only formatted, empty cells (one at column XFD)."""
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                xml = data.decode()
                if dimension:
                    start = xml.index('<dimension ref="') + len('<dimension ref="')
                    xml = xml[:start] + dimension + xml[xml.index('"', start) :]
                first = len(rows) + 1
                filler = "".join(
                    f'<row r="{n}"><c r="A{n}" s="0"/><c r="XFD{n}" s="0"/></row>'
                    for n in range(first, first + empty_rows)
                )
                xml = xml.replace("</sheetData>", filler + "</sheetData>")
                data = xml.encode()
            target.writestr(item, data)
    return out.getvalue()


def messages(member_import: MemberImport) -> str:
    return " ".join(e["en"] + " " + e["ja"] for e in member_import.errors)


# --- Streaming: a small workbook with a huge declared size or many formatted rows -------------


@pytest.mark.django_db
def test_xlsx_with_a_huge_declared_size_and_formatted_rows_is_read_quickly_in_little_memory():
    # The 235 KB workbook that took 746 MB and 219 s: before, every row was padded to the
    # declared 16,384 columns and every padded cell looked at.
    content = xlsx_bytes(
        [HEADER, ["山田", "ヤマダ", "a@example.jp"], ["佐藤", "サトウ", "b@example.jp"]],
        dimension="A1:XFD1048576",
        empty_rows=20_000,
    )
    assert len(content) < 400_000
    tracemalloc.start()
    started = time.monotonic()
    try:
        member_import = check(content, "formatted.xlsx")
        elapsed = time.monotonic() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert member_import.status == Status.VALIDATED, member_import.errors
    assert member_import.total_rows == 2
    assert elapsed < 60, elapsed  # a few seconds under tracemalloc; the old way took minutes
    assert peak < 40 * 1024 * 1024, peak

    # No row is wider than the header, and no row past the last one in the file is made up.
    table = import_reading.xlsx_table(io.BytesIO(content))
    widths = {len(cells) for _line, cells in table.rows}
    assert widths == {3}
    assert table.estimated_rows == import_reading.MAX_ROWS  # the declared size, capped


@pytest.mark.django_db
def test_too_many_lines_stop_the_reading_at_the_cap(monkeypatch):
    from openpyxl.worksheet import _reader

    parsed = []
    original = _reader.WorkSheetParser.parse_row

    def counting(self, row):
        parsed.append(1)
        return original(self, row)

    monkeypatch.setattr(_reader.WorkSheetParser, "parse_row", counting)
    monkeypatch.setattr(import_reading, "MAX_ROWS", 1000)
    content = xlsx_bytes([HEADER, ["山田", "ヤマダ", "a@example.jp"]], empty_rows=20_000)
    member_import = check(content, "long.xlsx")
    assert member_import.status == Status.INVALID
    assert len(member_import.errors) == 1
    assert member_import.errors[0]["line"] is None
    assert "more than 1,000 lines" in member_import.errors[0]["en"]
    assert "1,000" in member_import.errors[0]["ja"]
    # The header is read twice (once alone); nothing far past the cap is parsed.
    assert len(parsed) < 1010, len(parsed)


@pytest.mark.django_db
def test_csv_with_too_many_lines_is_refused_with_one_clear_message(monkeypatch):
    monkeypatch.setattr(import_reading, "MAX_ROWS", 5)
    lines = ["姓,セイ"] + [f"山田{n},ヤマダ" for n in range(6)]
    member_import = check(csv_bytes(lines), "long.csv")
    assert member_import.status == Status.INVALID
    assert [e["line"] for e in member_import.errors] == [None]
    assert "more than 5 lines" in member_import.errors[0]["en"]
    # Exactly at the cap is fine.
    assert check(csv_bytes(lines[:6]), "five.csv").status == Status.VALIDATED


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["wide.csv", "wide.xlsx"])
def test_a_header_with_too_many_columns_is_refused(name, monkeypatch):
    monkeypatch.setattr(import_reading, "MAX_COLUMNS", 10)
    header = [*HEADER, *(f"列{n}" for n in range(20))]
    if name.endswith(".csv"):
        content = csv_bytes([",".join(header), "山田,ヤマダ,a@example.jp"])
    else:
        content = xlsx_bytes([header, ["山田", "ヤマダ", "a@example.jp"]])
    member_import = check(content, name)
    assert member_import.status == Status.INVALID
    assert "Line 1 has more than 10 columns" in member_import.errors[0]["en"]
    assert "10" in member_import.errors[0]["ja"]


@pytest.mark.django_db
def test_csv_rows_with_many_cells_and_trailing_empty_cells():
    wide = "山田,ヤマダ,a@example.jp" + "," * 500  # a row of separators only: not a problem
    assert check(csv_bytes(["姓,セイ,メールアドレス", wide]), "ok.csv").status == Status.VALIDATED
    too_wide = "山田,ヤマダ,a@example.jp," + ",".join("x" * 300)
    member_import = check(csv_bytes(["姓,セイ,メールアドレス", too_wide]), "wide.csv")
    assert "Line 2 has more than 200 columns" in member_import.errors[0]["en"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["long-cell.csv", "long-cell.xlsx"])
def test_an_overlong_cell_is_refused(name):
    cell = "あ" * (import_reading.MAX_CELL_CHARS + 1)
    if name.endswith(".csv"):
        content = csv_bytes(["姓,セイ,備考", "山田,ヤマダ,ok", f"佐藤,サトウ,{cell}"])
    else:
        content = xlsx_bytes(
            [["姓", "セイ", "備考"], ["山田", "ヤマダ", "ok"], ["佐藤", "サトウ", cell]]
        )
    member_import = check(content, name)
    assert member_import.status == Status.INVALID
    assert "Line 3 has a cell longer than 10,000 characters" in member_import.errors[0]["en"]


@pytest.mark.django_db
def test_a_csv_of_one_endless_line_is_refused_before_it_is_held_in_memory():
    endless = b"\xe5\xb1\xb1" * (import_reading.MAX_LINE_CHARS + 10)  # 山山山… with no newline
    member_import = check("姓,セイ\r\n".encode() + endless, "endless.csv")
    assert member_import.status == Status.INVALID
    assert "Line 2 has a cell longer than" in member_import.errors[0]["en"]


def test_the_goods_import_reads_files_through_the_same_capped_reader():
    from donations.goods.transfer import rows as inkind_transfer

    assert inkind_transfer._xlsx_table is import_reading.xlsx_table
    assert inkind_transfer._csv_table is import_reading.csv_table
