"""The e-mail outbox: queue a message once, send it at most once, never lose it silently.

A message goes PENDING → SENDING (claimed and committed *before* the send) → SENT, or back to
PENDING / on to FAILED when the send raised. A worker killed during the send leaves the row in
SENDING: it is never re-sent automatically (a doubled mail cannot be undone), staff see it on the
outbox screen and send it again once they have checked.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import OutgoingEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5

# What staff read where a single-use link was; the real text is only in `secret_body`.
LINK_HIDDEN = "[link hidden / リンクは表示しません]"


def email_redact(*, text: str, secrets: list[str]) -> str:
    """The text with every secret (a single-use link, its token) replaced by LINK_HIDDEN."""
    for secret in sorted(filter(None, secrets), key=len, reverse=True):  # whole URL first
        text = text.replace(secret, LINK_HIDDEN)
    return text


def email_queue(
    *,
    key: str,
    to: str,
    subject: str,
    body: str,
    supporter=None,
    secret_body: str | None = None,
    category: str = OutgoingEmail.Category.GENERAL,
) -> tuple[OutgoingEmail, bool]:
    """Store a message under a unique key and send it after the surrounding transaction commits.

    `body` is what staff may read. When the mail carries a single-use link, pass the text as
    sent in `secret_body` and the same text with the link redacted (email_redact) in `body`.
    `category` MONEY makes the message readable by Finance only.
    Queuing the same key again returns the existing message and sends nothing new.
    Returns (message, created).
    """
    from .tasks import outgoing_email_deliver  # tasks.py imports this module

    if category not in OutgoingEmail.Category.values:
        raise ValueError(f"Unknown e-mail category: {category!r}")
    try:
        with transaction.atomic():
            message = OutgoingEmail.objects.create(
                key=key,
                to=to,
                subject=subject,
                body=body,
                secret_body=secret_body or "",
                category=category,
                supporter=supporter,
            )
    except IntegrityError:
        return OutgoingEmail.objects.get(key=key), False
    transaction.on_commit(lambda: outgoing_email_deliver(message.pk))
    return message, True


def outgoing_emails_erase(*, supporter_id: int) -> int:
    """Clear the address and bodies of every e-mail stored for a supporter (their personal data
    is being deleted); subject, dates and status stay, so the outbox still shows that something
    was sent. Returns how many messages changed."""
    return (
        OutgoingEmail.objects.filter(supporter_id=supporter_id)
        .exclude(to="", body="", secret_body="")
        .update(to="", body="", secret_body="")
    )


def _claim(email_id: int) -> bool:
    """PENDING → SENDING in its own committed statement. The conditional UPDATE lets only one
    worker win; after it, a crash leaves the row visibly 'being sent', never pending again."""
    with transaction.atomic():
        return (
            OutgoingEmail.objects.filter(pk=email_id, status=OutgoingEmail.Status.PENDING).update(
                status=OutgoingEmail.Status.SENDING, attempts=F("attempts") + 1
            )
            == 1
        )


def outgoing_email_send(*, email_id: int) -> OutgoingEmail.Status:
    """Send one stored message unless it was already claimed. Safe to call any number of times.

    Call it outside a transaction (huey tasks are): the claim must be committed before the send.
    """
    if not _claim(email_id):
        message = OutgoingEmail.objects.filter(pk=email_id).first()
        return message.status if message else OutgoingEmail.Status.FAILED
    message = OutgoingEmail.objects.get(pk=email_id)
    sending = OutgoingEmail.objects.filter(pk=email_id, status=OutgoingEmail.Status.SENDING)
    try:
        EmailMessage(
            subject=message.subject,
            body=message.secret_body or message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
        ).send()
    except Exception as exc:  # SMTP and network errors vary; all mean "not sent, try again later"
        logger.warning("E-mail %s failed (attempt %s): %s", message.pk, message.attempts, exc)
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if message.attempts >= MAX_ATTEMPTS:
            sending.update(status=OutgoingEmail.Status.FAILED, last_error=error, secret_body="")
            return OutgoingEmail.Status.FAILED
        sending.update(status=OutgoingEmail.Status.PENDING, last_error=error)
        return OutgoingEmail.Status.PENDING
    sending.update(
        status=OutgoingEmail.Status.SENT, sent_at=timezone.now(), last_error="", secret_body=""
    )
    return OutgoingEmail.Status.SENT


def outgoing_email_resend(*, email_id: int, user=None) -> bool:
    """Staff checked that a message left 'being sent' (worker stopped mid-send) did not arrive:
    put it back in the queue. Returns False when it was no longer in that state."""
    from .tasks import outgoing_email_deliver  # tasks.py imports this module

    with transaction.atomic():
        requeued = OutgoingEmail.objects.filter(
            pk=email_id, status=OutgoingEmail.Status.SENDING
        ).update(status=OutgoingEmail.Status.PENDING, last_error="")
        if requeued:
            logger.info("E-mail %s queued again by user %s", email_id, getattr(user, "pk", None))
            transaction.on_commit(lambda: outgoing_email_deliver(email_id))
    return bool(requeued)
