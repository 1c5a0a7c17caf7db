import datetime

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_task

from ouendan.core.periodic import periodic_task_once

# Side effects of recorded gifts and their sweeper live in effects.py; imported here so the
# worker registers them (huey's autodiscovery loads tasks modules only).
from .checkout_donor import checkout_request_details_prune
from .effects import donation_effects_sweep, donation_effects_task  # noqa: F401
from .services import stripe_event_payload_prune
from .stripe_api import stripe_configured
from .stripe_inbox import stripe_event_pending_ids, stripe_event_process, stripe_reconcile


@db_task()
def stripe_event_handle(event_id: int) -> str:
    return stripe_event_process(event_id=event_id)


@periodic_task_once(crontab(minute="*"))
def stripe_event_sweep() -> None:
    """Re-queue pending events whose task was lost, and waiting events (they arrived before
    the object they refer to) whose next attempt, with back-off, is due."""
    for event_id in stripe_event_pending_ids():
        stripe_event_handle(event_id)


@periodic_task_once(crontab(hour="18", minute="30"))  # huey runs in UTC: 03:30 in Japan
def stripe_reconcile_daily() -> None:
    if stripe_configured():
        stripe_reconcile(since=timezone.now() - datetime.timedelta(days=3))


@periodic_task_once(crontab(hour="18", minute="50"))  # 03:50 in Japan
def stripe_event_payload_prune_daily() -> int:
    """Drop the personal data in Stripe events once they are old and done with."""
    return stripe_event_payload_prune()


@periodic_task_once(crontab(hour="18", minute="55"))  # 03:55 in Japan
def checkout_request_details_prune_daily() -> int:
    """Forget what the donate form kept about donors once no payment can still arrive."""
    return checkout_request_details_prune()
