"""Goods screens read as staff expect: a pledge's time is the same local time on the list and
its detail page, no None/True/False, codes or form flags such as "supporters_wall=yes"."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from donations.goods import services
from donations.goods.models import Pledge
from donations.goods.rules import GoodsLine
from members.groups import MEMBER_STAFF
from tests.display_checks import assert_no_raw_values
from tests.donations.goods.factories import CompanyFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
MOMENT = datetime.datetime(2026, 12, 1, 0, 2, tzinfo=UTC)  # 2026年12月1日 9:02 in Japan


@pytest.fixture
def staff(client, django_user_model):
    user = django_user_model.objects.create_user("goods", password="pw")
    user.groups.add(Group.objects.get(name=MEMBER_STAFF))
    client.force_login(user)
    return client


@pytest.fixture
def pledge():
    pledge = services.pledge_offer(
        supporter=CompanyFactory(organisation_name="さくら食品株式会社", phone=""),
        lines=[GoodsLine("food", "お米 5kg袋", Decimal("100"), "kg", 40000)],
        contact_as_submitted="さくら食品株式会社\nsupporters_wall=yes",
    )
    Pledge.objects.filter(pk=pledge.pk).update(created_at=MOMENT)
    return Pledge.objects.get(pk=pledge.pk)


def test_pledge_list_and_detail_show_the_same_local_time(staff, pledge):
    listing = staff.get("/admin/pledge/").content.decode()
    detail = staff.get(f"/admin/pledge/inspect/{pledge.pk}/").content.decode()

    assert "2026年12月1日 9:02" in assert_no_raw_values(listing, "offered")
    detail_text = assert_no_raw_values(detail, "supporters_wall", "offered", "drop_off")
    assert "2026年12月1日 9:02" in detail_text
    assert "0:02" not in detail_text  # UTC shown as local was the bug
    assert "¥40,000" in detail_text


def test_deliveries_and_deliveries_due_show_words_not_raw_values(staff, pledge):
    services.pledge_accept(pledge=pledge)
    line = pledge.lines.get()
    services.delivery_record(
        pledge=pledge,
        received_on=datetime.date(2026, 12, 1),
        received_by="田中",
        lines=[GoodsLine("food", "お米", Decimal("120"), "kg", pledge_line_id=line.pk)],
    )
    delivery = pledge.deliveries.get()

    listing = staff.get("/admin/delivery/").content.decode()
    text = assert_no_raw_values(listing, "good")
    assert "2026年12月1日" in text and "はい" in text  # more than pledged: yes
    detail = staff.get(f"/admin/delivery/inspect/{delivery.pk}/").content.decode()
    assert "はい" in assert_no_raw_values(detail)
    assert_no_raw_values(staff.get("/admin/expected_delivery/").content.decode())
