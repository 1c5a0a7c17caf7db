"""Addresses the mail provider told us not to mail again (bounces, spam complaints).

The provider's tracking webhooks arrive through django-anymail (`anymail/<provider>/tracking/`,
mounted in ouendan.urls; anymail verifies their signature before any signal is sent), and
`tracking_event_receiver` records a bounce or a complaint here. Every mail path checks
`address_suppressed` (members.mail.supporter_mailable; the newsletter's audience excludes
`suppressed_emails()`): this layer is the lowest that all of them share.
"""

import logging

from django.db.models import QuerySet
from django.db.models.functions import Lower

from .models import SuppressedAddress

logger = logging.getLogger(__name__)


def address_suppress(*, email: str, reason: str, detail: str = "", provider: str = "") -> bool:
    """Record (or refresh) a suppression; a complaint never downgrades a bounce. Returns
    whether the address was newly suppressed."""
    email = (email or "").strip().lower()
    if not email:
        return False
    if reason not in SuppressedAddress.Reason.values:
        raise ValueError(f"Unknown suppression reason: {reason!r}")
    existing = SuppressedAddress.objects.filter(email=email).first()
    if existing is not None:
        if existing.reason != SuppressedAddress.Reason.BOUNCED:
            existing.reason = reason
        existing.detail = detail[:300]
        existing.provider = provider[:30]
        existing.save()
        return False
    SuppressedAddress.objects.create(
        email=email, reason=reason, detail=detail[:300], provider=provider[:30]
    )
    logger.info("Address suppressed (%s) by %s", reason, provider or "staff")
    return True


def address_suppression(email: str) -> str | None:
    """The reason an address is suppressed, or None."""
    if not email:
        return None
    return (
        SuppressedAddress.objects.filter(email=email.strip().lower())
        .values_list("reason", flat=True)
        .first()
    )


def suppressed_emails() -> QuerySet:
    """Lower-cased suppressed addresses, for an `email__lower__in` / Lower("email") filter."""
    return SuppressedAddress.objects.annotate(address=Lower("email")).values("address")


# anymail's normalised event types (anymail.signals.EventType) that suppress an address.
SUPPRESSING_EVENTS = {
    "bounced": SuppressedAddress.Reason.BOUNCED,
    "complained": SuppressedAddress.Reason.COMPLAINED,
}


def tracking_event_receiver(sender, event, esp_name, **kwargs) -> None:
    """anymail.signals.tracking: a (verified) bounce or complaint suppresses the address.
    A rejected send for an address the provider itself suppressed as bouncing counts too."""
    reason = SUPPRESSING_EVENTS.get(event.event_type)
    if reason is None and event.event_type == "rejected" and event.reject_reason == "bounced":
        reason = SuppressedAddress.Reason.BOUNCED
    if reason is None or not event.recipient:
        return
    address_suppress(
        email=event.recipient,
        reason=reason,
        detail=event.mta_response or event.description or "",
        provider=esp_name or "",
    )
