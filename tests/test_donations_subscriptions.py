"""Monthly gifts follow Stripe subscriptions whatever order the events arrive in."""

import json
import time

import pytest
import stripe
from django.core import mail
from django.test import override_settings

from donations.models import Donation, RecurringDonation, StripeEvent
from tests.members_factories import SupporterFactory

SECRET = "whsec_test_ouendan"
T0 = 1_790_000_000  # a fixed moment; events are spaced by seconds from it

pytestmark = pytest.mark.django_db


@pytest.fixture
def supporter():
    return SupporterFactory(email="tsuki@example.jp", family_name="月", given_name="花子")


@pytest.fixture
def deliver(client, django_capture_on_commit_callbacks):
    counter = iter(range(1, 1000))

    def send(event_type, obj, *, at):
        payload = {
            "id": f"evt_{next(counter)}",
            "object": "event",
            "type": event_type,
            "created": at,
            "livemode": False,
            "data": {"object": obj},
        }
        body = json.dumps(payload)
        header = stripe.WebhookSignature.generate_signature_header(body, SECRET, int(time.time()))
        with (
            override_settings(STRIPE_WEBHOOK_SECRET=SECRET),
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = client.post(
                "/stripe/webhook/",
                data=body,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=header,
            )
        assert response.status_code == 200
        return StripeEvent.objects.get(stripe_id=payload["id"])

    return send


def subscription(supporter, status="active", amount=1000, **extra):
    return {
        "id": "sub_1",
        "object": "subscription",
        "customer": "cus_1",
        "status": status,
        "start_date": T0,
        "current_period_end": T0 + 30 * 86400,
        "items": {"data": [{"price": {"unit_amount": amount}, "quantity": 1}]},
        "metadata": {"supporter_id": str(supporter.pk)},
        **extra,
    }


def invoice(invoice_id="in_1", amount=1000, **extra):
    return {
        "id": invoice_id,
        "object": "invoice",
        "subscription": "sub_1",
        "customer": "cus_1",
        "amount_paid": amount,
        "payment_intent": f"pi_{invoice_id}",
        "status_transitions": {"paid_at": T0 + 5},
        **extra,
    }


def test_lifecycle_create_pay_fail_recover_cancel(deliver, supporter):
    deliver("customer.subscription.created", subscription(supporter, "incomplete"), at=T0)
    deliver("customer.subscription.updated", subscription(supporter), at=T0 + 1)
    deliver("invoice.paid", invoice(), at=T0 + 2)

    recurring = RecurringDonation.objects.get()
    assert (recurring.status, recurring.amount_yen) == (RecurringDonation.Status.ACTIVE, 1000)
    donation = Donation.objects.get()
    assert (donation.kind, donation.recurring, donation.amount_yen) == ("monthly", recurring, 1000)

    failed = invoice("in_2", amount=0, attempt_count=1)
    deliver("invoice.payment_failed", failed, at=T0 + 3)
    recurring.refresh_from_db()
    assert (recurring.status, recurring.failure_count) == (RecurringDonation.Status.PAST_DUE, 1)
    assert mail.outbox[-1].to == ["tsuki@example.jp"]
    assert "¥1,000" in mail.outbox[-1].body

    deliver("invoice.paid", invoice("in_2"), at=T0 + 4)
    recurring.refresh_from_db()
    assert (recurring.status, recurring.failure_count) == (RecurringDonation.Status.ACTIVE, 0)

    deliver("customer.subscription.deleted", subscription(supporter, "canceled"), at=T0 + 5)
    recurring.refresh_from_db()
    assert recurring.status == RecurringDonation.Status.CANCELLED and recurring.cancelled_at
    assert Donation.objects.count() == 2


def test_an_older_update_arriving_late_does_not_undo_a_cancellation(deliver, supporter):
    deliver("customer.subscription.created", subscription(supporter), at=T0)
    deliver("customer.subscription.deleted", subscription(supporter, "canceled"), at=T0 + 10)
    deliver("customer.subscription.updated", subscription(supporter, "active"), at=T0 + 5)
    assert RecurringDonation.objects.get().status == RecurringDonation.Status.CANCELLED


def test_an_older_amount_does_not_overwrite_a_newer_one(deliver, supporter):
    deliver("customer.subscription.updated", subscription(supporter, amount=3000), at=T0 + 10)
    deliver("customer.subscription.created", subscription(supporter, amount=1000), at=T0)
    assert RecurringDonation.objects.get().amount_yen == 3000


def test_an_invoice_before_its_subscription_waits_for_it(deliver, supporter):
    early = deliver("invoice.paid", invoice(), at=T0 + 2)
    assert early.status == StripeEvent.Status.PENDING and not Donation.objects.exists()

    deliver("customer.subscription.created", subscription(supporter), at=T0)
    StripeEvent.objects.filter(pk=early.pk).update(received_at="2000-01-01T00:00:00Z")
    from donations.tasks import stripe_event_sweep

    stripe_event_sweep.call_local()
    assert Donation.objects.get().stripe_invoice_id == "in_1"


def test_repeated_failure_notices_send_one_mail_per_attempt(deliver, supporter):
    deliver("customer.subscription.created", subscription(supporter), at=T0)
    deliver("invoice.payment_failed", invoice(attempt_count=1), at=T0 + 1)
    deliver("invoice.payment_failed", invoice(attempt_count=1), at=T0 + 2)  # a resend
    deliver("invoice.payment_failed", invoice(attempt_count=2), at=T0 + 3)
    assert len(mail.outbox) == 2
    assert RecurringDonation.objects.get().failure_count == 2


def test_a_late_paid_notice_for_an_older_invoice_does_not_clear_a_newer_failure(deliver, supporter):
    deliver("customer.subscription.created", subscription(supporter), at=T0)
    deliver("invoice.payment_failed", invoice("in_2", attempt_count=1), at=T0 + 10)
    deliver("invoice.paid", invoice("in_1"), at=T0 + 5)  # the older month's payment, late

    recurring = RecurringDonation.objects.get()
    assert recurring.status == RecurringDonation.Status.PAST_DUE
    assert recurring.failure_count == 1
    assert Donation.objects.get().stripe_invoice_id == "in_1"  # the money is still recorded

    deliver("invoice.paid", invoice("in_2"), at=T0 + 20)  # the retry succeeds
    recurring.refresh_from_db()
    assert (recurring.status, recurring.failure_count) == (RecurringDonation.Status.ACTIVE, 0)
