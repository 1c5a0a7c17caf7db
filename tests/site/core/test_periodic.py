"""Periodic tasks run once per period however many huey workers enqueue them."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils.module_loading import autodiscover_modules
from huey import crontab
from huey.contrib.djhuey import HUEY

from ouendan.core.models import PeriodicTaskRun
from ouendan.core.periodic import CLAIMED_TASKS, once_per_period, period_start

UTC = datetime.UTC


def test_every_periodic_task_claims_its_period():
    autodiscover_modules("tasks")  # as run_huey does: every app's tasks module
    registered = {f"{task.__module__}.{task.__name__}" for task in HUEY._registry._periodic_tasks}
    assert len(registered) >= 15  # heartbeat, sweepers, reconcile, publishing, pruning...
    assert registered <= CLAIMED_TASKS, registered - CLAIMED_TASKS


@pytest.mark.parametrize(
    ("schedule", "now", "start"),
    [
        (crontab(minute="*"), (10, 7, 31), (10, 7)),
        (crontab(minute="*/5"), (10, 7, 31), (10, 5)),  # picked up two minutes late: same period
        (crontab(minute="17"), (10, 7, 0), (9, 17)),
        (crontab(hour="18", minute="30"), (18, 31, 5), (18, 30)),
    ],
)
def test_the_period_starts_at_the_latest_scheduled_minute(schedule, now, start):
    at = datetime.datetime(2026, 12, 2, *now, tzinfo=UTC)
    assert period_start(schedule, at) == datetime.datetime(2026, 12, 2, *start, tzinfo=UTC)


def test_a_daily_task_run_after_midnight_belongs_to_yesterdays_period():
    at = datetime.datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    expected = datetime.datetime(2026, 12, 1, 18, 30, tzinfo=UTC)
    assert period_start(crontab(hour="18", minute="30"), at) == expected


@pytest.mark.django_db(transaction=True)
def test_eight_workers_calling_the_same_period_run_it_once(settings):
    settings.PERIODIC_TASKS_ONCE = True
    runs = []

    @once_per_period(crontab(minute="*/5"))
    def sweep():
        runs.append(threading.get_ident())

    barrier = threading.Barrier(8)
    errors = []

    def worker():
        try:
            barrier.wait()
            sweep()
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(runs) == 1
    assert PeriodicTaskRun.objects.filter(task__endswith="sweep").count() == 1


@pytest.mark.django_db
def test_the_next_period_runs_again_and_old_claims_are_pruned(settings, monkeypatch):
    settings.PERIODIC_TASKS_ONCE = True
    calls = []

    @once_per_period(crontab(minute="*"))
    def tick():
        calls.append(1)

    import ouendan.core.periodic as periodic  # the clock the claim reads

    first = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    for minutes in (0, 0, 1, 1, 60 * 24 * 8):
        at = first + datetime.timedelta(minutes=minutes)
        monkeypatch.setattr(periodic.timezone, "now", lambda at=at: at)
        tick()
    assert len(calls) == 3  # minutes 0, 1 and eight days later
    assert PeriodicTaskRun.objects.count() == 1  # the week-old claims are gone
