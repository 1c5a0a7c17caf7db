"""Importing supporters from CSV/XLSX: check the whole file first, then write it all or nothing.

The flow: `member_import_create` stores the upload and queues the check (`member_import_validate`),
which reads every row, normalises it (members/normalise.py), matches it against existing
supporters and reports errors by spreadsheet line (header = line 1). After staff confirm
(`member_import_confirm`), `member_import_run` checks the file again against the database as it is
now and writes every row in one transaction with bulk_create / bulk_update.

Both steps stream the file and keep only lookup keys in memory, so 100,000 rows fit easily.
Both are safe to run again (huey delivers at most once, and a sweeper re-queues stuck imports):
a per-import cache lock stops two workers at once, finished imports are left alone, and a write
that died rolled back, so running it again starts from nothing.
"""

import datetime
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from ouendan.core.jobs import jobs_stuck

# members.tasks imports this module too: each uses the other's functions through the module
# (tasks.member_import_run_task), so either can be imported first without a cycle.
from . import tasks
from .import_checks import (  # noqa: F401 - some are re-exported for the goods import
    FORMULA_ESCAPES,
    MSG_DATA_CHANGED,
    MSG_FILE_TYPE,
    MSG_MISSING_COLUMNS,
    MSG_MISSING_FILE,
    MSG_MORE_ERRORS,
    MSG_MORE_WARNINGS,
    MSG_NO_ROWS,
    MSG_RUN_FAILED,
    _address,
    _Checker,
    _columns,
    _error,
    _Row,
)
from .import_files import member_import_file_delete
from .import_preview import ImportPreview
from .import_progress import (  # noqa: F401 - re-exported
    IN_PROGRESS,
    LOCK_SECONDS,
    _lock_key,
    _progress_key,
    _progress_report,
    member_import_locked,
    member_import_progress,
)
from .import_reading import (
    MSG_CSV,  # noqa: F401 - the goods import takes the file-level wording from here
    MSG_EMPTY,  # noqa: F401
    MSG_ENCODING,  # noqa: F401
    MSG_XLSX,  # noqa: F401
    ImportFileError,
    Table,
    csv_table,
    xlsx_table,
)
from .import_writing import supporters_insert as _supporters_insert
from .import_writing import supporters_update as _supporters_update
from .models import MemberImport, User

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000  # rows per bulk_create / bulk_update and per progress report
MAX_STORED_ERRORS = 1000  # the rest are only counted
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
STUCK_AFTER = datetime.timedelta(minutes=10)
EXTENSIONS = (".csv", ".xlsx")

Status = MemberImport.Status
FINISHED = (Status.INVALID, Status.DONE, Status.FAILED, Status.CANCELLED)

# --- Errors found by a run ----------------------------------------------------------------------


@dataclass
class _Errors:
    stored: list[dict] = field(default_factory=list)
    count: int = 0
    more_message: object = MSG_MORE_ERRORS

    def add(self, line: int | None, column: str, message, params: dict | None = None) -> None:
        self.count += 1
        if len(self.stored) < MAX_STORED_ERRORS:
            self.stored.append(_error(line, column, message, params))

    def as_json(self) -> list[dict]:
        if self.count > len(self.stored):
            more = self.count - len(self.stored)
            summary = _error(None, "", self.more_message, {"count": more})
            return [*self.stored, {**summary, "more": more}]
        return list(self.stored)


def member_import_error_count(*, member_import: MemberImport, warnings: bool = False) -> int:
    """All errors (or warnings) found, including those beyond what is stored."""
    stored = (member_import.warnings if warnings else member_import.errors) or []
    return sum(error.get("more", 1) for error in stored)


# --- Reading the file (members/import_reading.py) ----------------------------------------------


_csv_table = csv_table  # the goods import (donations/goods/transfer/) reads files this way
_xlsx_table = xlsx_table


def _table_open(member_import: MemberImport, raw) -> Table:
    name = member_import.original_name.lower()
    if name.endswith(".xlsx"):
        return xlsx_table(raw)
    if name.endswith(".csv"):
        return csv_table(raw)
    raise ImportFileError(MSG_FILE_TYPE)


# --- Services ----------------------------------------------------------------------------------


def member_import_create(*, upload: UploadedFile, user: User | None) -> MemberImport:
    """Store an uploaded file and queue its check once the row is committed."""
    original = upload.name or "members.csv"
    extension = original[original.rfind(".") :].lower() if "." in original else ""
    # The stored name is random: the upload holds personal data and must not be guessable.
    upload.name = f"{get_random_string(24)}{extension}"
    member_import = MemberImport.objects.create(
        file=upload, original_name=original[:255], created_by=user
    )
    transaction.on_commit(lambda: tasks.member_import_validate_task(member_import.pk))
    return member_import


def member_import_confirm(*, member_import_id: int) -> bool:
    """Staff confirmed a checked import: mark it importing and queue the write. False when it is
    not (or no longer) waiting for confirmation, e.g. a double click."""
    started = MemberImport.objects.filter(
        pk=member_import_id, status=Status.VALIDATED, file_deleted_at__isnull=True
    ).update(status=Status.IMPORTING, processed_rows=0)
    if started:
        transaction.on_commit(lambda: tasks.member_import_run_task(member_import_id))
    return bool(started)


def _finish(member_import: MemberImport, **changes) -> MemberImport:
    for name, value in changes.items():
        setattr(member_import, name, value)
    member_import.save(update_fields=list(changes))
    return member_import


def _iterate(
    member_import: MemberImport,
    errors: _Errors,
    report: Callable[[int, int], None],
    stats: dict,
    warnings: _Errors | None = None,
) -> Iterator[_Row]:
    """Every good row of the file, checked; file-level problems raise ImportFileError.

    `stats["rows"]` ends as the number of data rows (blank lines not counted).
    """
    if warnings is None:
        warnings = _Errors(more_message=MSG_MORE_WARNINGS)
    if not member_import.file or member_import.file_deleted_at:
        raise ImportFileError(MSG_MISSING_FILE)
    try:
        opened = member_import.file.open("rb")
    except OSError as exc:
        raise ImportFileError(MSG_MISSING_FILE) from exc
    with opened:
        raw = opened
        while isinstance(raw, File):  # the storage's own file object, for TextIOWrapper
            raw = raw.file
        table = _table_open(member_import, raw)
        try:
            checker = _Checker(_columns(table.headers), errors, warnings)
            total = table.estimated_rows
            for line, cells in table.rows:
                row = checker.check(line, cells)
                if row is not None:
                    yield row
                if line % BATCH_SIZE == 0:
                    report(line - 1, max(total, line - 1))
        finally:
            table.close()  # an XLSX workbook holds the zip open until closed
        stats["rows"] = checker.data_rows
        if not checker.data_rows:
            raise ImportFileError(MSG_NO_ROWS)


def member_import_validate(*, member_import_id: int) -> MemberImport:
    """Check an uploaded file without writing anything: counts of new and updated supporters and
    a preview of the first rows (members/import_preview.py), or every error by line and column.
    Does nothing to an import that is already past this step."""
    member_import = MemberImport.objects.get(pk=member_import_id)
    if member_import.status not in (Status.UPLOADED, Status.VALIDATING):
        return member_import
    if not cache.add(_lock_key(member_import_id), "validate", LOCK_SECONDS):
        return member_import  # another worker is checking it right now
    try:
        return _validate(member_import)
    finally:
        cache.delete(_lock_key(member_import_id))
        cache.delete(_progress_key(member_import_id))


def _validate(member_import: MemberImport) -> MemberImport:
    pk = member_import.pk
    _finish(member_import, status=Status.VALIDATING, processed_rows=0)
    errors = _Errors()
    warnings = _Errors(more_message=MSG_MORE_WARNINGS)

    def report(processed: int, total: int) -> None:
        # Committed per chunk: the check runs outside any transaction.
        MemberImport.objects.filter(pk=pk).update(processed_rows=processed, total_rows=total)
        _progress_report(pk, Status.VALIDATING, processed, total)

    created = updated = 0
    stats = {"rows": 0}
    preview = ImportPreview(warnings)
    try:
        for row in _iterate(member_import, errors, report, stats, warnings):
            preview.add(row)
            if row.target is None:
                created += 1
            else:
                updated += 1
    except ImportFileError as exc:
        errors.add(None, "", exc.message, exc.params)
    return _finish(
        member_import,
        status=Status.INVALID if errors.count else Status.VALIDATED,
        total_rows=stats["rows"],
        processed_rows=stats["rows"],
        created_count=created,
        updated_count=updated,
        errors=errors.as_json(),
        warnings=warnings.as_json(),
        # The first rows, for staff to look over before they confirm; bounded, one query.
        preview={} if errors.count else preview.as_json(),
        finished_at=timezone.now() if errors.count else None,
    )


class _RowsFailed(Exception):
    pass


def member_import_run(*, member_import_id: int) -> MemberImport:
    """Write a checked import in one transaction: every row or none.

    Runs only on a validated (or confirmed, "importing") import; a finished one is returned as is.
    """
    member_import = MemberImport.objects.get(pk=member_import_id)
    if member_import.status not in (Status.VALIDATED, Status.IMPORTING):
        return member_import
    if not cache.add(_lock_key(member_import_id), "run", LOCK_SECONDS):
        return member_import
    try:
        if member_import.status != Status.IMPORTING:
            _finish(member_import, status=Status.IMPORTING, processed_rows=0)
        return _run(member_import)
    finally:
        cache.delete(_lock_key(member_import_id))
        cache.delete(_progress_key(member_import_id))


def _run(member_import: MemberImport) -> MemberImport:
    pk = member_import.pk
    errors = _Errors()
    warnings = _Errors(more_message=MSG_MORE_WARNINGS)
    expected = member_import.total_rows
    counts = {"created": 0, "updated": 0}
    started = timezone.now()
    try:
        with transaction.atomic():
            # A second run waits here until the first commits, then finds it done.
            locked = MemberImport.objects.select_for_update().get(pk=pk)
            if locked.status != Status.IMPORTING:
                return locked
            _write(member_import, errors, warnings, expected, counts, started)
            if errors.count:
                raise _RowsFailed
            done = _finish(
                locked,
                status=Status.DONE,
                total_rows=counts["created"] + counts["updated"],
                processed_rows=counts["created"] + counts["updated"],
                created_count=counts["created"],
                updated_count=counts["updated"],
                errors=[],
                warnings=warnings.as_json(),
                finished_at=timezone.now(),
            )
        # Imported: the uploaded list (personal data) is not needed any more.
        member_import_file_delete(member_import=done)
        return done
    except _RowsFailed:
        stored = [_error(None, "", MSG_DATA_CHANGED), *errors.as_json()]
    except ImportFileError as exc:
        stored = [_error(None, "", exc.message, exc.params)]
    except Exception as exc:  # any database error: the transaction rolled back, report it
        logger.exception("Member import %s failed", pk)
        error = f"{type(exc).__name__}: {exc}"[:500]
        stored = [_error(None, "", MSG_RUN_FAILED, {"error": error})]
    MemberImport.objects.filter(pk=pk, status=Status.IMPORTING).update(
        status=Status.FAILED,
        processed_rows=0,
        errors=stored,
        finished_at=timezone.now(),
    )
    member_import.refresh_from_db()
    return member_import


def _write(
    member_import: MemberImport,
    errors: _Errors,
    warnings: _Errors,
    expected: int,
    counts: dict,
    now: datetime.datetime,
) -> None:
    pk = member_import.pk
    new: list[dict] = []
    changes: dict[int, dict] = {}
    update_fields: set[str] = {"updated_at"}
    done = 0

    def flush() -> None:
        nonlocal done
        if errors.count:
            new.clear()
            changes.clear()
            return  # the transaction will roll back: stop writing, keep collecting errors
        if new:
            _supporters_insert(new, now)
            counts["created"] += len(new)
        if changes:
            _supporters_update(changes, sorted(update_fields), now)
            counts["updated"] += len(changes)
        done += len(new) + len(changes)
        new.clear()
        changes.clear()
        _progress_report(pk, Status.IMPORTING, done, max(expected, done))

    for row in _iterate(member_import, errors, lambda processed, total: None, {}, warnings):
        if row.target is None:
            new.append({name: value for name, value in row.values.items() if value is not None})
        else:
            # Blank cells leave what we already hold; only filled cells overwrite it.
            values = {name: value for name, value in row.values.items() if value not in ("", None)}
            update_fields.update(values)
            changes[row.target] = values
        if len(new) + len(changes) >= BATCH_SIZE:
            flush()
    flush()


def member_import_stuck(*, older_than: datetime.timedelta = STUCK_AFTER) -> list[MemberImport]:
    """Imports left in a working state with no worker on them (no lock): their task was lost
    or the worker died. The sweeper queues them again."""
    return jobs_stuck(
        MemberImport.objects.all(),
        working=IN_PROGRESS,
        activity=["created_at"],
        older_than=older_than,
        alive=lambda item: member_import_locked(member_import_id=item.pk),
    )
