"""The staff supporter list at scale (issue 18): the current membership is kept on the
supporter, the search column finds every script, and the query count does not grow with rows."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members.merge import supporter_merge
from members.models import Area, Membership, Skill, Supporter, VolunteerProfile
from members.models.memberships import supporters_refresh_current_membership
from members.selectors import supporters_search
from tests.members.factories import MembershipPlanFactory, SupporterFactory

LIST_URL = "/admin/supporter/"


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("boss", "boss@example.jp", "pw")
    client.force_login(user)
    return client


def membership(supporter, plan, **kwargs):
    return Membership.objects.create(supporter=supporter, plan=plan, amount_yen=3000, **kwargs)


@pytest.mark.django_db
def test_the_newest_membership_is_current_and_deleting_it_falls_back():
    plan = MembershipPlanFactory()
    supporter = SupporterFactory()
    old = membership(supporter, plan, status=Membership.Status.LAPSED)
    supporter.refresh_from_db()
    assert supporter.current_membership == old
    new = membership(supporter, plan, status=Membership.Status.ACTIVE)
    supporter.refresh_from_db()
    assert supporter.current_membership == new
    # An older record entered afterwards does not take over.
    membership(
        supporter,
        plan,
        status=Membership.Status.CANCELLED,
        created_at=timezone.now() - datetime.timedelta(days=400),
    )
    supporter.refresh_from_db()
    assert supporter.current_membership == new
    new.delete()
    supporter.refresh_from_db()
    assert supporter.current_membership == old


@pytest.mark.django_db
def test_bulk_paths_refresh_the_current_membership():
    plan = MembershipPlanFactory()
    supporters = SupporterFactory.create_batch(3)
    created = Membership.objects.bulk_create(
        Membership(supporter=s, plan=plan, amount_yen=3000) for s in supporters
    )
    assert not Supporter.objects.filter(current_membership__isnull=False).exists()
    assert supporters_refresh_current_membership() == 3
    assert {s.current_membership_id for s in Supporter.objects.all()} == {m.pk for m in created}


@pytest.mark.django_db
def test_a_merge_moves_the_current_membership_to_the_survivor():
    plan = MembershipPlanFactory()
    survivor = SupporterFactory(email="")
    duplicate = SupporterFactory(email="", phone=survivor.phone)
    moved = membership(duplicate, plan, status=Membership.Status.ACTIVE)
    supporter_merge(survivor=survivor, duplicate=duplicate, by_user=None)
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    assert survivor.current_membership == moved
    assert duplicate.current_membership is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "やまだ",
        "ヤマダ",
        "ｙａｍａｄａ@",
        "ﾔﾏﾀﾞ",
        "山田花子",
        "YAMADA@EXAMPLE",
        "09012345678",
        "1234-56",
    ],
)
def test_search_finds_every_script_and_form(query):
    SupporterFactory(
        family_name="山田",
        given_name="花子",
        family_name_kana="ヤマダ",
        given_name_kana="ハナコ",
        email="yamada@example.jp",
        phone="090-1234-5678",
    )
    SupporterFactory(
        family_name="佐藤",
        family_name_kana="サトウ",
        email="sato@example.jp",
        phone="03-9999-0000",
    )
    found = supporters_search(Supporter.objects.all(), query)
    assert [s.email for s in found] == ["yamada@example.jp"]


def _queries(admin_client, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(LIST_URL, params)
    assert response.status_code == 200
    return len(captured)


def _grow(count: int, plan, skill, area) -> None:
    for supporter in SupporterFactory.create_batch(count, is_volunteer=True):
        membership(
            supporter,
            plan,
            status=Membership.Status.ACTIVE,
            renews_on=timezone.localdate() + datetime.timedelta(days=10),
        )
        profile = VolunteerProfile.objects.create(supporter=supporter)
        profile.skills.add(skill)
        profile.areas.add(area)


@pytest.mark.django_db
def test_the_list_query_count_does_not_grow_with_rows(admin_client):
    plan = MembershipPlanFactory()
    skill = Skill.objects.create(name="調理")
    area = Area.objects.create(name="中央小学校区", kind="school_district")
    cases = [
        {},
        {"q": "やまだ"},
        {"q": "supporter"},
        {"plan": plan.pk, "membership_status": "active"},
        {"skill": skill.pk, "area": area.pk, "is_volunteer": "true"},
        {"renewal_due": "on", "kind": "person", "status": "active"},
        {"q": "ヤマダ", "plan": plan.pk, "renewal_due": "on", "skill": skill.pk},
    ]
    _grow(2, plan, skill, area)
    small = [_queries(admin_client, params) for params in cases]
    _grow(25, plan, skill, area)
    large = [_queries(admin_client, params) for params in cases]
    assert small == large


def _listing(html: str) -> str:
    start = html.index('<table class="listing')
    return html[start : html.index("</table>", start)]


@pytest.mark.django_db
@pytest.mark.parametrize("member_staff", [False, True])
def test_the_stamped_title_cells_are_what_wagtail_renders(client, monkeypatch, member_staff):
    """Each row's title cell (name, link, "more" dropdown) is a copy of one rendered cell with
    the row's id and name put in: it must equal Wagtail's own rendering of every row, names
    that need escaping and a nameless record included, for a superuser and for member staff
    (whose buttons differ)."""
    from django.contrib.auth.models import Group

    from members.admin.columns import StampedTitleColumn
    from members.groups import MEMBER_STAFF
    from ouendan.core.admin_display import DisplayTitleColumn

    if member_staff:
        user = get_user_model().objects.create_user("members", password="pw")
        user.groups.add(Group.objects.get(name=MEMBER_STAFF))
    else:
        user = get_user_model().objects.create_superuser("boss", "boss@example.jp", "pw")
    client.force_login(user)
    SupporterFactory(family_name='<b>"山田"</b>', given_name="O'Neil & 花子")
    SupporterFactory(kind=Supporter.Kind.ORGANISATION, organisation_name="")
    SupporterFactory.create_batch(3)

    stamped = _listing(client.get(LIST_URL).content.decode())
    monkeypatch.setattr(StampedTitleColumn, "render_cell_html", DisplayTitleColumn.render_cell_html)
    wagtail = _listing(client.get(LIST_URL).content.decode())

    assert stamped.count('<td class="title">') == 5
    assert "&lt;b&gt;&quot;山田&quot;&lt;/b&gt; O&#x27;Neil &amp; 花子" in stamped
    assert stamped == wagtail


@pytest.mark.django_db
def test_a_page_lists_its_rows_in_the_list_order(admin_client):
    """Pages are read ids first, then rows (IdsFirstPaginator): the rows keep the list's order,
    on every page, and the filters still apply."""
    for n in range(70):
        SupporterFactory(
            family_name=f"姓{n:02d}",
            family_name_kana=f"セイ{(n * 17) % 70:02d}",
            status=Supporter.Status.ACTIVE if n % 5 else Supporter.Status.PENDING,
        )
    expected = list(
        Supporter.objects.filter(status=Supporter.Status.ACTIVE)
        .order_by("family_name_kana", "given_name_kana", "organisation_name_kana", "pk")
        .values_list("pk", flat=True)
    )
    listed = []
    for page in (1, 2):
        response = admin_client.get(LIST_URL, {"status": "active", "p": page})
        listed += [row.pk for row in response.context["page_obj"].object_list]
    assert len(expected) == 56
    assert listed == expected
