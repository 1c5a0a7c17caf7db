"""Demo funding history for the dashboard (財源バランス): running costs, a grant that ends in a
few months, its payments, monthly gifts and corporate gifts. Idempotent."""

import datetime

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from wagtail.models import Site

from donations.models import Donation, Programme, RecurringDonation
from donations.services import StripeKeys, donation_record
from members.models import Supporter

from .models import FundingSettings, GrantIncome

# Running costs and the start-up grant, roughly those of the seed network: a food-bank warehouse,
# a part-time coordinator and 29 children's places supported with food.
RUNNING_COSTS_YEN = 450_000
GRANT = {"name": "さくら野市 地域福祉活動助成金", "amount_yen": 5_400_000, "months": 30}
# Monthly supporters who joined over the last 18 months: (months ago joined, yen, months ago
# cancelled or None).
MONTHLY_HISTORY = [
    (18, 1000, None),
    (17, 3000, None),
    (16, 500, 9),
    (15, 1000, None),
    (14, 2000, None),
    (13, 1000, 4),
    (12, 5000, None),
    (11, 1000, None),
    (10, 500, None),
    (9, 3000, None),
    (9, 1000, 2),
    (8, 1000, None),
    (7, 2000, None),
    (6, 1000, None),
    (5, 500, None),
    (4, 10000, None),
    (4, 1000, None),
    (3, 3000, None),
    (2, 1000, None),
    (1, 2000, None),
]
# Companies' one-off gifts: (months ago, yen, programme's Japanese name or None: most needed).
CORPORATE_GIFTS = [
    (14, 100_000, "フードバンク"),
    (8, 200_000, None),
    (3, 150_000, "子どもの居場所"),
]


def _months_ago(today: datetime.date, months: int, day: int = 10) -> datetime.datetime:
    """10:00 on `day` of the month `months` before today's (negative: after)."""
    date = today.replace(day=day) - relativedelta(months=months)
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time(10, 0)))


def funding_demo_build() -> None:
    """Running costs, a grant that ends in a few months, its payments, and 18 months of monthly
    gifts and corporate gifts, so the funding dashboard has a story to tell. Idempotent."""
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return
    today = timezone.localdate()
    start = _months_ago(today, GRANT["months"] - 5, day=1).date()
    end = _months_ago(today, -5, day=1).date() - datetime.timedelta(days=1)
    funding = FundingSettings.for_site(site)
    funding.monthly_running_costs_yen = RUNNING_COSTS_YEN
    funding.grant_name = GRANT["name"]
    funding.grant_amount_yen = GRANT["amount_yen"]
    funding.grant_start_date, funding.grant_end_date = start, end
    funding.save()
    quarterly = GRANT["amount_yen"] // (GRANT["months"] // 3)
    for quarter in range(GRANT["months"] // 3):
        received = _months_ago(today, GRANT["months"] - 5 - 3 * quarter, day=5).date()
        if received > today:
            break
        GrantIncome.objects.get_or_create(
            received_on=received,
            grantor=GRANT["name"],
            defaults={"amount_yen": quarterly, "note": "demo"},
        )

    people = list(
        Supporter.objects.filter(status=Supporter.Status.ACTIVE, kind=Supporter.Kind.PERSON)
        .exclude(recurring_donations__isnull=False)
        .order_by("pk")
    )
    existing = RecurringDonation.objects.filter(stripe_subscription_id__startswith="sub_demo_f")
    if not existing.exists():
        for n, (joined, amount, cancelled) in enumerate(MONTHLY_HISTORY[: len(people)]):
            recurring = RecurringDonation.objects.create(
                supporter=people[n],
                stripe_subscription_id=f"sub_demo_f{n}",
                amount_yen=amount,
                status=RecurringDonation.Status.CANCELLED
                if cancelled
                else RecurringDonation.Status.ACTIVE,
                started_at=_months_ago(today, joined),
                cancelled_at=_months_ago(today, cancelled, day=15) if cancelled else None,
                # Paid on the 10th: the next payment is this month's 10th until it has passed.
                next_payment_on=None
                if cancelled
                else _months_ago(today, 0 if today.day <= 10 else -1).date(),
            )
            for month in range(joined, cancelled or 0, -1):
                donation, _ = donation_record(
                    supporter=recurring.supporter,
                    kind=Donation.Kind.MONTHLY,
                    method=Donation.Method.CARD,
                    amount_yen=amount,
                    paid_at=_months_ago(today, month),
                    stripe_keys=StripeKeys(invoice_id=f"in_demo_f{n}_{month}"),
                )
                Donation.objects.filter(pk=donation.pk).update(recurring=recurring)
    companies = list(
        Supporter.objects.filter(
            status=Supporter.Status.ACTIVE, kind=Supporter.Kind.ORGANISATION
        ).order_by("pk")
    )
    programmes = dict(Programme.objects.values_list("name_ja", "pk"))
    for n, (months, amount, programme) in enumerate(CORPORATE_GIFTS[: len(companies)]):
        if Donation.objects.filter(note=f"demo-corporate-{n}").exists():
            continue
        donation_record(
            programme_id=programmes.get(programme),
            supporter=companies[n],
            kind=Donation.Kind.ONE_OFF,
            method=Donation.Method.BANK_TRANSFER,
            amount_yen=amount,
            paid_at=_months_ago(today, months, day=20),
            note=f"demo-corporate-{n}",
        )
