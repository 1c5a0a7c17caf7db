"""Handlers read Stripe's current shapes, match nothing on an empty key, book JPY only, and refuse
absurd bodies. Events come from Stripe's vendored fixtures (tests/stripe_events.py)."""

import pytest
from django.test import override_settings

from donations.models import Donation, RecurringDonation, StripeEvent
from donations.services import EventNeedsReview, stripe_amount_yen
from tests.members.factories import SupporterFactory
from tests.stripe_events import (
    SECRET,
    T0,
    WebhookPoster,
    charge,
    checkout_session,
    dispute,
    event,
    invoice,
    invoice_payment,
    post_signed,
    subscription,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def poster(client, django_capture_on_commit_callbacks):
    return WebhookPoster(client, django_capture_on_commit_callbacks)


@pytest.fixture
def deliver(poster):
    return poster.send


@pytest.fixture
def monthly(deliver):
    """A monthly gift with one paid invoice (in_1), recorded from current-shape events."""
    supporter = SupporterFactory(email="tsuki@example.jp")
    metadata = {"supporter_id": str(supporter.pk)}
    deliver("customer.subscription.created", subscription(metadata=metadata), at=T0)
    deliver("invoice.paid", invoice("in_1"), at=T0 + 5)
    return RecurringDonation.objects.get()


# --- Current shapes: invoice payments and charges without invoices -----------------------------


def test_current_shapes_have_no_invoice_payment_intent_and_no_charge_invoice():
    assert "payment_intent" not in invoice() and "subscription" not in invoice()
    assert invoice()["parent"]["subscription_details"]["subscription"] == "sub_1"
    assert "invoice" not in charge()


def test_a_refund_of_a_monthly_gift_in_current_shapes_is_applied(deliver, monthly):
    deliver("invoice_payment.paid", invoice_payment(payment_intent="pi_month_1"), at=T0 + 5)
    donation = Donation.objects.get()
    assert donation.stripe_payment_intent_id == "pi_month_1"

    refund = charge(payment_intent="pi_month_1", amount=1000, amount_refunded=1000)
    stored = deliver("charge.refunded", refund, at=T0 + 100)

    assert stored.status == StripeEvent.Status.PROCESSED
    donation.refresh_from_db()
    assert donation.refunded_yen == 1000 and donation.recurring == monthly


def test_a_refund_before_the_invoice_payment_waits_and_is_woken(deliver, monthly):
    refund = charge(payment_intent="pi_month_1", amount=1000, amount_refunded=400)
    early = deliver("charge.refunded", refund, at=T0 + 100)
    assert early.status == StripeEvent.Status.WAITING
    assert early.waiting_for == "payment_intent:pi_month_1"

    deliver("invoice_payment.paid", invoice_payment(payment_intent="pi_month_1"), at=T0 + 5)

    early.refresh_from_db()
    assert early.status == StripeEvent.Status.PROCESSED
    assert Donation.objects.get().refunded_yen == 400


def test_an_invoice_payment_before_its_invoice_waits_for_the_invoice(deliver):
    supporter = SupporterFactory()
    metadata = {"supporter_id": str(supporter.pk)}
    linked = deliver("invoice_payment.paid", invoice_payment(payment_intent="pi_a"), at=T0 + 5)
    assert (linked.status, linked.waiting_for) == (StripeEvent.Status.WAITING, "invoice:in_1")
    paid = deliver("invoice.paid", invoice("in_1"), at=T0 + 5)
    assert paid.waiting_for == "subscription:sub_1"

    # The subscription wakes the invoice, which wakes the invoice payment.
    deliver("customer.subscription.created", subscription(metadata=metadata), at=T0)

    assert Donation.objects.get().stripe_payment_intent_id == "pi_a"
    assert set(StripeEvent.objects.values_list("status", flat=True)) == {"processed"}


def test_invoice_payments_included_in_the_invoice_link_the_payment_intent(deliver):
    metadata = {"supporter_id": str(SupporterFactory().pk)}
    deliver("customer.subscription.created", subscription(metadata=metadata), at=T0)
    failed_try = invoice_payment(payment_intent="pi_declined", status="failed")
    paid_try = invoice_payment(payment_intent="pi_paid")
    deliver("invoice.paid", invoice("in_1", payments=[failed_try, paid_try]), at=T0 + 5)
    assert Donation.objects.get().stripe_payment_intent_id == "pi_paid"


def test_older_charge_shapes_with_an_invoice_still_find_the_gift(deliver, monthly):
    older = charge(payment_intent=None, amount=1000, amount_refunded=300, invoice="in_1")
    deliver("charge.refunded", older, at=T0 + 100)
    assert Donation.objects.get().refunded_yen == 300


# --- Nothing matches on an empty key -----------------------------------------------------------


def test_a_refund_for_a_charge_without_payment_intent_changes_no_gift(deliver, monthly):
    # The monthly gift has no payment intent recorded (no invoice_payment.paid yet): a look-up
    # by an empty payment intent used to match it.
    assert Donation.objects.get().stripe_payment_intent_id is None
    foreign = charge(charge_id="ch_foreign", payment_intent=None, amount_refunded=1000)
    stored = deliver("charge.refunded", foreign, at=T0 + 100)

    assert stored.status == StripeEvent.Status.IGNORED
    assert "no payment intent" in stored.last_error
    assert Donation.objects.get().refunded_yen == 0


@pytest.mark.parametrize("empty", ["", None, {"id": ""}])
def test_a_dispute_without_a_usable_key_flags_nothing(deliver, monthly, empty):
    Donation.objects.update(stripe_charge_id="")  # a gift with a blank charge id
    stored = deliver(
        "charge.dispute.created", dispute(charge_id=empty, payment_intent=empty), at=T0 + 100
    )
    assert stored.status == StripeEvent.Status.IGNORED and stored.last_error
    assert Donation.objects.get().disputed_at is None


def test_an_invoice_without_a_subscription_is_ignored_not_matched(deliver, monthly):
    RecurringDonation.objects.create(
        supporter=monthly.supporter, amount_yen=500, stripe_subscription_id=""
    )
    stray = invoice("in_stray", subscription_id="")
    paid = deliver("invoice.paid", stray, at=T0 + 50)
    failed = deliver("invoice.payment_failed", invoice("in_x", subscription_id=""), at=T0 + 51)

    assert (paid.status, failed.status) == (StripeEvent.Status.IGNORED,) * 2
    assert Donation.objects.count() == 1
    assert RecurringDonation.objects.get(stripe_subscription_id="").failure_count == 0


def test_a_subscription_with_no_known_donor_or_customer_is_ignored(deliver):
    RecurringDonation.objects.create(
        supporter=SupporterFactory(), amount_yen=500, stripe_subscription_id="sub_old"
    )  # a gift with a blank customer id must not lend its donor
    stored = deliver("customer.subscription.created", subscription(customer=None), at=T0)
    assert stored.status == StripeEvent.Status.IGNORED
    assert RecurringDonation.objects.count() == 1


# --- JPY is zero-decimal -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,currency",
    [(1000.5, "jpy"), (1000.0, "jpy"), ("1000", "jpy"), (True, "jpy"), (-1, "jpy"), (1000, "usd")],
)
def test_stripe_amount_yen_refuses_anything_but_whole_yen(value, currency):
    with pytest.raises(EventNeedsReview):
        stripe_amount_yen(value, currency=currency)


def test_stripe_amount_yen_accepts_whole_yen():
    assert stripe_amount_yen(1000, currency="JPY") == 1000
    assert stripe_amount_yen(0) == 0


@pytest.mark.parametrize("change", [{"amount_paid": 1000.5}, {"currency": "usd"}])
def test_an_invoice_with_decimals_or_another_currency_needs_review_and_books_nothing(
    deliver, monthly, change
):
    odd = invoice("in_2", **change)
    stored = deliver("invoice.paid", odd, at=T0 + 40)
    assert stored.status == StripeEvent.Status.NEEDS_REVIEW
    assert stored.last_error.startswith("needs review: ")
    assert Donation.objects.count() == 1  # only in_1

    # Not retried by the sweeper: staff must look.
    from donations.tasks import stripe_event_sweep

    StripeEvent.objects.filter(pk=stored.pk).update(received_at="2000-01-01T00:00:00Z")
    stripe_event_sweep.call_local()
    stored.refresh_from_db()
    assert (stored.status, stored.attempts) == (StripeEvent.Status.NEEDS_REVIEW, 1)


@pytest.mark.parametrize("change", [{"amount_refunded": 500.5}, {"currency": "eur"}])
def test_a_refund_with_decimals_or_another_currency_needs_review(deliver, change):
    deliver("checkout.session.completed", checkout_session(), at=T0)
    stored = deliver("charge.refunded", charge(**{"amount_refunded": 500, **change}), at=T0 + 9)
    assert stored.status == StripeEvent.Status.NEEDS_REVIEW
    assert Donation.objects.get().refunded_yen == 0


def test_a_subscription_price_with_decimals_needs_review(deliver):
    supporter = SupporterFactory()
    odd = subscription(metadata={"supporter_id": str(supporter.pk)})
    odd["items"]["data"][0]["price"]["unit_amount"] = 999.9
    stored = deliver("customer.subscription.created", odd, at=T0)
    assert stored.status == StripeEvent.Status.NEEDS_REVIEW
    assert not RecurringDonation.objects.exists()


# --- Hostile bodies ----------------------------------------------------------------------------


def test_a_signed_body_nested_100000_levels_deep_gets_400(client):
    depth = 100_000
    body = '{"id": "evt_deep", "type": "x", "created": 1, "data": ' + '{"a": ' * depth
    body += "1" + "}" * depth + "}"
    with override_settings(STRIPE_WEBHOOK_SECRET=SECRET):
        response = post_signed(client, body)  # a valid signature: json.loads used to recurse
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_a_signed_event_nested_past_any_stripe_object_gets_400(poster):
    obj = checkout_session()
    inner = obj["metadata"]
    for _ in range(70):
        inner["x"] = {}
        inner = inner["x"]
    poster(event("checkout.session.completed", obj), expect=400)
    assert not StripeEvent.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        [1, 2],
        {"id": "evt_x", "type": "t", "created": 1},
        {"id": "evt_x", "type": "t", "created": 1, "data": {"object": "text"}},
        {"id": "", "type": "t", "created": 1, "data": {"object": {}}},
    ],
    ids=["list", "no-data", "object-not-an-object", "empty-id"],
)
def test_malformed_signed_events_get_400(poster, payload):
    poster(payload, expect=400)
    assert not StripeEvent.objects.exists()
