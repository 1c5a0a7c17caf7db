"""Head meta and share links (site/core/templatetags/ouendan_meta.py, includes/meta.html)."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from wagtail.models import Locale

from tests.campaigns.factories import CampaignIndexPageFactory, CampaignPageFactory
from tests.home.factories import NewsIndexPageFactory, NewsPageFactory, StandardPageFactory

BASE = "https://ouendan.example.jp"


@pytest.fixture
def base(settings):
    settings.PUBLIC_BASE_URL = BASE
    return BASE


def links(html: str, rel: str) -> list[tuple[str, str]]:
    return re.findall(rf'<link rel="{rel}"(?: hreflang="([^"]+)")? href="([^"]+)">', html)


@pytest.mark.django_db
def test_a_translated_page_names_both_languages_and_japanese_as_the_default(
    client, home_page, base
):
    english = Locale.objects.create(language_code="en")
    page = StandardPageFactory(parent=home_page, slug="about")
    page_en = page.copy_for_translation(english, copy_parents=True)
    page_en.save_revision().publish()

    for url in ("/about/", "/en/about/"):
        html = client.get(url).content.decode()
        assert links(html, "alternate") == [
            ("en", f"{BASE}/en/about/"),
            ("ja", f"{BASE}/about/"),
            ("x-default", f"{BASE}/about/"),
        ]
        assert links(html, "canonical") == [("", BASE + url)]
    html = client.get("/en/about/").content.decode()
    assert '<meta property="og:locale" content="en_GB">' in html


@pytest.mark.django_db
def test_a_page_without_a_translation_has_no_alternates_and_a_canonical_without_query(
    client, home_page, base
):
    index = NewsIndexPageFactory(parent=home_page, slug="news")
    html = client.get("/news/?page=2&utm_source=line").content.decode()
    assert links(html, "alternate") == []
    assert links(html, "canonical") == [("", f"{BASE}/news/")]
    assert '<meta property="og:locale" content="ja_JP">' in html
    assert index.title in html


@pytest.mark.django_db
def test_without_a_configured_base_the_request_origin_is_used(client, home_page, settings):
    settings.PUBLIC_BASE_URL = ""
    StandardPageFactory(parent=home_page, slug="about")
    html = client.get("/about/").content.decode()
    assert links(html, "canonical") == [("", "http://testserver/about/")]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["campaign", "news"])
def test_campaign_and_news_pages_have_plain_share_links_to_line_x_and_facebook(
    client, home_page, base, kind
):
    if kind == "campaign":
        index = CampaignIndexPageFactory(parent=home_page, slug="campaigns")
        page = CampaignPageFactory(parent=index, title="夏休みの食支援", slug="summer")
    else:
        index = NewsIndexPageFactory(parent=home_page, slug="news")
        page = NewsPageFactory(parent=index, title="夏休みの食支援", slug="summer")
    page_url = f"{BASE}/{index.slug}/summer/"

    html = client.get(page.url).content.decode()

    shares = re.findall(r'<a class="share__link[^"]*" href="([^"]+)"[^>]*data-share="(\w+)"', html)
    assert [key for _href, key in shares] == ["line", "x", "facebook"]
    by_key = {key: urlsplit(href.replace("&amp;", "&")) for href, key in shares}
    assert by_key["line"].netloc == "social-plugins.line.me"
    assert parse_qs(by_key["line"].query) == {"url": [page_url]}
    assert by_key["x"].netloc == "x.com"
    assert parse_qs(by_key["x"].query) == {"url": [page_url], "text": ["夏休みの食支援"]}
    assert parse_qs(by_key["facebook"].query) == {"u": [page_url]}
    # Icons are our own files; no script of any network is loaded.
    assert re.search(r'<img src="/static/img/share/line[^"]*\.svg"', html)
    assert "connect.facebook" not in html and "platform.twitter" not in html


@pytest.mark.django_db
def test_a_standard_page_has_no_share_links(client, home_page, base):
    StandardPageFactory(parent=home_page, slug="about")
    assert "data-share" not in client.get("/about/").content.decode()
