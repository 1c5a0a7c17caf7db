"""Pledges and deliveries as spreadsheets (django-import-export resources) and their export.

One row per pledged line / per received line, columns named the way staff write them, categories
and units in the goods vocabulary's Japanese words (vocabulary.py), every cell made
spreadsheet-safe (ouendan.core.exports). The import (imports.py) reads the same columns.
"""

from django.utils import timezone
from import_export import fields, resources, widgets

from members.resources import header_key
from ouendan.core.exports import spreadsheet_file, spreadsheet_safe

from ..models import DeliveryLine, Pledge, PledgeLine
from ..rules import quantity_display
from ..vocabulary import CATEGORY_JA, CATEGORY_WORDS, UNIT_JA, UNIT_WORDS, GoodsCategory, GoodsUnit

STATE_WORDS = {"": False, "申出": False, "offered": False, "承諾": True, "accepted": True}


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


class GoodsLineColumns(resources.Resource):
    """The columns of one line of goods, the same in the pledge and the delivery files."""

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


class PledgeLineResource(GoodsLineColumns, resources.ModelResource):
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
        return quantity_display(line.quantity).replace(",", "")


class DeliveryLineResource(GoodsLineColumns, resources.ModelResource):
    delivery_id = fields.Field(attribute="delivery_id", column_name="受領ID", readonly=True)
    pledge_id = fields.Field(attribute="delivery__pledge_id", column_name="寄付ID")
    name = fields.Field(column_name="団体名・氏名", readonly=True)
    received_on = fields.Field(
        attribute="delivery__received_on", column_name="受領日", widget=widgets.DateWidget()
    )
    received_by = fields.Field(attribute="delivery__received_by", column_name="受領者")
    condition = fields.Field(attribute="delivery__condition", column_name="状態")
    pledge_line_id = fields.Field(attribute="pledge_line_id", column_name="寄付品目ID")
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
        return quantity_display(line.quantity).replace(",", "")


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
    return spreadsheet_file(dataset, file_format=file_format)  # the Safe resource escaped cells
