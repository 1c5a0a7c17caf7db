import logging

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from wagtail.models import Page

from members.models import AccessToken, Membership
from members.services import access_token_is_valid, access_token_redeem
from members.views import absolute_link, portal_page, portal_supporter, sub_url
from ouendan.core.guard import over_limit, too_many_requests
from ouendan.core.models import OrganisationSettings

from .checkout_donor import checkout_request_create
from .donate_page import amount_tiles, arriving_campaign, trust_panel
from .forms import DonateForm
from .models import CheckoutRequest
from .services import (
    CheckoutUnavailable,
    MembershipNotPayable,
    WebhookRejected,
    billing_portal_session_create,
    checkout_session_create,
    membership_checkout_create,
)
from .stripe_api import stripe_configured
from .stripe_inbox import stripe_event_receive

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
    """The donate page's form: validate, keep the donor's details and wishes on a
    CheckoutRequest, then hand over to Stripe Checkout.

    No supporter is created or changed here: anyone can type anyone's e-mail address. The paid
    event finds or creates the supporter and applies the wishes to that gift only.

    Without Stripe keys there is no form at all, only the bank account and a way to contact
    us: a form that can only fail would be a dead end."""
    campaign_id = _campaign_id(request)
    organisation = OrganisationSettings.for_request(request)
    context = {
        "page": page,
        "campaign_id": campaign_id,
        "campaign": arriving_campaign(campaign_id),
        "payments_ready": stripe_configured(),
        "organisation": organisation,
        "trust": trust_panel(page=page, organisation=organisation),
    }
    if not context["payments_ready"]:
        return render(request, "donations/donate_page.html", context)
    frequency = request.GET.get("frequency") or (
        CheckoutRequest.Frequency.MONTHLY
        if page.allow_monthly
        else CheckoutRequest.Frequency.ONE_OFF
    )
    tiles = amount_tiles(page)
    preselected = next((tile.value for tile in tiles if frequency in tile.defaults.split()), "")
    initial = {"frequency": frequency, "amount": request.GET.get("amount") or preselected}
    form = DonateForm(
        request.POST or None, page=page, initial=initial, programmes=context["campaign"] is None
    )
    context.update(form=form, tiles=tiles)
    if request.method != "POST":
        return render(request, "donations/donate_page.html", context)
    if not form.is_valid():
        form.mark_errors()
        return render(request, "donations/donate_page.html", context)
    data = form.cleaned_data
    if over_limit(request, group="donations:donate", email=data["email"]):
        # The form is shown again as typed, with the reason; nothing was sent to Stripe.
        context["rate_limited"] = True
        return too_many_requests(render(request, "donations/donate_page.html", context))

    checkout = checkout_request_create(
        frequency=data["frequency"],
        amount_yen=data["amount_yen"],
        email=data["email"],
        family_name=data["family_name"],
        given_name=data["given_name"],
        family_name_kana=data["family_name_kana"],
        given_name_kana=data["given_name_kana"],
        language=get_language() or "",
        campaign_id=campaign_id,
        programme_id=data["programme"].pk if data.get("programme") else None,
        message=data["message"],
        show_name=data["show_name"],
        show_amount=data["show_amount"],
    )
    try:
        url = checkout_session_create(
            checkout=checkout,
            # Back to the visitor's language; the base is PUBLIC_BASE_URL, never the Host header.
            success_url=absolute_link(sub_url(request, page, "thanks")),
            cancel_url=absolute_link(sub_url(request, page, "cancelled")),
            locale=get_language(),
        )
    except CheckoutUnavailable:
        messages.error(request, _("We could not start the payment. Nothing was charged."))
        return render(request, "donations/donate_page.html", context)
    return HttpResponseRedirect(url, status=303)


@require_POST
def billing_portal(request):
    """Send a logged-in donor to Stripe's Customer Portal for their monthly gift."""
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
            return_url=absolute_link(portal_url),
            locale=get_language(),
        )
    except CheckoutUnavailable:
        messages.error(request, _("Managing monthly gifts online is not available right now."))
        return HttpResponseRedirect(portal_url)
    return HttpResponseRedirect(url, status=303)


@require_POST
def membership_pay(request, membership_id: int):
    """Send a logged-in member to Stripe Checkout for their membership fee."""
    portal = portal_page()
    if portal is None:
        return HttpResponseRedirect("/")
    portal_url = sub_url(request, portal, "portal")
    supporter = portal_supporter(request)
    if supporter is None:
        return HttpResponseRedirect(portal_url)
    # Only the member's own memberships: anything else is simply not found.
    membership = get_object_or_404(
        Membership.objects.select_related("plan", "supporter"),
        pk=membership_id,
        supporter=supporter,
    )
    try:
        url = membership_checkout_create(
            membership=membership,
            success_url=absolute_link(portal_url) + "?membership_paid=1",
            cancel_url=absolute_link(portal_url),
            locale=get_language(),
        )
    except MembershipNotPayable:
        messages.info(request, _("This membership has no fee to pay right now."))
        return HttpResponseRedirect(portal_url)
    except CheckoutUnavailable:
        messages.error(
            request, _("Online payment is not available right now. Nothing was charged.")
        )
        return HttpResponseRedirect(portal_url)
    # The success URL only says thank you: the membership becomes active when Stripe's
    # verified webhook records the payment.
    return HttpResponseRedirect(url, status=303)


def card_update(request, token: str):
    """The link in a failed-payment e-mail: a button press (so mail scanners can't use up the
    single-use link) opens Stripe's Customer Portal, where the donor updates their card."""
    portal = portal_page()
    context = {"portal_url": sub_url(request, portal, "portal") if portal else "/"}
    if request.method == "POST":
        try:
            # One transaction: if Stripe is unreachable the link stays unused for a retry.
            with transaction.atomic():
                supporter = access_token_redeem(secret=token, purpose=AccessToken.Purpose.BILLING)
                url = supporter and billing_portal_session_create(
                    supporter=supporter,
                    return_url=absolute_link(context["portal_url"]),
                    locale=get_language(),
                )
        except CheckoutUnavailable:
            context["state"] = "unavailable"
            return render(request, "donations/card_update.html", context, status=503)
        if url:
            return HttpResponseRedirect(url, status=303)
        valid = False
    else:
        valid = access_token_is_valid(secret=token, purpose=AccessToken.Purpose.BILLING)
    context["state"] = "ask" if valid else "invalid"
    response = render(request, "donations/card_update.html", context, status=200 if valid else 410)
    response["Cache-Control"] = "private, no-store"
    # The token must not leak in a Referer to another site, but "no-referrer" made Chromium send
    # "Origin: null" with the button's POST, which Django's CSRF check refuses (always a 403).
    # "same-origin" sends the Referer to us only, and no Referer to Stripe after the redirect.
    response["Referrer-Policy"] = "same-origin"
    return response
