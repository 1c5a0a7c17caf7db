"""Serving a campaign page without the page cache: the campaign is found in one query with what
its template shows (ouendan.core.routing), unrestricted pages cost no view-restriction query, and
routing still answers 404 where Wagtail did and honours every view restriction at once."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext, override_settings
from wagtail.models import Page, PageViewRestriction

from home.models import StandardPage
from tests.campaigns.factories import CampaignIndexPageFactory, CampaignPageFactory

pytestmark = pytest.mark.django_db

CAMPAIGN_QUERIES = 9


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


@override_settings(CAMPAIGNS_CACHE_SECONDS=0)
def test_view_restrictions_apply_at_once_and_cost_no_query_when_there_are_none(client, index):
    campaign = CampaignPageFactory(parent=index)

    def restriction_queries() -> tuple:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(campaign.url)
        return response, sum("pageviewrestriction" in q["sql"] for q in queries)

    client.get(campaign.url)  # fills the tree cache
    response, queries = restriction_queries()
    assert (response.status_code, queries) == (200, 0)

    # A restriction on an ancestor, added after the page was served (its absence cached).
    restriction = PageViewRestriction.objects.create(
        page=index, restriction_type=PageViewRestriction.LOGIN
    )
    response, _queries = restriction_queries()  # the tree cache was dropped: looked up again
    assert response.status_code == 302 and "/login/" in response["Location"]
    response, queries = restriction_queries()
    assert (response.status_code, queries) == (302, 1)  # the restriction, by its cached id

    restriction.restriction_type = PageViewRestriction.GROUPS
    restriction.save()
    restriction.groups.set([Group.objects.create(name="支援者限定")])
    assert client.get(campaign.url).status_code == 302

    restriction.delete()
    assert client.get(campaign.url).status_code == 200

    PageViewRestriction.objects.create(
        page=campaign, restriction_type=PageViewRestriction.PASSWORD, password="natsu"
    )
    response = client.get(campaign.url)
    assert response.status_code == 200 and 'name="password"' in response.content.decode()
    assert campaign.summary not in response.content.decode()


@override_settings(CAMPAIGNS_CACHE_SECONDS=0)
def test_a_restriction_read_before_its_commit_is_not_kept_past_the_commit(
    client, index, django_capture_on_commit_callbacks
):
    """The signals drop the tree cache inside the staff member's transaction: a visitor served
    before that commit still finds no restriction and keeps that answer under the new version.
    Once the restriction commits the cache is dropped again, so the visitor's answer goes."""
    from ouendan.core.tree_cache import tree_cached

    campaign = CampaignPageFactory(parent=index)
    assert client.get(campaign.url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=index, restriction_type=PageViewRestriction.LOGIN)
        # What a concurrent request (which cannot see the uncommitted row) would keep.
        tree_cached(f"restrictions:{campaign.pk}", lambda: [])
    response = client.get(campaign.url)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_campaign_moved_under_a_restricted_index_is_restricted(client, home_page, index):
    campaign = CampaignPageFactory(parent=index, slug="moving")
    private = CampaignIndexPageFactory(parent=home_page, slug="members-only")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    assert client.get(campaign.url).status_code == 200

    campaign.move(private, pos="last-child")
    campaign.refresh_from_db()

    assert client.get(campaign.url).status_code == 302


@override_settings(CAMPAIGNS_CACHE_SECONDS=0)
def test_a_campaign_page_served_again_costs_at_most_its_budget(client, index, pledge):
    campaign = CampaignPageFactory(parent=index, pledge_page=pledge)
    client.get(campaign.url)  # fills the tree cache (site, child hints, restrictions, menus)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(campaign.url).status_code == 200
    # Home page, locale, campaign index, campaign (with its pledge page), progress, goods goals,
    # the wall, the default donate page, the organisation's settings: 16 before routing, the site
    # and the view restrictions were made cheaper.
    assert len(queries) <= CAMPAIGN_QUERIES, "\n".join(q["sql"][:150] for q in queries)
