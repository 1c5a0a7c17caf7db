"""Reconciliation heals what a missed webhook left behind, and running it twice changes nothing.

The events and subscriptions Stripe's API returns are built from Stripe's own shapes.
"""

import time

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from donations import stripe_api
from donations.models import Donation, RecurringDonation, StripeEvent
from tests.members.factories import SupporterFactory
from tests.stripe_events import checkout_session, event, subscription
from tests.stripe_recorder import RecordingHTTPClient

pytestmark = pytest.mark.django_db


def stripe_list(url, items):
    return {"object": "list", "url": url, "has_more": False, "data": items}


def missed_checkout_event():
    session = checkout_session(
        id="cs_missed", amount_subtotal=8000, amount_total=8000, payment_intent="pi_missed"
    )
    session["customer_details"].update(email="missed@example.jp", name="佐藤")
    return event(
        "checkout.session.completed",
        session,
        event_id="evt_missed",
        created=int(time.time()) - 3600,
    )


def cancelled_subscription(supporter):
    return subscription(
        status="canceled",
        canceled_at=int(time.time()) - 60,
        metadata={"supporter_id": str(supporter.pk)},
    )


def run_reconcile(monkeypatch, django_capture_on_commit_callbacks, supporter):
    recorder = RecordingHTTPClient(
        [
            (200, stripe_list("/v1/events", [missed_checkout_event()])),
            (200, stripe_list("/v1/subscriptions", [cancelled_subscription(supporter)])),
        ]
    )
    monkeypatch.setattr(stripe_api, "http_client_override", recorder)
    with (
        override_settings(STRIPE_SECRET_KEY="sk_test_reconcile"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("stripe_reconcile", "--days", "2", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return recorder


def test_reconcile_records_missed_payments_and_cancellations_once(
    monkeypatch, django_capture_on_commit_callbacks
):
    supporter = SupporterFactory()
    RecurringDonation.objects.create(
        supporter=supporter, amount_yen=1000, status="active", stripe_subscription_id="sub_1"
    )

    recorder = run_reconcile(monkeypatch, django_capture_on_commit_callbacks, supporter)

    assert [r["path"] for r in recorder.requests] == ["/v1/events", "/v1/subscriptions"]
    assert recorder.requests[0]["method"] == "GET"
    assert Donation.objects.get().stripe_checkout_session_id == "cs_missed"
    assert StripeEvent.objects.get().status == StripeEvent.Status.PROCESSED
    assert RecurringDonation.objects.get().status == RecurringDonation.Status.CANCELLED

    run_reconcile(monkeypatch, django_capture_on_commit_callbacks, supporter)
    assert Donation.objects.count() == 1 and StripeEvent.objects.count() == 1


def test_reconcile_needs_stripe_keys():
    with override_settings(STRIPE_SECRET_KEY=""), pytest.raises(CommandError):
        call_command("stripe_reconcile")
