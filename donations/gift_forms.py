"""Staff forms for offline gifts: the searchable donor chooser (also used by receipts), the
campaign a gift counts towards, the single gift form and its duplicate warning.

donations/admin_views.py (one gift) and donations/gift_batch.py (many) use these.
"""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from members.admin.chooser import SearchableSupporterChooserViewSet

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
            "note",
        ]
        widgets = {"supporter": donor_chooser_viewset.widget_class}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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
        if cleaned.get("kind") == Donation.Kind.MEMBERSHIP:
            for name in ("campaign", "programme"):
                if cleaned.get(name):
                    self.add_error(
                        name, _("A membership fee counts towards no campaign or programme.")
                    )
        if self.instance.pk or self.errors:
            return cleaned
        duplicates = offline_gift_duplicates(
            supporter_id=cleaned["supporter"].pk,
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
