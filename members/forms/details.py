"""The supporter's name, organisation and contact fields, shared by the join form, the portal and
the pledge form. Every value is normalised in the clean methods (members/normalise.py)."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..addresses import address_form_clean
from ..fields import (
    SUPPORTER_CONTACT_FIELDS,
    SUPPORTER_ORGANISATION_FIELDS,
    SUPPORTER_PERSON_FIELDS,
)
from ..models import (
    Supporter,
)
from ..names import MSG_KANA_REQUIRED, kana_missing
from ..normalise import (
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

REQUIRED_MESSAGE = _("Please fill in this field.")
KANA_HELP = _("Needed only for a name written in kanji, hiragana or katakana.")


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
        label=_("Family name in kana"),
        max_length=50,
        required=False,
        help_text=KANA_HELP,
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
        label=_("Organisation name in kana"),
        max_length=120,
        required=False,
        help_text=KANA_HELP,
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
            required = ("organisation_name", "contact_person")
            kana = ("organisation_name_kana",)
            for name in SUPPORTER_PERSON_FIELDS:
                cleaned[name] = None if name == "birth_year" else ""
        else:
            required = ("family_name", "given_name")
            kana = ("family_name_kana", "given_name_kana")
            for name in SUPPORTER_ORGANISATION_FIELDS:
                cleaned[name] = ""
        for name in required:
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, ValidationError(REQUIRED_MESSAGE, code="required"))
        # Kana only for a name in Japanese script (members/names.py): "Nguyen Lan" needs none.
        for name in kana_missing(cleaned, fields=kana):
            if name not in self.errors:
                self.add_error(name, ValidationError(MSG_KANA_REQUIRED, code="required"))

        # Without JavaScript the server fills prefecture and city from the postal code; a whole
        # address typed as the street is split (members/addresses.py), so no part is kept twice.
        address_form_clean(cleaned, self.errors)
        return cleaned

    def supporter_values(self) -> dict:
        names = SUPPORTER_PERSON_FIELDS + SUPPORTER_ORGANISATION_FIELDS + SUPPORTER_CONTACT_FIELDS
        return {name: self.cleaned_data[name] for name in names}
