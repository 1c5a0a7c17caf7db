"""The volunteer's pages in the member portal (routes on MemberPortalPage): shifts for me, sign
up, cancel, my shifts, my hours, report hours, my calendar feed, my certificate of activity."""

import datetime

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.models import Supporter
from members.views.links import absolute_link, sub_url
from members.views.portal import login_required

from . import selectors, services
from .certificate import certificate_pdf
from .forms import HoursReportForm
from .models import CalendarFeed, Signup
from .rules import SignupRefused, signup_refusal, volunteer_qualifications

SESSION_FEED_URL = "volunteering_feed_url"


def _person(request) -> Supporter:
    if request.supporter.kind != Supporter.Kind.PERSON:
        raise Http404
    return request.supporter


@login_required
def portal_shifts(request, page):
    volunteer = _person(request)
    form = HoursReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.hours_report(
                volunteer=volunteer,
                place=form.cleaned_data["place"],
                served_on=form.cleaned_data["served_on"],
                minutes=int(form.cleaned_data["hours"] * 60),
                note=form.cleaned_data["note"],
            )
        except SignupRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("Thank you: your hours wait for staff approval."))
            return redirect(sub_url(request, page, "shifts"))
    suggestions = selectors.shifts_for_volunteer(volunteer=volunteer)
    qualifications = volunteer_qualifications(volunteer)
    hours, total_hours = selectors.hours_of(volunteer=volunteer)
    this_year = timezone.localdate().year
    return page.render(
        request,
        template="volunteering/portal/shifts.html",
        context_overrides={
            "supporter": volunteer,
            "suggestions": [
                (
                    shift,
                    signup_refusal(shift=shift, volunteer=volunteer, qualifications=qualifications),
                    sub_url(request, page, "shift_signup", shift_id=shift.pk),
                )
                for shift in suggestions
            ],
            "upcoming": [
                (signup, sub_url(request, page, "signup_cancel", signup_id=signup.pk))
                for signup in selectors.signups_upcoming(volunteer=volunteer)
            ],
            "hours": hours,
            "total_hours": total_hours,
            "form": form,
            "feed": CalendarFeed.objects.filter(volunteer=volunteer).first(),
            "feed_url": request.session.pop(SESSION_FEED_URL, ""),
            "portal_url": sub_url(request, page, "portal"),
            "shifts_url": sub_url(request, page, "shifts"),
            "feed_action": sub_url(request, page, "shift_feed"),
            "certificate_urls": [
                (year, sub_url(request, page, "shift_certificate", year=year))
                for year in (this_year, this_year - 1)
            ],
        },
    )


@require_POST
@login_required
def portal_shift_signup(request, page, shift_id: int):
    volunteer = _person(request)
    try:
        result = services.signup_create(shift_id=shift_id, volunteer=volunteer)
    except SignupRefused as refused:
        messages.error(request, str(refused))
    except Signup.shift.RelatedObjectDoesNotExist as missing:  # pragma: no cover - defensive
        raise Http404 from missing
    else:
        if result.signup.status == Signup.Status.CONFIRMED:
            messages.success(request, _("You are signed up. Thank you!"))
        else:
            messages.info(
                request,
                _("The shift is full: you are number %(n)s on the waitlist.")
                % {"n": result.signup.position},
            )
    return redirect(sub_url(request, page, "shifts"))


@require_POST
@login_required
def portal_signup_cancel(request, page, signup_id: int):
    volunteer = _person(request)
    if not Signup.objects.filter(pk=signup_id, volunteer=volunteer).exists():
        raise Http404
    try:
        services.signup_cancel(signup_id=signup_id, volunteer=volunteer)
    except SignupRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Your sign-up is cancelled."))
    return redirect(sub_url(request, page, "shifts"))


@require_POST
@login_required
def portal_shift_feed(request, page):
    volunteer = _person(request)
    if request.POST.get("action") == "revoke":
        services.calendar_feed_revoke(volunteer=volunteer)
        messages.success(request, _("Your calendar link no longer works."))
    else:
        token = services.calendar_feed_regenerate(volunteer=volunteer)
        url = absolute_link(reverse("volunteering:calendar_feed", kwargs={"token": token}))
        # Shown once on the next page; only its hash is stored.
        request.session[SESSION_FEED_URL] = url
        messages.success(request, _("Your new calendar link is ready; old links stop working."))
    return redirect(sub_url(request, page, "shifts"))


@login_required
def portal_certificate(request, page, year: int):
    volunteer = _person(request)
    if not 2000 <= year <= timezone.localdate().year:
        raise Http404
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    pdf = certificate_pdf(volunteer=volunteer, start=start, end=end)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="volunteer-certificate-{year}.pdf"'
    return response
