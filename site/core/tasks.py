"""Background jobs of the bottom layer (huey): outbox delivery and the worker heartbeat."""

import time

from huey import crontab
from huey.contrib.djhuey import HUEY, db_task

from .mail import outgoing_email_send
from .models import OutgoingEmail
from .periodic import periodic_task_once
from .selectors import outgoing_email_pending_ids

HEARTBEAT_KEY = "ouendan:worker-heartbeat"


@periodic_task_once(crontab(minute="*"))
def worker_heartbeat() -> None:
    """Leave a timestamp each minute so /health/ can tell whether a worker is running."""
    HUEY.put(HEARTBEAT_KEY, time.time())


@db_task(retries=3, retry_delay=60)
def outgoing_email_deliver(email_id: int) -> None:
    if outgoing_email_send(email_id=email_id) == OutgoingEmail.Status.PENDING:
        raise RuntimeError(f"e-mail {email_id} not sent yet")  # let huey retry it later


@periodic_task_once(crontab(minute="*/5"))
def outgoing_email_sweep() -> None:
    """Re-queue messages whose delivery task was lost (worker killed) or ran out of retries.
    This also picks up messages queued under the task's old name (home.tasks) before a deploy."""
    for email_id in outgoing_email_pending_ids():
        outgoing_email_deliver(email_id)
