"""The member portal's request to change or stop a monthly gift given without Stripe (bank
transfer, cash): those donors have no Stripe Customer Portal, so they ask staff instead."""

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from members.views import portal_page, portal_supporter, sub_url

from .models import MonthlyGiftRequest
from .selectors import offline_monthly_gifts_recent
from .services import monthly_gift_request_create


class MonthlyGiftRequestForm(forms.Form):
    action = forms.ChoiceField(
        label=_("What would you like to do?"),
        choices=MonthlyGiftRequest.Action.choices,
        widget=forms.RadioSelect,
    )
    amount_yen = forms.IntegerField(
        label=_("New monthly amount (yen, for a change of amount)"),
        required=False,
        min_value=100,
        max_value=1_000_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    message = forms.CharField(
        label=_("Message (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "monthly")
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        changing = cleaned.get("action") == MonthlyGiftRequest.Action.CHANGE_AMOUNT
        if changing and not cleaned.get("amount_yen") and "amount_yen" not in self.errors:
            self.add_error("amount_yen", _("Enter the new monthly amount."))
        return cleaned


@require_POST
def monthly_gift_request(request):
    """Record the request (donations.services.monthly_gift_request_create) and go back to the
    portal with a confirmation, or with the reason when something is missing."""
    portal = portal_page()
    if portal is None:
        return HttpResponseRedirect("/")
    portal_url = sub_url(request, portal, "portal")
    supporter = portal_supporter(request)
    if supporter is None or not offline_monthly_gifts_recent(supporter=supporter):
        return HttpResponseRedirect(portal_url)
    form = MonthlyGiftRequestForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return HttpResponseRedirect(portal_url + "#donations-heading")
    monthly_gift_request_create(
        supporter=supporter,
        action=form.cleaned_data["action"],
        amount_yen=form.cleaned_data.get("amount_yen"),
        message=form.cleaned_data.get("message") or "",
    )
    messages.success(
        request,
        _("Thank you. We have received your request and will contact you by e-mail soon."),
    )
    return HttpResponseRedirect(portal_url + "#donations-heading")
