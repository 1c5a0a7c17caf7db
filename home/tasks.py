import time

from huey import crontab
from huey.contrib.djhuey import HUEY, periodic_task

HEARTBEAT_KEY = "ouendan:worker-heartbeat"


@periodic_task(crontab(minute="*"))
def worker_heartbeat() -> None:
    """Leave a timestamp each minute so /health/ can tell whether a worker is running."""
    HUEY.put(HEARTBEAT_KEY, time.time())
