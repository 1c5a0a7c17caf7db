"""Reading an uploaded pledges or deliveries file row by row, through the resources' widgets;
every problem goes to the report with its spreadsheet line (the header is line 1)."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from members.imports import (
    FORMULA_ESCAPES,
    MSG_FILE_TYPE,
    MSG_MISSING_COLUMNS,
    ImportFileError,
    _csv_table,
    _xlsx_table,
)
from members.resources import header_key

from ..rules import GoodsLine, quantity_parse

MSG_REQUIRED = _("This column must not be empty.")
MSG_CHOICE = _("Unknown value “%(value)s”. Use one of: %(choices)s.")
MSG_DATE = _("Write the date as YYYY-MM-DD.")
MSG_INTEGER = _("Write a whole number.")


def columns_find(resource_class, headers: list[str], required: dict[str, bool]) -> dict[str, int]:
    resource = resource_class()
    known = {}
    for name, resource_field in resource.fields.items():
        known[header_key(resource_field.column_name)] = name
        known[header_key(name)] = name
    columns = {}
    for index, header in enumerate(headers):
        name = known.get(header_key(header))
        if name is not None and name not in columns:
            columns[name] = index
    missing = [
        resource.fields[name].column_name
        for name, needed in required.items()
        if needed and name not in columns
    ]
    if missing:
        raise ImportFileError(MSG_MISSING_COLUMNS, columns="、".join(missing))
    return columns


def _cell(cells: list, columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    if index is None or index >= len(cells) or cells[index] is None:
        return ""
    value = cells[index]
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text[1:] if text.startswith(FORMULA_ESCAPES) else text


def date_parse(text: str) -> datetime.date | None:
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text.replace("/", "-")[:10])
    except ValueError:
        raise ValidationError(MSG_DATE) from None


def int_parse(text: str) -> int | None:
    if not text:
        return None
    try:
        return int(text.replace(",", ""))
    except ValueError:
        raise ValidationError(MSG_INTEGER) from None


class Row:
    """One spreadsheet line read through the resource's widgets; errors go to the report."""

    def __init__(self, report, resource, line, cells, columns):
        self.report, self.resource, self.line = report, resource, line
        self.cells, self.columns = cells, columns
        self.ok = True

    def text(self, name: str, required: bool = False) -> str:
        value = _cell(self.cells, self.columns, name)
        if required and not value:
            self.fail(name, MSG_REQUIRED)
        return value

    def fail(self, name: str, message, params=None) -> None:
        column = self.resource.fields[name].column_name if name in self.resource.fields else ""
        self.report.add(self.line, column, message, params)
        self.ok = False

    def choice(self, name: str, required: bool = True):
        value = self.text(name, required=required)
        if not value:
            return None
        try:
            return self.resource.fields[name].widget.clean(value)
        except ValueError:
            words = self.resource.fields[name].widget.render_as.values()
            self.fail(name, MSG_CHOICE, {"value": value, "choices": "、".join(words)})
            return None

    def parsed(self, name: str, parser, required: bool = False):
        value = self.text(name, required=required)
        try:
            return parser(value) if value else None
        except ValidationError as exc:
            self.fail(name, exc.message, exc.params)
            return None

    def goods_line(self, *, pledge_line_id=None, required_category=True) -> GoodsLine | None:
        """The row's goods, or None when a cell cannot be read (each problem is reported)."""
        ok_before, self.ok = self.ok, True
        category = self.choice("category", required=required_category)
        unit = self.choice("unit")
        quantity = self.parsed("quantity", quantity_parse, required=True)
        value = self.parsed("estimated_value_yen", int_parse)
        best_before = self.parsed("best_before", date_parse)
        readable, self.ok = self.ok, self.ok and ok_before
        if not readable:
            return None
        return GoodsLine(
            category=category or "",
            description=self.text("description"),
            quantity=quantity,
            unit=unit,
            estimated_value_yen=value or 0,
            best_before=best_before,
            pledge_line_id=pledge_line_id,
        )

    def line_errors(self, errors: dict) -> None:
        for name, problems in errors.items():
            for problem in problems:
                self.fail(name, problem.message, problem.params)


def table_read(upload, name: str):
    if name.lower().endswith(".xlsx"):
        return _xlsx_table(upload)
    if name.lower().endswith(".csv"):
        return _csv_table(upload)
    raise ImportFileError(MSG_FILE_TYPE)


def choice_word(row: Row, name: str, choices, default):
    value = row.text(name)
    if not value:
        return default
    for choice_value, label in choices.choices:
        if header_key(value) in (header_key(choice_value), header_key(label)):
            return choice_value
    with translation.override("ja"):
        for choice_value, label in choices.choices:
            if header_key(value) == header_key(str(label)):
                return choice_value
    row.fail(name, MSG_CHOICE, {"value": value, "choices": "、".join(choices.values)})
    return default


def int_or_none(text: str) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None
