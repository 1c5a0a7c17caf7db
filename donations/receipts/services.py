"""Receipts (領収書) and annual donation certificates (寄附金受領証明書).

Rules:
- Only money gifts count: one-off and monthly gifts, online or offline (bank transfer, cash).
  Membership fees (会費) are not donations for the donation tax deduction (寄附金控除), so they
  are never on a receipt or certificate; the screens and the certificate say so.
- Each gift counts net of refunds (amount − refunded); a fully refunded gift is left out.
- The calendar year is the Japanese one (Asia/Tokyo), the year the tax return covers.
- Numbers are `R<year>-000123` (receipts for one gift, year of the gift) and `C<year>-000045`
  (certificates, year certified). A counter row per kind and year is locked
  (select_for_update) in the same transaction that inserts the receipt: numbers are never
  skipped or reused, even with several workers; a unique constraint backs it up.
- Everything printed is copied onto the receipt when it is issued. A reissue (再発行) prints
  the same copy again, under the same number, marked 再発行. A correction voids the receipt
  (with a reason) and issues a new one, with a new number, from the current data.
- Every issue, reissue, void, e-mail and download is logged (ReceiptLog).
- Donors with an e-mail address are sent a link to the member portal, not the PDF itself: the
  certificate (name, address, amounts) then never sits in mailboxes or passes through mail
  servers, and a mistyped address reveals nothing. The others' PDFs go into a ZIP for posting.
"""

import csv
import datetime
import io
import logging
import tempfile
import zipfile
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from home.exports import spreadsheet_safe_row
from home.mail import email_queue
from home.models import OrganisationSettings, OutgoingEmail
from members.models import Supporter

from .models import (
    Donation,
    Receipt,
    ReceiptBatch,
    ReceiptCounter,
    ReceiptKind,
    ReceiptLog,
)
from .receipt_pdf import receipt_pdf_render

logger = logging.getLogger(__name__)

RECEIPT_DONATION_KINDS = (Donation.Kind.ONE_OFF, Donation.Kind.MONTHLY)
BATCH_CHUNK = 200
BATCH_STALE_AFTER = datetime.timedelta(minutes=10)


class ReceiptError(Exception):
    """A receipt cannot be issued or changed; the message is shown to staff as is."""


# --- What goes on a receipt ------------------------------------------------------------------


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """1 January 00:00 to the next 1 January, in the site's time zone (Asia/Tokyo)."""
    zone = timezone.get_current_timezone()
    return (
        datetime.datetime(year, 1, 1, tzinfo=zone),
        datetime.datetime(year + 1, 1, 1, tzinfo=zone),
    )


def receipt_eligible_gifts():
    """Gifts that may appear on a receipt: one-off and monthly, not fully refunded."""
    return Donation.objects.filter(
        kind__in=RECEIPT_DONATION_KINDS, refunded_yen__lt=F("amount_yen")
    )


def receipt_gifts_for_year(*, supporter: Supporter, year: int) -> list[Donation]:
    start, end = year_bounds(year)
    return list(
        receipt_eligible_gifts()
        .filter(supporter=supporter, paid_at__gte=start, paid_at__lt=end)
        .order_by("paid_at", "pk")
    )


def _line(donation: Donation) -> dict:
    return {
        "donation": donation.pk,
        "date": timezone.localdate(donation.paid_at).isoformat(),
        "amount_yen": donation.net_yen,
        "kind": donation.kind,
        "method": donation.method,
    }


def donor_address(supporter: Supporter) -> str:
    if supporter.kind == Supporter.Kind.ORGANISATION and supporter.invoice_address:
        return " ".join(supporter.invoice_address.split())
    parts = [supporter.prefecture, supporter.city, supporter.address_line]
    address = "".join(part for part in parts if part)
    return f"{address} {supporter.building}".strip() if supporter.building else address


def donor_name(supporter: Supporter) -> str:
    name = supporter.display_name
    if supporter.kind == Supporter.Kind.ORGANISATION and supporter.contact_person:
        return f"{name} {supporter.department} {supporter.contact_person}".replace("  ", " ")
    return name


def issuer_snapshot() -> dict:
    """The organisation's name, address and registration details (Settings → Organisation)."""
    org = OrganisationSettings.for_default_site()
    return {
        "name": org.name,
        "legal_form": org.legal_form,
        "postal_code": org.postal_code,
        "address": org.address,
        "phone": org.phone,
        "representative": org.representative,
        "corporate_number": org.corporate_number,
        "certification_number": org.certification_number,
        "certification_date": (
            org.certification_date.isoformat() if org.certification_date else ""
        ),
        "receipt_note": org.receipt_note,
    }


# --- Issuing ---------------------------------------------------------------------------------


def _next_sequence(*, kind: str, year: int) -> int:
    """The next number of a series. Must run inside the transaction that stores the receipt:
    the counter row stays locked until it commits, and a rollback gives the number back."""
    ReceiptCounter.objects.bulk_create(
        [ReceiptCounter(kind=kind, year=year)], ignore_conflicts=True
    )
    counter = ReceiptCounter.objects.select_for_update().get(kind=kind, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def receipt_number(*, kind: str, year: int, sequence: int) -> str:
    return f"{Receipt.PREFIXES[kind]}{year}-{sequence:06d}"


def _receipt_create(
    *,
    kind: str,
    year: int,
    supporter: Supporter,
    lines: list[dict],
    donation: Donation | None = None,
    user=None,
    batch: ReceiptBatch | None = None,
    replaces: Receipt | None = None,
    issuer: dict | None = None,
) -> Receipt:
    with transaction.atomic():
        sequence = _next_sequence(kind=kind, year=year)
        receipt = Receipt.objects.create(
            kind=kind,
            year=year,
            sequence=sequence,
            number=receipt_number(kind=kind, year=year, sequence=sequence),
            supporter=supporter,
            donation=donation,
            batch=batch,
            donor_name=donor_name(supporter),
            donor_postal_code=supporter.postal_code,
            donor_address=donor_address(supporter),
            lines=lines,
            total_yen=sum(line["amount_yen"] for line in lines),
            issuer=issuer if issuer is not None else issuer_snapshot(),
            issued_by=user,
            replaces=replaces,
        )
        note = _("Corrects %(number)s") % {"number": replaces.number} if replaces else ""
        ReceiptLog.objects.create(
            receipt=receipt, action=ReceiptLog.Action.ISSUED, user=user, note=note
        )
    return receipt


def receipt_pdf_ensure(*, receipt: Receipt, force: bool = False) -> Receipt:
    """Draw and store the PDF unless it is already stored. The receipt row is the record; the
    file can always be drawn again from its snapshot."""
    if receipt.pdf and not force and receipt.pdf.storage.exists(receipt.pdf.name):
        return receipt
    suffix = f"-r{receipt.reissue_count}" if receipt.reissue_count else ""
    name = f"receipts/{receipt.year}/{receipt.number}{suffix}.pdf"
    storage = Receipt._meta.get_field("pdf").storage
    if storage.exists(name):
        storage.delete(name)  # a half-written file from an interrupted run
    receipt.pdf.save(name, ContentFile(receipt_pdf_render(receipt=receipt)), save=False)
    Receipt.objects.filter(pk=receipt.pk).update(pdf=receipt.pdf.name)
    return receipt


def _issued(queryset) -> Receipt | None:
    return queryset.filter(status=Receipt.Status.ISSUED).first()


def receipt_issue_for_donation(
    *, donation: Donation, user=None, replaces: Receipt | None = None
) -> tuple[Receipt, bool]:
    """A receipt (領収書) for one gift. Returns (receipt, created); a gift that already has a
    valid receipt gets that one back."""
    if donation.kind not in RECEIPT_DONATION_KINDS:
        raise ReceiptError(_("Membership fees are not donations: no donation receipt is issued."))
    if donation.net_yen <= 0:
        raise ReceiptError(_("This gift was refunded in full: there is nothing to receipt."))
    existing = _issued(Receipt.objects.filter(kind=ReceiptKind.GIFT, donation=donation))
    if existing:
        return existing, False
    try:
        receipt = _receipt_create(
            kind=ReceiptKind.GIFT,
            year=timezone.localtime(donation.paid_at).year,
            supporter=donation.supporter,
            donation=donation,
            lines=[_line(donation)],
            user=user,
            replaces=replaces,
        )
    except IntegrityError:
        existing = _issued(Receipt.objects.filter(kind=ReceiptKind.GIFT, donation=donation))
        if existing is None:
            raise
        return existing, False
    return receipt_pdf_ensure(receipt=receipt), True


def receipt_issue_annual(
    *,
    supporter: Supporter,
    year: int,
    user=None,
    batch: ReceiptBatch | None = None,
    gifts: list[Donation] | None = None,
    issuer: dict | None = None,
    replaces: Receipt | None = None,
    render: bool = True,
) -> tuple[Receipt, bool]:
    """The annual donation certificate (寄附金受領証明書) of one donor for one calendar year.
    Returns (certificate, created); a donor who already has a valid one for the year gets it
    back unchanged (void it and issue a correction to change it)."""
    if supporter.status == Supporter.Status.ANONYMISED:
        raise ReceiptError(_("This supporter was anonymised: no certificate can be issued."))
    certificates = Receipt.objects.filter(kind=ReceiptKind.ANNUAL, supporter=supporter, year=year)
    existing = _issued(certificates)
    if existing:
        return existing, False
    if gifts is None:
        gifts = receipt_gifts_for_year(supporter=supporter, year=year)
    if not gifts:
        raise ReceiptError(
            _("%(name)s made no donations in %(year)s.")
            % {"name": supporter.display_name, "year": year}
        )
    try:
        receipt = _receipt_create(
            kind=ReceiptKind.ANNUAL,
            year=year,
            supporter=supporter,
            lines=[_line(gift) for gift in gifts],
            user=user,
            batch=batch,
            replaces=replaces,
            issuer=issuer,
        )
    except IntegrityError:
        existing = _issued(certificates)
        if existing is None:
            raise
        return existing, False
    if render:
        receipt_pdf_ensure(receipt=receipt)
    return receipt, True


def receipt_reissue(*, receipt: Receipt, user=None) -> Receipt:
    """Print a valid receipt again (lost, damaged): same number and content, marked 再発行."""
    with transaction.atomic():
        receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if receipt.status != Receipt.Status.ISSUED:
            raise ReceiptError(_("A void receipt cannot be reissued. Issue a corrected one."))
        receipt.reissue_count += 1
        receipt.reissued_at = timezone.now()
        receipt.save(update_fields=["reissue_count", "reissued_at"])
        ReceiptLog.objects.create(
            receipt=receipt,
            action=ReceiptLog.Action.REISSUED,
            user=user,
            note=_("Reissue %(count)s") % {"count": receipt.reissue_count},
        )
    return receipt_pdf_ensure(receipt=receipt, force=True)


def receipt_void(*, receipt: Receipt, reason: str, user=None) -> Receipt:
    """Cancel a receipt. Its number is never used again; the reason is kept."""
    reason = (reason or "").strip()
    if not reason:
        raise ReceiptError(_("Give the reason for voiding the receipt."))
    with transaction.atomic():
        receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if receipt.status == Receipt.Status.VOID:
            raise ReceiptError(_("This receipt is already void."))
        receipt.status = Receipt.Status.VOID
        receipt.void_reason = reason
        receipt.voided_at = timezone.now()
        receipt.voided_by = user
        receipt.save(update_fields=["status", "void_reason", "voided_at", "voided_by"])
        ReceiptLog.objects.create(
            receipt=receipt, action=ReceiptLog.Action.VOIDED, user=user, note=reason
        )
    return receipt


def receipt_correct(*, receipt: Receipt, reason: str, user=None) -> Receipt:
    """Void a receipt and issue a new one (new number) from the current data, all or nothing:
    if the new one cannot be issued, the old one stays valid."""
    with transaction.atomic():
        old = receipt_void(receipt=receipt, reason=reason, user=user)
        if old.kind == ReceiptKind.GIFT:
            donation = Donation.objects.select_related("supporter").get(pk=old.donation_id)
            new, _created = receipt_issue_for_donation(donation=donation, user=user, replaces=old)
        else:
            new, _created = receipt_issue_annual(
                supporter=old.supporter, year=old.year, user=user, replaces=old, render=False
            )
    return receipt_pdf_ensure(receipt=new)


def receipt_log_download(*, receipt: Receipt, user=None, by_donor: bool = False) -> None:
    ReceiptLog.objects.create(
        receipt=receipt, action=ReceiptLog.Action.DOWNLOADED, user=user, by_donor=by_donor
    )


def receipt_portal_url(language: str) -> str:
    """The member portal's absolute URL in a language (where donors download receipts)."""
    from members.views import absolute_link, localised_page_url, portal_page

    portal = portal_page()
    if portal is None:
        return absolute_link("/")
    with translation.override(language):
        url = localised_page_url(None, portal)
    return absolute_link(url)


def receipt_notify(*, receipt: Receipt, portal_urls: dict[str, str] | None = None) -> bool:
    """Tell a donor with an e-mail address that the receipt is in the member portal (once per
    receipt). Returns False for donors without e-mail: theirs is posted. `portal_urls`
    (language → URL) lets a batch look the portal up once instead of once per donor."""
    supporter = receipt.supporter
    if not supporter.email or supporter.status == Supporter.Status.ANONYMISED:
        return False
    language = supporter.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        portal_url = (portal_urls or {}).get(language) or receipt_portal_url(language)
        context = {"receipt": receipt, "supporter": supporter, "portal_url": portal_url}
        subject = render_to_string("donations/email/receipt_ready_subject.txt", context)
        body = render_to_string("donations/email/receipt_ready_body.txt", context)
    _message, created = email_queue(
        key=f"receipt-ready:{receipt.number}",
        to=supporter.email,
        subject=subject.strip(),
        body=body,
        supporter=supporter,
        category=OutgoingEmail.Category.MONEY,
    )
    if created:
        ReceiptLog.objects.create(
            receipt=receipt, action=ReceiptLog.Action.EMAILED, note=supporter.email
        )
    return True


# --- A year's batch --------------------------------------------------------------------------


def receipt_batch_donor_ids(*, year: int, after_id: int = 0, limit: int | None = None) -> list:
    """Donors with at least one receipt-eligible gift in the year, by id."""
    start, end = year_bounds(year)
    ids = (
        receipt_eligible_gifts()
        .filter(paid_at__gte=start, paid_at__lt=end, supporter_id__gt=after_id)
        .exclude(supporter__status=Supporter.Status.ANONYMISED)
        .values_list("supporter_id", flat=True)
        .distinct()
        .order_by("supporter_id")
    )
    return list(ids[:limit] if limit else ids)


def receipt_batch_start(*, year: int, user=None) -> tuple[ReceiptBatch, bool]:
    """Start generating a year's certificates in the background. A batch already under way
    for that year is returned instead of starting a second one. Returns (batch, created)."""
    from .tasks import receipt_batch_task

    this_year = timezone.localdate().year
    if not 2000 <= year <= this_year:
        raise ReceiptError(_("Choose a year up to %(year)s.") % {"year": this_year})
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


def receipt_postal_zip(*, year: int, fileobj) -> int:
    """Write a ZIP of the valid certificates of `year` whose donors have no e-mail address,
    with an address list (CSV) for the envelopes. Returns how many PDFs it holds."""
    receipts = (
        Receipt.objects.filter(kind=ReceiptKind.ANNUAL, year=year, status=Receipt.Status.ISSUED)
        .filter(supporter__email="")
        .select_related("supporter")
        .order_by("donor_postal_code", "number")
    )
    addresses = io.StringIO()
    writer = csv.writer(addresses)
    writer.writerow(["number", "name", "postal_code", "address"])
    count = 0
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_STORED) as archive:
        for receipt in receipts.iterator(chunk_size=500):
            receipt_pdf_ensure(receipt=receipt)
            with receipt.pdf.open("rb") as pdf:
                archive.writestr(f"{receipt.number}.pdf", pdf.read())
            writer.writerow(
                spreadsheet_safe_row(
                    [
                        receipt.number,
                        receipt.donor_name,
                        receipt.donor_postal_code,
                        receipt.donor_address,
                    ]
                )
            )
            count += 1
        archive.writestr("addresses.csv", "\ufeff" + addresses.getvalue())
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


def receipt_batch_stuck() -> list[int]:
    """Batches whose task was lost: still pending or running with no progress for a while."""
    cutoff = timezone.now() - BATCH_STALE_AFTER
    return list(
        ReceiptBatch.objects.filter(
            status__in=[ReceiptBatch.Status.PENDING, ReceiptBatch.Status.RUNNING],
            updated_at__lt=cutoff,
        ).values_list("pk", flat=True)
    )
