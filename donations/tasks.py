import datetime

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .services import stripe_event_pending_ids, stripe_event_process, stripe_reconcile
from .stripe_api import stripe_configured


@db_task()
def stripe_event_handle(event_id: int) -> str:
    return stripe_event_process(event_id=event_id)


@db_periodic_task(crontab(minute="*"))
def stripe_event_sweep() -> None:
    """Re-queue events still pending: their task was lost, or they arrived before the object
    they refer to and are waiting for it."""
    for event_id in stripe_event_pending_ids():
        stripe_event_handle(event_id)


@db_periodic_task(crontab(hour="18", minute="30"))  # huey runs in UTC: 03:30 in Japan
def stripe_reconcile_daily() -> None:
    if stripe_configured():
        stripe_reconcile(since=timezone.now() - datetime.timedelta(days=3))
