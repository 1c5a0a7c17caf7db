"""The member portal's edit forms: details, volunteering, consents and the deletion request."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..fields import (
    PORTAL_PROFILE_FIELDS,
    SUPPORTER_ORGANISATION_FIELDS,
    SUPPORTER_PERSON_FIELDS,
)
from ..models import (
    Supporter,
    VolunteerProfile,
)
from ..normalise import (
    normalise_kana,
)
from .choices import ConsentFieldsMixin, VolunteerFieldsMixin
from .details import AccessibleFormMixin, SupporterDetailsForm


class ProfileForm(SupporterDetailsForm):
    """The portal's "edit my details". The e-mail address is changed by staff on request."""

    preferred_language = forms.ChoiceField(
        label=_("Language for our e-mails"),
        choices=Supporter._meta.get_field("preferred_language").choices,
    )

    def __init__(self, *args, supporter: Supporter, **kwargs):
        self.instance = supporter
        names = PORTAL_PROFILE_FIELDS
        kwargs.setdefault("initial", {name: getattr(supporter, name) for name in names})
        super().__init__(*args, **kwargs)
        hidden = (
            SUPPORTER_PERSON_FIELDS if self.is_organisation() else SUPPORTER_ORGANISATION_FIELDS
        )
        for name in hidden:
            del self.fields[name]

    def supporter_kind(self) -> str:
        return self.instance.kind

    def _kana(self, name: str, *, organisation: bool) -> str:
        return normalise_kana(self.cleaned_data.get(name, ""))

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class VolunteerForm(AccessibleFormMixin, VolunteerFieldsMixin):
    def __init__(self, *args, profile: VolunteerProfile | None = None, **kwargs):
        if profile is not None:
            kwargs.setdefault(
                "initial",
                {
                    "skills": list(profile.skills.all()),
                    "areas": list(profile.areas.all()),
                    "interests": list(profile.interests.all()),
                    "availability": profile.availability,
                    "emergency_contact_name": profile.emergency_contact_name,
                    "emergency_contact_phone": profile.emergency_contact_phone,
                },
            )
        super().__init__(*args, **kwargs)


class ConsentForm(AccessibleFormMixin, ConsentFieldsMixin):
    pass


class DeletionForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why are you leaving? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("It helps us improve. You may leave it empty."),
    )
