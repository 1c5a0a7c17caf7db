"""Monthly gifts against localstripe, a stateful Stripe stand-in on loopback.

Our own Stripe client (STRIPE_API_BASE) creates customers, cards, a JPY plan and a subscription
in localstripe; localstripe signs its webhooks and posts them to the live test server, where the
real intake (signature check, inbox, huey task in immediate mode) applies them. The tests then
read only our database: the monthly gift, the ledger and the outbox.

localstripe follows an older Stripe API than the stripe library: subscription items carry a
`plan` (no prices), invoices name their `subscription` at the top level, and a paid invoice sends
`invoice.payment_succeeded` (no `invoice.paid`). The handlers accept both shapes; the unit tests
at the end pin each older shape without the server. Things localstripe cannot do are noted where
the test works around them.
"""

import contextlib
import http.client
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

import pytest
import stripe
from django.test import override_settings

from donations import stripe_api
from donations.models import Donation, RecurringDonation, StripeEvent
from donations.stripe_api import stripe_client
from donations.stripe_inbox import stripe_event_process
from ouendan.core.models import OutgoingEmail
from tests.members.factories import SupporterFactory
from tests.stripe_recorder import RecordingHTTPClient

SECRET = "whsec_test_localstripe"
API_KEY = "sk_test_localstripe"  # localstripe accepts any sk_… key
DELIVERY_TIMEOUT = 10  # seconds; localstripe waits 1 s before sending each webhook

# localstripe's own `start()` listens on every interface and pickles its store to the shared
# /tmp/localstripe.pickle after each change. This boot listens on 127.0.0.1 only and keeps the
# store in memory, so parallel runs on one machine never share state.
BOOT = """
import logging, sys
from aiohttp import web
from localstripe import resources, server
resources.Store.dump_to_disk = lambda self: None
logging.basicConfig(level=logging.INFO, format="%(name)s %(message)s")
web.run_app(server.app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""

GOOD_CARD = "4242424242424242"
# Needs 3-D Secure, then the issuer declines the charge. localstripe's documented decliner
# 4000000000000341 cannot be used: `POST /v1/invoices/{id}/pay` swallows its decline
# (`on_failure_now=lambda: None`), so no invoice.payment_failed is ever sent. Completing the
# authentication of this card takes localstripe's normal failure path instead.
DECLINED_AFTER_3DS_CARD = "4000008260003178"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _http(method: str, url: str, data: dict | None = None) -> int:
    """A plain request to localstripe's own routes (/_config/…); returns the status code."""
    parts = urllib.parse.urlsplit(url)
    assert parts.hostname == "127.0.0.1"  # loopback only
    body = urllib.parse.urlencode(data) if data is not None else None
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        connection.request(method, parts.path, body=body, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


class LocalStripe:
    def __init__(self, url: str, log):
        self.url = url
        self._log = log

    def log_tail(self, chars: int = 3000) -> str:
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-chars:]


@pytest.fixture(scope="module")
def localstripe():
    port = _free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed below)
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", BOOT, str(port)], stdout=log, stderr=subprocess.STDOUT
    )
    server = LocalStripe(f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + 15
        while True:
            if process.poll() is not None:
                pytest.fail(f"localstripe exited ({process.returncode}):\n{server.log_tail()}")
            with contextlib.suppress(OSError):
                if _http("GET", server.url + "/v1/balance") == 401:  # up, asks for a key
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"localstripe did not answer on {server.url}:\n{server.log_tail()}")
            time.sleep(0.05)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def stripe_local(localstripe, live_server, settings):
    """An empty localstripe whose webhooks go to our live server, and our client pointed at it."""
    assert _http("DELETE", localstripe.url + "/_config/data") == 200
    status = _http(
        "POST",
        localstripe.url + "/_config/webhooks/ouendan",
        {"url": live_server.url + "/stripe/webhook/", "secret": SECRET},
    )
    assert status == 200
    settings.STRIPE_SECRET_KEY = API_KEY
    settings.STRIPE_API_BASE = localstripe.url
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    return localstripe


@pytest.fixture
def supporter():
    return SupporterFactory(email="tsuki@example.jp", family_name="月", given_name="花子")


def _inbox_summary() -> str:
    return "\n".join(
        f"  {e.type} {e.stripe_id} {e.status} attempts={e.attempts} {e.last_error}"
        for e in StripeEvent.objects.order_by("pk")
    )


def wait_for_delivery(server: LocalStripe) -> None:
    """Wait until every event localstripe created is in our inbox and was tried once, then do
    what the periodic sweep does a minute later in production: retry the events that arrived
    before the object they refer to (localstripe posts each event concurrently, in any order)."""
    deadline = time.monotonic() + DELIVERY_TIMEOUT
    while True:
        events = stripe_client().v1.events.list(params={"limit": 100})
        expected = {event.id for event in events.auto_paging_iter()}
        tried = set(
            StripeEvent.objects.filter(stripe_id__in=expected, attempts__gte=1).values_list(
                "stripe_id", flat=True
            )
        )
        if expected and tried == expected:
            break
        if time.monotonic() > deadline:
            pytest.fail(
                f"localstripe events not delivered: {sorted(expected - tried)}\n"
                f"inbox:\n{_inbox_summary()}\nlocalstripe log:\n{server.log_tail()}"
            )
        time.sleep(0.05)
    for event_id in StripeEvent.objects.filter(
        status__in=[StripeEvent.Status.PENDING, StripeEvent.Status.WAITING]
    ).values_list("pk", flat=True):
        stripe_event_process(event_id=event_id)
    # Every event was understood: applied, or deliberately ignored (customer.created, …).
    unhandled = StripeEvent.objects.exclude(
        status__in=[StripeEvent.Status.PROCESSED, StripeEvent.Status.IGNORED]
    )
    assert not unhandled.exists(), f"events not applied:\n{_inbox_summary()}"


def _card(client: stripe.StripeClient, customer_id: str, number: str) -> str:
    """Attach a card to the customer and make it the one invoices charge."""
    card = {"number": number, "exp_month": 12, "exp_year": 2035, "cvc": "123"}
    method = client.v1.payment_methods.create(params={"type": "card", "card": card})
    client.v1.payment_methods.attach(method.id, params={"customer": customer_id})
    client.v1.customers.update(
        customer_id, params={"invoice_settings": {"default_payment_method": method.id}}
    )
    return method.id


def _start_monthly_gift(client: stripe.StripeClient, supporter, amount_yen: int):
    customer = client.v1.customers.create(params={"email": supporter.email})
    _card(client, customer.id, GOOD_CARD)
    plan = client.v1.plans.create(
        params={
            "amount": amount_yen,
            "currency": "jpy",
            "interval": "month",
            "product": {"name": "毎月の寄付"},
        }
    )
    subscription = client.v1.subscriptions.create(
        params={
            "customer": customer.id,
            "items": [{"plan": plan.id}],
            "metadata": {"supporter_id": str(supporter.pk)},  # what our Checkout sets
        }
    )
    assert subscription.status == "active"
    return customer, subscription


# The live server thread reads what the test writes, so data is committed (transaction=True);
# serialized_rollback restores the migrated pages and content types afterwards.
live = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@live
def test_monthly_gift_lifecycle_create_pay_fail_cancel(stripe_local, supporter):
    client = stripe_client()
    started = time.monotonic()

    # 1. Subscribe with a good card: localstripe charges the first invoice at once.
    customer, subscription = _start_monthly_gift(client, supporter, amount_yen=1500)
    wait_for_delivery(stripe_local)

    recurring = RecurringDonation.objects.get()
    assert recurring.stripe_subscription_id == subscription.id
    assert recurring.status == RecurringDonation.Status.ACTIVE
    assert recurring.amount_yen == 1500 and isinstance(recurring.amount_yen, int)
    assert (recurring.supporter, recurring.stripe_customer_id) == (supporter, customer.id)
    assert recurring.next_payment_on is not None and recurring.failure_count == 0
    first = Donation.objects.get()  # exactly one row for the paid invoice
    assert first.stripe_invoice_id == subscription.latest_invoice
    assert (first.kind, first.method, first.amount_yen) == (
        Donation.Kind.MONTHLY,
        Donation.Method.CARD,
        1500,
    )
    assert (first.supporter, first.recurring) == (supporter, recurring)
    assert first.stripe_payment_intent_id.startswith("pi_")

    # 2. The card is replaced by one the issuer declines; the next invoice fails.
    _card(client, customer.id, DECLINED_AFTER_3DS_CARD)
    invoice = client.v1.invoices.create(
        params={"customer": customer.id, "subscription": subscription.id}
    )
    invoice = client.v1.invoices.pay(invoice.id)
    intent = client.v1.payment_intents.retrieve(invoice.payment_intent)
    assert intent.status == "requires_action"  # 3-D Secure first
    with pytest.raises(stripe.CardError, match="declined"):
        client.raw_request(  # localstripe's stand-in for the 3-D Secure page
            "post",
            f"/v1/payment_intents/{intent.id}/_authenticate",
            client_secret=intent.client_secret,
            success="true",
        )
    assert client.v1.subscriptions.retrieve(subscription.id).status == "past_due"
    wait_for_delivery(stripe_local)

    recurring.refresh_from_db()
    assert (recurring.status, recurring.failure_count) == (RecurringDonation.Status.PAST_DUE, 1)
    notices = OutgoingEmail.objects.filter(key__startswith=f"payment-failed:{invoice.id}:")
    assert [(n.to, n.supporter) for n in notices] == [("tsuki@example.jp", supporter)]
    assert Donation.objects.count() == 1  # nothing was paid

    # 3. Cancel.
    client.v1.subscriptions.cancel(subscription.id)
    wait_for_delivery(stripe_local)

    recurring.refresh_from_db()
    assert recurring.status == RecurringDonation.Status.CANCELLED
    assert recurring.cancelled_at is not None and recurring.next_payment_on is None
    assert Donation.objects.count() == 1
    assert OutgoingEmail.objects.filter(key__startswith="payment-failed:").count() == 1
    assert time.monotonic() - started < 20


# --- Older API shapes, without the server -------------------------------------------------------

T0 = 1_790_000_000


@pytest.fixture
def deliver(client, django_capture_on_commit_callbacks):
    counter = iter(range(1, 1000))

    def send(event_type: str, obj: dict, *, at: int) -> StripeEvent:
        payload = {
            "id": f"evt_shape_{next(counter)}",
            "object": "event",
            "type": event_type,
            "created": at,
            "livemode": False,
            "api_version": "2017-08-15",  # what localstripe reports
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
        event = StripeEvent.objects.get(stripe_id=payload["id"])
        assert event.status == StripeEvent.Status.PROCESSED, event.last_error
        return event

    return send


def _plan_subscription(supporter, *, amount: int, quantity: int = 1) -> dict:
    return {
        "id": "sub_old",
        "object": "subscription",
        "customer": "cus_old",
        "status": "active",
        "start_date": T0,
        "current_period_end": T0 + 30 * 86400,
        "items": {
            "data": [
                {
                    "object": "subscription_item",
                    "plan": {"object": "plan", "amount": amount, "currency": "jpy"},
                    "quantity": quantity,
                }
            ]
        },
        "metadata": {"supporter_id": str(supporter.pk)},
    }


@pytest.mark.django_db
def test_subscription_items_with_a_plan_instead_of_a_price_give_the_amount(deliver, supporter):
    deliver("customer.subscription.created", _plan_subscription(supporter, amount=1500), at=T0)
    assert RecurringDonation.objects.get().amount_yen == 1500

    changed = _plan_subscription(supporter, amount=1500, quantity=2)
    deliver("customer.subscription.updated", changed, at=T0 + 1)
    assert RecurringDonation.objects.get().amount_yen == 3000


@pytest.mark.django_db
def test_invoice_payment_succeeded_records_the_gift_once_alongside_invoice_paid(deliver, supporter):
    deliver("customer.subscription.created", _plan_subscription(supporter, amount=1500), at=T0)
    invoice = {
        "id": "in_old",
        "object": "invoice",
        "subscription": "sub_old",  # top level, as before `parent.subscription_details`
        "customer": "cus_old",
        "amount_paid": 1500,
        "payment_intent": "pi_old",
        "status_transitions": {"paid_at": T0 + 2},
    }
    deliver("invoice.payment_succeeded", invoice, at=T0 + 2)
    donation = Donation.objects.get()
    assert (donation.stripe_invoice_id, donation.amount_yen) == ("in_old", 1500)
    assert donation.recurring == RecurringDonation.objects.get()

    deliver("invoice.paid", invoice, at=T0 + 2)  # current Stripe sends both
    assert Donation.objects.count() == 1


def test_stripe_api_base_points_the_client_at_another_server(monkeypatch, settings):
    recorder = RecordingHTTPClient([(200, {"id": "cus_1", "object": "customer"})] * 2)
    monkeypatch.setattr(stripe_api, "http_client_override", recorder)
    settings.STRIPE_SECRET_KEY = API_KEY

    settings.STRIPE_API_BASE = ""
    stripe_client().v1.customers.retrieve("cus_1")
    settings.STRIPE_API_BASE = "http://127.0.0.1:8420"
    stripe_client().v1.customers.retrieve("cus_1")

    assert [r["host"] for r in recorder.requests] == ["api.stripe.com", "127.0.0.1:8420"]
