"""The funding dashboard in the Wagtail admin: Finance only, charts with tables beside them,
formula-safe CSV exports, month range input, grant income and funding settings."""

import csv
import datetime
import io

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from wagtail.models import Site

from donations.funding.models import FundingSettings, GrantIncome
from donations.funding.months import month_floor
from donations.models import Donation
from members.groups import EDITORS, FINANCE, MEMBER_STAFF
from tests.donations.funding.factories import at, gift, monthly, person

pytestmark = pytest.mark.django_db

URL = "/admin/funding_dashboard/"


def user_in(django_user_model, group: str | None, username: str):
    user = django_user_model.objects.create_user(username, password="pw")
    if group:
        user.groups.add(Group.objects.get(name=group))
    else:
        user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


@pytest.fixture
def finance(django_user_model):
    return user_in(django_user_model, FINANCE, "finance")


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def this_month(day: int = 2) -> datetime.datetime:
    today = timezone.localdate()
    return at(today.year, today.month, min(day, today.day))


@pytest.mark.parametrize("group", [None, EDITORS, MEMBER_STAFF])
def test_only_finance_sees_the_dashboard(client, django_user_model, group):
    client.force_login(user_in(django_user_model, group, f"staff-{group}"))
    assert client.get(URL).status_code in (302, 403)
    assert client.get(URL, {"export": "revenue"}).status_code in (302, 403)
    assert URL not in client.get("/admin/").content.decode()
    assert client.get("/admin/grant_income/").status_code in (302, 403)


def test_finance_sees_charts_tables_and_the_menu(client, finance):
    donor = person()
    monthly(donor, 1000, this_month())
    gift(person(), 5000, this_month(), method=Donation.Method.CASH)
    client.force_login(finance)

    assert URL in client.get("/admin/").content.decode()
    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    # recurring, donors, revenue, programmes: no balance chart before running costs are entered
    assert html.count('<svg class="chart"') == 4
    assert html.count('class="listing') == 4
    assert "¥5,000" in html and "¥1,000" in html
    assert response.context["settings_url"] in html  # the notice links to Settings → Funding
    months = response.context["tables"]["revenue"].rows
    assert len(months) == 12 and months[-1][3] == 5000  # one-off gifts this month


def test_balance_section_explains_the_runway(client, finance):
    FundingSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"monthly_running_costs_yen": 500, "grant_end_date": datetime.date(2030, 3, 31)},
    )
    last_month = month_floor(timezone.localdate()) - relativedelta(months=1)
    monthly(person(), 1000, at(last_month.year, last_month.month, 10))
    client.force_login(finance)

    response = client.get(URL)

    html = response.content.decode()
    assert response.context["balance"].runway.status == "self_sufficient"
    assert response.context["balance"].coverage_now == 2.0
    assert html.count('<svg class="chart"') == 5
    assert "200%" in html
    assert "funding__runway--self_sufficient" in html


def test_csv_exports_are_formula_safe_and_match_the_tables(client, finance):
    lapsed = person(family_name='=HYPERLINK("http://x")', given_name="", email="a@example.jp")
    last_year = timezone.localdate().year - 1
    gift(lapsed, 3000, at(last_year, 6, 1))
    gift(person(), 4000, this_month())
    client.force_login(finance)

    rows = csv_rows(client.get(URL, {"export": "lybunt"}))
    assert rows[1][0].startswith("'=HYPERLINK")
    assert rows[1][1:] == ["a@example.jp", f"{last_year}-06-01", "3000"]

    rows = csv_rows(client.get(URL, {"export": "revenue"}))
    assert len(rows) == 13
    assert rows[-1][3] == "4000"

    assert client.get(URL, {"export": "nonsense"}).status_code == 404


def test_month_range_and_bad_input(client, finance):
    gift(person(), 2500, at(2025, 3, 3))
    client.force_login(finance)

    response = client.get(URL, {"start": "2025-02", "end": "2025-04", "year": "2025"})
    rows = response.context["tables"]["revenue"].rows
    assert [row[0] for row in rows] == ["2025-02", "2025-03", "2025-04"]
    assert rows[1][3] == 2500
    rows = csv_rows(client.get(URL, {"start": "2025-02", "end": "2025-04", "export": "revenue"}))
    assert [row[0] for row in rows[1:]] == ["2025-02", "2025-03", "2025-04"]

    for bad in (
        {"start": "2025-13"},
        {"start": "2025-05", "end": "2025-01"},
        {"start": "2015-01", "end": "2025-01"},
    ):
        response = client.get(URL, bad)
        assert response.status_code == 200
        assert response.context["form"].errors
        assert len(response.context["tables"]["revenue"].rows) == 12  # the default range


def test_empty_dashboard_says_so(client, finance):
    client.force_login(finance)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["has_data"] is False
    assert "この期間の寄付・会費・助成金収入はまだありません。" in response.content.decode()


def test_finance_enters_grant_income_and_bad_input_is_refused(client, finance):
    client.force_login(finance)
    ok = client.post(
        "/admin/grant_income/new/",
        {"received_on": "2026-04-01", "amount_yen": "1500000", "grantor": "休眠預金", "note": ""},
    )
    assert ok.status_code == 302
    assert GrantIncome.objects.get().amount_yen == 1_500_000

    for field, value in [("amount_yen", "0"), ("amount_yen", "1.5"), ("received_on", "2999-01-01")]:
        data = {"received_on": "2026-04-01", "amount_yen": "1000", "grantor": "市", field: value}
        response = client.post("/admin/grant_income/new/", data)
        assert response.status_code == 200 and field in response.context["form"].errors
    assert GrantIncome.objects.count() == 1

    rows = csv_rows(client.get(URL, {"start": "2026-04", "end": "2026-04", "export": "revenue"}))
    assert rows[1][6] == "1500000"


def test_finance_edits_the_funding_settings(client, finance):
    client.force_login(finance)
    site = Site.objects.get(is_default_site=True)
    response = client.get(f"/admin/settings/funding/fundingsettings/{site.pk}/")
    assert response.status_code == 200


def test_page_shows_the_first_lapsed_donors_and_the_csv_has_everyone(client, finance):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    last_year = timezone.localdate().year - 1
    donors = [person() for _ in range(53)]
    Donation.objects.bulk_create(
        Donation(
            supporter=donor,
            kind=Donation.Kind.ONE_OFF,
            method=Donation.Method.CASH,
            amount_yen=1000 + n,
            paid_at=at(last_year, 1 + n % 12, 1 + n % 28),
        )
        for n, donor in enumerate(donors)
    )
    client.force_login(finance)

    response = client.get(URL)
    lybunt = response.context["tables"]["lybunt"]
    assert len(lybunt.rows) == 50 and response.context["lapsed"].lybunt_count == 53
    html = response.content.decode()
    assert "53" in html.split('id="lybunt"')[1].split("</section>")[0]
    newest = sorted(donors, key=lambda d: d.donations.get().paid_at, reverse=True)
    assert [row[3] for row in lybunt.rows] == [d.donations.get().amount_yen for d in newest[:50]]

    rows = csv_rows(client.get(URL, {"export": "lybunt"}))
    assert len(rows) == 1 + 53
    with CaptureQueriesContext(connection) as export:
        csv_rows(client.get(URL, {"export": "revenue"}))
    with CaptureQueriesContext(connection) as page:
        client.get(URL)
    # The export computes its own table only: no lapsed donors, no donor movement.
    assert not any("ROW_NUMBER" in q["sql"] or "LAG(" in q["sql"] for q in export)
    assert any("ROW_NUMBER" in q["sql"] for q in page) and len(export) < len(page)
