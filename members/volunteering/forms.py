"""Forms of the volunteer portal and the coordinators' screens."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.places.models import Place


class HoursReportForm(forms.Form):
    place = forms.ModelChoiceField(
        label=_("Place"), queryset=Place.objects.filter(is_active=True).select_related("district")
    )
    served_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    hours = forms.DecimalField(
        label=_("Hours"), min_value=0.25, max_value=24, decimal_places=2, initial=2
    )
    note = forms.CharField(label=_("What you did"), max_length=200, required=False)

    def clean_served_on(self):
        served_on = self.cleaned_data["served_on"]
        if served_on > timezone.localdate():
            raise forms.ValidationError(_("Hours can only be reported for days that have passed."))
        if served_on < timezone.localdate() - datetime.timedelta(days=365):
            raise forms.ValidationError(_("Please report hours within a year."))
        return served_on
