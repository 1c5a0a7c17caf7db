"""Events that arrive before what they refer to wait: retried with back-off for at least Stripe's
3-day retry window, woken at once when the object arrives, and shown to Finance, who can retry
one. A controllable clock stands in for the minutes and days between the sweeper's runs."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from donations.models import CheckoutRequest, Donation, RecurringDonation, StripeEvent
from donations.stripe_inbox import WAIT_WINDOW
from donations.tasks import stripe_event_sweep
from members.groups import FINANCE, MEMBER_STAFF
from tests.display_checks import main_text
from tests.members.factories import SupporterFactory
from tests.stripe_events import T0, WebhookPoster, checkout_session, invoice, subscription

pytestmark = pytest.mark.django_db


class Clock:
    """timezone.now() under the test's control (the sweeper and the inbox read it)."""

    def __init__(self, monkeypatch):
        self.now = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, **delta):
        self.now += datetime.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def deliver(client, django_capture_on_commit_callbacks):
    return WebhookPoster(client, django_capture_on_commit_callbacks).send


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    def run():
        with django_capture_on_commit_callbacks(execute=True):
            stripe_event_sweep.call_local()

    return run


@pytest.fixture
def supporter():
    return SupporterFactory(email="tsuki@example.jp")


def monthly(supporter, **kwargs):
    return subscription(metadata={"supporter_id": str(supporter.pk)}, **kwargs)


def run_sweeper(clock, sweep, *, for_, every):
    """The periodic sweeper, every `every`, for `for_` of simulated time."""
    end = clock.now + for_
    while clock.now < end:
        clock.advance(seconds=every.total_seconds())
        sweep()


def test_an_invoice_whose_subscription_comes_11_minutes_later_is_applied(
    deliver, clock, sweep, supporter
):
    early = deliver("invoice.paid", invoice(), at=T0 + 5)
    run_sweeper(
        clock, sweep, for_=datetime.timedelta(minutes=11), every=datetime.timedelta(minutes=1)
    )

    early.refresh_from_db()
    assert early.status == StripeEvent.Status.WAITING  # was FAILED after 10 attempts
    assert early.attempts <= 5  # back-off: 1, 2, 4 … minutes apart

    deliver("customer.subscription.created", monthly(supporter), at=T0)

    early.refresh_from_db()
    assert early.status == StripeEvent.Status.PROCESSED
    assert Donation.objects.get().stripe_invoice_id == "in_1"


def test_an_invoice_whose_subscription_comes_2_days_later_is_applied_by_the_sweeper(
    deliver, clock, sweep, supporter
):
    early = deliver("invoice.paid", invoice(), at=T0 + 5)
    run_sweeper(clock, sweep, for_=datetime.timedelta(days=2), every=datetime.timedelta(minutes=10))
    early.refresh_from_db()
    assert early.status == StripeEvent.Status.WAITING
    assert early.attempts < 150  # tried about every 30 minutes, not every minute
    assert early.next_attempt_at - clock.now <= datetime.timedelta(minutes=30)

    # Recorded without an event (so nothing wakes it): the back-off still gets there.
    RecurringDonation.objects.create(
        supporter=supporter, amount_yen=1000, status="active", stripe_subscription_id="sub_1"
    )
    run_sweeper(
        clock, sweep, for_=datetime.timedelta(minutes=30), every=datetime.timedelta(minutes=1)
    )

    early.refresh_from_db()
    assert early.status == StripeEvent.Status.PROCESSED
    assert Donation.objects.get().recurring.stripe_subscription_id == "sub_1"


def test_back_off_grows_and_a_wait_ends_failed_after_the_3_day_window(deliver, clock, sweep):
    early = deliver("invoice.paid", invoice(), at=T0 + 5)
    delays = []
    for _ in range(6):
        early.refresh_from_db()
        delays.append(round((early.next_attempt_at - clock.now).total_seconds() / 60))
        clock.now = early.next_attempt_at
        sweep()
    # The first wait looks once more at once (a wake-up may have slipped in, see below), so the
    # back-off the sweeper follows starts at its second step.
    assert early.attempts >= 2
    assert delays == [2, 4, 8, 16, 30, 30]

    run_sweeper(clock, sweep, for_=WAIT_WINDOW, every=datetime.timedelta(hours=1))
    early.refresh_from_db()
    assert early.status == StripeEvent.Status.FAILED
    assert early.last_error.startswith("gave up waiting after 3 days")
    assert clock.now - early.received_at >= WAIT_WINDOW


def test_a_subscription_committed_while_the_invoice_was_failing_its_look_up_is_not_missed(
    deliver, supporter, monkeypatch
):
    """The lost wake-up: the subscription commits (and its wake-up finds nobody waiting) between
    the invoice handler's look-up and the invoice being marked waiting. The first wait looks
    again at once, so the invoice is applied without waiting for the sweeper's back-off."""
    from donations import stripe_inbox

    real_wait = stripe_inbox._stripe_event_wait

    def the_subscription_commits_first(**kwargs):
        # Recorded by another request: no event of ours wakes anything for it now.
        RecurringDonation.objects.get_or_create(
            stripe_subscription_id="sub_1",
            defaults={"supporter": supporter, "amount_yen": 1000, "status": "active"},
        )
        return real_wait(**kwargs)

    monkeypatch.setattr(stripe_inbox, "_stripe_event_wait", the_subscription_commits_first)
    early = deliver("invoice.paid", invoice(), at=T0 + 5)

    early.refresh_from_db()
    assert early.status == StripeEvent.Status.PROCESSED
    assert Donation.objects.get().stripe_invoice_id == "in_1"


def test_the_sweeper_leaves_waiting_events_alone_until_their_next_attempt(deliver, clock, sweep):
    early = deliver("invoice.paid", invoice(), at=T0 + 5)
    early.refresh_from_db()
    attempts = early.attempts
    clock.advance(seconds=30)
    sweep()
    early.refresh_from_db()
    assert early.attempts == attempts


# --- The Stripe events screen --------------------------------------------------------------------


@pytest.fixture
def staff(django_user_model):
    def make(group):
        user = django_user_model.objects.create_user(group.lower().replace(" ", "_"), password="pw")
        user.groups.add(Group.objects.get(name=group))
        return user

    return make


@pytest.fixture
def failed_invoice_event(deliver, clock, sweep):
    """An invoice.paid that gave up waiting for its subscription."""
    event = deliver("invoice.paid", invoice(), at=T0 + 5)
    window = WAIT_WINDOW + datetime.timedelta(hours=2)
    run_sweeper(clock, sweep, for_=window, every=datetime.timedelta(hours=2))
    event.refresh_from_db()
    assert event.status == StripeEvent.Status.FAILED
    return event


def test_finance_sees_waiting_events_with_reason_and_local_next_attempt(deliver, staff):
    waiting = deliver("invoice.paid", invoice(), at=T0 + 5)
    waiting.refresh_from_db()
    client = Client()
    client.force_login(staff(FINANCE))

    response = client.get("/admin/stripeevent/", {"status": "waiting"})

    assert response.status_code == 200
    page = response.content.decode()
    assert waiting.stripe_id in page
    assert "subscription:sub_1" in page  # why it waits
    local = timezone.localtime(waiting.next_attempt_at)  # Japan time, not UTC
    assert f"{local.year}年{local.month}月{local.day}日 {local.hour}:{local:%M}" in main_text(page)
    assert local.utcoffset() == datetime.timedelta(hours=9)


def test_finance_retries_a_failed_event_with_a_csrf_checked_post(
    failed_invoice_event, staff, supporter, django_capture_on_commit_callbacks
):
    RecurringDonation.objects.create(
        supporter=supporter, amount_yen=1000, status="active", stripe_subscription_id="sub_1"
    )
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff(FINANCE))
    inspect = client.get(f"/admin/stripeevent/inspect/{failed_invoice_event.pk}/")
    page = inspect.content.decode()
    assert "Retry now" in page or "今すぐ再試行" in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    url = f"/admin/stripeevent/retry/{failed_invoice_event.pk}/"

    assert client.post(url).status_code == 403  # no CSRF token: refused
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert response["Location"] == f"/admin/stripeevent/inspect/{failed_invoice_event.pk}/"
    failed_invoice_event.refresh_from_db()
    assert failed_invoice_event.status == StripeEvent.Status.PROCESSED
    assert Donation.objects.get().stripe_invoice_id == "in_1"
    assert client.get(url).status_code == 405


def test_member_staff_cannot_retry_and_are_refused_not_sent_to_login(failed_invoice_event, staff):
    client = Client()
    client.force_login(staff(MEMBER_STAFF))
    assert client.get("/admin/").status_code == 200  # they are admin users

    response = client.post(f"/admin/stripeevent/retry/{failed_invoice_event.pk}/")

    # Wagtail's permission-denied answer: back to the dashboard with its message, not to login.
    assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))
    notices = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("permission" in n.lower() or "アクセス権" in n for n in notices), notices
    failed_invoice_event.refresh_from_db()
    assert failed_invoice_event.status == StripeEvent.Status.FAILED


def test_a_visitor_is_sent_to_login(failed_invoice_event):
    response = Client().post(f"/admin/stripeevent/retry/{failed_invoice_event.pk}/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    failed_invoice_event.refresh_from_db()
    assert failed_invoice_event.status == StripeEvent.Status.FAILED


def test_processed_events_offer_no_retry(deliver, staff, supporter):
    done = deliver("customer.subscription.created", monthly(supporter), at=T0)
    client = Client()
    client.force_login(staff(FINANCE))
    assert "retry" not in client.get(f"/admin/stripeevent/inspect/{done.pk}/").content.decode()
    response = client.post(f"/admin/stripeevent/retry/{done.pk}/")
    assert response.status_code == 302
    done.refresh_from_db()
    assert (done.status, done.attempts) == (StripeEvent.Status.PROCESSED, 1)


def test_a_subscription_before_its_paid_checkout_waits_for_the_donor(deliver):
    """A visitor's monthly gift: the donor becomes a supporter only when the Checkout session is
    paid, and the subscription's events (often first) wait for that."""
    checkout = CheckoutRequest.objects.create(
        frequency=CheckoutRequest.Frequency.MONTHLY,
        amount_yen=1000,
        email="new@example.jp",
        family_name="新井",
        given_name="花",
        language="ja",
    )
    reference = str(checkout.uuid)
    early = deliver(
        "customer.subscription.created",
        subscription(metadata={"checkout_request": reference}),
        at=T0,
    )
    assert (early.status, early.waiting_for) == ("waiting", f"checkout_request:{reference}")
    assert not RecurringDonation.objects.exists()

    session = checkout_session(
        mode="subscription",
        payment_intent=None,
        subscription="sub_1",
        customer="cus_1",
        amount_total=1000,
        amount_subtotal=1000,
        client_reference_id=reference,
        metadata={"checkout_request": reference},
    )
    deliver("checkout.session.completed", session, at=T0 + 1)

    early.refresh_from_db()
    assert early.status == StripeEvent.Status.PROCESSED
    assert RecurringDonation.objects.get().supporter.email == "new@example.jp"
