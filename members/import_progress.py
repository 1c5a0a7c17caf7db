"""Progress and locks of member imports, shared by the worker and the admin's progress bar.

A per-import cache lock stops two workers at once; while the write transaction runs, its progress
is invisible in the database, so the worker reports it through the cache as well.
"""

from django.core.cache import cache
from django.utils.translation import gettext as _

from ouendan.core.jobs import job_progress

from .models import MemberImport

LOCK_SECONDS = 10 * 60  # renewed on every batch; a dead worker's lock expires by itself

Status = MemberImport.Status
IN_PROGRESS = (Status.UPLOADED, Status.VALIDATING, Status.IMPORTING)


def _progress_key(pk: int) -> str:
    return f"member-import:{pk}:progress"


def _lock_key(pk: int) -> str:
    return f"member-import:{pk}:lock"


def member_import_locked(*, member_import_id: int) -> bool:
    """A worker is checking or writing this import right now."""
    return cache.get(_lock_key(member_import_id)) is not None


def _progress_report(pk: int, status: str, processed: int, total: int) -> None:
    cache.set(
        _progress_key(pk),
        {"status": status, "processed_rows": processed, "total_rows": total},
        LOCK_SECONDS,
    )
    cache.touch(_lock_key(pk), LOCK_SECONDS)


def member_import_status_label(*, member_import: MemberImport, status: str | None = None) -> str:
    """The status as staff read it; a finished import says what it did ("Imported: 12 new,
    3 updated"). `status` overrides the stored one (the worker's report while it runs)."""
    status = status or member_import.status
    if status == Status.DONE:
        return _("Imported: %(created)s new, %(updated)s updated") % {
            "created": f"{member_import.created_count:,}",
            "updated": f"{member_import.updated_count:,}",
        }
    return str(Status(status).label)


def member_import_progress(*, member_import_id: int) -> dict:
    """Status and row counts for the admin's progress bar.

    While the write transaction runs, its progress is invisible in the database, so the worker
    reports it through the cache; the database row is the fallback and has the final word.
    """
    member_import = MemberImport.objects.get(pk=member_import_id)
    status = member_import.status
    processed, total = member_import.processed_rows, member_import.total_rows
    cached = cache.get(_progress_key(member_import_id))
    if cached and status in IN_PROGRESS and cached.get("status") in IN_PROGRESS:
        status = cached["status"]
        processed, total = cached["processed_rows"], cached["total_rows"]
    return job_progress(
        status=status,
        status_label=member_import_status_label(member_import=member_import, status=status),
        processed=processed,
        total=total,
        finished=status not in IN_PROGRESS,
    )
