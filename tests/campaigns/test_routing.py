"""Serving a campaign page without the page cache: the campaign is found in one query with what
its template shows (ouendan.core.routing), and routing still answers 404 where Wagtail did."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from home.models import StandardPage
from tests.campaigns.factories import CampaignIndexPageFactory, CampaignPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(home_page):
    return CampaignIndexPageFactory(parent=home_page)


@pytest.fixture
def pledge(home_page):
    page = StandardPage(title="物品の寄付", slug="pledge")
    home_page.add_child(instance=page)
    return page


def test_the_index_finds_its_campaign_in_one_query_with_what_the_template_shows(index, pledge):
    campaign = CampaignPageFactory(parent=index, slug="summer", pledge_page=pledge)
    index = Page.objects.get(pk=index.pk).specific
    request = RequestFactory().get(campaign.url)

    with CaptureQueriesContext(connection) as queries:
        page, _args, _kwargs = index.route(request, ["summer"])
        assert (page.pledge_page.pk, page.hero_image) == (pledge.pk, None)
        assert page.get_parent() is index
    assert type(page) is type(campaign) and page.pk == campaign.pk
    assert len(queries) == 1


def test_routing_answers_as_wagtail_did(client, index):
    live = CampaignPageFactory(parent=index, slug="live")
    CampaignPageFactory(parent=index, slug="draft", live=False)
    # A page of another type under the index (moved there, or made before subpage_types) is
    # still served: Wagtail's own route finds it.
    other = StandardPage(title="ほかのページ", slug="other")
    index.add_child(instance=other)

    assert client.get(live.url).status_code == 200
    assert live.title in client.get(live.url).content.decode()
    assert client.get(other.url).status_code == 200
    assert client.get(index.url + "draft/").status_code == 404
    assert client.get(index.url + "unknown/").status_code == 404
    assert client.get(live.url + "deeper/").status_code == 404
    assert client.get(index.url).status_code == 200
