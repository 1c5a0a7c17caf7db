"""Uploaded member lists hold personal data: each file is deleted once it is no longer needed.

A file goes as soon as its rows are imported or staff cancel the import, and in any case 24 hours
after the upload (checked, failed or never confirmed alike), so that the rows of people who are
later anonymised do not live on in an old spreadsheet. An hourly task (members/tasks.py) does the
sweeping; every step is safe to repeat.
"""

import datetime
import logging

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .import_checks import _error
from .import_progress import IN_PROGRESS, member_import_locked
from .models import MemberImport

logger = logging.getLogger(__name__)

FILE_KEPT_FOR = datetime.timedelta(hours=24)
PURGE_BATCH = 500

Status = MemberImport.Status

MSG_FILE_EXPIRED = _(
    "The uploaded file was deleted 24 hours after the upload without being imported. "
    "Upload it again to import it."
)


def member_import_file_delete(*, member_import: MemberImport) -> bool:
    """Delete an import's uploaded file (and its preview of rows) and note when. True when this
    call deleted it.

    The file goes first and the time is noted after, so a crash in between leaves a row the next
    sweep finishes (a missing file is no error), never a file marked as gone.
    """
    if member_import.file_deleted_at is not None:
        return False
    if member_import.file.name:
        member_import.file.storage.delete(member_import.file.name)
    now = timezone.now()
    # The preview holds rows of the file: it goes with it.
    deleted = MemberImport.objects.filter(pk=member_import.pk, file_deleted_at__isnull=True).update(
        file_deleted_at=now, preview={}
    )
    member_import.file_deleted_at = now
    member_import.preview = {}
    return bool(deleted)


def member_import_cancel(*, member_import_id: int) -> bool:
    """Staff discard an import: one waiting for confirmation becomes "cancelled"; a checked one
    with errors, or a failed one, keeps its status. Its file is deleted at once. False while the
    import is being checked or written (or for one already imported)."""
    cancelled = MemberImport.objects.filter(pk=member_import_id, status=Status.VALIDATED).update(
        status=Status.CANCELLED, finished_at=timezone.now()
    )
    member_import = MemberImport.objects.get(pk=member_import_id)
    if not cancelled and member_import.status not in (
        Status.INVALID,
        Status.FAILED,
        Status.CANCELLED,
    ):
        return False
    member_import_file_delete(member_import=member_import)
    return True


def member_import_files_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete every upload that is imported, cancelled or older than FILE_KEPT_FOR; the number
    deleted. An import still waiting (or stuck) after that long is closed, since nothing can be
    imported without its file; one a worker is on right now is left to finish first."""
    now = now or timezone.now()
    due = MemberImport.objects.filter(file_deleted_at__isnull=True).filter(
        Q(status__in=[Status.DONE, Status.CANCELLED]) | Q(created_at__lt=now - FILE_KEPT_FOR)
    )
    deleted = 0
    # A bounded list, not a cursor: rows are updated on the way (SQLite has no isolation between
    # queries of one connection), and whatever is left waits for the next hour.
    for member_import in list(due.order_by("pk")[:PURGE_BATCH]):
        status = member_import.status
        if status in (Status.VALIDATED, *IN_PROGRESS):
            if status in IN_PROGRESS and member_import_locked(member_import_id=member_import.pk):
                continue  # being checked or written: deleted on a later round
            closed = MemberImport.objects.filter(pk=member_import.pk, status=status).update(
                status=Status.CANCELLED if status == Status.VALIDATED else Status.FAILED,
                errors=[_error(None, "", MSG_FILE_EXPIRED)],
                processed_rows=0,
                finished_at=now,
            )
            if not closed:
                continue  # it moved on meanwhile (confirmed, finished): look again next round
        try:
            deleted += member_import_file_delete(member_import=member_import)
        except OSError:
            logger.exception("Could not delete the file of member import %s", member_import.pk)
    return deleted
