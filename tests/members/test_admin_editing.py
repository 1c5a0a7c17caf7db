"""The admin's create and edit screens save through the members services, so their rules apply
to staff too: normalised contact data, consents untouched, the membership state rules, and
membership_cancel behind a confirmation screen. Each test posts the real admin form."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import ModelLogEntry

from members.admin.memberships import CANCEL_LOG_ACTION
from members.groups import FINANCE, MEMBER_STAFF
from members.models import ConsentRecord, Membership, MembershipPlan, Supporter
from members.services import consent_record, membership_record_payment, membership_start
from tests.test_permissions_matrix import outcome

# A logged-in user without the permission is refused: Wagtail sends them to the dashboard with
# "permission denied" (outcome "no"), which is not the anonymous visitor's redirect to the login
# page (outcome "login").


def login_as(client, group_name: str):
    user = get_user_model().objects.create_user(f"user-{group_name}", password="pw")
    user.groups.add(Group.objects.get(name=group_name))
    client.force_login(user)
    return user


@pytest.fixture
def supporter(db):
    return Supporter.objects.create(
        family_name="佐藤",
        given_name="一郎",
        family_name_kana="サトウ",
        given_name_kana="イチロウ",
        email="sato@example.jp",
        status=Supporter.Status.ACTIVE,
    )


@pytest.fixture
def yearly(db):
    return MembershipPlan.objects.create(name="個人会員", period="year", amount_yen=3000)


def supporter_form(**fields) -> dict:
    return {
        "kind": "person",
        "status": "active",
        "family_name": "佐藤",
        "given_name": "一郎",
        "family_name_kana": "サトウ",
        "given_name_kana": "イチロウ",
        "email": "sato@example.jp",
        "preferred_language": "ja",
        **fields,
    }


def membership_form(owner, plan, **fields) -> dict:
    return {
        "supporter": owner.pk,
        "plan": plan.pk,
        "status": "pending",
        "units": "1",
        "amount_yen": "3000",
        "started_on": "",
        "renews_on": "",
        **fields,
    }


@pytest.mark.django_db
def test_supporter_create_screen_normalises_through_the_service(client):
    url = "/admin/supporter/new/"
    assert outcome(client.post(url, supporter_form())) == "login"
    login_as(client, FINANCE)
    assert outcome(client.post(url, supporter_form())) == "no"

    login_as(client, MEMBER_STAFF)
    response = client.post(
        url,
        supporter_form(
            family_name_kana="たなか",
            given_name_kana="ﾊﾅｺ",
            email="Ｈａｎａｋｏ@Example.JP",
            postal_code="〒３５２ー０００１",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    created = Supporter.objects.get(email="hanako@example.jp")
    assert (created.family_name_kana, created.given_name_kana) == ("タナカ", "ハナコ")
    assert created.postal_code == "352-0001"
    assert created.source == Supporter.Source.STAFF
    assert ModelLogEntry.objects.filter(object_id=str(created.pk), action="wagtail.create").exists()


@pytest.mark.django_db
def test_supporter_edit_screen_leaves_consents_and_deletion_to_their_owners(client, supporter):
    consent_record(supporter=supporter, kind="newsletter", granted=True, source="join_form")
    consents_before = list(ConsentRecord.objects.values_list("pk", "kind", "granted"))
    url = reverse("supporter:edit", args=[supporter.pk])
    login_as(client, FINANCE)
    assert outcome(client.post(url, supporter_form(given_name="改ざん"))) == "no"

    login_as(client, MEMBER_STAFF)
    # Consent fields posted alongside are not the staff's to change: nothing records them.
    response = client.post(
        url,
        supporter_form(
            given_name="次郎", phone="０９０１２３４５６７８", newsletter="", consents="0"
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    supporter.refresh_from_db()
    assert (supporter.given_name, supporter.phone) == ("次郎", "090-1234-5678")
    assert list(ConsentRecord.objects.values_list("pk", "kind", "granted")) == consents_before

    # Anonymising goes through the deletion request review, not the status field.
    response = client.post(url, supporter_form(status="anonymised"))
    assert response.status_code == 200
    assert "status" in response.context["form"].errors
    supporter.refresh_from_db()
    assert supporter.status == Supporter.Status.ACTIVE


@pytest.mark.django_db
def test_membership_create_screen_applies_the_state_rules(client, supporter, yearly):
    url = "/admin/membership/new/"
    login_as(client, FINANCE)
    assert outcome(client.post(url, membership_form(supporter, yearly))) == "no"

    login_as(client, MEMBER_STAFF)
    # Cancelling is membership_cancel's job, never a status typed into a new membership.
    response = client.post(url, membership_form(supporter, yearly, status="cancelled"))
    assert response.status_code == 200
    assert "status" in response.context["form"].errors
    assert not Membership.objects.exists()

    # A yearly plan is not charged per unit; an active membership gets its start date.
    response = client.post(url, membership_form(supporter, yearly, status="active", units="3"))
    assert response.status_code == 302, response.context["form"].errors
    membership = Membership.objects.get()
    assert (membership.units, membership.started_on) == (1, datetime.date.today())


@pytest.mark.django_db
def test_membership_edit_screen_refuses_cancelling_and_moving(client, supporter, yearly):
    membership = membership_start(supporter=supporter, plan=yearly)
    other = Supporter.objects.create(family_name="鈴木", email="suzuki@example.jp")
    url = reverse("membership:edit", args=[membership.pk])
    login_as(client, FINANCE)
    assert outcome(client.post(url, membership_form(supporter, yearly))) == "no"

    login_as(client, MEMBER_STAFF)
    for changes, field in [({"status": "cancelled"}, "status"), ({"supporter": other.pk}, None)]:
        response = client.post(url, membership_form(supporter, yearly, **changes))
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert field in errors if field else errors
    membership.refresh_from_db()
    assert (membership.status, membership.supporter) == (Membership.Status.PENDING, supporter)

    response = client.post(url, membership_form(supporter, yearly, auto_renew="on"))
    assert response.status_code == 302, response.context["form"].errors
    membership.refresh_from_db()
    assert membership.auto_renew is True


@pytest.mark.django_db
def test_membership_cancel_screen_calls_membership_cancel(client, supporter, yearly):
    membership = membership_start(supporter=supporter, plan=yearly, auto_renew=True)
    membership_record_payment(membership=membership, paid_at=datetime.datetime.now(datetime.UTC))
    url = reverse("membership:cancel", args=[membership.pk])
    assert outcome(client.post(url)) == "login"
    login_as(client, FINANCE)
    assert outcome(client.get(url)) == "no"
    assert outcome(client.post(url)) == "no"
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE

    staff = login_as(client, MEMBER_STAFF)
    edit = client.get(reverse("membership:edit", args=[membership.pk])).content.decode()
    assert url in edit  # the button on the edit screen
    confirm = client.get(url)
    assert confirm.status_code == 200 and "<form" in confirm.content.decode()
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE  # showing the screen changes nothing

    response = client.post(url)
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == Membership.Status.CANCELLED
    assert membership.auto_renew is False and membership.cancelled_at is not None
    assert not membership.needs_payment()
    entry = ModelLogEntry.objects.get(object_id=str(membership.pk), action=CANCEL_LOG_ACTION)
    assert entry.user_id == staff.pk


@pytest.mark.django_db
def test_staff_edit_asks_kana_only_for_a_japanese_name(client):
    """The public forms' rule on the staff screen too (members/names.py)."""
    admin = get_user_model().objects.create_superuser("kana-admin", "k@example.jp", "pw")
    client.force_login(admin)
    data = {"kind": "person", "status": "active", "preferred_language": "en"}
    url = reverse("supporter:add")
    latin = client.post(url, {**data, "family_name": "Nguyen", "given_name": "Lan"})
    assert latin.status_code == 302
    assert Supporter.objects.get(family_name="Nguyen").family_name_kana == ""
    japanese = client.post(url, {**data, "family_name": "佐藤", "given_name": "Lan"})
    assert japanese.status_code == 200
    assert set(japanese.context["form"].errors) == {"family_name_kana"}
    assert not Supporter.objects.filter(family_name="佐藤").exists()
