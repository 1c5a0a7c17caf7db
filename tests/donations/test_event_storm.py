"""One donor's whole monthly lifecycle, delivered late, twice, out of order and in the same second,
always ends in the same state. Events are built from Stripe's own shapes (tests/stripe_events.py).
"""

import random

import pytest
from django.core import mail

from donations.models import Donation, RecurringDonation, StripeEvent
from tests.members.factories import SupporterFactory
from tests.stripe_events import (
    T0,
    WebhookPoster,
    charge,
    event,
    invoice,
    invoice_payment,
    subscription,
)

pytestmark = pytest.mark.django_db

DAY = 86_400
T1 = T0 + 30 * DAY  # the second month's payment fails …
T2 = T1 + 3 * DAY  # … Stripe's retry succeeds …
T3 = T2 + DAY  # … and the first month is refunded


def lifecycle(supporter) -> list[dict]:
    """Stripe's events for the story, in the order Stripe created them (several share a second)."""
    metadata = {"supporter_id": str(supporter.pk)}

    def sub(status):
        return subscription(status=status, metadata=metadata)

    return [
        event("customer.subscription.created", sub("incomplete"), event_id="evt_01", created=T0),
        event("invoice.paid", invoice("in_1", paid_at=T0), event_id="evt_02", created=T0),
        event(
            "invoice.payment_succeeded", invoice("in_1", paid_at=T0), event_id="evt_03", created=T0
        ),
        event(
            "invoice_payment.paid",
            invoice_payment(invoice_id="in_1", payment_intent="pi_1", paid_at=T0),
            event_id="evt_04",
            created=T0,
        ),
        event("customer.subscription.updated", sub("active"), event_id="evt_05", created=T0),
        event(
            "invoice.payment_failed",
            invoice("in_2", paid=False, attempt_count=1),
            event_id="evt_06",
            created=T1,
        ),
        event("customer.subscription.updated", sub("past_due"), event_id="evt_07", created=T1),
        event("invoice.paid", invoice("in_2", paid_at=T2), event_id="evt_08", created=T2),
        event(
            "invoice_payment.paid",
            invoice_payment(invoice_id="in_2", payment_intent="pi_2", paid_at=T2),
            event_id="evt_09",
            created=T2,
        ),
        event("customer.subscription.updated", sub("active"), event_id="evt_10", created=T2),
        event(
            "charge.refunded",
            charge(payment_intent="pi_1", amount=1000, amount_refunded=1000),
            event_id="evt_11",
            created=T3,
        ),
    ]


def orders(events: list[dict]):
    yield "as created", list(events)
    yield "reversed", list(reversed(events))
    for seed in range(1, 7):
        shuffled = list(events)
        rng = random.Random(seed)
        rng.shuffle(shuffled)
        # Stripe delivers at least once: repeat a few events, some of them much later.
        for repeat in rng.sample(events, 4):
            shuffled.insert(rng.randrange(len(shuffled) + 1), repeat)
        yield f"shuffled {seed} with repeats", shuffled


def end_state():
    recurring = RecurringDonation.objects.get()
    donations = {
        d.stripe_invoice_id: (d.amount_yen, d.refunded_yen, d.stripe_payment_intent_id, d.recurring)
        for d in Donation.objects.all()
    }
    return {
        "monthly gift": (
            recurring.status,
            recurring.amount_yen,
            recurring.failure_count,
            recurring.stripe_state_at.timestamp(),
        ),
        "gifts": donations,
        "events": sorted(StripeEvent.objects.values_list("stripe_id", "status")),
    }


@pytest.mark.parametrize("name", [name for name, _ in orders(list(range(11)))])
def test_the_monthly_lifecycle_ends_the_same_in_any_delivery_order(
    client, django_capture_on_commit_callbacks, name
):
    supporter = SupporterFactory(email="tsuki@example.jp")
    events = lifecycle(supporter)
    delivery = dict(orders(events))[name]
    post = WebhookPoster(client, django_capture_on_commit_callbacks)

    for payload in delivery:
        post(payload)

    recurring = RecurringDonation.objects.get()
    assert end_state() == {
        "monthly gift": (RecurringDonation.Status.ACTIVE, 1000, 0, float(T2)),
        "gifts": {
            "in_1": (1000, 1000, "pi_1", recurring),
            "in_2": (1000, 0, "pi_2", recurring),
        },
        "events": [(payload["id"], StripeEvent.Status.PROCESSED) for payload in events],
    }
    # The failure notice goes out only while the failure is current, and at most once.
    failed_before_paid = [p["id"] for p in delivery].index("evt_06") < [
        p["id"] for p in delivery
    ].index("evt_08")
    assert len(mail.outbox) <= 1
    if not failed_before_paid:
        assert mail.outbox == []
