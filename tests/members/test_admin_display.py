"""Member screens read as staff expect: local time (the same in the list and the detail), no
None/True/False, phone numbers on one line, the filter menu in Japanese."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from members.models import DeletionRequest, MembershipPlan, Supporter
from members.services import membership_start
from ouendan.core import display
from tests.display_checks import assert_no_raw_values, main_text

UTC = datetime.UTC
MOMENT = datetime.datetime(2026, 12, 1, 0, 2, tzinfo=UTC)  # 9:02 in Japan


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("boss", "boss@example.jp", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def supporter(db):
    supporter = Supporter.objects.create(
        family_name="山田",
        given_name="花子",
        family_name_kana="ヤマダ",
        given_name_kana="ハナコ",
        email="hanako@example.jp",
        phone="090-1234-5678",
        status=Supporter.Status.ACTIVE,
    )
    Supporter.objects.filter(pk=supporter.pk).update(created_at=MOMENT)
    supporter.refresh_from_db()
    return supporter


def test_supporter_list_shows_local_time_and_keeps_phone_numbers_on_one_line(
    admin_client, supporter
):
    page = admin_client.get("/admin/supporter/").content.decode()

    text = assert_no_raw_values(page)
    assert "2026年12月1日 9:02" in text  # created, local time
    assert '<td class="ouendan-nowrap">\n    \n        090-1234-5678' in page or (
        'class="ouendan-nowrap"' in page and "090-1234-5678" in page
    )
    # A supporter with no renewal date reads "—", never an empty cell or "None".
    assert "—" in text


def test_supporter_created_time_is_the_same_on_the_list_and_the_detail_display(supporter):
    """The detail screen shows a field through the display Wagtail's registry gives every
    InspectView; it agrees with the list to the minute."""
    from wagtail.admin.ui.fields import display_class_registry

    field = Supporter._meta.get_field("created_at")
    with translation.override("ja"):
        detail = display_class_registry.get(field)(supporter.created_at).render_html({})
        assert detail == display.local_datetime(supporter.created_at) == "2026年12月1日 9:02"


def test_list_filters_are_not_headed_in_english(admin_client, supporter):
    page = admin_client.get("/admin/supporter/").content.decode()
    # Wagtail's Japanese catalogue lacks "Filter by"; ours supplies it (core/apps.py).
    assert "Filter by" not in page


def test_membership_list_and_detail_show_labels_yen_and_local_time(admin_client, supporter):
    plan = MembershipPlan.objects.create(name="個人会員", period="year", amount_yen=3000)
    membership = membership_start(supporter=supporter, plan=plan)
    membership.auto_renew = False
    membership.last_paid_at = MOMENT
    membership.save()

    listing = admin_client.get("/admin/membership/").content.decode()
    detail = admin_client.get(f"/admin/membership/inspect/{membership.pk}/").content.decode()

    list_text = assert_no_raw_values(listing)
    assert "¥3,000" in list_text
    assert "いいえ" in list_text  # auto-renew off
    detail_text = assert_no_raw_values(detail)
    assert "¥3,000" in detail_text
    assert "2026年12月1日 9:02" in detail_text  # last paid, local time
    assert 'class="ouendan-num"' in listing  # yen right-aligned


def test_deletion_requests_list_shows_local_time_and_no_raw_values(admin_client, supporter):
    request = DeletionRequest.objects.create(supporter=supporter, reason="")
    DeletionRequest.objects.filter(pk=request.pk).update(requested_at=MOMENT)

    listing = admin_client.get("/admin/deletion_request/").content.decode()
    review = admin_client.get(f"/admin/deletion_request/review/{request.pk}/").content.decode()

    assert "2026年12月1日 9:02" in assert_no_raw_values(listing)
    assert "2026年12月1日 9:02" in main_text(review)
    assert_no_raw_values(review)
