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
- An annual certificate for a year that has not ended yet (Asia/Tokyo) is issued only when the
  caller passes `confirm_unfinished_year=True` (staff ticked the box): it would miss the rest
  of the year's gifts. Such a certificate is provisional (暫定): its PDF and the portal say so,
  and issuing the year's certificate once the year has ended replaces it by the final one.
- An annual certificate names who received the gifts and where: without an issuer name or
  address nothing is issued. Other missing details (legal form, representative, certification)
  are warnings on the issue screens (selectors.issuer_missing_details).
- Every issue, reissue, void, e-mail and download is logged (ReceiptLog).
- Donors with an e-mail address are sent a link to the member portal, not the PDF itself: the
  certificate (name, address, amounts) then never sits in mailboxes or passes through mail
  servers, and a mistyped address reveals nothing. The others' PDFs go into a ZIP for posting
  (a year's batch: batches.py).
"""

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from donations.models import Donation
from members.mail import MailPurpose, MailText, mail_template_render, supporter_email_queue
from members.models import Supporter
from ouendan.core.models import OutgoingEmail

from .models import Receipt, ReceiptBatch, ReceiptCounter, ReceiptKind, ReceiptLog
from .pdf import receipt_pdf_render
from .selectors import (
    RECEIPT_DONATION_KINDS,
    donor_address,
    donor_name,
    issuer_blocking_details,
    issuer_snapshot,
    receipt_gifts_for_year,
    receipt_portal_url,
    year_finished,
)


class ReceiptError(Exception):
    """A receipt cannot be issued or changed; the message is shown to staff as is."""


class ReceiptYearNotEnded(ReceiptError):
    """An annual certificate for a year that has not ended, without the explicit confirmation."""


def receipt_year_check(*, year: int, confirm_unfinished_year: bool) -> None:
    """The one rule for certificates of a year still under way (single issue, batch, tasks)."""
    if not year_finished(year) and not confirm_unfinished_year:
        raise ReceiptYearNotEnded(
            _(
                "%(year)s has not ended yet: gifts received until 31 December would be missing "
                "from the certificate. Nothing was issued. To issue a provisional certificate "
                "anyway, confirm that the year has not ended."
            )
            % {"year": year}
        )


def receipt_issuer_check(*, issuer: dict) -> None:
    missing = issuer_blocking_details(issuer)
    if missing:
        raise ReceiptError(
            _(
                "The organisation settings lack details every certificate must state: "
                "%(missing)s. Nothing was issued."
            )
            % {"missing": ", ".join(missing)}
        )


def _line(donation: Donation) -> dict:
    return {
        "donation": donation.pk,
        "date": timezone.localdate(donation.paid_at).isoformat(),
        "amount_yen": donation.net_yen,
        "kind": donation.kind,
        "method": donation.method,
    }


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
    if donation.supporter_id is None:
        raise ReceiptError(_("An anonymous gift has no donor: no receipt is issued."))
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
    confirm_unfinished_year: bool = False,
) -> tuple[Receipt, bool]:
    """The annual donation certificate (寄附金受領証明書) of one donor for one calendar year.
    Returns (certificate, created); a donor who already has a valid one for the year gets it
    back unchanged (void it and issue a correction to change it), except a provisional one
    once the year has ended: it is voided and the final certificate issued in its place.
    A year that has not ended needs `confirm_unfinished_year` (ReceiptYearNotEnded)."""
    if supporter.status == Supporter.Status.ANONYMISED:
        raise ReceiptError(_("This supporter was anonymised: no certificate can be issued."))
    receipt_year_check(year=year, confirm_unfinished_year=confirm_unfinished_year)
    certificates = Receipt.objects.filter(kind=ReceiptKind.ANNUAL, supporter=supporter, year=year)
    existing = _issued(certificates)
    if existing and not (existing.is_provisional and year_finished(year)):
        return existing, False
    issuer = issuer if issuer is not None else issuer_snapshot()
    receipt_issuer_check(issuer=issuer)
    if existing:
        with transaction.atomic():
            receipt_void(
                receipt=existing,
                reason=_("Issued before the year ended; replaced by the final certificate."),
                user=user,
            )
            return receipt_issue_annual(
                supporter=supporter,
                year=year,
                user=user,
                batch=batch,
                gifts=gifts,
                issuer=issuer,
                replaces=existing,
                render=render,
            )
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
            # The old certificate exists, so a year still under way was confirmed when it was
            # issued; the correction stays provisional like it.
            new, _created = receipt_issue_annual(
                supporter=old.supporter,
                year=old.year,
                user=user,
                replaces=old,
                render=False,
                confirm_unfinished_year=True,
            )
    return receipt_pdf_ensure(receipt=new)


def receipt_log_download(*, receipt: Receipt, user=None, by_donor: bool = False) -> None:
    ReceiptLog.objects.create(
        receipt=receipt, action=ReceiptLog.Action.DOWNLOADED, user=user, by_donor=by_donor
    )


def receipt_notify(*, receipt: Receipt, portal_urls: dict[str, str] | None = None) -> bool:
    """Tell a donor who may be mailed (members.mail.supporter_mailable) that the receipt is in
    the member portal (once per receipt). Returns False for the others: nothing is queued.
    `portal_urls` (language → URL) lets a batch look the portal up once instead of once per
    donor."""
    supporter = receipt.supporter

    def render(language: str) -> MailText:
        portal_url = (portal_urls or {}).get(language) or receipt_portal_url(language)
        context = {"receipt": receipt, "supporter": supporter, "portal_url": portal_url}
        return mail_template_render(template="receipts/email/receipt_ready", context=context)

    queued = supporter_email_queue(
        supporter=supporter,
        key=f"receipt-ready:{receipt.number}",
        purpose=MailPurpose.TRANSACTIONAL,
        category=OutgoingEmail.Category.MONEY,
        render=render,
    )
    if queued is None:
        return False
    if queued.created:
        ReceiptLog.objects.create(
            receipt=receipt, action=ReceiptLog.Action.EMAILED, note=supporter.email
        )
    return True
