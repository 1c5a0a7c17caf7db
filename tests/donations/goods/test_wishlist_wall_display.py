"""The wishlist and the corporate supporters wall on the one display layer: はい/いいえ instead
of True/False, whole per cents, local days, labels for codes, headings in the staff's language."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import translation
from django.utils.translation import gettext

from donations.goods.models import CorporateWallEntry
from members.groups import MEMBER_STAFF
from tests.display_checks import assert_no_raw_values
from tests.donations.goods.factories import CompanyFactory, WishlistItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, django_user_model):
    user = django_user_model.objects.create_user("goods", password="pw")
    user.groups.add(Group.objects.get(name=MEMBER_STAFF))
    client.force_login(user)
    return client


def test_wishlist_shows_words_days_and_whole_per_cents(staff):
    WishlistItemFactory(
        name="お米",
        quantity_needed=Decimal("100"),
        needed_by=datetime.date(2026, 12, 1),
        storage="frozen",
        active=False,
    )
    page = staff.get("/admin/wishlist_item/").content.decode()

    text = assert_no_raw_values(page, "frozen", "0.0")
    assert "2026年12月1日" in text
    with translation.override("ja"):
        assert f" {gettext('No')} " in text  # not on the form
    assert "100 kg" in text


def test_corporate_wall_shows_yes_no_and_a_translated_heading(staff):
    CorporateWallEntry.objects.create(supporter=CompanyFactory(organisation_name="さくら食品"))
    page = staff.get("/admin/corporate_wall_entry/").content.decode()

    text = assert_no_raw_values(page)
    assert "さくら食品" in text
    with translation.override("ja"):
        assert f" {gettext('No')} " in text  # the company has not consented: not shown
    assert " Name " not in text  # the heading is the model's, translated
