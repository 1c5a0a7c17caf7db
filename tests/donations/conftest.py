import pytest
from django.test import override_settings

from donations import stripe_api
from tests.stripe_recorder import RecordingHTTPClient, checkout_session

CHECKOUT = "https://checkout.stripe.com/c/pay/"


@pytest.fixture
def stripe_recorder(monkeypatch):
    """Stripe set up, its HTTP client recording: the next five requests each open a Checkout
    Session (cs_test_0, cs_test_1, ...)."""
    recorder = RecordingHTTPClient(
        [(200, checkout_session(f"cs_test_{n}", f"{CHECKOUT}cs_test_{n}")) for n in range(5)]
    )
    monkeypatch.setattr(stripe_api, "http_client_override", recorder)
    with override_settings(STRIPE_SECRET_KEY="sk_test_ouendan_recorder"):
        yield recorder
