"""Stripe webhooks: verified on the raw body by the real stripe library, stored once, processed
idempotently and in any order. Events are built from Stripe's own shapes (tests/stripe_events.py).
"""

import json
import threading
import time

import pytest
from django.db import connection, connections
from django.test import Client, override_settings

from donations.models import Donation, StripeEvent
from donations.stripe_inbox import stripe_event_process
from members.models import Membership
from members.services import membership_start
from tests.members.factories import MembershipPlanFactory, SupporterFactory
from tests.stripe_events import (
    API_VERSION,
    SECRET,
    URL,
    charge,
    customer,
    dispute,
    post_signed,
    sign,
)
from tests.stripe_events import checkout_session as session
from tests.stripe_events import event as stripe_event

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("webhook_secret")]


@pytest.fixture
def webhook_secret():
    with override_settings(STRIPE_WEBHOOK_SECRET=SECRET):
        yield


def event(event_type, obj, *, event_id="evt_1", created=None):
    return stripe_event(event_type, obj, event_id=event_id, created=created)


def deliver(client, payload: dict, *, secret=SECRET, timestamp=None, body=None):
    body = body if body is not None else json.dumps(payload, ensure_ascii=False)
    return post_signed(client, body, secret=secret, timestamp=timestamp)


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """Deliver and run what the request queued on commit (the huey task, immediate in tests)."""

    def send(payload, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return deliver(client, payload, **kwargs)

    return send


def test_events_are_built_on_the_librarys_api_version():
    payload = event("checkout.session.completed", session())
    assert payload["api_version"] == API_VERSION == "2026-10-28.endive"
    assert (
        payload["object"] == "event" and payload["data"]["object"]["object"] == "checkout.session"
    )


def test_a_signed_checkout_event_records_one_donation(post):
    response = post(event("checkout.session.completed", session()))

    assert response.status_code == 200
    stored = StripeEvent.objects.get()
    assert (stored.stripe_id, stored.status) == ("evt_1", StripeEvent.Status.PROCESSED)
    donation = Donation.objects.get()
    assert donation.amount_yen == 5000 and isinstance(donation.amount_yen, int)
    assert (donation.kind, donation.method) == (Donation.Kind.ONE_OFF, Donation.Method.CARD)
    assert donation.stripe_checkout_session_id == "cs_test_1"
    assert donation.supporter.email == "hana@example.jp"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda payload: {"secret": "whsec_wrong"},
        lambda payload: {"timestamp": int(time.time()) - 301},  # outside the 300 s tolerance
        lambda payload: {"body": json.dumps({**payload, "id": "evt_forged"})},  # body changed
    ],
    ids=["wrong-secret", "too-old", "tampered-body"],
)
def test_bad_signatures_are_rejected_and_nothing_is_stored(client, tamper):
    payload = event("checkout.session.completed", session())
    extra = tamper(payload)
    if "body" in extra:  # sign the original, send another body
        header = sign(json.dumps(payload))
        response = client.post(
            URL, data=extra["body"], content_type="application/json", HTTP_STRIPE_SIGNATURE=header
        )
    else:
        response = deliver(client, payload, **extra)
    assert response.status_code == 400
    assert not StripeEvent.objects.exists() and not Donation.objects.exists()


def test_missing_signature_or_secret_is_rejected(client):
    body = json.dumps(event("checkout.session.completed", session()))
    assert client.post(URL, data=body, content_type="application/json").status_code == 400
    with override_settings(STRIPE_WEBHOOK_SECRET=""):
        assert deliver(client, json.loads(body)).status_code == 400
    assert client.get(URL).status_code == 405
    assert not StripeEvent.objects.exists()


def test_duplicate_deliveries_store_one_event_and_one_donation(post):
    payload = event("checkout.session.completed", session())
    responses = [post(payload) for _ in range(3)]
    assert [r.content for r in responses] == [b"stored", b"duplicate", b"duplicate"]
    assert StripeEvent.objects.count() == 1 and Donation.objects.count() == 1


def test_two_events_for_the_same_session_make_one_donation(post):
    post(event("checkout.session.completed", session(), event_id="evt_a"))
    post(event("checkout.session.async_payment_succeeded", session(), event_id="evt_b"))
    assert StripeEvent.objects.count() == 2 and Donation.objects.count() == 1


def test_konbini_is_recorded_only_when_paid(post):
    post(event("checkout.session.completed", session(payment_status="unpaid"), event_id="e1"))
    assert not Donation.objects.exists()
    post(event("checkout.session.async_payment_succeeded", session(), event_id="e2"))
    assert Donation.objects.get().method == Donation.Method.KONBINI


def test_metadata_links_supporter_campaign_and_membership(post, home_page):
    supporter = SupporterFactory()
    membership = membership_start(supporter=supporter, plan=MembershipPlanFactory(amount_yen=3000))
    metadata = {
        "supporter_id": str(supporter.pk),
        "membership_id": str(membership.pk),
        "campaign_id": str(home_page.pk),
        "message": "応援しています",
        "show_name": "true",
    }
    post(event("checkout.session.completed", session(amount_total=3000, metadata=metadata)))

    donation = Donation.objects.get()
    # A membership fee never counts towards a campaign, whatever the metadata says.
    assert (donation.supporter, donation.membership, donation.campaign_id) == (
        supporter,
        membership,
        None,
    )
    assert donation.kind == Donation.Kind.MEMBERSHIP and donation.show_name
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE and membership.renews_on


def test_a_refund_arriving_before_its_payment_waits_and_then_applies(post):
    post(event("charge.refunded", charge(amount_refunded=2000), event_id="evt_refund"))
    refund_event = StripeEvent.objects.get(stripe_id="evt_refund")
    assert refund_event.status == StripeEvent.Status.WAITING
    assert refund_event.waiting_for == "payment_intent:pi_1"
    assert refund_event.last_error.startswith("waiting: ")

    # The payment's event wakes the refund at once: no sweep needed.
    post(event("checkout.session.completed", session(), event_id="evt_paid"))

    assert Donation.objects.get().refunded_yen == 2000
    refund_event.refresh_from_db()
    assert refund_event.status == StripeEvent.Status.PROCESSED


def test_refunds_never_go_backwards(post):
    post(event("checkout.session.completed", session(), event_id="evt_paid"))
    newer = charge(amount_refunded=5000)
    older = charge(amount_refunded=1000)
    post(event("charge.refunded", newer, event_id="evt_full"))
    post(event("charge.refunded", older, event_id="evt_partial"))  # delivered late
    assert Donation.objects.get().refunded_yen == 5000


def test_unknown_events_are_kept_and_marked_ignored(post):
    post(event("customer.created", customer()))
    assert StripeEvent.objects.get().status == StripeEvent.Status.IGNORED


def test_processing_twice_changes_nothing(post):
    post(event("checkout.session.completed", session()))
    stored = StripeEvent.objects.get()
    assert stripe_event_process(event_id=stored.pk) == StripeEvent.Status.PROCESSED
    assert Donation.objects.count() == 1


# serialized_rollback: an earlier transactional test's flush also emptied content types.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_concurrent_deliveries_create_exactly_one_donation_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is checked on PostgreSQL")
    body = json.dumps(event("checkout.session.completed", session()), ensure_ascii=False)
    barrier = threading.Barrier(10)
    statuses, errors = [], []

    def worker():
        try:
            header = sign(body)
            barrier.wait()
            response = Client().post(
                URL,
                data=body.encode(),
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=header,
            )
            statuses.append(response.status_code)
        except Exception as exc:  # re-raised below in the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors and statuses == [200] * 10
    assert StripeEvent.objects.count() == 1
    assert Donation.objects.count() == 1
    assert StripeEvent.objects.get().status == StripeEvent.Status.PROCESSED


def test_a_dispute_flags_the_gift_once(post):
    post(event("checkout.session.completed", session(), event_id="evt_paid"))
    post(event("charge.dispute.created", dispute(reason="fraudulent"), event_id="evt_d1"))
    post(event("charge.dispute.created", dispute(reason="duplicate"), event_id="evt_d2"))
    donation = Donation.objects.get()
    assert donation.disputed_at is not None and donation.dispute_reason == "fraudulent"


def test_a_failing_handler_leaves_no_rows_and_records_the_attempt(post, monkeypatch):
    import donations.services as services

    def broken(**kwargs):
        raise RuntimeError("membership table on fire")

    monkeypatch.setattr(services, "membership_record_payment", broken)
    supporter = SupporterFactory()
    membership = membership_start(supporter=supporter, plan=MembershipPlanFactory(amount_yen=3000))
    metadata = {"supporter_id": str(supporter.pk), "membership_id": str(membership.pk)}
    post(event("checkout.session.completed", session(amount_total=3000, metadata=metadata)))

    stored = StripeEvent.objects.get()
    assert stored.status == StripeEvent.Status.PENDING and stored.attempts == 1
    assert stored.last_error == "RuntimeError: membership table on fire"
    assert not Donation.objects.exists()  # the donation insert was rolled back with the handler

    monkeypatch.undo()
    assert stripe_event_process(event_id=stored.pk) == StripeEvent.Status.PROCESSED
    stored.refresh_from_db()
    assert stored.attempts == 2 and stored.last_error == ""
    assert Donation.objects.get().membership == membership


def test_ledger_rows_are_kept_out_of_wagtails_reference_index(post, home_page):
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import ReferenceIndex

    metadata = {"campaign_id": str(home_page.pk)}
    post(event("checkout.session.completed", session(metadata=metadata)))
    assert Donation.objects.get().campaign_id == home_page.pk
    ledger_types = ContentType.objects.get_for_models(Donation, StripeEvent).values()
    assert not ReferenceIndex.objects.filter(base_content_type__in=ledger_types).exists()
    assert not ReferenceIndex.objects.filter(content_type__in=ledger_types).exists()


def test_a_new_donors_first_gift_skips_the_empty_reference_index_update(post):
    """The supporters' admin tracks them in Wagtail's reference index, but a new supporter links
    to nothing it indexes: creating one from a webhook runs no index update."""
    from django.test.utils import CaptureQueriesContext
    from wagtail.models import ReferenceIndex

    from members.models import Supporter

    ReferenceIndex.register_model(Supporter)  # as the admin's viewset does (idempotent)
    assert Supporter in ReferenceIndex.tracked_models
    with CaptureQueriesContext(connection) as captured:
        post(event("checkout.session.completed", session()))
    assert Donation.objects.get().supporter.email == "hana@example.jp"
    assert not [q for q in captured.captured_queries if "wagtailcore_referenceindex" in q["sql"]]


def test_old_finished_events_lose_the_donors_personal_data(post):
    from donations.services import stripe_event_payload_prune

    post(event("checkout.session.completed", session(), event_id="evt_old"))
    post(event("customer.created", customer(), event_id="evt_ign"))
    refund = charge(charge_id="ch_x", payment_intent="pi_none", amount_refunded=1)
    post(event("charge.refunded", refund, event_id="evt_waiting"))  # still waiting
    new = session(id="cs_new", payment_intent="pi_new")
    post(event("checkout.session.completed", new, event_id="evt_new"))
    long_ago = "2000-01-01T00:00:00Z"
    StripeEvent.objects.exclude(stripe_id="evt_new").update(received_at=long_ago)

    assert stripe_event_payload_prune() == 2
    old = StripeEvent.objects.get(stripe_id="evt_old")
    assert "@" not in json.dumps(old.payload)  # the e-mail Stripe collected is gone
    assert old.payload["data"]["object"]["id"] == "cs_test_1"
    assert old.payload["pruned"] is True
    assert (
        "customer_details" in StripeEvent.objects.get(stripe_id="evt_new").payload["data"]["object"]
    )
    assert (
        StripeEvent.objects.get(stripe_id="evt_waiting").payload["data"]["object"]["payment_intent"]
        == "pi_none"
    )
    assert stripe_event_payload_prune() == 0  # idempotent
