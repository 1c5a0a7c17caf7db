"""Deletion requests: staff review, anonymisation keeps the records the law requires."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from members.models import (
    AccessToken,
    ConsentRecord,
    DeletionRequest,
    Membership,
    MembershipPlan,
    Supporter,
    VolunteerProfile,
)
from members.privacy import deletion_request_reject, supporter_anonymise
from members.services import access_token_issue, consent_record
from ouendan.core.models import OutgoingEmail


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser("staff", "staff@example.jp", "pw")


@pytest.fixture
def supporter(db):
    supporter = Supporter.objects.create(
        family_name="鈴木",
        given_name="一郎",
        family_name_kana="スズキ",
        given_name_kana="イチロウ",
        email="suzuki@example.jp",
        phone="090-1111-2222",
        postal_code="352-0001",
        prefecture="埼玉県",
        city="新座市",
        address_line="東北1-2-3",
        building="さくらハイツ101",
        birth_year=1980,
        notes="アレルギー: 卵",
        is_volunteer=True,
        status=Supporter.Status.DELETION_REQUESTED,
        confirmed_at=timezone.now(),
    )
    VolunteerProfile.objects.create(
        supporter=supporter,
        emergency_contact_name="鈴木 花子",
        emergency_contact_phone="090-3333-4444",
    )
    consent_record(supporter=supporter, kind="privacy_policy", granted=True, source="join_form")
    consent_record(supporter=supporter, kind="newsletter", granted=True, source="join_form")
    plan = MembershipPlan.objects.create(name="個人会員", period="year", amount_yen=3000)
    Membership.objects.create(
        supporter=supporter,
        plan=plan,
        amount_yen=3000,
        status=Membership.Status.ACTIVE,
        renews_on=datetime.date(2027, 4, 1),
        last_paid_at=timezone.now(),
    )
    access_token_issue(supporter=supporter, purpose=AccessToken.Purpose.LOGIN)
    OutgoingEmail.objects.create(
        key="welcome-1",
        to=supporter.email,
        subject="ご登録ありがとうございます",
        body="鈴木 一郎 様 …",
        supporter=supporter,
    )
    return supporter


@pytest.fixture
def deletion_request(supporter):
    return DeletionRequest.objects.create(supporter=supporter, reason="退会します")


def assert_anonymised(supporter):
    supporter.refresh_from_db()
    assert supporter.status == Supporter.Status.ANONYMISED
    assert supporter.anonymised_at is not None
    assert supporter.family_name == "削除済み"
    for field in [
        "given_name",
        "family_name_kana",
        "given_name_kana",
        "email",
        "phone",
        "postal_code",
        "prefecture",
        "city",
        "address_line",
        "building",
        "notes",
    ]:
        assert getattr(supporter, field) == "", field
    assert supporter.birth_year is None
    assert not VolunteerProfile.objects.filter(supporter=supporter).exists()
    assert not AccessToken.objects.filter(supporter=supporter).exists()
    email = OutgoingEmail.objects.get(supporter=supporter)
    assert (email.to, email.body, email.subject) == ("", "", "ご登録ありがとうございます")
    # Kept: consent history and memberships (accounting records), no longer renewing.
    assert ConsentRecord.objects.filter(supporter=supporter).count() == 2
    membership = Membership.objects.get(supporter=supporter)
    assert membership.amount_yen == 3000 and membership.last_paid_at is not None
    assert membership.status == Membership.Status.CANCELLED


@pytest.mark.django_db
def test_anonymise_blanks_personal_data_and_keeps_records(supporter, deletion_request, staff):
    supporter_anonymise(supporter=supporter, reviewed_by=staff, deletion_request=deletion_request)
    assert_anonymised(supporter)
    deletion_request.refresh_from_db()
    assert deletion_request.status == DeletionRequest.Status.COMPLETED
    assert deletion_request.reviewed_by == staff and deletion_request.reviewed_at


@pytest.mark.django_db
def test_anonymise_is_idempotent(supporter, deletion_request, staff):
    supporter_anonymise(supporter=supporter, reviewed_by=staff, deletion_request=deletion_request)
    supporter.refresh_from_db()
    first = supporter.anonymised_at
    supporter_anonymise(supporter=supporter, reviewed_by=staff, deletion_request=deletion_request)
    assert_anonymised(supporter)
    assert supporter.anonymised_at == first
    assert Supporter.objects.count() == 1


@pytest.mark.django_db
def test_anonymised_name_leaves_the_search_results(client, supporter, staff):
    supporter_anonymise(supporter=supporter, reviewed_by=staff)
    client.force_login(staff)
    for query in ["鈴木", "スズキ", "suzuki", "1111-2222"]:
        response = client.get("/admin/supporter/", {"q": query})
        assert list(response.context["object_list"]) == [], query


@pytest.mark.django_db
def test_review_screen_approves(client, supporter, deletion_request, staff):
    client.force_login(staff)
    listing = client.get("/admin/deletion_request/", {"status": "pending"})
    assert listing.status_code == 200
    review_url = reverse("deletion_request:review", args=[deletion_request.pk])
    assert review_url in listing.content.decode()
    page = client.get(review_url)
    assert page.status_code == 200 and "退会します" in page.content.decode()
    response = client.post(review_url, {"approve": "1", "note": ""})
    assert response.status_code == 302
    assert_anonymised(supporter)
    deletion_request.refresh_from_db()
    assert deletion_request.status == DeletionRequest.Status.COMPLETED


@pytest.mark.django_db
def test_review_screen_rejects_with_a_note(client, supporter, deletion_request, staff):
    client.force_login(staff)
    review_url = reverse("deletion_request:review", args=[deletion_request.pk])
    response = client.post(review_url, {"reject": "1", "note": "ご本人確認ができませんでした"})
    assert response.status_code == 302
    deletion_request.refresh_from_db()
    assert deletion_request.status == DeletionRequest.Status.REJECTED
    assert deletion_request.review_note == "ご本人確認ができませんでした"
    assert deletion_request.reviewed_by == staff
    supporter.refresh_from_db()
    assert supporter.status == Supporter.Status.ACTIVE
    assert supporter.family_name == "鈴木"
    # A reviewed request cannot be approved afterwards by replaying the form.
    client.post(review_url, {"approve": "1"})
    supporter.refresh_from_db()
    assert supporter.status == Supporter.Status.ACTIVE


@pytest.mark.django_db
def test_reject_is_idempotent(supporter, deletion_request, staff):
    deletion_request_reject(deletion_request=deletion_request, reviewed_by=staff, note="a")
    deletion_request_reject(deletion_request=deletion_request, reviewed_by=None, note="b")
    deletion_request.refresh_from_db()
    assert deletion_request.review_note == "a" and deletion_request.reviewed_by == staff


# --- Gifts, goods, receipts and thank-yous of other apps ---------------------------------------


@pytest.fixture
def giver(supporter):
    """The supporter gave money with a message, pledged goods, got a receipt and a thank-you."""
    from campaigns.thanks import donation_thank_send
    from donations.goods.services import corporate_wall_add
    from donations.receipts.services import receipt_issue_for_donation
    from tests.donations.goods.factories import PledgeFactory, PledgeLineFactory
    from tests.donations.receipts.factories import gift

    donation = gift(supporter, 5000, message='=HYPERLINK("http://evil") 応援しています')
    receipt_issue_for_donation(donation=donation)
    donation_thank_send(donation_id=donation.pk)
    pledge = PledgeFactory(
        supporter=supporter, pickup_address="新座市1-2-3 鈴木方", message="よろしくお願いします"
    )
    PledgeLineFactory(pledge=pledge)
    corporate_wall_add(supporter=supporter)
    return supporter


def test_download_my_data_includes_gifts_goods_receipts_and_thanks(giver):
    from members.services import supporter_export_csv, supporter_export_data

    data = supporter_export_data(supporter=giver)
    assert [g["amount_yen"] for g in data["gifts"]] == [5000]
    assert "stripe_checkout_session_id" not in data["gifts"][0]  # internal keys stay internal
    assert data["receipts"][0]["donor_name"] == "鈴木 一郎"
    assert data["goods_pledges"][0]["pickup_address"] == "新座市1-2-3 鈴木方"
    assert data["goods_pledges"][0]["lines"] == ["お米 5kg袋: 50 kg"]
    assert [t["kind"] for t in data["thank_yous"]] == ["単発の寄付"]
    csv_text = supporter_export_csv(supporter=giver)
    assert "gifts,1,amount_yen,5000" in csv_text
    assert "'=HYPERLINK" in csv_text and ",=HYPERLINK" not in csv_text  # formula-safe


def test_anonymise_blanks_gift_messages_and_pickup_details_and_keeps_the_ledger(giver, staff):
    from donations.goods.models import CorporateWallEntry, Pledge
    from donations.models import Donation
    from donations.receipts.models import Receipt

    supporter_anonymise(supporter=giver, reviewed_by=staff)
    gift = Donation.objects.get(supporter=giver)
    assert gift.amount_yen == 5000 and gift.message == ""  # the row stays, the words go
    pledge = Pledge.objects.get(supporter=giver)
    assert (pledge.pickup_address, pledge.message) == ("", "")
    assert not CorporateWallEntry.objects.filter(supporter=giver).exists()
    assert Receipt.objects.filter(supporter=giver).count() == 1  # a legal record: kept


# --- Wagtail's edit log after anonymisation ----------------------------------------------------


def _site_history_csv(client) -> list[list[str]]:
    import csv
    import io

    response = client.get(reverse("wagtailadmin_reports:site_history") + "?export=csv")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.django_db
def test_anonymise_scrubs_the_supporter_from_the_edit_log_and_its_export(
    client, supporter, deletion_request, staff
):
    from wagtail.log_actions import log
    from wagtail.models import ModelLogEntry

    namesake = Supporter.objects.create(family_name="鈴木", given_name="次郎", email="j@example.jp")
    log(instance=supporter, action="wagtail.edit", user=staff)
    log(instance=Membership.objects.get(supporter=supporter), action="wagtail.edit", user=staff)
    log(instance=deletion_request, action="wagtail.create", user=staff, data={"by": "鈴木 一郎"})
    log(instance=namesake, action="wagtail.edit", user=staff)
    client.force_login(staff)
    before = str(_site_history_csv(client))
    assert "鈴木 一郎" in before or "鈴木一郎" in before  # the log did name them

    supporter_anonymise(supporter=supporter, reviewed_by=staff, deletion_request=deletion_request)

    mine = ModelLogEntry.objects.exclude(object_id=str(namesake.pk))
    assert mine.count() == 3
    for entry in mine:
        text = f"{entry.label} {entry.data}"
        for personal in ["鈴木", "一郎", "スズキ", "suzuki@example.jp", "090-1111-2222"]:
            assert personal not in text, (personal, text)
    after = str(_site_history_csv(client))
    assert "一郎" not in after and "suzuki@example.jp" not in after
    # Someone else with the same family name keeps their log entry.
    assert "鈴木 次郎" in ModelLogEntry.objects.get(object_id=str(namesake.pk)).label


@pytest.mark.django_db
def test_site_history_export_is_formula_safe(client, staff):
    from wagtail.log_actions import log

    hostile = Supporter.objects.create(family_name='=HYPERLINK("http://x")', given_name="")
    log(instance=hostile, action="wagtail.edit", user=staff)
    client.force_login(staff)
    cells = [cell for row in _site_history_csv(client)[1:] for cell in row]
    assert any("HYPERLINK" in cell for cell in cells)
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
