"""Forms of the receipt tools: a reason to void or correct, a donor and year to issue for, a
year to run as a batch."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from donations.gift_forms import donor_chooser_viewset
from members.models import Supporter


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_("Kept in the receipt's log. The donor does not see it."),
    )


def receipt_default_year() -> int:
    today = timezone.localdate()
    return today.year - 1 if today.month <= 3 else today.year


class IssueForm(forms.Form):
    supporter = forms.ModelChoiceField(
        label=_("donor"),
        queryset=Supporter.objects.exclude(status=Supporter.Status.ANONYMISED),
        widget=donor_chooser_viewset.widget_class,
    )
    year = forms.IntegerField(label=_("year"), min_value=2000)

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("Choose a year that has started."))
        return year


UNFINISHED_YEAR_LABEL = _(
    "Issue anyway: the year has not ended yet, so the certificates are provisional (暫定) and "
    "miss the gifts still to come"
)


class BatchForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000)
    confirm_unfinished_year = forms.BooleanField(
        label=UNFINISHED_YEAR_LABEL,
        required=False,
        help_text=_("Only needed for the current year. Leave it unticked to be stopped."),
    )
