"""Funding reports: recurring revenue, monthly donors, lapsed donors, revenue by source and the
grant exit (財源バランス, in runway.py).

Every function is pure (reads only), keyword-only and runs a fixed number of queries whatever
the amount of data: the database aggregates per month (months are Asia/Tokyo calendar months)
and Python only fills in the handful of aggregated rows. Months are given as the first day of
the month (`datetime.date(2026, 4, 1)`); ranges are inclusive of both end months.

Definitions (also explained on the dashboard):

- Money is net of refunds (amount - refunded), counted in the month the gift was paid.
  Fully refunded gifts count for nothing and make nobody a donor.
- Monthly gifts: ledger rows of kind "monthly" (Stripe subscriptions and offline transfers).
- Membership fees are spread over the months of the period they pay for: a ¥3,000 yearly fee
  paid in April adds ¥250 to every month from April to next March. Fees recorded without a
  membership are treated as yearly fees.
- Recurring revenue (MRR) of a month = monthly gifts paid that month + spread membership fees.
- Corporate gifts: one-off gifts from organisations. Their monthly gifts and membership fees
  stay in those sources (they are recurring income).
- A month that has not ended in Tokyo (months.py `month_in_progress`) is marked `in_progress`:
  its money so far is shown, but it gives no rate (retention) and loses nobody yet.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear, TruncMonth
from django.utils import timezone

from donations.goods.selectors import goods_value_by_month
from donations.models import Donation, RecurringDonation
from members.models import MembershipPlan, Supporter

from .lapsed import LapsedDonor, LapsedDonors, lapsed_donors  # noqa: F401 (one import place)
from .models import GrantIncome
from .months import TOKYO, as_month, month_in_progress, month_list, month_start_at, tokyo_today


def _today(today: datetime.date | None) -> datetime.date:
    return today if today is not None else tokyo_today(timezone.now())


def _paid_month():
    return TruncMonth("paid_at", tzinfo=TOKYO)


def _net():
    return F("amount_yen") - F("refunded_yen")


def _ledger(start: datetime.date, end: datetime.date):
    """Ledger rows paid in the months start..end (Tokyo), net of refunds above zero."""
    return Donation.objects.filter(
        paid_at__gte=month_start_at(start),
        paid_at__lt=month_start_at(end + relativedelta(months=1)),
        amount_yen__gt=F("refunded_yen"),
    ).order_by()


# --- Revenue by source -------------------------------------------------------------------------


SOURCES = [
    "membership_fees",
    "monthly_gifts",
    "one_off_gifts",
    "corporate_gifts",
    "in_kind_value",
    "grant_income",
]


@dataclass(frozen=True)
class MonthRevenue:
    month: datetime.date
    membership_fees: int = 0
    monthly_gifts: int = 0
    one_off_gifts: int = 0
    corporate_gifts: int = 0
    in_kind_value: int = 0
    grant_income: int = 0
    in_progress: bool = False

    @property
    def own_income(self) -> int:
        """Everything except the grant."""
        return self.total - self.grant_income

    @property
    def total(self) -> int:
        return sum(getattr(self, source) for source in SOURCES)


def revenue_by_source(
    *, start: datetime.date, end: datetime.date, today: datetime.date | None = None
) -> list[MonthRevenue]:
    """Income per month and source. Three queries: gifts, grant income, in-kind value."""
    today = _today(today)
    rows: dict[datetime.date, dict[str, int]] = {
        m: defaultdict(int) for m in month_list(start=start, end=end)
    }
    # Organisations' gifts through a list of their ids, not a join: one pass over the ledger.
    organisations = Supporter.objects.filter(kind=Supporter.Kind.ORGANISATION).values("pk")
    gifts = (
        _ledger(start, end)
        .annotate(month=_paid_month())
        .values("month", "kind")
        .annotate(
            net=Sum(_net()),
            corporate=Sum(_net(), filter=Q(supporter_id__in=organisations), default=0),
        )
    )
    for row in gifts:
        bucket = rows[as_month(row["month"])]
        if row["kind"] == Donation.Kind.MEMBERSHIP:
            bucket["membership_fees"] += row["net"]
        elif row["kind"] == Donation.Kind.MONTHLY:
            bucket["monthly_gifts"] += row["net"]
        else:
            bucket["corporate_gifts"] += row["corporate"]
            bucket["one_off_gifts"] += row["net"] - row["corporate"]
    grants = (
        GrantIncome.objects.filter(
            received_on__gte=start, received_on__lt=end + relativedelta(months=1)
        )
        .order_by()
        .annotate(month=TruncMonth("received_on"))
        .values("month")
        .annotate(total=Sum("amount_yen"))
    )
    for row in grants:
        rows[as_month(row["month"])]["grant_income"] += row["total"]
    goods = goods_value_by_month(
        start=start, end=end + relativedelta(months=1) - datetime.timedelta(days=1)
    )
    for month, value in goods.items():
        if month in rows:
            rows[month]["in_kind_value"] = value
    return [
        MonthRevenue(month=month, in_progress=month_in_progress(month, today=today), **bucket)
        for month, bucket in rows.items()
    ]


# --- Recurring revenue (MRR) -------------------------------------------------------------------


@dataclass(frozen=True)
class MonthRecurring:
    month: datetime.date
    monthly_gifts: int
    membership_fees: int
    in_progress: bool = False

    @property
    def total(self) -> int:
        return self.monthly_gifts + self.membership_fees


def _period_months(period: str | None) -> int:
    return 1 if period == MembershipPlan.Period.MONTH else 12


def _runs(months: list[datetime.date], *, lead: int = 0) -> Q:
    """Paid in any of `months` (or up to `lead` months before one): a paid_at range per run of
    consecutive months, so that two far-apart periods read only their own rows."""
    ranges: list[list[datetime.date]] = []
    for month in sorted(months):
        first = month - relativedelta(months=lead)
        if ranges and first <= ranges[-1][1] + relativedelta(months=1):
            ranges[-1][1] = max(ranges[-1][1], month)
        else:
            ranges.append([first, month])
    q = Q(pk__in=[])
    for first, last in ranges:
        q |= Q(
            paid_at__gte=month_start_at(first),
            paid_at__lt=month_start_at(last + relativedelta(months=1)),
        )
    return q


def recurring_revenue(
    *, start: datetime.date, end: datetime.date, today: datetime.date | None = None
) -> list[MonthRecurring]:
    """Monthly recurring revenue per month: monthly gifts paid that month plus membership fees
    spread over their period. Two queries."""
    return recurring_revenue_of(months=month_list(start=start, end=end), today=today)


def recurring_revenue_of(
    *, months: list[datetime.date], today: datetime.date | None = None
) -> list[MonthRecurring]:
    """recurring_revenue for any set of months, in order (the dashboard's period and the grant
    exit's last 12 complete months at once). Two queries."""
    today = _today(today)
    months = sorted(set(months))
    monthly = dict.fromkeys(months, 0)
    ledger = Donation.objects.filter(amount_yen__gt=F("refunded_yen")).order_by()
    rows = (
        ledger.filter(_runs(months), kind=Donation.Kind.MONTHLY)
        .annotate(month=_paid_month())
        .values("month")
        .annotate(net=Sum(_net()))
    )
    for row in rows:
        monthly[as_month(row["month"])] += row["net"]

    # A yearly fee paid up to 11 months before a month still counts in it.
    spread = dict.fromkeys(months, Decimal(0))
    fees = (
        ledger.filter(_runs(months, lead=11), kind=Donation.Kind.MEMBERSHIP)
        .annotate(month=_paid_month())
        .values("month", "membership__plan__period")
        .annotate(net=Sum(_net()))
    )
    for row in fees:
        period_months = _period_months(row["membership__plan__period"])
        share = Decimal(row["net"]) / period_months
        paid_month = as_month(row["month"])
        for offset in range(period_months):
            month = paid_month + relativedelta(months=offset)
            if month in spread:
                spread[month] += share
    return [
        MonthRecurring(
            month=month,
            monthly_gifts=monthly[month],
            membership_fees=int(spread[month].quantize(Decimal(1), rounding=ROUND_HALF_UP)),
            in_progress=month_in_progress(month, today=today),
        )
        for month in months
    ]


# --- Monthly donors: new, lost, recovered, retention -------------------------------------------


@dataclass(frozen=True)
class MonthDonors:
    """Monthly donors of one month. A donor is active in a month when a monthly gift of theirs
    was paid in it. New: first month ever. Recovered: active again after at least one month
    without. Lost: active the month before, not this month. Retention: share of last month's
    donors still active.

    A month in progress has lost nobody yet (its donors may still pay): `lost` and `retention`
    are None until it has ended."""

    month: datetime.date
    active: int
    new: int
    recovered: int
    lost: int | None
    retained: int
    previous: int
    in_progress: bool = False

    @property
    def retention(self) -> float | None:
        if self.in_progress or not self.previous:
            return None
        return self.retained / self.previous


def _month_index():
    """A Tokyo month as one integer (year * 12 + month): consecutive months differ by one on
    every database, which dates and TruncMonth do not give portably."""
    return ExtractYear("paid_at", tzinfo=TOKYO) * 12 + ExtractMonth("paid_at", tzinfo=TOKYO)


def _index_month(index) -> datetime.date:
    year, month = divmod(int(index) - 1, 12)
    return datetime.date(year, month + 1, 1)


# Per month: active donors, those active the month before too (retained), and those in their
# first month ever (new: no earlier active month in the period, and no monthly gift before it).
# LAG over each donor's active months of the period tells them apart. Only the period's gifts
# are put in months; earlier ones are only looked up by donor. Raw SQL around the ORM's
# queries: Django cannot aggregate over a window function. Runs on PostgreSQL and SQLite
# (3.25+) alike.
_MOVEMENT_SQL = """
    SELECT mi, COUNT(*),
        SUM(CASE WHEN prev = mi - 1 THEN 1 ELSE 0 END),
        SUM(CASE WHEN prev IS NULL AND supporter_id NOT IN ({earlier}) THEN 1 ELSE 0 END)
    FROM (
        SELECT supporter_id, mi,
            LAG(mi) OVER (PARTITION BY supporter_id ORDER BY mi) AS prev
        FROM ({pairs}) pairs
    ) runs
    GROUP BY mi
"""


def monthly_donor_movement(
    *, start: datetime.date, end: datetime.date, today: datetime.date | None = None
) -> list[MonthDonors]:
    """One query, aggregated in the database: every (donor, month) with a monthly gift from the
    month before `start` to `end`, each donor's previous active month in it, and who gave a
    monthly gift before it. Lost = last month's donors - retained. `today` (Tokyo; default
    now) decides which months are still in progress."""
    today = _today(today)
    months = month_list(start=start, end=end)
    since = month_start_at(start - relativedelta(months=1))
    until = month_start_at(end + relativedelta(months=1))
    monthly = Donation.objects.filter(
        kind=Donation.Kind.MONTHLY, amount_yen__gt=F("refunded_yen"), supporter__isnull=False
    ).order_by()
    pairs = (
        monthly.filter(paid_at__gte=since, paid_at__lt=until)
        .annotate(mi=_month_index())
        .values("supporter_id", "mi")
        .distinct()
    )
    earlier = monthly.filter(paid_at__lt=since).values("supporter_id")
    earlier_sql, earlier_params = earlier.query.sql_with_params()
    pairs_sql, pairs_params = pairs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            _MOVEMENT_SQL.format(earlier=earlier_sql, pairs=pairs_sql),
            (*earlier_params, *pairs_params),
        )
        counts = {_index_month(mi): tuple(map(int, rest)) for mi, *rest in cursor.fetchall()}
    result = []
    for month in months:
        active, retained, new = counts.get(month, (0, 0, 0))
        previous = counts.get(month - relativedelta(months=1), (0,))[0]
        in_progress = month_in_progress(month, today=today)
        result.append(
            MonthDonors(
                month=month,
                active=active,
                new=new,
                recovered=active - retained - new,
                lost=None if in_progress else previous - retained,
                retained=retained,
                previous=previous,
                in_progress=in_progress,
            )
        )
    return result


@dataclass(frozen=True)
class MonthlyGiftsNow:
    count: int
    amount_yen: int


def monthly_gifts_now() -> MonthlyGiftsNow:
    """Monthly gifts running at Stripe now (active or retrying a failed payment). One query."""
    totals = RecurringDonation.objects.filter(
        status__in=[RecurringDonation.Status.ACTIVE, RecurringDonation.Status.PAST_DUE]
    ).aggregate(count=Count("pk"), amount=Sum("amount_yen"))
    return MonthlyGiftsNow(count=totals["count"], amount_yen=totals["amount"] or 0)
