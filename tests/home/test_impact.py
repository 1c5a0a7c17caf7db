"""Live impact figures: computed from members, the ledger and goods received; households typed
once by staff; period and year selection; cached for a minute; rendered by the page block."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Locale, Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, streamfield

from home.demo import impact_demo_update
from home.impact import impact_figures, impact_period
from home.models import HomePage, StaffImpactFigure, StandardPage
from members.models import Area, Supporter
from members.places.models import Place
from tests.donations.funding.factories import at, company, goods, monthly, person

D = datetime.date


def created(supporter, moment):
    Supporter.objects.filter(pk=supporter.pk).update(created_at=moment)
    return supporter


@pytest.fixture
def impact_data(db):
    """Two years of activity, with hand-counted figures."""
    created(person(), at(2025, 3, 1))
    created(person(is_volunteer=True), at(2025, 6, 1))
    created(person(is_volunteer=True), at(2026, 2, 1))
    created(person(status=Supporter.Status.PENDING), at(2025, 1, 1))  # never confirmed
    created(person(status=Supporter.Status.ANONYMISED, is_volunteer=True), at(2025, 1, 1))
    shop = created(company(), at(2025, 5, 1))
    # Monthly supporters: paid within 35 days of the period end, net of refunds.
    monthly(created(person(), at(2025, 1, 1)), 1000, at(2025, 12, 10))
    monthly(created(person(), at(2025, 1, 1)), 1000, at(2025, 11, 1))  # too early for 2025
    monthly(created(person(), at(2025, 1, 1)), 1000, at(2025, 12, 20), refunded=1000)
    # Children's places are counted from the places (members/places), not from a typed number.
    central = Area.objects.create(name="中央小学校区", kind=Area.Kind.SCHOOL_DISTRICT)
    north = Area.objects.create(name="北小学校区", kind=Area.Kind.SCHOOL_DISTRICT)
    for n, district in enumerate([central, central, north]):
        Place.objects.create(
            name=f"子どもひろば{n}",
            slug=f"hiroba-{n}",
            kind="play",
            district=district,
            is_regular=n == 0,
        )
    Place.objects.create(name="閉じた", slug="closed", kind="play", district=north, is_active=False)
    Place.objects.create(name="倉庫", slug="warehouse", kind="warehouse", district=north)
    Place.objects.update(created_at=at(2025, 2, 1))
    Place.objects.create(name="新しい", slug="new", kind="play", district=north)  # in 2026
    goods(D(2025, 4, 1), category="food", unit="kg", quantity="100.5", supporter=shop)
    goods(D(2025, 12, 31), category="food", unit="kg", quantity="20", supporter=shop)
    goods(D(2026, 1, 1), category="food", unit="kg", quantity="7", supporter=shop)
    goods(D(2025, 8, 1), category="food", unit="boxes", quantity="9", supporter=shop)
    goods(D(2025, 8, 1), category="stationery", unit="items", quantity="40", supporter=shop)
    goods(D(2025, 9, 1), category="toys", unit="items", quantity="15", supporter=shop)
    StaffImpactFigure.objects.create(year=2025, households_supported=150, note="登録児童 260人")
    StaffImpactFigure.objects.create(year=2026, households_supported=157)


def test_figures_for_a_year_are_counted_at_its_end(impact_data):
    figures = impact_figures(period=impact_period(choice="all", today=D(2026, 5, 1), year=2025))
    assert figures.supporters == 6  # 3 people + company + 2 monthly donors joined in 2025
    assert figures.volunteers == 1
    assert figures.monthly_supporters == 1
    assert figures.childrens_places == 3  # not the closed one, the warehouse or 2026's
    assert (figures.regular_places, figures.districts_covered) == (1, 2)
    assert figures.food_kg == Decimal("120.5")  # kg only: boxes are not kg
    assert figures.items == Decimal("55")
    assert (figures.households, figures.households_year) == (150, 2025)
    assert figures.households_note == "登録児童 260人"


def test_figures_since_the_beginning(impact_data):
    figures = impact_figures(period=impact_period(choice="all", today=timezone.localdate()))
    assert figures.supporters == 7
    assert figures.volunteers == 2
    assert figures.food_kg == Decimal("127.5")
    assert figures.households == 157  # the newest year entered


def test_this_year_counts_goods_of_this_year_only(impact_data):
    figures = impact_figures(period=impact_period(choice="this_year", today=D(2026, 5, 1)))
    assert figures.food_kg == Decimal("7") and figures.items == 0
    assert figures.households == 157


def test_figures_are_cached_for_a_minute(impact_data):
    period = impact_period(choice="all", today=timezone.localdate())
    first = impact_figures(period=period)
    person()
    with CaptureQueriesContext(connection) as queries:
        assert impact_figures(period=period) == first
    assert len(queries) == 0
    cache.clear()  # what expiry after CACHE_SECONDS does
    assert impact_figures(period=period).supporters == first.supporters + 1


def live_block(**value):
    return (
        "live_impact",
        {"heading": "応援団のいま", "period": "all", "year_choice": True, **value},
    )


@pytest.mark.django_db
def test_block_renders_computed_figures_and_follows_the_chosen_year(client, impact_data):
    home = HomePage.objects.get(depth=2)
    home.body = [live_block()]
    home.save_revision().publish()

    html = client.get("/").content.decode()
    assert html.count('class="impact__item') == 7
    assert "127.5<small>kg</small>" in html
    assert '<option value="2025">2025</option>' in html

    html = client.get("/", {"impact_year": "2025"}).content.decode()
    assert "120.5<small>kg</small>" in html
    assert '<option value="2025" selected>' in html
    assert "登録児童 260人" in html

    for bad in ("1999", "abc", "2025'--"):
        response = client.get("/", {"impact_year": bad})
        assert response.status_code == 200
        assert "127.5<small>kg</small>" in response.content.decode()


@pytest.mark.django_db
def test_block_shows_only_chosen_figures_and_no_made_up_households(client, home_page):
    home_page.body = [live_block(figures=["volunteers", "households"], year_choice=False)]
    home_page.save_revision().publish()
    person(is_volunteer=True)

    html = client.get("/").content.decode()

    assert html.count('class="impact__item') == 1  # no households entered: not shown as 0
    assert "impact__item--volunteers" in html
    assert 'name="impact_year"' not in html


class LiveImpactBlockAdminTests(WagtailPageTestCase):
    def setUp(self):
        self.home = HomePage.objects.get(depth=2)
        self.login()

    def test_staff_add_the_block_to_a_standard_page(self):
        page = StandardPage(title="活動の成果", slug="impact")
        self.home.add_child(instance=page)
        data = nested_form_data(
            {
                "title": page.title,
                "slug": page.slug,
                "intro": "",
                "body": streamfield(
                    [
                        (
                            "live_impact",
                            {
                                "heading": "数字で見る応援団",
                                "figures": ["supporters", "childrens_places"],
                                "period": "last_12_months",
                                "year_choice": "on",
                            },
                        )
                    ]
                ),
            }
        )
        self.assertPageIsEditable(page, data)
        district = Area.objects.create(name="中央小学校区", kind=Area.Kind.SCHOOL_DISTRICT)
        Place.objects.create(name="ひろばA", slug="hiroba-a", kind="play", district=district)
        page.body = [live_block(figures=["childrens_places"], period="last_12_months")]
        page.save_revision().publish()
        self.assertPageIsRenderable(page)
        html = self.client.get(page.url).content.decode()
        self.assertIn('impact__value">1<small>', html)


@pytest.mark.django_db
def test_demo_update_puts_live_figures_on_the_demo_site(demo_site, client):
    # The demo ran it once already; twice more changes nothing.
    impact_demo_update()
    impact_demo_update()

    home = HomePage.objects.get(locale__language_code="ja")
    assert [b.block_type for b in home.body].count("live_impact") == 1
    assert "impact_figures" not in [b.block_type for b in home.body]
    english = home.get_translation(Locale.objects.get(language_code="en"))
    assert "live_impact" in [b.block_type for b in english.specific.body]
    assert Page.objects.filter(slug="impact").count() == 2  # Japanese and English
    assert StaffImpactFigure.objects.get(year=timezone.localdate().year).households_supported == 157

    html = client.get("/").content.decode()
    assert html.count('class="impact__item') == 7
    assert "29<small>" in html  # the demo's children's places, counted from Place rows
    assert "8" in html.split("impact__item--childrens_places", 1)[1].split("</li>", 1)[0]
    assert client.get("/impact/").status_code == 200
    assert client.get("/en/impact/").status_code == 200


def test_the_live_impact_block_offers_exactly_the_figures_home_counts():
    """campaigns/blocks.py cannot import home, so its choices are a copy: they must agree."""
    from campaigns.blocks import LiveImpactBlock
    from home.impact import FIGURES

    block = LiveImpactBlock()
    offered = [key for key, _label in block.child_blocks["figures"].field.choices]
    assert offered == FIGURES
    assert list(block.child_blocks["figures"].get_default()) == FIGURES


def test_the_last_12_months_from_29_february_start_on_1_march():
    from home.impact import impact_period

    period = impact_period(choice="last_12_months", today=datetime.date(2028, 2, 29))
    assert (period.start, period.end) == (datetime.date(2027, 3, 1), datetime.date(2028, 3, 1))
    period = impact_period(choice="last_12_months", today=datetime.date(2026, 12, 1))
    assert period.start == datetime.date(2025, 12, 2)
