"""Stripe events for tests, built from Stripe's own object shapes (tests/fixtures/stripe/).

Each builder deep-copies a vendored fixture and overrides only what a test needs; `event` wraps an
object in the envelope the pinned library's API version sends; `sign` makes the Stripe-Signature
header exactly as Stripe does, and `WebhookPoster` posts the body to /stripe/webhook/, where the
real `stripe` library verifies it.
"""

import copy
import functools
import hashlib
import hmac
import itertools
import json
import time
from pathlib import Path

from django.test import override_settings
from stripe._api_version import _ApiVersion

from donations.models import StripeEvent

API_VERSION = _ApiVersion.CURRENT  # what stripe-python sends and the webhook endpoint is set to
SECRET = "whsec_test_ouendan"
URL = "/stripe/webhook/"
FIXTURES = Path(__file__).parent / "fixtures" / "stripe"
T0 = 1_790_000_000  # a fixed moment (2026-09-21); tests space events by seconds from it

_event_ids = itertools.count(1)


@functools.cache
def _load(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def fixture(name: str) -> dict:
    """A fresh deep copy of a vendored Stripe object ("invoice", "checkout_session", …)."""
    return copy.deepcopy(_load(name))


def _with(obj: dict, overrides: dict) -> dict:
    obj.update(overrides)
    return obj


# --- Objects -----------------------------------------------------------------------------------


def checkout_session(**overrides) -> dict:
    """A paid one-off card session for ¥5,000."""
    obj = fixture("checkout_session")
    obj.update(
        id="cs_test_1",
        mode="payment",
        status="complete",
        payment_status="paid",
        amount_subtotal=5000,
        amount_total=5000,
        currency="jpy",
        payment_intent="pi_1",
        subscription=None,
        invoice=None,
        customer=None,
        client_reference_id=None,
        customer_email=None,
        metadata={},
    )
    obj["customer_details"] = {
        **(obj.get("customer_details") or {}),
        "email": "Hana@Example.jp",
        "name": "山田 花子",
    }
    return _with(obj, overrides)


def subscription_item(*, amount: int = 1000, quantity: int = 1, period_end: int | None = None):
    item = fixture("subscription_item")
    item["price"].update(unit_amount=amount, unit_amount_decimal=str(amount), currency="jpy")
    item["plan"].update(amount=amount, amount_decimal=str(amount), currency="jpy")
    item.update(
        quantity=quantity,
        subscription="sub_1",
        current_period_start=T0,
        current_period_end=period_end or T0 + 30 * 86400,
    )
    return item


def subscription(
    *,
    status: str = "active",
    amount: int = 1000,
    metadata: dict | None = None,
    **overrides,
) -> dict:
    """A monthly ¥1,000 subscription (the period is on its item, as in current API versions)."""
    obj = fixture("subscription")
    obj.update(
        id="sub_1",
        customer="cus_1",
        status=status,
        currency="jpy",
        start_date=T0,
        created=T0,
        billing_cycle_anchor=T0,
        cancel_at=None,
        cancel_at_period_end=False,
        canceled_at=T0 + 60 if status == "canceled" else None,
        ended_at=T0 + 60 if status == "canceled" else None,
        trial_start=None,
        trial_end=None,
        pending_update=None,
        latest_invoice=None,
        metadata=metadata or {},
    )
    obj["items"] = {**obj["items"], "data": [subscription_item(amount=amount)]}
    return _with(obj, overrides)


def invoice(
    invoice_id: str = "in_1",
    *,
    subscription_id: str = "sub_1",
    amount: int = 1000,
    paid: bool = True,
    paid_at: int = T0 + 5,
    attempt_count: int = 1,
    payments: list[dict] | None = None,
    **overrides,
) -> dict:
    """A subscription invoice in the current shape: the subscription under `parent`, no
    `payment_intent`, `subscription` or `charge` at the top level."""
    obj = fixture("invoice")
    obj.pop("subscription", None)  # fixtures3.json still lists it; the 2026 API has no such field
    for line in obj["lines"]["data"]:
        line.update(amount=amount, currency="jpy", invoice=invoice_id, subtotal=amount)
    obj.update(
        id=invoice_id,
        customer="cus_1",
        currency="jpy",
        billing_reason="subscription_cycle",
        amount_due=amount,
        amount_paid=amount if paid else 0,
        amount_remaining=0 if paid else amount,
        amount_overpaid=0,
        subtotal=amount,
        subtotal_excluding_tax=amount,
        total=amount,
        total_excluding_tax=amount,
        attempt_count=attempt_count,
        attempted=True,
        status="paid" if paid else "open",
        status_transitions={
            "finalized_at": paid_at - 1,
            "marked_uncollectible_at": None,
            "paid_at": paid_at if paid else None,
            "voided_at": None,
        },
        parent={
            "type": "subscription_details",
            "quote_details": None,
            "subscription_details": {"metadata": {}, "subscription": subscription_id},
        },
    )
    if payments is not None:  # Stripe includes them only when asked (`expand[]=payments`)
        obj["payments"] = {"object": "list", "data": payments, "has_more": False}
    return _with(obj, overrides)


def invoice_payment(
    *,
    invoice_id: str = "in_1",
    payment_intent: str = "pi_in_1",
    amount: int = 1000,
    paid_at: int = T0 + 5,
    **overrides,
) -> dict:
    obj = fixture("invoice_payment")
    obj.update(
        id=f"inpay_{invoice_id}",
        invoice=invoice_id,
        livemode=False,
        currency="jpy",
        amount_paid=amount,
        amount_requested=amount,
        created=paid_at,
        status="paid",
        payment={"type": "payment_intent", "payment_intent": payment_intent},
        status_transitions={"canceled_at": None, "paid_at": paid_at},
    )
    return _with(obj, overrides)


def charge(
    *,
    charge_id: str = "ch_1",
    payment_intent: str | None = "pi_1",
    amount: int = 5000,
    amount_refunded: int = 0,
    **overrides,
) -> dict:
    """A card charge in the current shape: it knows its payment intent, not its invoice."""
    obj = fixture("charge")
    obj.update(
        id=charge_id,
        payment_intent=payment_intent,
        currency="jpy",
        amount=amount,
        amount_captured=amount,
        captured=True,
        amount_refunded=amount_refunded,
        refunded=amount_refunded >= amount,
        source=None,
        transfer_data=None,
    )
    obj["refunds"] = {**obj["refunds"], "url": f"/v1/charges/{charge_id}/refunds"}
    return _with(obj, overrides)


def dispute(
    *, charge_id: str = "ch_1", payment_intent: str | None = "pi_1", reason="fraudulent", **kw
):
    obj = fixture("dispute")
    obj.update(
        id="dp_1",
        charge=charge_id,
        payment_intent=payment_intent,
        currency="jpy",
        reason=reason,
        status="needs_response",
    )
    return _with(obj, kw)


def customer(**overrides) -> dict:
    obj = fixture("customer")
    obj.update(id="cus_1", email="hana@example.jp", name="山田 花子", metadata={})
    return _with(obj, overrides)


# --- Envelope, signature, delivery -------------------------------------------------------------


def event(event_type: str, obj: dict, *, event_id: str | None = None, created: int | None = None):
    """The event envelope as Stripe sends it to an endpoint on the library's API version."""
    envelope = fixture("event")
    envelope.update(
        id=event_id or f"evt_test_{next(_event_ids)}",
        type=event_type,
        created=int(time.time()) if created is None else created,
        api_version=API_VERSION,
        livemode=False,
        pending_webhooks=1,
        request={"id": None, "idempotency_key": None},
        data={"object": obj},
    )
    return envelope


def sign(body: str, *, secret: str = SECRET, timestamp: int | None = None) -> str:
    """Stripe's signature header: t=<unix time>,v1=HMAC-SHA256(secret, "<t>.<body>")."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def post_signed(client, body: str, *, secret: str = SECRET, timestamp: int | None = None):
    return client.post(
        URL,
        data=body.encode(),
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(body, secret=secret, timestamp=timestamp),
    )


class WebhookPoster:
    """Deliver signed events and run what the request queued on commit (the huey task runs at
    once in tests), as the live site would."""

    def __init__(self, client, capture_on_commit):
        self.client = client
        self.capture = capture_on_commit

    def __call__(self, payload: dict, *, expect: int = 200, **sign_kwargs):
        body = json.dumps(payload, ensure_ascii=False)
        with override_settings(STRIPE_WEBHOOK_SECRET=SECRET), self.capture(execute=True):
            response = post_signed(self.client, body, **sign_kwargs)
        assert response.status_code == expect, response.content
        return response

    def send(self, event_type: str, obj: dict, *, at: int, event_id: str | None = None):
        """Deliver one event stamped `at` (Unix seconds) and return the stored row."""
        payload = event(event_type, obj, event_id=event_id, created=at)
        self(payload)
        return StripeEvent.objects.get(stripe_id=payload["id"])
