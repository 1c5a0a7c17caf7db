from huey import crontab

from ouendan.core.periodic import periodic_task_once

from .services import expected_deliveries_generate_all


@periodic_task_once(crontab(hour="19", minute="10"))  # huey runs in UTC: 04:10 in Japan
def expected_deliveries_extend() -> int:
    """List the coming deliveries of scheduled (recurring) pledges; idempotent."""
    return expected_deliveries_generate_all()
