"""Creating and editing supporters and memberships in the admin, through the members services.

The Wagtail forms validate what was typed; saving goes through members.services, so the rules
of the public journeys apply to staff too (normalised contact data, one supporter per e-mail,
consents only changed by their owner, the membership state rules), and a rule the service refuses
shows on the form. Every save is in Wagtail's edit log, as a plain model form's would be.
"""

import contextlib

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.log_actions import log

from .. import normalise
from ..addresses import address_form_clean
from ..fields import MEMBERSHIP_STAFF_FIELDS, SUPPORTER_STAFF_FIELDS
from ..memberships import membership_create, membership_update
from ..models import Supporter
from ..names import MSG_KANA_REQUIRED, kana_missing
from ..selectors import supporter_find_duplicate
from ..supporters import MSG_DUPLICATE_EMAIL, supporter_create, supporter_update


class SupporterAdminForm(WagtailAdminModelForm):
    """Checks what staff typed; members.supporters normalises and stores it."""

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
                    # A value that cannot be normalised is reported by the service.
                    with contextlib.suppress(ValidationError):
                        self.data[name] = normaliser(self.data[name])

    def clean_email(self):
        # Checked here as well as in the service: the model's unique constraint would otherwise
        # report a duplicate first, as an error of the whole form rather than of this field.
        email = normalise.normalise_email(self.cleaned_data.get("email", ""))
        if email and supporter_find_duplicate(email=email, exclude_pk=self.instance.pk):
            raise ValidationError(MSG_DUPLICATE_EMAIL)
        return email

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == Supporter.Kind.PERSON and not cleaned.get("family_name"):
            self.add_error("family_name", _("Enter the family name."))
        if kind == Supporter.Kind.ORGANISATION and not cleaned.get("organisation_name"):
            self.add_error("organisation_name", _("Enter the organisation name."))
        # The public forms' rule (members/names.py): kana for a name in Japanese script only.
        kana = (
            ("organisation_name_kana",)
            if kind == Supporter.Kind.ORGANISATION
            else ("family_name_kana", "given_name_kana")
        )
        for name in kana_missing(cleaned, fields=kana):
            if name not in self.errors:
                self.add_error(name, MSG_KANA_REQUIRED)
        # Staff paste whole addresses too: the same split as the join form and the import.
        address_form_clean(cleaned, self.errors)
        return cleaned


class ServiceFormMixin:
    """A ValidationError from the service (raised inside Wagtail's transaction, so nothing is
    saved) is shown on the form instead of a server error."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            form.add_error(None, exc)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)

    def form_values(self, names) -> dict:
        return {name: self.form.cleaned_data[name] for name in names if name in self.form.fields}


class SupporterCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        supporter = supporter_create(
            values=self.form_values(SUPPORTER_STAFF_FIELDS), by=self.request.user
        )
        log(instance=supporter, action="wagtail.create", user=self.request.user)
        return supporter


class SupporterEditView(ServiceFormMixin, generic.EditView):
    def save_instance(self):
        supporter = supporter_update(
            # The form's instance already holds the typed values: the service starts from the row.
            supporter=Supporter.objects.get(pk=self.object.pk),
            changes=self.form_values(SUPPORTER_STAFF_FIELDS),
            by=self.request.user,
        )
        log(
            instance=supporter,
            action="wagtail.edit",
            user=self.request.user,
            content_changed=self.form.has_changed(),
        )
        return supporter


class MembershipCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        membership = membership_create(
            supporter=self.form.cleaned_data["supporter"],
            **self.form_values(MEMBERSHIP_STAFF_FIELDS),
            by=self.request.user,
        )
        log(instance=membership, action="wagtail.create", user=self.request.user)
        return membership


class MembershipEditView(ServiceFormMixin, generic.EditView):
    def save_instance(self):
        membership = membership_update(
            membership=self.object,
            changes=self.form_values(("supporter", *MEMBERSHIP_STAFF_FIELDS)),
            by=self.request.user,
        )
        log(
            instance=membership,
            action="wagtail.edit",
            user=self.request.user,
            content_changed=self.form.has_changed(),
        )
        return membership
