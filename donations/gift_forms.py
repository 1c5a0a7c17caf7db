"""Staff forms for offline gifts: the searchable donor chooser (also used by receipts), the
campaign a gift counts towards, the single gift form and its duplicate warning.

donations/admin_views.py (one gift) and donations/gift_batch.py (many) use these.
"""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets.filtered_select import FilteredSelect
from wagtail.models import Page

from members.admin.chooser import SearchableSupporterChooserViewSet
from members.models import Membership

from .models import MOST_NEEDED, OFFLINE_METHODS, Donation, Programme
from .selectors import gift_campaign_pages, offline_gift_duplicates


class DonorChooserViewSet(SearchableSupporterChooserViewSet):
    """The searchable supporter listing (members/admin/chooser.py); it lists supporters, so it
    needs the supporter list's permission (Editors had it all)."""

    choose_one_text = _("Choose a donor")
    choose_another_text = _("Choose another donor")


donor_chooser_viewset = DonorChooserViewSet("donor_chooser")


class GiftCampaignChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.title


def gift_campaign_field(*, current_id: int | None = None) -> GiftCampaignChoiceField:
    """A gift's campaign: live Japanese campaign pages only (donations.selectors), plus the one
    an existing gift already counts towards."""
    match = Q(pk__in=gift_campaign_pages().values("pk"))
    if current_id:
        match |= Q(pk=current_id)
    return GiftCampaignChoiceField(
        label=_("campaign"),
        queryset=Page.objects.filter(match).order_by("-first_published_at", "-pk"),
        required=False,
        empty_label=_("(no campaign)"),
    )


def duplicate_gift_message(duplicates) -> str:
    """What staff read when a gift looks recorded already (the form and the batch screen)."""
    first = duplicates[0]
    return _(
        "An identical gift is already in the ledger: ¥%(amount)s from %(donor)s on %(date)s "
        "(%(method)s). Tick “I know, record it anyway” to record this one as well."
    ) % {
        "amount": f"{first.amount_yen:,}",
        "donor": first.donor_label,
        "date": date_format(timezone.localtime(first.paid_at), "Y/m/d"),
        "method": first.get_method_display(),
    }


class OfflineDonationForm(forms.ModelForm):
    method = forms.ChoiceField(
        label=_("method"),
        choices=[(m.value, m.label) for m in OFFLINE_METHODS],
    )
    confirm_duplicate = forms.BooleanField(
        label=_("I know, record it anyway"),
        required=False,
        widget=forms.HiddenInput,  # a checkbox once the gift looks recorded already
    )
    # A fee may name the membership it pays (one of the donor's): the fee shows on it (paid,
    # renewal moved on) and in the ledger. Options follow the chosen donor (FilteredSelect).
    membership = forms.ChoiceField(
        label=_("membership paid"),
        required=False,
        help_text=_("For a membership fee: the donor's membership it pays. It is then extended."),
        widget=FilteredSelect(filter_field="id_supporter"),
    )

    class Meta:
        model = Donation
        fields = [
            "supporter",
            "kind",
            "method",
            "amount_yen",
            "paid_at",
            "campaign",
            "programme",
            "membership",
            "note",
        ]
        widgets = {"supporter": donor_chooser_viewset.widget_class}

    class Media:
        js = ["wagtailadmin/js/filtered-select.js"]  # Wagtail's script for FilteredSelect

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only a one-off gift staff already booked without a donor (a collection box, from
        # the batch screen) may stay without one; a new gift here names its donor.
        self.fields["supporter"].required = not (
            self.instance.pk and self.instance.supporter_id is None
        )
        if self.instance.pk:
            del self.fields["membership"]  # corrections keep the membership a fee paid
        else:
            options = self._membership_choices()
            field = self.fields["membership"]
            field.choices = [option[:2] for option in options]  # what validation checks
            field.widget.choices = options  # with the supporter each option belongs to
        self.fields["campaign"] = gift_campaign_field(current_id=self.instance.campaign_id)
        programmes = Programme.objects.all()
        if self.instance.programme_id:  # an inactive programme stays choosable on its gifts
            programmes = programmes.filter(Q(active=True) | Q(pk=self.instance.programme_id))
        else:
            programmes = programmes.filter(active=True)
        self.fields["programme"].queryset = programmes
        self.fields["programme"].empty_label = MOST_NEEDED
        if self.instance.pk:
            del self.fields["confirm_duplicate"]  # corrections are not new gifts

    def _membership_choices(self) -> list[tuple]:
        """The donor's memberships when the donor is known (a ?supporter= link, a posted form);
        else every membership that is not cancelled, each tagged with its supporter for the
        filtering script. (value, label, [supporter id])."""
        supporter_id = self.data.get(self.add_prefix("supporter")) or self.initial.get("supporter")
        supporter_id = getattr(supporter_id, "pk", supporter_id)
        memberships = Membership.objects.select_related("supporter", "plan").order_by(
            "supporter_id", "-started_on", "-pk"
        )
        if str(supporter_id or "").isdigit():
            memberships = memberships.filter(supporter_id=supporter_id)
        else:
            memberships = memberships.exclude(status=Membership.Status.CANCELLED)
        return [("", "—")] + [
            (
                str(m.pk),
                f"{m.supporter} — {m.plan} ({m.get_status_display()})",
                [str(m.supporter_id)],
            )
            for m in memberships
        ]

    def clean_membership(self):
        value = self.cleaned_data.get("membership")
        if not value:
            return None
        return Membership.objects.select_related("plan").filter(pk=value).first()

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

    def clean(self):
        cleaned = super().clean()
        membership = cleaned.get("membership")
        if membership is not None:
            if cleaned.get("kind") != Donation.Kind.MEMBERSHIP:
                self.add_error("membership", _("Only a membership fee pays a membership."))
            elif cleaned.get("supporter") and membership.supporter_id != cleaned["supporter"].pk:
                self.add_error("membership", _("Choose one of this donor's memberships."))
        if not cleaned.get("supporter") and cleaned.get("kind") not in (
            None,
            Donation.Kind.ONE_OFF,
        ):
            self.add_error("supporter", _("Only a one-off gift may be anonymous."))
        if cleaned.get("kind") == Donation.Kind.MEMBERSHIP:
            for name in ("campaign", "programme"):
                if cleaned.get(name):
                    self.add_error(
                        name, _("A membership fee counts towards no campaign or programme.")
                    )
        if self.instance.pk or self.errors:
            return cleaned
        duplicates = offline_gift_duplicates(
            supporter_id=cleaned["supporter"].pk if cleaned.get("supporter") else None,
            amount_yen=cleaned["amount_yen"],
            paid_at=cleaned["paid_at"],
            campaign_id=cleaned["campaign"].pk if cleaned.get("campaign") else None,
        ).select_related("supporter")
        duplicates = list(duplicates[:5])
        if duplicates:
            self.fields["confirm_duplicate"].widget = forms.CheckboxInput()
            if not cleaned.get("confirm_duplicate"):
                self.add_error("confirm_duplicate", duplicate_gift_message(duplicates))
        return cleaned
