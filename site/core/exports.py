"""Spreadsheet-safe exports, shared by every export path (members, donations, pledges...).

A cell starting with = + - @ (or a tab / carriage return) is run as a formula by Excel and
LibreOffice ("CSV injection"). django-import-export only strips a leading "=", so every export
goes through `spreadsheet_safe`, which prefixes such text with an apostrophe.

Files leave by one path: `spreadsheet_csv` (rows) or `spreadsheet_file` (an import-export
Dataset) give CSV with a byte-order mark, without which Excel misreads Japanese UTF-8, or XLSX;
`spreadsheet_response` sends either as a download.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from import_export.formats.base_formats import CSV, XLSX

CSV_BOM = "\ufeff"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """Neutralise text that a spreadsheet would treat as a formula. Numbers pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def spreadsheet_safe_row(row: list | tuple) -> list:
    return [spreadsheet_safe(value) for value in row]


def spreadsheet_csv(rows: Iterable[Sequence[Any]]) -> str:
    """Rows as CSV text for Excel: byte-order mark first, every cell formula-safe, None empty."""
    buffer = io.StringIO()
    buffer.write(CSV_BOM)
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(spreadsheet_safe_row(["" if value is None else value for value in row]))
    return buffer.getvalue()


def spreadsheet_file(dataset, *, file_format: str) -> tuple[bytes, str]:
    """(content, content type) of a django-import-export Dataset: XLSX for "xlsx", else CSV
    with a byte-order mark. The resource that built the Dataset made each cell safe."""
    export_format = XLSX() if file_format == "xlsx" else CSV()
    content = export_format.export_data(dataset)
    if isinstance(content, str):
        content = (CSV_BOM + content).encode("utf-8")
    return content, export_format.get_content_type()


def spreadsheet_response(content: bytes | str, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class SafeSpreadsheetExportMixin:
    """For Wagtail index views with `list_export`: every exported cell, CSV or XLSX, goes
    through `spreadsheet_safe` (Wagtail itself only neutralises a leading "=" in XLSX)."""

    def preprocess_field_value(self, field, value, export_format):
        return spreadsheet_safe(super().preprocess_field_value(field, value, export_format))


def wagtail_exports_make_safe() -> None:
    """Route every export Wagtail offers through `spreadsheet_safe`: the reports (site history
    and the edit log, locked and aging pages, workflows), snippet and model list exports.

    Wagtail's report views are its own classes behind its own URLs, so the one shared place is
    SpreadsheetExportMixin.preprocess_field_value; called once from home/wagtail_hooks.py, which
    Wagtail imports before serving any admin page. Idempotent (an escaped cell starts with "'").
    """
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    original = SpreadsheetExportMixin.preprocess_field_value
    if getattr(original, "spreadsheet_safe", False):
        return

    def preprocess_field_value(self, field, value, export_format):
        return spreadsheet_safe(original(self, field, value, export_format))

    preprocess_field_value.spreadsheet_safe = True
    SpreadsheetExportMixin.preprocess_field_value = preprocess_field_value
