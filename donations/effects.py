"""Side effects of a recorded gift (thank-you, campaign caches, goal check), recoverable.

`donation_record` leaves `Donation.effects_done_at` empty and queues `donation_effects_task` on
commit. The task sends `gift_recorded` and only then sets the marker, so a task lost with a killed
worker, or a receiver that failed, leaves the gift for `donation_effects_sweep` to run again. The
receivers are idempotent (the thank-you is claimed once in its log and queued once in the
outbox), so running them twice never thanks twice.
"""

import datetime
import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_task

from ouendan.core.periodic import periodic_task_once

from .models import Donation
from .signals import gift_recorded

logger = logging.getLogger(__name__)

# A gift younger than this still has its own task coming; the sweeper leaves it alone.
EFFECTS_GRACE = datetime.timedelta(minutes=2)


def donation_effects_run(*, donation_id: int) -> bool:
    """Run every side effect of one recorded gift, then mark it done. Returns False when there
    was nothing to do (no such gift, or already done)."""
    donation = (
        Donation.objects.select_related("supporter", "campaign")
        .filter(pk=donation_id, effects_done_at__isnull=True)
        .first()
    )
    if donation is None:
        return False
    # send(), not send_robust(): a failing receiver must leave the marker empty for the sweeper.
    gift_recorded.send(sender=Donation, donation=donation)
    Donation.objects.filter(pk=donation_id, effects_done_at__isnull=True).update(
        effects_done_at=timezone.now()
    )
    return True


def donation_effects_pending_ids(*, older_than: datetime.timedelta = EFFECTS_GRACE) -> list[int]:
    """Gifts recorded a while ago whose side effects were never confirmed."""
    cutoff = timezone.now() - older_than
    return list(
        Donation.objects.filter(effects_done_at__isnull=True, created_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )


@db_task(retries=3, retry_delay=60)
def donation_effects_task(donation_id: int) -> bool:
    return donation_effects_run(donation_id=donation_id)


@periodic_task_once(crontab(minute="*/5"))
def donation_effects_sweep() -> int:
    """Run the side effects of gifts whose task was lost (worker killed) or failed."""
    pending = donation_effects_pending_ids()
    for donation_id in pending:
        donation_effects_task(donation_id)
    if pending:
        logger.info("Re-queued the side effects of %s gifts", len(pending))
    return len(pending)
