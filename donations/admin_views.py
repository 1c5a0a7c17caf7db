"""Staff screens for money: the ledger (with offline gifts), monthly gifts and the Stripe inbox."""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.log_actions import log
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from members.models import Supporter
from ouendan.core.admin_permissions import ListPermissionChooserMixin, ViewOnlyPermissionPolicy
from ouendan.core.exports import SafeSpreadsheetExportMixin

from .models import Donation, RecurringDonation, StripeEvent
from .services import OFFLINE_METHODS, DonationNotEditable, donation_record, donation_update
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


class _DonorChooserQueryset:
    def get_object_list(self):
        # A merged duplicate (members/merge.py) holds nothing: its survivor gets the gifts.
        return Supporter.objects.exclude(status=Supporter.Status.MERGED)


class DonorChooseView(_DonorChooserQueryset, ChooseView):
    pass


class DonorChooseResultsView(_DonorChooserQueryset, ChooseResultsView):
    pass


class DonorChooserViewSet(ListPermissionChooserMixin, ChooserViewSet):
    """Lists supporters, so it needs the supporter list's permission (Editors had it all)."""

    model = Supporter
    choose_view_class = DonorChooseView
    choose_results_view_class = DonorChooseResultsView
    icon = "user"
    choose_one_text = _("Choose a donor")
    choose_another_text = _("Choose another donor")
    per_page = 20


donor_chooser_viewset = DonorChooserViewSet("donor_chooser")


class OfflineDonationForm(forms.ModelForm):
    method = forms.ChoiceField(
        label=_("method"),
        choices=[(m.value, m.label) for m in OFFLINE_METHODS],
    )

    class Meta:
        model = Donation
        fields = ["supporter", "kind", "method", "amount_yen", "paid_at", "campaign", "note"]
        widgets = {"supporter": donor_chooser_viewset.widget_class}

    def clean_paid_at(self):
        paid_at = self.cleaned_data["paid_at"]
        if paid_at > timezone.now():
            raise forms.ValidationError(_("A gift cannot be paid in the future."))
        return paid_at

    def clean_amount_yen(self):
        amount = self.cleaned_data["amount_yen"]
        if amount <= 0:
            raise forms.ValidationError(_("Enter a whole number of yen above zero."))
        if self.instance.pk and amount < self.instance.refunded_yen:
            raise forms.ValidationError(_("The amount cannot be less than what was refunded."))
        return amount


def _gift_fields(data: dict) -> dict:
    """The offline gift form's fields as the ledger's services take them."""
    return {
        "supporter": data["supporter"],
        "kind": data["kind"],
        "method": data["method"],
        "amount_yen": data["amount_yen"],
        "paid_at": data["paid_at"],
        "campaign_id": data["campaign"].pk if data["campaign"] else None,
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
        donation, _created = donation_record(
            **_gift_fields(self.form.cleaned_data), recorded_by=self.request.user
        )
        # Overriding save_instance skips Wagtail's own create action: keep the history entry.
        log(instance=donation, action="wagtail.create", user=self.request.user)
        return donation


class DonationFilterSet(WagtailFilterSet):
    # Paid between two days (Tokyo): the staff home's "this month" links here with its days.
    paid_at = django_filters.DateFromToRangeFilter(label=_("paid"), widget=DateRangePickerWidget)

    class Meta:
        model = Donation
        fields = ["kind", "method", "paid_at", "campaign", "disputed_at"]


class DonationIndexView(SafeSpreadsheetExportMixin, generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("supporter", "campaign")


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


class RecurringDonationIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("supporter")


class DonationViewSet(ModelViewSet):
    model = Donation
    icon = "tag"
    menu_label = _("Donations")
    form_fields = OfflineDonationForm.Meta.fields
    add_view_class = OfflineDonationCreateView
    edit_view_class = OfflineDonationEditView
    index_view_class = DonationIndexView
    copy_view_enabled = False
    inspect_view_enabled = True
    list_per_page = 50
    list_display = [
        "paid_at",
        "supporter",
        Column("amount_yen", label=_("amount (yen)")),
        "refunded_yen",
        "kind",
        "method",
        "campaign",
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
        "supporter.display_name",
        "supporter.email",
        "amount_yen",
        "refunded_yen",
        "net_yen",
        "kind",
        "method",
        "campaign",
        "message",
        "stripe_checkout_session_id",
        "stripe_invoice_id",
        "note",
    ]
    export_filename = "donations"

    def get_form_class(self, for_update=False):
        return OfflineDonationForm


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


class MoneyViewSetGroup(ModelViewSetGroup):
    menu_label = _("Money")
    menu_icon = "tag"
    menu_order = 300
    items = (DonationViewSet, RecurringDonationViewSet, StripeEventViewSet)
