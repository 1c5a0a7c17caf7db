"""Background jobs of the campaigns app (huey). Each task loads by id and calls a service."""

from huey import crontab
from huey.contrib.djhuey import db_task

from ouendan.core.periodic import periodic_task_once

from .gift_effects import campaign_goal_thanks_unfinished
from .thanks import (
    campaign_goal_thank_donors,
    donation_thank_send,
    thank_you_batch_run,
    thank_you_batch_stuck,
)


@db_task(retries=3, retry_delay=60)
def donation_thank(donation_id: int) -> None:
    """Thank the donor for one gift. Safe to run twice. (Gifts are now thanked through
    donations.signals.gift_recorded; kept so tasks queued before that change still run.)"""
    donation_thank_send(donation_id=donation_id)


@db_task(retries=3, retry_delay=60)
def campaign_goal_thank_task(campaign_id: int) -> int:
    return campaign_goal_thank_donors(campaign_id=campaign_id)


@db_task(retries=3, retry_delay=60)
def thank_you_batch_task(batch_id: int) -> int:
    return thank_you_batch_run(batch_id=batch_id)


@periodic_task_once(crontab(minute="*/5"))
def thank_you_batch_sweep() -> None:
    """Run again the bulk thank-yous whose task was lost; recipients already done are skipped."""
    for batch_id in thank_you_batch_stuck():
        thank_you_batch_task(batch_id)


@periodic_task_once(crontab(minute="*/5"))
def campaign_goal_thanks_sweep() -> None:
    """Thank the donors of a reached goal whose task was lost; donors already thanked are
    skipped."""
    for campaign_id in campaign_goal_thanks_unfinished():
        campaign_goal_thank_task(campaign_id)
