"""The staff home's money figures: failed monthly payments and this month's gifts (Finance)."""

import datetime

import pytest
from django.utils import timezone

from donations import selectors
from donations.models import Donation, RecurringDonation
from members.groups import FINANCE
from ouendan.core.staff_home import this_month
from tests.donations.receipts.factories import donor, gift
from tests.staff_home_helpers import home_items, staff_user

pytestmark = pytest.mark.django_db


def recurring(supporter, status, n):
    return RecurringDonation.objects.create(
        supporter=supporter, amount_yen=2000, status=status, stripe_subscription_id=f"sub_{n}"
    )


def test_failed_monthly_payments_to_recover(client, django_user_model):
    hanako = donor()
    recurring(hanako, RecurringDonation.Status.PAST_DUE, 1)
    recurring(hanako, RecurringDonation.Status.PAST_DUE, 2)
    recurring(hanako, RecurringDonation.Status.ACTIVE, 3)
    recurring(hanako, RecurringDonation.Status.CANCELLED, 4)
    assert selectors.monthly_gifts_failed_count() == 2

    client.force_login(staff_user(django_user_model, FINANCE))
    item = home_items(client)["monthly_gifts_failed"]
    assert item["count"] == 2
    listed = client.get(item["url"]).context["object_list"]
    assert {row.status for row in listed} == {"past_due"} and len(listed) == 2


def test_gifts_this_month_count_and_net_total(client, django_user_model):
    month = this_month()
    hanako = donor()
    gift(hanako, 10_000, paid_at=month.start + datetime.timedelta(minutes=1), refunded=3_000)
    gift(hanako, 5_000, paid_at=timezone.now(), kind=Donation.Kind.MEMBERSHIP)
    gift(hanako, 99_000, paid_at=month.start - datetime.timedelta(minutes=1))  # last month

    total = selectors.ledger_total(start=month.start, end=month.end)
    assert (total.count, total.net_yen) == (2, 12_000)

    client.force_login(staff_user(django_user_model, FINANCE))
    item = home_items(client)["gifts_this_month"]
    assert (item["count"], item["amount"]) == (2, 12_000)
    listed = client.get(item["url"]).context["object_list"]
    assert len(listed) == 2  # the same rows, by Tokyo days
