"""The impact page (home/models.py ImpactPage, home/impact_page.py): a year's figures, the use of
funds by programme (ledger first, staff-entered spending where the ledger has none), goods
progress, stories, annual reports, calls to action; and the one goods progress definition the
campaign, the wishlist and the impact page share."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from campaigns.models import CampaignGoodsGoal
from campaigns.selectors import campaign_goods_progress
from donations.goods.models import Delivery, DeliveryLine, Pledge, PledgePage
from donations.goods.selectors import wishlist_progress
from donations.models import Donation, Programme
from donations.services import donation_record, donation_refund
from home.impact import impact_figures, impact_period
from home.models import ImpactPage, ImpactSpending
from tests.campaigns.factories import CampaignIndexPageFactory, CampaignPageFactory
from tests.donations.funding.factories import at, person
from tests.donations.goods.factories import CompanyFactory, WishlistItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def gift(amount, paid_at, *, programme=None, kind=Donation.Kind.ONE_OFF, refunded=0):
    donation, _created = donation_record(
        supporter=person(),
        kind=kind,
        method=Donation.Method.BANK_TRANSFER,
        amount_yen=amount,
        paid_at=paid_at,
        programme_id=programme.pk if programme else None,
    )
    if refunded:
        donation_refund(donation=donation, refunded_total_yen=refunded)
    return donation


@pytest.fixture
def impact_page(home_page):
    page = ImpactPage(title="活動の成果", slug="impact", intro="数字と物語で伝えます。")
    home_page.add_child(instance=page)
    page.save_revision().publish()
    return page


def funds(html: str) -> list[tuple[str, str, str]]:
    """(programme, amount, share) of each row of the use-of-funds table."""
    rows = re.findall(
        r'<tr data-funds-row>\s*<th scope="row">(.*?)</th>\s*'
        r"<td[^>]*>(.*?)</td>\s*<td>.*?</meter> (\d+)%",
        html,
        re.S,
    )
    return [(re.sub(r"<[^>]+>", "", name).strip(), amount, share) for name, amount, share in rows]


def test_use_of_funds_comes_from_the_ledger_and_staff_fill_only_what_it_lacks(client, impact_page):
    places = Programme.objects.create(name_ja="子どもの居場所", sort_order=1)
    food = Programme.objects.create(name_ja="フードバンク", sort_order=2)
    parents = Programme.objects.create(name_ja="ひとり親支援", sort_order=3)
    gift(60_000, at(2025, 4, 1), programme=places)
    gift(30_000, at(2025, 5, 1), programme=food, refunded=10_000)  # net 20,000
    gift(20_000, at(2025, 6, 1))  # where most needed
    gift(9_000, at(2025, 7, 1), kind=Donation.Kind.MEMBERSHIP)  # a fee, not a gift to a cause
    gift(99_000, at(2024, 12, 31, 23, 59), programme=places)  # the year before (Tokyo time)
    for programme, label, amount in (
        (places, "", 500_000),  # the ledger knows this programme in 2025: not counted twice
        (parents, "", 40_000),  # the ledger has nothing for it: staff's figure is shown
        (None, "運営費", 60_000),  # no programme covers it
    ):
        ImpactSpending.objects.create(
            page=impact_page, year=2025, programme=programme, label=label, amount_yen=amount
        )

    html = client.get("/impact/?year=2025").content.decode()

    assert funds(html) == [
        ("子どもの居場所", "¥60,000", "30"),
        ("フードバンク", "¥20,000", "10"),
        ("最も必要なところ", "¥20,000", "10"),
        ("ひとり親支援*", "¥40,000", "20"),
        ("運営費*", "¥60,000", "30"),
    ]
    assert 'data-year="2025"' in html


def test_the_year_picker_lists_each_year_once_and_the_current_year_first(client, impact_page):
    this_year = timezone.localdate().year
    gift(5_000, at(this_year - 2, 3, 1))
    html = client.get("/impact/").content.decode()
    select = re.search(r'<select id="impact-year" name="year"[^>]*>(.*?)</select>', html, re.S)
    values = re.findall(r'<option value="([^"]+)"', select.group(1))
    assert values == [str(this_year), str(this_year - 1), str(this_year - 2), "all"]
    assert len(values) == len(set(values))
    assert re.search(rf'<option value="{this_year}" selected>', html)  # this year by default
    # Without JavaScript the form reloads the page with ?year=; the script is a static file.
    assert (
        'method="get" action="" data-impact-year-form data-impact-target="#impact-panel">' in html
    )
    assert "home/js/impact_year.js" in html and "<script>" not in html


def test_an_unknown_year_falls_back_to_this_year_and_all_shows_everything(client, impact_page):
    this_year = timezone.localdate().year
    gift(7_000, at(this_year - 1, 5, 1))
    gift(3_000, timezone.now() - datetime.timedelta(hours=1))
    assert f'data-year="{this_year}"' in client.get("/impact/?year=1999").content.decode()
    everything = client.get("/impact/?year=all").content.decode()
    assert 'data-year="all"' in everything
    assert funds(everything) == [("最も必要なところ", "¥10,000", "100")]


def test_stories_reports_and_calls_to_action_are_shown(client, impact_page, home_page):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    report = Document.objects.create(
        title="2025年度 年次報告書", file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="report-2025.pdf")
    )
    impact_page.body = [
        ("story", {"heading": "ほっとする場所", "text": "<p>本文</p>", "quote": "ここが好き"}),
    ]
    impact_page.reports = [("report", {"year": 2025, "title": report.title, "document": report})]
    impact_page.calls_to_action = [
        (
            "call_to_action",
            {
                "heading": "毎月の寄付で支える",
                "page": home_page,
                "page_query": "?frequency=monthly",
                "button_label": "毎月寄付する",
            },
        )
    ]
    impact_page.save_revision().publish()

    html = client.get("/impact/").content.decode().replace("<wbr>", "")

    assert "<h3>ほっとする場所</h3>" in html and "ここが好き" in html
    assert re.search(
        r'<a href="/documents/\d+/report-2025\.pdf" download>2025年度 年次報告書</a>', html
    )
    assert '<a class="button" href="/?frequency=monthly">毎月寄付する</a>' in html
    headings = [int(level) for level in re.findall(r"<h([1-6])", html.split('id="main"')[1])]
    assert headings[0] == 1
    assert all(after - before <= 1 for before, after in zip(headings, headings[1:], strict=False))


def test_the_live_block_with_this_year_first_does_not_list_this_year_again(rf):
    from home.impact import live_impact_context

    person()
    value = {"period": "this_year", "year_choice": True, "figures": ["supporters"]}
    years = live_impact_context(value=value, request=rf.get("/"))["years"]
    assert timezone.localdate().year not in years


# --- One definition of goods progress ----------------------------------------------------------


def received(item, quantity: str, on: datetime.date, *, unit=None, campaign=None):
    pledge = Pledge.objects.create(supporter=CompanyFactory(), campaign_id=campaign)
    delivery = Delivery.objects.create(pledge=pledge, received_on=on, received_by="倉庫")
    DeliveryLine.objects.create(
        delivery=delivery,
        wishlist_item=item,
        category=item.category,
        description=item.name,
        quantity=Decimal(quantity),
        unit=unit or item.unit,
    )


def test_campaign_wishlist_and_impact_page_agree_on_goods_progress(client, home_page, impact_page):
    today = timezone.localdate()
    start = today - datetime.timedelta(days=20)
    rice = WishlistItemFactory(name="お米", quantity_needed=Decimal("2400"))
    rice.created_at = timezone.make_aware(datetime.datetime.combine(start, datetime.time(9)))
    rice.save()
    index = CampaignIndexPageFactory(parent=home_page, slug="campaigns")
    campaign = CampaignPageFactory(
        parent=index, start_date=start, end_date=today + datetime.timedelta(days=20)
    )
    CampaignGoodsGoal.objects.create(page=campaign, wishlist_item=rice, target_quantity=2400)
    received(rice, "300", today - datetime.timedelta(days=5), campaign=campaign.pk)
    received(rice, "50", today - datetime.timedelta(days=1))
    received(rice, "999", start - datetime.timedelta(days=1))  # before the campaign and the need
    received(rice, "7", today, unit="items")  # another unit: never added to kilograms
    pledge_page = PledgePage(title="物品のご寄付", slug="goods")
    home_page.add_child(instance=pledge_page)

    (campaign_rice,) = campaign_goods_progress(campaign=campaign)
    (wishlist_rice,) = wishlist_progress(items=[rice])
    assert campaign_rice == wishlist_rice
    assert (campaign_rice.received, campaign_rice.target) == (Decimal("350"), Decimal("2400"))
    assert campaign_rice.percent == Decimal("14.6")
    food = impact_figures(period=impact_period(choice="all", today=today, year=None))
    window = impact_figures(
        period=type(impact_period(choice="all", today=today))(
            key="window", start=start, end=today + datetime.timedelta(days=1)
        )
    )
    assert window.food_kg == Decimal("350") and food.food_kg == Decimal("1349")

    marker = 'data-goods-received="350" data-goods-target="2400"'
    for url in (campaign.url, "/goods/", "/impact/"):
        html = client.get(url).content.decode()
        assert marker in html, url
        assert "350 / 2,400" in html or "350 of 2,400" in html, url
