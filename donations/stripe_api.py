"""The one place that talks to Stripe. Nothing is sent unless STRIPE_SECRET_KEY is set."""

import stripe
from django.conf import settings

# Tests plug a recording stripe.HTTPClient in here, so the exact requests can be asserted
# without any network.
http_client_override: stripe.HTTPClient | None = None


def stripe_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def stripe_client() -> stripe.StripeClient:
    if not stripe_configured():
        raise RuntimeError("Stripe is not configured (STRIPE_SECRET_KEY is empty)")
    # STRIPE_API_BASE points the client at a Stripe-compatible server (localstripe in tests).
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        http_client=http_client_override,
        max_network_retries=2,
        base_addresses=base,
    )
