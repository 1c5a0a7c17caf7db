from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from members.names import MSG_KANA_REQUIRED, kana_missing
from members.normalise import normalise_email, normalise_kana, normalise_text

from .models import CheckoutRequest


class DonateForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=CheckoutRequest.Frequency.choices,
        widget=forms.RadioSelect,
        initial=CheckoutRequest.Frequency.ONE_OFF,
    )
    amount = forms.TypedChoiceField(
        label=_("Amount"), coerce=int, widget=forms.RadioSelect, required=False, empty_value=None
    )
    custom_amount = forms.IntegerField(label=_("Other amount (yen)"), required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=50)
    given_name = forms.CharField(label=_("Given name"), max_length=50)
    # Required only for a name in Japanese script (members/names.py), checked in clean().
    family_name_kana = forms.CharField(label=_("Family name (kana)"), max_length=50, required=False)
    given_name_kana = forms.CharField(label=_("Given name (kana)"), max_length=50, required=False)
    email = forms.EmailField(label=_("E-mail"))
    message = forms.CharField(
        label=_("Message (optional)"), required=False, max_length=500, widget=forms.Textarea
    )
    show_name = forms.BooleanField(
        label=_("You may show my name on the supporters' wall"), required=False
    )
    show_amount = forms.BooleanField(
        label=_("You may also show the amount of my gift there"), required=False
    )
    privacy = forms.BooleanField(label=_("I agree to the privacy policy"))

    def __init__(self, *args, page, **kwargs):
        super().__init__(*args, **kwargs)
        self.page = page
        presets = sorted(
            set(page.amounts(page.one_off_amounts) + page.amounts(page.monthly_amounts))
        )
        self.fields["amount"].choices = [(value, f"¥{value:,}") for value in presets]
        if not page.allow_monthly:
            self.fields["frequency"].choices = [
                (CheckoutRequest.Frequency.ONE_OFF, CheckoutRequest.Frequency.ONE_OFF.label)
            ]

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
