"""A year's annual certificates (寄附金受領証明書) for every donor, made by a huey task in chunks
that each commit, so a stopped worker resumes where it was; then a ZIP of the certificates of
donors without e-mail, for posting."""

import datetime
import logging
import tempfile
import zipfile
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from donations.models import Donation
from members.models import Supporter
from ouendan.core.exports import spreadsheet_csv
from ouendan.core.jobs import job_progress, jobs_stuck

from .models import Receipt, ReceiptBatch, ReceiptKind
from .selectors import (
    issuer_snapshot,
    receipt_batch_donor_ids,
    receipt_eligible_gifts,
    receipt_portal_url,
    year_bounds,
)
from .services import (
    ReceiptError,
    receipt_issue_annual,
    receipt_issuer_check,
    receipt_notify,
    receipt_pdf_ensure,
    receipt_year_check,
)

logger = logging.getLogger(__name__)

BATCH_CHUNK = 200
# A pending or running batch with no saved chunk for this long has lost its task (worker stopped).
BATCH_STALE_AFTER = datetime.timedelta(minutes=10)


def receipt_batch_start(
    *, year: int, user=None, confirm_unfinished_year: bool = False
) -> tuple[ReceiptBatch, bool]:
    """Start generating a year's certificates in the background. A batch already under way
    for that year is returned instead of starting a second one. Returns (batch, created).
    A year that has not ended needs `confirm_unfinished_year` (provisional certificates)."""
    # Here, not at the top: tasks.py imports this module (a true cycle).
    from .tasks import receipt_batch_task

    this_year = timezone.localdate().year
    if not 2000 <= year <= this_year:
        raise ReceiptError(_("Choose a year up to %(year)s.") % {"year": this_year})
    receipt_year_check(year=year, confirm_unfinished_year=confirm_unfinished_year)
    receipt_issuer_check(issuer=issuer_snapshot())
    with transaction.atomic():
        running = (
            ReceiptBatch.objects.select_for_update()
            .filter(
                year=year, status__in=[ReceiptBatch.Status.PENDING, ReceiptBatch.Status.RUNNING]
            )
            .first()
        )
        if running:
            return running, False
        batch = ReceiptBatch.objects.create(
            year=year, created_by=user, total=len(receipt_batch_donor_ids(year=year))
        )
    transaction.on_commit(lambda: receipt_batch_task(batch.pk))
    return batch, True


@dataclass
class _ChunkCounts:
    issued: int = 0
    skipped: int = 0
    emailed: int = 0
    postal: int = 0


def _batch_chunk(
    batch: ReceiptBatch, supporter_ids: list[int], issuer: dict, portal_urls: dict[str, str]
) -> _ChunkCounts:
    counts = _ChunkCounts()
    start, end = year_bounds(batch.year)
    gifts_by_donor: dict[int, list[Donation]] = defaultdict(list)
    for gift in (
        receipt_eligible_gifts()
        .filter(supporter_id__in=supporter_ids, paid_at__gte=start, paid_at__lt=end)
        .order_by("paid_at", "pk")
    ):
        gifts_by_donor[gift.supporter_id].append(gift)
    supporters = Supporter.objects.in_bulk(supporter_ids)
    for supporter_id in supporter_ids:
        # One transaction per donor: number, certificate, PDF and e-mail together, one commit.
        with transaction.atomic():
            receipt, created = receipt_issue_annual(
                supporter=supporters[supporter_id],
                year=batch.year,
                batch=batch,
                gifts=gifts_by_donor[supporter_id],
                issuer=issuer,
                render=False,
                # receipt_batch_start refused a year still under way unless staff confirmed
                # it, so a batch of such a year exists only when confirmed.
                confirm_unfinished_year=True,
            )
            if not created and receipt.batch_id != batch.pk:
                counts.skipped += 1
                continue
            counts.issued += 1  # new, or left by an interrupted run of this batch
            receipt_pdf_ensure(receipt=receipt)
            if receipt_notify(receipt=receipt, portal_urls=portal_urls):
                counts.emailed += 1
            else:
                counts.postal += 1
    return counts


MAX_BATCH_FAILURES = 5


def receipt_batch_run(
    *, batch_id: int, chunk_size: int = BATCH_CHUNK, max_chunks: int | None = None
) -> str:
    """Work through a batch chunk by chunk, saving progress after each. Safe to run again at
    any point: donors who already have a valid certificate for the year are skipped."""
    batch = ReceiptBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.status in (ReceiptBatch.Status.DONE, ReceiptBatch.Status.FAILED):
        return batch.status if batch else ReceiptBatch.Status.FAILED
    ReceiptBatch.objects.filter(pk=batch.pk).update(
        status=ReceiptBatch.Status.RUNNING, updated_at=timezone.now()
    )
    issuer = issuer_snapshot()
    portal_urls = {code: receipt_portal_url(code) for code, _name in settings.LANGUAGES}
    chunks = 0
    try:
        while max_chunks is None or chunks < max_chunks:
            ids = receipt_batch_donor_ids(
                year=batch.year, after_id=batch.last_supporter_id, limit=chunk_size
            )
            if not ids:
                receipt_batch_finish(batch=batch)
                return ReceiptBatch.Status.DONE
            counts = _batch_chunk(batch, ids, issuer, portal_urls)
            batch.last_supporter_id = ids[-1]
            batch.processed += len(ids)
            batch.total = max(batch.total, batch.processed)
            batch.issued_count += counts.issued
            batch.skipped_count += counts.skipped
            batch.emailed_count += counts.emailed
            batch.postal_count += counts.postal
            batch.status = ReceiptBatch.Status.RUNNING
            batch.save()
            chunks += 1
    except Exception as exc:
        logger.exception("Receipt batch %s stopped", batch.pk)
        ReceiptBatch.objects.filter(pk=batch.pk).update(
            last_error=f"{type(exc).__name__}: {exc}"[:2000], failures=F("failures") + 1
        )
        # The sweeper runs it again from the last saved chunk; a batch that keeps failing stops,
        # so staff see the error and can start a new one for the year.
        ReceiptBatch.objects.filter(pk=batch.pk, failures__gte=MAX_BATCH_FAILURES).update(
            status=ReceiptBatch.Status.FAILED
        )
        raise
    return batch.status


def receipt_batch_progress(*, batch: ReceiptBatch) -> dict:
    """The batch page's progress and its JSON endpoint (ouendan.core.jobs shape); `counts` are
    the certificates issued, skipped, e-mailed and to post so far."""
    return job_progress(
        status=batch.status,
        status_label=batch.get_status_display(),
        processed=batch.processed,
        total=batch.total,
        finished=batch.finished,
        counts={
            "issued": batch.issued_count,
            "skipped": batch.skipped_count,
            "emailed": batch.emailed_count,
            "postal": batch.postal_count,
        },
    )


def receipt_batch_stuck(*, older_than: datetime.timedelta = BATCH_STALE_AFTER) -> list[int]:
    """Batches whose task was lost: pending or running with no chunk saved for a while (each
    chunk saves the batch). The sweeper runs them again from their last chunk."""
    stuck = jobs_stuck(
        ReceiptBatch.objects.order_by("pk"),
        working=[ReceiptBatch.Status.PENDING, ReceiptBatch.Status.RUNNING],
        activity=["updated_at"],
        older_than=older_than,
    )
    return [batch.pk for batch in stuck]


def receipt_postal_zip(*, year: int, fileobj) -> int:
    """Write a ZIP of the valid certificates of `year` whose donors have no e-mail address,
    with an address list (CSV) for the envelopes. Returns how many PDFs it holds."""
    receipts = (
        Receipt.objects.filter(kind=ReceiptKind.ANNUAL, year=year, status=Receipt.Status.ISSUED)
        .filter(supporter__email="")
        .select_related("supporter")
        .order_by("donor_postal_code", "number")
    )
    addresses = [["number", "name", "postal_code", "address"]]
    count = 0
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_STORED) as archive:
        for receipt in receipts.iterator(chunk_size=500):
            receipt_pdf_ensure(receipt=receipt)
            with receipt.pdf.open("rb") as pdf:
                archive.writestr(f"{receipt.number}.pdf", pdf.read())
            addresses.append(
                [
                    receipt.number,
                    receipt.donor_name,
                    receipt.donor_postal_code,
                    receipt.donor_address,
                ]
            )
            count += 1
        # With a byte-order mark (Excel reads the Japanese), every cell formula-safe.
        archive.writestr("addresses.csv", spreadsheet_csv(addresses))
    return count


def receipt_batch_finish(*, batch: ReceiptBatch) -> ReceiptBatch:
    """Build the ZIP for posting and mark the batch done."""
    with tempfile.TemporaryFile() as handle:
        receipt_postal_zip(year=batch.year, fileobj=handle)
        handle.seek(0)
        name = f"receipts/batches/certificates-{batch.year}-post-{batch.pk}.zip"
        storage = ReceiptBatch._meta.get_field("postal_zip").storage
        if storage.exists(name):
            storage.delete(name)
        batch.postal_zip.save(name, File(handle), save=False)
    batch.status = ReceiptBatch.Status.DONE
    batch.finished_at = timezone.now()
    batch.last_error = ""
    batch.save()
    return batch
