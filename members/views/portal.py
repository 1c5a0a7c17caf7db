"""The passwordless member portal: log in by e-mail link, see and edit what we hold, download it,
ask to be deleted. Every page is private and never cached (session.portal_no_store)."""

import json
from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from ouendan.core.exports import CSV_CONTENT_TYPE, spreadsheet_response
from ouendan.core.guard import over_limit

from .. import services
from ..forms import ConsentForm, DeletionForm, EmailForm, ProfileForm, VolunteerForm
from ..models import AccessToken, ConsentRecord, Supporter, VolunteerProfile
from ..registry import payments_enabled
from ..selectors import consent_history, memberships_of, volunteer_profile_for
from ..volunteering.selectors import company_hours
from .join import rate_limited
from .links import _postal_lookup_url, link_template, sub_url
from .session import _portal_logout, portal_session_start, portal_supporter


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
    profile = volunteer_profile_for(supporter=supporter)
    current = services.consents_current(supporter=supporter)
    return page.render(
        request,
        context_overrides={
            "supporter": supporter,
            "profile": profile,
            "availability": _availability_table(profile),
            "slot_labels": VolunteerProfile.Slot.labels,
            "consents": [(label, current.get(kind)) for kind, label in ConsentRecord.Kind.choices],
            "consent_history": consent_history(supporter=supporter),
            "memberships": memberships_of(supporter=supporter),
            # A company sees the approved hours of the employees it sends (totals, no names).
            "employee_volunteering": (
                company_hours(employer=supporter)
                if supporter.kind == Supporter.Kind.ORGANISATION
                else None
            ),
            "membership_paid": request.GET.get("membership_paid") == "1",
            "payments_enabled": payments_enabled(),
            "urls": {
                name: sub_url(request, page, name)
                for name in ("profile", "volunteer", "shifts", "consents", "delete", "logout")
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
    if over_limit(request, group="members:link", email=email):
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
    profile = volunteer_profile_for(supporter=supporter)
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
        content = json.dumps(
            services.supporter_export_data(supporter=supporter), ensure_ascii=False, indent=2
        )
        content_type = "application/json; charset=utf-8"
    elif fmt == "csv":
        # spreadsheet_csv (ouendan.core.exports): byte-order mark, every cell formula-safe.
        content = services.supporter_export_csv(supporter=supporter)
        content_type = CSV_CONTENT_TYPE
    else:
        raise Http404
    return spreadsheet_response(
        content, filename=f"my-data-{stamp}.{fmt}", content_type=content_type
    )


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
