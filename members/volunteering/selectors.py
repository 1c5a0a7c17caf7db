"""Volunteering's reads: shifts for a volunteer, their sign-ups and hours, coordinators' places,
and the staff reports (unfilled shifts, fill rates, re-engagement, hours per month)."""

import datetime

from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from members.models import Supporter, VolunteerProfile
from members.places.models import Place

from .models import HoursEntry, Shift, Signup

SLOTS = {"am": (0, 12), "pm": (12, 17), "eve": (17, 24)}
SUGGESTION_DAYS = 28
SUGGESTION_LIMIT = 30


def shift_slot(starts_at: datetime.datetime) -> str:
    """The availability code of a shift's start: "sat-am", "wed-eve"…"""
    local = timezone.localtime(starts_at)
    day = VolunteerProfile.WEEKDAYS[local.weekday()]
    slot = next(code for code, (low, high) in SLOTS.items() if low <= local.hour < high)
    return f"{day}-{slot}"


def _shift_list(queryset):
    return queryset.select_related("place", "place__district", "role").order_by("starts_at", "pk")


def shifts_for_volunteer(
    *, volunteer: Supporter, now: datetime.datetime | None = None
) -> list[Shift]:
    """Open shifts in the next four weeks that fit the volunteer: at a place in one of their
    areas (its school district) and in a slot they said they are available (none said: any
    slot), with no sign-up of theirs yet. A fixed number of queries whatever the data size."""
    now = now or timezone.now()
    profile = VolunteerProfile.objects.filter(supporter=volunteer).first()
    shifts = Shift.objects.filter(
        is_cancelled=False,
        starts_at__gt=now,
        starts_at__lte=now + datetime.timedelta(days=SUGGESTION_DAYS),
        place__is_active=True,
    ).exclude(signups__volunteer=volunteer)
    availability = set()
    if profile is not None:
        area_ids = list(profile.areas.values_list("pk", flat=True))
        if area_ids:
            shifts = shifts.filter(place__district_id__in=area_ids)
        availability = set(profile.availability or [])
    # Slots are local weekday + hour: filtered in Python over a bounded window (four weeks),
    # capped after filtering.
    result = []
    candidates = _shift_list(shifts).prefetch_related("required_trainings", "required_skills")
    for shift in candidates[: SUGGESTION_LIMIT * 6]:
        if availability and shift_slot(shift.starts_at) not in availability:
            continue
        result.append(shift)
        if len(result) >= SUGGESTION_LIMIT:
            break
    return result


def signups_upcoming(*, volunteer: Supporter, now: datetime.datetime | None = None):
    now = now or timezone.now()
    return (
        Signup.objects.filter(
            volunteer=volunteer,
            status__in=[Signup.Status.CONFIRMED, Signup.Status.WAITLISTED],
            shift__ends_at__gte=now,
        )
        .select_related("shift__place", "shift__role")
        .order_by("shift__starts_at")
    )


def hours_of(*, volunteer: Supporter, limit: int = 20):
    entries = HoursEntry.objects.filter(volunteer=volunteer).select_related("place")
    total = entries.filter(status=HoursEntry.Status.APPROVED).aggregate(m=Sum("minutes"))["m"]
    return list(entries.order_by("-served_on", "-pk")[:limit]), round((total or 0) / 60, 1)


def hours_between(*, volunteer: Supporter, start: datetime.date, end: datetime.date):
    return (
        HoursEntry.objects.filter(
            volunteer=volunteer,
            status=HoursEntry.Status.APPROVED,
            served_on__gte=start,
            served_on__lte=end,
        )
        .select_related("place")
        .order_by("served_on", "pk")
    )


def places_for(user) -> "Place.objects":
    """The places a staff user manages: all for superusers and staff who may change shifts
    everywhere; a coordinator's own places otherwise."""
    if user.is_superuser or user.has_perm("volunteering.view_all_places"):
        return Place.objects.all()
    return Place.objects.filter(coordinators=user)


def shifts_today(*, user, today: datetime.date | None = None):
    today = today or timezone.localdate()
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(today, datetime.time(), tzinfo=tz)
    return _shift_list(
        Shift.objects.filter(
            place__in=places_for(user),
            starts_at__gte=start,
            starts_at__lt=start + datetime.timedelta(days=1),
        )
    ).prefetch_related("signups__volunteer")


def shifts_unfilled(*, user, now: datetime.datetime | None = None, days: int = 14):
    now = now or timezone.now()
    return _shift_list(
        Shift.objects.filter(
            place__in=places_for(user),
            is_cancelled=False,
            starts_at__gt=now,
            starts_at__lte=now + datetime.timedelta(days=days),
            confirmed_count__lt=F("people_needed"),
        )
    )


def fill_rates(*, user, start: datetime.datetime, end: datetime.datetime, by: str = "place"):
    """Seats filled / seats needed for shifts between start and end, per place or district."""
    field = "place__name" if by == "place" else "place__district__name"
    rows = (
        Shift.objects.filter(
            place__in=places_for(user), is_cancelled=False, starts_at__range=(start, end)
        )
        .values(field)
        .annotate(needed=Sum("people_needed"), filled=Sum("confirmed_count"), shifts=Count("pk"))
        .order_by(field)
    )
    return [
        {
            "name": row[field],
            "shifts": row["shifts"],
            "needed": row["needed"] or 0,
            "filled": row["filled"] or 0,
            "rate": round(100 * (row["filled"] or 0) / row["needed"]) if row["needed"] else 0,
        }
        for row in rows
    ]


def volunteers_dormant(*, user, today: datetime.date | None = None, days: int = 90):
    """Volunteers (of the user's places, for a coordinator) whose last attended shift is more
    than `days` ago, or who never served: the re-engagement list."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=days)
    volunteers = Supporter.objects.filter(is_volunteer=True, status=Supporter.Status.ACTIVE)
    if not (user.is_superuser or user.has_perm("volunteering.view_all_places")):
        volunteers = volunteers.filter(signups__shift__place__in=places_for(user)).distinct()
    return (
        volunteers.annotate(
            last_served=Max("hours__served_on", filter=Q(hours__status=HoursEntry.Status.APPROVED))
        )
        .filter(Q(last_served__lt=since) | Q(last_served__isnull=True))
        .order_by(F("last_served").asc(nulls_first=True), "pk")
    )


def hours_per_month(*, user, start: datetime.date, end: datetime.date, by: str = "place"):
    field = "place__name" if by == "place" else "place__district__name"
    return (
        HoursEntry.objects.filter(
            place__in=places_for(user),
            status=HoursEntry.Status.APPROVED,
            served_on__range=(start, end),
        )
        .annotate(month=TruncMonth("served_on"))
        .values("month", field)
        .annotate(minutes=Sum("minutes"), entries=Count("pk"))
        .order_by("month", field)
    )


def company_hours(*, employer: Supporter) -> dict:
    """Hours the company's employees gave (corporate employee volunteering)."""
    rows = HoursEntry.objects.filter(employer=employer, status=HoursEntry.Status.APPROVED)
    totals = rows.aggregate(minutes=Sum("minutes"), people=Count("volunteer", distinct=True))
    return {"hours": round((totals["minutes"] or 0) / 60, 1), "people": totals["people"]}
