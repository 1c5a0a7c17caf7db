"""Volunteering, membership and consent fields, asked on the join form and in the portal."""

from django import forms
from django.conf import settings
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from ..fields import VOLUNTEER_FIELDS
from ..models import (
    Area,
    ConsentRecord,
    Interest,
    MembershipPlan,
    Skill,
    VolunteerProfile,
)
from ..normalise import (
    normalise_phone,
)
from .details import _text


def availability_rows(bound_field) -> list[tuple[str, list]]:
    """The weekday × morning/afternoon/evening checkboxes as table rows:
    (weekday, [(checkbox, slot label), ...])."""
    boxes = {box.data["value"]: box for box in bound_field.subwidgets}
    return [
        (
            WEEKDAYS[index],
            [(boxes[f"{day}-{slot}"], label) for slot, label in VolunteerProfile.Slot.choices],
        )
        for index, day in enumerate(VolunteerProfile.WEEKDAYS)
    ]


class VolunteerFieldsMixin(forms.Form):
    skills = forms.ModelMultipleChoiceField(
        label=_("What I can do"),
        queryset=Skill.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    areas = forms.ModelMultipleChoiceField(
        label=_("Where I can help"),
        queryset=Area.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interests = forms.ModelMultipleChoiceField(
        label=_("Activities I would like to join"),
        queryset=Interest.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    availability = forms.MultipleChoiceField(
        label=_("When I am usually available"),
        choices=VolunteerProfile.slot_choices(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    emergency_contact_name = forms.CharField(
        label=_("Emergency contact: name"), max_length=100, required=False
    )
    emergency_contact_phone = forms.CharField(
        label=_("Emergency contact: phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )

    def clean_emergency_contact_name(self):
        return _text(self.cleaned_data.get("emergency_contact_name", ""))

    def clean_emergency_contact_phone(self):
        return normalise_phone(self.cleaned_data.get("emergency_contact_phone", ""))

    def availability_rows(self):
        return availability_rows(self["availability"])

    def slot_labels(self):
        return VolunteerProfile.Slot.labels

    def volunteer_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in VOLUNTEER_FIELDS}


def plan_label(plan: MembershipPlan) -> str:
    """The plan as the join form offers it, in the page's language (its English name on English
    pages); the brackets are part of the message, so Japanese gets full-width ones."""
    if plan.period == MembershipPlan.Period.NONE:
        return _("%(plan)s (no fee)") % {"plan": plan}
    return _("%(plan)s (¥%(amount)s / %(period)s)") % {
        "plan": plan,
        "amount": f"{plan.amount_yen:,}",
        "period": plan.get_period_display(),
    }


NEWSLETTER_TRACKING_NOTICE = _(
    "Our mail provider records whether each issue of the mail news is opened and which of its "
    "links are clicked, to count readers. Unsubscribe at any time with the link in every issue."
)


class ConsentFieldsMixin(forms.Form):
    """The optional consents, asked on the join form and changed in the portal."""

    newsletter = forms.BooleanField(label=_("Send me the newsletter by e-mail."), required=False)
    supporters_wall = forms.BooleanField(
        label=_("You may show my name on the supporters' wall."), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if settings.NEWSLETTER_TRACK_OPENS_CLICKS:
            # The privacy notice at the point of consent: open and click tracking is on.
            self.fields["newsletter"].help_text = NEWSLETTER_TRACKING_NOTICE

    def consents(self) -> dict[str, bool]:
        return {
            ConsentRecord.Kind.NEWSLETTER: self.cleaned_data["newsletter"],
            ConsentRecord.Kind.SUPPORTERS_WALL: self.cleaned_data["supporters_wall"],
        }
