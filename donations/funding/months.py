"""Calendar months of the funding reports. A month is the date of its first day
(`datetime.date(2026, 4, 1)`), months are Asia/Tokyo calendar months, ranges include both end
months; month arithmetic is dateutil's relativedelta."""

import datetime
import zoneinfo

from dateutil.relativedelta import relativedelta

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


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
