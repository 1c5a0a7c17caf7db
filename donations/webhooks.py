"""Stripe event handlers: what each webhook does to the ledger and the monthly gifts.

Handlers read the shapes of the API version the pinned `stripe` library sends (see README) and
still accept the older ones localstripe sends:

- an invoice names its subscription under `parent.subscription_details` (older: `subscription`)
  and has no `payment_intent`: its payments come as `invoice_payment` objects
  (`invoice_payment.paid`, or `invoice.payments` when included), each with
  `payment.payment_intent`;
- a charge has no `invoice` (older ones did), so a refund finds its gift by payment intent.

Every look-up is by a non-empty Stripe id: an event with no usable key is IGNORED with a reason
(EventIgnored), never applied to anything. An event that refers to an object not recorded yet
raises EventNotReady naming what it waits for ("subscription:sub_…"), and waits (stripe_inbox.py).
Every amount goes through `stripe_amount_yen`: JPY only, whole yen, else the event needs review.
"""

import datetime

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from members.mail import MailPurpose, MailText, mail_template_render, supporter_email_queue
from members.models import AccessToken, Supporter
from members.services import access_token_issue
from ouendan.core.models import OutgoingEmail
from ouendan.net import public_url

from .checkout_donor import invoice_gift_wishes, subscription_donor, subscription_programme_id
from .models import Donation, RecurringDonation, StripeEvent
from .services import (
    EventIgnored,
    EventNotReady,
    StripeKeys,
    _checkout_async_payment_succeeded,
    _checkout_session_completed,
    donation_record,
    donation_refund,
    stripe_amount_yen,
)
from .stripe_shapes import (
    invoice_payment_intent_id,
    invoice_payment_payment_intent,
    invoice_subscription_id,
    stripe_id,
    timestamp,
)

# --- Refunds and disputes ----------------------------------------------------------------------


def _charge_refunded(charge: dict, event: StripeEvent) -> None:
    payment_intent = stripe_id(charge.get("payment_intent"))
    invoice_id = stripe_id(charge.get("invoice"))  # older API versions (localstripe) only
    if not payment_intent and not invoice_id:
        # Every payment of ours has a payment intent; without one there is nothing to match.
        raise EventIgnored(f"charge {stripe_id(charge.get('id')) or '?'} has no payment intent")
    refunded = stripe_amount_yen(charge.get("amount_refunded"), currency=charge.get("currency"))
    donation = None
    if payment_intent:
        donation = Donation.objects.filter(stripe_payment_intent_id=payment_intent).first()
    if donation is None and invoice_id:
        donation = Donation.objects.filter(stripe_invoice_id=invoice_id).first()
    if donation is None:
        waiting_for = (
            f"payment_intent:{payment_intent}" if payment_intent else f"invoice:{invoice_id}"
        )
        raise EventNotReady(f"no gift for {waiting_for}", waiting_for=waiting_for)
    donation_refund(donation=donation, refunded_total_yen=refunded)


def _charge_dispute_created(dispute: dict, event: StripeEvent) -> None:
    """A card holder disputed a payment: flag the gift for Finance (the money may be taken back)."""
    payment_intent = stripe_id(dispute.get("payment_intent"))
    charge_id = stripe_id(dispute.get("charge"))
    donation = None
    if payment_intent:
        donation = Donation.objects.filter(stripe_payment_intent_id=payment_intent).first()
    if donation is None and charge_id:
        donation = Donation.objects.filter(stripe_charge_id=charge_id).first()
    if donation is None:
        if not payment_intent:
            raise EventIgnored(f"dispute of charge {charge_id or '?'}: no payment intent of ours")
        waiting_for = f"payment_intent:{payment_intent}"
        raise EventNotReady(f"no gift for {waiting_for}", waiting_for=waiting_for)
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

# Stripe stamps events to the second, and a sign-up sends created(incomplete), invoice.paid and
# updated(active) within one. On equal timestamps the later lifecycle state wins, whatever order
# the events arrive in; cancelled is terminal anyway.
STATE_RANK = {
    RecurringDonation.Status.INCOMPLETE: 0,
    RecurringDonation.Status.ACTIVE: 1,
    RecurringDonation.Status.PAST_DUE: 2,
    RecurringDonation.Status.CANCELLED: 3,
}


def recurring_state_applies(*, recurring: RecurringDonation, status: str, at) -> bool:
    """Whether Stripe state `status` seen at `at` is newer than what the gift holds."""
    if recurring.pk and recurring.status == RecurringDonation.Status.CANCELLED:
        return False  # terminal
    if recurring.stripe_state_at is None or at > recurring.stripe_state_at:
        return True
    return at == recurring.stripe_state_at and STATE_RANK[status] >= STATE_RANK[recurring.status]


def _item_unit_amount(item: dict) -> int:
    # Current API: item.price.unit_amount. Older API versions (and localstripe, which has plans
    # but no prices) send item.plan.amount instead.
    price = item.get("price") if isinstance(item.get("price"), dict) else None
    source = price or item.get("plan") or {}
    amount = source.get("amount") if price is None else source.get("unit_amount")
    return stripe_amount_yen(amount, currency=source.get("currency"))


def _subscription_amount_yen(subscription: dict) -> int:
    items = (subscription.get("items") or {}).get("data") or []
    quantities = [item.get("quantity") or 1 for item in items]
    return sum(
        _item_unit_amount(item) * stripe_amount_yen(quantity, currency=None)
        for item, quantity in zip(items, quantities, strict=True)
    )


def _subscription_period_end(subscription: dict) -> datetime.date | None:
    """The day of the next payment in Japan: the end of the period already paid for. Current
    API versions put the period on each item (the subscription's own field is gone); the next
    invoice comes at the earliest item's end. Older versions (localstripe) have it on the
    subscription only. None when the subscription ends with this period instead."""
    if subscription.get("cancel_at_period_end"):
        return None
    items = (subscription.get("items") or {}).get("data") or []
    ends = [int(item["current_period_end"]) for item in items if item.get("current_period_end")]
    end = min(ends) if ends else subscription.get("current_period_end")
    moment = timestamp(end)
    return timezone.localdate(moment) if moment else None


def _supporter_for_subscription(subscription: dict) -> Supporter:
    """The donor: our Checkout's metadata (the checkout request, which names its supporter once
    its session was paid, or an older session's supporter id), else the supporter behind a
    Stripe customer we already know."""
    metadata = subscription.get("metadata") or {}
    found = subscription_donor(metadata=metadata)
    if found is not None:
        return found
    customer_id = stripe_id(subscription.get("customer"))
    request = str(metadata.get("checkout_request") or "").strip()
    if request:
        known = RecurringDonation.objects.filter(stripe_customer_id=customer_id).first()
        if customer_id and known is not None:
            return known.supporter
        # The donor is recorded when the Checkout session's paid event is processed.
        waiting_for = f"checkout_request:{request}"
        raise EventNotReady(f"no donor yet for {waiting_for}", waiting_for=waiting_for)
    return _supporter_for_customer(customer_id)


def _supporter_for_customer(customer_id: str) -> Supporter:
    if not customer_id:
        raise EventIgnored("no donor in the metadata and no Stripe customer")
    known = RecurringDonation.objects.filter(stripe_customer_id=customer_id).first()
    if known is None:
        waiting_for = f"customer:{customer_id}"
        raise EventNotReady(f"no supporter known for {waiting_for}", waiting_for=waiting_for)
    return known.supporter


def recurring_donation_sync(
    *, subscription: dict, as_of: datetime.datetime, deleted: bool = False
) -> RecurringDonation:
    """Bring a monthly gift in line with Stripe's subscription object as it was at `as_of`.

    Data older than what was already applied is ignored (ties: see STATE_RANK), and a cancelled
    gift stays cancelled: events may arrive late, twice or out of order without moving the state
    backwards."""
    subscription_id = stripe_id(subscription.get("id"))
    if not subscription_id:
        raise EventIgnored("subscription without an id")
    metadata = subscription.get("metadata") or {}
    status = SUBSCRIPTION_STATUS.get(
        "canceled" if deleted else subscription.get("status") or "incomplete",
        RecurringDonation.Status.PAST_DUE,
    )
    amount = _subscription_amount_yen(subscription)  # before any write: a bad amount books nothing
    with transaction.atomic():
        recurring = (
            RecurringDonation.objects.select_for_update()
            .filter(stripe_subscription_id=subscription_id)
            .first()
        )
        if recurring is None:
            campaign_id = str(metadata.get("campaign_id") or "")
            recurring = RecurringDonation(
                supporter=_supporter_for_subscription(subscription),
                stripe_subscription_id=subscription_id,
                campaign_id=int(campaign_id) if campaign_id.isdigit() else None,
                programme_id=subscription_programme_id(metadata=metadata),
            )
        elif not recurring_state_applies(recurring=recurring, status=status, at=as_of):
            return recurring  # older than what we know, or already cancelled
        recurring.status = status
        recurring.amount_yen = amount or recurring.amount_yen
        if not recurring.amount_yen:
            raise EventIgnored(f"subscription {subscription_id} has no amount")
        recurring.stripe_customer_id = stripe_id(subscription.get("customer"))
        recurring.started_at = recurring.started_at or timestamp(subscription.get("start_date"))
        recurring.next_payment_on = _subscription_period_end(subscription)
        if recurring.status == RecurringDonation.Status.CANCELLED:
            recurring.cancelled_at = timestamp(subscription.get("canceled_at")) or as_of
            recurring.next_payment_on = None
        recurring.stripe_state_at = as_of
        recurring.save()
        return recurring


def _recurring_for_invoice(invoice: dict) -> RecurringDonation:
    subscription_id = invoice_subscription_id(invoice)
    if not subscription_id:
        raise EventIgnored(f"invoice {stripe_id(invoice.get('id')) or '?'} has no subscription")
    recurring = RecurringDonation.objects.filter(stripe_subscription_id=subscription_id).first()
    if recurring is None:
        waiting_for = f"subscription:{subscription_id}"
        raise EventNotReady(f"no monthly gift for {waiting_for}", waiting_for=waiting_for)
    return recurring


def _donation_link_payment_intent(*, donation: Donation, payment_intent_id: str) -> None:
    """Remember which payment intent paid a monthly gift, so its refunds and disputes find it."""
    if payment_intent_id and not donation.stripe_payment_intent_id:
        Donation.objects.filter(pk=donation.pk, stripe_payment_intent_id__isnull=True).update(
            stripe_payment_intent_id=payment_intent_id
        )


def _invoice_paid(invoice: dict, event: StripeEvent) -> None:
    invoice_id = stripe_id(invoice.get("id"))
    if not invoice_id:
        raise EventIgnored("invoice without an id")
    if not invoice_subscription_id(invoice):
        raise EventIgnored(f"invoice {invoice_id} has no subscription: not a monthly gift")
    amount = stripe_amount_yen(invoice.get("amount_paid"), currency=invoice.get("currency"))
    if amount == 0:
        return  # nothing was paid (e.g. a free first month): no gift to record
    recurring = _recurring_for_invoice(invoice)
    payment_intent = invoice_payment_intent_id(invoice)
    paid_at = timestamp((invoice.get("status_transitions") or {}).get("paid_at"))
    wishes = invoice_gift_wishes(invoice=invoice)  # the wall wishes made at Checkout
    donation, _created = donation_record(
        supporter=recurring.supporter,
        kind=Donation.Kind.MONTHLY,
        method=Donation.Method.CARD,
        amount_yen=amount,
        paid_at=paid_at or event.stripe_created,
        stripe_keys=StripeKeys(invoice_id=invoice_id, payment_intent_id=payment_intent or None),
        campaign_id=recurring.campaign_id,
        programme_id=recurring.programme_id,
        show_name=wishes.show_name,
        show_amount=wishes.show_amount,
    )
    Donation.objects.filter(pk=donation.pk).update(recurring=recurring)
    _donation_link_payment_intent(donation=donation, payment_intent_id=payment_intent)
    with transaction.atomic():
        recurring = RecurringDonation.objects.select_for_update().get(pk=recurring.pk)
        # A late "paid" for an older invoice must not clear a newer failure: newest event wins.
        active = RecurringDonation.Status.ACTIVE
        if recurring_state_applies(recurring=recurring, status=active, at=event.stripe_created):
            recurring.status = active
            recurring.failure_count = 0
            recurring.stripe_state_at = event.stripe_created
            recurring.save(update_fields=["status", "failure_count", "stripe_state_at"])


def _invoice_payment_paid(invoice_payment: dict, event: StripeEvent) -> None:
    """Current API versions tell which payment intent paid an invoice only here."""
    invoice_id = stripe_id(invoice_payment.get("invoice"))
    payment_intent = invoice_payment_payment_intent(invoice_payment)
    if not invoice_id or not payment_intent:
        raise EventIgnored("invoice payment without an invoice or a payment intent")
    donation = Donation.objects.filter(stripe_invoice_id=invoice_id).first()
    if donation is None:
        waiting_for = f"invoice:{invoice_id}"
        raise EventNotReady(f"no gift for {waiting_for}", waiting_for=waiting_for)
    _donation_link_payment_intent(donation=donation, payment_intent_id=payment_intent)


def _invoice_payment_failed(invoice: dict, event: StripeEvent) -> None:
    invoice_id = stripe_id(invoice.get("id"))
    if not invoice_id:
        raise EventIgnored("invoice without an id")
    recurring = _recurring_for_invoice(invoice)
    attempt = int(invoice.get("attempt_count") or 1)
    with transaction.atomic():
        recurring = RecurringDonation.objects.select_for_update().get(pk=recurring.pk)
        past_due = RecurringDonation.Status.PAST_DUE
        if recurring_state_applies(recurring=recurring, status=past_due, at=event.stripe_created):
            recurring.status = past_due
            recurring.stripe_state_at = event.stripe_created
        # A failure notice that arrives after a later payment (events come in any order) is
        # history: it neither counts as a current failure nor asks the donor to update the card.
        paid_since = recurring.payments.filter(
            Q(paid_at__gt=event.stripe_created) | Q(stripe_invoice_id=invoice_id)
        ).exists()
        if not paid_since:
            recurring.failure_count = max(recurring.failure_count, attempt)
        recurring.save(update_fields=["status", "failure_count", "stripe_state_at"])
    if paid_since:
        return
    supporter = recurring.supporter

    def render(language: str) -> MailText:
        # A single-use link that opens Stripe's Customer Portal directly (no portal login
        # first), issued only for a mail that is queued. It is sent, but never readable by staff
        # in the outbox.
        secret = access_token_issue(supporter=supporter, purpose=AccessToken.Purpose.BILLING)
        update_url = public_url(reverse("donations_card_update", kwargs={"token": secret}))
        context = {"supporter": supporter, "recurring": recurring, "update_url": update_url}
        return mail_template_render(
            template="donations/email/payment_failed",
            context=context,
            secrets=(update_url, secret),
        )

    supporter_email_queue(
        supporter=supporter,
        key=f"payment-failed:{invoice['id']}:{attempt}",
        purpose=MailPurpose.TRANSACTIONAL,
        category=OutgoingEmail.Category.MONEY,
        render=render,
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
    "invoice_payment.paid": _invoice_payment_paid,
}
