"""Staff screens for money: the ledger (with offline gifts), monthly gifts and the Stripe inbox."""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views.snippets import SnippetViewSet

from members.models import Supporter
from ouendan.core import display
from ouendan.core.admin_display import (
    DisplayColumn,
    DisplayIndexMixin,
    DisplayInspectMixin,
    FilterTotalMixin,
    LocalDateTimeColumn,
    YenColumn,
)
from ouendan.core.admin_permissions import (
    ListPermissionSnippetChooserViewSet,
    ViewOnlyPermissionPolicy,
)
from ouendan.core.exports import SafeSpreadsheetExportMixin

from .gift_batch import gift_batch_view
from .gift_forms import OfflineDonationForm, duplicate_gift_message
from .models import (
    ANONYMOUS_DONOR,
    OFFLINE_METHODS,
    Donation,
    Programme,
    RecurringDonation,
    StripeEvent,
)
from .offline_gifts import DuplicateGift, donation_record_offline
from .services import DonationNotEditable, donation_update
from .stripe_event_admin import StripeEventViewSet


class LedgerPermissionPolicy(ModelPermissionPolicy):
    """The ledger is append-only: staff add offline gifts and may correct those; rows that came
    from Stripe are never edited by hand, and nothing is deleted."""

    def user_has_permission(self, user, action):
        return action != "delete" and super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        if action == "delete":
            return False
        if action == "change" and instance.method not in OFFLINE_METHODS:
            return False
        return super().user_has_permission_for_instance(user, action, instance)


register_permission_policy(Donation, LedgerPermissionPolicy(Donation))
register_permission_policy(StripeEvent, ViewOnlyPermissionPolicy(StripeEvent))
register_permission_policy(RecurringDonation, ViewOnlyPermissionPolicy(RecurringDonation))


def _gift_fields(data: dict) -> dict:
    """The offline gift form's fields as the ledger's services take them."""
    return {
        "supporter": data["supporter"],
        "kind": data["kind"],
        "method": data["method"],
        "amount_yen": data["amount_yen"],
        "paid_at": data["paid_at"],
        "campaign_id": data["campaign"].pk if data["campaign"] else None,
        "programme_id": data["programme"].pk if data.get("programme") else None,
        "note": data["note"],
    }


class OfflineDonationCreateView(generic.CreateView):
    def get_initial(self):
        # "Record a gift" on a supporter's page links here with ?supporter=<pk>.
        initial = super().get_initial()
        supporter = self.request.GET.get("supporter", "")
        if supporter.isdigit():
            initial["supporter"] = (
                Supporter.objects.exclude(status=Supporter.Status.MERGED)
                .filter(pk=supporter)
                .first()
            )
        return initial

    def save_instance(self):
        # The service writes the gift's history entry (Wagtail's own create action is skipped).
        return donation_record_offline(
            **_gift_fields(self.form.cleaned_data),
            membership=self.form.cleaned_data.get("membership"),
            recorded_by=self.request.user,
            confirmed_duplicate=self.form.cleaned_data.get("confirm_duplicate", False),
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except DuplicateGift as exc:  # recorded by someone else since the form was checked
            form.fields["confirm_duplicate"].widget = forms.CheckboxInput()
            form.add_error("confirm_duplicate", duplicate_gift_message(exc.duplicates))
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class DonationFilterSet(WagtailFilterSet):
    # Paid between two days (Tokyo): the staff home's "this month" links here with its days.
    paid_at = django_filters.DateFromToRangeFilter(label=_("paid"), widget=DateRangePickerWidget)

    class Meta:
        model = Donation
        fields = ["kind", "method", "paid_at", "campaign", "programme", "disputed_at"]


class DonationIndexView(
    FilterTotalMixin, DisplayIndexMixin, SafeSpreadsheetExportMixin, generic.IndexView
):
    """The ledger: each row's donor name opens the gift; totals of the filtered gifts on top."""

    title_links_to_inspect = True

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("supporter", "campaign", "programme")

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.user_has_permission("add"):
            buttons.append(
                HeaderButton(
                    _("Record a batch"),
                    url=reverse("donation:batch"),
                    icon_name="list-ul",
                    attrs={"data-gift-batch": ""},
                )
            )
        return buttons

    def get_total_aggregates(self):
        return {
            "gifts": Count("pk"),
            "amount": Sum("amount_yen", default=0),
            "refunded": Sum("refunded_yen", default=0),
        }

    def get_total_rows(self, totals):
        return [
            (_("Gifts"), f"{totals['gifts']:,}"),
            (_("Total"), display.yen(totals["amount"])),
            (_("Refunded"), display.yen(totals["refunded"])),
            (_("Net of refunds"), display.yen(totals["amount"] - totals["refunded"])),
        ]


class DonationInspectView(DisplayInspectMixin, generic.InspectView):
    def get_field_display_value(self, field_name, field):
        if field_name == "supporter" and self.object.supporter_id is None:
            return str(ANONYMOUS_DONOR)  # a collection box: no donor, not a missing one
        return super().get_field_display_value(field_name, field)


class OfflineDonationEditView(generic.EditView):
    def get_object(self, queryset=None):
        donation = super().get_object(queryset)
        if donation.method not in OFFLINE_METHODS:
            raise PermissionDenied  # Stripe's rows change only through webhooks
        return donation

    def save_instance(self):
        # Through the ledger's service (not form.save()): the gift's effects run again.
        try:
            return donation_update(
                donation=self.object, **_gift_fields(self.form.cleaned_data), by=self.request.user
            )
        except DonationNotEditable as exc:
            raise PermissionDenied from exc


class RecurringDonationIndexView(DisplayIndexMixin, generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("supporter")


class RecurringDonationInspectView(DisplayInspectMixin, generic.InspectView):
    pass


class DonationViewSet(ModelViewSet):
    model = Donation
    icon = "tag"
    menu_label = _("Donations")
    form_fields = OfflineDonationForm.Meta.fields
    add_view_class = OfflineDonationCreateView
    edit_view_class = OfflineDonationEditView
    index_view_class = DonationIndexView
    inspect_view_class = DonationInspectView
    copy_view_enabled = False
    inspect_view_enabled = True
    list_per_page = 50
    list_display = [
        "donor_label",  # "anonymous" for a gift without a donor (a collection box)
        LocalDateTimeColumn("paid_at", label=_("paid"), sort_key="paid_at"),
        YenColumn("amount_yen", label=_("amount"), sort_key="amount_yen"),
        YenColumn("refunded_yen", label=_("refunded"), sort_key="refunded_yen"),
        "kind",
        "method",
        "campaign",
        DisplayColumn("programme_label", label=_("programme")),
    ]
    filterset_class = DonationFilterSet
    search_fields = [
        "supporter__family_name",
        "supporter__family_name_kana",
        "supporter__organisation_name",
        "supporter__email",
        "stripe_checkout_session_id",
        "stripe_payment_intent_id",
        "stripe_invoice_id",
    ]
    search_backend_name = None  # plain ORM lookups: exact and fast on the ledger
    list_export = [
        "paid_at",
        "donor_label",
        "donor_email",
        "amount_yen",
        "refunded_yen",
        "net_yen",
        "kind",
        "method",
        "campaign",
        "programme_label",
        "message",
        "stripe_checkout_session_id",
        "stripe_invoice_id",
        "note",
    ]
    export_headings = {
        "programme_label": _("programme"),
        "donor_label": _("donor"),
        "donor_email": _("e-mail"),
    }
    export_filename = "donations"

    def get_form_class(self, for_update=False):
        return OfflineDonationForm

    def get_urlpatterns(self):
        # Many offline gifts on one screen (donations/gift_batch.py), as "donation:batch".
        return [*super().get_urlpatterns(), path("batch/", gift_batch_view, name="batch")]


class RecurringDonationViewSet(ModelViewSet):
    model = RecurringDonation
    icon = "repeat"
    menu_label = _("Monthly gifts")
    exclude_form_fields: list[str] = []  # ModelViewSet needs a form; the policy refuses edits
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["supporter", "amount_yen", "status", "failure_count", "next_payment_on"]
    list_filter = ["status"]
    search_fields = ["supporter__family_name", "supporter__email", "stripe_subscription_id"]
    search_backend_name = None
    index_view_class = RecurringDonationIndexView
    inspect_view_class = RecurringDonationInspectView


class ProgrammeViewSet(SnippetViewSet):
    """Programmes gifts may name (snippet; Finance keeps the list). Never deleted while gifts
    name one: staff switch it off instead."""

    model = Programme
    chooser_viewset_class = ListPermissionSnippetChooserViewSet
    icon = "folder-open-inverse"
    menu_label = _("Programmes")
    menu_order = 301
    add_to_admin_menu = True
    copy_view_enabled = False
    list_display = ["name_ja", "name_en", "sort_order", "active"]
    list_filter = ["active"]


class MoneyViewSetGroup(ModelViewSetGroup):
    menu_label = _("Money")
    menu_icon = "tag"
    menu_order = 300
    items = (DonationViewSet, RecurringDonationViewSet, StripeEventViewSet)
