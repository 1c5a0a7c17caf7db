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
