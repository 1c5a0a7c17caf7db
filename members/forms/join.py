"""The join form (double opt-in) and the e-mail form that asks for a login or confirmation link."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ouendan.core.guard import honeypot_field

from ..models import (
    MembershipPlan,
    Supporter,
)
from .choices import ConsentFieldsMixin, VolunteerFieldsMixin, plan_label
from .details import REQUIRED_MESSAGE, AccessibleFormMixin, SupporterDetailsForm, _valid_email


class JoinForm(ConsentFieldsMixin, VolunteerFieldsMixin, SupporterDetailsForm):
    """Become a supporter, a volunteer or a corporate supporter (double opt-in)."""

    PERSON = "person"
    VOLUNTEER = "volunteer"
    ORGANISATION = "organisation"

    kind = forms.ChoiceField(
        label=_("I would like to join as"),
        choices=[
            (PERSON, _("A supporter (individual)")),
            (VOLUNTEER, _("A volunteer")),
            (ORGANISATION, _("A corporate supporter (company or organisation)")),
        ],
        initial=PERSON,
        widget=forms.RadioSelect,
    )
    email = forms.CharField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("We send a link to this address to confirm it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    plan = forms.ModelChoiceField(
        label=_("Membership"),
        queryset=MembershipPlan.objects.none(),
        required=False,
        empty_label=_("No membership for now"),
        widget=forms.RadioSelect,
    )
    privacy_policy = forms.BooleanField(
        label=_("I have read and accept the privacy policy."),
        error_messages={"required": _("Please accept the privacy policy to join.")},
    )
    newsletter = forms.BooleanField(
        label=_("Send me the newsletter by e-mail."), required=False, initial=True
    )
    # Honeypot (ouendan.core.guard.HONEYPOT_FIELD): hidden by CSS; people leave it empty,
    # form-filling robots do not.
    homepage_url = honeypot_field()

    field_order = ["kind"]

    def __init__(self, *args, plans=None, **kwargs):
        super().__init__(*args, **kwargs)
        if plans is not None:
            self.fields["plan"].queryset = plans
        self.fields["plan"].label_from_instance = plan_label
        self.fields["email"].error_messages["required"] = REQUIRED_MESSAGE

    def selected_kind(self) -> str:
        if hasattr(self, "cleaned_data") and self.cleaned_data.get("kind"):
            return self.cleaned_data["kind"]
        value = (
            self.data.get(self.add_prefix("kind")) if self.is_bound else self.initial.get("kind")
        )
        return value if value in dict(self.fields["kind"].choices) else self.PERSON

    def supporter_kind(self) -> str:
        if self.selected_kind() == self.ORGANISATION:
            return Supporter.Kind.ORGANISATION
        return Supporter.Kind.PERSON

    def clean_email(self):
        return _valid_email(self.cleaned_data.get("email", ""))

    def clean(self):
        cleaned = super().clean()
        needs_phone = self.selected_kind() == self.VOLUNTEER and "phone" not in self.errors
        if needs_phone and not cleaned.get("phone"):
            self.add_error(
                "phone",
                ValidationError(
                    _("Volunteers need a phone number so we can reach them on the day."),
                    code="required",
                ),
            )
        plan = cleaned.get("plan")
        if plan is not None:
            wrong_audience = {
                Supporter.Kind.PERSON: MembershipPlan.Audience.ORGANISATION,
                Supporter.Kind.ORGANISATION: MembershipPlan.Audience.PERSON,
            }[self.supporter_kind()]
            if plan.audience == wrong_audience:
                self.add_error(
                    "plan",
                    ValidationError(
                        _("This membership is not available for the kind of supporter chosen."),
                        code="audience",
                    ),
                )
        return cleaned

    def supporter(self, *, language: str) -> Supporter:
        """The unsaved supporter for `supporter_register`."""
        return Supporter(
            kind=self.supporter_kind(),
            email=self.cleaned_data["email"],
            preferred_language=language if language in ("ja", "en") else "ja",
            **self.supporter_values(),
        )

    def volunteer(self) -> dict | None:
        return self.volunteer_values() if self.selected_kind() == self.VOLUNTEER else None


class EmailForm(AccessibleFormMixin, forms.Form):
    """Ask for a login link (or a new confirmation link)."""

    email = forms.CharField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_email(self):
        return _valid_email(self.cleaned_data.get("email", ""))
