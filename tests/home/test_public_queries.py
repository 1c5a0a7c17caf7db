"""Anonymous visitors' query budget on the demo site (issue 18): home ≤ 15, a campaign ≤ 20, the
same at 10 gifts as at many, measured as a visitor right after a gift finds the site (the page
cache and the campaign caches dropped: CAMPAIGNS_CACHE_SECONDS=0)."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from wagtail.models import Locale

from campaigns.models import CampaignPage
from donations.models import Donation
from members.models import Supporter

HOME_BUDGET = 15
CAMPAIGN_BUDGET = 20


def _queries(url: str) -> int:
    client = Client()
    assert client.get(url).status_code == 200  # Wagtail's own caches, the menus, the figures
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _gifts(campaign, count: int) -> None:
    supporters = list(Supporter.objects.order_by("pk")[:20])
    now = timezone.now()
    Donation.objects.bulk_create(
        Donation(
            supporter=supporters[n % len(supporters)],
            kind=Donation.Kind.ONE_OFF,
            method=Donation.Method.CARD,
            amount_yen=1000,
            paid_at=now - datetime.timedelta(minutes=n),
            campaign=campaign,
            show_name=n % 2 == 0,
        )
        for n in range(count)
    )


@pytest.fixture
def campaign(demo_site):
    today = timezone.localdate()
    return (
        CampaignPage.objects.live()
        .filter(locale__language_code="ja", start_date__lte=today, end_date__gte=today)
        .order_by("end_date", "pk")
        .first()
    )


@override_settings(CAMPAIGNS_CACHE_SECONDS=0)
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_home_and_campaign_stay_within_their_query_budget_at_any_ledger_size(campaign, prefix):
    campaign_url = campaign.url
    if prefix:
        campaign_url = campaign.get_translation(Locale.objects.get(language_code="en")).url
    small = (_queries(prefix + "/"), _queries(campaign_url))
    _gifts(campaign, 300)
    cache.clear()
    large = (_queries(prefix + "/"), _queries(campaign_url))

    assert large == small
    assert small[0] <= HOME_BUDGET
    assert small[1] <= CAMPAIGN_BUDGET
