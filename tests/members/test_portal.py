"""The passwordless member portal: login links, profile, volunteering, consents, data, deletion."""

import csv
import datetime
import io
import json
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from members import services
from members.models import (
    AccessToken,
    ConsentRecord,
    DeletionRequest,
    MemberPortalPage,
    MembershipPlan,
    Skill,
    Supporter,
    VolunteerProfile,
)
from members.views import SESSION_SUPPORTER
from ouendan.core.mail import email_queue
from ouendan.core.models import OutgoingEmail
from tests.outbox_helpers import sent_body

PORTAL = "/portal/"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def portal_page(home_page):
    return home_page.add_child(instance=MemberPortalPage(title="マイページ", slug="portal"))


@pytest.fixture
def supporter(db):
    supporter = Supporter.objects.create(
        family_name="山田",
        given_name="花子",
        family_name_kana="ヤマダ",
        given_name_kana="ハナコ",
        email="hanako@example.jp",
        phone="090-1234-5678",
        postal_code="100-0001",
        prefecture="東京都",
        city="千代田区",
        address_line="千代田1-1",
        status=Supporter.Status.ACTIVE,
        is_volunteer=True,
        notes='=HYPERLINK("http://evil.example")',
    )
    services.consent_record(
        supporter=supporter,
        kind=ConsentRecord.Kind.PRIVACY_POLICY,
        granted=True,
        source=ConsentRecord.Source.JOIN_FORM,
        policy_version="2026-04",
    )
    services.consent_record(
        supporter=supporter,
        kind=ConsentRecord.Kind.NEWSLETTER,
        granted=True,
        source=ConsentRecord.Source.JOIN_FORM,
    )
    return supporter


@pytest.fixture
def other(db):
    return Supporter.objects.create(
        family_name="佐藤",
        given_name="次郎",
        family_name_kana="サトウ",
        given_name_kana="ジロウ",
        email="jiro@example.jp",
        phone="080-9999-0000",
        status=Supporter.Status.ACTIVE,
    )


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def login_link(email: OutgoingEmail) -> str:
    return re.search(r"http://testserver(/\S+/login/[\w-]+/)", sent_body(email)).group(1)


@pytest.fixture
def logged_in(client, portal_page, supporter):
    client.post(PORTAL + "login/", {"email": supporter.email})
    client.post(login_link(OutgoingEmail.objects.filter(supporter=supporter).latest("pk")))
    assert client.session[SESSION_SUPPORTER] == supporter.pk
    return client


@pytest.mark.django_db
def test_portal_shows_the_login_form_and_is_never_cached(client, portal_page):
    response = client.get(PORTAL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'action="/portal/login/"' in html
    assert set(response["Cache-Control"].split(", ")) == {"private", "no-store"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["profile/", "volunteering/", "consents/", "download/json/", "delete/"]
)
def test_portal_pages_require_login(client, portal_page, supporter, path):
    response = client.get(PORTAL + path)
    assert response.status_code == 302
    assert response["Location"] == PORTAL
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert client.post(PORTAL + path, {"reason": "x"}).status_code == 302
    assert not DeletionRequest.objects.exists()


@pytest.mark.django_db
def test_login_link_request_looks_the_same_for_known_and_unknown_addresses(
    client, portal_page, supporter
):
    known = client.post(PORTAL + "login/", {"email": "Hanako@Example.jp"}, follow=True)
    unknown = client.post(PORTAL + "login/", {"email": "nobody@example.jp"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain == [("/portal/login/sent/", 302)]
    assert without_csrf(known.content.decode()) == without_csrf(unknown.content.decode())
    assert OutgoingEmail.objects.count() == 1
    assert OutgoingEmail.objects.get().to == "hanako@example.jp"


@pytest.mark.django_db
def test_login_link_works_once_and_cycles_the_session(client, portal_page, supporter):
    client.post(PORTAL + "login/", {"email": supporter.email})
    link = login_link(OutgoingEmail.objects.get())

    confirm_page = client.get(link)
    assert confirm_page.status_code == 200
    assert SESSION_SUPPORTER not in client.session  # opening the link alone does not log in

    client.get(PORTAL)  # a session exists before logging in
    before = client.session.session_key
    response = client.post(link)
    assert response.status_code == 302 and response["Location"] == PORTAL
    assert client.session.session_key != before
    assert client.session[SESSION_SUPPORTER] == supporter.pk

    dashboard = client.get(PORTAL)
    html = dashboard.content.decode()
    assert "山田 花子" in html and "hanako@example.jp" in html
    assert set(dashboard["Cache-Control"].split(", ")) == {"private", "no-store"}

    client.post(PORTAL + "logout/")
    assert SESSION_SUPPORTER not in client.session
    assert client.post(link).status_code == 410  # single use
    assert SESSION_SUPPORTER not in client.session


@pytest.mark.django_db
def test_login_link_expires_after_30_minutes(client, portal_page, supporter):
    client.post(PORTAL + "login/", {"email": supporter.email})
    token = AccessToken.objects.get(purpose=AccessToken.Purpose.LOGIN)
    assert token.expires_at - token.created_at == datetime.timedelta(minutes=30)
    AccessToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    link = login_link(OutgoingEmail.objects.get())
    assert client.get(link).status_code == 410
    response = client.post(link)
    assert response.status_code == 410
    assert 'action="/portal/login/"' in response.content.decode()  # ask for a new one
    assert SESSION_SUPPORTER not in client.session


@pytest.mark.django_db
def test_a_login_link_confirms_a_pending_sign_up(client, portal_page, supporter):
    Supporter.objects.filter(pk=supporter.pk).update(status=Supporter.Status.PENDING)
    client.post(PORTAL + "login/", {"email": supporter.email})
    client.post(login_link(OutgoingEmail.objects.get()))
    supporter.refresh_from_db()
    assert supporter.status == Supporter.Status.ACTIVE and supporter.confirmed_at


@pytest.mark.django_db
def test_login_link_requests_are_rate_limited(client, portal_page, supporter, settings):
    settings.OUENDAN_RATE_LIMITS = {
        **settings.OUENDAN_RATE_LIMITS,
        "members:link": {"email": "3/h", "ip": "10/h"},  # the real per-IP limit is far higher
    }
    for _ in range(3):
        assert client.post(PORTAL + "login/", {"email": supporter.email}).status_code == 302
    assert client.post(PORTAL + "login/", {"email": supporter.email}).status_code == 429
    assert OutgoingEmail.objects.count() == 3
    for number in range(6):
        client.post(PORTAL + "login/", {"email": f"x{number}@example.jp"})
    # 10 requests from this IP address in the hour: the next one is refused whoever asks.
    assert client.post(PORTAL + "login/", {"email": "fresh@example.jp"}).status_code == 429


@pytest.mark.django_db
def test_profile_edit_normalises(logged_in, supporter):
    form = logged_in.get(PORTAL + "profile/")
    assert form.status_code == 200
    assert 'name="organisation_name"' not in form.content.decode()
    response = logged_in.post(
        PORTAL + "profile/",
        {
            "family_name": "山田",
            "given_name": "花",
            "family_name_kana": "やまだ",
            "given_name_kana": "はな",
            "birth_year": "1980",
            "phone": "０８０ ９８７６ ５４３２",
            "postal_code": "１０００００１",
            "prefecture": "",
            "city": "",
            "address_line": "千代田２－３",
            "building": "",
            "preferred_language": "en",
            "email": "hijack@example.jp",  # not a field: ignored
        },
    )
    assert response.status_code == 302 and response["Location"] == PORTAL
    supporter.refresh_from_db()
    assert supporter.given_name == "花"
    assert supporter.given_name_kana == "ハナ"
    assert supporter.phone == "080-9876-5432"
    assert supporter.postal_code == "100-0001"
    assert (supporter.prefecture, supporter.city) == ("東京都", "千代田区")
    assert supporter.address_line == "千代田2-3"
    assert supporter.preferred_language == "en"
    assert supporter.email == "hanako@example.jp"
    assert "山田 花" in logged_in.get(PORTAL).content.decode()


@pytest.mark.django_db
def test_profile_edit_shows_errors(logged_in, supporter):
    response = logged_in.post(
        PORTAL + "profile/",
        {"family_name": "山田", "given_name": "花子", "family_name_kana": "Yamada",
         "given_name_kana": "ハナコ", "phone": "1", "preferred_language": "ja"},
    )  # fmt: skip
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"family_name_kana", "phone"}
    supporter.refresh_from_db()
    assert supporter.family_name_kana == "ヤマダ"


@pytest.mark.django_db
def test_volunteer_availability_edit(logged_in, supporter):
    skill = Skill.objects.create(name="学習支援")
    response = logged_in.post(
        PORTAL + "volunteering/",
        {
            "availability": ["mon-am", "sun-eve"],
            "skills": [skill.pk],
            "emergency_contact_name": "山田 太郎",
            "emergency_contact_phone": "０３１２３４５６７８",
        },
    )
    assert response.status_code == 302
    profile = VolunteerProfile.objects.get(supporter=supporter)
    assert profile.availability == ["mon-am", "sun-eve"]
    assert list(profile.skills.all()) == [skill]
    assert profile.emergency_contact_phone == "03-1234-5678"
    html = logged_in.get(PORTAL).content.decode()
    assert "学習支援" in html


@pytest.mark.django_db
def test_consent_change_adds_a_record_and_keeps_history(logged_in, supporter):
    assert logged_in.get(PORTAL + "consents/").context["form"].initial == {
        "newsletter": True,
        "supporters_wall": False,
    }
    before = supporter.consents.count()
    response = logged_in.post(PORTAL + "consents/", {"supporters_wall": "on"})
    assert response.status_code == 302
    assert supporter.consents.count() == before + 2
    current = services.consents_current(supporter=supporter)
    assert current[ConsentRecord.Kind.NEWSLETTER].granted is False
    assert current[ConsentRecord.Kind.NEWSLETTER].source == ConsentRecord.Source.PORTAL
    assert current[ConsentRecord.Kind.SUPPORTERS_WALL].granted is True
    history = supporter.consents.filter(kind=ConsentRecord.Kind.NEWSLETTER)
    assert [record.granted for record in history] == [False, True]  # newest first

    logged_in.post(PORTAL + "consents/", {"supporters_wall": "on"})  # no change: no new row
    assert supporter.consents.count() == before + 2


@pytest.mark.django_db
def test_data_download_json_has_my_data_and_nothing_of_others(logged_in, supporter, other):
    plan = MembershipPlan.objects.create(name="個人会員", period="year", amount_yen=3000)
    services.membership_start(supporter=supporter, plan=plan)
    services.membership_start(supporter=other, plan=plan)
    email_queue(key="other-mail", to=other.email, subject="他人宛", body="x", supporter=other)

    response = logged_in.get(PORTAL + "download/json/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["supporter"]["email"] == "hanako@example.jp"
    assert data["supporter"]["family_name_kana"] == "ヤマダ"
    assert len(data["memberships"]) == 1 and data["memberships"][0]["plan"] == "個人会員"
    assert {c["kind"] for c in data["consents"]} == {"privacy_policy", "newsletter"}
    assert [mail["subject"] for mail in data["emails"]]  # the login link e-mail
    text = response.content.decode()
    for leak in ("jiro@example.jp", "佐藤", "他人宛", "080-9999-0000"):
        assert leak not in text
    assert "login/" not in text  # e-mail bodies with login links are not exported


@pytest.mark.django_db
def test_data_download_csv_is_spreadsheet_safe(logged_in, supporter, other):
    response = logged_in.get(PORTAL + "download/csv/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["section", "record", "field", "value"]
    values = {(row[0], row[2]): row[3] for row in rows[1:]}
    assert values[("supporter", "email")] == "hanako@example.jp"
    assert values[("supporter", "notes")] == '\'=HYPERLINK("http://evil.example")'
    assert "jiro@example.jp" not in text
    assert logged_in.get(PORTAL + "download/xml/").status_code == 404


@pytest.mark.django_db
def test_deletion_request(logged_in, supporter):
    page = logged_in.get(PORTAL + "delete/")
    assert page.status_code == 200
    assert not DeletionRequest.objects.exists()  # the first step only asks

    response = logged_in.post(PORTAL + "delete/", {"reason": "引っ越します"})
    assert response.status_code == 302 and response["Location"] == PORTAL + "deleted/"
    request = DeletionRequest.objects.get()
    assert request.supporter == supporter and request.reason == "引っ越します"
    assert request.status == DeletionRequest.Status.PENDING
    supporter.refresh_from_db()
    assert supporter.status == Supporter.Status.DELETION_REQUESTED
    assert SESSION_SUPPORTER not in logged_in.session
    assert logged_in.get(response["Location"]).status_code == 200
    assert logged_in.get(PORTAL + "profile/").status_code == 302

    # No new login link while the request is reviewed; the answer looks the same.
    emails = OutgoingEmail.objects.count()
    assert logged_in.post(PORTAL + "login/", {"email": supporter.email}).status_code == 302
    assert OutgoingEmail.objects.count() == emails


@pytest.mark.django_db
def test_session_of_a_supporter_being_deleted_stops_working(logged_in, supporter):
    services.deletion_request_create(supporter=supporter, reason="")
    response = logged_in.get(PORTAL)
    assert 'action="/portal/login/"' in response.content.decode()


@pytest.mark.django_db
def test_english_portal_links_stay_in_english(client, portal_page, supporter):
    client.post("/en" + PORTAL + "login/", {"email": supporter.email})
    link = login_link(OutgoingEmail.objects.get())
    assert link.startswith("/en/portal/login/")
    assert client.post(link)["Location"] == "/en/portal/"
