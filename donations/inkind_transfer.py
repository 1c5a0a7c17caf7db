"""Import and export of pledges and deliveries (CSV / XLSX) with django-import-export.

Export: one row per pledged line / per received line, columns named the way staff write them,
every cell made spreadsheet-safe (home.exports). Import: the same columns. The whole file is
checked first with the services' own rules and errors are reported by spreadsheet line (the
header is line 1); then every row is written in one transaction, or nothing at all.

Pledges: rows with the same 参照番号 form one pledge; the supporter is found by e-mail.
Deliveries: rows with the same 寄付ID, 受領日 and 受領者 form one delivery.
"""

import datetime
import io
from collections import OrderedDict
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.formats.base_formats import CSV, XLSX

from home.exports import spreadsheet_safe
from members.imports import (
    FORMULA_ESCAPES,
    MSG_FILE_TYPE,
    MSG_MISSING_COLUMNS,
    ImportFileError,
    _csv_table,
    _error,
    _xlsx_table,
)
from members.resources import header_key
from members.services import supporter_find_duplicate

from . import inkind
from .models import Delivery, DeliveryLine, GoodsCategory, GoodsUnit, Pledge, PledgeLine

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

MSG_REQUIRED = _("This column must not be empty.")
MSG_CHOICE = _("Unknown value “%(value)s”. Use one of: %(choices)s.")
MSG_DATE = _("Write the date as YYYY-MM-DD.")
MSG_INTEGER = _("Write a whole number.")
MSG_NO_SUPPORTER = _(
    "No supporter has this e-mail address. Add or import the company under Members first."
)
MSG_NO_PLEDGE = _("There is no pledge with this ID.")
MSG_REFERENCE_EXISTS = _("A pledge with this reference was already imported.")
MSG_GROUP_DIFFERS = _(
    "Rows of the same pledge must repeat the same %(column)s (see line %(line)s)."
)

CATEGORY_WORDS = {
    "食品": GoodsCategory.FOOD,
    "日用品": GoodsCategory.DAILY_GOODS,
    "文具": GoodsCategory.STATIONERY,
    "玩具": GoodsCategory.TOYS,
    "おもちゃ": GoodsCategory.TOYS,
    "その他": GoodsCategory.OTHER,
}
UNIT_WORDS = {
    "kg": GoodsUnit.KG,
    "キロ": GoodsUnit.KG,
    "点": GoodsUnit.ITEMS,
    "個": GoodsUnit.ITEMS,
    "items": GoodsUnit.ITEMS,
    "箱": GoodsUnit.BOXES,
    "ケース": GoodsUnit.BOXES,
    "boxes": GoodsUnit.BOXES,
    "l": GoodsUnit.LITRES,
    "ℓ": GoodsUnit.LITRES,
    "リットル": GoodsUnit.LITRES,
    "litres": GoodsUnit.LITRES,
}
STATE_WORDS = {"": False, "申出": False, "offered": False, "承諾": True, "accepted": True}
CATEGORY_JA = {value: key for key, value in CATEGORY_WORDS.items() if key != "おもちゃ"}
UNIT_JA = {GoodsUnit.KG: "kg", GoodsUnit.ITEMS: "点", GoodsUnit.BOXES: "箱", GoodsUnit.LITRES: "L"}


class ChoiceWordWidget(widgets.Widget):
    """Japanese words (食品, 点...) or the stored values (food, items...) both ways."""

    def __init__(self, words: dict, choices, render_as: dict):
        super().__init__()
        self.words = {header_key(k): v for k, v in words.items()}
        self.words.update({header_key(v): v for v in choices})
        self.render_as = render_as

    def clean(self, value, row=None, **kwargs):
        key = header_key(value)
        if key not in self.words:
            raise ValueError(value)
        return self.words[key]

    def render(self, value, obj=None, **kwargs):
        return self.render_as.get(value, value)


def _safe_export(resource_class):
    class Safe(resource_class):
        def export_field(self, field, instance, **kwargs):
            return spreadsheet_safe(super().export_field(field, instance, **kwargs))

    Safe.__name__ = resource_class.__name__
    return Safe


class PledgeLineResource(resources.ModelResource):
    pledge_id = fields.Field(attribute="pledge_id", column_name="寄付ID", readonly=True)
    reference = fields.Field(attribute="pledge__import_reference", column_name="参照番号")
    state = fields.Field(column_name="状態", readonly=True)
    name = fields.Field(column_name="団体名・氏名", readonly=True)
    email = fields.Field(attribute="pledge__supporter__email", column_name="メールアドレス")
    offered_on = fields.Field(column_name="受付日")
    recurrence = fields.Field(attribute="pledge__recurrence", column_name="頻度")
    first_delivery_on = fields.Field(
        attribute="pledge__first_delivery_on", column_name="初回予定日", widget=widgets.DateWidget()
    )
    recurrence_until = fields.Field(
        attribute="pledge__recurrence_until", column_name="終了日", widget=widgets.DateWidget()
    )
    delivery_method = fields.Field(attribute="pledge__delivery_method", column_name="受け渡し")
    category = fields.Field(
        attribute="category",
        column_name="区分",
        widget=ChoiceWordWidget(CATEGORY_WORDS, GoodsCategory.values, CATEGORY_JA),
    )
    description = fields.Field(attribute="description", column_name="品名")
    quantity = fields.Field(
        attribute="quantity", column_name="数量", widget=widgets.DecimalWidget()
    )
    unit = fields.Field(
        attribute="unit",
        column_name="単位",
        widget=ChoiceWordWidget(UNIT_WORDS, GoodsUnit.values, UNIT_JA),
    )
    estimated_value_yen = fields.Field(
        attribute="estimated_value_yen", column_name="見積額(円)", widget=widgets.IntegerWidget()
    )
    best_before = fields.Field(
        attribute="best_before", column_name="賞味期限", widget=widgets.DateWidget()
    )
    wishlist_item_id = fields.Field(attribute="wishlist_item_id", column_name="希望リストID")
    message = fields.Field(attribute="pledge__message", column_name="メッセージ")

    class Meta:
        model = PledgeLine
        fields = export_order = (
            "pledge_id",
            "reference",
            "state",
            "name",
            "email",
            "offered_on",
            "recurrence",
            "first_delivery_on",
            "recurrence_until",
            "delivery_method",
            "category",
            "description",
            "quantity",
            "unit",
            "estimated_value_yen",
            "best_before",
            "wishlist_item_id",
            "message",
        )

    def dehydrate_state(self, line):
        return "承諾" if line.pledge.state != Pledge.State.OFFERED else "申出"

    def dehydrate_name(self, line):
        return line.pledge.supporter.display_name

    def dehydrate_offered_on(self, line):
        return timezone.localtime(line.pledge.created_at).date().isoformat()

    def dehydrate_quantity(self, line):
        return inkind.quantity_display(line.quantity).replace(",", "")


class DeliveryLineResource(resources.ModelResource):
    delivery_id = fields.Field(attribute="delivery_id", column_name="受領ID", readonly=True)
    pledge_id = fields.Field(attribute="delivery__pledge_id", column_name="寄付ID")
    name = fields.Field(column_name="団体名・氏名", readonly=True)
    received_on = fields.Field(
        attribute="delivery__received_on", column_name="受領日", widget=widgets.DateWidget()
    )
    received_by = fields.Field(attribute="delivery__received_by", column_name="受領者")
    condition = fields.Field(attribute="delivery__condition", column_name="状態")
    pledge_line_id = fields.Field(attribute="pledge_line_id", column_name="寄付品目ID")
    category = fields.Field(
        attribute="category",
        column_name="区分",
        widget=ChoiceWordWidget(CATEGORY_WORDS, GoodsCategory.values, CATEGORY_JA),
    )
    description = fields.Field(attribute="description", column_name="品名")
    quantity = fields.Field(
        attribute="quantity", column_name="数量", widget=widgets.DecimalWidget()
    )
    unit = fields.Field(
        attribute="unit",
        column_name="単位",
        widget=ChoiceWordWidget(UNIT_WORDS, GoodsUnit.values, UNIT_JA),
    )
    estimated_value_yen = fields.Field(
        attribute="estimated_value_yen", column_name="見積額(円)", widget=widgets.IntegerWidget()
    )
    best_before = fields.Field(
        attribute="best_before", column_name="賞味期限", widget=widgets.DateWidget()
    )
    over_pledged = fields.Field(column_name="超過", readonly=True)
    note = fields.Field(attribute="delivery__note", column_name="備考")

    class Meta:
        model = DeliveryLine
        fields = export_order = (
            "delivery_id",
            "pledge_id",
            "name",
            "received_on",
            "received_by",
            "condition",
            "pledge_line_id",
            "category",
            "description",
            "quantity",
            "unit",
            "estimated_value_yen",
            "best_before",
            "over_pledged",
            "note",
        )

    def dehydrate_name(self, line):
        return line.delivery.pledge.supporter.display_name

    def dehydrate_over_pledged(self, line):
        return "はい" if line.over_pledged else ""

    def dehydrate_quantity(self, line):
        return inkind.quantity_display(line.quantity).replace(",", "")


SafePledgeLineResource = _safe_export(PledgeLineResource)
SafeDeliveryLineResource = _safe_export(DeliveryLineResource)

KINDS = {
    "pledges": (
        SafePledgeLineResource,
        lambda: PledgeLine.objects.select_related("pledge__supporter").order_by("pledge_id", "pk"),
    ),
    "deliveries": (
        SafeDeliveryLineResource,
        lambda: DeliveryLine.objects.select_related("delivery__pledge__supporter").order_by(
            "delivery_id", "pk"
        ),
    ),
}


def inkind_export(*, kind: str, file_format: str) -> tuple[bytes, str]:
    """(file content, content type) of every pledge or delivery line, formula-safe."""
    resource_class, queryset = KINDS[kind]
    dataset = resource_class().export(queryset=queryset())
    fmt = XLSX() if file_format == "xlsx" else CSV()
    content = fmt.export_data(dataset)
    if isinstance(content, str):
        content = ("\ufeff" + content).encode("utf-8")  # BOM: Excel reads the Japanese
    return content, fmt.get_content_type()


# --- Import --------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    errors: list[dict] = field(default_factory=list)
    pledges: int = 0
    deliveries: int = 0
    written: bool = False

    def add(self, line: int | None, column: str, message, params: dict | None = None) -> None:
        self.errors.append(_error(line, column, message, params))


PLEDGE_COLUMNS = {
    "reference": True,
    "email": True,
    "category": True,
    "description": True,
    "quantity": True,
    "unit": True,
}
DELIVERY_COLUMNS = {
    "pledge_id": True,
    "received_on": True,
    "received_by": True,
    "category": False,
    "description": False,
    "quantity": True,
    "unit": True,
}


def _columns(resource_class, headers: list[str], required: dict[str, bool]) -> dict[str, int]:
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


def _date(text: str) -> datetime.date | None:
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text.replace("/", "-")[:10])
    except ValueError:
        raise ValidationError(MSG_DATE) from None


def _int(text: str) -> int | None:
    if not text:
        return None
    try:
        return int(text.replace(",", ""))
    except ValueError:
        raise ValidationError(MSG_INTEGER) from None


class _Row:
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

    def goods_line(self, *, pledge_line_id=None, required_category=True) -> inkind.GoodsLine | None:
        """The row's goods, or None when a cell cannot be read (each problem is reported)."""
        ok_before, self.ok = self.ok, True
        category = self.choice("category", required=required_category)
        unit = self.choice("unit")
        quantity = self.parsed("quantity", inkind.quantity_parse, required=True)
        value = self.parsed("estimated_value_yen", _int)
        best_before = self.parsed("best_before", _date)
        readable, self.ok = self.ok, self.ok and ok_before
        if not readable:
            return None
        return inkind.GoodsLine(
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


def _read(upload, name: str):
    if name.lower().endswith(".xlsx"):
        return _xlsx_table(upload)
    if name.lower().endswith(".csv"):
        return _csv_table(upload)
    raise ImportFileError(MSG_FILE_TYPE)


def inkind_import(*, kind: str, upload, name: str, commit: bool, user=None) -> ImportReport:
    """Check a pledges or deliveries file; with `commit`, write it all or nothing."""
    report = ImportReport()
    try:
        table = _read(upload, name)
        if kind == "pledges":
            columns = _columns(PledgeLineResource, table.headers, PLEDGE_COLUMNS)
        else:
            columns = _columns(DeliveryLineResource, table.headers, DELIVERY_COLUMNS)
        rows = [
            (line, cells) for line, cells in table.rows if any(c not in (None, "") for c in cells)
        ]
    except ImportFileError as exc:
        report.add(None, "", exc.message, exc.params or None)
        return report
    with transaction.atomic():
        if kind == "pledges":
            _import_pledges(report, rows, columns)
        else:
            _import_deliveries(report, rows, columns, user)
        report.written = commit and not report.errors
        if not report.written:
            transaction.set_rollback(True)  # a check, or errors: nothing stays written
    if report.errors:
        report.pledges = report.deliveries = 0
    return report


def _import_pledges(report: ImportReport, rows, columns) -> None:
    resource = PledgeLineResource()
    groups: OrderedDict[str, list] = OrderedDict()
    for line, cells in rows:
        row = _Row(report, resource, line, cells, columns)
        reference = row.text("reference", required=True)
        groups.setdefault(reference or f"#{line}", []).append(row)
    existing = set(
        Pledge.objects.filter(import_reference__in=list(groups)).values_list(
            "import_reference", flat=True
        )
    )
    wishlist = inkind.wishlist_by_id(
        ids=(
            _int_or_none(row.text("wishlist_item_id")) for group in groups.values() for row in group
        )
    )
    for reference, group in groups.items():
        first = group[0]
        if reference in existing:
            first.fail("reference", MSG_REFERENCE_EXISTS)
            continue
        for name in (
            "email",
            "offered_on",
            "recurrence",
            "first_delivery_on",
            "recurrence_until",
            "delivery_method",
            "state",
        ):
            values = {row.text(name) for row in group}
            if len(values) > 1:
                for row in group[1:]:
                    if row.text(name) != first.text(name):
                        row.fail(
                            name,
                            MSG_GROUP_DIFFERS,
                            {"column": resource.fields[name].column_name, "line": first.line},
                        )
                        break
        email = first.text("email", required=True)
        supporter = supporter_find_duplicate(email=email.lower()) if email else None
        if email and supporter is None:
            first.fail("email", MSG_NO_SUPPORTER)
        offered_on = first.parsed("offered_on", _date) or timezone.localdate()
        recurrence = _word(first, "recurrence", Pledge.Recurrence, Pledge.Recurrence.ONCE)
        method = _word(
            first, "delivery_method", Pledge.DeliveryMethod, Pledge.DeliveryMethod.DROP_OFF
        )
        state_word = header_key(first.text("state"))
        accepted = STATE_WORDS.get(state_word)
        if accepted is None:
            first.fail("state", MSG_CHOICE, {"value": first.text("state"), "choices": "申出、承諾"})
        lines = []
        for row in group:
            wishlist_id = row.parsed("wishlist_item_id", _int)
            goods = row.goods_line()
            if goods is None:
                continue
            goods.wishlist_item_id = wishlist_id
            row.line_errors(
                inkind.goods_line_errors(line=goods, wishlist=wishlist, today=offered_on)
            )
            lines.append(goods)
        if not all(row.ok for row in group) or supporter is None:
            continue
        created_at = timezone.make_aware(datetime.datetime.combine(offered_on, datetime.time(12)))
        try:
            pledge_sid = transaction.savepoint()
            inkind.pledge_offer(
                supporter=supporter,
                lines=lines,
                recurrence=recurrence,
                first_delivery_on=first.parsed("first_delivery_on", _date),
                recurrence_until=first.parsed("recurrence_until", _date),
                delivery_method=method,
                message=first.text("message"),
                source=Pledge.Source.IMPORT,
                import_reference=reference,
                accepted=bool(accepted),
                created_at=created_at,
                today=offered_on,
            )
            transaction.savepoint_commit(pledge_sid)
            report.pledges += 1
        except ValidationError as exc:
            transaction.savepoint_rollback(pledge_sid)
            for message in exc.messages:
                first.fail("reference", "%(error)s", {"error": message})


def _word(row: _Row, name: str, choices, default):
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


def _int_or_none(text: str) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


def _import_deliveries(report: ImportReport, rows, columns, user) -> None:
    resource = DeliveryLineResource()
    groups: OrderedDict[tuple, list] = OrderedDict()
    for line, cells in rows:
        row = _Row(report, resource, line, cells, columns)
        key = (
            row.text("pledge_id", True),
            row.text("received_on", True),
            row.text("received_by", True),
        )
        groups.setdefault(key, []).append(row)
    pledge_ids = {_int_or_none(key[0]) for key in groups} - {None}
    pledges = Pledge.objects.in_bulk(pledge_ids)
    lines_by_pledge: dict[int, dict[int, PledgeLine]] = {}
    for pledge_line in PledgeLine.objects.filter(pledge_id__in=pledge_ids):
        lines_by_pledge.setdefault(pledge_line.pledge_id, {})[pledge_line.pk] = pledge_line
    for (pledge_text, _received, received_by), group in groups.items():
        first = group[0]
        pledge = pledges.get(_int_or_none(pledge_text))
        if pledge_text and pledge is None:
            first.fail("pledge_id", MSG_NO_PLEDGE)
        received_on = first.parsed("received_on", _date)
        condition = _word(first, "condition", Delivery.Condition, Delivery.Condition.GOOD)
        lines = []
        for row in group:
            pledge_line_id = row.parsed("pledge_line_id", _int)
            pledged = lines_by_pledge.get(pledge.pk, {}).get(pledge_line_id) if pledge else None
            if pledge_line_id and pledge is not None and pledged is None:
                row.fail("pledge_line_id", inkind.MSG_PLEDGE_LINE_OTHER)
            goods = row.goods_line(pledge_line_id=pledge_line_id, required_category=not pledged)
            if goods is None:
                continue
            if pledged is not None:
                goods.category = goods.category or pledged.category
                goods.description = goods.description or pledged.description
            lines.append((row, goods))
        if pledge is None or received_on is None or not all(row.ok for row in group):
            continue
        _errors, line_errors = inkind.delivery_errors(
            pledge=pledge,
            lines=[goods for _row, goods in lines],
            received_on=received_on,
            received_by=received_by,
        )
        for (row, _goods), problems in zip(lines, line_errors, strict=True):
            row.line_errors(problems)
        for name, problems in _errors.items():
            for problem in problems:
                first.fail(name, problem.message, problem.params)
        if not all(row.ok for row in group):
            continue
        sid = transaction.savepoint()
        try:
            inkind.delivery_record(
                pledge=pledge,
                received_on=received_on,
                received_by=received_by,
                condition=condition,
                note=first.text("note"),
                lines=[goods for _row, goods in lines],
                recorded_by=user,
                thank=False,
            )
            transaction.savepoint_commit(sid)
            report.deliveries += 1
        except ValidationError as exc:
            transaction.savepoint_rollback(sid)
            for message in exc.messages:
                first.fail("pledge_id", "%(error)s", {"error": message})


# --- Admin views ---------------------------------------------------------------------------------


class InkindImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=[("pledges", _("Pledges")), ("deliveries", _("Deliveries"))],
        widget=forms.RadioSelect,
        initial="pledges",
    )
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_("The columns of the export. A .csv (UTF-8 or Shift_JIS) or .xlsx file."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(MSG_FILE_TYPE)
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


def import_view(request):
    if not (
        request.user.has_perm("donations.add_pledge")
        and request.user.has_perm("donations.add_delivery")
    ):
        raise PermissionDenied
    form = InkindImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        raw = io.BytesIO(upload.read())
        report = inkind_import(
            kind=form.cleaned_data["kind"],
            upload=raw,
            name=upload.name,
            commit="import" in request.POST,
            user=request.user,
        )
    language = translation.get_language() or "ja"
    return render(
        request,
        "donations/inkind/admin/import.html",
        {
            "form": form,
            "report": report,
            "error_key": "ja" if language.startswith("ja") else "en",
            "export_links": [
                (_("Pledges"), "pledges"),
                (_("Deliveries"), "deliveries"),
            ],
        },
    )


def export_view(request, kind: str):
    permission = {"pledges": "donations.view_pledge", "deliveries": "donations.view_delivery"}
    if kind not in KINDS or not request.user.has_perm(permission[kind]):
        raise PermissionDenied
    file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    content, content_type = inkind_export(kind=kind, file_format=file_format)
    response = HttpResponse(content, content_type=content_type)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{kind}-{stamp}.{file_format}"'
    return response


urlpatterns = [
    path("import/", import_view, name="import"),
    path("export/<str:kind>/", export_view, name="export"),
]
