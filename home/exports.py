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
