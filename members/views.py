"""The public members journeys: the join page and the passwordless member portal.

`JoinPage` and `MemberPortalPage` route their sub-pages here (members/models.py); the work is
done by the forms (validation, normalisation) and members/services.py (everything stored).
"""

import json
import time
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_ratelimit.core import is_ratelimited

from donations.stripe_api import stripe_configured
from ouendan.core.exports import CSV_CONTENT_TYPE
from ouendan.net import public_url

from . import services
from .forms import ConsentForm, DeletionForm, EmailForm, JoinForm, ProfileForm, VolunteerForm
from .models import AccessToken, ConsentRecord, Supporter, VolunteerProfile
from .normalise import address_for_postal_code, normalise_postal_code

SESSION_SUPPORTER = "members_portal_supporter"
SESSION_LOGGED_IN_AT = "members_portal_logged_in_at"
PORTAL_SESSION_MAX_AGE = 8 * 60 * 60  # seconds; then the supporter asks for a new link

# Per hour. Sign-ups and link requests are counted per IP address and per e-mail address.
JOIN_RATE_IP = "5/h"
JOIN_RATE_EMAIL = "3/h"
LINK_RATE_IP = "10/h"
LINK_RATE_EMAIL = "3/h"

TOKEN_PLACEHOLDER = "TOKENPLACEHOLDER"  # noqa: S105 - replaced by "{token}", not a secret


# --- Helpers -----------------------------------------------------------------------------------


def page_base_url(request, page) -> str:
    """The URL the page was reached at, in the visitor's language (an English visitor served
    the Japanese page stays under /en/)."""
    match = getattr(request, "routable_resolver_match", None)
    if match is None:
        return localised_page_url(request, page)
    subpath = page.reverse_subpage(match.url_name, args=match.args, kwargs=match.kwargs)
    path = request.path
    return path[: len(path) - len(subpath)] if subpath and path.endswith(subpath) else path


def sub_url(request, page, name: str, **kwargs) -> str:
    return page_base_url(request, page) + page.reverse_subpage(name, kwargs=kwargs or None)


def absolute_link(url: str) -> str:
    """A page URL made absolute for an e-mail or Stripe, from PUBLIC_BASE_URL: never from the
    request's Host header, which the client chooses. Wagtail returns a full URL only for a page
    of another Site, and that comes from the Site record, not from the request."""
    return public_url(url) if url.startswith("/") else url


def link_template(request, page, name: str) -> str:
    """An absolute link for an e-mail, with "{token}" where the secret goes."""
    url = absolute_link(sub_url(request, page, name, token=TOKEN_PLACEHOLDER))
    return url.replace(TOKEN_PLACEHOLDER, "{token}")


def over_limit(request, *, group: str, ip_rate: str, email: str, email_rate: str) -> bool:
    """Count one attempt from this IP address and for this e-mail; True when either is over."""
    over_ip = is_ratelimited(request, group=f"{group}:ip", key="ip", rate=ip_rate, increment=True)
    over_email = bool(email) and is_ratelimited(
        request,
        group=f"{group}:email",
        key=lambda _group, _request: email,
        rate=email_rate,
        increment=True,
    )
    return over_ip or over_email


def rate_limited(request, page) -> TemplateResponse:
    response = page.render(request, template="members/join_page_rate_limited.html")
    response.status_code = 429
    response["Retry-After"] = "3600"
    return response


# --- Offline postal-code lookup ------------------------------------------------------------------


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


# --- Join page ---------------------------------------------------------------------------------


def _plans(page):
    return page.plans.filter(is_active=True).order_by("sort_order", "name")


def join(request, page):
    if request.method == "POST":
        form = JoinForm(request.POST, plans=_plans(page))
        if form.is_spam():
            return redirect(sub_url(request, page, "thanks"))  # pretend; store nothing
        if form.is_valid():
            if over_limit(
                request,
                group="members:join",
                ip_rate=JOIN_RATE_IP,
                email=form.cleaned_data["email"],
                email_rate=JOIN_RATE_EMAIL,
            ):
                return rate_limited(request, page)
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
    return page.render(
        request,
        context_overrides={
            "form": form,
            "postal_lookup_url": _postal_lookup_url(),
            "slot_labels": VolunteerProfile.Slot.labels,
        },
    )


def _postal_lookup_url() -> str:
    return reverse("members:postal_code")


def localised_page_url(request, page) -> str:
    """A page's URL in the visitor's language. An untranslated Japanese page is also served
    under /en/ (Wagtail falls back to it), so English visitors stay on English URLs."""
    page = page.localized
    url = page.get_url(request) or "/"
    language = translation.get_language()
    if language in (page.locale.language_code, settings.LANGUAGE_CODE) or not url.startswith("/"):
        return url
    return f"/{language}{url}"


def _portal_login_template(request, page) -> str:
    """The portal's login link for e-mails sent from the join page (already registered)."""
    portal = portal_page()
    if portal is None:
        return absolute_link(page_base_url(request, page))
    url = localised_page_url(request, portal) + portal.reverse_subpage(
        "redeem", kwargs={"token": TOKEN_PLACEHOLDER}
    )
    return absolute_link(url).replace(TOKEN_PLACEHOLDER, "{token}")


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
            context["payments_enabled"] = stripe_configured()
            context["unpaid_memberships"] = [
                membership
                for membership in supporter.memberships.select_related("plan")
                if membership.needs_payment()
            ]
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
        if over_limit(
            request,
            group="members:link",
            ip_rate=LINK_RATE_IP,
            email=email,
            email_rate=LINK_RATE_EMAIL,
        ):
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


def portal_page():
    from .models import MemberPortalPage

    return MemberPortalPage.objects.live().filter(locale__language_code="ja").first() or (
        MemberPortalPage.objects.live().first()
    )


# --- Member portal -----------------------------------------------------------------------------


def portal_no_store(response):
    """Portal pages show personal data: never stored by browsers or shared caches."""
    patch_cache_control(response, private=True, no_store=True)
    return response


def portal_supporter(request) -> Supporter | None:
    supporter_id = request.session.get(SESSION_SUPPORTER)
    logged_in_at = request.session.get(SESSION_LOGGED_IN_AT, 0)
    if not supporter_id or time.time() - logged_in_at > PORTAL_SESSION_MAX_AGE:
        return None
    return Supporter.objects.filter(pk=supporter_id, status=Supporter.Status.ACTIVE).first()


def portal_session_start(request, supporter: Supporter) -> None:
    """Log a supporter into the portal after they proved they own the address (an e-mail link)."""
    request.session.cycle_key()  # a fresh session id: no session fixation
    request.session[SESSION_SUPPORTER] = supporter.pk
    request.session[SESSION_LOGGED_IN_AT] = time.time()


def _portal_logout(request) -> None:
    request.session.pop(SESSION_SUPPORTER, None)
    request.session.pop(SESSION_LOGGED_IN_AT, None)
    request.session.cycle_key()


def login_required(view):
    @wraps(view)
    def wrapper(request, page, *args, **kwargs):
        supporter = portal_supporter(request)
        if supporter is None:
            return redirect(sub_url(request, page, "portal"))
        request.supporter = supporter
        return view(request, page, *args, **kwargs)

    return wrapper


def _login_form_response(request, page, form, status=200):
    response = page.render(
        request,
        context_overrides={"email_form": form, "login_url": sub_url(request, page, "login")},
    )
    response.status_code = status
    return response


def _availability_table(profile: VolunteerProfile | None) -> list[tuple[str, list[bool]]]:
    chosen = set(profile.availability if profile else [])
    return [
        (WEEKDAYS[index], [f"{day}-{slot}" in chosen for slot in VolunteerProfile.Slot.values])
        for index, day in enumerate(VolunteerProfile.WEEKDAYS)
    ]


def portal_home(request, page):
    supporter = portal_supporter(request)
    if supporter is None:
        return _login_form_response(request, page, EmailForm())
    profile = VolunteerProfile.objects.filter(supporter=supporter).first()
    current = services.consents_current(supporter=supporter)
    return page.render(
        request,
        context_overrides={
            "supporter": supporter,
            "profile": profile,
            "availability": _availability_table(profile),
            "slot_labels": VolunteerProfile.Slot.labels,
            "consents": [(label, current.get(kind)) for kind, label in ConsentRecord.Kind.choices],
            "consent_history": supporter.consents.order_by("-recorded_at", "-pk"),
            "memberships": supporter.memberships.select_related("plan"),
            "membership_paid": request.GET.get("membership_paid") == "1",
            "payments_enabled": stripe_configured(),
            "urls": {
                name: sub_url(request, page, name)
                for name in ("profile", "volunteer", "consents", "delete", "logout")
            },
            "export_json_url": sub_url(request, page, "export", fmt="json"),
            "export_csv_url": sub_url(request, page, "export", fmt="csv"),
        },
    )


def portal_login(request, page):
    if request.method != "POST":
        return redirect(sub_url(request, page, "portal"))
    form = EmailForm(request.POST)
    if not form.is_valid():
        return _login_form_response(request, page, form, status=400)
    email = form.cleaned_data["email"]
    if over_limit(
        request, group="members:link", ip_rate=LINK_RATE_IP, email=email, email_rate=LINK_RATE_EMAIL
    ):
        return rate_limited(request, page)
    services.supporter_send_login_link(
        email=email, login_url=link_template(request, page, "redeem")
    )
    return redirect(sub_url(request, page, "login_sent"))


def portal_login_sent(request, page):
    return page.render(
        request,
        template="members/portal/login_sent.html",
        context_overrides={"portal_url": sub_url(request, page, "portal")},
    )


def portal_redeem(request, page, token: str):
    if request.method == "POST":
        supporter = services.supporter_login(secret=token)
        if supporter is not None:
            portal_session_start(request, supporter)
            return redirect(sub_url(request, page, "portal"))
        valid = False
    else:
        valid = services.access_token_is_valid(secret=token, purpose=AccessToken.Purpose.LOGIN)
    response = page.render(
        request,
        template="members/portal/login_link.html",
        context_overrides={
            "valid": valid,
            "email_form": EmailForm(),
            "login_url": sub_url(request, page, "login"),
        },
    )
    if not valid:
        response.status_code = 410
    return response


def portal_logout(request, page):
    if request.method == "POST":
        _portal_logout(request)
        messages.success(request, _("You are logged out."))
    return redirect(sub_url(request, page, "portal"))


def _edit(request, page, *, form, template: str, save, saved_message: str):
    if request.method == "POST" and form.is_valid():
        save(form)
        messages.success(request, saved_message)
        return redirect(sub_url(request, page, "portal"))
    return page.render(
        request,
        template=template,
        context_overrides={
            "form": form,
            "supporter": request.supporter,
            "portal_url": sub_url(request, page, "portal"),
            "postal_lookup_url": _postal_lookup_url(),
            "slot_labels": VolunteerProfile.Slot.labels,
        },
    )


@login_required
def portal_profile(request, page):
    supporter = request.supporter
    return _edit(
        request,
        page,
        form=ProfileForm(request.POST or None, supporter=supporter),
        template="members/portal/profile_form.html",
        save=lambda form: services.supporter_update_profile(
            supporter=supporter, changes=form.changes()
        ),
        saved_message=_("Your details are saved."),
    )


@login_required
def portal_volunteer(request, page):
    supporter = request.supporter
    if supporter.kind != Supporter.Kind.PERSON:
        raise Http404
    profile = VolunteerProfile.objects.filter(supporter=supporter).first()
    return _edit(
        request,
        page,
        form=VolunteerForm(request.POST or None, profile=profile),
        template="members/portal/volunteer_form.html",
        save=lambda form: services.volunteer_profile_update(
            supporter=supporter, **form.volunteer_values()
        ),
        saved_message=_("Your volunteering details are saved."),
    )


@login_required
def portal_consents(request, page):
    supporter = request.supporter
    current = services.consents_current(supporter=supporter)
    initial = {
        kind: bool(current.get(kind) and current[kind].granted)
        for kind in (ConsentRecord.Kind.NEWSLETTER, ConsentRecord.Kind.SUPPORTERS_WALL)
    }
    return _edit(
        request,
        page,
        form=ConsentForm(request.POST or None, initial=initial),
        template="members/portal/consents_form.html",
        save=lambda form: services.consents_update(
            supporter=supporter, granted=form.consents(), source=ConsentRecord.Source.PORTAL
        ),
        saved_message=_("Your choices are saved."),
    )


@login_required
def portal_export(request, page, fmt: str):
    supporter = request.supporter
    stamp = timezone.localdate().isoformat()
    if fmt == "json":
        response = HttpResponse(
            json.dumps(
                services.supporter_export_data(supporter=supporter), ensure_ascii=False, indent=2
            ),
            content_type="application/json; charset=utf-8",
        )
    elif fmt == "csv":
        response = HttpResponse(
            services.supporter_export_csv(supporter=supporter), content_type=CSV_CONTENT_TYPE
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.{fmt}"'
    return response


@login_required
def portal_delete(request, page):
    form = DeletionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.deletion_request_create(
            supporter=request.supporter, reason=form.cleaned_data["reason"]
        )
        _portal_logout(request)
        return redirect(sub_url(request, page, "deleted"))
    return page.render(
        request,
        template="members/portal/delete_confirm.html",
        context_overrides={"form": form, "portal_url": sub_url(request, page, "portal")},
    )


def portal_deleted(request, page):
    return page.render(request, template="members/portal/deleted.html")
