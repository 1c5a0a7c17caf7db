"""Links and limits that a client cannot steer: e-mailed links come from PUBLIC_BASE_URL (not the
Host header), rate limits count the real client behind TRUSTED_PROXY_COUNT proxies, and the
Stripe client talks to api.stripe.com unless a test (or a developer on loopback) says otherwise.
"""

import re
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from donations import stripe_api
from donations.stripe_api import stripe_client
from members.models import JoinPage, MemberPortalPage, Supporter
from ouendan.net import client_ip, is_loopback_url, public_url
from tests.members.test_join import person_data
from tests.stripe_recorder import RecordingHTTPClient

BASE = "https://ouendan.example.jp"
EVIL = {"HTTP_HOST": "evil.example"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def public_base(settings):
    settings.PUBLIC_BASE_URL = BASE
    return BASE


@pytest.fixture
def join_page(home_page):
    return home_page.add_child(
        instance=JoinPage(title="入会", slug="join", privacy_policy_version="2026-04")
    )


@pytest.fixture
def portal_page(home_page):
    return home_page.add_child(instance=MemberPortalPage(title="マイページ", slug="portal"))


def links(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


@pytest.fixture
def post_and_deliver(client, django_capture_on_commit_callbacks, mailoutbox):
    """POST, let the outbox deliver (on commit) and return the one mail actually sent: the
    outbox row itself keeps single-use links redacted."""

    def post(url, data, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data, **extra)
        assert response.status_code in (200, 302), response.status_code
        [message] = mailoutbox
        return message.body

    return post


# --- E-mailed links come from the configured base URL, whatever the Host header says ----------


@pytest.mark.django_db
def test_sign_up_confirmation_link_ignores_a_hostile_host_header(
    post_and_deliver, join_page, portal_page, public_base
):
    body = post_and_deliver("/join/", person_data(email="new@example.jp"), **EVIL)

    found = links(body)
    assert any("/join/confirm/" in url for url in found), body
    assert all(url.startswith(BASE + "/") for url in found), found
    assert "evil.example" not in body


@pytest.mark.django_db
def test_login_link_ignores_a_hostile_host_header(post_and_deliver, portal_page, public_base):
    Supporter.objects.create(
        family_name="山田", given_name="花子", email="hanako@example.jp",
        status=Supporter.Status.ACTIVE,
    )  # fmt: skip
    body = post_and_deliver("/portal/login/", {"email": "hanako@example.jp"}, **EVIL)

    found = links(body)
    assert any("/portal/login/" in url for url in found), body
    assert all(url.startswith(BASE + "/portal/login/") for url in found), found


@pytest.mark.django_db
def test_already_registered_mail_links_the_portal_at_the_configured_base(
    post_and_deliver, join_page, portal_page, public_base
):
    Supporter.objects.create(
        family_name="既存", given_name="会員", email="known@example.jp",
        status=Supporter.Status.ACTIVE,
    )  # fmt: skip
    body = post_and_deliver("/en/join/", person_data(email="known@example.jp"), **EVIL)

    assert re.search(re.escape(BASE) + r"/en/portal/login/[\w-]+/", body), body
    assert "evil.example" not in body


@pytest.mark.django_db
def test_campaign_share_image_ignores_a_hostile_host_header(client, home_page, public_base):
    # The page is cached for every visitor: a Host header must not end up in its og:image.
    from tests.campaigns.factories import CampaignIndexPageFactory, CampaignPageFactory

    image = Image.objects.create(title="hero", file=get_test_image_file(size=(1600, 900)))
    index = CampaignIndexPageFactory(parent=home_page)
    campaign = CampaignPageFactory(parent=index, hero_image=image)

    html = client.get(campaign.url, **EVIL).content.decode()
    assert f'<meta property="og:image" content="{BASE}/media/images/' in html
    assert "evil.example" not in html


def test_public_url_takes_only_site_paths(settings):
    settings.PUBLIC_BASE_URL = BASE + "/"
    assert public_url("/portal/") == BASE + "/portal/"
    for not_a_path in ("http://evil.example/portal/", "//evil.example/", "portal/", ""):
        with pytest.raises(ValueError, match="site path"):
            public_url(not_a_path)
    settings.PUBLIC_BASE_URL = BASE + "/sub/"
    with pytest.raises(ImproperlyConfigured, match="PUBLIC_BASE_URL must be scheme://host"):
        public_url("/portal/")


# --- Rate limits count the real client behind the trusted proxies ------------------------------

PROXY = "10.0.0.2"


def join_post(client, number: int, *, forwarded: str = "", remote: str = PROXY):
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post("/join/", person_data(email=f"p{number}@example.jp"), **extra)


def _join_limited_to_five_per_address(settings):
    """The per-address join limit lowered to 5 (the default, 300, lets an event hall's Wi-Fi
    through): each join below has its own e-mail, so only the address limit can refuse."""
    settings.OUENDAN_RATE_LIMITS = {
        **settings.OUENDAN_RATE_LIMITS,
        "members:join": {"email": "5/h", "ip": "5/h"},
    }


@pytest.mark.django_db
def test_behind_one_proxy_a_forged_forwarded_for_does_not_dodge_the_join_limit(
    client, join_page, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    _join_limited_to_five_per_address(settings)
    # The client puts a fresh fake address first each time; our proxy appends the real one.
    for number in range(5):
        response = join_post(client, number, forwarded=f"198.51.100.{number}, 203.0.113.5")
        assert response.status_code == 302
    response = join_post(client, 5, forwarded="198.51.100.99, 203.0.113.5")
    assert response.status_code == 429
    assert not Supporter.objects.filter(email="p5@example.jp").exists()

    # Another visitor behind the same proxy has a limit of their own.
    assert join_post(client, 6, forwarded="203.0.113.6").status_code == 302


@pytest.mark.django_db
def test_without_trusted_proxies_the_forwarded_for_header_is_ignored(client, join_page, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    _join_limited_to_five_per_address(settings)
    for number in range(5):
        assert join_post(client, number, forwarded=f"198.51.100.{number}").status_code == 302
    assert join_post(client, 5, forwarded="198.51.100.200").status_code == 429
    # The same forged header from another connection counts for that connection.
    assert join_post(client, 6, forwarded="198.51.100.0", remote="192.0.2.9").status_code == 302


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.5", "10.0.0.2"),
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "1.2.3.4, 203.0.113.5", "203.0.113.5"),
        (2, "1.2.3.4, 203.0.113.5, 10.0.0.9", "203.0.113.5"),
        (2, "203.0.113.5", "10.0.0.2"),  # did not pass through both proxies
        (1, "", "10.0.0.2"),
        (1, "1.2.3.4, not-an-address", "10.0.0.2"),
        (1, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_client_ip(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = SimpleNamespace(META={"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded})
    assert client_ip(request) == expected


def test_rate_limits_use_the_client_ip_helper(settings):
    assert settings.RATELIMIT_IP_META_KEY == "ouendan.net.client_ip"


# --- STRIPE_API_BASE only in tests, or in development on loopback -------------------------------


@pytest.fixture
def recorder(monkeypatch, settings):
    recorder = RecordingHTTPClient([(200, {"id": "cus_1", "object": "customer"})])
    monkeypatch.setattr(stripe_api, "http_client_override", recorder)
    settings.STRIPE_SECRET_KEY = "sk_test_not-a-real-key"
    return recorder


@pytest.mark.parametrize("environment", ["production", "base", "dev"])
def test_stripe_api_base_is_refused_outside_tests(recorder, settings, environment):
    settings.OUENDAN_ENVIRONMENT = environment
    settings.STRIPE_API_BASE = "https://stripe.evil.example"
    with pytest.raises(ImproperlyConfigured, match="STRIPE_API_BASE"):
        stripe_client().v1.customers.retrieve("cus_1")
    assert recorder.requests == []  # the secret key went nowhere


def test_stripe_api_base_on_loopback_is_allowed_in_development(recorder, settings):
    settings.OUENDAN_ENVIRONMENT = "dev"
    settings.STRIPE_API_BASE = "http://127.0.0.1:8420"
    stripe_client().v1.customers.retrieve("cus_1")
    assert [r["host"] for r in recorder.requests] == ["127.0.0.1:8420"]


def test_without_stripe_api_base_production_talks_to_stripe(recorder, settings):
    settings.OUENDAN_ENVIRONMENT = "production"
    settings.STRIPE_API_BASE = ""
    stripe_client().v1.customers.retrieve("cus_1")
    assert [r["host"] for r in recorder.requests] == ["api.stripe.com"]


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8420", True),
        ("http://127.8.0.1", True),
        ("http://[::1]:8420", True),
        ("http://localhost:8420", True),
        ("https://api.stripe.com", False),
        ("http://127.0.0.1.evil.example", False),
        ("ftp://127.0.0.1", False),
        ("127.0.0.1:8420", False),
    ],
)
def test_is_loopback_url(url, loopback):
    assert is_loopback_url(url) is loopback
