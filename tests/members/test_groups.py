"""Staff groups from migration members/0003_staff_groups: least privilege, tested by using them."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from members.groups import EDITORS, FINANCE, MEMBER_STAFF
from members.models import DeletionRequest, Supporter

LIST_URL = "/admin/supporter/"


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


def login_as(client, group_name: str | None, *, superuser: bool = False):
    user = get_user_model().objects.create_user(
        f"user-{group_name or 'super'}", password="pw", is_superuser=superuser
    )
    if group_name:
        user.groups.add(Group.objects.get(name=group_name))
    client.force_login(user)
    return user


def member_urls(supporter) -> list[str]:
    return [
        LIST_URL,
        LIST_URL + "?q=佐藤",
        LIST_URL + "?export=csv",
        LIST_URL + "?export=xlsx",
        reverse("supporter:inspect", args=[supporter.pk]),
        reverse("supporter:edit", args=[supporter.pk]),
        "/admin/membership/",
        "/admin/deletion_request/",
    ]


def denied(response) -> bool:
    return response.status_code in (302, 403)


@pytest.mark.django_db
def test_groups_exist_with_least_privilege():
    editors = Group.objects.get(name=EDITORS)
    assert not editors.permissions.filter(content_type__app_label="members").exists()
    assert not editors.permissions.filter(codename__endswith="outgoingemail").exists()
    page_permissions = set(editors.page_permissions.values_list("permission__codename", flat=True))
    assert {"add_page", "change_page", "publish_page"} <= page_permissions
    finance = set(Group.objects.get(name=FINANCE).permissions.values_list("codename", flat=True))
    assert {"access_admin", "view_supporter", "view_membership"} <= finance
    member_writes = Group.objects.get(name=FINANCE).permissions.filter(
        content_type__app_label="members", codename__regex=r"^(add|change|delete)_"
    )
    assert not member_writes.exists()  # Finance reads member data, never changes it
    assert {"view_donation", "add_donation", "change_donation"} <= finance  # records gifts
    assert "delete_donation" not in finance
    staff = set(Group.objects.get(name=MEMBER_STAFF).permissions.values_list("codename", flat=True))
    assert {"add_supporter", "change_supporter", "view_supporter"} <= staff
    assert "delete_supporter" not in staff  # only anonymisation removes a person (members/0008)
    assert "view_outgoingemail" in staff


@pytest.mark.django_db
def test_editor_edits_pages_but_sees_no_members(client, supporter, home_page):
    login_as(client, EDITORS)
    assert client.get(reverse("wagtailadmin_pages:edit", args=[home_page.pk])).status_code == 200
    for url in member_urls(supporter):
        assert denied(client.get(url)), url
    menu = client.get("/admin/").content.decode()
    assert LIST_URL not in menu
    assert "/admin/deletion_request/" not in menu
    chooser = client.get(reverse("supporter_chooser:choose"))
    assert denied(chooser)


@pytest.mark.django_db
def test_member_staff_list_search_and_edit(client, supporter):
    login_as(client, MEMBER_STAFF)
    for url in member_urls(supporter):
        assert client.get(url).status_code == 200, url
    assert "佐藤 一郎" in client.get(LIST_URL, {"q": "さとう"}).content.decode()
    assert LIST_URL in client.get("/admin/").content.decode()
    response = client.post(
        reverse("supporter:edit", args=[supporter.pk]),
        {
            "kind": "person",
            "status": "active",
            "family_name": "佐藤",
            "given_name": "次郎",
            # A name in Japanese script keeps its kana (members/names.py).
            "family_name_kana": "サトウ",
            "given_name_kana": "ジロウ",
            "email": "sato@example.jp",
            "preferred_language": "ja",
        },
    )
    assert response.status_code == 302
    supporter.refresh_from_db()
    assert supporter.given_name == "次郎"
    assert client.get(reverse("supporter_chooser:choose")).status_code == 200


@pytest.mark.django_db
def test_finance_views_but_cannot_edit(client, supporter):
    login_as(client, FINANCE)
    assert client.get(LIST_URL).status_code == 200
    assert client.get(LIST_URL, {"export": "csv"}).status_code == 200
    inspect = client.get(reverse("supporter:inspect", args=[supporter.pk]))
    assert inspect.status_code == 200
    assert reverse("supporter:edit", args=[supporter.pk]) not in inspect.content.decode()
    assert denied(client.get(reverse("supporter:edit", args=[supporter.pk])))
    response = client.post(
        reverse("supporter:edit", args=[supporter.pk]),
        {"kind": "person", "status": "active", "family_name": "改ざん", "preferred_language": "ja"},
    )
    assert denied(response)
    supporter.refresh_from_db()
    assert supporter.family_name == "佐藤"
    assert denied(client.get("/admin/supporter/new/"))
    assert denied(client.get("/admin/deletion_request/"))
    request = DeletionRequest.objects.create(supporter=supporter)
    assert denied(
        client.post(reverse("deletion_request:review", args=[request.pk]), {"approve": 1})
    )
    supporter.refresh_from_db()
    assert supporter.status == Supporter.Status.ACTIVE


@pytest.mark.django_db
def test_superuser_sees_everything(client, supporter):
    login_as(client, None, superuser=True)
    for url in member_urls(supporter):
        assert client.get(url).status_code == 200, url
