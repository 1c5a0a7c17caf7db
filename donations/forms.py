from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from members.names import MSG_KANA_REQUIRED, kana_missing
from members.normalise import normalise_email, normalise_kana, normalise_text

from .models import MOST_NEEDED, CheckoutRequest, Programme


class GroupRadioSelect(forms.RadioSelect):
    """Radios rendered in a fieldset by the template: the group's "label" (the error summary's
    link) points at its first radio, which Django leaves empty for a radio group."""

    def id_for_label(self, id_, index=None):
        return super().id_for_label(id_, "0" if index is None else index)


class DonateForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=CheckoutRequest.Frequency.choices,
        widget=GroupRadioSelect,
        initial=CheckoutRequest.Frequency.MONTHLY,
    )
    amount = forms.TypedChoiceField(
        label=_("Amount"), coerce=int, widget=GroupRadioSelect, required=False, empty_value=None
    )
    custom_amount = forms.IntegerField(
        label=_("Other amount"),
        required=False,
        widget=forms.NumberInput(
            attrs={"inputmode": "numeric", "autocomplete": "transaction-amount", "step": "1"}
        ),
    )
    programme = forms.ModelChoiceField(
        label=_("What your gift supports"),
        queryset=Programme.objects.none(),
        required=False,
        blank=True,  # "where most needed" is a radio of its own
        empty_label=MOST_NEEDED,
        widget=GroupRadioSelect,
    )
    family_name = forms.CharField(
        label=_("Family name"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    given_name = forms.CharField(
        label=_("Given name"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    # Required only for a name in Japanese script (members/names.py), checked in clean().
    family_name_kana = forms.CharField(label=_("Family name (kana)"), max_length=50, required=False)
    given_name_kana = forms.CharField(label=_("Given name (kana)"), max_length=50, required=False)
    email = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    message = forms.CharField(
        label=_("Message (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    show_name = forms.BooleanField(
        label=_("You may show my name on the supporters' wall"), required=False
    )
    show_amount = forms.BooleanField(
        label=_("You may also show the amount of my gift there"), required=False
    )
    privacy = forms.BooleanField(label=_("I agree to the privacy policy"))

    def __init__(self, *args, page, programmes: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.page = page
        presets = sorted(
            set(page.amounts(page.one_off_amounts) + page.amounts(page.monthly_amounts))
        )
        self.fields["amount"].choices = [(value, f"¥{value:,}") for value in presets]
        frequency = CheckoutRequest.Frequency
        # Monthly first: the gift that keeps a place open all year is the one we ask for.
        self.fields["frequency"].choices = (
            [
                (frequency.MONTHLY, frequency.MONTHLY.label),
                (frequency.ONE_OFF, frequency.ONE_OFF.label),
            ]
            if page.allow_monthly
            else [(frequency.ONE_OFF, frequency.ONE_OFF.label)]
        )
        if programmes:
            self.fields["programme"].queryset = Programme.objects.filter(active=True)
        else:  # a campaign's gift goes to the campaign
            del self.fields["programme"]

    def mark_errors(self) -> None:
        """After a failed validation: each field with an error says so to assistive
        technology and points at its message (the template gives it id `<id>_errors`)."""
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}_errors"

    @property
    def limits(self) -> str:
        """The smallest and largest gift, as the visitor reads them: ¥500〜¥1,000,000."""
        return f"¥{self.page.minimum_yen:,}〜¥{self.page.maximum_yen:,}"

    def clean_family_name_kana(self):
        return normalise_kana(self.cleaned_data["family_name_kana"])

    def clean_given_name_kana(self):
        return normalise_kana(self.cleaned_data["given_name_kana"])

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])

    def clean_family_name(self):
        return normalise_text(self.cleaned_data["family_name"])

    def clean_given_name(self):
        return normalise_text(self.cleaned_data["given_name"])

    def clean(self):
        cleaned = super().clean()
        for name in kana_missing(cleaned, fields=("family_name_kana", "given_name_kana")):
            if name not in self.errors:
                self.add_error(name, ValidationError(MSG_KANA_REQUIRED, code="required"))
        amount = cleaned.get("custom_amount") or cleaned.get("amount")
        if not amount:
            raise ValidationError({"amount": _("Choose an amount or enter another amount.")})
        if not self.page.minimum_yen <= amount <= self.page.maximum_yen:
            raise ValidationError(
                {
                    "custom_amount": _("Enter an amount from ¥%(min)s to ¥%(max)s.")
                    % {"min": f"{self.page.minimum_yen:,}", "max": f"{self.page.maximum_yen:,}"}
                }
            )
        cleaned["amount_yen"] = int(amount)
        return cleaned
