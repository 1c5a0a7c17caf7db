"""The supporter choosers (memberships; donors for offline gifts and receipts): searchable by
name, kana in any script, e-mail and phone, and rows that tell namesakes apart."""

import json
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from members.groups import EDITORS, FINANCE
from members.models import Supporter
from tests.members.factories import SupporterFactory
from tests.test_permissions_matrix import outcome

pytestmark = pytest.mark.django_db


@pytest.fixture
def namesakes():
    """Two 鈴木 一郎 and someone else."""
    first = SupporterFactory(
        family_name="鈴木",
        given_name="一郎",
        family_name_kana="スズキ",
        given_name_kana="イチロウ",
        email="ichiro.suzuki@example.jp",
        phone="090-1111-2222",
        postal_code="154-0001",
        prefecture="東京都",
        city="世田谷区",
    )
    second = SupporterFactory(
        family_name="鈴木",
        given_name="一郎",
        family_name_kana="スズキ",
        given_name_kana="イチロウ",
        email="suzuki1@example.com",
        phone="03-3333-4444",
        postal_code="530-0001",
        prefecture="大阪府",
        city="大阪市北区",
    )
    other = SupporterFactory(
        family_name="田中",
        given_name="花子",
        family_name_kana="タナカ",
        given_name_kana="ハナコ",
        email="hanako@example.jp",
        phone="080-5555-6666",
    )
    return first, second, other


@pytest.fixture
def finance(client, django_user_model):
    user = django_user_model.objects.create_user("finance", password="pw")
    user.groups.add(Group.objects.get(name=FINANCE))
    client.force_login(user)
    return user


def chosen_ids(client, url_name: str, query: str) -> set[int]:
    response = client.get(reverse(url_name), {"q": query})
    assert response.status_code == 200
    return {row.pk for row in response.context["results"]}


@pytest.mark.parametrize(
    "url_name", ["donor_chooser:choose_results", "supporter_chooser:choose_results"]
)
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("鈴木", {0, 1}),  # kanji
        ("鈴木 一郎", {0, 1}),  # every word must match
        ("すずき", {0, 1}),  # hiragana finds the katakana reading
        ("ｽｽﾞｷ ｲﾁﾛｳ", {0, 1}),  # so does half-width katakana
        ("タナカ", {2}),  # and full-width katakana
        ("ICHIRO.SUZUKI@", {0}),  # e-mail, any case
        ("example.com", {1}),
        ("3333-4444", {1}),  # phone as stored
        ("09011112222", {0}),  # a whole phone number typed without hyphens
        ("０８０５５５５６６６６", {2}),  # full-width digits
        ("佐藤", set()),
    ],
)
def test_chooser_search(client, finance, namesakes, url_name, query, expected):
    assert chosen_ids(client, url_name, query) == {namesakes[i].pk for i in expected}


def test_rows_tell_namesakes_apart(client, finance, namesakes):
    first, second, _other = namesakes
    response = client.get(reverse("donor_chooser:choose"), {"q": "鈴木"})
    html = json.loads(response.content)["html"]
    for text in (
        "スズキ イチロウ",
        "ichiro.suzuki@example.jp",
        "suzuki1@example.com",
        "〒154-0001 東京都 世田谷区",
        "〒530-0001 大阪府 大阪市北区",
    ):
        assert text in html, text
    for supporter in (first, second):  # the supporter number
        assert re.search(rf">\s*{supporter.pk}\s*</td>", html), supporter.pk
    assert 'name="q"' in html  # the search box is there


def test_chosen_title_tells_namesakes_apart(client, finance, namesakes):
    first = namesakes[0]
    response = client.get(reverse("donor_chooser:chosen", args=[first.pk]))
    title = json.loads(response.content)["result"]["title"]
    assert title == "鈴木 一郎（スズキ イチロウ · ichiro.suzuki@example.jp）"


def test_anonymised_supporters_are_not_listed(client, finance, namesakes):
    first = namesakes[0]
    Supporter.objects.filter(pk=first.pk).update(status=Supporter.Status.ANONYMISED)
    assert chosen_ids(client, "donor_chooser:choose_results", "鈴木") == {namesakes[1].pk}


def test_editors_are_refused_the_donor_chooser(client, django_user_model, namesakes):
    editor = django_user_model.objects.create_user("editor", password="pw")
    editor.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(editor)
    for name in ("donor_chooser:choose", "donor_chooser:choose_results"):
        response = client.get(reverse(name), {"q": "鈴木"})
        assert outcome(response) == "no", name
    client.logout()
    assert outcome(client.get(reverse("donor_chooser:choose"))) == "login"
