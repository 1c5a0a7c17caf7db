"""The receipts list and detail screens (Wagtail admin, Finance only). Receipts change only
through the services, so the generic edit and delete views are refused by a view-only policy;
the detail page links to the tools in admin_views.py.

Only the Finance group holds the receipt permissions (granted by donations/migrations/0006_…,
moved to this app by receipts/migrations/0001).
"""

import datetime

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permissions import register_permission_policy

from donations.models import Donation
from ouendan.core import display
from ouendan.core.admin_display import (
    DisplayIndexMixin,
    DisplayInspectMixin,
    FilterTotalMixin,
    NumberColumn,
    YenColumn,
)
from ouendan.core.admin_permissions import ViewOnlyPermissionPolicy

from .models import Receipt

VIEW = "receipts.view_receipt"
ISSUE = "receipts.add_receipt"
CHANGE = "receipts.change_receipt"
BATCH_VIEW = "receipts.view_receiptbatch"
BATCH_START = "receipts.add_receiptbatch"
BATCHES_LISTED = 30

# Receipts change only through the services below, never through a generic edit form.
register_permission_policy(Receipt, ViewOnlyPermissionPolicy(Receipt))


class ReceiptIndexView(FilterTotalMixin, DisplayIndexMixin, generic.IndexView):
    """Totals of the filtered receipts on top: void ones are counted apart, never added."""

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("supporter")

    def get_total_aggregates(self):
        issued = Q(status=Receipt.Status.ISSUED)
        return {
            "issued": Count("pk", filter=issued),
            "total": Sum("total_yen", filter=issued, default=0),
            "void": Count("pk", filter=~issued),
        }

    def get_total_rows(self, totals):
        rows = [
            (_("Receipts"), f"{totals['issued']:,}"),
            (_("Total"), display.yen(totals["total"])),
        ]
        if totals["void"]:
            rows.append((_("Void (not counted)"), f"{totals['void']:,}"))
        return rows

    @property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.request.user.has_perm(ISSUE):
            buttons.append(
                HeaderButton(
                    _("Issue for a donor"), url=reverse("receipt_tools:issue"), icon_name="plus"
                )
            )
        if self.request.user.has_perm(BATCH_VIEW):
            buttons.append(
                HeaderButton(
                    _("Yearly certificates"),
                    url=reverse("receipt_tools:batches"),
                    icon_name="doc-full",
                )
            )
        return buttons


def receipt_lines_display(receipt: Receipt) -> list[dict]:
    """The gifts a receipt lists (a snapshot with codes) as staff read them."""
    return [
        {
            "date": display.local_date(datetime.date.fromisoformat(line["date"]))
            if line.get("date")
            else display.EMPTY,
            "kind": display.choice_label(Donation.Kind, line.get("kind")),
            "method": display.choice_label(Donation.Method, line.get("method")),
            "amount": display.yen(line.get("amount_yen")),
        }
        for line in receipt.lines
    ]


class ReceiptInspectView(DisplayInspectMixin, generic.InspectView):
    template_name = "receipts/admin/receipt_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        receipt = self.object
        user = self.request.user
        context.update(
            {
                "receipt": receipt,
                "lines": receipt_lines_display(receipt),
                "log": receipt.log.select_related("user"),
                "corrections": receipt.corrections.all(),
                "can_change": user.has_perm(CHANGE) and receipt.status == Receipt.Status.ISSUED,
                "download_url": reverse("receipt_tools:download", args=[receipt.pk]),
                "reissue_url": reverse("receipt_tools:reissue", args=[receipt.pk]),
                "void_url": reverse("receipt_tools:void", args=[receipt.pk]),
                "correct_url": reverse("receipt_tools:correct", args=[receipt.pk]),
            }
        )
        return context


class ReceiptViewSet(ModelViewSet):
    model = Receipt
    icon = "doc-full"
    menu_label = _("Receipts")
    add_to_admin_menu = True
    menu_order = 301
    exclude_form_fields: list[str] = []  # ModelViewSet needs a form; the policy refuses edits
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = ReceiptIndexView
    inspect_view_class = ReceiptInspectView
    list_per_page = 50
    list_display = [
        "number",
        "donor_name",
        "kind",
        "year",
        YenColumn("total_yen", label=_("total"), sort_key="total_yen"),
        "status",
        "issued_at",
        NumberColumn("reissue_count", label=_("reissued"), sort_key="reissue_count"),
    ]
    list_filter = ["kind", "status", "year", "issued_at"]
    search_fields = ["number", "donor_name", "supporter__email", "supporter__family_name_kana"]
    search_backend_name = None
    inspect_view_fields = [
        "number",
        "kind",
        "year",
        "status",
        "supporter",
        "donor_name",
        "donor_postal_code",
        "donor_address",
        "total_yen",
        "issued_at",
        "issued_by",
        "reissue_count",
        "reissued_at",
        "replaces",
        "void_reason",
        "voided_at",
        "voided_by",
        "batch",
    ]


receipt_viewset = ReceiptViewSet("receipts")


def receipt_inspect_url(receipt: Receipt) -> str:
    return reverse(receipt_viewset.get_url_name("inspect"), args=[receipt.pk])
