"""The one place that talks to Stripe. Nothing is sent unless STRIPE_SECRET_KEY is set."""

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ouendan.net import is_loopback_url

# Tests plug a recording stripe.HTTPClient in here, so the exact requests can be asserted
# without any network.
http_client_override: stripe.HTTPClient | None = None


def stripe_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def stripe_api_base() -> str:
    """STRIPE_API_BASE (a Stripe-compatible server such as localstripe), where it is safe to
    use: in tests, and in development on this machine only. Anywhere else the secret key would
    go to a stray server, so it is refused rather than ignored (production settings refuse it
    at start-up too)."""
    base = settings.STRIPE_API_BASE
    if not base:
        return ""
    environment = settings.OUENDAN_ENVIRONMENT
    if environment == "test" or (environment == "dev" and is_loopback_url(base)):
        return base
    raise ImproperlyConfigured(
        "STRIPE_API_BASE is used only in tests, or in development on a loopback address "
        "(http://127.0.0.1:…); unset it to reach api.stripe.com."
    )


def stripe_client() -> stripe.StripeClient:
    if not stripe_configured():
        raise RuntimeError("Stripe is not configured (STRIPE_SECRET_KEY is empty)")
    api_base = stripe_api_base()
    base = {"api": api_base} if api_base else None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        http_client=http_client_override,
        max_network_retries=2,
        base_addresses=base,
    )
