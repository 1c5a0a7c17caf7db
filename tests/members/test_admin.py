"""The staff screens for supporters: list, search, filters, export, detail with timeline."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from donations.services import donation_record
from members.groups import FINANCE, MEMBER_STAFF
from members.models import (
    Area,
    ConsentRecord,
    DeletionRequest,
    Membership,
    MembershipPlan,
    Skill,
    Supporter,
    VolunteerProfile,
)
from members.registry import payments_enabled
from members.services import consent_record, membership_record_payment, membership_start
from ouendan.core.models import OutgoingEmail
from tests.test_permissions_matrix import outcome

LIST_URL = "/admin/supporter/"


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("boss", "boss@example.jp", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def plans(db):
    return {
        "yearly": MembershipPlan.objects.create(name="個人会員", period="year", amount_yen=3000),
        "free": MembershipPlan.objects.create(name="無料サポーター", period="none", amount_yen=0),
    }


def person(n: int, **fields) -> Supporter:
    defaults = {
        "family_name": f"山田{n}",
        "given_name": "花子",
        "family_name_kana": f"ヤマダ{n}",
        "given_name_kana": "ハナコ",
        "email": f"p{n}@example.jp",
        "phone": f"090-1234-{n:04d}",
        "status": Supporter.Status.ACTIVE,
    }
    defaults.update(fields)
    return Supporter.objects.create(**defaults)


def names(response) -> list[str]:
    return [supporter.display_name for supporter in response.context["object_list"]]


@pytest.mark.django_db
def test_list_shows_columns_with_plan_and_renewal(admin_client, plans):
    supporter = person(1)
    membership = membership_start(supporter=supporter, plan=plans["yearly"])
    membership_record_payment(
        membership=membership, paid_at=timezone.make_aware(datetime.datetime(2026, 4, 1, 10))
    )
    Supporter.objects.create(
        kind=Supporter.Kind.ORGANISATION,
        organisation_name="さくら野商事株式会社",
        organisation_name_kana="サクラノショウジ",
        email="info@sakurano.example.jp",
    )
    response = admin_client.get(LIST_URL)
    assert response.status_code == 200
    html = response.content.decode()
    for text in ["山田1 花子", "ヤマダ1 ハナコ", "p1@example.jp", "090-1234-0001", "個人会員"]:
        assert text in html
    assert "さくら野商事株式会社" in html
    row = next(s for s in response.context["object_list"] if s.pk == supporter.pk)
    assert row.membership_renews_on == datetime.date(2027, 4, 1)
    assert reverse("supporter:inspect", args=[supporter.pk]) in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query,expected",
    [
        ("山田2", ["山田2 花子"]),
        ("やまだ3", ["山田3 花子"]),  # hiragana finds the katakana reading
        ("ﾔﾏﾀﾞ4", ["山田4 花子"]),  # so does half-width katakana
        ("P5@EXAMPLE", ["山田5 花子"]),
        ("1234-0006", ["山田6 花子"]),
        ("山田7 花子", ["山田7 花子"]),  # every word must match
        ("存在しない", []),
    ],
)
def test_search_by_name_kana_email_and_phone(admin_client, query, expected):
    for n in range(1, 8):
        person(n)
    response = admin_client.get(LIST_URL, {"q": query})
    assert names(response) == expected


@pytest.mark.django_db
def test_filters(admin_client, plans):
    today = timezone.localdate()
    cook = Skill.objects.create(name="調理")
    district = Area.objects.create(name="第一小学校区", kind=Area.Kind.SCHOOL_DISTRICT)
    volunteer = person(1, is_volunteer=True)
    profile = VolunteerProfile.objects.create(supporter=volunteer)
    profile.skills.add(cook)
    profile.areas.add(district)
    renewing = person(2)
    Membership.objects.create(
        supporter=renewing,
        plan=plans["yearly"],
        amount_yen=3000,
        status=Membership.Status.ACTIVE,
        renews_on=today + datetime.timedelta(days=20),
    )
    lapsed = person(3)
    Membership.objects.create(
        supporter=lapsed,
        plan=plans["yearly"],
        amount_yen=3000,
        status=Membership.Status.LAPSED,
        renews_on=today - datetime.timedelta(days=5),
    )
    free = person(4)
    membership_start(supporter=free, plan=plans["free"])
    company = Supporter.objects.create(
        kind=Supporter.Kind.ORGANISATION, organisation_name="株式会社みらい", email="c@example.jp"
    )

    def filtered(**params):
        return sorted(names(admin_client.get(LIST_URL, params)))

    assert filtered(kind="organisation") == [company.display_name]
    assert filtered(skill=cook.pk) == [volunteer.display_name]
    assert filtered(area=district.pk) == [volunteer.display_name]
    assert filtered(is_volunteer="true") == [volunteer.display_name]
    assert filtered(renewal_due="on") == [renewing.display_name]
    assert filtered(membership_status="lapsed") == [lapsed.display_name]
    assert filtered(plan=plans["free"].pk) == [free.display_name]
    assert filtered(plan=plans["yearly"].pk) == sorted([renewing.display_name, lapsed.display_name])
    assert filtered(plan=plans["yearly"].pk, membership_status="active") == [renewing.display_name]
    assert filtered(plan=plans["yearly"].pk, q="山田3") == [lapsed.display_name]


def _list_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_rows(admin_client, plans):
    def add(start: int, count: int) -> None:
        for n in range(start, start + count):
            supporter = person(n, is_volunteer=True)
            membership_start(supporter=supporter, plan=plans["free"])
            VolunteerProfile.objects.create(supporter=supporter)

    add(0, 5)
    admin_client.get(LIST_URL)  # warm caches (content types, site)
    five = _list_queries(admin_client)
    five_filtered = _list_queries(admin_client, plan=plans["free"].pk, q="山田")
    add(5, 45)
    assert Supporter.objects.count() == 50
    assert _list_queries(admin_client) == five
    assert _list_queries(admin_client, plan=plans["free"].pk, q="山田") == five_filtered


@pytest.mark.django_db
def test_export_csv_and_xlsx_are_formula_safe_and_respect_filters(admin_client, plans):
    evil = person(1, family_name='=HYPERLINK("http://x")', given_name="", notes="")
    evil.city = "@SUM(A1)"
    evil.save()
    person(2, phone="+81 90-1111-2222")
    Supporter.objects.create(
        kind=Supporter.Kind.ORGANISATION, organisation_name="-株式会社", email="o@example.jp"
    )

    response = admin_client.get(LIST_URL, {"export": "csv", "kind": "person"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header, body = rows[0], rows[1:]
    assert len(body) == 2  # the organisation is filtered out
    by_name = {row[header.index("Name") if "Name" in header else 1]: row for row in body}
    assert '\'=HYPERLINK("http://x")' in by_name
    assert any("'@SUM(A1)" in cell for cell in by_name['\'=HYPERLINK("http://x")'])
    assert any(cell == "'+81 90-1111-2222" for row in body for cell in row)
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in body for cell in row)

    response = admin_client.get(LIST_URL, {"export": "xlsx", "q": "株式会社"})
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [[cell.value for cell in row] for row in workbook.active.iter_rows()]
    assert len(values) == 2  # header + the one search hit
    assert "'-株式会社" in values[1]
    assert all(not (isinstance(v, str) and v.startswith(("=", "+", "-", "@"))) for v in values[1])


@pytest.mark.django_db
def test_detail_timeline_is_merged_newest_first(admin_client, plans):
    base = timezone.make_aware(datetime.datetime(2026, 1, 10, 9, 0))
    supporter = person(
        1, created_at=base, confirmed_at=base + datetime.timedelta(hours=1), source="web"
    )
    consent = consent_record(
        supporter=supporter, kind=ConsentRecord.Kind.NEWSLETTER, granted=True, source="join_form"
    )
    ConsentRecord.objects.filter(pk=consent.pk).update(recorded_at=base)
    withdrawn = consent_record(
        supporter=supporter, kind=ConsentRecord.Kind.NEWSLETTER, granted=False, source="portal"
    )
    ConsentRecord.objects.filter(pk=withdrawn.pk).update(
        recorded_at=base + datetime.timedelta(days=30)
    )
    membership = Membership.objects.create(
        supporter=supporter,
        plan=plans["yearly"],
        amount_yen=3000,
        created_at=base + datetime.timedelta(days=2),
    )
    membership_record_payment(membership=membership, paid_at=base + datetime.timedelta(days=3))
    email = OutgoingEmail.objects.create(
        key="t-1",
        to=supporter.email,
        subject="ご登録ありがとうございます",
        body="…",
        supporter=supporter,
    )
    OutgoingEmail.objects.filter(pk=email.pk).update(created_at=base + datetime.timedelta(days=1))
    DeletionRequest.objects.create(
        supporter=supporter, reason="引っ越します", requested_at=base + datetime.timedelta(days=40)
    )

    response = admin_client.get(reverse("supporter:inspect", args=[supporter.pk]))
    assert response.status_code == 200
    timeline = response.context["timeline"]
    assert [entry.kind for entry in timeline] == [
        "deletion",
        "consent",
        "membership",
        "membership",
        "email",
        "confirmed",
        "consent",
        "created",
    ]
    whens = [entry.when for entry in timeline]
    assert whens == sorted(whens, reverse=True)
    html = response.content.decode()
    assert "ご登録ありがとうございます" in html
    assert "引っ越します" in html
    assert "個人会員" in html


@pytest.mark.django_db
def test_detail_page_query_count_is_bounded(admin_client, plans):
    supporter = person(1)
    for _ in range(10):
        consent_record(supporter=supporter, kind="newsletter", granted=True, source="staff")
        consent_record(supporter=supporter, kind="newsletter", granted=False, source="staff")
        membership_start(supporter=supporter, plan=plans["free"])
    url = reverse("supporter:inspect", args=[supporter.pk])
    admin_client.get(url)
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(url)
    assert len(queries) < 30


@pytest.mark.django_db
def test_edit_form_normalises_japanese_contact_data(admin_client):
    supporter = person(1)
    response = admin_client.post(
        reverse("supporter:edit", args=[supporter.pk]),
        {
            "kind": "person",
            "status": "active",
            "family_name": "山田",
            "given_name": "花子",
            "family_name_kana": "やまだ",
            "given_name_kana": "ﾊﾅｺ",
            "email": "Ｈａｎａｋｏ@Example.jp",
            "phone": "０９０１２３４５６７８",
            "postal_code": "〒３５２ー０００１",
            "preferred_language": "ja",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    supporter.refresh_from_db()
    assert (supporter.family_name_kana, supporter.given_name_kana) == ("ヤマダ", "ハナコ")
    assert supporter.email == "hanako@example.jp"
    assert supporter.phone == "090-1234-5678"
    assert supporter.postal_code == "352-0001"


@pytest.mark.django_db
def test_edit_form_splits_a_whole_address_pasted_as_the_street(admin_client):
    supporter = person(1)
    response = admin_client.post(
        reverse("supporter:edit", args=[supporter.pk]),
        {
            "kind": "person",
            "status": "active",
            "family_name": "山田",
            "given_name": "花子",
            "family_name_kana": "ヤマダ",
            "given_name_kana": "ハナコ",
            "email": "hanako@example.jp",
            "postal_code": "352-0001",
            "address_line": "埼玉県新座市東北1-2-3",
            "preferred_language": "ja",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    supporter.refresh_from_db()
    # Prefecture and city once each, never again inside the street.
    assert (supporter.prefecture, supporter.city, supporter.address_line) == (
        "埼玉県",
        "新座市",
        "東北1-2-3",
    )


@pytest.mark.django_db
def test_edit_form_rejects_a_duplicate_email(admin_client):
    person(1)
    other = person(2)
    response = admin_client.post(
        reverse("supporter:edit", args=[other.pk]),
        {
            "kind": "person",
            "status": "active",
            "family_name": "山田",
            "email": "P1@example.jp",
            "preferred_language": "ja",
        },
    )
    assert response.status_code == 200
    assert "email" in response.context["form"].errors


@pytest.mark.django_db
def test_other_member_screens_render(admin_client, plans):
    supporter = person(1)
    membership = membership_start(supporter=supporter, plan=plans["free"])
    for url in [
        "/admin/membership/",
        reverse("membership:edit", args=[membership.pk]),
        "/admin/membership/new/",
        "/admin/membership_plan/",
        "/admin/area/",
        "/admin/skill/",
        "/admin/interest/",
        "/admin/deletion_request/",
        reverse("supporter:edit", args=[supporter.pk]),
        "/admin/supporter/new/",
    ]:
        assert admin_client.get(url).status_code == 200, url
    menu = admin_client.get("/admin/").content.decode()
    assert LIST_URL in menu


# --- Nobody deletes a supporter: only anonymisation removes a person ---------------------------


@pytest.mark.django_db
def test_no_group_may_delete_a_supporter():
    holders = Group.objects.filter(
        permissions__content_type__app_label="members", permissions__codename="delete_supporter"
    )
    assert not holders.exists()  # members/0008 took it from Member staff


@pytest.mark.django_db
@pytest.mark.parametrize("role", [MEMBER_STAFF, "superuser"])
def test_supporter_delete_url_is_refused_and_deletes_nothing(client, role):
    User = get_user_model()
    if role == "superuser":
        user = User.objects.create_superuser("boss-delete", password="pw")
    else:
        user = User.objects.create_user("staff-delete", password="pw")
        user.groups.add(Group.objects.get(name=role))
        # Even a group someone gave the permission back to by hand cannot delete.
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label="members", codename="delete_supporter")
        )
    client.force_login(user)
    supporter = person(1)
    url = reverse("supporter:delete", args=[supporter.pk])
    # Refused (Wagtail's permission-denied redirect to the dashboard), not sent to the login page.
    assert outcome(client.get(url)) == "no"
    assert outcome(client.post(url)) == "no"
    assert Supporter.objects.filter(pk=supporter.pk).exists()
    edit = client.get(reverse("supporter:edit", args=[supporter.pk])).content.decode()
    assert url not in edit  # no delete button


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_login_from_the_delete_url(client):
    supporter = person(1)
    assert outcome(client.get(reverse("supporter:delete", args=[supporter.pk]))) == "login"


# --- What donations adds through members/registry.py (members never imports donations) ---------


def _staff(django_user_model, *groups):
    user = django_user_model.objects.create_user("-".join(groups), password="pw")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


@pytest.mark.django_db
def test_supporter_detail_shows_gift_totals_to_finance_only(client, django_user_model):
    supporter = person(1)
    donation_record(
        supporter=supporter,
        kind="one_off",
        method="bank_transfer",
        amount_yen=12345,
        paid_at=timezone.now(),
    )
    url = reverse("supporter:inspect", args=[supporter.pk])

    client.force_login(_staff(django_user_model, MEMBER_STAFF, FINANCE))
    response = client.get(url)
    assert response.context["donor_totals"].gross_yen == 12345
    html = response.content.decode()
    assert "¥12,345" in html and f"?q={supporter.email}" in html

    client.force_login(_staff(django_user_model, MEMBER_STAFF))
    response = client.get(url)
    assert response.status_code == 200
    assert "donor_totals" not in response.context and "ledger_url" not in response.context
    assert "¥12,345" not in response.content.decode()


@pytest.mark.django_db
def test_payments_enabled_follows_the_stripe_configuration(settings):
    settings.STRIPE_SECRET_KEY = ""
    assert payments_enabled() is False
    settings.STRIPE_SECRET_KEY = "sk_test_configured"
    assert payments_enabled() is True
