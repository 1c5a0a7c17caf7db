"""Volunteering's background jobs (huey). Each one calls a service; all are safe to repeat."""

import datetime

from django.utils import timezone
from huey import crontab

from ouendan.core.periodic import periodic_task_once

from .recurrence import shift_series_generate_all
from .reminders import shift_reminders_queue

SERIES_WINDOW_DAYS = 90

# huey runs with utc=True: crontab times are UTC. 09:00 UTC = 18:00 Asia/Tokyo.


@periodic_task_once(crontab(hour="9", minute="0"))
def shift_reminders_daily(now: datetime.datetime | None = None) -> int:
    """18:00 JST: remind everyone with a confirmed shift tomorrow (once per sign-up)."""
    return shift_reminders_queue(now=now or timezone.now())


@periodic_task_once(crontab(hour="16", minute="20"))
def shift_series_generate_daily() -> int:
    """01:20 JST: keep the next 90 days of every active series generated."""
    today = timezone.localdate()
    return shift_series_generate_all(
        start=today, end=today + datetime.timedelta(days=SERIES_WINDOW_DAYS)
    )
