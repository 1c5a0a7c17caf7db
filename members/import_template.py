"""The member import's blank template (CSV and XLSX) and its list of allowed values.

Everything here is read off what the importer itself checks with: the columns and headers of
`IMPORT_COLUMNS`, the required columns of members/import_checks.py, the model's maximum
lengths and the value widgets of `SupporterResource` (種別, ボランティア). A spelling added to a
widget shows in the template and on the import screen: there is no second list to keep in step.
"""

import io
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ouendan.core.exports import spreadsheet_csv

from .forms.details import PREFECTURES
from .import_checks import ORGANISATION_REQUIRED, PERSON_REQUIRED, _max_lengths
from .import_preview import EXAMPLE_EMAIL
from .models import Supporter
from .resources import IMPORT_COLUMNS, KindWidget, SupporterResource, YesNoWidget

# The example row. Its e-mail address is on a reserved domain, and the check warns when a file
# still holds it (members/import_preview.py).
EXAMPLE = {
    "kind": Supporter.Kind.PERSON,
    "family_name": "山田",
    "given_name": "花子",
    "family_name_kana": "ヤマダ",
    "given_name_kana": "ハナコ",
    "email": EXAMPLE_EMAIL,
    "phone": "090-1234-5678",
    "postal_code": "100-0001",
    "prefecture": "東京都",
    "city": "千代田区",
    "address_line": "千代田1-1",
    "is_volunteer": True,
}

TEMPLATE_ROWS = 100_000  # rows under the header that get the drop-down lists (the import's cap)


@dataclass(frozen=True)
class AllowedValue:
    value: str  # what to write; the drop-down offers it
    also: tuple[str, ...] = ()  # other spellings the importer takes for the same thing


@dataclass(frozen=True)
class TemplateColumn:
    name: str  # model field
    header: str  # as the importer reads it
    required: object  # "" or a lazy text: for whom the column is required
    max_length: int | None
    allowed: tuple[AllowedValue, ...] = ()
    strict: bool = False  # the importer refuses any other value
    blank: object = ""  # what a blank cell means, when that needs saying
    example: str = ""


def _kind_values() -> tuple[tuple[AllowedValue, ...], str]:
    widget = KindWidget()
    spellings: dict[str, list[str]] = {}
    blank_means = ""
    for spelling, kind in KindWidget.VALUES.items():
        if spelling == "":
            blank_means = widget.render(kind)
            continue
        spellings.setdefault(kind, []).append(spelling)
    values = []
    for kind, written in spellings.items():
        shown = widget.render(kind)
        values.append(AllowedValue(shown, tuple(s for s in written if s != shown)))
    return tuple(values), blank_means


def _yes_no_values() -> tuple[AllowedValue, ...]:
    widget = YesNoWidget()
    values = []
    for flag, spellings in ((True, YesNoWidget.TRUE_VALUES), (False, YesNoWidget.FALSE_VALUES)):
        shown = widget.render(flag)
        also = [s for s in spellings if isinstance(s, str) and s and s != shown]
        values.append(AllowedValue(shown, tuple(dict.fromkeys(also))))
    return tuple(values)


def _example_cell(name: str) -> str:
    value = EXAMPLE.get(name, "")
    if name in ("kind", "is_volunteer"):
        return SupporterResource.import_widget(name).render(value)
    return str(value)


def import_template_columns() -> list[TemplateColumn]:
    """Every column the importer reads, in spreadsheet order, with what it accepts."""
    lengths = _max_lengths()
    columns = []
    for name, header in IMPORT_COLUMNS:
        required: object = ""
        if name in PERSON_REQUIRED:
            required = _("a person")
        elif name in ORGANISATION_REQUIRED:
            required = _("an organisation (種別 法人)")
        extra: dict = {}
        if name == "kind":
            allowed, blank_means = _kind_values()
            extra = {"allowed": allowed, "strict": True, "blank": blank_means}
        elif name == "is_volunteer":
            extra = {
                "allowed": _yes_no_values(),
                "strict": True,
                "blank": _("いいえ for a new supporter; an existing supporter's answer is kept"),
            }
        elif name == "prefecture":
            # Not checked against a list (the postal code fills a blank one): a suggestion.
            extra = {
                "allowed": tuple(AllowedValue(p) for p in PREFECTURES),
                "blank": _("filled in from the postal code"),
            }
        columns.append(
            TemplateColumn(
                name=name,
                header=header,
                required=required,
                max_length=None if name in ("kind", "is_volunteer") else lengths.get(name),
                example=_example_cell(name),
                **extra,
            )
        )
    return columns


def import_template_csv() -> bytes:
    """Header and example row, UTF-8 with a byte-order mark (Excel reads the Japanese right)."""
    columns = import_template_columns()
    rows = [[c.header for c in columns], [c.example for c in columns]]
    return spreadsheet_csv(rows).encode("utf-8")


def import_template_xlsx() -> bytes:
    """Header, example row and drop-down lists; a second sheet lists the allowed values."""
    from openpyxl import Workbook  # why: only this download needs openpyxl's writer
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = import_template_columns()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("Supporters"))[:31]
    sheet.append([c.header for c in columns])
    sheet.append([c.example for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"

    values_sheet = workbook.create_sheet(str(_("Allowed values"))[:31])
    values_sheet.append(
        [str(_("Column")), str(_("Value")), str(_("Also accepted")), str(_("Blank cell"))]
    )
    for cell in values_sheet[1]:
        cell.font = Font(bold=True)
    for number, column in enumerate(columns, start=1):
        letter = get_column_letter(number)
        sheet.column_dimensions[letter].width = max(12, len(column.example) * 2 + 2)
        if not column.allowed:
            continue
        first = values_sheet.max_row + 1
        for value in column.allowed:
            values_sheet.append([column.header, value.value, "、".join(value.also), None])
        values_sheet.cell(first, 4, str(column.blank) if column.blank else None)
        last = values_sheet.max_row
        reference = f"{quote_sheetname(values_sheet.title)}!$B${first}:$B${last}"
        validation = DataValidation(
            type="list",
            formula1=reference,
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop" if column.strict else "warning",
            errorTitle=column.header,
            error=str(_("Choose one of the listed values.")),
        )
        validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
        sheet.add_data_validation(validation)
    for letter, width in zip("ABCD", (16, 14, 48, 48), strict=True):
        values_sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
