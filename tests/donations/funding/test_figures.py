"""Funding report figures against a hand-computed ledger: refunds, offline gifts, cancelled
monthly gifts, membership fees spread over their period, grant income, Tokyo month edges."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from donations.funding.models import FundingSettings
from donations.funding.runway import funding_balance, runway_project
from donations.funding.selectors import (
    MonthRecurring,
    lapsed_donors,
    monthly_donor_movement,
    recurring_revenue,
    revenue_by_source,
)
from donations.models import Donation, RecurringDonation
from members.models import MembershipPlan, Supporter
from tests.donations.funding.factories import (
    at,
    company,
    gift,
    goods,
    grant,
    membership_fee,
    monthly,
    person,
)

pytestmark = pytest.mark.django_db

D = datetime.date
JAN, FEB, MAR, APR = D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1), D(2026, 4, 1)


@pytest.fixture
def ledger():
    """The hand-computed fixture (expected figures are in the tests below)."""
    a, b, d, e = person(), person(), person(), person()
    c = company()
    # A: monthly ¥1,000 by card Jan–Mar, then cancels (a cancelled monthly gift).
    for month in (1, 2, 3):
        monthly(a, 1000, at(2026, month, 10))
    RecurringDonation.objects.create(
        supporter=a,
        amount_yen=1000,
        status=RecurringDonation.Status.CANCELLED,
        stripe_subscription_id="sub_a",
        started_at=at(2026, 1, 10),
        cancelled_at=at(2026, 3, 20),
    )
    # B: monthly ¥2,000 by bank transfer (offline), skips February.
    for month in (1, 3, 4):
        monthly(b, 2000, at(2026, month, 25), method=Donation.Method.BANK_TRANSFER)
    # D: monthly ¥500 from February; March partly refunded (¥200).
    monthly(d, 500, at(2026, 2, 5))
    monthly(d, 500, at(2026, 3, 5), refunded=200)
    monthly(d, 500, at(2026, 4, 5))
    # Membership fees: E yearly ¥3,000 in December 2025 (¥250 a month Dec–Nov);
    # C corporate 2 units × ¥6,000 yearly in March (¥1,000 a month);
    # A monthly plan ¥500 in April; D a fee recorded without a membership (treated as yearly).
    membership_fee(e, at(2025, 12, 15), amount=3000)
    membership_fee(c, at(2026, 3, 1), amount=12000, units=2)
    membership_fee(a, at(2026, 4, 2), amount=500, period=MembershipPlan.Period.MONTH)
    gift(d, 1200, at(2026, 2, 14), kind=Donation.Kind.MEMBERSHIP, method=Donation.Method.CASH)
    # One-off gifts.
    gift(a, 5000, at(2026, 1, 20), method=Donation.Method.KONBINI)
    gift(b, 10000, at(2026, 2, 3), method=Donation.Method.CASH)
    gift(c, 50000, at(2026, 3, 15), method=Donation.Method.BANK_TRANSFER)  # corporate
    gift(d, 3000, at(2026, 4, 1), refunded=3000)  # fully refunded: counts for nothing
    gift(e, 8000, at(2026, 4, 10), refunded=3000)
    # 2026-01-31 15:30 UTC is 1 February 00:30 in Tokyo.
    gift(a, 700, datetime.datetime(2026, 1, 31, 15, 30, tzinfo=datetime.UTC))
    # Outside the range.
    gift(b, 4444, at(2025, 12, 31, 23, 59))
    gift(a, 9999, at(2026, 5, 1, 0, 0))
    # Grant income and goods received.
    grant(300000, D(2026, 1, 5))
    grant(300000, D(2026, 4, 5))
    goods(D(2026, 2, 20), category="food", unit="kg", quantity="120.5", value=60000)
    goods(D(2026, 3, 31), category="stationery", unit="items", quantity="40", value=8000)
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def as_rows(months, fields):
    return [tuple(getattr(m, f) for f in fields) for m in months]


def test_revenue_by_source(ledger):
    rows = revenue_by_source(start=JAN, end=APR)
    fields = [
        "month",
        "membership_fees",
        "monthly_gifts",
        "one_off_gifts",
        "corporate_gifts",
        "in_kind_value",
        "grant_income",
    ]
    assert as_rows(rows, fields) == [
        (JAN, 0, 3000, 5000, 0, 0, 300000),
        (FEB, 1200, 1500, 10700, 0, 60000, 0),
        (MAR, 12000, 3300, 0, 50000, 8000, 0),
        (APR, 500, 2500, 5000, 0, 0, 300000),
    ]
    assert [r.own_income for r in rows] == [8000, 73400, 73300, 8000]
    assert rows[0].total == 308000


def test_recurring_revenue_spreads_membership_fees(ledger):
    rows = recurring_revenue(start=JAN, end=APR)
    assert as_rows(rows, ["month", "monthly_gifts", "membership_fees"]) == [
        (JAN, 3000, 250),
        (FEB, 1500, 350),
        (MAR, 3300, 1350),
        (APR, 2500, 1850),
    ]
    assert [r.total for r in rows] == [3250, 1850, 4650, 4350]


def test_monthly_donors_new_lost_recovered_and_retention(ledger):
    rows = monthly_donor_movement(start=JAN, end=APR)
    assert as_rows(rows, ["month", "active", "new", "recovered", "lost", "retained"]) == [
        (JAN, 2, 2, 0, 0, 0),  # A and B start
        (FEB, 2, 1, 0, 1, 1),  # D starts, B skips
        (MAR, 3, 0, 1, 0, 2),  # B is back
        (APR, 2, 0, 0, 1, 2),  # A cancelled
    ]
    assert [r.retention for r in rows] == [None, 0.5, 1.0, pytest.approx(2 / 3)]


def test_fully_refunded_monthly_gift_makes_nobody_a_donor(ledger):
    late = person()
    monthly(late, 1000, at(2026, 4, 8), refunded=1000)
    assert monthly_donor_movement(start=APR, end=APR)[0].active == 2


def test_lybunt_sybunt_and_yearly_retention():
    both, lybunt_only, sybunt_old, twice_lapsed, refunded, forgotten, boundary = (
        person(),
        person(family_name="=HYPERLINK(1)"),
        person(),
        person(),
        person(),
        person(status=Supporter.Status.ANONYMISED),
        person(),
    )
    gift(both, 1000, at(2025, 6, 1))
    gift(both, 1000, at(2026, 2, 1))
    gift(lybunt_only, 3000, at(2025, 3, 1))
    gift(lybunt_only, 3000, at(2027, 1, 5))  # after the year: still LYBUNT for 2026
    gift(sybunt_old, 5000, at(2023, 5, 1))
    gift(twice_lapsed, 2000, at(2024, 5, 1))
    gift(twice_lapsed, 2000, at(2025, 11, 1))
    gift(refunded, 4000, at(2022, 1, 10))
    gift(refunded, 4000, at(2025, 9, 1), refunded=4000)  # does not count as giving in 2025
    gift(forgotten, 1000, at(2025, 4, 1))
    gift(boundary, 1000, at(2025, 7, 1))
    # 2025-12-31 15:10 UTC is 2026-01-01 00:10 in Tokyo: a 2026 gift.
    gift(boundary, 1000, datetime.datetime(2025, 12, 31, 15, 10, tzinfo=datetime.UTC))

    lapsed = lapsed_donors(year=2026)

    assert [d.supporter_id for d in lapsed.lybunt] == [twice_lapsed.pk, lybunt_only.pk]
    assert [d.supporter_id for d in lapsed.sybunt] == [sybunt_old.pk, refunded.pk]
    assert lapsed.sybunt[1].lifetime_yen == 4000  # the refunded gift adds nothing
    assert lapsed.lybunt[1].name.startswith("=HYPERLINK")
    assert (lapsed.last_year_donors, lapsed.retained) == (5, 2)
    assert lapsed.retention == 0.4


# --- Grant exit and runway ---------------------------------------------------------------------


def trend(values):
    """Twelve months, October 2025 to September 2026."""
    months = [D(2025, 10 + i, 1) if i < 3 else D(2026, i - 2, 1) for i in range(12)]
    return [
        MonthRecurring(month=m, monthly_gifts=v, membership_fees=0)
        for m, v in zip(months, values, strict=True)
    ]


def test_runway_projects_the_month_the_trend_reaches_the_costs():
    values = [10000 + 1000 * i for i in range(12)]  # ¥21,000 in September 2026
    runway = runway_project(trend=trend(values), running_costs_yen=30000, grant_end=D(2027, 3, 31))
    assert runway.status == "projected"
    assert runway.slope_yen == pytest.approx(1000)
    assert runway.month == D(2027, 6, 1)  # 9 months of +¥1,000 after September
    assert runway.months_after_grant_end == 3


def test_runway_already_self_sufficient():
    runway = runway_project(trend=trend([40000] * 12), running_costs_yen=30000)
    assert (runway.status, runway.month) == ("self_sufficient", D(2026, 9, 1))


@pytest.mark.parametrize(
    "values",
    [
        [20000] * 12,  # flat
        [30000 - 500 * i for i in range(12)],  # falling
        [0] * 12,  # nothing at all
    ],
)
def test_runway_never(values):
    runway = runway_project(trend=trend(values), running_costs_yen=300000)
    assert (runway.status, runway.month) == ("never", None)


def test_runway_rising_too_slowly_is_told_apart_from_never():
    # Rising by ¥1,000 a month from ¥20,000: ¥300,000 is 280 months away, past ten years.
    runway = runway_project(
        trend=trend([20000 + 1000 * i for i in range(12)]), running_costs_yen=300000
    )
    assert (runway.status, runway.month, runway.slope_yen) == ("beyond_horizon", None, 1000)


def test_runway_needs_running_costs():
    assert runway_project(trend=trend([5000] * 12), running_costs_yen=0).status == "no_costs"


def test_funding_balance_uses_the_last_complete_months(ledger):
    balance = funding_balance(today=D(2026, 5, 20), running_costs_yen=5000)
    assert [m.month for m in balance.trend][-4:] == [JAN, FEB, MAR, APR]
    assert len(balance.trend) == 12 and balance.trend[0].month == D(2025, 5, 1)
    # The fee of December 2025 is spread over it; May 2026 (current month) is left out.
    assert balance.trend[-5].total == 250
    assert balance.last_month.total == 4350
    assert balance.coverage_now == pytest.approx(0.87)
    assert balance.runway.status == "projected"


# --- Constant number of queries ----------------------------------------------------------------


def count_queries():
    from donations.funding.dashboard import DashboardRange, dashboard_tables

    settings = FundingSettings(monthly_running_costs_yen=100000)
    with CaptureQueriesContext(connection) as queries:
        dashboard_tables(
            rng=DashboardRange(start=JAN, end=APR, year=2026),
            today=D(2026, 5, 20),
            settings=settings,
        )
    return len(queries)


def test_dashboard_queries_do_not_grow_with_the_data(ledger):
    before = count_queries()
    for n in range(30):
        donor = person() if n % 3 else company()
        for month in (1, 2, 3, 4):
            monthly(donor, 1000 + n, at(2026, month, 1 + n % 27))
            gift(donor, 500, at(2025 - n % 3, month, 3))
        membership_fee(donor, at(2026, 1 + n % 4, 2), amount=3000)
        grant(1000 + n, D(2026, 1 + n % 4, 1 + n % 27))
        goods(D(2026, 1 + n % 4, 2), category="food", unit="kg", quantity="3")
    assert count_queries() == before
    # revenue (2) + in-kind (1) + recurring with the balance's months (2) + donors (1)
    # + lapsed (1) + programmes (2)
    assert before == 2 + 1 + 2 + 1 + 1 + 2


def test_no_data_gives_zeroes_not_errors():
    rows = revenue_by_source(start=JAN, end=MAR)
    assert [r.total for r in rows] == [0, 0, 0]
    assert [r.total for r in recurring_revenue(start=JAN, end=MAR)] == [0, 0, 0]
    assert [r.retention for r in monthly_donor_movement(start=JAN, end=MAR)] == [None] * 3
    balance = funding_balance(today=timezone.localdate(), running_costs_yen=0)
    assert balance.coverage_now is None and balance.runway.status == "no_costs"
