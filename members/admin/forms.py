"""The staff edit form for supporters: contact data normalised as the join form and imports do."""

import contextlib

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.models import WagtailAdminModelForm

from .. import normalise
from ..addresses import address_form_clean
from ..models import (
    Supporter,
)
from ..selectors import supporter_find_duplicate


class SupporterAdminForm(WagtailAdminModelForm):
    """Normalises contact data as the join form and imports do (members/normalise.py)."""

    # Normalised before field validation: "〒１２３ー４５６７" is too long for the field as typed.
    _PRE_NORMALISE = {
        "email": normalise.normalise_email,
        "postal_code": normalise.normalise_postal_code,
        "phone": normalise.normalise_phone,
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.data = self.data.copy()
            for field, normaliser in self._PRE_NORMALISE.items():
                name = self.add_prefix(field)
                if self.data.get(name):
                    # A value that cannot be normalised is reported by clean_<field>.
                    with contextlib.suppress(ValidationError):
                        self.data[name] = normaliser(self.data[name])

    def clean_email(self):
        email = normalise.normalise_email(self.cleaned_data.get("email", ""))
        if email and supporter_find_duplicate(email=email, exclude_pk=self.instance.pk):
            raise ValidationError(_("Another supporter already has this e-mail address."))
        return email

    def clean_phone(self):
        return normalise.normalise_phone(self.cleaned_data.get("phone", ""))

    def clean_postal_code(self):
        return normalise.normalise_postal_code(self.cleaned_data.get("postal_code", ""))

    def _clean_kana(self, field):
        return normalise.normalise_kana(self.cleaned_data.get(field, ""))

    def clean_family_name_kana(self):
        return self._clean_kana("family_name_kana")

    def clean_given_name_kana(self):
        return self._clean_kana("given_name_kana")

    def clean_organisation_name_kana(self):
        return self._clean_kana("organisation_name_kana")

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == Supporter.Kind.PERSON and not cleaned.get("family_name"):
            self.add_error("family_name", _("Enter the family name."))
        if kind == Supporter.Kind.ORGANISATION and not cleaned.get("organisation_name"):
            self.add_error("organisation_name", _("Enter the organisation name."))
        # Staff paste whole addresses too: the same split as the join form and the import.
        address_form_clean(cleaned, self.errors)
        return cleaned
