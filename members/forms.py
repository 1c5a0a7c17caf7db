"""Public forms: the join form and the member portal's edit forms.

Every value is normalised in the clean methods (members/normalise.py) so the services receive
what staff would have typed: full-width katakana, half-width digits, 123-4567, 090-1234-5678.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from .addresses import address_form_clean
from .models import (
    Area,
    ConsentRecord,
    Interest,
    MembershipPlan,
    Skill,
    Supporter,
    VolunteerProfile,
)
from .normalise import (
    normalise_email,
    normalise_kana,
    normalise_phone,
    normalise_postal_code,
    normalise_text,
    to_halfwidth,
)

PREFECTURES = [
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県",
    "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県",
    "山梨県", "長野県", "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府",
    "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県",
    "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県",
    "鹿児島県", "沖縄県",
]  # fmt: skip

PERSON_FIELDS = ("family_name", "given_name", "family_name_kana", "given_name_kana", "birth_year")
ORGANISATION_FIELDS = (
    "organisation_name",
    "organisation_name_kana",
    "department",
    "contact_person",
    "invoice_address",
)
ADDRESS_FIELDS = ("phone", "postal_code", "prefecture", "city", "address_line", "building")
VOLUNTEER_FIELDS = (
    "skills",
    "areas",
    "interests",
    "availability",
    "emergency_contact_name",
    "emergency_contact_phone",
)
REQUIRED_MESSAGE = _("Please fill in this field.")


def _valid_email(value: str) -> str:
    """Normalise (full-width, case) and validate, with a message that shows the expected shape."""
    email = normalise_email(value)
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            _("Enter a valid e-mail address, like name@example.jp."), code="invalid"
        ) from None
    return email


class AccessibleFormMixin:
    """Links every input to its help text and error message (aria-describedby, aria-invalid)."""

    def _describe(self) -> None:
        for name, field in self.fields.items():
            bound = self[name]
            ids = []
            if field.help_text:
                ids.append(f"{bound.auto_id}_help")
            if name in self.errors:
                ids.append(f"{bound.auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    def full_clean(self):
        super().full_clean()
        self._describe()


def _text(value: str) -> str:
    return to_halfwidth(normalise_text(value))


class SupporterDetailsForm(AccessibleFormMixin, forms.Form):
    """Name, organisation and contact fields shared by the join form and the portal."""

    family_name = forms.CharField(label=_("Family name"), max_length=50, required=False)
    given_name = forms.CharField(label=_("Given name"), max_length=50, required=False)
    family_name_kana = forms.CharField(
        label=_("Family name in kana"), max_length=50, required=False
    )
    given_name_kana = forms.CharField(label=_("Given name in kana"), max_length=50, required=False)
    birth_year = forms.IntegerField(
        label=_("Year of birth (optional)"),
        required=False,
        min_value=1900,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "bday-year"}),
    )

    organisation_name = forms.CharField(
        label=_("Organisation name"), max_length=120, required=False
    )
    organisation_name_kana = forms.CharField(
        label=_("Organisation name in kana"), max_length=120, required=False
    )
    department = forms.CharField(label=_("Department (optional)"), max_length=100, required=False)
    contact_person = forms.CharField(label=_("Contact person"), max_length=100, required=False)
    invoice_address = forms.CharField(
        label=_("Invoice address (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only if invoices should go to a different address."),
    )

    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=10,
        required=False,
        help_text=_("Seven digits, like 123-4567. The address is filled in for you."),
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "inputmode": "numeric", "data-postal-code": ""}
        ),
    )
    prefecture = forms.ChoiceField(
        label=_("Prefecture"),
        required=False,
        choices=[("", "—")] + [(name, name) for name in PREFECTURES],
        widget=forms.Select(attrs={"autocomplete": "address-level1"}),
    )
    city = forms.CharField(
        label=_("City, ward, town or village"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    address_line = forms.CharField(
        label=_("Town and street number"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    building = forms.CharField(
        label=_("Building and room (optional)"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["birth_year"].max_value = timezone.localdate().year
        self.fields["birth_year"].widget.attrs["max"] = timezone.localdate().year
        for name, autocomplete in (
            ("family_name", "family-name"),
            ("given_name", "given-name"),
            ("organisation_name", "organization"),
        ):
            self.fields[name].widget.attrs["autocomplete"] = autocomplete

    # The kind decides which names count; subclasses say where it comes from.
    def supporter_kind(self) -> str:
        raise NotImplementedError

    def is_organisation(self) -> bool:
        return self.supporter_kind() == Supporter.Kind.ORGANISATION

    def _kana(self, name: str, *, organisation: bool) -> str:
        if self.is_organisation() != organisation:
            return ""  # a hidden section of the form: ignored
        return normalise_kana(self.cleaned_data.get(name, ""))

    def clean_family_name_kana(self):
        return self._kana("family_name_kana", organisation=False)

    def clean_given_name_kana(self):
        return self._kana("given_name_kana", organisation=False)

    def clean_organisation_name_kana(self):
        return self._kana("organisation_name_kana", organisation=True)

    def clean_phone(self):
        return normalise_phone(self.cleaned_data.get("phone", ""))

    def clean_postal_code(self):
        return normalise_postal_code(self.cleaned_data.get("postal_code", ""))

    def clean(self):
        cleaned = super().clean()
        for name in (
            "family_name",
            "given_name",
            "organisation_name",
            "department",
            "contact_person",
            "city",
            "address_line",
            "building",
        ):
            if isinstance(cleaned.get(name), str):
                cleaned[name] = _text(cleaned[name])
        if isinstance(cleaned.get("invoice_address"), str):
            cleaned["invoice_address"] = "\n".join(
                _text(line) for line in cleaned["invoice_address"].splitlines() if line.strip()
            )

        # The section that does not apply is emptied, so nothing typed there is stored.
        if self.is_organisation():
            required = ("organisation_name", "organisation_name_kana", "contact_person")
            for name in PERSON_FIELDS:
                cleaned[name] = None if name == "birth_year" else ""
        else:
            required = ("family_name", "given_name", "family_name_kana", "given_name_kana")
            for name in ORGANISATION_FIELDS:
                cleaned[name] = ""
        for name in required:
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, ValidationError(REQUIRED_MESSAGE, code="required"))

        # Without JavaScript the server fills prefecture and city from the postal code; a whole
        # address typed as the street is split (members/addresses.py), so no part is kept twice.
        address_form_clean(cleaned, self.errors)
        return cleaned

    def supporter_values(self) -> dict:
        names = PERSON_FIELDS + ORGANISATION_FIELDS + ADDRESS_FIELDS
        return {name: self.cleaned_data[name] for name in names}


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
    if plan.period == MembershipPlan.Period.NONE:
        return f"{plan.name} ({_('no fee')})"
    return f"{plan.name} (¥{plan.amount_yen:,} / {plan.get_period_display()})"


class ConsentFieldsMixin(forms.Form):
    """The optional consents, asked on the join form and changed in the portal."""

    newsletter = forms.BooleanField(label=_("Send me the newsletter by e-mail."), required=False)
    supporters_wall = forms.BooleanField(
        label=_("You may show my name on the supporters' wall."), required=False
    )

    def consents(self) -> dict[str, bool]:
        return {
            ConsentRecord.Kind.NEWSLETTER: self.cleaned_data["newsletter"],
            ConsentRecord.Kind.SUPPORTERS_WALL: self.cleaned_data["supporters_wall"],
        }


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
    # Honeypot: hidden by CSS; people leave it empty, form-filling robots do not.
    homepage_url = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

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

    def is_spam(self) -> bool:
        """The honeypot was filled in: pretend success and store nothing."""
        return bool(self.data.get(self.add_prefix("homepage_url"), "").strip())

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


class ProfileForm(SupporterDetailsForm):
    """The portal's "edit my details". The e-mail address is changed by staff on request."""

    preferred_language = forms.ChoiceField(
        label=_("Language for our e-mails"),
        choices=Supporter._meta.get_field("preferred_language").choices,
    )

    def __init__(self, *args, supporter: Supporter, **kwargs):
        self.instance = supporter
        names = PERSON_FIELDS + ORGANISATION_FIELDS + ADDRESS_FIELDS + ("preferred_language",)
        kwargs.setdefault("initial", {name: getattr(supporter, name) for name in names})
        super().__init__(*args, **kwargs)
        hidden = PERSON_FIELDS if self.is_organisation() else ORGANISATION_FIELDS
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
