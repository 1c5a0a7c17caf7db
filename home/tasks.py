from django.core.management import call_command
from huey import crontab

from ouendan.core.periodic import periodic_task_once


@periodic_task_once(crontab(minute="*"))
def pages_publish_scheduled() -> None:
    """Publish pages whose go-live time has come and unpublish expired ones (Wagtail's
    scheduled publishing needs this run regularly; the worker does it, so no cron is needed)."""
    call_command("publish_scheduled", verbosity=0)
