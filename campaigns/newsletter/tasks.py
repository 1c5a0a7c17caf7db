"""Background jobs of mail news (huey): start a mailing at its time, send it in batches, and
sweep up mailings whose task was lost or whose worker died."""

import datetime

from huey import crontab
from huey.contrib.djhuey import db_task

from ouendan.core.periodic import periodic_task_once

from .selectors import mailings_due, mailings_stalled
from .services import mailing_send_batch, mailing_start

STALLED_AFTER = datetime.timedelta(minutes=3)


@db_task()
def mailing_start_task(mailing_id: int) -> None:
    mailing_start(mailing_id=mailing_id)


@db_task()
def mailing_batch_task(mailing_id: int) -> None:
    if mailing_send_batch(mailing_id=mailing_id):
        mailing_batch_task(mailing_id)  # the next batch, queued behind other work


@periodic_task_once(crontab(minute="*"))
def mailing_sweep() -> None:
    """Start mailings whose time has come (a scheduled task may be lost), and move on those
    that stopped (worker killed): their rows still pending are sent, rows left 'being sent'
    are not (they may have gone out)."""
    for mailing_id in mailings_due():
        mailing_start_task(mailing_id)
    for mailing_id in mailings_stalled(older_than=STALLED_AFTER):
        mailing_batch_task(mailing_id)
