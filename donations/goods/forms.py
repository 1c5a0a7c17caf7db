"""Forms for in-kind pledges: the public pledge form (organisation + goods lines) and the staff
forms for state changes and deliveries. Every check is the service's own (rules.py),
run here first so each message appears by its field and nothing typed is lost."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.forms import (
    REQUIRED_MESSAGE,
    AccessibleFormMixin,
    SupporterDetailsForm,
    _valid_email,
)
from members.models import Supporter
from ouendan.core.guard import honeypot_field

from .models import Delivery, Pledge, PledgeLine, WishlistItem
from .rules import (
    MAX_LINES,
    MSG_NO_LINES,
    GoodsLine,
    delivery_errors,
    goods_line_errors,
    pledge_schedule_errors,
    quantity_parse,
)
from .vocabulary import GoodsCategory, GoodsUnit

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _add_errors(form: forms.Form, errors: dict) -> None:
    for name, problems in errors.items():
        target = name if name in form.fields else None
        for problem in problems:
            form.add_error(target, problem)


FILLED_FROM_WISHLIST = ("category", "description", "unit")


class GoodsLineForm(AccessibleFormMixin, forms.Form):
    """One kind of goods: what, how much (with its unit), its value and best-before date."""

    wishlist_item = forms.ModelChoiceField(
        label=_("From our wishlist (optional)"),
        queryset=WishlistItem.objects.none(),
        required=False,
        empty_label=_("Something else"),
    )
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *GoodsCategory.choices])
    description = forms.CharField(
        label=_("What are the goods?"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. rice 5 kg bags, notebooks")}),
    )
    quantity = forms.CharField(
        label=_("Quantity"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=[("", "—"), *GoodsUnit.choices])
    estimated_value_yen = forms.IntegerField(
        label=_("Estimated value (yen, optional)"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
    )
    best_before = forms.DateField(label=_("Best before (food)"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, wishlist=None, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.fields["wishlist_item"].queryset = (
            wishlist if wishlist is not None else WishlistItem.objects.filter(active=True)
        )
        for name in ("category", "description", "quantity", "unit"):
            self.fields[name].error_messages["required"] = REQUIRED_MESSAGE
        for name in FILLED_FROM_WISHLIST:
            # Filled in from the wishlist item when one is chosen (clean), else required there.
            self.fields[name].required = False

    def clean_quantity(self):
        return quantity_parse(self.cleaned_data["quantity"])

    def clean(self):
        cleaned = super().clean()
        item = cleaned.get("wishlist_item")
        fill = {"category": "category", "description": "name", "unit": "unit"}
        for name in FILLED_FROM_WISHLIST:
            if not cleaned.get(name) and name not in self.errors:
                if item is not None:
                    cleaned[name] = getattr(item, fill[name])  # 品名 need not be typed again
                else:
                    self.add_error(name, forms.ValidationError(REQUIRED_MESSAGE, "required"))
        if self.errors:
            return cleaned
        line = self.goods_line()
        errors = goods_line_errors(
            line=line, wishlist={item.pk: item} if item else {}, today=self.today
        )
        _add_errors(self, errors)
        return cleaned

    def goods_line(self) -> GoodsLine:
        data = self.cleaned_data
        item = data.get("wishlist_item")
        return GoodsLine(
            category=data["category"],
            description=data["description"],
            quantity=data["quantity"],
            unit=data["unit"],
            estimated_value_yen=data.get("estimated_value_yen") or 0,
            best_before=data.get("best_before"),
            wishlist_item_id=item.pk if item else None,
        )


class BaseGoodsFormSet(forms.BaseFormSet):
    def __init__(self, *args, wishlist=None, **kwargs):
        self.wishlist = wishlist
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "wishlist": self.wishlist}

    def clean(self):
        if any(self.errors):
            return
        if not self.goods_lines():
            raise ValidationError(MSG_NO_LINES, code="required")

    def goods_lines(self) -> list[GoodsLine]:
        return [
            form.goods_line()
            for form in self.forms
            if form.has_changed() and not self._should_delete_form(form) and form.cleaned_data
        ]


GoodsLineFormSet = forms.formset_factory(
    GoodsLineForm,
    formset=BaseGoodsFormSet,
    extra=1,  # one row to start; "More lines" adds one (in place where JavaScript runs)
    max_num=MAX_LINES,
    validate_max=True,
    absolute_max=MAX_LINES,
)


class PledgeForm(SupporterDetailsForm):
    """Who pledges (organisation or person, with the join form's fields and normalisation),
    how often and how the goods reach us."""

    ORGANISATION = "organisation"
    PERSON = "person"

    kind = forms.ChoiceField(
        label=_("We are"),
        choices=[(ORGANISATION, _("A company or organisation")), (PERSON, _("An individual"))],
        initial=ORGANISATION,
        widget=forms.RadioSelect,
    )
    email = forms.CharField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("We write to this address about your pledge."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    recurrence = forms.ChoiceField(
        label=_("How often"),
        choices=Pledge.Recurrence.choices,
        initial=Pledge.Recurrence.ONCE,
        widget=forms.RadioSelect,
    )
    first_delivery_on = forms.DateField(
        label=_("Preferred date of the (first) delivery (optional)"),
        required=False,
        widget=DATE_WIDGET,
    )
    recurrence_until = forms.DateField(
        label=_("Repeat until"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("For monthly or quarterly pledges."),
    )
    delivery_method = forms.ChoiceField(
        label=_("How the goods reach us"),
        choices=Pledge.DeliveryMethod.choices,
        initial=Pledge.DeliveryMethod.DROP_OFF,
        widget=forms.RadioSelect,
    )
    pickup_address = forms.CharField(
        label=_("Pick-up address"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    pickup_window = forms.CharField(
        label=_("When can we pick up?"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. weekdays 10:00–16:00")}),
    )
    message = forms.CharField(
        label=_("Message (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    privacy_policy = forms.BooleanField(
        label=_("I have read and accept the privacy policy."),
        error_messages={"required": _("Please accept the privacy policy to send a pledge.")},
    )
    supporters_wall = forms.BooleanField(
        label=_("You may show our name (and logo) on the corporate supporters wall."),
        required=False,
    )
    homepage_url = honeypot_field()  # ouendan.core.guard.HONEYPOT_FIELD

    field_order = ["kind"]

    def __init__(self, *args, today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.fields["email"].error_messages["required"] = REQUIRED_MESSAGE
        for name in ("birth_year", "invoice_address"):
            del self.fields[name]

    def supporter_kind(self) -> str:
        value = (
            self.data.get(self.add_prefix("kind")) if self.is_bound else self.initial.get("kind")
        )
        if value == self.PERSON:
            return Supporter.Kind.PERSON
        return Supporter.Kind.ORGANISATION

    def clean_email(self):
        return _valid_email(self.cleaned_data.get("email", ""))

    def clean(self):
        cleaned = super().clean()
        cleaned["birth_year"] = None
        cleaned["invoice_address"] = ""
        errors = pledge_schedule_errors(
            recurrence=cleaned.get("recurrence") or Pledge.Recurrence.ONCE,
            first_delivery_on=cleaned.get("first_delivery_on"),
            recurrence_until=cleaned.get("recurrence_until"),
            delivery_method=cleaned.get("delivery_method") or "",
            pickup_address=cleaned.get("pickup_address") or "",
            pickup_window=cleaned.get("pickup_window") or "",
            today=self.today,
        )
        _add_errors(self, errors)
        return cleaned

    def supporter(self, *, language: str) -> Supporter:
        """The unsaved supporter for members.services.supporter_join."""
        return Supporter(
            kind=self.supporter_kind(),
            email=self.cleaned_data["email"],
            preferred_language=language if language in ("ja", "en") else "ja",
            **self.supporter_values(),
        )

    def contact_summary(self) -> str:
        """What the visitor typed about themselves, kept on the pledge for staff."""
        data = self.cleaned_data
        parts = [
            data.get("organisation_name"),
            data.get("department"),
            data.get("contact_person"),
            f"{data.get('family_name', '')} {data.get('given_name', '')}".strip(),
            data.get("email"),
            data.get("phone"),
            " ".join(
                filter(
                    None,
                    [
                        data.get("postal_code"),
                        data.get("prefecture"),
                        data.get("city"),
                        data.get("address_line"),
                        data.get("building"),
                    ],
                )
            ),
            f"supporters_wall={'yes' if data.get('supporters_wall') else 'no'}",
        ]
        return "\n".join(part for part in parts if part)


# --- Staff forms ---------------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the pledge."),
    )


class ScheduleForm(forms.Form):
    first_delivery_on = forms.DateField(label=_("Date of the (first) delivery"), widget=DATE_WIDGET)


class DeliveryForm(forms.Form):
    received_on = forms.DateField(label=_("Received on"), widget=DATE_WIDGET)
    received_by = forms.CharField(label=_("Received by"), max_length=100)
    condition = forms.ChoiceField(
        label=_("Condition"), choices=Delivery.Condition.choices, initial=Delivery.Condition.GOOD
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeliveryLineForm(forms.Form):
    """Received quantity of one pledged line (left empty: none of it came this time)."""

    pledge_line = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.CharField(label=_("Quantity received"), max_length=20, required=False)
    best_before = forms.DateField(label=_("Best before"), required=False, widget=DATE_WIDGET)

    def clean_quantity(self):
        raw = self.cleaned_data.get("quantity")
        return quantity_parse(raw) if raw not in (None, "") else None


DeliveryLineFormSet = forms.formset_factory(DeliveryLineForm, extra=0, max_num=MAX_LINES)


def delivery_forms_lines(
    *, pledge: Pledge, formset, pledge_lines: list[PledgeLine]
) -> list[GoodsLine]:
    """The goods lines of a valid delivery formset (rows left empty are skipped)."""
    by_pk = {line.pk: line for line in pledge_lines}
    lines = []
    for form in formset.forms:
        quantity = form.cleaned_data.get("quantity")
        pledged = by_pk.get(form.cleaned_data.get("pledge_line"))
        if quantity is None or pledged is None:
            continue
        lines.append(
            GoodsLine(
                category=pledged.category,
                description=pledged.description,
                quantity=quantity,
                unit=pledged.unit,
                estimated_value_yen=_prorated_value(pledged, quantity),
                best_before=form.cleaned_data.get("best_before") or pledged.best_before,
                wishlist_item_id=pledged.wishlist_item_id,
                pledge_line_id=pledged.pk,
            )
        )
    return lines


def _prorated_value(pledged: PledgeLine, quantity) -> int:
    """The pledged value estimate scaled to the quantity received (whole yen)."""
    if not pledged.estimated_value_yen or not pledged.quantity:
        return 0
    return int((pledged.estimated_value_yen * quantity / pledged.quantity).to_integral_value())


def delivery_form_errors(*, pledge: Pledge, form: DeliveryForm, formset, lines) -> bool:
    """Run the service's checks and place the messages; True when there were any."""
    errors, line_errors = delivery_errors(
        pledge=pledge,
        lines=lines,
        received_on=form.cleaned_data.get("received_on"),
        received_by=form.cleaned_data.get("received_by", ""),
    )
    _add_errors(form, errors)
    line_forms = [
        f
        for f in formset.forms
        if f.cleaned_data.get("quantity") is not None and f.cleaned_data.get("pledge_line")
    ]
    for line_form, problems in zip(line_forms, line_errors, strict=False):
        for name, messages in problems.items():
            target = name if name in line_form.fields else "quantity"
            for message in messages:
                line_form.add_error(target, message)
    return bool(errors) or any(line_errors)
