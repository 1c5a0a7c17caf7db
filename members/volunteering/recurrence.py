"""Shifts generated from a series' recurrence rule (RFC 5545 RRULE, python-dateutil), for a window
of dates, idempotently: a date that already has its shift is left alone, so running the
generation again (a retried task, an overlapping window) adds nothing twice."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from members.places.recurrence import rule_dates

from .models import Shift, ShiftSeries


def series_dates(*, series: ShiftSeries, start: datetime.date, end: datetime.date):
    """The dates the series falls on between start and end (inclusive), holidays skipped when
    the series says so. Dates are computed on naive local dates, so a rule such as "the 31st"
    or "the last Friday" works across month ends exactly as dateutil defines it."""
    first = max(start, series.starts_on)
    last = min(end, series.ends_on) if series.ends_on else end
    if first > last:
        return []
    return list(rule_dates(series.rrule, series.starts_on, first, last, series.skip_holidays))


def shift_series_generate(
    *, series: ShiftSeries, start: datetime.date, end: datetime.date
) -> list[Shift]:
    """Create the series' missing shifts between start and end; returns the new ones."""
    tz = timezone.get_current_timezone()
    created = []
    trainings = list(series.required_trainings.all())
    skills = list(series.required_skills.all())
    existing = set(Shift.objects.filter(series=series).values_list("starts_at", flat=True))
    for day in series_dates(series=series, start=start, end=end):
        starts_at = datetime.datetime.combine(day, series.start_time, tzinfo=tz)
        ends_at = datetime.datetime.combine(day, series.end_time, tzinfo=tz)
        if ends_at <= starts_at:  # an evening shift past midnight
            ends_at += datetime.timedelta(days=1)
        if starts_at in existing:
            continue
        try:
            with transaction.atomic():
                shift = Shift.objects.create(
                    place=series.place,
                    role=series.role,
                    series=series,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    people_needed=series.people_needed,
                    signup_cutoff_hours=series.signup_cutoff_hours,
                )
                if trainings:  # most series ask for none: no queries for an empty set
                    shift.required_trainings.set(trainings)
                if skills:
                    shift.required_skills.set(skills)
        except IntegrityError:  # another run made it meanwhile (unique series + start)
            continue
        created.append(shift)
    return created


def shift_series_generate_all(*, start: datetime.date, end: datetime.date) -> int:
    total = 0
    for series in ShiftSeries.objects.filter(is_active=True).select_related("place", "role"):
        total += len(shift_series_generate(series=series, start=start, end=end))
    return total
