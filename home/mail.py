"""The e-mail outbox: queue a message once, send it at most once, never lose it."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import OutgoingEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def email_queue(
    *, key: str, to: str, subject: str, body: str, supporter=None
) -> tuple[OutgoingEmail, bool]:
    """Store a message under a unique key and send it after the surrounding transaction commits.

    Queuing the same key again returns the existing message and sends nothing new.
    Returns (message, created).
    """
    from .tasks import outgoing_email_deliver

    try:
        with transaction.atomic():
            message = OutgoingEmail.objects.create(
                key=key, to=to, subject=subject, body=body, supporter=supporter
            )
    except IntegrityError:
        return OutgoingEmail.objects.get(key=key), False
    transaction.on_commit(lambda: outgoing_email_deliver(message.pk))
    return message, True


def outgoing_email_send(*, email_id: int) -> OutgoingEmail.Status:
    """Send one stored message unless it was already sent. Safe to call any number of times."""
    with transaction.atomic():
        message = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if message is None or message.status != OutgoingEmail.Status.PENDING:
            return message.status if message else OutgoingEmail.Status.FAILED
        message.attempts += 1
        try:
            EmailMessage(
                subject=message.subject,
                body=message.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[message.to],
            ).send()
        except Exception as exc:  # SMTP and network errors vary; all mean "try again later"
            logger.warning("E-mail %s failed (attempt %s): %s", message.pk, message.attempts, exc)
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutgoingEmail.Status.FAILED
            message.save(update_fields=["attempts", "last_error", "status"])
            return message.status
        message.status = OutgoingEmail.Status.SENT
        message.sent_at = timezone.now()
        message.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        return message.status


def outgoing_email_pending_ids(*, older_than: timedelta = timedelta(minutes=2)) -> list[int]:
    """Messages still pending a while after they were queued: their task was lost or failed."""
    cutoff = timezone.now() - older_than
    return list(
        OutgoingEmail.objects.filter(
            status=OutgoingEmail.Status.PENDING, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:1000]
    )
