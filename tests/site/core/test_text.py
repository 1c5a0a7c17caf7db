"""The public site's text rules (ouendan.core.text) and the chrome every public page shares:
phrase breaks in Japanese headings, one date style per language, the header's donate button and
portal link, the shared error summary, tables that stack on phones."""

import datetime
import html
import re
import time

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from members.views.session import SESSION_LOGGED_IN_AT, SESSION_SUPPORTER
from ouendan.core import text


def test_phrase_breaks_put_wbr_between_japanese_phrases_only():
    broken = text.phrase_breaks("子どもの未来を、地域のみんなで支える")
    assert broken == "子どもの<wbr>未来を、<wbr>地域の<wbr>みんなで<wbr>支える"
    assert text.phrase_breaks("Our 9th food pantry") == "Our 9th food pantry"
    # Text is escaped, whatever the language.
    assert text.phrase_breaks("<b>子どもの未来</b>") == "&lt;b&gt;子どもの<wbr>未来&lt;/b&gt;"
    assert text.phrase_breaks("Tom & Jerry") == "Tom &amp; Jerry"


def test_phrase_breaks_parse_each_string_once_per_process():
    text._phrases.cache_clear()
    first = text.phrase_breaks("子どもの未来を、地域のみんなで支える")
    assert text.phrase_breaks("子どもの未来を、地域のみんなで支える") == first
    info = text._phrases.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    assert "<wbr>" in first


def test_phrase_breaks_in_a_page_touch_only_heading_and_label_text():
    page = (
        '<h1 class="x">子どもの未来を、地域のみんなで支える</h1>'
        "<p>子どもの未来を、地域のみんなで支える</p>"
        '<label for="a">お名前（フリガナ） <span class="req">必須</span></label>'
        '<a href="/子どもの未来/" title="地域のみんなで">x</a>'
        "<label>地域の選択<select><option>地域のみんなで</option></select></label>"
        "<h2>A &amp; B の活動報告</h2>"
    )
    result = text.phrase_breaks_html(page)
    assert '<h1 class="x">子どもの<wbr>未来を、<wbr>地域の<wbr>みんなで<wbr>支える</h1>' in result
    assert "<p>子どもの未来を、地域のみんなで支える</p>" in result  # paragraphs wrap as they like
    assert '<span class="req">必須</span></label>' in result and "お名前<wbr>" in result
    assert '<a href="/子どもの未来/" title="地域のみんなで">' in result  # attributes untouched
    assert "<option>地域のみんなで</option>" in result  # options hold plain text only
    assert "A &amp; B の<wbr>" in result or "A &amp; B の活動報告" in result
    assert html.unescape(re.sub("<wbr>", "", result)) == html.unescape(page)


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [
        ("ja", "2026年12月1日", "2026年12月1日 9:05"),
        ("en", "1 December 2026", "1 December 2026, 09:05"),
    ],
)
def test_public_dates_have_one_style_per_language(language, day, moment):
    utc = datetime.datetime(2026, 12, 1, 0, 5, tzinfo=datetime.UTC)  # 9:05 in Tokyo
    with translation.override(language), timezone.override("Asia/Tokyo"):
        assert text.public_date(datetime.date(2026, 12, 1)) == day
        assert text.public_date(utc) == day
        assert text.public_datetime(utc) == moment
        assert text.public_date(None) == "—"
        rendered = Template("{% load ouendan_text %}{{ d|public_date }}").render(
            Context({"d": datetime.date(2026, 12, 1)})
        )
        assert rendered == day


def test_last_minute_of_the_day_in_tokyo_is_that_day():
    late = datetime.datetime(2026, 11, 30, 15, 30, tzinfo=datetime.UTC)  # 0:30 on 1 December
    with translation.override("ja"):
        assert text.public_date(late) == "2026年12月1日"


@pytest.mark.django_db
def test_header_links_to_the_donate_page_and_the_portal_in_each_language(demo_site, client):
    response = client.get("/news/")
    body = response.content.decode()
    assert re.search(r'<a class="button site-header__donate" href="/donate/"', body)
    assert re.search(r'href="/portal/" data-header-portal>', body)
    with translation.override("ja"):
        assert translation.pgettext("site header", "Log in") in body
    assert 'aria-controls="site-menu-panel"' in body and 'id="site-menu-panel"' in body
    assert '<script src="/static/js/site.js" defer></script>' in body

    english = client.get("/en/news/").content.decode()
    assert 'href="/en/donate/"' in english and 'href="/en/portal/"' in english
    # The donate page marks its own button as the current page.
    donate = client.get("/donate/").content.decode()
    assert re.search(r'site-header__donate" href="/donate/" aria-current="page"', donate)


@pytest.mark.django_db
def test_header_says_my_page_once_logged_in_to_the_portal(demo_site, client):
    from members.models import Supporter  # noqa: PLC0415  (after the demo is there)

    supporter = Supporter.objects.filter(status=Supporter.Status.ACTIVE).first()
    session = client.session
    session[SESSION_SUPPORTER] = supporter.pk
    session[SESSION_LOGGED_IN_AT] = time.time()
    session.save()
    body = client.get("/").content.decode()
    with translation.override("ja"):
        assert translation.pgettext("site header", "My page") in body
        assert translation.pgettext("site header", "Log in") not in body


@pytest.mark.django_db
def test_japanese_headings_get_phrase_breaks_on_real_pages(demo_site, client):
    body = client.get("/").content.decode()
    assert re.search(r"<h1>子どもの<wbr>未来を、<wbr>地域の<wbr>", body)
    assert "みんなで<wbr>支える</h1>" in body


@pytest.mark.django_db
def test_goods_errors_are_all_in_the_one_error_summary(demo_site, client):
    response = client.post("/goods/", {"send": "1", "goods-TOTAL_FORMS": "1",
                                       "goods-INITIAL_FORMS": "0", "goods-0-quantity": "-1",
                                       "goods-0-description": "お米"})  # fmt: skip
    body = response.content.decode()
    assert body.count("data-error-summary") == 1
    summary = body.split("data-error-summary", 1)[1].split("</div>", 1)[0]
    assert 'href="#id_email"' in summary  # the pledge form's own fields
    assert 'href="#id_goods-0-unit"' in summary  # and the goods lines' (no unit chosen)
    assert "members/portal/_error_summary" not in body


@pytest.mark.django_db
def test_portal_and_wishlist_tables_are_marked_to_stack(demo_site, client):
    body = client.get("/goods/").content.decode()
    assert '<table class="wishlist__table" data-stack>' in body
    assert '<th scope="col">' in body  # site.js reads the labels from the column headers


@pytest.mark.django_db
def test_support_page_headings_never_skip_a_level(demo_site, client):
    body = client.get("/support/").content.decode()
    main = body.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    levels = [int(level) for level in re.findall(r"<h([1-6])\b", main)]
    assert levels and levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels
