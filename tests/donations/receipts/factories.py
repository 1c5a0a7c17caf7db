"""Helpers for the receipt tests: donors with addresses and gifts recorded through the ledger."""

import datetime

from django.utils import timezone

from donations.models import Donation, RecurringDonation
from donations.services import donation_record
from tests.members.factories import SupporterFactory

JST = datetime.timezone(datetime.timedelta(hours=9))


def donor(**kwargs):
    defaults = {
        "family_name": "山田",
        "given_name": "花子",
        "family_name_kana": "ヤマダ",
        "given_name_kana": "ハナコ",
        "postal_code": "100-0001",
        "prefecture": "東京都",
        "city": "千代田区",
        "address_line": "千代田1-1",
    }
    defaults.update(kwargs)
    return SupporterFactory(**defaults)


def at(year: int, month: int, day: int, hour: int = 12) -> datetime.datetime:
    """A moment in Japan time."""
    return datetime.datetime(year, month, day, hour, tzinfo=JST)


def gift(supporter, amount: int = 3000, *, paid_at=None, refunded: int = 0, **kwargs) -> Donation:
    donation, _created = donation_record(
        supporter=supporter,
        kind=kwargs.pop("kind", Donation.Kind.ONE_OFF),
        method=kwargs.pop("method", Donation.Method.BANK_TRANSFER),
        amount_yen=amount,
        paid_at=paid_at or timezone.now() - datetime.timedelta(days=1),
        **kwargs,
    )
    if refunded:
        Donation.objects.filter(pk=donation.pk).update(refunded_yen=refunded)
        donation.refresh_from_db()
    return donation


def monthly(supporter, amount: int, months: list[datetime.datetime], *, cancelled: bool = False):
    """A monthly gift with one payment per given moment (Stripe invoices)."""
    recurring = RecurringDonation.objects.create(
        supporter=supporter,
        amount_yen=amount,
        status=RecurringDonation.Status.CANCELLED if cancelled else RecurringDonation.Status.ACTIVE,
        stripe_subscription_id=f"sub_{supporter.pk}_{amount}",
        cancelled_at=months[-1] + datetime.timedelta(days=3) if cancelled else None,
    )
    for moment in months:
        donation, _ = donation_record(
            supporter=supporter,
            kind=Donation.Kind.MONTHLY,
            method=Donation.Method.CARD,
            amount_yen=amount,
            paid_at=moment,
        )
        Donation.objects.filter(pk=donation.pk).update(recurring=recurring)
    return recurring


def pdf_text(receipt) -> str:
    import io

    from pypdf import PdfReader

    receipt.refresh_from_db()
    with receipt.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def issuer_details(**fields):
    """Fill in the default site's organisation settings (the issuer printed on receipts)."""
    from wagtail.models import Site

    from ouendan.core.models import OrganisationSettings

    org = OrganisationSettings.for_site(Site.objects.get(is_default_site=True))
    for field, value in fields.items():
        setattr(org, field, value)
    org.save()
    return org
