"""Page routing from the tree cache (ouendan.core.routing): a page's child found from a kept hint
and the site of a page request from a kept Site row follow every change, and a stale hint can only
fall back to Wagtail's own routing, never serve another page."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from wagtail.models import Page, Site

from home.models import HomePage
from tests.home.factories import StandardPageFactory

pytestmark = pytest.mark.django_db


def test_home_routes_to_its_children_in_one_query_and_follows_renames(client, home_page):
    about = StandardPageFactory(parent=home_page, slug="about", title="私たちについて")
    assert client.get("/about/").status_code == 200  # keeps the hint

    home = Page.objects.get(pk=home_page.pk).specific
    with CaptureQueriesContext(connection) as queries:
        page, _args, _kwargs = home.route(None, ["about"])
        assert page.get_parent() is home
    assert type(page) is type(about) and page.pk == about.pk
    assert len(queries) == 1

    about.slug = "who-we-are"
    about.save_revision().publish()
    assert client.get("/about/").status_code == 404
    assert client.get("/who-we-are/").status_code == 200
    assert client.get("/nothing-here/").status_code == 404


def test_a_stale_hint_falls_back_to_wagtails_route(client, home_page):
    about = StandardPageFactory(parent=home_page, slug="about")
    news = StandardPageFactory(parent=home_page, slug="news")
    assert client.get("/about/").status_code == 200
    # Changes that bypass every signal (the tree cache is not dropped): the hint for /about/
    # names a page that no longer has that slug.
    Page.objects.filter(pk=about.pk).update(slug="old-about")
    Page.objects.filter(pk=news.pk).update(slug="about")

    response = client.get("/about/")
    assert response.status_code == 200
    assert response.context["page"].pk == news.pk


@override_settings(ALLOWED_HOSTS=["*"])
def test_the_site_of_a_page_request_follows_site_changes(home_page):
    other_root = HomePage(title="別のサイト", slug="other-home", hero_heading="ようこそ")
    Page.objects.get(depth=1).add_child(instance=other_root)
    other = Site.objects.create(hostname="other.example", port=80, root_page=other_root)
    StandardPageFactory(parent=other_root, slug="only-there")
    client = Client(HTTP_HOST="other.example")

    assert client.get("/only-there/").status_code == 200
    assert Client().get("/only-there/").status_code == 404  # the default site

    other.hostname = "renamed.example"
    other.save()
    assert client.get("/only-there/").status_code == 404  # now the default site's
    assert Client(HTTP_HOST="renamed.example").get("/only-there/").status_code == 200

    other.delete()
    assert Client(HTTP_HOST="renamed.example").get("/only-there/").status_code == 404


def test_a_page_request_reads_no_site_row_once_kept(client, home_page):
    StandardPageFactory(parent=home_page, slug="about")
    client.get("/about/")

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/about/").status_code == 200
    assert not [q for q in queries if "wagtailcore_site" in q["sql"]]
