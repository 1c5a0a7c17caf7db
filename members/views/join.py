"""The join page: the sign-up form, "check your e-mail", the confirmation link and a new link.

The forms validate and normalise; members/services.py stores everything.
"""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from ouendan.core.guard import RATE_LIMIT_MESSAGE, honeypot_filled, over_limit, too_many_requests

from .. import services
from ..forms import EmailForm, JoinForm
from ..models import AccessToken, VolunteerProfile
from ..normalise import address_for_postal_code, normalise_postal_code
from ..registry import payments_enabled
from ..selectors import join_page_plans, memberships_payable
from .links import (
    _portal_login_template,
    _postal_lookup_url,
    link_template,
    localised_page_url,
    portal_page,
    sub_url,
)
from .session import portal_session_start


def rate_limited(request, page) -> TemplateResponse:
    """The "too many attempts" page (429) for link requests, which hold nothing to lose."""
    return too_many_requests(page.render(request, template="members/join_page_rate_limited.html"))


@require_GET
def postal_code_lookup(request):
    """`?code=1234567` → prefecture, city and town from the offline dataset (no network)."""
    address = address_for_postal_code(request.GET.get("code", ""))
    if address is None:
        return JsonResponse({"found": False}, status=404)
    response = JsonResponse(
        {
            "found": True,
            "postal_code": normalise_postal_code(request.GET["code"]),
            "prefecture": address.prefecture,
            "city": address.city,
            "town": address.town,
        },
        json_dumps_params={"ensure_ascii": False},
    )
    patch_cache_control(response, public=True, max_age=86400)
    return response


def _plans(page):
    return join_page_plans(page=page)


def join(request, page):
    if request.method == "POST":
        form = JoinForm(request.POST, plans=_plans(page))
        if honeypot_filled(form):
            return redirect(sub_url(request, page, "thanks"))  # pretend; store nothing
        if form.is_valid():
            if over_limit(request, group="members:join", email=form.cleaned_data["email"]):
                # The form again as typed, with the reason: nothing is stored or sent.
                form.add_error(None, RATE_LIMIT_MESSAGE)
                return too_many_requests(_render_join(request, page, form))
            services.supporter_join(
                supporter=form.supporter(language=translation.get_language()),
                volunteer=form.volunteer(),
                plan=form.cleaned_data.get("plan"),
                consents=form.consents(),
                policy_version=page.privacy_policy_version,
                confirm_url=link_template(request, page, "confirm"),
                login_url=_portal_login_template(request, page),
            )
            return redirect(sub_url(request, page, "thanks"))
    else:
        form = JoinForm(
            initial={"kind": request.GET.get("kind", JoinForm.PERSON)}, plans=_plans(page)
        )
    return _render_join(request, page, form)


def _render_join(request, page, form):
    return page.render(
        request,
        context_overrides={
            "form": form,
            "postal_lookup_url": _postal_lookup_url(),
            "slot_labels": VolunteerProfile.Slot.labels,
        },
    )


def join_thanks(request, page):
    return page.render(
        request,
        template="members/join_page_thanks.html",
        context_overrides={"resend_url": sub_url(request, page, "resend")},
    )


def join_confirm(request, page, token: str):
    context = {"email_form": EmailForm(), "resend_url": sub_url(request, page, "resend")}
    if request.method == "POST":
        supporter = services.supporter_confirm(secret=token)
        context["state"] = "confirmed" if supporter else "invalid"
        portal = portal_page()
        context["portal_url"] = localised_page_url(request, portal) if portal else ""
        if supporter is not None:
            # The link proved the address, as a login link would: go straight on to the portal
            # and, for a paid plan, offer the first fee right here.
            portal_session_start(request, supporter)
            context["payments_enabled"] = payments_enabled()
            context["unpaid_memberships"] = memberships_payable(supporter=supporter)
    else:
        valid = services.access_token_is_valid(
            secret=token, purpose=AccessToken.Purpose.CONFIRM_SIGNUP
        )
        context["state"] = "ask" if valid else "invalid"
    response = page.render(
        request, template="members/join_page_confirm.html", context_overrides=context
    )
    if context["state"] == "invalid":
        response.status_code = 410
    return response


def join_resend(request, page):
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if over_limit(request, group="members:link", email=email):
            return rate_limited(request, page)
        services.supporter_resend_confirmation(
            email=email,
            confirm_url=link_template(request, page, "confirm"),
            login_url=_portal_login_template(request, page),
        )
        return page.render(
            request,
            template="members/join_page_thanks.html",
            context_overrides={"resent": True, "resend_url": request.path},
        )
    return page.render(
        request,
        template="members/join_page_confirm.html",
        context_overrides={"state": "resend", "email_form": form, "resend_url": request.path},
    )
