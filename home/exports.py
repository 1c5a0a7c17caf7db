"""Spreadsheet-safe exports, shared by every export path (members, donations, pledges...).

A cell starting with = + - @ (or a tab / carriage return) is run as a formula by Excel and
LibreOffice ("CSV injection"). django-import-export only strips a leading "=", so every export
goes through `spreadsheet_safe`, which prefixes such text with an apostrophe.
"""

from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """Neutralise text that a spreadsheet would treat as a formula. Numbers pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def spreadsheet_safe_row(row: list | tuple) -> list:
    return [spreadsheet_safe(value) for value in row]


class SafeSpreadsheetExportMixin:
    """For Wagtail index views with `list_export`: every exported cell, CSV or XLSX, goes
    through `spreadsheet_safe` (Wagtail itself only neutralises a leading "=" in XLSX)."""

    def preprocess_field_value(self, field, value, export_format):
        return spreadsheet_safe(super().preprocess_field_value(field, value, export_format))
