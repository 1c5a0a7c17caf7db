"""The public join page: person, volunteer and organisation sign-ups with double opt-in."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.utils import timezone, translation
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text

from home.models import HomePage
from members.models import (
    AccessToken,
    Area,
    ConsentRecord,
    Interest,
    JoinPage,
    MemberPortalPage,
    Membership,
    MembershipPlan,
    Skill,
    Supporter,
)
from ouendan.core.guard import RATE_LIMIT_MESSAGE
from ouendan.core.models import OutgoingEmail
from tests.outbox_helpers import sent_body

JOIN_URL = "/join/"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # the rate limits count in the local-memory cache, shared by every test
    yield
    cache.clear()


@pytest.fixture
def plan(db):
    return MembershipPlan.objects.create(
        name="個人会員", period=MembershipPlan.Period.YEAR, amount_yen=3000
    )


@pytest.fixture
def join_page(home_page, plan):
    page = home_page.add_child(
        instance=JoinPage(
            title="入会・ボランティア登録", slug="join", privacy_policy_version="2026-04"
        )
    )
    page.plans.add(plan)
    page.save()
    return page


@pytest.fixture
def portal_page(home_page):
    return home_page.add_child(instance=MemberPortalPage(title="マイページ", slug="portal"))


def person_data(**overrides):
    data = {
        "kind": "person",
        "family_name": "山田",
        "given_name": "花子",
        "family_name_kana": "やまだ",  # hiragana: stored as katakana
        "given_name_kana": "ﾊﾅｺ",  # half-width katakana: stored full-width
        "email": "Hanako.Yamada@Example.JP",
        "phone": "０９０１２３４５６７８",
        "postal_code": "１００ー０００１",
        "prefecture": "",
        "city": "",
        "address_line": "",
        "building": "",
        "privacy_policy": "on",
        "newsletter": "on",
        "homepage_url": "",
    }
    data.update(overrides)
    return data


def confirm_link(email: OutgoingEmail) -> str:
    return re.search(r"http://testserver(/\S+/confirm/[\w-]+/)", sent_body(email)).group(1)


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.mark.django_db
def test_join_page_is_renderable(join_page, client):
    response = client.get(JOIN_URL)
    html = response.content.decode().replace("<wbr>", "")
    assert response.status_code == 200
    assert 'name="homepage_url"' in html and 'class="hp"' in html
    assert "members/js/postal-code.js" in html and "<script>" not in html
    assert "個人会員（3,000円／年払い）" in html  # the plan with its fee, full-width brackets
    assert 'data-postal-lookup="/members/postal-code/"' in html


class MemberPageTypeTests(WagtailPageTestCase):
    def setUp(self):
        self.home = HomePage.objects.get(depth=2)
        self.login()

    def test_staff_place_and_edit_the_pages(self):
        self.assertCanCreateAt(HomePage, JoinPage)
        self.assertCanCreateAt(HomePage, MemberPortalPage)
        join = self.home.add_child(instance=JoinPage(title="入会", slug="join"))
        portal = self.home.add_child(instance=MemberPortalPage(title="マイページ", slug="portal"))
        self.assertPageIsRenderable(join)
        self.assertPageIsRenderable(portal)
        self.assertPageIsRenderable(join, route_path="/new-link/")
        self.assertPageIsEditable(
            join,
            nested_form_data(
                {
                    "title": "入会",
                    "slug": "join",
                    "intro": rich_text("<p>一緒に支えてください。</p>"),
                    "thank_you_text": rich_text(""),
                    "privacy_policy_version": "2026-05",
                }
            ),
        )
        self.assertPageIsPreviewable(join)
        self.assertPageIsPreviewable(portal)


@pytest.mark.django_db
def test_person_joins_and_everything_is_normalised(join_page, portal_page, client, plan):
    response = client.post(JOIN_URL, person_data(plan=plan.pk))
    assert response.status_code == 302
    assert response["Location"] == "/join/thanks/"

    supporter = Supporter.objects.get()
    assert supporter.status == Supporter.Status.PENDING
    assert supporter.source == Supporter.Source.WEB
    assert supporter.kind == Supporter.Kind.PERSON and not supporter.is_volunteer
    assert (supporter.family_name_kana, supporter.given_name_kana) == ("ヤマダ", "ハナコ")
    assert supporter.email == "hanako.yamada@example.jp"
    assert supporter.phone == "090-1234-5678"
    assert supporter.postal_code == "100-0001"
    # Without JavaScript the server fills the address from the offline postal-code data.
    assert (supporter.prefecture, supporter.city) == ("東京都", "千代田区")
    assert supporter.address_line == "千代田"

    consents = {record.kind: record for record in supporter.consents.all()}
    assert consents[ConsentRecord.Kind.PRIVACY_POLICY].policy_version == "2026-04"
    assert consents[ConsentRecord.Kind.NEWSLETTER].granted is True
    assert consents[ConsentRecord.Kind.SUPPORTERS_WALL].granted is False
    membership = Membership.objects.get(supporter=supporter)
    assert membership.plan == plan and membership.status == Membership.Status.PENDING

    email = OutgoingEmail.objects.get(supporter=supporter)
    assert email.to == "hanako.yamada@example.jp"
    assert "/join/confirm/" in sent_body(email)

    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert 'href="/join/new-link/"' in thanks.content.decode()


@pytest.mark.django_db
def test_volunteer_joins_with_availability_skills_and_emergency_contact(join_page, client):
    skill = Skill.objects.create(name="調理")
    area = Area.objects.create(name="さくら野小学校区", kind=Area.Kind.SCHOOL_DISTRICT)
    interest = Interest.objects.create(name="フードパントリー")
    response = client.post(
        JOIN_URL,
        person_data(
            kind="volunteer",
            email="volunteer@example.jp",
            skills=[skill.pk],
            areas=[area.pk],
            interests=[interest.pk],
            availability=["sat-am", "wed-eve", "bogus"],
            emergency_contact_name="山田　太郎",
            emergency_contact_phone="03-1234-5678",
        ),
    )
    # "bogus" is not a slot: the form refuses it.
    assert response.status_code == 200
    assert "availability" in response.context["form"].errors

    data = person_data(
        kind="volunteer",
        email="volunteer@example.jp",
        skills=[skill.pk],
        areas=[area.pk],
        interests=[interest.pk],
        availability=["sat-am", "wed-eve"],
        emergency_contact_name="山田　太郎",
        emergency_contact_phone="0312345678",
    )
    response = client.post(JOIN_URL, data)
    assert response.status_code == 302
    supporter = Supporter.objects.get()
    assert supporter.is_volunteer
    profile = supporter.volunteer_profile
    assert profile.availability == ["sat-am", "wed-eve"]
    assert list(profile.skills.all()) == [skill]
    assert list(profile.areas.all()) == [area]
    assert list(profile.interests.all()) == [interest]
    assert profile.emergency_contact_name == "山田 太郎"
    assert profile.emergency_contact_phone == "03-1234-5678"


@pytest.mark.django_db
def test_volunteers_need_a_phone_number(join_page, client):
    response = client.post(JOIN_URL, person_data(kind="volunteer", phone=""))
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    assert not Supporter.objects.exists()


@pytest.mark.django_db
def test_organisation_joins(join_page, client):
    response = client.post(
        JOIN_URL,
        person_data(
            kind="organisation",
            family_name="",
            given_name="",
            family_name_kana="漢字",  # the person section is ignored for organisations
            given_name_kana="",
            organisation_name="株式会社さくら食品",
            organisation_name_kana="さくらしょくひん",
            department="総務部",
            contact_person="佐藤 一郎",
            invoice_address="〒100-0001 東京都千代田区千代田１－１",
            email="soumu@sakura-foods.example.jp",
        ),
    )
    assert response.status_code == 302
    supporter = Supporter.objects.get()
    assert supporter.kind == Supporter.Kind.ORGANISATION
    assert supporter.organisation_name_kana == "サクラショクヒン"
    assert supporter.contact_person == "佐藤 一郎"
    assert supporter.invoice_address == "〒100-0001 東京都千代田区千代田1-1"
    assert supporter.family_name == supporter.family_name_kana == ""


@pytest.mark.django_db
def test_organisation_needs_its_name_and_contact(join_page, client):
    response = client.post(JOIN_URL, person_data(kind="organisation"))
    errors = response.context["form"].errors
    assert {"organisation_name", "contact_person"} <= set(errors)
    assert "organisation_name_kana" not in errors  # no name, so no reading to ask for


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("family", "given", "missing"),
    [
        ("Nguyen", "Lan", set()),  # Latin script: read as written
        ("NGUYEN", "Thi Lan", set()),
        ("山田", "花子", {"family_name_kana", "given_name_kana"}),  # kanji
        ("Smith", "はなこ", {"given_name_kana"}),  # hiragana
        ("スミス", "John", {"family_name_kana"}),  # katakana
    ],
)
def test_kana_is_asked_only_for_names_in_japanese_script(join_page, client, family, given, missing):
    data = person_data(family_name=family, given_name=given, email="kana@example.jp")
    data.update(family_name_kana="", given_name_kana="")
    response = client.post("/en/join/", data)
    if not missing:
        assert response.status_code == 302
        supporter = Supporter.objects.get(email="kana@example.jp")
        assert (supporter.family_name, supporter.family_name_kana) == (family, "")
        return
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == missing
    assert "reading of this name in kana" in errors[missing.pop()][0]


@pytest.mark.django_db
def test_a_latin_organisation_name_needs_no_kana(join_page, client):
    data = person_data(
        kind="organisation",
        organisation_name="Acme Trading K.K.",
        organisation_name_kana="",
        contact_person="Lan Nguyen",
        email="acme@example.jp",
    )
    assert client.post("/en/join/", data).status_code == 302
    refused = client.post(
        "/en/join/", {**data, "organisation_name": "さくら食品", "email": "sakura@example.jp"}
    )
    assert set(refused.context["form"].errors) == {"organisation_name_kana"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("family_name_kana", "山田", "Please write this in kana"),
        ("postal_code", "12-345", "seven digits"),
        ("phone", "12345", "valid phone number"),
        ("email", "not-an-address", "valid e-mail address"),
        ("privacy_policy", "", "accept the privacy policy"),
        ("family_name", "", "fill in this field"),
    ],
)
def test_field_errors_are_shown_next_to_the_field(join_page, client, field, value, message):
    data = person_data(**{field: value})
    if not value:
        data.pop(field)
    response = client.post("/en/join/", data)
    assert response.status_code == 200
    assert not Supporter.objects.exists()
    html = response.content.decode()
    error = re.search(rf'<p class="field__error" id="id_{field}_error">([^<]+)</p>', html)
    assert error and message in error.group(1)
    assert re.search(rf'aria-describedby="[^"]*id_{field}_error', html)
    assert 'aria-invalid="true"' in html
    assert 'class="error-summary"' in html


@pytest.mark.django_db
def test_japanese_error_messages(join_page, client):
    response = client.post(JOIN_URL, person_data(postal_code="12-345", privacy_policy=""))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ja">' in html
    # Messages come from the catalogue once the lead adds /tmp/ja-portal.json; until then the
    # English source shows. Either way each error is tied to its field.
    assert 'id="id_postal_code_error"' in html
    assert 'id="id_privacy_policy_error"' in html


@pytest.mark.django_db
def test_honeypot_pretends_success_and_stores_nothing(join_page, client):
    response = client.post(JOIN_URL, person_data(homepage_url="http://spam.example"))
    assert response.status_code == 302
    assert response["Location"] == "/join/thanks/"
    assert not Supporter.objects.exists()
    assert not OutgoingEmail.objects.exists()


@pytest.mark.django_db
def test_an_event_hall_behind_one_wifi_can_sign_up_forty_people(join_page, client):
    for number in range(40):
        response = client.post(JOIN_URL, person_data(email=f"person{number}@example.jp"))
        assert response.status_code == 302, number
    assert Supporter.objects.count() == 40


@pytest.mark.django_db
def test_a_flood_from_one_address_is_stopped(join_page, client, settings):
    # The real per-IP limit (300/h) is lowered to keep the test quick; the default is checked
    # with 1,000 attempts in tests/site/core/test_guard.py.
    settings.OUENDAN_RATE_LIMITS = {
        **settings.OUENDAN_RATE_LIMITS,
        "members:join": {"email": "5/h", "ip": "3/h"},
    }
    for number in range(3):
        response = client.post(JOIN_URL, person_data(email=f"person{number}@example.jp"))
        assert response.status_code == 302
    response = client.post(JOIN_URL, person_data(email="fourth@example.jp"))
    assert response.status_code == 429
    assert not Supporter.objects.filter(email="fourth@example.jp").exists()
    # Another address (another IP) still gets through.
    response = client.post(JOIN_URL, person_data(email="other@example.jp"), REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_same_email_six_times_is_refused_and_keeps_the_input(join_page, client, language):
    prefix = "" if language == "ja" else "/en"
    for number in range(5):
        response = client.post(
            f"{prefix}{JOIN_URL}",
            person_data(email="same@example.jp"),
            REMOTE_ADDR=f"192.0.2.{number}",
        )
        assert response.status_code == 302
    emails = OutgoingEmail.objects.count()
    response = client.post(
        f"{prefix}{JOIN_URL}",
        person_data(email="SAME@example.jp", building="さくらハイツ 101"),
        REMOTE_ADDR="192.0.2.99",
    )
    assert response.status_code == 429
    assert "Retry-After" in response
    assert OutgoingEmail.objects.count() == emails
    assert Supporter.objects.count() == 1
    html = response.content.decode()
    with translation.override(language):
        message = str(RATE_LIMIT_MESSAGE)
    assert f'lang="{language}"' in html
    assert message.replace("'", "&#x27;") in html  # in the error summary, in the page's language
    assert 'class="error-summary"' in html
    # What was typed is still there.
    assert 'value="山田"' in html and 'value="さくらハイツ 101"' in html
    assert 'value="SAME@example.jp"' in html or 'value="same@example.jp"' in html


@pytest.mark.django_db
def test_duplicate_email_gets_the_same_page_and_a_login_link(join_page, portal_page, client):
    existing = Supporter.objects.create(
        family_name="既存", given_name="会員", email="known@example.jp",
        status=Supporter.Status.ACTIVE,
    )  # fmt: skip
    known = client.post(JOIN_URL, person_data(email="Known@Example.jp"), follow=True)
    unknown = client.post(JOIN_URL, person_data(email="new@example.jp"), follow=True)

    assert known.redirect_chain == unknown.redirect_chain == [("/join/thanks/", 302)]
    assert known.status_code == unknown.status_code == 200
    assert without_csrf(known.content.decode()) == without_csrf(unknown.content.decode())

    assert Supporter.objects.filter(email__iexact="known@example.jp").count() == 1
    existing.refresh_from_db()
    assert existing.family_name == "既存"  # nothing was overwritten
    mail = OutgoingEmail.objects.get(supporter=existing)
    assert mail.key.startswith("already_registered:")
    assert re.search(r"http://testserver/portal/login/[\w-]+/", sent_body(mail))
    assert AccessToken.objects.filter(
        supporter=existing, purpose=AccessToken.Purpose.LOGIN
    ).exists()


@pytest.mark.django_db
def test_confirmation_link_activates_once(join_page, portal_page, client):
    client.post(JOIN_URL, person_data())
    supporter = Supporter.objects.get()
    link = confirm_link(OutgoingEmail.objects.get())

    page = client.get(link)  # opening the link (or a mail scanner) changes nothing yet
    assert page.status_code == 200
    assert 'method="post"' in page.content.decode()
    supporter.refresh_from_db()
    assert supporter.status == Supporter.Status.PENDING

    done = client.post(link)
    assert done.status_code == 200
    assert 'href="/portal/"' in done.content.decode()
    supporter.refresh_from_db()
    assert supporter.status == Supporter.Status.ACTIVE
    assert supporter.confirmed_at is not None

    again = client.post(link)
    assert again.status_code == 410
    assert 'action="/join/new-link/"' in again.content.decode()
    assert client.get(link).status_code == 410


@pytest.mark.django_db
def test_confirmation_link_expires_after_48_hours(join_page, client):
    client.post(JOIN_URL, person_data())
    link = confirm_link(OutgoingEmail.objects.get())
    token = AccessToken.objects.get(purpose=AccessToken.Purpose.CONFIRM_SIGNUP)
    assert token.expires_at - token.created_at == datetime.timedelta(hours=48)

    AccessToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.post(link)
    assert response.status_code == 410
    assert Supporter.objects.get().status == Supporter.Status.PENDING


@pytest.mark.django_db
def test_a_new_confirmation_link_can_be_requested(join_page, client):
    client.post(JOIN_URL, person_data())
    AccessToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    form = client.get("/join/new-link/")
    assert form.status_code == 200
    known = client.post("/join/new-link/", {"email": "hanako.yamada@example.jp"})
    unknown = client.post("/join/new-link/", {"email": "nobody@example.jp"})
    assert known.status_code == unknown.status_code == 200
    assert without_csrf(known.content.decode()) == without_csrf(unknown.content.decode())

    newest = OutgoingEmail.objects.order_by("-pk").first()
    assert newest.key.startswith("confirm_signup:") and newest.key.count(":") == 2
    assert client.post(confirm_link(newest)).status_code == 200
    assert Supporter.objects.get().status == Supporter.Status.ACTIVE


@pytest.mark.django_db
def test_english_sign_up_keeps_english_links(join_page, client):
    response = client.post("/en/join/", person_data(email="english@example.jp"))
    assert response["Location"] == "/en/join/thanks/"
    supporter = Supporter.objects.get()
    assert supporter.preferred_language == "en"
    mail = OutgoingEmail.objects.get()
    assert "http://testserver/en/join/confirm/" in sent_body(mail)
    assert mail.subject == "Please confirm your e-mail address"


@pytest.mark.django_db
def test_plan_for_organisations_is_refused_for_a_person(join_page, client):
    corporate = MembershipPlan.objects.create(
        name="法人会員",
        period=MembershipPlan.Period.YEAR,
        amount_yen=10000,
        audience=MembershipPlan.Audience.ORGANISATION,
    )
    join_page.plans.add(corporate)
    join_page.save()
    response = client.post(JOIN_URL, person_data(plan=corporate.pk))
    assert "plan" in response.context["form"].errors
    assert not Supporter.objects.exists()


@pytest.mark.django_db
def test_postal_code_lookup_is_offline_json(client):
    response = client.get("/members/postal-code/", {"code": "１０００００１"})
    assert response.status_code == 200
    assert response.json() == {
        "found": True,
        "postal_code": "100-0001",
        "prefecture": "東京都",
        "city": "千代田区",
        "town": "千代田",
    }
    assert client.get("/members/postal-code/", {"code": "0000000"}).status_code == 404
    assert client.get("/members/postal-code/", {"code": "abc"}).json() == {"found": False}
