import os

import pytest
from django.core.cache import cache
from django.core.management import call_command
from wagtail.models import Site

# In CI every service must be there: a missing Redis fails the run instead of skipping tests.
REQUIRE_SERVICES = os.environ.get("OUENDAN_REQUIRE_SERVICES") == "1"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts and ends with an empty cache: no cached progress, pages or rate-limit
    counts leak from one test into another."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def campaign(home_page):
    """An active campaign with a ¥100,000 goal under a campaign index."""
    from tests.campaigns_factories import CampaignIndexPageFactory, CampaignPageFactory

    index = CampaignIndexPageFactory(parent=home_page)
    return CampaignPageFactory(parent=index, goal_yen=100_000)


@pytest.fixture
def home_page(db):
    """The HomePage that the home app's data migration puts at the root of the default site."""
    return Site.objects.get(is_default_site=True).root_page.specific


@pytest.fixture
def demo_site(db):
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return Site.objects.get(is_default_site=True)


@pytest.fixture
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if REQUIRE_SERVICES:
            raise
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    return REDIS_URL
