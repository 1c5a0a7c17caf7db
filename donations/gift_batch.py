"""Batch entry of offline gifts (Money → Donations → Record a batch): a collection box counted,
or a bank statement typed in, many rows on one screen.

Steps: fill in the rows → check them (each row with its duplicate warning, the total) → record
them all in one transaction through donations.offline_gifts.donation_record_offline_batch, the
path a single offline gift takes too. An invalid row saves nothing and the input stays; a row
identical to a recorded gift, or to another row, needs "I know, record it anyway".
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
from .models import OFFLINE_METHODS, Donation
from .offline_gifts import DuplicateGift, OfflineGift, donation_record_offline_batch
from .selectors import offline_gift_duplicates, offline_gift_key

ROWS = 10  # empty rows on a new screen
MORE_ROWS = 5  # added by "More rows"
MAX_ROWS = 200


class GiftRowForm(forms.Form):
    supporter = forms.ModelChoiceField(
        label=_("donor"),
        queryset=Supporter.objects.exclude(status=Supporter.Status.ANONYMISED),
        widget=donor_chooser_viewset.widget_class,
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"] = gift_campaign_field()
        self.order_fields(["supporter", "amount_yen", "paid_on", "method", "campaign", "note"])
        self.duplicate_warning = ""

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
        return OfflineGift(
            supporter=data["supporter"],
            method=data["method"],
            amount_yen=data["amount_yen"],
            paid_at=paid_at,
            campaign_id=data["campaign"].pk if data["campaign"] else None,
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
                "supporter_id": gift.supporter.pk,
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
    if action == "more":
        formset = GiftRowFormSet(_more_rows(request.POST), prefix="gifts")
        return _render(request, "edit", formset, show_errors=False)
    formset = GiftRowFormSet(request.POST or None, prefix="gifts")
    if not action:
        return _render(request, "edit", formset, show_errors=False)
    if action == "edit":
        return _render(request, "edit", formset, show_errors=False)
    if not formset.is_valid():
        messages.error(request, _("Nothing was recorded: correct the rows marked below."))
        return _render(request, "edit", formset, show_errors=True)
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
        "formset": formset,
        "show_errors": show_errors,
        "rows": rows,
        "total_yen": sum(form.cleaned_data["amount_yen"] for _n, form in rows),
        "confirm": confirm,
        "duplicates": duplicates,
        "media": formset.media,
        "index_url": reverse("donation:index"),
    }
    return TemplateResponse(request, "donations/admin/gift_batch.html", context)
