"""The funding figures the database aggregates (monthly donor movement, lapsed donors, recurring
revenue computed once for the page and the grant exit) against a plain Python computation over
every ledger row, on a varied ledger: refunds (full and partial), gaps, recovered donors, a month
in progress, anonymous gifts, organisations, donors who may not be contacted, Tokyo month and
year edges."""

import datetime
import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from dateutil.relativedelta import relativedelta

from donations.funding.dashboard import DashboardRange, dashboard_tables
from donations.funding.models import FundingSettings
from donations.funding.months import TOKYO, month_list
from donations.funding.runway import funding_balance
from donations.funding.selectors import lapsed_donors, monthly_donor_movement, recurring_revenue
from donations.models import Donation
from members.models import NOT_CONTACTABLE, MembershipPlan, Supporter
from tests.donations.funding.factories import at, company, gift, membership_fee, person

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 5, 12)  # May 2026 is in progress


def month_of(moment: datetime.datetime) -> D:
    local = moment.astimezone(TOKYO)
    return D(local.year, local.month, 1)


@pytest.fixture
def varied_ledger():
    """About 40 donors over 2023–2026, seeded: runs of monthly gifts with gaps, refunds, one-off
    and corporate gifts, fees, anonymous collection boxes, gifts at Tokyo month edges."""
    rng = random.Random(18)
    donors = [person() for _ in range(30)] + [company() for _ in range(6)]
    for status in NOT_CONTACTABLE:
        donors.append(person(status=status))
    rows = []

    def add(supporter, kind, amount, paid_at, refunded=0, method=Donation.Method.CARD):
        rows.append(
            Donation(
                supporter=supporter,
                kind=kind,
                method=method,
                amount_yen=amount,
                refunded_yen=refunded,
                paid_at=paid_at,
            )
        )

    for n, donor in enumerate(donors):
        if n % 2 == 0:  # a monthly donor: runs of months with gaps
            month = D(2023, 1, 1) + relativedelta(months=rng.randint(0, 36))
            while month <= D(2026, 5, 1):
                if rng.random() < 0.75:
                    refunded = rng.choice([0] * 8 + [500, 1000])  # some partly, some fully
                    day = rng.choice([1, 10, 28])
                    add(donor, "monthly", 1000, at(month.year, month.month, day), refunded)
                    if rng.random() < 0.1:  # a second gift the same month
                        add(donor, "monthly", 500, at(month.year, month.month, 15))
                month += relativedelta(months=rng.choice([1, 1, 1, 2, 3]))
        for _ in range(rng.randint(0, 4)):  # one-off (corporate for organisations)
            year, month = rng.choice([2022, 2023, 2024, 2025, 2026]), rng.randint(1, 12)
            if (year, month) > (2026, 5):
                continue
            amount = rng.choice([1000, 3000, 10000])
            add(donor, "one_off", amount, at(year, month, 5), rng.choice([0, 0, 0, amount, 400]))
    # Edges: 31 Dec 15:30 UTC is 1 January in Tokyo; 31 Jan 15:10 UTC is 1 February.
    add(donors[1], "one_off", 2000, datetime.datetime(2025, 12, 31, 15, 30, tzinfo=datetime.UTC))
    add(donors[2], "monthly", 1000, datetime.datetime(2026, 1, 31, 15, 10, tzinfo=datetime.UTC))
    add(donors[4], "monthly", 1000, datetime.datetime(2026, 1, 31, 14, 50, tzinfo=datetime.UTC))
    for year in (2024, 2025, 2026):  # collection boxes: income, nobody's gift
        add(None, "one_off", 7000, at(year, 3, 3), method=Donation.Method.CASH)
    Donation.objects.bulk_create(rows)
    for n, donor in enumerate(donors[:12]):  # fees, yearly and monthly plans
        period = MembershipPlan.Period.MONTH if n % 4 == 0 else MembershipPlan.Period.YEAR
        membership_fee(donor, at(2024 + n % 3, 1 + n % 12, 20), amount=3000, period=period)
    return donors


def python_movement(start: D, end: D) -> list[tuple]:
    """The movement as the first version computed it, from every ledger row."""
    active, first = defaultdict(set), {}
    for d in Donation.objects.filter(kind="monthly").order_by("paid_at"):
        month = month_of(d.paid_at)
        if d.amount_yen > d.refunded_yen and month <= end:
            active[month].add(d.supporter_id)
            first.setdefault(d.supporter_id, month)
    rows = []
    for month in month_list(start=start, end=end):
        now, before = active[month], active[month - relativedelta(months=1)]
        arrived = now - before
        new = {s for s in arrived if first[s] == month}
        ended = month < D(TODAY.year, TODAY.month, 1)
        lost = len(before - now) if ended else None
        rows.append((month, len(now), len(new), len(arrived - new), lost, len(now & before)))
    return rows


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (D(2025, 6, 1), D(2026, 5, 1)),
        (D(2026, 2, 1), D(2026, 2, 1)),
        (D(2023, 1, 1), D(2025, 12, 1)),
    ],
)
def test_monthly_donor_movement_matches_python(varied_ledger, start, end):
    rows = monthly_donor_movement(start=start, end=end, today=TODAY)
    got = [(m.month, m.active, m.new, m.recovered, m.lost, m.retained) for m in rows]
    expected = python_movement(start, end)
    assert got == expected
    assert any(row[3] for row in expected) or start == end  # recovered donors are exercised
    assert all(m.previous == m.retained + (m.lost or 0) or m.in_progress for m in rows)


def python_recurring(months: list[D]) -> list[tuple]:
    monthly, spread = defaultdict(int), defaultdict(Decimal)
    for d in Donation.objects.select_related("membership__plan"):
        net, month = d.amount_yen - d.refunded_yen, month_of(d.paid_at)
        if net <= 0:
            continue
        if d.kind == "monthly":
            monthly[month] += net
        elif d.kind == "membership":
            period = d.membership.plan.period if d.membership else "year"
            count = 1 if period == MembershipPlan.Period.MONTH else 12
            for offset in range(count):
                spread[month + relativedelta(months=offset)] += Decimal(net) / count
    return [
        (m, monthly[m], int(spread[m].quantize(Decimal(1), rounding=ROUND_HALF_UP))) for m in months
    ]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (D(2025, 6, 1), D(2026, 5, 1)),  # overlaps the grant exit's last 12 complete months
        (D(2022, 1, 1), D(2023, 12, 1)),  # far from them: two runs of months
        (D(2026, 5, 1), D(2026, 5, 1)),
    ],
)
def test_dashboard_recurring_and_balance_match_python(varied_ledger, start, end):
    settings = FundingSettings(monthly_running_costs_yen=20_000)
    tables, balance, _lapsed = dashboard_tables(
        rng=DashboardRange(start=start, end=end, year=2026), today=TODAY, settings=settings
    )
    months = month_list(start=start, end=end)
    expected = python_recurring(months)
    assert [(row[1], row[2]) for row in tables["recurring"].rows] == [e[1:] for e in expected]
    assert [m.total for m in recurring_revenue(start=start, end=end, today=TODAY)] == [
        e[1] + e[2] for e in expected
    ]
    trend = month_list(start=D(2025, 5, 1), end=D(2026, 4, 1))
    assert [(m.month, m.monthly_gifts, m.membership_fees) for m in balance.trend] == (
        python_recurring(trend)
    )
    alone = funding_balance(today=TODAY, running_costs_yen=20_000)
    assert balance == alone


def python_lapsed(year: int) -> dict:
    """LYBUNT and SYBUNT as the first version computed them, from every ledger row."""
    this_year, last_year, last_gift, lifetime = set(), set(), {}, defaultdict(int)
    for d in Donation.objects.exclude(supporter=None):
        local = d.paid_at.astimezone(TOKYO)
        if d.amount_yen <= d.refunded_yen or local.year > year:
            continue
        this_year.update([d.supporter_id] if local.year == year else [])
        last_year.update([d.supporter_id] if local.year == year - 1 else [])
        last_gift[d.supporter_id] = max(last_gift.get(d.supporter_id, d.paid_at), d.paid_at)
        lifetime[d.supporter_id] += d.amount_yen - d.refunded_yen
    lists = {"lybunt": [], "sybunt": []}
    for supporter in Supporter.objects.exclude(status__in=NOT_CONTACTABLE):
        s = supporter.pk
        if s in last_gift and s not in this_year:
            name = (
                supporter.organisation_name
                if supporter.kind == Supporter.Kind.ORGANISATION
                else f"{supporter.family_name} {supporter.given_name}".strip()
            )
            row = (last_gift[s], s, name, supporter.email, lifetime[s])
            lists["lybunt" if s in last_year else "sybunt"].append(row)
    for rows in lists.values():
        rows.sort(reverse=True)
    return {
        **lists,
        "last_year_donors": len(last_year),
        "retained": len(last_year & this_year),
    }


def as_tuples(donors) -> list[tuple]:
    return [(d.last_gift_at, d.supporter_id, d.name, d.email, d.lifetime_yen) for d in donors]


@pytest.mark.parametrize("year", [2024, 2025, 2026])
@pytest.mark.parametrize("limit", [None, 1])
def test_lapsed_donors_match_python(varied_ledger, year, limit):
    expected = python_lapsed(year)
    lapsed = lapsed_donors(year=year, limit=limit)
    assert as_tuples(lapsed.lybunt) == expected["lybunt"][:limit]
    assert as_tuples(lapsed.sybunt) == expected["sybunt"][:limit]
    assert (lapsed.lybunt_count, lapsed.sybunt_count) == (
        len(expected["lybunt"]),
        len(expected["sybunt"]),
    )
    assert (lapsed.last_year_donors, lapsed.retained) == (
        expected["last_year_donors"],
        expected["retained"],
    )
    assert len(expected["lybunt"]) > 1 and len(expected["sybunt"]) > 1  # the limit bites
    assert any(
        row[2] == "" or "株式会社" in row[2] for row in expected["lybunt"] + expected["sybunt"]
    )


def test_lapsed_counts_come_back_when_nobody_or_everybody_lapsed():
    kept, gone = person(), person()
    gift(kept, 1000, at(2025, 5, 1))
    gift(kept, 1000, at(2026, 5, 1))
    everybody_kept = lapsed_donors(year=2026)  # only a donor in no list
    assert (everybody_kept.last_year_donors, everybody_kept.retained) == (1, 1)
    assert not everybody_kept.lybunt and everybody_kept.lybunt_count == 0

    gift(gone, 3000, at(2024, 5, 1))
    everybody_gone = lapsed_donors(year=2027)  # every donor in a list
    assert (everybody_gone.last_year_donors, everybody_gone.retained) == (1, 0)
    assert [d.supporter_id for d in everybody_gone.lybunt] == [kept.pk]
    assert [d.supporter_id for d in everybody_gone.sybunt] == [gone.pk]
    assert (everybody_gone.lybunt_count, everybody_gone.sybunt_count) == (1, 1)
    assert lapsed_donors(year=2020).last_year_donors == 0  # no gift yet: no row at all
