"""Who gave: the supporter behind a paid Checkout session, and the wishes they sent with the gift.

The donate form creates no supporter and changes no one's data: a visitor could type anyone's
e-mail address. It keeps the donor's details and wishes on the CheckoutRequest. Only Stripe's
verified paid event turns them into a supporter (found by e-mail, or created) and a gift; the
supporters'-wall wish then applies to that gift alone, never to an existing supporter's consents
or profile. Stripe metadata carries only our references (the checkout request's uuid, campaign
and membership ids); in-flight sessions from before this change also carry `supporter_id` and
the old wish keys, which are still understood.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from members.models import ConsentRecord, Membership, Supporter
from members.normalise import normalise_email
from members.services import consent_record, supporter_find_or_create

from .models import CheckoutRequest, yen_amount_check


class DonorUnknown(Exception):
    """A paid session with neither our checkout request nor an e-mail address: staff must look."""


@dataclass(frozen=True)
class GiftWishes:
    """What the donor asked for with this gift (kept with us, never sent to Stripe)."""

    campaign_id: int | None = None
    programme_id: int | None = None  # None: where most needed
    membership: Membership | None = None
    message: str = ""
    show_name: bool = False
    show_amount: bool = False


def _as_uuid(value) -> uuid.UUID | None:
    text = str(value or "").strip()
    if not text:
        return None  # never look anything up by an empty value
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def checkout_request_create(
    *,
    frequency: str,
    amount_yen: int,
    supporter: Supporter | None = None,
    membership: Membership | None = None,
    email: str = "",
    family_name: str = "",
    given_name: str = "",
    family_name_kana: str = "",
    given_name_kana: str = "",
    language: str = "",
    campaign_id: int | None = None,
    programme_id: int | None = None,
    message: str = "",
    show_name: bool = False,
    show_amount: bool = False,
) -> CheckoutRequest:
    """Keep what the donor asked for before they go to Stripe Checkout. It never counts as
    money and creates no supporter: only Stripe's verified paid event does (see above).

    A visitor's details stay here; `supporter` is set only for a known member (a membership
    fee). The amount is shown on the wall only together with the name.
    """
    yen_amount_check(amount_yen)
    return CheckoutRequest.objects.create(
        frequency=frequency,
        amount_yen=amount_yen,
        supporter=supporter,
        membership=membership,
        email=email,
        family_name=family_name,
        given_name=given_name,
        family_name_kana=family_name_kana,
        given_name_kana=given_name_kana,
        language=language,
        campaign_id=campaign_id,
        programme_id=programme_id,
        message=message,
        show_name=show_name,
        show_amount=show_name and show_amount,
    )


def checkout_request_find(*, reference, metadata: dict | None = None) -> CheckoutRequest | None:
    """Our CheckoutRequest for a Stripe object: by `client_reference_id`, else by the uuid in its
    metadata. Missing or malformed references find nothing."""
    for raw in (reference, (metadata or {}).get("checkout_request")):
        key = _as_uuid(raw)
        if key is not None:
            found = CheckoutRequest.objects.select_related("supporter").filter(uuid=key).first()
            if found is not None:
                return found
    return None


def _int_or_none(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


def gift_wishes(*, checkout: CheckoutRequest | None, metadata: dict) -> GiftWishes:
    """The wishes recorded with the request; for a session without one (created before the
    wishes moved off Stripe), what its metadata carried."""
    if checkout is not None:
        return GiftWishes(
            campaign_id=checkout.campaign_id,
            programme_id=checkout.programme_id,
            membership=checkout.membership,
            message=checkout.message,
            show_name=checkout.show_name,
            show_amount=checkout.show_name and checkout.show_amount,
        )
    membership_id = _int_or_none(metadata.get("membership_id"))
    show_name = metadata.get("show_name") == "true"
    return GiftWishes(
        campaign_id=_int_or_none(metadata.get("campaign_id")),
        membership=Membership.objects.filter(pk=membership_id).first() if membership_id else None,
        message=str(metadata.get("message") or ""),
        show_name=show_name,
        show_amount=show_name and metadata.get("show_amount") == "true",
    )


def checkout_donor_resolve(*, checkout: CheckoutRequest | None, session: dict) -> Supporter:
    """The supporter who paid this session; call only from a verified paid event.

    In order: the request's supporter (a member paying a fee, or already resolved), the legacy
    `supporter_id` of an in-flight session, else the supporter with the donor's e-mail, created
    from the request's details when there is none (race-safe). A new supporter's privacy-policy
    consent is recorded from the donate form; an existing supporter is never changed.
    """
    if checkout is not None and checkout.supporter is not None:
        return checkout.supporter
    metadata = session.get("metadata") or {}
    legacy_id = _int_or_none(metadata.get("supporter_id"))
    supporter = Supporter.objects.filter(pk=legacy_id).first() if legacy_id else None
    if supporter is None:
        supporter = _donor_by_email(checkout=checkout, session=session)
    if checkout is not None:
        # Later events for this request (the subscription's) find the donor here.
        CheckoutRequest.objects.filter(pk=checkout.pk, supporter__isnull=True).update(
            supporter=supporter
        )
        checkout.supporter = supporter
    return supporter


def _donor_by_email(*, checkout: CheckoutRequest | None, session: dict) -> Supporter:
    details = session.get("customer_details") or {}
    # The address typed on our form (Checkout shows it locked), else the one Stripe collected.
    email = normalise_email(
        (checkout.email if checkout else "")
        or details.get("email")
        or session.get("customer_email")
        or ""
    )
    if not email:
        raise DonorUnknown(f"paid session {session.get('id')} has no e-mail and no request of ours")
    if checkout is not None and checkout.family_name:
        defaults = {
            "family_name": checkout.family_name,
            "given_name": checkout.given_name,
            "family_name_kana": checkout.family_name_kana,
            "given_name_kana": checkout.given_name_kana,
            "preferred_language": "en" if checkout.language == "en" else "ja",
        }
    else:
        defaults = {"family_name": (details.get("name") or "")[:50]}
    # No savepoint: the caller's transaction (the event's) rolls back whole on any error, and
    # supporter_find_or_create keeps its own savepoint for the e-mail race.
    with transaction.atomic(savepoint=False):
        supporter, created = supporter_find_or_create(
            email=email,
            defaults={
                **defaults,
                "status": Supporter.Status.ACTIVE,
                "source": Supporter.Source.WEB,
            },
        )
        if created and checkout is not None:
            # The donor agreed to the privacy policy on our donate form (a required box).
            consent_record(
                supporter=supporter,
                kind=ConsentRecord.Kind.PRIVACY_POLICY,
                granted=True,
                source=ConsentRecord.Source.DONATE_FORM,
            )
    return supporter


def subscription_donor(*, metadata: dict) -> Supporter | None:
    """The donor of a monthly gift's subscription, once its Checkout was paid (or None)."""
    legacy_id = _int_or_none(metadata.get("supporter_id"))
    if legacy_id:
        found = Supporter.objects.filter(pk=legacy_id).first()
        if found is not None:
            return found
    checkout = checkout_request_find(reference=None, metadata=metadata)
    return checkout.supporter if checkout is not None else None


def subscription_programme_id(*, metadata: dict) -> int | None:
    """The programme a monthly gift supports, from its checkout request (None: where most
    needed). Stripe never carries it: only our reference goes there."""
    checkout = checkout_request_find(reference=None, metadata=metadata)
    return checkout.programme_id if checkout is not None else None


def invoice_gift_wishes(*, invoice: dict) -> GiftWishes:
    """The wall wishes for a monthly payment, from its subscription's checkout request."""
    parent = (invoice.get("parent") or {}).get("subscription_details") or {}
    older = invoice.get("subscription_details") or {}
    metadata = parent.get("metadata") or older.get("metadata") or {}
    checkout = checkout_request_find(reference=None, metadata=metadata)
    wishes = gift_wishes(checkout=checkout, metadata=metadata)
    # A monthly payment carries the wall wishes only; the message belongs to the first gift.
    return GiftWishes(show_name=wishes.show_name, show_amount=wishes.show_amount)


# Konbini payments may complete up to 60 days after Checkout; after that an unpaid request's
# donor details serve no purpose, and a paid one's live on in its supporter and gift.
CHECKOUT_DETAILS_RETENTION = datetime.timedelta(days=90)


def checkout_request_details_prune(
    *, older_than: datetime.timedelta = CHECKOUT_DETAILS_RETENTION
) -> int:
    """Blank the personal details the donate form kept on old checkout requests. Returns how
    many requests were blanked; running it again blanks nothing more."""
    return (
        CheckoutRequest.objects.filter(created_at__lt=timezone.now() - older_than)
        .exclude(email="", family_name="", given_name="", message="")
        .update(
            email="",
            family_name="",
            given_name="",
            family_name_kana="",
            given_name_kana="",
            message="",
        )
    )
