"""Reading what a recipient really got: the outbox stores single-use links redacted."""

from django.core import mail

from ouendan.core.models import OutgoingEmail


def sent_body(message: OutgoingEmail) -> str:
    """The body as sent for an outbox row (its link included), or as it will be sent."""
    message.refresh_from_db()
    if message.secret_body:  # not sent yet
        return message.secret_body
    for sent in reversed(mail.outbox):
        if sent.to == [message.to] and sent.subject == message.subject:
            return sent.body
    raise AssertionError(f"{message.key} was not sent")
