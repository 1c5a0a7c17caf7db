"""Money rules: recording gifts and refunds, Checkout, donor self-service.

Every ledger row has a unique Stripe business key and refunds only ever grow, so Stripe events
may be applied twice or out of order. The webhook inbox is donations/stripe_inbox.py, the event
handlers donations/webhooks.py.
"""

import datetime
import logging
from dataclasses import dataclass

import stripe
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from wagtail.log_actions import log

from members.models import Membership, Supporter
from members.services import membership_record_payment
from ouendan.core.mail import email_queue
from ouendan.core.models import OrganisationSettings, OutgoingEmail

from .checkout_donor import (
    DonorUnknown,
    checkout_donor_resolve,
    checkout_request_create,
    checkout_request_find,
    gift_wishes,
)
from .effects import donation_effects_task
from .models import (
    OFFLINE_METHODS,
    CheckoutRequest,
    Donation,
    MonthlyGiftRequest,
    StripeEvent,
    yen_amount_check,
)
from .selectors import donation_by_stripe_keys
from .signals import gift_changed, gift_refunded
from .stripe_api import stripe_client, stripe_configured

logger = logging.getLogger(__name__)


class WebhookRejected(Exception):
    """The request is not a genuine Stripe event for us (bad signature, stale, malformed)."""


class EventNotReady(Exception):
    """The event refers to something not recorded yet (events arrive out of order): it waits.

    `waiting_for` names that object ("subscription:sub_…", "payment_intent:pi_…"), so recording
    it wakes the event at once (donations/stripe_inbox.py)."""

    def __init__(self, message: str, *, waiting_for: str = ""):
        super().__init__(message)
        self.waiting_for = waiting_for


class EventIgnored(Exception):
    """The event has no usable key (e.g. a charge with no payment intent): it is not ours to
    apply. It is marked IGNORED with this reason and changes nothing."""


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
    supporter: Supporter | None,
    kind: str,
    method: str,
    amount_yen: int,
    paid_at: datetime.datetime,
    stripe_keys: StripeKeys | None = None,
    campaign_id: int | None = None,
    programme_id: int | None = None,
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

    A membership fee (kind MEMBERSHIP) is income, not a gift to a cause: it never counts towards
    a campaign or a programme (both are dropped), and with `membership` it also activates or
    extends that membership. Fees never get a 寄附金受領証明書 (donations/receipts/selectors.py).

    `supporter` None: an anonymous one-off gift paid offline (a collection box); the database
    refuses any other gift without a donor (constraint donation_anonymous_offline_one_off).
    """
    yen_amount_check(amount_yen)
    if kind == Donation.Kind.MEMBERSHIP:
        campaign_id, programme_id = None, None
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
                programme_id=programme_id,
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
        existing = donation_by_stripe_keys(
            checkout_session_id=keys.checkout_session_id,
            payment_intent_id=keys.payment_intent_id,
            invoice_id=keys.invoice_id,
        )
        if existing is None:
            raise
        return existing, False
    if membership is not None:
        membership_record_payment(membership=membership, paid_at=paid_at)
    # Thank-you, campaign caches and goal check run from a task after the commit (receivers of
    # donations.signals.gift_recorded); the gift stays marked undone until they have, so the
    # sweeper in donations/effects.py recovers a lost task.
    transaction.on_commit(lambda: donation_effects_task(donation.pk))
    return donation, True


class DonationNotEditable(Exception):
    """Only offline gifts (bank transfer, cash) may be corrected, and only into offline gifts."""


def donation_update(
    *,
    donation: Donation,
    supporter: Supporter | None,
    kind: str,
    method: str,
    amount_yen: int,
    paid_at: datetime.datetime,
    campaign_id: int | None = None,
    programme_id: int | None = None,
    note: str = "",
    by=None,
) -> Donation:
    """Correct an offline gift recorded by staff. Returns the saved gift.

    A gift paid through Stripe is never edited by hand (raises DonationNotEditable), and an
    offline gift cannot become a card payment. The amount cannot drop below what was refunded.
    When anything changed, the gift's side effects run again after the commit, as for a new gift
    (fresh campaign progress, goal check; the thank-you is sent once per gift, never twice),
    and `gift_changed` tells receivers which campaign the gift left.
    """
    yen_amount_check(amount_yen)
    if kind == Donation.Kind.MEMBERSHIP:  # a fee counts towards no campaign or programme
        campaign_id, programme_id = None, None
    if method not in OFFLINE_METHODS:
        raise DonationNotEditable(f"method {method!r} is not an offline payment")
    with transaction.atomic():
        locked = Donation.objects.select_for_update().get(pk=donation.pk)
        if locked.method not in OFFLINE_METHODS:
            raise DonationNotEditable(f"donation {locked.pk} was paid through Stripe")
        if amount_yen < locked.refunded_yen:
            raise ValueError("amount_yen cannot be below the refunded amount")
        previous_campaign_id = locked.campaign_id
        values = {
            "supporter_id": supporter.pk if supporter else None,
            "kind": kind,
            "method": method,
            "amount_yen": amount_yen,
            "paid_at": paid_at,
            "campaign_id": campaign_id,
            "programme_id": programme_id,
            "note": note,
        }
        changed = [name for name, value in values.items() if getattr(locked, name) != value]
        if not changed:
            return locked
        for name in changed:
            setattr(locked, name, values[name])
        # Undone until the effects task has run again (the sweeper in effects.py recovers it).
        locked.effects_done_at = None
        locked.save(update_fields=[*changed, "effects_done_at"])
        if by is not None:
            log(instance=locked, action="wagtail.edit", user=by)
        updated = locked
        transaction.on_commit(lambda: donation_effects_task(updated.pk))
        if "campaign_id" in changed and previous_campaign_id:
            transaction.on_commit(
                lambda: gift_changed.send(
                    sender=Donation, donation=updated, previous_campaign_id=previous_campaign_id
                )
            )
    return locked


def donation_refund(*, donation: Donation, refunded_total_yen: int) -> Donation:
    """Set the refunded total (Stripe reports it cumulatively). It never decreases, so a late,
    older refund event cannot undo a newer one."""
    with transaction.atomic():
        donation = Donation.objects.select_for_update().get(pk=donation.pk)
        total = min(max(donation.refunded_yen, refunded_total_yen), donation.amount_yen)
        if total != donation.refunded_yen:
            donation.refunded_yen = total
            donation.save(update_fields=["refunded_yen"])
            refunded = donation
            transaction.on_commit(lambda: gift_refunded.send(sender=Donation, donation=refunded))
        return donation


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


# --- Event handlers ----------------------------------------------------------------------------


def _supporter_for_checkout(session: dict, checkout: CheckoutRequest | None = None) -> Supporter:
    """The donor of a paid session (donations/checkout_donor.py): found by e-mail or created
    now, race-safe; never before Stripe says the session is paid."""
    try:
        return checkout_donor_resolve(checkout=checkout, session=session)
    except DonorUnknown as exc:
        raise EventNeedsReview(str(exc)) from exc


def _checkout_paid(session: dict, event: StripeEvent, *, method: str) -> None:
    if session.get("mode") != "payment" or session.get("payment_status") != "paid":
        return  # konbini: paid later (async_payment_succeeded); subscriptions: invoice.paid
    metadata = session.get("metadata") or {}
    # Message and wall wishes come from our own record, never from Stripe metadata.
    checkout = checkout_request_find(
        reference=session.get("client_reference_id"), metadata=metadata
    )
    wishes = gift_wishes(checkout=checkout, metadata=metadata)
    amount_yen = stripe_amount_yen(session.get("amount_total"), currency=session.get("currency"))
    donation_record(
        supporter=_supporter_for_checkout(session, checkout),
        kind=Donation.Kind.MEMBERSHIP if wishes.membership else Donation.Kind.ONE_OFF,
        method=method,
        amount_yen=amount_yen,
        paid_at=event.stripe_created,
        stripe_keys=StripeKeys(
            checkout_session_id=session["id"],
            payment_intent_id=session.get("payment_intent") or None,
        ),
        campaign_id=wishes.campaign_id,
        programme_id=wishes.programme_id,
        membership=wishes.membership,
        message=wishes.message,
        # The wall wish applies to this gift only, never to the supporter's consent records.
        show_name=wishes.show_name,
        show_amount=wishes.show_amount,
    )


def _checkout_session_completed(session: dict, event: StripeEvent) -> None:
    if session.get("mode") == "subscription":
        # The first monthly payment went through: the donor becomes a supporter now, and the
        # subscription's events (which may be waiting for this) find them on the request.
        if session.get("payment_status") == "paid":
            checkout = checkout_request_find(
                reference=session.get("client_reference_id"), metadata=session.get("metadata")
            )
            if checkout is not None:
                _supporter_for_checkout(session, checkout)
        return
    # Konbini is always asynchronous, so a session paid on completion was paid by card.
    _checkout_paid(session, event, method=Donation.Method.CARD)


def _checkout_async_payment_succeeded(session: dict, event: StripeEvent) -> None:
    _checkout_paid(session, event, method=Donation.Method.KONBINI)


# --- Checkout ----------------------------------------------------------------------------------


class CheckoutUnavailable(Exception):
    """Stripe is not configured or refused the request; the donor sees a clear message."""


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
    # Only our references go to Stripe: the donor's message, names and wishes stay on the
    # CheckoutRequest, which the paid event reads (donations/checkout_donor.py).
    metadata = {"checkout_request": str(checkout.uuid)}
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
        "client_reference_id": str(checkout.uuid),
        "success_url": success_url
        + ("&" if "?" in success_url else "?")
        + "session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": cancel_url,
        "locale": "ja" if locale == "ja" else "en",
        "metadata": metadata,
    }
    # Checkout needs the address (its receipt, and our paid event finds the donor by it).
    email = checkout.email or (checkout.supporter.email if checkout.supporter else "")
    if email:
        params["customer_email"] = email
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
    checkout = checkout_request_create(
        frequency=CheckoutRequest.Frequency.ONE_OFF,
        amount_yen=membership.amount_yen,
        supporter=membership.supporter,
        membership=membership,
    )
    return checkout_session_create(
        checkout=checkout, success_url=success_url, cancel_url=cancel_url, locale=locale
    )


# --- Donor self-service ------------------------------------------------------------------------


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


MONTHLY_REQUEST_SUBJECT = "毎月のご寄付の変更・停止のご依頼 / Monthly gift change request"


def monthly_gift_request_create(
    *, supporter: Supporter, action: str, amount_yen: int | None, message: str
) -> MonthlyGiftRequest:
    """Record a request to change or stop a monthly gift given without Stripe, and tell staff:
    a mail to the organisation's contact address, in the outbox (Finance reads money mail).
    The request is stored first; the mail is sent after the commit."""
    if action not in MonthlyGiftRequest.Action.values:
        raise ValueError(f"Unknown monthly gift request: {action!r}")
    with transaction.atomic():
        request = MonthlyGiftRequest.objects.create(
            supporter=supporter,
            action=action,
            amount_yen=amount_yen if action == MonthlyGiftRequest.Action.CHANGE_AMOUNT else None,
            message=message,
        )
        staff_address = OrganisationSettings.for_default_site().email
        if staff_address:
            with translation.override("ja"):  # staff read Japanese
                body = render_to_string(
                    "donations/email/monthly_gift_request_staff.txt", {"request": request}
                )
            email_queue(
                key=f"monthly-gift-request:{request.pk}",
                to=staff_address,
                subject=MONTHLY_REQUEST_SUBJECT,
                body=body,
                supporter=supporter,
                category=OutgoingEmail.Category.MONEY,
            )
        else:
            logger.warning("Monthly gift request %s: no contact address to tell staff", request.pk)
    return request
