"""Reads for receipts: which gifts count, who gets a certificate, what gets printed about the
donor and the issuer, and what the portal and the staff screens list."""

import datetime

from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone, translation

from donations.models import Donation
from members.models import Supporter
from members.views import absolute_link, localised_page_url, portal_page
from ouendan.core.models import OrganisationSettings

from .models import Receipt, ReceiptBatch, ReceiptKind

# Membership fees (会費) are not donations for the donation tax deduction (寄附金控除).
RECEIPT_DONATION_KINDS = (Donation.Kind.ONE_OFF, Donation.Kind.MONTHLY)


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """1 January 00:00 to the next 1 January, in the site's time zone (Asia/Tokyo)."""
    zone = timezone.get_current_timezone()
    return (
        datetime.datetime(year, 1, 1, tzinfo=zone),
        datetime.datetime(year + 1, 1, 1, tzinfo=zone),
    )


def year_finished(year: int) -> bool:
    """Whether the calendar year has ended in the site's time zone (Asia/Tokyo)."""
    return timezone.localdate().year > year


def receipt_eligible_gifts() -> QuerySet[Donation]:
    """Gifts that may appear on a receipt: one-off and monthly, not fully refunded, with a
    donor (an anonymous gift, such as a collection box, has nobody to receipt)."""
    return Donation.objects.filter(
        kind__in=RECEIPT_DONATION_KINDS,
        refunded_yen__lt=F("amount_yen"),
        supporter__isnull=False,
    )


def receipt_gifts_for_year(*, supporter: Supporter, year: int) -> list[Donation]:
    start, end = year_bounds(year)
    return list(
        receipt_eligible_gifts()
        .filter(supporter=supporter, paid_at__gte=start, paid_at__lt=end)
        .order_by("paid_at", "pk")
    )


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


# --- What is printed about the donor and the issuer --------------------------------------------


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
        "legal_name": org.legal_name,
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
        # The image's id: a reissue prints the seal on file then (or the empty 印 box).
        "seal_image": org.seal_id,
    }


def issuer_is_certified(issuer: dict) -> bool:
    """A certified (認定 / 特例認定) NPO, by its legal form or its certification details."""
    return bool(
        "認定" in (issuer.get("legal_form") or "")
        or issuer.get("certification_number")
        or issuer.get("certification_date")
    )


def _label(field: str) -> str:
    return str(OrganisationSettings._meta.get_field(field).verbose_name)


def issuer_missing_details(issuer: dict | None = None) -> list[str]:
    """What a receipt should state about the issuer but the organisation settings lack: the
    legal form (法人格), address, representative and, for a certified NPO, the certification
    number and date. Labels for the warning on the issue screens; issuing stays possible."""
    issuer = issuer_snapshot() if issuer is None else issuer
    wanted = ["legal_form", "address", "representative"]
    if issuer_is_certified(issuer):
        wanted += ["certification_number", "certification_date"]
    return [_label(field) for field in wanted if not (issuer.get(field) or "").strip()]


def issuer_blocking_details(issuer: dict | None = None) -> list[str]:
    """What an annual certificate cannot do without: who received the gifts (a name) and where
    they are (the address). Without them it identifies no one, so it is not issued."""
    issuer = issuer_snapshot() if issuer is None else issuer
    missing = []
    if not ((issuer.get("legal_name") or "").strip() or (issuer.get("name") or "").strip()):
        missing.append(_label("name"))
    if not (issuer.get("address") or "").strip():
        missing.append(_label("address"))
    return missing


def receipt_portal_url(language: str) -> str:
    """The member portal's absolute URL in a language (where donors download receipts)."""
    portal = portal_page()
    if portal is None:
        return absolute_link("/")
    with translation.override(language):
        url = localised_page_url(None, portal)
    return absolute_link(url)


# --- Lists ---------------------------------------------------------------------------------------


def portal_receipts(*, supporter: Supporter) -> list[Receipt]:
    """The donor's valid receipts and certificates, newest year first."""
    return list(
        Receipt.objects.filter(supporter=supporter, status=Receipt.Status.ISSUED).order_by(
            "-year", "kind", "-issued_at"
        )
    )


def receipt_issue_overview(*, supporter: Supporter, year: int) -> dict:
    """What the "issue for a donor" screen shows: the year's gifts with their valid receipts,
    the certificates of the year and how many membership fees are left out."""
    gifts = receipt_gifts_for_year(supporter=supporter, year=year)
    receipts = {
        receipt.donation_id: receipt
        for receipt in Receipt.objects.filter(
            supporter=supporter, kind=ReceiptKind.GIFT, status=Receipt.Status.ISSUED
        )
    }
    return {
        "gifts": [(gift, receipts.get(gift.pk)) for gift in gifts],
        "total": sum(gift.net_yen for gift in gifts),
        "certificates": Receipt.objects.filter(
            supporter=supporter, year=year, kind=ReceiptKind.ANNUAL
        ),
        "membership_fees": Donation.objects.filter(
            supporter=supporter, kind=Donation.Kind.MEMBERSHIP
        ).count(),
    }


# --- Staff home ----------------------------------------------------------------------------------


def certificates_due_count(*, year: int) -> int:
    """Donors of a finished year (the yearly batch's donors) without a valid final annual
    certificate for it: none, or only a provisional one (issued before the year ended, see
    Receipt.is_provisional), which the batch replaces. One query."""
    start, end = year_bounds(year)
    certified = Receipt.objects.filter(
        supporter=OuterRef("supporter_id"),
        kind=ReceiptKind.ANNUAL,
        year=year,
        status=Receipt.Status.ISSUED,
        issued_at__gte=end,  # not provisional
    )
    return (
        receipt_eligible_gifts()
        .filter(paid_at__gte=start, paid_at__lt=end)
        .exclude(supporter__status=Supporter.Status.ANONYMISED)
        .exclude(Exists(certified))
        .values("supporter_id")
        .distinct()
        .count()
    )


def receipt_batches_running_count() -> int:
    """Yearly batches waiting to start or generating. One query."""
    return ReceiptBatch.objects.filter(
        status__in=[ReceiptBatch.Status.PENDING, ReceiptBatch.Status.RUNNING]
    ).count()
