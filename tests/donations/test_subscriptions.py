"""Monthly gifts follow Stripe subscriptions whatever order the events arrive in.

Events are built from Stripe's own shapes for the library's API version (tests/stripe_events.py):
the invoice names its subscription under `parent`, the subscription's period is on its item.
"""

import pytest
from django.core import mail

from donations.models import Donation, RecurringDonation, StripeEvent
from tests.members.factories import SupporterFactory
from tests.stripe_events import T0, WebhookPoster, invoice
from tests.stripe_events import subscription as stripe_subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def supporter():
    return SupporterFactory(email="tsuki@example.jp", family_name="月", given_name="花子")


@pytest.fixture
def deliver(client, django_capture_on_commit_callbacks):
    return WebhookPoster(client, django_capture_on_commit_callbacks).send


def subscription(supporter, status="active", amount=1000, **extra):
    metadata = {"supporter_id": str(supporter.pk)}
    return stripe_subscription(status=status, amount=amount, metadata=metadata, **extra)


def test_lifecycle_create_pay_fail_recover_cancel(deliver, supporter):
    deliver("customer.subscription.created", subscription(supporter, "incomplete"), at=T0)
    deliver("customer.subscription.updated", subscription(supporter), at=T0 + 1)
    deliver("invoice.paid", invoice(paid_at=T0 + 2), at=T0 + 2)

    recurring = RecurringDonation.objects.get()
    assert (recurring.status, recurring.amount_yen) == (RecurringDonation.Status.ACTIVE, 1000)
    assert recurring.next_payment_on is not None  # from the item's period (current shape)
    donation = Donation.objects.get()
    assert (donation.kind, donation.recurring, donation.amount_yen) == ("monthly", recurring, 1000)

    failed = invoice("in_2", paid=False, attempt_count=1)
    deliver("invoice.payment_failed", failed, at=T0 + 3)
    recurring.refresh_from_db()
    assert (recurring.status, recurring.failure_count) == (RecurringDonation.Status.PAST_DUE, 1)
    assert mail.outbox[-1].to == ["tsuki@example.jp"]
    assert "¥1,000" in mail.outbox[-1].body

    deliver("invoice.paid", invoice("in_2", paid_at=T0 + 4), at=T0 + 4)
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


def test_an_invoice_before_its_subscription_waits_for_it_and_is_woken(deliver, supporter):
    early = deliver("invoice.paid", invoice(), at=T0 + 2)
    assert early.status == StripeEvent.Status.WAITING and not Donation.objects.exists()
    assert early.waiting_for == "subscription:sub_1" and early.next_attempt_at is not None

    deliver("customer.subscription.created", subscription(supporter), at=T0)

    assert Donation.objects.get().stripe_invoice_id == "in_1"
    early.refresh_from_db()
    assert (early.status, early.waiting_for) == (StripeEvent.Status.PROCESSED, "")


def test_repeated_failure_notices_send_one_mail_per_attempt(deliver, supporter):
    deliver("customer.subscription.created", subscription(supporter), at=T0)
    deliver("invoice.payment_failed", invoice(paid=False, attempt_count=1), at=T0 + 1)
    deliver("invoice.payment_failed", invoice(paid=False, attempt_count=1), at=T0 + 2)  # a resend
    deliver("invoice.payment_failed", invoice(paid=False, attempt_count=2), at=T0 + 3)
    assert len(mail.outbox) == 2
    assert RecurringDonation.objects.get().failure_count == 2


def test_a_late_paid_notice_for_an_older_invoice_does_not_clear_a_newer_failure(deliver, supporter):
    deliver("customer.subscription.created", subscription(supporter), at=T0)
    deliver("invoice.payment_failed", invoice("in_2", paid=False), at=T0 + 10)
    deliver("invoice.paid", invoice("in_1"), at=T0 + 5)  # the older month's payment, late

    recurring = RecurringDonation.objects.get()
    assert recurring.status == RecurringDonation.Status.PAST_DUE
    assert recurring.failure_count == 1
    assert Donation.objects.get().stripe_invoice_id == "in_1"  # the money is still recorded

    deliver("invoice.paid", invoice("in_2", paid_at=T0 + 20), at=T0 + 20)  # the retry succeeds
    recurring.refresh_from_db()
    assert (recurring.status, recurring.failure_count) == (RecurringDonation.Status.ACTIVE, 0)


# --- Same-second ties: decided by the subscription's own state, never by arrival order ----------


@pytest.mark.parametrize("created_first", [True, False], ids=["created-first", "updated-first"])
def test_created_incomplete_and_updated_active_in_one_second_end_active(
    deliver, supporter, created_first
):
    pair = [
        ("customer.subscription.created", subscription(supporter, "incomplete")),
        ("customer.subscription.updated", subscription(supporter, "active")),
    ]
    for event_type, obj in pair if created_first else reversed(pair):
        deliver(event_type, obj, at=T0)
    assert RecurringDonation.objects.get().status == RecurringDonation.Status.ACTIVE


SIGN_UP = [
    ("customer.subscription.created", "incomplete"),
    ("customer.subscription.updated", "active"),
    ("invoice.paid", None),
]


@pytest.mark.parametrize("order", [(0, 1, 2), (1, 0, 2), (2, 1, 0), (1, 2, 0), (2, 0, 1)])
def test_a_sign_up_stamped_in_one_second_ends_active_in_any_order(deliver, supporter, order):
    for index in order:
        event_type, status = SIGN_UP[index]
        obj = invoice() if status is None else subscription(supporter, status)
        deliver(event_type, obj, at=T0)  # Stripe stamps all three in the same second
    recurring = RecurringDonation.objects.get()
    assert recurring.status == RecurringDonation.Status.ACTIVE
    assert Donation.objects.get().recurring == recurring


@pytest.mark.parametrize("cancel_first", [True, False])
def test_a_cancellation_in_the_same_second_as_an_update_stays_cancelled(
    deliver, supporter, cancel_first
):
    deliver("customer.subscription.created", subscription(supporter), at=T0)
    pair = [
        ("customer.subscription.deleted", subscription(supporter, "canceled")),
        ("customer.subscription.updated", subscription(supporter, "active")),
    ]
    for event_type, obj in pair if cancel_first else reversed(pair):
        deliver(event_type, obj, at=T0 + 5)
    assert RecurringDonation.objects.get().status == RecurringDonation.Status.CANCELLED


@pytest.mark.parametrize("failed_first", [True, False])
def test_a_failure_and_a_stale_active_update_in_one_second_end_past_due(
    deliver, supporter, failed_first
):
    deliver("customer.subscription.created", subscription(supporter), at=T0)
    pair = [
        ("invoice.payment_failed", invoice("in_2", paid=False)),
        ("customer.subscription.updated", subscription(supporter, "past_due")),
        ("customer.subscription.updated", subscription(supporter, "active")),
    ]
    for event_type, obj in pair if failed_first else reversed(pair):
        deliver(event_type, obj, at=T0 + 30)
    assert RecurringDonation.objects.get().status == RecurringDonation.Status.PAST_DUE


def test_a_failure_notice_arriving_after_the_retry_paid_changes_nothing_and_mails_nobody(
    deliver, supporter
):
    deliver("customer.subscription.created", subscription(supporter), at=T0)
    deliver("invoice.paid", invoice("in_2", paid_at=T0 + 20), at=T0 + 20)  # the retry succeeded
    deliver("invoice.payment_failed", invoice("in_2", paid=False), at=T0 + 10)  # delivered late

    recurring = RecurringDonation.objects.get()
    assert (recurring.status, recurring.failure_count) == (RecurringDonation.Status.ACTIVE, 0)
    assert mail.outbox == []
