"""The Stripe webhook inbox: intake, processing, waiting events, staff retries, reconciliation.

Webhooks are verified on the raw body, stored once (unique event id) and processed by a task.
Processing is idempotent and order-independent (donations/webhooks.py). An event ends as:

- PROCESSED, or IGNORED (no handler, or no usable key: never applied to anything; the reason is
  kept in `last_error`);
- WAITING when it refers to an object not recorded yet (events arrive out of order): retried with
  exponential back-off for at least as long as Stripe itself retries (3 days after it arrived),
  and woken at once when a later event records what it waits for;
- NEEDS_REVIEW when it cannot be applied as sent (e.g. a JPY amount with decimals): nothing is
  booked and it is not retried until staff press "Retry now";
- FAILED after repeated errors, or after waiting past the window. Staff can retry it.
"""

import datetime
import json
import logging
from dataclasses import dataclass

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import RecurringDonation, StripeEvent
from .services import (
    EventIgnored,
    EventNeedsReview,
    EventNotReady,
    WebhookRejected,
)
from .stripe_api import stripe_client
from .stripe_shapes import event_provides
from .webhooks import EVENT_HANDLERS, recurring_donation_sync

logger = logging.getLogger(__name__)

WEBHOOK_TOLERANCE_SECONDS = 300
# Stripe's objects are a few levels deep; anything far deeper is not a genuine event.
MAX_EVENT_DEPTH = 64
MAX_EVENT_ATTEMPTS = 10  # for errors (a bug or bad data); waiting has its own window
# Stripe retries an undelivered webhook for up to 3 days; an event waiting for another one is
# kept at least that long before it is given up.
WAIT_WINDOW = datetime.timedelta(days=3)
WAIT_FIRST_DELAY = datetime.timedelta(minutes=1)
WAIT_MAX_DELAY = datetime.timedelta(minutes=30)
RUNNABLE = (StripeEvent.Status.PENDING, StripeEvent.Status.WAITING)
RETRYABLE = (*RUNNABLE, StripeEvent.Status.NEEDS_REVIEW, StripeEvent.Status.FAILED)


# --- Intake ------------------------------------------------------------------------------------


def stripe_event_receive(*, payload: bytes, signature: str | None) -> tuple[StripeEvent, bool]:
    """Verify a webhook on its raw body and store it once. Returns (event, created).

    Raises WebhookRejected for anything that is not a genuine, recent, well-formed Stripe event.
    """
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise WebhookRejected("STRIPE_WEBHOOK_SECRET is not configured")
    try:
        stripe.WebhookSignature.verify_header(payload, signature, secret, WEBHOOK_TOLERANCE_SECONDS)
        data = json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise WebhookRejected(str(exc)) from exc
    except RecursionError as exc:  # a signed but absurdly nested body: refuse, do not crash
        raise WebhookRejected("body nested too deeply") from exc
    return stripe_event_store(data=data)


def _depth_exceeds(value, limit: int) -> bool:
    """Whether JSON data nests deeper than `limit` (iterative: no recursion on hostile input)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def stripe_event_store(*, data: dict) -> tuple[StripeEvent, bool]:
    """Put an authentic event (a verified webhook, or one fetched from the API by reconciliation)
    in the inbox once, and queue its processing after commit. Returns (event, created)."""
    from .tasks import stripe_event_handle  # tasks.py imports this module

    try:
        stripe_id, event_type, created = data["id"], data["type"], int(data["created"])
        obj = data["data"]["object"]
    except (KeyError, TypeError, ValueError) as exc:
        raise WebhookRejected(f"malformed event: {exc!r}") from exc
    if not (isinstance(stripe_id, str) and stripe_id and isinstance(event_type, str)):
        raise WebhookRejected("malformed event: no event id or type")
    if not isinstance(obj, dict):
        raise WebhookRejected("malformed event: data.object is not an object")
    if _depth_exceeds(data, MAX_EVENT_DEPTH):
        raise WebhookRejected("malformed event: nested too deeply")
    try:
        with transaction.atomic():
            event = StripeEvent.objects.create(
                stripe_id=stripe_id,
                type=event_type,
                stripe_created=datetime.datetime.fromtimestamp(created, tz=datetime.UTC),
                livemode=bool(data.get("livemode")),
                payload=data,
            )
    except IntegrityError:
        return StripeEvent.objects.get(stripe_id=stripe_id), False
    transaction.on_commit(lambda: stripe_event_handle(event.pk))
    return event, True


# --- Processing --------------------------------------------------------------------------------


def stripe_event_process(*, event_id: int) -> str:
    """Apply one stored event. Safe to run twice or concurrently: the row lock lets one run win
    and the others see it processed. Returns the event's status afterwards.

    The handler and the "processed" mark commit together. If the handler raises, its writes are
    rolled back whole and the outcome (waiting, ignored, needs review, error) is recorded in a
    second, short transaction (no savepoint on the common, successful path)."""
    try:
        with transaction.atomic():
            event = StripeEvent.objects.select_for_update().filter(pk=event_id).first()
            if event is None:
                return StripeEvent.Status.FAILED
            if event.status not in RUNNABLE:
                return event.status
            handler = EVENT_HANDLERS.get(event.type)
            obj = event.payload["data"]["object"]
            if handler is None:
                event.status = StripeEvent.Status.IGNORED
            else:
                handler(obj, event)
                event.status = StripeEvent.Status.PROCESSED
                stripe_events_wake(keys=event_provides(obj), exclude_id=event.pk)
            event.attempts += 1
            event.processed_at = timezone.now()
            event.last_error = ""
            event.waiting_for = ""
            event.next_attempt_at = None
            event.save(
                update_fields=[
                    "status",
                    "attempts",
                    "processed_at",
                    "last_error",
                    "waiting_for",
                    "next_attempt_at",
                ]
            )
            return event.status
    except EventNotReady as exc:
        return _stripe_event_wait(event_id=event_id, reason=str(exc), waiting_for=exc.waiting_for)
    except EventIgnored as exc:
        return _stripe_event_settle(
            event_id=event_id, status=StripeEvent.Status.IGNORED, note=f"ignored: {exc}"
        )
    except EventNeedsReview as exc:
        # Not retried: the same payload would fail the same way. Nothing was booked (rolled back).
        logger.warning("Stripe event %s needs review: %s", event_id, exc)
        return _stripe_event_settle(
            event_id=event_id, status=StripeEvent.Status.NEEDS_REVIEW, note=f"needs review: {exc}"
        )
    except Exception as exc:  # a bug or bad data: keep the event, record why, retry later
        logger.exception("Stripe event %s failed", event_id)
        return _stripe_event_attempt_failed(event_id=event_id, error=f"{type(exc).__name__}: {exc}")


def _locked_runnable(event_id: int) -> StripeEvent | None:
    event = StripeEvent.objects.select_for_update().filter(pk=event_id).first()
    return event if event is not None and event.status in RUNNABLE else None


def _stripe_event_settle(*, event_id: int, status: str, note: str) -> str:
    with transaction.atomic():
        event = _locked_runnable(event_id)
        if event is None:  # gone, or another run finished it meanwhile
            return StripeEvent.objects.filter(pk=event_id).values_list("status", flat=True).first()
        event.attempts += 1
        event.status = status
        event.last_error = note[:2000]
        event.processed_at = timezone.now()
        event.waiting_for = ""
        event.next_attempt_at = None
        event.save()
        return event.status


def _wait_delay(attempts: int) -> datetime.timedelta:
    """Exponential back-off: 1, 2, 4 … minutes, at most 30 (a missed wake-up costs that much)."""
    return min(WAIT_FIRST_DELAY * 2 ** min(max(attempts - 1, 0), 16), WAIT_MAX_DELAY)


def _stripe_event_wait(*, event_id: int, reason: str, waiting_for: str) -> str:
    with transaction.atomic():
        event = _locked_runnable(event_id)
        if event is None:
            return StripeEvent.objects.filter(pk=event_id).values_list("status", flat=True).first()
        now = timezone.now()
        event.attempts += 1
        event.waiting_for = waiting_for[:255]
        if now - event.received_at >= WAIT_WINDOW:
            event.status = StripeEvent.Status.FAILED
            event.next_attempt_at = None
            event.last_error = f"gave up waiting after {WAIT_WINDOW.days} days: {reason}"[:2000]
        else:
            event.status = StripeEvent.Status.WAITING
            event.next_attempt_at = now + _wait_delay(event.attempts)
            event.last_error = f"waiting: {reason}"[:2000]
            if event.attempts == 1:
                # The awaited object may have been committed, and its wake-up run, between our
                # handler's look-up and this commit: look once more so that wake-up is not lost.
                # Later waits rely on the wake-up and the sweeper's back-off.
                from .tasks import stripe_event_handle  # tasks import this module

                transaction.on_commit(lambda: stripe_event_handle(event_id))
        event.save()
        return event.status


def _stripe_event_attempt_failed(*, event_id: int, error: str) -> str:
    with transaction.atomic():
        event = _locked_runnable(event_id)
        if event is None:
            return StripeEvent.objects.filter(pk=event_id).values_list("status", flat=True).first()
        event.attempts += 1
        event.last_error = error[:2000]
        # An error is retried by the sweeper (every minute) up to MAX_EVENT_ATTEMPTS times.
        event.status = (
            StripeEvent.Status.FAILED
            if event.attempts >= MAX_EVENT_ATTEMPTS
            else StripeEvent.Status.PENDING
        )
        event.waiting_for = ""
        event.next_attempt_at = None
        event.save()
        return event.status


def stripe_events_wake(*, keys: set[str], exclude_id: int | None = None) -> None:
    """Once the current transaction commits, queue the events waiting for any of `keys` (e.g.
    "subscription:sub_1"), and make them due now so a lost task is picked up by the next sweep.

    Called in the transaction that recorded the object. The look-up runs after the commit: the
    recording transaction takes no lock on other events (no deadlock with one being processed),
    and an event that started waiting meanwhile is still found."""
    from .tasks import stripe_event_handle  # tasks.py imports this module

    keys = {key for key in keys if key and not key.endswith(":")}  # never wake on an empty id
    if not keys:
        return

    def wake():
        waiting = StripeEvent.objects.filter(
            status=StripeEvent.Status.WAITING, waiting_for__in=keys
        ).exclude(pk=exclude_id)
        ids = list(waiting.values_list("pk", flat=True)[:1000])
        if ids:
            StripeEvent.objects.filter(pk__in=ids, status=StripeEvent.Status.WAITING).update(
                next_attempt_at=timezone.now()
            )
        for pk in ids:
            stripe_event_handle(pk)

    transaction.on_commit(wake)


def stripe_event_pending_ids(
    *, older_than: datetime.timedelta = datetime.timedelta(minutes=1)
) -> list[int]:
    """What the sweeper queues: PENDING events whose task seems lost (older than a minute) and
    WAITING events whose next attempt is due."""
    now = timezone.now()
    pending = StripeEvent.objects.filter(
        status=StripeEvent.Status.PENDING, received_at__lt=now - older_than
    ).values_list("pk", flat=True)[:1000]
    due = (
        StripeEvent.objects.filter(status=StripeEvent.Status.WAITING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:1000]
    )
    return [*pending, *due]


def stripe_event_retry(*, event_id: int) -> StripeEvent:
    """Staff's "Retry now": make a waiting, failed or flagged event pending and queue it."""
    from .tasks import stripe_event_handle  # tasks.py imports this module

    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().get(pk=event_id)
        if event.status not in RETRYABLE:
            raise ValueError(f"event {event.stripe_id} is {event.status}, not retryable")
        event.status = StripeEvent.Status.PENDING
        event.next_attempt_at = None
        event.save(update_fields=["status", "next_attempt_at"])
        transaction.on_commit(lambda: stripe_event_handle(event.pk))
    return event


# --- Reconciliation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReconcileResult:
    events_seen: int
    events_added: int
    subscriptions_synced: int


def _as_json(stripe_object) -> dict:
    """An API object as the plain JSON a webhook carries: the library turns `*_decimal` strings
    (e.g. `unit_amount_decimal`) into Decimal, which the inbox's JSON field cannot store."""
    return json.loads(json.dumps(stripe_object.to_dict(), default=str))


def stripe_reconcile(*, since: datetime.datetime) -> ReconcileResult:
    """Heal what missed webhooks left behind: store every Stripe event since `since` that the
    inbox lacks (the normal handlers then apply it), and bring each monthly gift in line with
    its subscription as Stripe has it now. Safe to run as often as you like."""
    client = stripe_client()
    seen = added = synced = 0
    events = client.v1.events.list(
        params={"created": {"gte": int(since.timestamp())}, "limit": 100}
    )
    for stripe_event in events.auto_paging_iter():
        seen += 1
        _event, created = stripe_event_store(data=_as_json(stripe_event))
        added += created
    now = timezone.now()
    subscriptions = client.v1.subscriptions.list(params={"status": "all", "limit": 100})
    for subscription in subscriptions.auto_paging_iter():
        data = _as_json(subscription)
        metadata = data.get("metadata") or {}
        subscription_id = data.get("id") or ""
        known = (
            bool(subscription_id)
            and RecurringDonation.objects.filter(stripe_subscription_id=subscription_id).exists()
        )
        if known or metadata.get("supporter_id") or metadata.get("checkout_request"):
            try:
                with transaction.atomic():
                    recurring_donation_sync(subscription=data, as_of=now)
                    stripe_events_wake(keys=event_provides(data))  # events waiting for it
                synced += 1
            except (EventNotReady, EventIgnored, EventNeedsReview) as exc:
                logger.warning("Subscription %s not synced: %s", subscription_id or "?", exc)
    return ReconcileResult(events_seen=seen, events_added=added, subscriptions_synced=synced)
