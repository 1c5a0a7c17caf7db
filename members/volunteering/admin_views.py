"""Staff screens beyond the lists: attendance on a phone (today's shifts, present/absent),
reported hours to approve, and the reports (unfilled shifts, fill rates, re-engagement list,
hours per month with CSV). Coordinators see their own places only (selectors.places_for)."""

import datetime

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.admin import messages

from ouendan.core.exports import CSV_CONTENT_TYPE, spreadsheet_csv, spreadsheet_response

from . import selectors, services
from .imports import COLUMNS, volunteer_list_import
from .models import HoursEntry, Signup


def _refuse_unless(perm: str):
    """Logged-in staff without the permission are refused (403), not sent to the login."""
    return permission_required(f"volunteering.{perm}", raise_exception=True)


def _signup_in_scope(user, signup_id: int) -> Signup:
    signup = Signup.objects.filter(
        pk=signup_id, shift__place__in=selectors.places_for(user)
    ).first()
    if signup is None:
        raise PermissionDenied
    return signup


def _day(request) -> datetime.date:
    try:
        return datetime.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return timezone.localdate()


@_refuse_unless("change_signup")
def attendance(request):
    """A day's shifts (today unless ?day=) at the user's places, with big present/absent
    buttons (phone first)."""
    day = _day(request)
    back = reverse("volunteering_attendance:today") + f"?day={day.isoformat()}"
    if request.method == "POST":
        signup = _signup_in_scope(request.user, int(request.POST.get("signup", 0)))
        present = request.POST.get("present") == "1"
        services.attendance_mark(signup_id=signup.pk, present=present, user=request.user)
        messages.success(
            request,
            (_("%(name)s: present") if present else _("%(name)s: absent"))
            % {"name": signup.volunteer.display_name},
        )
        return redirect(back)
    shifts = selectors.shifts_today(user=request.user, today=day)
    rows = [
        (
            shift,
            [s for s in shift.signups.all() if s.status not in ("cancelled", "waitlisted")],
        )
        for shift in shifts
    ]
    return TemplateResponse(
        request,
        "volunteering/admin/attendance.html",
        {
            "rows": rows,
            "today": day,
            "previous_day": day - datetime.timedelta(days=1),
            "next_day": day + datetime.timedelta(days=1),
            "header_title": _("Attendance"),
        },
    )


@_refuse_unless("change_hoursentry")
def hours_pending(request):
    scope = selectors.places_for(request.user)
    if request.method == "POST":
        entry = HoursEntry.objects.filter(
            pk=int(request.POST.get("entry", 0)), place__in=scope
        ).first()
        if entry is None:
            raise PermissionDenied
        services.hours_review(
            entry_id=entry.pk, approve=request.POST.get("approve") == "1", user=request.user
        )
        messages.success(request, _("Saved."))
        return redirect(reverse("volunteering_hours:pending"))
    entries = (
        HoursEntry.objects.filter(status=HoursEntry.Status.PENDING, place__in=scope)
        .select_related("volunteer", "place")
        .order_by("served_on", "pk")[:200]
    )
    return TemplateResponse(
        request,
        "volunteering/admin/hours_pending.html",
        {"entries": entries, "header_title": _("Reported hours to approve")},
    )


def _period(request) -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    try:
        start = datetime.date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        start = today.replace(month=1, day=1)
    try:
        end = datetime.date.fromisoformat(request.GET.get("to", ""))
    except ValueError:
        end = today
    return start, end


@_refuse_unless("view_shift")
def reports(request):
    user = request.user
    start, end = _period(request)
    by = "district" if request.GET.get("by") == "district" else "place"
    hours = list(selectors.hours_per_month(user=user, start=start, end=end, by=by))
    field = "place__name" if by == "place" else "place__district__name"
    if request.GET.get("export") == "csv":
        rows = [[_("Month"), _("Place") if by == "place" else _("School district"), _("Hours")]]
        rows += [
            [row["month"].strftime("%Y-%m"), row[field], round(row["minutes"] / 60, 2)]
            for row in hours
        ]
        return spreadsheet_response(
            spreadsheet_csv(rows),
            filename=f"volunteer-hours-{start}-{end}.csv",
            content_type=CSV_CONTENT_TYPE,
        )
    tz = timezone.get_current_timezone()
    now = timezone.now()
    return TemplateResponse(
        request,
        "volunteering/admin/reports.html",
        {
            "header_title": _("Volunteering reports"),
            "unfilled": selectors.shifts_unfilled(user=user)[:100],
            "fill_place": selectors.fill_rates(
                user=user, start=now, end=now + datetime.timedelta(days=28), by="place"
            ),
            "fill_district": selectors.fill_rates(
                user=user, start=now, end=now + datetime.timedelta(days=28), by="district"
            ),
            "dormant": selectors.volunteers_dormant(user=user)[:200],
            "hours": [
                {"month": row["month"], "name": row[field], "hours": round(row["minutes"] / 60, 1)}
                for row in hours
            ],
            "start": start,
            "end": end,
            "by": by,
            "tz": tz,
        },
    )


attendance_urls = [path("", attendance, name="today")]
hours_urls = [path("", hours_pending, name="pending")]
reports_urls = [path("", reports, name="index")]


@_refuse_unless("add_volunteertraining")
def volunteer_import(request):
    """Upload a volunteer list: "Check" shows every error and writes nothing; "Import" writes
    the whole file in one transaction when it has no errors (imports.py)."""
    report = None
    if request.method == "POST" and request.FILES.get("file"):
        upload = request.FILES["file"]
        report = volunteer_list_import(
            upload=upload.file,
            name=upload.name,
            commit=request.POST.get("action") == "import",
        )
        if report.written:
            messages.success(request, _("%(n)s rows imported.") % {"n": report.rows})
    language = "ja" if (request.LANGUAGE_CODE or "ja").startswith("ja") else "en"
    return TemplateResponse(
        request,
        "volunteering/admin/import.html",
        {
            "header_title": _("Import volunteer lists"),
            "report": report,
            "columns": list(COLUMNS.values()),
            "language": language,
        },
    )


import_urls = [path("", volunteer_import, name="index")]
