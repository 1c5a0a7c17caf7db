"""The funding dashboard runs the same number of queries for one month as for three years, and
for a small ledger as for a larger one (issue 18: its query count constant in the period)."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members.groups import FINANCE
from tests.donations.funding.factories import gift, monthly, person

pytestmark = pytest.mark.django_db

URL = "/admin/funding_dashboard/"


@pytest.fixture
def finance(django_user_model):
    user = django_user_model.objects.create_user("finance", password="pw")
    user.groups.add(Group.objects.get(name=FINANCE))
    return user


def _queries(client, months: int) -> int:
    today = timezone.localdate()
    start = today - relativedelta(months=months - 1)
    params = {"start": f"{start:%Y-%m}", "end": f"{today:%Y-%m}"}
    client.get(URL, params)  # Wagtail's own first-request look-ups
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, params).status_code == 200
    return len(queries)


def _ledger(count: int) -> None:
    now = timezone.now()
    for n in range(count):
        donor = person()
        paid = now - datetime.timedelta(days=17 * n + 1)
        gift(donor, 1000 + n, paid)
        monthly(donor, 500, paid)


def test_dashboard_queries_do_not_grow_with_the_period_or_the_ledger(client, finance):
    client.force_login(finance)
    _ledger(3)
    small = {months: _queries(client, months) for months in (1, 12, 36)}
    _ledger(40)
    large = {months: _queries(client, months) for months in (1, 12, 36)}

    assert len(set(small.values())) == 1, small
    assert large == small
