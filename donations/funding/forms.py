"""Forms of the funding screens: the dashboard's month range and grant income."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import GrantIncome
from .months import month_list

MAX_MONTHS = 60


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self):
        super().__init__(format="%Y-%m")


class DashboardRangeForm(forms.Form):
    start = forms.DateField(
        label=_("From month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=MonthInput(),
        error_messages={"invalid": _("Enter a month as YYYY-MM, for example 2026-04.")},
    )
    end = forms.DateField(
        label=_("To month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=MonthInput(),
        error_messages={"invalid": _("Enter a month as YYYY-MM, for example 2026-04.")},
    )
    year = forms.IntegerField(
        label=_("Lapsed donors for the year"), required=False, min_value=2000, max_value=2100
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise ValidationError(_("The range must end after it starts."))
            if len(month_list(start=start, end=end)) > MAX_MONTHS:
                raise ValidationError(
                    _("Choose at most %(months)s months."), params={"months": MAX_MONTHS}
                )
        return data


class GrantIncomeForm(forms.ModelForm):
    class Meta:
        model = GrantIncome
        fields = ["received_on", "amount_yen", "grantor", "note"]

    def clean_amount_yen(self):
        amount = self.cleaned_data["amount_yen"]
        if amount is None or amount <= 0:
            raise forms.ValidationError(_("Enter a whole number of yen above zero."))
        return amount

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise forms.ValidationError(_("Enter grant income once it has been received."))
        return received_on
