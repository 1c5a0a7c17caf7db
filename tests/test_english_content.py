"""Staff-entered text that appears publicly has an English field beside the Japanese one: English
pages show it when staff wrote it, else the Japanese (ouendan/core/translated.py)."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import translation
from wagtail.models import Site

from donations.goods.models import PledgePage, WishlistItem
from home.impact import _live_figures, impact_figures, impact_period
from home.models import StaffImpactFigure
from members.forms.choices import plan_label
from members.models import JoinPage, MembershipPlan
from ouendan.core.models import OrganisationSettings
from ouendan.core.translated import translated

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_translated_falls_back_to_japanese():
    plan = MembershipPlan(name="個人会員", name_en="Individual member")
    blank = MembershipPlan(name="法人会員", name_en="  ")
    with translation.override("en"):
        assert translated(plan, "name") == "Individual member"
        assert translated(blank, "name") == "法人会員"  # nothing written: the Japanese
        assert str(plan) == "Individual member"
    with translation.override("ja"):
        assert translated(plan, "name") == "個人会員"
        assert str(plan) == "個人会員"


@pytest.fixture
def join_page(home_page):
    free = MembershipPlan.objects.create(
        name="無料サポーター", name_en="Free supporter", period=MembershipPlan.Period.NONE
    )
    yearly = MembershipPlan.objects.create(
        name="個人会員", period=MembershipPlan.Period.YEAR, amount_yen=3000
    )
    page = home_page.add_child(
        instance=JoinPage(title="入会", slug="join", privacy_policy_version="2026-04")
    )
    page.plans.add(free, yearly)
    page.save()
    return page


def test_join_page_plans_in_each_language(client, join_page):
    free, yearly = MembershipPlan.objects.order_by("amount_yen")
    with translation.override("en"):
        english_free, english_yearly = plan_label(free), plan_label(yearly)
    with translation.override("ja"):
        japanese_free = plan_label(free)
    assert english_free == "Free supporter (no fee)"
    assert english_yearly == "個人会員 (¥3,000 / Yearly)"  # no English name: the Japanese
    assert japanese_free.startswith("無料サポーター") and "Free supporter" not in japanese_free

    english = client.get("/en/join/").content.decode().replace("<wbr>", "")
    assert english_free in english and english_yearly in english
    japanese = client.get("/join/").content.decode().replace("<wbr>", "")
    assert japanese_free in japanese and "Free supporter" not in japanese
    # "(no fee)" only beside the free plan
    assert english.count("(no fee)") == 1


def test_pledge_page_wishlist_in_english(client, home_page):
    page = PledgePage(title="物品のご寄付", slug="goods", warehouse_address="さくら野市本町2-4-1")
    home_page.add_child(instance=page)
    page.save_revision().publish()
    WishlistItem.objects.create(
        name="お米", name_en="Rice", category="food", unit="kg", quantity_needed=50,
        notes="常温で保管", notes_en="Kept at room temperature",
    )  # fmt: skip
    WishlistItem.objects.create(
        name="ノート", category="stationery", unit="items", quantity_needed=100
    )
    english = client.get("/en/goods/").content.decode().replace("<wbr>", "")
    assert '<th scope="row">Rice' in english and "Kept at room temperature" in english
    assert "ノート" in english  # no English name yet: the Japanese rather than nothing
    assert "Rice (" in english  # the goods line's wishlist choice too
    japanese = client.get("/goods/").content.decode().replace("<wbr>", "")
    assert "お米" in japanese and "常温で保管" in japanese
    assert "Rice" not in japanese and "room temperature" not in japanese


def test_organisation_details_in_english(client, home_page):
    settings = OrganisationSettings.for_site(Site.objects.get(is_default_site=True))
    settings.name = "さくら野 子どもの未来応援団"
    settings.name_en = "Sakurano Children's Future Supporters"
    settings.address = "さくら野市本町1-2-3"
    settings.address_en = "1-2-3 Honcho, Sakurano"
    settings.footer_note = "土日はお休みです。"
    settings.save()
    english = client.get("/en/").content.decode()
    assert "Sakurano Children&#x27;s Future Supporters" in english
    assert "1-2-3 Honcho, Sakurano" in english
    assert "土日はお休みです。" in english  # no English note written: the Japanese one
    japanese = client.get("/").content.decode()
    assert "さくら野 子どもの未来応援団" in japanese and "Honcho" not in japanese


def test_impact_note_in_english():
    StaffImpactFigure.objects.create(
        year=2025, households_supported=150, note="登録児童 260人", note_en="260 children"
    )

    period = impact_period(choice="year", today=datetime.date(2026, 3, 1), year=2025)
    figures = impact_figures(period=period)  # cached once for both languages
    with translation.override("en"):
        (row,) = _live_figures(figures, ["households"])
        assert row["note"].endswith("260 children")
    with translation.override("ja"):
        (row,) = _live_figures(figures, ["households"])
        assert row["note"].endswith("登録児童 260人")
