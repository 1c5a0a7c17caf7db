"""The staff home's goods figures: pledges to review and overdue deliveries (the one rule)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from donations.goods import selectors, services
from donations.goods.rules import GoodsLine
from members.groups import FINANCE, MEMBER_STAFF
from tests.donations.goods.factories import CompanyFactory
from tests.staff_home_helpers import home_items, staff_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def offer():
    return services.pledge_offer(
        supporter=CompanyFactory(), lines=[GoodsLine("food", "お米", Decimal("10"), "kg", 4000)]
    )


def scheduled(first: datetime.date):
    pledge = services.pledge_accept(pledge=offer())
    return services.pledge_schedule(
        pledge=pledge, first_delivery_on=first, today=first - datetime.timedelta(days=7)
    )


def test_pledges_waiting_for_review_and_deliveries_overdue(client, django_user_model):
    offer(), offer()
    services.pledge_decline(pledge=offer(), reason="保管場所がない")
    late = scheduled(TODAY - datetime.timedelta(days=2))
    scheduled(TODAY + datetime.timedelta(days=2))  # not due yet
    called_off = scheduled(TODAY - datetime.timedelta(days=2))
    services.pledge_cancel(pledge=called_off, reason="辞退")  # owes nothing

    assert selectors.pledges_awaiting_review_count() == 2
    assert selectors.deliveries_overdue_count() == 1
    assert selectors.deliveries_overdue_count() == selectors.deliveries_overdue().count()

    client.force_login(staff_user(django_user_model, MEMBER_STAFF))
    items = home_items(client)
    assert items["pledges_to_review"]["count"] == 2
    assert items["deliveries_overdue"]["count"] == 1
    # One click lists exactly what was counted.
    listed = client.get(items["pledges_to_review"]["url"]).context["object_list"]
    assert {pledge.state for pledge in listed} == {"offered"} and len(listed) == 2
    overdue = client.get(items["deliveries_overdue"]["url"]).context["object_list"]
    assert [row.pledge_id for row in overdue] == [late.pk]


def test_finance_see_no_goods_work(client, django_user_model):
    offer()
    client.force_login(staff_user(django_user_model, FINANCE))
    assert not {"pledges_to_review", "deliveries_overdue"} & set(home_items(client))
