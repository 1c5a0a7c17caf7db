"""Money rules: recording gifts, refunds and Stripe webhook events.

Webhooks are verified on the raw body, stored once in the inbox (unique event id), and processed
by a task. Processing is idempotent and order-independent: every ledger row has a unique Stripe
business key, refunds only ever grow, and an event that arrives before the object it refers to
is retried later instead of failing.
"""

import datetime
import json
import logging
from dataclasses import dataclass

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from campaigns.services import campaign_progress_invalidate
from campaigns.tasks import donation_thank
from home.mail import email_queue
from home.models import OutgoingEmail
from members.models import AccessToken, Membership, Supporter
from members.normalise import normalise_email
from members.services import (
    access_token_issue,
    membership_record_payment,
    supporter_find_duplicate,
)

from .models import CheckoutRequest, Donation, RecurringDonation, StripeEvent
from .stripe_api import stripe_client, stripe_configured

logger = logging.getLogger(__name__)

WEBHOOK_TOLERANCE_SECONDS = 300
MAX_EVENT_ATTEMPTS = 10


class WebhookRejected(Exception):
    """The request is not a genuine Stripe event for us (bad signature, stale, malformed)."""


class EventNotReady(Exception):
    """The event refers to something not recorded yet (events arrive out of order): retry later."""


class EventNeedsReview(Exception):
    """The event cannot be applied as sent (e.g. a JPY amount with decimals): staff must look."""


def stripe_amount_yen(value, *, currency: str | None = "jpy") -> int:
    """A Stripe amount as whole yen; raises EventNeedsReview for anything else (decimals, strings,
    bools, negatives, another currency).

    JPY is zero-decimal at Stripe: an amount is a plain integer of yen, never 1000.5 or "1000".
    `currency=None` means the object states none (older shapes); the amount is still checked.
    """
    if currency is not None and str(currency).lower() != "jpy":
        raise EventNeedsReview(f"currency {currency!r} is not JPY (amount {value!r})")
    if isinstance(value, bool) or not isinstance(value, int):
        raise EventNeedsReview(f"amount {value!r} is not a whole number of yen")
    if value < 0:
        raise EventNeedsReview(f"amount {value!r} is negative")
    return value


# --- The ledger --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StripeKeys:
    checkout_session_id: str | None = None
    payment_intent_id: str | None = None
    invoice_id: str | None = None
    charge_id: str = ""


def donation_record(
    *,
    supporter: Supporter,
    kind: str,
    method: str,
    amount_yen: int,
    paid_at: datetime.datetime,
    stripe_keys: StripeKeys | None = None,
    campaign_id: int | None = None,
    membership: Membership | None = None,
    message: str = "",
    show_name: bool = False,
    show_amount: bool = False,
    recorded_by=None,
    note: str = "",
) -> tuple[Donation, bool]:
    """Add one payment to the ledger, once. Returns (donation, created).

    A second call with the same Stripe session, payment intent or invoice returns the existing row:
    duplicate or concurrent webhook deliveries can never create two donations.
    """
    if not isinstance(amount_yen, int) or isinstance(amount_yen, bool) or amount_yen <= 0:
        raise ValueError("amount_yen must be a positive whole number of yen")
    keys = stripe_keys or StripeKeys()
    # Insert first: duplicates are rare (the inbox already drops repeated events), so the unique
    # business keys settle the race instead of a look-up before every insert.
    try:
        with transaction.atomic():
            donation = Donation.objects.create(
                supporter=supporter,
                kind=kind,
                method=method,
                amount_yen=amount_yen,
                paid_at=paid_at,
                campaign_id=campaign_id,
                membership=membership,
                message=message,
                show_name=show_name,
                show_amount=show_amount,
                stripe_checkout_session_id=keys.checkout_session_id,
                stripe_payment_intent_id=keys.payment_intent_id,
                stripe_invoice_id=keys.invoice_id,
                stripe_charge_id=keys.charge_id,
                recorded_by=recorded_by,
                note=note,
            )
    except IntegrityError:
        # Another event (or delivery) already recorded this payment.
        existing = _donation_by_keys(keys)
        if existing is None:
            raise
        return existing, False
    if membership is not None:
        membership_record_payment(membership=membership, paid_at=paid_at)
    # Campaigns: fresh progress, and one thank-you e-mail per gift (campaigns/thanks.py).
    transaction.on_commit(lambda: campaign_progress_invalidate(campaign_id=campaign_id))
    transaction.on_commit(lambda: donation_thank(donation.pk))
    return donation, True


def _donation_by_keys(keys: StripeKeys) -> Donation | None:
    match = Q()
    for field, value in (
        ("stripe_checkout_session_id", keys.checkout_session_id),
        ("stripe_payment_intent_id", keys.payment_intent_id),
        ("stripe_invoice_id", keys.invoice_id),
    ):
        if value:
            match |= Q(**{field: value})
    return Donation.objects.filter(match).first() if match else None


def donation_refund(*, donation: Donation, refunded_total_yen: int) -> Donation:
    """Set the refunded total (Stripe reports it cumulatively). It never decreases, so a late,
    older refund event cannot undo a newer one."""
    with transaction.atomic():
        donation = Donation.objects.select_for_update().get(pk=donation.pk)
        total = min(max(donation.refunded_yen, refunded_total_yen), donation.amount_yen)
        if total != donation.refunded_yen:
            donation.refunded_yen = total
            donation.save(update_fields=["refunded_yen"])
            campaign_id = donation.campaign_id
            transaction.on_commit(lambda: campaign_progress_invalidate(campaign_id=campaign_id))
        return donation


# --- Webhook intake ----------------------------------------------------------------------------


def stripe_event_receive(*, payload: bytes, signature: str | None) -> tuple[StripeEvent, bool]:
    """Verify a webhook on its raw body and store it once. Returns (event, created).

    Raises WebhookRejected for anything that is not a genuine, recent Stripe event.
    """
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise WebhookRejected("STRIPE_WEBHOOK_SECRET is not configured")
    try:
        stripe.WebhookSignature.verify_header(payload, signature, secret, WEBHOOK_TOLERANCE_SECONDS)
        data = json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise WebhookRejected(str(exc)) from exc
    return stripe_event_store(data=data)


def stripe_event_store(*, data: dict) -> tuple[StripeEvent, bool]:
    """Put an authentic event (a verified webhook, or one fetched from the API by reconciliation)
    in the inbox once, and queue its processing after commit. Returns (event, created)."""
    from .tasks import stripe_event_handle

    try:
        stripe_id, event_type, created = data["id"], data["type"], int(data["created"])
    except (KeyError, TypeError, ValueError) as exc:
        raise WebhookRejected(f"malformed event: {exc}") from exc
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


def stripe_event_process(*, event_id: int) -> str:
    """Apply one stored event. Safe to run twice or concurrently: the row lock lets one run win
    and the others see it processed. Returns the event's status afterwards.

    The handler and the "processed" mark commit together. If the handler fails, its writes are
    rolled back whole and the failed attempt is recorded in a second, short transaction (no
    savepoint on the common, successful path)."""
    try:
        with transaction.atomic():
            event = StripeEvent.objects.select_for_update().filter(pk=event_id).first()
            if event is None:
                return StripeEvent.Status.FAILED
            if event.status != StripeEvent.Status.PENDING:
                return event.status
            handler = EVENT_HANDLERS.get(event.type)
            if handler is None:
                event.status = StripeEvent.Status.IGNORED
            else:
                handler(event.payload["data"]["object"], event)
                event.status = StripeEvent.Status.PROCESSED
            event.attempts += 1
            event.processed_at = timezone.now()
            event.last_error = ""
            event.save(update_fields=["status", "attempts", "processed_at", "last_error"])
            return event.status
    except EventNotReady as exc:
        error = f"not ready: {exc}"
    except EventNeedsReview as exc:
        # Not retried: the same payload would fail the same way. Nothing was booked (rolled back).
        return _stripe_event_needs_review(event_id=event_id, reason=str(exc))
    except Exception as exc:  # a bug or bad data: keep the event, record why, retry later
        logger.exception("Stripe event %s failed", event_id)
        error = f"{type(exc).__name__}: {exc}"
    return _stripe_event_attempt_failed(event_id=event_id, error=error)


def _stripe_event_needs_review(*, event_id: int, reason: str) -> str:
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().filter(pk=event_id).first()
        if event is None:
            return StripeEvent.Status.FAILED
        if event.status != StripeEvent.Status.PENDING:
            return event.status
        event.attempts += 1
        event.status = StripeEvent.Status.NEEDS_REVIEW
        event.last_error = f"needs review: {reason}"[:2000]
        event.processed_at = timezone.now()
        event.save(update_fields=["status", "attempts", "last_error", "processed_at"])
        logger.warning("Stripe event %s needs review: %s", event.stripe_id, reason)
        return event.status


def _stripe_event_attempt_failed(*, event_id: int, error: str) -> str:
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().filter(pk=event_id).first()
        if event is None:
            return StripeEvent.Status.FAILED
        if event.status != StripeEvent.Status.PENDING:
            return event.status  # another run processed it meanwhile
        event.attempts += 1
        event.last_error = error[:2000]
        if event.attempts >= MAX_EVENT_ATTEMPTS:
            event.status = StripeEvent.Status.FAILED
        event.save(update_fields=["status", "attempts", "last_error"])
        return event.status


# Stripe events carry the donor's name, e-mail and address. Once processed (or ignored) and past
# the reconcile window, only what an audit needs is kept.
EVENT_PAYLOAD_RETENTION = datetime.timedelta(days=90)


def stripe_event_payload_prune(*, older_than: datetime.timedelta = EVENT_PAYLOAD_RETENTION) -> int:
    """Replace the payloads of old, finished events by their ids and types. Returns how many."""
    finished = [StripeEvent.Status.PROCESSED, StripeEvent.Status.IGNORED]
    old = (
        StripeEvent.objects.filter(status__in=finished, received_at__lt=timezone.now() - older_than)
        .exclude(payload__has_key="pruned")
        .only("pk", "type", "payload")
    )
    pruned = 0
    for batch in _chunks(old.iterator(chunk_size=500), 500):
        for event in batch:
            obj = (event.payload.get("data") or {}).get("object") or {}
            event.payload = {
                "pruned": True,
                "id": event.payload.get("id"),
                "type": event.type,
                "data": {"object": {"id": obj.get("id"), "object": obj.get("object")}},
            }
        StripeEvent.objects.bulk_update(batch, ["payload"])
        pruned += len(batch)
    return pruned


def _chunks(items, size: int):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def stripe_event_pending_ids(
    *, older_than: datetime.timedelta = datetime.timedelta(minutes=1)
) -> list[int]:
    cutoff = timezone.now() - older_than
    return list(
        StripeEvent.objects.filter(
            status=StripeEvent.Status.PENDING, received_at__lt=cutoff
        ).values_list("pk", flat=True)[:1000]
    )


# --- Event handlers ----------------------------------------------------------------------------


def _supporter_for_checkout(session: dict) -> Supporter:
    """The donor: the supporter our donate form created (metadata), else found or created by
    the e-mail Stripe collected."""
    metadata = session.get("metadata") or {}
    if metadata.get("supporter_id"):
        found = Supporter.objects.filter(pk=metadata["supporter_id"]).first()
        if found:
            return found
    details = session.get("customer_details") or {}
    email = normalise_email(details.get("email") or session.get("customer_email") or "")
    found = supporter_find_duplicate(email=email) if email else None
    if found:
        return found
    return Supporter.objects.create(
        family_name=(details.get("name") or "")[:50],
        email=email,
        status=Supporter.Status.ACTIVE,
        source=Supporter.Source.WEB,
    )


def _checkout_paid(session: dict, event: StripeEvent, *, method: str) -> None:
    if session.get("mode") != "payment" or session.get("payment_status") != "paid":
        return  # konbini: paid later (async_payment_succeeded); subscriptions: invoice.paid
    metadata = session.get("metadata") or {}
    membership = None
    if metadata.get("membership_id"):
        membership = Membership.objects.filter(pk=metadata["membership_id"]).first()
    donation_record(
        supporter=_supporter_for_checkout(session),
        kind=Donation.Kind.MEMBERSHIP if membership else Donation.Kind.ONE_OFF,
        method=method,
        amount_yen=int(session["amount_total"]),
        paid_at=event.stripe_created,
        stripe_keys=StripeKeys(
            checkout_session_id=session["id"],
            payment_intent_id=session.get("payment_intent") or None,
        ),
        campaign_id=int(metadata["campaign_id"]) if metadata.get("campaign_id") else None,
        membership=membership,
        message=metadata.get("message", ""),
        show_name=metadata.get("show_name") == "true",
        show_amount=metadata.get("show_amount") == "true",
    )


def _checkout_session_completed(session: dict, event: StripeEvent) -> None:
    # Konbini is always asynchronous, so a session paid on completion was paid by card.
    _checkout_paid(session, event, method=Donation.Method.CARD)


def _checkout_async_payment_succeeded(session: dict, event: StripeEvent) -> None:
    _checkout_paid(session, event, method=Donation.Method.KONBINI)


def _charge_refunded(charge: dict, event: StripeEvent) -> None:
    payment_intent = charge.get("payment_intent")
    donation = Donation.objects.filter(stripe_payment_intent_id=payment_intent).first()
    if donation is None and charge.get("invoice"):
        donation = Donation.objects.filter(stripe_invoice_id=charge["invoice"]).first()
    if donation is None:
        raise EventNotReady(f"no donation for payment intent {payment_intent}")
    donation_refund(donation=donation, refunded_total_yen=int(charge["amount_refunded"]))


def _charge_dispute_created(dispute: dict, event: StripeEvent) -> None:
    """A card holder disputed a payment: flag the gift for Finance (the money may be taken back)."""
    donation = (
        Donation.objects.filter(
            stripe_payment_intent_id=dispute.get("payment_intent") or "-"
        ).first()
        or Donation.objects.filter(stripe_charge_id=dispute.get("charge") or "-").first()
    )
    if donation is None:
        raise EventNotReady(f"no donation for disputed charge {dispute.get('charge')}")
    if donation.disputed_at is None:
        Donation.objects.filter(pk=donation.pk).update(
            disputed_at=event.stripe_created, dispute_reason=(dispute.get("reason") or "")[:50]
        )


# --- Monthly gifts (subscriptions) -------------------------------------------------------------

SUBSCRIPTION_STATUS = {
    "incomplete": RecurringDonation.Status.INCOMPLETE,
    "trialing": RecurringDonation.Status.ACTIVE,
    "active": RecurringDonation.Status.ACTIVE,
    "past_due": RecurringDonation.Status.PAST_DUE,
    "unpaid": RecurringDonation.Status.PAST_DUE,
    "paused": RecurringDonation.Status.PAST_DUE,
    "canceled": RecurringDonation.Status.CANCELLED,
    "incomplete_expired": RecurringDonation.Status.CANCELLED,
}


def _timestamp(value) -> datetime.datetime | None:
    return datetime.datetime.fromtimestamp(int(value), tz=datetime.UTC) if value else None


def _item_unit_amount(item: dict) -> int:
    # Current API: item.price.unit_amount. Older API versions (and localstripe, which has plans
    # but no prices) send item.plan.amount instead.
    if item.get("price"):
        return int(item["price"].get("unit_amount") or 0)
    return int((item.get("plan") or {}).get("amount") or 0)


def _subscription_amount_yen(subscription: dict) -> int:
    items = (subscription.get("items") or {}).get("data") or []
    return sum(_item_unit_amount(item) * int(item.get("quantity") or 1) for item in items)


def _subscription_period_end(subscription: dict) -> datetime.date | None:
    # Newer API versions put the period on each item, older ones on the subscription.
    items = (subscription.get("items") or {}).get("data") or []
    end = subscription.get("current_period_end") or (
        items[0].get("current_period_end") if items else None
    )
    moment = _timestamp(end)
    return timezone.localdate(moment) if moment else None


def recurring_donation_sync(
    *, subscription: dict, as_of: datetime.datetime, deleted: bool = False
) -> RecurringDonation:
    """Bring a monthly gift in line with Stripe's subscription object as it was at `as_of`.

    Data older than what was already applied is ignored, and a cancelled gift stays cancelled:
    events may arrive late, twice or out of order without moving the state backwards.
    """
    metadata = subscription.get("metadata") or {}
    with transaction.atomic():
        recurring = (
            RecurringDonation.objects.select_for_update()
            .filter(stripe_subscription_id=subscription["id"])
            .first()
        )
        if recurring is None:
            supporter = Supporter.objects.filter(pk=metadata.get("supporter_id") or 0).first()
            if supporter is None:
                supporter = _supporter_for_customer(subscription.get("customer") or "")
            recurring = RecurringDonation(
                supporter=supporter,
                stripe_subscription_id=subscription["id"],
                campaign_id=int(metadata["campaign_id"]) if metadata.get("campaign_id") else None,
            )
        elif recurring.stripe_state_at and as_of < recurring.stripe_state_at:
            return recurring  # older than what we know
        if recurring.status == RecurringDonation.Status.CANCELLED and recurring.pk:
            return recurring  # terminal
        status = "canceled" if deleted else subscription.get("status", "incomplete")
        recurring.status = SUBSCRIPTION_STATUS.get(status, RecurringDonation.Status.PAST_DUE)
        recurring.amount_yen = _subscription_amount_yen(subscription) or recurring.amount_yen
        recurring.stripe_customer_id = subscription.get("customer") or ""
        recurring.started_at = recurring.started_at or _timestamp(subscription.get("start_date"))
        recurring.next_payment_on = _subscription_period_end(subscription)
        if recurring.status == RecurringDonation.Status.CANCELLED:
            recurring.cancelled_at = _timestamp(subscription.get("canceled_at")) or as_of
            recurring.next_payment_on = None
        recurring.stripe_state_at = as_of
        recurring.save()
        return recurring


def _supporter_for_customer(customer_id: str) -> Supporter:
    known = RecurringDonation.objects.filter(stripe_customer_id=customer_id).first()
    if customer_id and known:
        return known.supporter
    raise EventNotReady(f"no supporter known for customer {customer_id or '?'}")


def _invoice_subscription_id(invoice: dict) -> str:
    parent = ((invoice.get("parent") or {}).get("subscription_details") or {}).get("subscription")
    return invoice.get("subscription") or parent or ""


def _recurring_for_invoice(invoice: dict) -> RecurringDonation:
    subscription_id = _invoice_subscription_id(invoice)
    recurring = RecurringDonation.objects.filter(stripe_subscription_id=subscription_id).first()
    if recurring is None:
        raise EventNotReady(f"no monthly gift for subscription {subscription_id or '?'}")
    return recurring


def _invoice_paid(invoice: dict, event: StripeEvent) -> None:
    if not _invoice_subscription_id(invoice) or int(invoice.get("amount_paid") or 0) <= 0:
        return
    recurring = _recurring_for_invoice(invoice)
    paid_at = _timestamp((invoice.get("status_transitions") or {}).get("paid_at"))
    donation_record(
        supporter=recurring.supporter,
        kind=Donation.Kind.MONTHLY,
        method=Donation.Method.CARD,
        amount_yen=int(invoice["amount_paid"]),
        paid_at=paid_at or event.stripe_created,
        stripe_keys=StripeKeys(
            invoice_id=invoice["id"], payment_intent_id=invoice.get("payment_intent") or None
        ),
        campaign_id=recurring.campaign_id,
    )
    Donation.objects.filter(stripe_invoice_id=invoice["id"]).update(recurring=recurring)
    # A late "paid" for an older invoice must not clear a newer failure: newest event wins.
    RecurringDonation.objects.filter(pk=recurring.pk).exclude(
        status=RecurringDonation.Status.CANCELLED
    ).filter(Q(stripe_state_at__isnull=True) | Q(stripe_state_at__lte=event.stripe_created)).update(
        failure_count=0,
        status=RecurringDonation.Status.ACTIVE,
        stripe_state_at=event.stripe_created,
    )


def _invoice_payment_failed(invoice: dict, event: StripeEvent) -> None:
    recurring = _recurring_for_invoice(invoice)
    attempt = int(invoice.get("attempt_count") or 1)
    with transaction.atomic():
        recurring = RecurringDonation.objects.select_for_update().get(pk=recurring.pk)
        newest = (
            recurring.stripe_state_at is None or event.stripe_created >= recurring.stripe_state_at
        )
        if recurring.status != RecurringDonation.Status.CANCELLED and newest:
            recurring.status = RecurringDonation.Status.PAST_DUE
            recurring.stripe_state_at = event.stripe_created
        recurring.failure_count = max(recurring.failure_count, attempt)
        recurring.save(update_fields=["status", "failure_count", "stripe_state_at"])
    supporter = recurring.supporter
    key = f"payment-failed:{invoice['id']}:{attempt}"
    if supporter.email and not OutgoingEmail.objects.filter(key=key).exists():
        # A single-use link that opens Stripe's Customer Portal directly (no portal login first).
        secret = access_token_issue(supporter=supporter, purpose=AccessToken.Purpose.BILLING)
        with translation.override(supporter.preferred_language):
            path = reverse("donations_card_update", kwargs={"token": secret})
            context = {
                "supporter": supporter,
                "recurring": recurring,
                "update_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path,
            }
            subject = render_to_string("donations/email/payment_failed_subject.txt", context)
            body = render_to_string("donations/email/payment_failed_body.txt", context)
        email_queue(
            key=key,
            to=supporter.email,
            subject=subject.strip(),
            body=body,
            supporter=supporter,
        )


def _subscription_changed(subscription: dict, event: StripeEvent) -> None:
    recurring_donation_sync(subscription=subscription, as_of=event.stripe_created)


def _subscription_deleted(subscription: dict, event: StripeEvent) -> None:
    recurring_donation_sync(subscription=subscription, as_of=event.stripe_created, deleted=True)


EVENT_HANDLERS = {
    "checkout.session.completed": _checkout_session_completed,
    "checkout.session.async_payment_succeeded": _checkout_async_payment_succeeded,
    "charge.refunded": _charge_refunded,
    "charge.dispute.created": _charge_dispute_created,
    "customer.subscription.created": _subscription_changed,
    "customer.subscription.updated": _subscription_changed,
    "customer.subscription.deleted": _subscription_deleted,
    "invoice.paid": _invoice_paid,
    # Stripe sends both for a paid invoice; older integrations (and localstripe) only the second.
    # Recording is keyed by invoice id, so receiving both still makes one Donation.
    "invoice.payment_succeeded": _invoice_paid,
    "invoice.payment_failed": _invoice_payment_failed,
}


# --- Checkout ----------------------------------------------------------------------------------


class CheckoutUnavailable(Exception):
    """Stripe is not configured or refused the request; the donor sees a clear message."""


def donor_find_or_create(
    *, email: str, family_name: str, given_name: str, family_name_kana: str, given_name_kana: str
) -> Supporter:
    """The supporter giving: found by e-mail, else created (a gift needs no e-mail opt-in)."""
    found = supporter_find_duplicate(email=email)
    if found:
        return found
    return Supporter.objects.create(
        email=email,
        family_name=family_name,
        given_name=given_name,
        family_name_kana=family_name_kana,
        given_name_kana=given_name_kana,
        status=Supporter.Status.ACTIVE,
        source=Supporter.Source.WEB,
    )


def checkout_session_create(
    *, checkout: CheckoutRequest, success_url: str, cancel_url: str, locale: str = "ja"
) -> str:
    """Create the Stripe Checkout session for a request and return the URL to send the donor to.

    Card and konbini for one-off gifts, card for monthly ones. Amounts are sent as integers:
    JPY is zero-decimal. The idempotency key makes a retried call return the same session.
    """
    if not stripe_configured():
        raise CheckoutUnavailable("Stripe is not configured")
    monthly = checkout.frequency == CheckoutRequest.Frequency.MONTHLY
    metadata = {
        "checkout_request": str(checkout.uuid),
        "supporter_id": str(checkout.supporter_id),
        "show_name": "true" if checkout.show_name else "false",
        "show_amount": "true" if checkout.show_amount else "false",
        "message": checkout.message[:450],
    }
    if checkout.campaign_id:
        metadata["campaign_id"] = str(checkout.campaign_id)
    if checkout.membership_id:
        metadata["membership_id"] = str(checkout.membership_id)
        product_name = f"会費 {checkout.membership.plan.name}"
    else:
        product_name = "毎月の寄付" if monthly else "寄付"
    price_data = {
        "currency": "jpy",
        "unit_amount": checkout.amount_yen,
        "product_data": {"name": product_name},
    }
    if monthly:
        price_data["recurring"] = {"interval": "month"}
    params = {
        "mode": "subscription" if monthly else "payment",
        "payment_method_types": ["card"] if monthly else ["card", "konbini"],
        "line_items": [{"quantity": 1, "price_data": price_data}],
        "customer_email": checkout.supporter.email,
        "client_reference_id": str(checkout.uuid),
        "success_url": success_url
        + ("&" if "?" in success_url else "?")
        + "session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": cancel_url,
        "locale": "ja" if locale == "ja" else "en",
        "metadata": metadata,
    }
    if monthly:
        params["subscription_data"] = {"metadata": metadata}
    else:
        params["payment_intent_data"] = {"metadata": metadata}
    try:
        session = stripe_client().v1.checkout.sessions.create(
            params=params, options={"idempotency_key": f"checkout-{checkout.uuid}"}
        )
    except stripe.StripeError as exc:
        logger.warning("Stripe refused checkout %s: %s", checkout.uuid, exc)
        CheckoutRequest.objects.filter(pk=checkout.pk).update(
            status=CheckoutRequest.Status.FAILED, error=str(exc)[:2000]
        )
        raise CheckoutUnavailable(str(exc)) from exc
    CheckoutRequest.objects.filter(pk=checkout.pk).update(
        status=CheckoutRequest.Status.REDIRECTED, stripe_session_id=session.id
    )
    return session.url


class MembershipNotPayable(Exception):
    """The membership has no fee due (free, cancelled, or paid far ahead)."""


def membership_checkout_create(
    *, membership: Membership, success_url: str, cancel_url: str, locale: str = "ja"
) -> str:
    """Send a member to Stripe Checkout for one period's fee (card or konbini).

    The fee goes through the same path as gifts: the verified webhook records a MEMBERSHIP
    Donation and `membership_record_payment` activates or extends the membership.
    """
    if not membership.needs_payment():
        raise MembershipNotPayable(str(membership.pk))
    if not stripe_configured():
        raise CheckoutUnavailable("Stripe is not configured")
    checkout = CheckoutRequest.objects.create(
        frequency=CheckoutRequest.Frequency.ONE_OFF,
        amount_yen=membership.amount_yen,
        supporter=membership.supporter,
        membership=membership,
    )
    return checkout_session_create(
        checkout=checkout, success_url=success_url, cancel_url=cancel_url, locale=locale
    )


# --- Donor self-service ------------------------------------------------------------------------


@dataclass(frozen=True)
class DonorSummary:
    donations: list[Donation]
    totals_by_year: list[tuple[int, int]]  # (calendar year in Japan, net yen)
    monthly_gifts: list[RecurringDonation]


def donor_summary(*, supporter: Supporter) -> DonorSummary:
    """What the member portal shows a donor: gifts, yearly totals net of refunds, monthly gifts."""
    donations = list(supporter.donations.select_related("campaign").order_by("-paid_at")[:100])
    totals: dict[int, int] = {}
    for donation in supporter.donations.only("amount_yen", "refunded_yen", "paid_at"):
        year = timezone.localtime(donation.paid_at).year
        totals[year] = totals.get(year, 0) + donation.net_yen
    return DonorSummary(
        donations=donations,
        totals_by_year=sorted(totals.items(), reverse=True),
        monthly_gifts=list(supporter.recurring_donations.order_by("-created_at")),
    )


@dataclass(frozen=True)
class DonorTotals:
    gifts: int
    gross_yen: int
    refunded_yen: int
    this_year_net_yen: int
    first_paid_at: datetime.datetime | None
    last_paid_at: datetime.datetime | None
    monthly_yen: int  # monthly gifts not cancelled (active or waiting for a retry)

    @property
    def net_yen(self) -> int:
        return self.gross_yen - self.refunded_yen


def donor_totals(*, supporter: Supporter) -> DonorTotals:
    """A donor's giving for staff, in two aggregate queries. Years are calendar years in Japan."""
    year_start = timezone.localtime().replace(
        month=1, day=1, hour=0, minute=0, second=0, microsecond=0
    )
    this_year = Q(paid_at__gte=year_start)
    sums = supporter.donations.aggregate(
        gifts=Count("pk"),
        gross=Sum("amount_yen", default=0),
        refunded=Sum("refunded_yen", default=0),
        year_gross=Sum("amount_yen", filter=this_year, default=0),
        year_refunded=Sum("refunded_yen", filter=this_year, default=0),
        first=Min("paid_at"),
        last=Max("paid_at"),
    )
    monthly = supporter.recurring_donations.filter(
        status__in=[RecurringDonation.Status.ACTIVE, RecurringDonation.Status.PAST_DUE]
    ).aggregate(total=Sum("amount_yen", default=0))
    return DonorTotals(
        gifts=sums["gifts"],
        gross_yen=sums["gross"],
        refunded_yen=sums["refunded"],
        this_year_net_yen=sums["year_gross"] - sums["year_refunded"],
        first_paid_at=sums["first"],
        last_paid_at=sums["last"],
        monthly_yen=monthly["total"],
    )


def billing_portal_session_create(*, supporter: Supporter, return_url: str, locale: str) -> str:
    """A Stripe Customer Portal session where the donor changes card or amount, or cancels.

    Only the donor's own Stripe customer is ever used; raises CheckoutUnavailable otherwise.
    """
    if not stripe_configured():
        raise CheckoutUnavailable("Stripe is not configured")
    recurring = (
        supporter.recurring_donations.exclude(stripe_customer_id="").order_by("-created_at").first()
    )
    if recurring is None:
        raise CheckoutUnavailable("no Stripe customer for this supporter")
    try:
        session = stripe_client().v1.billing_portal.sessions.create(
            params={
                "customer": recurring.stripe_customer_id,
                "return_url": return_url,
                "locale": "ja" if locale == "ja" else "en",
            }
        )
    except stripe.StripeError as exc:
        raise CheckoutUnavailable(str(exc)) from exc
    return session.url


# --- Reconciliation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReconcileResult:
    events_seen: int
    events_added: int
    subscriptions_synced: int


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
        _event, created = stripe_event_store(data=stripe_event.to_dict())
        added += created
    now = timezone.now()
    subscriptions = client.v1.subscriptions.list(params={"status": "all", "limit": 100})
    for subscription in subscriptions.auto_paging_iter():
        data = subscription.to_dict()
        metadata = data.get("metadata") or {}
        known = RecurringDonation.objects.filter(stripe_subscription_id=data["id"]).exists()
        if known or metadata.get("supporter_id"):
            try:
                recurring_donation_sync(subscription=data, as_of=now)
                synced += 1
            except EventNotReady:
                logger.warning("Subscription %s has no known donor", data["id"])
    return ReconcileResult(events_seen=seen, events_added=added, subscriptions_synced=synced)
