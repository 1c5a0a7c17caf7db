"""Background jobs of the members app (huey). Each task loads by id and calls a service."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_task

from ouendan.core.periodic import periodic_task_once

# members.imports queues these tasks: used through the module (imports.member_import_run), so
# either module can be imported first without a cycle.
from . import imports
from .import_files import member_import_files_purge
from .models import MemberImport
from .reminders import membership_reminders_queue
from .services import membership_lapse_overdue

# --- Member imports ----------------------------------------------------------------------------


@db_task()
def member_import_validate_task(member_import_id: int) -> None:
    imports.member_import_validate(member_import_id=member_import_id)


@db_task()
def member_import_run_task(member_import_id: int) -> None:
    imports.member_import_run(member_import_id=member_import_id)


@periodic_task_once(crontab(minute="*/5"))
def member_import_sweep() -> None:
    """Queue again the imports whose task was lost; both services are safe to repeat."""
    for member_import in imports.member_import_stuck():
        if member_import.status == MemberImport.Status.IMPORTING:
            member_import_run_task(member_import.pk)
        else:
            member_import_validate_task(member_import.pk)


@periodic_task_once(crontab(minute="17"))
def member_import_files_purge_hourly() -> int:
    """Delete uploaded member lists once imported, cancelled or a day old (personal data)."""
    return member_import_files_purge()


# --- Renewal reminders and lapsing (members/reminders.py, members/services.py) -----------------
# huey runs with utc=True, so crontab times are UTC: 00:00 UTC = 09:00 Asia/Tokyo (no DST).


@periodic_task_once(crontab(hour="0", minute="0"))
def membership_reminders_daily() -> int:
    """09:00 JST: e-mail members whose membership renews in 30 or 7 days (once each)."""
    return membership_reminders_queue(today=timezone.localdate())


@periodic_task_once(crontab(hour="15", minute="10"))
def membership_lapse_daily() -> int:
    """00:10 JST: active memberships past their renewal date become lapsed."""
    return membership_lapse_overdue(today=timezone.localdate())
