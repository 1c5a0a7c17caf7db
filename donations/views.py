import logging

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from wagtail.models import Page

from members.models import ConsentRecord
from members.services import consent_record

from .forms import DonateForm
from .models import CheckoutRequest
from .services import (
    CheckoutUnavailable,
    WebhookRejected,
    billing_portal_session_create,
    checkout_session_create,
    donor_find_or_create,
    stripe_event_receive,
)
from .stripe_api import stripe_configured

logger = logging.getLogger(__name__)


@csrf_exempt  # Stripe cannot send a CSRF token; the signature on the raw body authenticates it
@require_POST
def stripe_webhook(request):
    """Verify, store once, answer fast. Processing happens in a huey task."""
    try:
        event, created = stripe_event_receive(
            payload=request.body, signature=request.headers.get("Stripe-Signature")
        )
    except WebhookRejected as exc:
        logger.warning("Rejected Stripe webhook: %s", exc)
        return HttpResponseBadRequest("invalid webhook")
    return HttpResponse("stored" if created else "duplicate", content_type="text/plain")


def _campaign_id(request) -> int | None:
    raw = request.POST.get("campaign") or request.GET.get("campaign") or ""
    if raw.isdigit() and Page.objects.live().filter(pk=int(raw)).exists():
        return int(raw)
    return None


def donate_form(request, page):
    """The donate page's form: validate, record the donor, then hand over to Stripe Checkout."""
    campaign_id = _campaign_id(request)
    initial = {
        "frequency": request.GET.get("frequency", CheckoutRequest.Frequency.ONE_OFF),
        "amount": request.GET.get("amount", ""),
    }
    form = DonateForm(request.POST or None, page=page, initial=initial)
    context = {
        "page": page,
        "form": form,
        "campaign_id": campaign_id,
        "payments_ready": stripe_configured(),
    }
    if request.method != "POST" or not form.is_valid():
        return render(request, "donations/donate_page.html", context)
    if not stripe_configured():
        form.add_error(None, _("Online payments are not set up yet. Please try again later."))
        return render(request, "donations/donate_page.html", context)

    data = form.cleaned_data
    with transaction.atomic():
        supporter = donor_find_or_create(
            email=data["email"],
            family_name=data["family_name"],
            given_name=data["given_name"],
            family_name_kana=data["family_name_kana"],
            given_name_kana=data["given_name_kana"],
        )
        for kind, granted in (
            (ConsentRecord.Kind.PRIVACY_POLICY, True),
            (ConsentRecord.Kind.SUPPORTERS_WALL, data["show_name"]),
        ):
            consent_record(
                supporter=supporter,
                kind=kind,
                granted=granted,
                source=ConsentRecord.Source.JOIN_FORM,
            )
        checkout = CheckoutRequest.objects.create(
            frequency=data["frequency"],
            amount_yen=data["amount_yen"],
            supporter=supporter,
            campaign_id=campaign_id,
            message=data["message"],
            show_name=data["show_name"],
        )
    base = page.get_full_url(request)
    try:
        url = checkout_session_create(
            checkout=checkout,
            success_url=base + page.reverse_subpage("thanks"),
            cancel_url=base + page.reverse_subpage("cancelled"),
            locale=get_language(),
        )
    except CheckoutUnavailable:
        messages.error(request, _("We could not start the payment. Nothing was charged."))
        return render(request, "donations/donate_page.html", context)
    return HttpResponseRedirect(url, status=303)


@require_POST
def billing_portal(request):
    """Send a logged-in donor to Stripe's Customer Portal for their monthly gift."""
    from members.views import portal_page, portal_supporter, sub_url

    portal = portal_page()
    supporter = portal_supporter(request)
    if portal is None:
        return HttpResponseRedirect("/")
    portal_url = sub_url(request, portal, "portal")
    if supporter is None:
        return HttpResponseRedirect(portal_url)
    try:
        url = billing_portal_session_create(
            supporter=supporter,
            return_url=request.build_absolute_uri(portal_url),
            locale=get_language(),
        )
    except CheckoutUnavailable:
        messages.error(request, _("Managing monthly gifts online is not available right now."))
        return HttpResponseRedirect(portal_url)
    return HttpResponseRedirect(url, status=303)
