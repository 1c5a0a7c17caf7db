from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import expected_deliveries_generate_all


@db_periodic_task(crontab(hour="19", minute="10"))  # huey runs in UTC: 04:10 in Japan
def expected_deliveries_extend() -> int:
    """List the coming deliveries of scheduled (recurring) pledges; idempotent."""
    return expected_deliveries_generate_all()
