"""Periodic tasks that run once per period however many huey workers run.

Every huey consumer runs its own scheduler and enqueues every periodic task each time its
crontab matches: with two workers each period's task would run twice. `periodic_task_once` below
is huey's db_periodic_task plus a claim: before the task's body runs, it inserts a
PeriodicTaskRun row keyed by (task name, period start); the unique constraint lets one insert
win (SQLite or PostgreSQL, no Redis lock needed) and the others skip the period.

The period start is the latest minute at or before now (UTC, as huey's schedule) that the
crontab matches, so a worker that picks the task up a little late still claims the same period.
Tasks that run every minute have one-minute periods: a run delayed past the next minute counts
as the next period's (those tasks are idempotent sweepers). Tests call tasks directly and may
call one twice in a minute: PERIODIC_TASKS_ONCE is off in the test settings except where a test
turns it on.
"""

import datetime
import functools
import logging
import os
import socket

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from huey.contrib.djhuey import db_periodic_task

from .models import PeriodicTaskRun

logger = logging.getLogger(__name__)

KEEP_DAYS = 7  # claims older than this are deleted as new ones are made
CLAIMED_TASKS: set[str] = set()  # "module.function" of every task wrapped below
_LOOK_BACK_MINUTES = 7 * 24 * 60  # the longest period a crontab of ours has (a week)


def period_start(validate_datetime, now: datetime.datetime | None = None) -> datetime.datetime:
    """The latest minute ≤ now (UTC) that the crontab matches; now's minute if none matches."""
    now = now or timezone.now()
    minute = now.astimezone(datetime.UTC).replace(second=0, microsecond=0, tzinfo=None)
    for back in range(_LOOK_BACK_MINUTES):
        candidate = minute - datetime.timedelta(minutes=back)
        if validate_datetime(candidate):
            return candidate.replace(tzinfo=datetime.UTC)
    return minute.replace(tzinfo=datetime.UTC)


def periodic_claim(*, task: str, start: datetime.datetime) -> bool:
    """True for the first caller of (task, start), False for every other."""
    try:
        with transaction.atomic():
            PeriodicTaskRun.objects.create(
                task=task, period_start=start, worker=f"{socket.gethostname()}:{os.getpid()}"
            )
    except IntegrityError:
        return False
    PeriodicTaskRun.objects.filter(
        task=task, period_start__lt=start - datetime.timedelta(days=KEEP_DAYS)
    ).delete()
    return True


def once_per_period(validate_datetime):
    """Run the decorated function only if this call claims the current period."""

    def decorator(fn):
        name = f"{fn.__module__}.{fn.__name__}"

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if getattr(settings, "PERIODIC_TASKS_ONCE", True) and not periodic_claim(
                task=name, start=period_start(validate_datetime)
            ):
                logger.debug("%s: this period already ran on another worker", name)
                return None
            return fn(*args, **kwargs)

        CLAIMED_TASKS.add(name)
        return wrapper

    return decorator


def periodic_task_once(validate_datetime, **kwargs):
    """huey's db_periodic_task, run once per period across all workers."""

    def decorator(fn):
        return db_periodic_task(validate_datetime, **kwargs)(once_per_period(validate_datetime)(fn))

    return decorator
