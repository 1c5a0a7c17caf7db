"""Calendar months of the funding reports. A month is the date of its first day
(`datetime.date(2026, 4, 1)`), months are Asia/Tokyo calendar months, ranges include both end
months; month arithmetic is dateutil's relativedelta.

A month is *in progress* until it has ended in Tokyo: the current month (and any later one).
Its figures are still filling up, so the reports mark it and leave it out of every rate
(retention, share of running costs): 19 monthly donors who simply have not paid yet on the 1st
are not 19 lost donors."""

import datetime
import zoneinfo

from dateutil.relativedelta import relativedelta

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def tokyo_today(now: datetime.datetime) -> datetime.date:
    """The date in Tokyo at the instant `now` (an aware datetime)."""
    return now.astimezone(TOKYO).date()


def month_in_progress(month: datetime.date, *, today: datetime.date) -> bool:
    """Whether `month` has not ended yet on `today` (a Tokyo date): this month or a later one."""
    return month_floor(month) >= month_floor(today)


def month_floor(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, day.month, 1)


def month_list(*, start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """Every month from start to end, both included."""
    months, month = [], month_floor(start)
    while month <= end:
        months.append(month)
        month += relativedelta(months=1)
    return months


def month_start_at(month: datetime.date) -> datetime.datetime:
    """The instant a Tokyo month begins."""
    return datetime.datetime(month.year, month.month, 1, tzinfo=TOKYO)


def as_month(value) -> datetime.date:
    """A TruncMonth result (aware datetime on PostgreSQL and SQLite, date for DateFields)."""
    if isinstance(value, datetime.datetime):
        value = value.astimezone(TOKYO) if value.tzinfo else value
        return datetime.date(value.year, value.month, 1)
    return month_floor(value)
