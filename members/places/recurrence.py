"""Regular schedules as RFC 5545 recurrence rules (python-dateutil), and their dates.

Staff fill in a simple form (every week / some weeks of the month / a date each month, the
weekday, the times); `schedule_rrule` turns it into an RRULE such as
``FREQ=MONTHLY;BYDAY=+2SA,+4SA`` ("second and fourth Saturday") and `schedule_dates` expands it,
leaving out Japanese public holidays (jpholiday, rule-based, no network) when the schedule says
the place is closed on them. Dates are the Tokyo calendar's: a schedule has no time zone.
"""

import datetime
import functools
from dataclasses import dataclass

import jpholiday
from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy, pgettext

WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
# Weeks of the month staff can tick: 1st to 5th and the last (-1).
WEEK_CHOICES = [
    (1, gettext_lazy("1st")),
    (2, gettext_lazy("2nd")),
    (3, gettext_lazy("3rd")),
    (4, gettext_lazy("4th")),
    (5, gettext_lazy("5th")),
    (-1, gettext_lazy("last")),
]


def schedule_check(schedule) -> None:
    """The form's fields agree with the frequency (raises ValidationError by field)."""
    errors = {}
    frequency = schedule.frequency
    if frequency in ("weekly", "monthly_weekday") and schedule.weekday is None:
        errors["weekday"] = gettext("Choose the day of the week.")
    if frequency == "monthly_weekday" and not schedule.weeks:
        errors["weeks"] = gettext("Tick at least one week of the month.")
    if frequency == "monthly_date" and not (1 <= (schedule.day_of_month or 0) <= 31):
        errors["day_of_month"] = gettext("Enter a day of the month from 1 to 31.")
    if schedule.start_time and schedule.end_time and schedule.end_time <= schedule.start_time:
        errors["end_time"] = gettext("The closing time must be after the opening time.")
    if schedule.starts_on and schedule.ends_on and schedule.ends_on < schedule.starts_on:
        errors["ends_on"] = gettext("The last date must not be before the first.")
    if errors:
        raise ValidationError(errors)


def schedule_rrule(schedule) -> str:
    """The RFC 5545 RRULE of a schedule (without DTSTART: the dates start at `starts_on`)."""
    if schedule.frequency == "monthly_date":
        parts = ["FREQ=MONTHLY", f"BYMONTHDAY={int(schedule.day_of_month)}"]
    elif schedule.frequency == "monthly_weekday":
        day = WEEKDAY_CODES[schedule.weekday]
        weeks = sorted({int(week) for week in schedule.weeks}, key=lambda w: (w < 0, w))
        parts = ["FREQ=MONTHLY", "BYDAY=" + ",".join(f"{week:+d}{day}" for week in weeks)]
    else:
        parts = ["FREQ=WEEKLY", f"BYDAY={WEEKDAY_CODES[schedule.weekday]}"]
    if schedule.ends_on:
        parts.append(f"UNTIL={schedule.ends_on:%Y%m%d}T235959")
    return ";".join(parts)


@dataclass(frozen=True)
class Opening:
    """One date a place is open, from one of its schedules."""

    date: datetime.date
    start: datetime.time
    end: datetime.time
    schedule: object

    @property
    def weekday(self) -> int:
        return self.date.weekday()


def schedule_dates(schedule, *, start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The dates of a schedule from `start` to `end` (both included), holidays left out when
    the schedule says so."""
    first = max(start, schedule.starts_on) if schedule.starts_on else start
    if end < first or not schedule.rrule:
        return []
    anchor = schedule.starts_on or first
    return list(rule_dates(schedule.rrule, anchor, first, end, schedule.skip_holidays))


@functools.lru_cache(maxsize=4096)
def rule_dates(
    rrule: str, anchor: datetime.date, first: datetime.date, end: datetime.date, skip_holidays: bool
) -> tuple[datetime.date, ...]:
    """The dates an RFC 5545 rule starting on `anchor` falls on from `first` to `end` (both
    included), Japanese public holidays left out if asked. Used by places' schedules and by
    volunteering's shift series. Pure, so remembered: places sharing a rule (every Saturday…) on
    a day cost one expansion."""
    rule = rrulestr(rrule, dtstart=datetime.datetime.combine(anchor, datetime.time(0, 0)))
    dates = [
        moment.date()
        for moment in rule.between(
            datetime.datetime.combine(first, datetime.time(0, 0)),
            datetime.datetime.combine(end, datetime.time(23, 59, 59)),
            inc=True,
        )
    ]
    if skip_holidays:
        dates = [day for day in dates if not jpholiday.is_holiday(day)]
    return tuple(dates)


def schedule_describe(schedule) -> str:
    """ "2nd and 4th Saturday of the month, 11:00–14:00", in the current language."""
    times = f"{schedule.start_time:%H:%M}–{schedule.end_time:%H:%M}"
    weekday_label = ""
    if schedule.weekday is not None:
        weekday_label = str(type(schedule).Weekday(schedule.weekday).label)
    if schedule.frequency == "monthly_date":
        when = gettext("Every month on day %(day)s") % {"day": schedule.day_of_month}
    elif schedule.frequency == "monthly_weekday":
        labels = dict(WEEK_CHOICES)
        weeks = sorted({int(week) for week in schedule.weeks}, key=lambda w: (w < 0, w))
        joined = pgettext("weeks of the month", ", ").join(str(labels[w]) for w in weeks)
        when = gettext("%(weeks)s %(weekday)s of the month") % {
            "weeks": joined,
            "weekday": weekday_label,
        }
    else:
        when = gettext("Every %(weekday)s") % {"weekday": weekday_label}
    return f"{when} {times}"
