"""Background jobs of the campaigns app (huey). Each task loads by id and calls a service."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .thanks import (
    campaign_goal_thank_donors,
    donation_thank_send,
    thank_you_batch_run,
    thank_you_batch_stuck,
)


@db_task(retries=3, retry_delay=60)
def donation_thank(donation_id: int) -> None:
    """Thank the donor for one gift (queued when the gift is recorded). Safe to run twice."""
    donation_thank_send(donation_id=donation_id)


@db_task(retries=3, retry_delay=60)
def campaign_goal_thank_task(campaign_id: int) -> int:
    return campaign_goal_thank_donors(campaign_id=campaign_id)


@db_task(retries=3, retry_delay=60)
def thank_you_batch_task(batch_id: int) -> int:
    return thank_you_batch_run(batch_id=batch_id)


@db_periodic_task(crontab(minute="*/5"))
def thank_you_batch_sweep() -> None:
    """Run again the bulk thank-yous whose task was lost; recipients already done are skipped."""
    for batch_id in thank_you_batch_stuck():
        thank_you_batch_task(batch_id)
