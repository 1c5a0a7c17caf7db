"""Reads of the money ledger: a gift by its Stripe keys, what a donor gave (portal and staff),
the pages a gift may count towards, and offline gifts that look recorded already.

Writes are in services.py; nothing here changes a row.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.utils import timezone
from wagtail.models import Locale, Page

from members.models import Supporter

from .models import MOST_NEEDED, OFFLINE_METHODS, Donation, Programme, RecurringDonation
from .registry import gift_page_types


def donation_by_stripe_keys(
    *,
    checkout_session_id: str | None = None,
    payment_intent_id: str | None = None,
    invoice_id: str | None = None,
) -> Donation | None:
    """The ledger row of a Stripe session, payment intent or invoice (any one matches)."""
    match = Q()
    for field, value in (
        ("stripe_checkout_session_id", checkout_session_id),
        ("stripe_payment_intent_id", payment_intent_id),
        ("stripe_invoice_id", invoice_id),
    ):
        if value:
            match |= Q(**{field: value})
    return Donation.objects.filter(match).first() if match else None


@dataclass(frozen=True)
class DonorSummary:
    donations: list[Donation]
    totals_by_year: list[tuple[int, int]]  # (calendar year in Japan, net yen)
    monthly_gifts: list[RecurringDonation]


def donor_summary(*, supporter: Supporter) -> DonorSummary:
    """What the member portal shows a donor: gifts, yearly totals net of refunds, monthly gifts."""
    donations = list(supporter.donations.select_related("campaign").order_by("-paid_at")[:100])
    totals: dict[int, int] = {}
    for donation in supporter.donations.only("amount_yen", "refunded_yen", "paid_at"):
        year = timezone.localtime(donation.paid_at).year
        totals[year] = totals.get(year, 0) + donation.net_yen
    return DonorSummary(
        donations=donations,
        totals_by_year=sorted(totals.items(), reverse=True),
        monthly_gifts=list(supporter.recurring_donations.order_by("-created_at")),
    )


@dataclass(frozen=True)
class DonorTotals:
    gifts: int
    gross_yen: int
    refunded_yen: int
    this_year_net_yen: int
    first_paid_at: datetime.datetime | None
    last_paid_at: datetime.datetime | None
    monthly_yen: int  # monthly gifts not cancelled (active or waiting for a retry)

    @property
    def net_yen(self) -> int:
        return self.gross_yen - self.refunded_yen


def donor_totals(*, supporter: Supporter) -> DonorTotals:
    """A donor's giving for staff, in two aggregate queries. Years are calendar years in Japan."""
    year_start = timezone.localtime().replace(
        month=1, day=1, hour=0, minute=0, second=0, microsecond=0
    )
    this_year = Q(paid_at__gte=year_start)
    sums = supporter.donations.aggregate(
        gifts=Count("pk"),
        gross=Sum("amount_yen", default=0),
        refunded=Sum("refunded_yen", default=0),
        year_gross=Sum("amount_yen", filter=this_year, default=0),
        year_refunded=Sum("refunded_yen", filter=this_year, default=0),
        first=Min("paid_at"),
        last=Max("paid_at"),
    )
    monthly = supporter.recurring_donations.filter(
        status__in=[RecurringDonation.Status.ACTIVE, RecurringDonation.Status.PAST_DUE]
    ).aggregate(total=Sum("amount_yen", default=0))
    return DonorTotals(
        gifts=sums["gifts"],
        gross_yen=sums["gross"],
        refunded_yen=sums["refunded"],
        this_year_net_yen=sums["year_gross"] - sums["year_refunded"],
        first_paid_at=sums["first"],
        last_paid_at=sums["last"],
        monthly_yen=monthly["total"],
    )


# --- Offline gifts staff record ---------------------------------------------------------------


def gift_campaign_pages() -> QuerySet[Page]:
    """The pages staff may credit an offline gift to: live campaign pages (the types registered
    in donations/registry.py) in the default language, no aliases; newest first."""
    types = gift_page_types()
    if not types:
        return Page.objects.none()
    return (
        Page.objects.type(*types)
        .live()
        .filter(alias_of__isnull=True, locale=Locale.get_default())
        .order_by("-first_published_at", "-pk")
    )


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def offline_gift_key(
    *,
    supporter_id: int | None,
    amount_yen: int,
    paid_at: datetime.datetime,
    campaign_id: int | None,
) -> tuple:
    """What makes two offline gifts the same gift recorded twice: donor, amount, the day paid
    (in Japan) and campaign. offline_gift_duplicates() applies the same rule to the ledger; two
    anonymous gifts (no donor) alike in the rest count as the same too."""
    return (supporter_id, amount_yen, _local_day(paid_at), campaign_id)


def offline_gift_duplicates(
    *,
    supporter_id: int | None,
    amount_yen: int,
    paid_at: datetime.datetime,
    campaign_id: int | None,
    exclude_pk: int | None = None,
) -> QuerySet[Donation]:
    """Offline gifts already in the ledger with the same key as this one (offline_gift_key)."""
    zone = timezone.get_default_timezone()
    start = datetime.datetime.combine(_local_day(paid_at), datetime.time.min, tzinfo=zone)
    duplicates = Donation.objects.filter(
        supporter_id=supporter_id,  # None: anonymous gifts (IS NULL)
        amount_yen=amount_yen,
        paid_at__gte=start,
        paid_at__lt=start + datetime.timedelta(days=1),
        campaign_id=campaign_id,
        method__in=OFFLINE_METHODS,
    )
    if exclude_pk is not None:
        duplicates = duplicates.exclude(pk=exclude_pk)
    return duplicates.order_by("paid_at", "pk")


# --- Staff home: one query each ----------------------------------------------------------------


def monthly_gifts_failed_count() -> int:
    """Monthly gifts whose last payment failed: the donor has a card to update."""
    return RecurringDonation.objects.filter(status=RecurringDonation.Status.PAST_DUE).count()


@dataclass(frozen=True)
class LedgerTotal:
    count: int
    net_yen: int  # net of refunds


def ledger_total(*, start: datetime.datetime, end: datetime.datetime) -> LedgerTotal:
    """Gifts and membership fees paid from `start` to before `end`: how many ledger rows (the
    donation list filtered on those days shows the same rows) and their total net of refunds."""
    sums = Donation.objects.filter(paid_at__gte=start, paid_at__lt=end).aggregate(
        count=Count("pk"), net=Sum(F("amount_yen") - F("refunded_yen"), default=0)
    )
    return LedgerTotal(count=sums["count"], net_yen=sums["net"])


# A gift counts as monthly without Stripe while its last payment is this recent.
OFFLINE_MONTHLY_RECENT_DAYS = 100


def offline_monthly_gifts_recent(*, supporter: Supporter) -> bool:
    """Whether the supporter gives monthly without Stripe (bank transfer or cash, recorded by
    staff) and gave lately: they have no Stripe portal, so the member portal offers them a
    request to change or stop instead."""
    since = timezone.now() - datetime.timedelta(days=OFFLINE_MONTHLY_RECENT_DAYS)
    return supporter.donations.filter(
        kind=Donation.Kind.MONTHLY, method__in=OFFLINE_METHODS, paid_at__gte=since
    ).exists()


@dataclass(frozen=True)
class ProgrammeTotal:
    programme_id: int | None  # None: "where most needed"
    name: str
    net_yen: int  # net of refunds


def gifts_by_programme(
    *, start: datetime.datetime | None, end: datetime.datetime
) -> list[ProgrammeTotal]:
    """Gifts (not membership fees) paid from `start` (None: the beginning) to before `end`, per
    programme they name, net of refunds, in the programmes' order with "where most needed"
    last: what the impact page shows as the use of funds (使途). Programmes with nothing net
    are left out. One query (and one for the names)."""
    gifts = Donation.objects.filter(paid_at__lt=end).exclude(kind=Donation.Kind.MEMBERSHIP)
    if start is not None:
        gifts = gifts.filter(paid_at__gte=start)
    rows = {
        row["programme_id"]: row["net"]
        for row in gifts.values("programme_id")
        .annotate(net=Sum(F("amount_yen") - F("refunded_yen"), default=0))
        .order_by()
    }
    programmes = Programme.objects.filter(pk__in=[pk for pk in rows if pk is not None])
    result = [
        ProgrammeTotal(programme_id=programme.pk, name=programme.name, net_yen=rows[programme.pk])
        for programme in programmes.order_by("sort_order", "name_ja")
    ]
    if None in rows:
        result.append(ProgrammeTotal(programme_id=None, name=str(MOST_NEEDED), net_yen=rows[None]))
    return [row for row in result if row.net_yen > 0]
