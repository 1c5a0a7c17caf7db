"""The members part of the demo site (members/demo.py through `manage.py demo`)."""

import datetime

import pytest
from django.utils import timezone

from home.demo import page_translate, page_upsert
from home.models import HomePage, StandardPage
from members.demo import members_demo_build
from members.models import (
    Area,
    ConsentRecord,
    JoinPage,
    MemberPortalPage,
    Membership,
    MembershipPlan,
    Skill,
    Supporter,
    VolunteerProfile,
)

MODELS = [
    Area,
    Skill,
    MembershipPlan,
    Supporter,
    VolunteerProfile,
    Membership,
    ConsentRecord,
    JoinPage,
    MemberPortalPage,
]


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.mark.django_db
def test_demo_builds_believable_members(demo_site):
    assert Area.objects.filter(kind=Area.Kind.SCHOOL_DISTRICT).count() == 17
    assert Area.objects.filter(kind=Area.Kind.CHILDRENS_PLACE).count() == 29  # the seed figure
    assert Skill.objects.filter(name="送迎（運転）").exists()
    corporate = MembershipPlan.objects.get(name="法人会員")
    assert corporate.amount_yen == 10000 and corporate.per_unit
    assert 35 <= Supporter.objects.count() <= 45
    assert Supporter.objects.filter(kind=Supporter.Kind.ORGANISATION).count() >= 3
    assert VolunteerProfile.objects.exists()
    statuses = set(Membership.objects.values_list("status", flat=True))
    assert {"active", "lapsed", "pending"} <= statuses
    today = timezone.localdate()
    renewing_soon = Membership.objects.filter(
        status="active", renews_on__range=(today, today + datetime.timedelta(days=30))
    )
    assert renewing_soon.count() >= 3
    assert ConsentRecord.objects.filter(kind="privacy_policy").count() >= 30


@pytest.mark.django_db
def test_demo_is_idempotent(demo_site):
    # A second `manage.py demo` keeps these counts too:
    # tests/home/test_demo.py::test_demo_is_idempotent.
    before = counts()
    home = HomePage.objects.get(locale__language_code="ja")
    privacy = StandardPage.objects.child_of(home).get(slug="privacy")
    members_demo_build(
        home=home, privacy=privacy, page_upsert=page_upsert, page_translate=page_translate
    )
    assert counts() == before


@pytest.mark.django_db
def test_demo_pages_exist_in_both_languages(demo_site):
    join = JoinPage.objects.get(locale__language_code="ja")
    assert (join.title, join.slug, join.show_in_menus) == ("応援団に参加する", "join", True)
    assert JoinPage.objects.get(locale__language_code="en").title == "Join us"
    portal = MemberPortalPage.objects.get(locale__language_code="ja")
    assert (portal.title, portal.slug) == ("会員ページ", "portal")
    assert MemberPortalPage.objects.get(locale__language_code="en").title == "Member portal"


@pytest.mark.django_db
def test_demo_renders_join_and_portal_pages(demo_site, client):
    for url in ["/join/", "/en/join/", "/portal/", "/en/portal/"]:
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_demo_member_list_in_admin(demo_site, client):
    assert client.login(username="admin", password="ouendan-demo")
    response = client.get("/admin/supporter/", {"renewal_due": "on"})
    assert response.status_code == 200
    assert len(response.context["object_list"]) >= 3
