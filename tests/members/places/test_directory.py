"""The public 居場所マップ: filters (GET, no JavaScript), markers as JSON, the map without tiles,
a place's page with its upcoming dates, and a query count that does not grow with places."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members.models import Area
from members.places.models import Place

from .conftest import place_make, schedule_make

pytestmark = pytest.mark.django_db


def _names(html: str) -> list[str]:
    # Headings carry <wbr> between phrases (BudouX).
    found = re.findall(r'<h2><a href="/places/[^"]+/">(.*?)</a></h2>', html)
    return [re.sub(r"<[^>]+>", "", name) for name in found]


def _markers(html: str) -> list[dict]:
    found = re.search(r'<script id="place-markers" type="application/json">(.*?)</script>', html)
    return json.loads(found.group(1))


@pytest.fixture
def places(map_page):
    today = timezone.localdate()
    north = Area.objects.create(name="北小学校区", kind=Area.Kind.SCHOOL_DISTRICT, sort_order=2)
    soon = place_make(slug="soon", name="子ども食堂 すぐ")
    schedule_make(soon, weekday=(today + datetime.timedelta(days=2)).weekday(), skip_holidays=False)
    later = place_make(slug="later", name="学習支援 あと", kind=Place.Kind.STUDY, district=north)
    schedule_make(
        later,
        frequency="monthly_date",
        weekday=None,
        day_of_month=(today + datetime.timedelta(days=20)).day,
        skip_holidays=False,
    )
    place_make(
        slug="nopin", name="遊び場 ぴんなし", kind=Place.Kind.PLAY, latitude=None, longitude=None
    )
    place_make(slug="closed", name="閉じた場所", is_active=False)
    return {"soon": soon, "later": later, "north": north}


def test_the_list_is_the_primary_view_and_filters_work_without_javascript(client, places):
    html = client.get("/places/").content.decode()
    assert _names(html) == ["子ども食堂 すぐ", "遊び場 ぴんなし", "学習支援 あと"]
    html = client.get("/places/", {"district": places["north"].pk}).content.decode()
    assert _names(html) == ["学習支援 あと"]
    assert _names(client.get("/places/", {"kind": "play"}).content.decode()) == ["遊び場 ぴんなし"]
    html = client.get("/places/", {"this_week": "on"}).content.decode()
    assert _names(html) == ["子ども食堂 すぐ"]
    weekday = (timezone.localdate() + datetime.timedelta(days=2)).weekday()
    assert "子ども食堂 すぐ" in _names(client.get("/places/", {"day": weekday}).content.decode())
    # Nonsense in the query is ignored rather than an error.
    assert client.get("/places/", {"day": "x", "district": "abc"}).status_code == 200


def test_markers_are_json_for_places_with_a_pin_and_the_map_needs_no_tiles(client, places):
    response = client.get("/places/")
    html = response.content.decode()
    markers = _markers(html)
    assert {m["url"] for m in markers} == {"/places/soon/", "/places/later/"}
    assert markers[0]["lat"] == pytest.approx(35.7936)
    # Tiles are off in tests: no tile server, none in the policy; Leaflet is our own file.
    assert 'data-tiles-url=""' in html
    assert "/static/places/vendor/leaflet/leaflet.js" in html
    policy = response["Content-Security-Policy"]
    assert "openstreetmap" not in policy
    assert "<script>" not in html  # no inline script


def test_the_tile_server_is_a_setting_with_its_attribution(client, places, settings):
    settings.OUENDAN_MAP_TILES_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.OUENDAN_MAP_TILES_ATTRIBUTION = "© Example"
    html = client.get("/places/").content.decode()
    assert 'data-tiles-url="https://tiles.example.org/{z}/{x}/{y}.png"' in html
    assert 'data-tiles-attribution="© Example"' in html


def test_csp_gets_the_tile_host_only_when_tiles_are_set():
    from ouendan.settings.base import CONTENT_SECURITY_POLICY_WITHOUT_TILES, map_tiles_csp

    policy = map_tiles_csp(CONTENT_SECURITY_POLICY_WITHOUT_TILES, "")
    assert policy["DIRECTIVES"]["img-src"] == ["'self'", "data:"]
    policy = map_tiles_csp(
        CONTENT_SECURITY_POLICY_WITHOUT_TILES, "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    )
    assert policy["DIRECTIVES"]["img-src"] == ["'self'", "data:", "https://*.tile.example.org"]


def test_a_place_page_shows_upcoming_dates_and_contact_only_when_ticked(client, places):
    place = places["soon"]
    place.phone, place.email, place.show_phone = "048-400-1234", "hidamari@example.jp", True
    place.save()
    html = client.get("/places/soon/").content.decode()
    first = timezone.localdate() + datetime.timedelta(days=2)
    assert f'<time datetime="{first:%Y-%m-%d}">' in html
    assert "048-400-1234" in html
    assert "hidamari@example.jp" not in html
    assert len(_markers(html)) == 1
    assert client.get("/places/closed/").status_code == 404
    assert client.get("/places/nowhere/").status_code == 404


def test_english_page_shows_the_english_name(client, places):
    place = places["soon"]
    place.name_en = "Sunny kitchen"
    place.save()
    from wagtail.models import Locale

    Locale.objects.get_or_create(language_code="en")
    html = client.get("/places/soon/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "子ども食堂 すぐ" in html


def test_the_directory_query_count_does_not_grow_with_places(client, places):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/places/").status_code == 200
        return len(queries)

    count()  # the first request fills caches (site, settings, menu)
    before = count()
    for n in range(10):
        extra = place_make(slug=f"extra-{n}", name=f"追加 {n}")
        schedule_make(extra, weekday=n % 7)
    assert count() == before
