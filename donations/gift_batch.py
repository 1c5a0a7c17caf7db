"""Batch entry of offline gifts (Money → Donations → Record a batch): a collection box counted,
or a bank statement typed in, many rows on one screen.

Steps: fill in the rows → check them (each row with its duplicate warning, the total) → record
them all in one transaction through donations.offline_gifts.donation_record_offline_batch, the
path a single offline gift takes too. An invalid row saves nothing and the input stays; a row
identical to a recorded gift, or to another row, needs "I know, record it anyway" (one tick for
the whole batch).

A row is either a donor's gift or anonymous (a collection box, 募金箱: no donor, so nobody is
thanked or receipted). The batch names a programme every row goes to unless the row names
another (or "where most needed").
"""

import datetime

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin import messages
from wagtail.permissions import policy_registry

from members.models import Supporter

from .gift_forms import donor_chooser_viewset, duplicate_gift_message, gift_campaign_field
from .models import ANONYMOUS_DONOR, MOST_NEEDED, OFFLINE_METHODS, Donation, Programme
from .offline_gifts import DuplicateGift, OfflineGift, donation_record_offline_batch
from .selectors import offline_gift_duplicates, offline_gift_key

ROWS = 10  # empty rows on a new screen
MORE_ROWS = 5  # added by "More rows"
MAX_ROWS = 200
AS_THE_BATCH = ""  # a row's programme: the batch's
NO_PROGRAMME = "none"  # a row's programme: where most needed, whatever the batch's


def _active_programmes():
    return Programme.objects.filter(active=True)


class BatchForm(forms.Form):
    """What applies to every row: the programme the gifts go to."""

    programme = forms.ModelChoiceField(
        label=_("programme of the batch"),
        queryset=_active_programmes(),
        required=False,
        empty_label=MOST_NEEDED,
        help_text=_("Every row goes to this programme unless the row names another."),
    )


class GiftRowForm(forms.Form):
    supporter = forms.ModelChoiceField(
        label=_("donor"),
        queryset=Supporter.objects.exclude(status=Supporter.Status.ANONYMISED),
        widget=donor_chooser_viewset.widget_class,
        required=False,  # an anonymous row has none
    )
    anonymous = forms.BooleanField(
        label=_("anonymous (no donor)"),
        required=False,
        help_text=_("A collection box: nobody is thanked or receipted."),
    )
    amount_yen = forms.IntegerField(
        label=_("amount (yen)"),
        min_value=1,
        widget=forms.NumberInput(
            attrs={"style": "text-align: right; width: 8em", "inputmode": "numeric"}
        ),
    )
    paid_on = forms.DateField(
        label=_("date paid"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    method = forms.ChoiceField(
        label=_("method"),
        choices=[(m.value, m.label) for m in OFFLINE_METHODS],
        initial=Donation.Method.BANK_TRANSFER,
    )
    note = forms.CharField(label=_("staff note"), required=False, max_length=500)

    def __init__(self, *args, programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"] = gift_campaign_field()
        self.fields["programme"] = forms.ChoiceField(
            label=_("programme"),
            required=False,
            choices=[
                (AS_THE_BATCH, _("(as the batch)")),
                (NO_PROGRAMME, MOST_NEEDED),
                *[(str(programme.pk), programme.name) for programme in programmes],
            ],
        )
        self.programmes = {str(programme.pk): programme for programme in programmes}
        self.batch_programme = None  # set by the view once the batch form is valid
        self.order_fields(
            [
                "supporter",
                "anonymous",
                "amount_yen",
                "paid_on",
                "method",
                "campaign",
                "programme",
                "note",
            ]
        )
        self.duplicate_warning = ""

    def clean(self):
        cleaned = super().clean()
        if self.errors.get("supporter"):
            return cleaned
        if cleaned.get("anonymous") and cleaned.get("supporter"):
            self.add_error("anonymous", _("Choose a donor or tick “anonymous”, not both."))
        elif not cleaned.get("anonymous") and not cleaned.get("supporter"):
            self.add_error(
                "supporter", _("Choose the donor, or tick “anonymous” for a collection box.")
            )
        return cleaned

    def effective_programme(self) -> Programme | None:
        """The row's programme: its own choice, else the batch's."""
        choice = self.cleaned_data.get("programme", AS_THE_BATCH)
        if choice == NO_PROGRAMME:
            return None
        if choice in self.programmes:
            return self.programmes[choice]
        return self.batch_programme

    def donor_label(self) -> str:
        return str(self.cleaned_data.get("supporter") or ANONYMOUS_DONOR)

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise forms.ValidationError(_("A gift cannot be paid in the future."))
        return paid_on

    def gift(self) -> OfflineGift:
        data = self.cleaned_data
        paid_at = datetime.datetime.combine(
            data["paid_on"], datetime.time.min, tzinfo=timezone.get_default_timezone()
        )
        programme = self.effective_programme()
        return OfflineGift(
            supporter=None if data["anonymous"] else data["supporter"],
            method=data["method"],
            amount_yen=data["amount_yen"],
            paid_at=paid_at,
            campaign_id=data["campaign"].pk if data["campaign"] else None,
            programme_id=programme.pk if programme else None,
            note=data["note"],
        )


class BaseGiftRowFormSet(forms.BaseFormSet):
    def filled(self) -> list[GiftRowForm]:
        """The rows staff filled in (untouched empty rows are skipped)."""
        return [form for form in self.forms if form.has_changed()]

    def clean(self):
        if any(self.errors):
            return
        if not self.filled():
            raise forms.ValidationError(_("Fill in at least one gift."))

    def flag_duplicates(self) -> int:
        """Mark rows identical to a recorded gift or to an earlier row; returns how many.
        The same rule as the single gift form (donations.selectors)."""
        seen: dict[tuple, int] = {}
        flagged = 0
        for number, form in enumerate(self.forms, start=1):
            if not form.has_changed():
                continue
            gift = form.gift()
            fields = {
                "supporter_id": gift.supporter.pk if gift.supporter else None,
                "amount_yen": gift.amount_yen,
                "paid_at": gift.paid_at,
                "campaign_id": gift.campaign_id,
            }
            key = offline_gift_key(**fields)
            recorded = list(offline_gift_duplicates(**fields).select_related("supporter")[:5])
            if recorded:
                form.duplicate_warning = duplicate_gift_message(recorded)
            elif key in seen:
                form.duplicate_warning = _(
                    "The same gift as row %(row)s (donor, amount, date and campaign)."
                ) % {"row": seen[key]}
            seen.setdefault(key, number)
            flagged += bool(form.duplicate_warning)
        return flagged


GiftRowFormSet = forms.formset_factory(
    GiftRowForm,
    formset=BaseGiftRowFormSet,
    extra=ROWS,
    max_num=MAX_ROWS,
    absolute_max=MAX_ROWS,
    validate_max=True,
)


class ConfirmForm(forms.Form):
    confirm_duplicates = forms.BooleanField(label=_("I know, record it anyway"), required=False)


def _more_rows(data) -> dict:
    data = data.copy()
    key = "gifts-TOTAL_FORMS"
    try:
        total = int(data.get(key, ROWS))
    except ValueError:
        total = ROWS
    data[key] = str(min(total + MORE_ROWS, MAX_ROWS))
    return data


def gift_batch_view(request):
    """Donation:batch. Needs the ledger's "add" permission, as recording one offline gift."""
    if not policy_registry.get_by_type(Donation).user_has_permission(request.user, "add"):
        raise PermissionDenied
    action = request.POST.get("action", "") if request.method == "POST" else ""
    programmes = list(_active_programmes())  # once for every row's choice
    batch = BatchForm(request.POST or None, prefix="batch")
    data = _more_rows(request.POST) if action == "more" else (request.POST or None)
    formset = GiftRowFormSet(data, prefix="gifts", form_kwargs={"programmes": programmes})
    formset.batch = batch
    if action in ("", "more", "edit"):
        return _render(request, "edit", formset, show_errors=False)
    if not (batch.is_valid() & formset.is_valid()):
        messages.error(request, _("Nothing was recorded: correct the rows marked below."))
        return _render(request, "edit", formset, show_errors=True)
    for form in formset.forms:
        form.batch_programme = batch.cleaned_data["programme"]
    duplicates = formset.flag_duplicates()
    confirm = ConfirmForm(request.POST if action == "record" else None)
    if action != "record":
        return _render(request, "confirm", formset, confirm=confirm, duplicates=duplicates)
    confirmed = confirm.is_valid() and confirm.cleaned_data["confirm_duplicates"]
    if duplicates and not confirmed:
        confirm.add_error(
            "confirm_duplicates",
            _("Some rows look recorded already: tick the box to record them anyway."),
        )
        return _render(request, "confirm", formset, confirm=confirm, duplicates=duplicates)
    gifts = [form.gift() for form in formset.filled()]
    try:
        recorded = donation_record_offline_batch(
            gifts=gifts, recorded_by=request.user, confirmed_duplicates=bool(confirmed)
        )
    except DuplicateGift:  # recorded by someone else meanwhile: show it
        duplicates = formset.flag_duplicates()
        return _render(request, "confirm", formset, confirm=ConfirmForm(), duplicates=duplicates)
    total = sum(gift.amount_yen for gift in recorded)
    messages.success(
        request,
        ngettext(
            "%(count)s gift recorded, ¥%(total)s in all.",
            "%(count)s gifts recorded, ¥%(total)s in all.",
            len(recorded),
        )
        % {"count": len(recorded), "total": f"{total:,}"},
    )
    return redirect(reverse("donation:index"))


def _render(request, step, formset, *, show_errors=True, confirm=None, duplicates=0):
    rows = []
    if step == "confirm":
        rows = [(n, form) for n, form in enumerate(formset.forms, 1) if form.has_changed()]
    context = {
        "step": step,
        "batch": formset.batch,
        "formset": formset,
        "show_errors": show_errors,
        "rows": rows,
        "total_yen": sum(form.cleaned_data["amount_yen"] for _n, form in rows),
        "confirm": confirm,
        "duplicates": duplicates,
        "media": formset.media,
        "index_url": reverse("donation:index"),
        "most_needed": MOST_NEEDED,
    }
    return TemplateResponse(request, "donations/admin/gift_batch.html", context)
