"""Import of places from CSV / XLSX with the member import's rules: the file is read by the same
readers (UTF-8 or Shift_JIS CSV, XLSX; members/import_reading.py), columns are matched loosely
(members.resources.header_key), the apostrophe our formula-safe exports put before = + - @ is
removed, every row is checked and errors are reported by spreadsheet line (header = line 1); a
check shows what would be created or changed (the preview), and an import writes every row in one
transaction, or nothing at all. Places are matched by their slug.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from members.import_checks import FORMULA_ESCAPES, MSG_FILE_TYPE, MSG_MISSING_COLUMNS, _error
from members.import_reading import ImportFileError, csv_table, xlsx_table
from members.models import Area
from members.normalise import normalise_postal_code
from members.resources import header_key
from ouendan.core.exports import spreadsheet_file, spreadsheet_safe

from .models import Offer, Place

MSG_REQUIRED = _("This column must not be empty.")
MSG_CHOICE = _("Unknown value “%(value)s”. Use one of: %(choices)s.")
MSG_NUMBER = _("Write a number such as 35.793600.")
MSG_DUPLICATE = _("The same slug is on line %(line)s.")
YES = {"1", "はい", "yes", "true", "○", "定期"}
OFFER_WORDS = {"食": "food", "学": "study", "遊": "play", **{v: v for v in Offer.values}}
REQUIRED = ("name", "slug", "kind", "district")
IMPORTED = (
    "name", "name_en", "slug", "kind", "district", "is_regular", "offers", "audience",
    "postal_code", "address", "latitude", "longitude", "phone", "email",
)  # fmt: skip


class PlaceResource(resources.ModelResource):
    """The columns of the places file (import and export), named the way staff write them."""

    district = fields.Field(attribute="district__name", column_name="校区")

    class Meta:
        model = Place
        fields = IMPORTED
        export_order = IMPORTED

    def export_field(self, field, instance, **kwargs):
        return spreadsheet_safe(super().export_field(field, instance, **kwargs))

    def get_export_headers(self, *args, **kwargs):
        return [COLUMN_NAMES.get(name, name) for name in IMPORTED]

    def dehydrate_offers(self, place):
        return "・".join(OFFER_CHARACTERS[code] for code in Offer.values if code in place.offers)

    def dehydrate_is_regular(self, place):
        return "はい" if place.is_regular else ""

    def dehydrate_kind(self, place):
        return KIND_WORDS.get(place.kind, place.kind)


COLUMN_NAMES = {
    "name": "名前",
    "name_en": "名前（英語）",
    "slug": "スラッグ",
    "kind": "種類",
    "district": "校区",
    "is_regular": "定期開催",
    "offers": "内容",
    "audience": "対象",
    "postal_code": "郵便番号",
    "address": "住所",
    "latitude": "緯度",
    "longitude": "経度",
    "phone": "電話",
    "email": "メール",
}
OFFER_CHARACTERS = {"food": "食", "study": "学", "play": "遊"}
# Kinds as staff write them in Japanese (files do not depend on the admin's language).
KIND_WORDS = {
    "kodomo_shokudo": "子ども食堂",
    "study": "学習支援",
    "play": "遊び場",
    "pantry": "フードパントリー",
    "warehouse": "フードバンク倉庫",
    "other": "その他",
}


def places_export(*, file_format: str = "csv") -> tuple[bytes, str]:
    dataset = PlaceResource().export(Place.objects.select_related("district").order_by("slug"))
    return spreadsheet_file(dataset, file_format=file_format)


@dataclass
class PlacesImportReport:
    errors: list[dict] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    written: bool = False

    def add(self, line, column, message, params=None) -> None:
        self.errors.append(_error(line, column, message, params))


def _columns(headers) -> dict[str, int]:
    known = {header_key(name): key for key, name in COLUMN_NAMES.items()}
    known.update({header_key(key): key for key in COLUMN_NAMES})
    columns = {}
    for index, header in enumerate(headers):
        name = known.get(header_key(header))
        if name and name not in columns:
            columns[name] = index
    missing = [COLUMN_NAMES[name] for name in REQUIRED if name not in columns]
    if missing:
        raise ImportFileError(MSG_MISSING_COLUMNS, columns="、".join(missing))
    return columns


def _cell(cells, columns, name) -> str:
    index = columns.get(name)
    value = cells[index] if index is not None and index < len(cells) else None
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text[1:] if text.startswith(FORMULA_ESCAPES) else text


def _row(report, line, cells, columns, districts, kinds) -> dict | None:
    values = {name: _cell(cells, columns, name) for name in columns}
    errors = len(report.errors)
    for name in REQUIRED:
        if not values.get(name):
            report.add(line, COLUMN_NAMES[name], MSG_REQUIRED)
    kind = kinds.get(header_key(values.get("kind", "")))
    if values.get("kind") and kind is None:
        report.add(
            line,
            COLUMN_NAMES["kind"],
            MSG_CHOICE,
            {"value": values["kind"], "choices": "、".join(KIND_WORDS.values())},
        )
    district = districts.get(header_key(values.get("district", "")))
    if values.get("district") and district is None:
        report.add(
            line,
            COLUMN_NAMES["district"],
            MSG_CHOICE,
            {"value": values["district"], "choices": "、".join(districts_names(districts))},
        )
    offers = []
    for word in filter(
        None,
        (
            w.strip()
            for w in values.get("offers", "").replace("、", "・").replace(",", "・").split("・")
        ),
    ):
        if word not in OFFER_WORDS:
            report.add(
                line, COLUMN_NAMES["offers"], MSG_CHOICE, {"value": word, "choices": "食・学・遊"}
            )
        else:
            offers.append(OFFER_WORDS[word])
    numbers = {}
    for name in ("latitude", "longitude"):
        try:
            numbers[name] = (
                Decimal(values[name]).quantize(Decimal("0.000001")) if values.get(name) else None
            )
        except InvalidOperation:
            report.add(line, COLUMN_NAMES[name], MSG_NUMBER)
    postal_code = values.get("postal_code", "")
    try:
        postal_code = normalise_postal_code(postal_code)
    except ValidationError as exc:
        report.add(line, COLUMN_NAMES["postal_code"], exc.messages[0])
    if len(report.errors) > errors:
        return None
    return {
        **{name: values.get(name, "") for name in ("name", "name_en", "slug", "audience", "address",
                                                   "phone", "email")},
        "kind": kind, "district": district, "offers": offers, "postal_code": postal_code,
        "is_regular": header_key(values.get("is_regular", "")) in YES, **numbers,
    }  # fmt: skip


def districts_names(districts) -> list[str]:
    return sorted({area.name for area in districts.values()})


def places_import(*, upload, name: str, commit: bool) -> PlacesImportReport:
    """Check a places file (the preview); with `commit`, write it all or nothing."""
    report = PlacesImportReport()
    try:
        if name.lower().endswith(".xlsx"):
            table = xlsx_table(upload)
        elif name.lower().endswith(".csv"):
            table = csv_table(upload)
        else:
            raise ImportFileError(MSG_FILE_TYPE)
        columns = _columns(table.headers)
        rows = [
            (line, cells) for line, cells in table.rows if any(c not in (None, "") for c in cells)
        ]
    except ImportFileError as exc:
        report.add(None, "", exc.message, exc.params or None)
        return report
    districts = {header_key(a.name): a for a in Area.objects.filter(kind=Area.Kind.SCHOOL_DISTRICT)}
    kinds = {header_key(label): value for value, label in Place.Kind.choices}
    kinds.update({header_key(value): value for value in Place.Kind.values})
    kinds.update({header_key(word): value for value, word in KIND_WORDS.items()})
    with transaction.atomic():
        seen: dict[str, int] = {}
        for line, cells in rows:
            data = _row(report, line, cells, columns, districts, kinds)
            if data is None:
                continue
            if data["slug"] in seen:
                report.add(line, COLUMN_NAMES["slug"], MSG_DUPLICATE, {"line": seen[data["slug"]]})
                continue
            seen[data["slug"]] = line
            place = Place.objects.filter(slug=data["slug"]).first() or Place(slug=data["slug"])
            (report.updated if place.pk else report.created).append(data["name"])
            for key, value in data.items():
                if key in columns or key in ("kind", "district", "slug", "name"):
                    setattr(place, key, value)
            try:
                place.full_clean()
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    report.add(line, COLUMN_NAMES.get(key, key), messages[0])
                continue
            place.save()
        report.written = commit and not report.errors
        if not report.written:
            transaction.set_rollback(True)  # a check, or errors: nothing stays written
    return report
