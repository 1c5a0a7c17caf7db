from huey import crontab
from huey.contrib.djhuey import db_task

from ouendan.core.periodic import periodic_task_once

from .batches import receipt_batch_run, receipt_batch_stuck


@db_task()
def receipt_batch_task(batch_id: int) -> str:
    return receipt_batch_run(batch_id=batch_id)


@periodic_task_once(crontab(minute="*/5"))
def receipt_batch_sweep() -> None:
    """Resume batches whose task was lost (worker stopped): they continue from the last chunk."""
    for batch_id in receipt_batch_stuck():
        receipt_batch_task(batch_id)
