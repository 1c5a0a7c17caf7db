"""A family on a phone (390 px) finds a place on the 居場所マップ: filters by school district and
"open this week", sees the markers drawn by Leaflet (loaded from our own static files, under the
site's Content-Security-Policy, no tiles: tests make no outside requests), opens a place's page
and reads its upcoming dates. Any CSP violation or outside request fails the test."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.models import Area
from tests.members.places.conftest import place_make, schedule_make

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def phone(browser, live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    context = browser.new_context(
        locale="ja-JP", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    tab.problems = []
    context.expose_binding("reportCspViolation", lambda _s, text: tab.problems.append(text))
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "window.reportCspViolation(e.violatedDirective + ' ' + e.blockedURI));"
    )
    tab.on(
        "request",
        lambda r: (
            None
            if r.url.startswith((live_server.url, "data:"))
            else tab.problems.append(f"outside request {r.url}")
        ),
    )
    tab.on("pageerror", lambda error: tab.problems.append(f"script error {error}"))
    yield tab
    context.close()


def test_a_family_finds_a_place_open_this_week_on_a_phone(phone, live_server, home_page):
    from members.places.pages import PlaceIndexPage

    map_page = PlaceIndexPage(title="居場所マップ", slug="places", show_in_menus=True)
    home_page.add_child(instance=map_page)
    map_page.save_revision().publish()
    today = timezone.localdate()
    soon = (today + datetime.timedelta(days=1)).weekday()
    east = Area.objects.create(name="東小学校区", kind=Area.Kind.SCHOOL_DISTRICT, sort_order=1)
    west = Area.objects.create(name="西小学校区", kind=Area.Kind.SCHOOL_DISTRICT, sort_order=2)
    hidamari = place_make(slug="hidamari", name="子ども食堂 ひだまり", district=east)
    schedule_make(hidamari, weekday=soon, skip_holidays=False)
    monthly = place_make(
        slug="tsuki", name="学習支援 つき", district=east, latitude="35.80", longitude="139.57"
    )
    schedule_make(
        monthly,
        frequency="monthly_date",
        weekday=None,
        day_of_month=(today + datetime.timedelta(days=15)).day,
        skip_holidays=False,
    )
    other = place_make(
        slug="nishi", name="遊び場 にし", district=west, latitude="35.78", longitude="139.55"
    )
    schedule_make(other, weekday=soon, skip_holidays=False)

    response = phone.goto(live_server.url + "/places/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(phone.locator(".leaflet-marker-icon")).to_have_count(3)
    phone.select_option("#id_district", label="東小学校区")
    phone.check("#id_this_week")
    phone.click("form.place-filters button[type=submit]")
    expect(phone.locator(".place-card")).to_have_count(1)
    expect(phone.locator(".place-card h2")).to_contain_text("ひだまり")
    expect(phone.locator(".leaflet-marker-icon")).to_have_count(1)
    assert phone.locator("#place-map.place-map--no-tiles").is_visible()
    width = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width

    phone.click(".place-card h2 a")
    expect(phone.locator("h1")).to_contain_text("ひだまり")
    first = today + datetime.timedelta(days=1)
    expect(phone.locator(f'.place-dates time[datetime="{first:%Y-%m-%d}"]')).to_be_visible()
    expect(phone.locator(".leaflet-marker-icon")).to_have_count(1)
    assert phone.problems == []
