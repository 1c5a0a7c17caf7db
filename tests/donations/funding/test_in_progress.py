"""A month that has not ended in Tokyo is "in progress": its money so far is shown, but it loses
no donors and gives no rates. Frozen at 2026-12-01 09:00 JST (December has just begun) and at
the last second of November (November has not ended yet)."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from wagtail.models import Site

from donations.funding.dashboard import DashboardRange, dashboard_tables
from donations.funding.models import FundingSettings
from donations.funding.months import month_in_progress, tokyo_today
from donations.funding.selectors import monthly_donor_movement, recurring_revenue
from members.groups import FINANCE
from tests.donations.funding.factories import at, gift, monthly, person

pytestmark = pytest.mark.django_db

JST = datetime.timezone(datetime.timedelta(hours=9))
D = datetime.date
OCT, NOV, DEC = D(2026, 10, 1), D(2026, 11, 1), D(2026, 12, 1)
DECEMBER_BEGUN = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=JST)
NOVEMBER_LAST_SECOND = datetime.datetime(2026, 11, 30, 23, 59, 59, tzinfo=JST)
URL = "/admin/funding_dashboard/"


def freeze(monkeypatch, instant: datetime.datetime) -> None:
    """timezone.now() (and so localdate()) answer `instant`, in UTC as Django keeps it."""
    monkeypatch.setattr(timezone, "now", lambda: instant.astimezone(datetime.UTC))


@pytest.mark.parametrize(
    ("instant", "in_progress", "ended"),
    [
        (DECEMBER_BEGUN, DEC, NOV),
        (NOVEMBER_LAST_SECOND, NOV, OCT),
        # 15:00 UTC on 30 November is already 1 December in Tokyo.
        (datetime.datetime(2026, 11, 30, 15, 0, tzinfo=datetime.UTC), DEC, NOV),
        (datetime.datetime(2026, 11, 30, 14, 59, 59, tzinfo=datetime.UTC), NOV, OCT),
    ],
)
def test_the_current_tokyo_month_is_in_progress(instant, in_progress, ended):
    today = tokyo_today(instant)
    assert month_in_progress(in_progress, today=today)
    assert month_in_progress(in_progress.replace(year=2027), today=today)  # later months too
    assert not month_in_progress(ended, today=today)


@pytest.fixture
def nineteen_monthly_donors():
    """19 donors who paid in October and November; on 1 December nobody has paid yet."""
    donors = [person() for _ in range(19)]
    for donor in donors:
        monthly(donor, 1000, at(2026, 10, 5))
        monthly(donor, 1000, at(2026, 11, 5))
    return donors


def test_nobody_is_lost_in_a_month_that_has_just_begun(nineteen_monthly_donors):
    rows = monthly_donor_movement(start=OCT, end=DEC, today=tokyo_today(DECEMBER_BEGUN))
    november, december = rows[1], rows[2]
    assert (november.in_progress, november.lost, november.retention) == (False, 0, 1.0)
    assert december.in_progress
    assert december.active == 0
    assert december.lost is None and december.retention is None  # not "lost 19, 0 %"


def test_at_the_last_second_of_november_november_is_still_in_progress(nineteen_monthly_donors):
    gift(person(), 500, at(2026, 11, 30, 23, 59))
    today = tokyo_today(NOVEMBER_LAST_SECOND)
    rows = monthly_donor_movement(start=OCT, end=NOV, today=today)
    assert rows[1].in_progress and rows[1].retention is None and rows[1].lost is None
    assert not rows[0].in_progress
    recurring = recurring_revenue(start=OCT, end=NOV, today=today)
    assert [m.in_progress for m in recurring] == [False, True]
    assert recurring[1].total == 19_000  # the money so far is still shown


def test_the_dashboard_marks_the_month_and_gives_it_no_rates(
    monkeypatch, nineteen_monthly_donors, client, django_user_model
):
    from django.contrib.auth.models import Group

    freeze(monkeypatch, DECEMBER_BEGUN)
    FundingSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"monthly_running_costs_yen": 10_000},
    )
    user = django_user_model.objects.create_user("finance", password="pw")
    user.groups.add(Group.objects.get(name=FINANCE))
    client.force_login(user)

    response = client.get(URL, {"start": "2026-10", "end": "2026-12"})

    tables = response.context["tables"]
    donors = tables["donors"]
    assert donors.in_progress == [False, False, True]
    assert donors.rows[2][0].startswith("2026-12 (")  # "2026-12 (in progress)", translated
    assert donors.rows[2][4] is None and donors.rows[2][5] is None  # lost, retention
    assert donors.rows[1][4] == 0 and donors.rows[1][5] == 1.0
    recurring = tables["recurring"]
    assert recurring.rows[2][3] == 0 and recurring.rows[2][4] is None  # no share of costs
    assert recurring.rows[1][4] == 1.9
    html = response.content.decode()
    assert html.count('class="funding-table__in-progress"') == 3  # recurring, donors, revenue
    # Each month chart (recurring, donors, revenue) marks December under its axis.
    assert html.count('class="chart__pending"') == 3
    # The year is in progress: the yearly card gives a count, not a rate.
    assert response.context["year_in_progress"] is True


@pytest.mark.parametrize("months", [3, 24])
def test_dashboard_query_count_does_not_depend_on_the_period(
    months, nineteen_monthly_donors, django_assert_num_queries
):
    today = D(2026, 12, 1)
    rng = DashboardRange(start=DEC - relativedelta(months=months - 1), end=DEC, year=2026)
    # revenue (2) + in-kind (1) + recurring with the balance's months (2) + donors (1)
    # + programmes (2) + lapsed (1), whether the period is 3 months or 24.
    with django_assert_num_queries(9):
        tables, _balance, _lapsed = dashboard_tables(
            rng=rng, today=today, settings=FundingSettings(monthly_running_costs_yen=1)
        )
    assert len(tables["revenue"].rows) == months
