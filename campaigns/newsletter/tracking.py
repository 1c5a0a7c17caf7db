"""What the mail provider reports about each newsletter mail (anymail's verified tracking
webhooks), and erasing recipients' addresses when a supporter is anonymised."""

from django.db.models import Q

from members.models import ConsentRecord, Supporter
from members.services import consent_record

from .models import MailingRecipient

DELIVERY = {
    "delivered": MailingRecipient.Delivery.DELIVERED,
    "bounced": MailingRecipient.Delivery.BOUNCED,
    "complained": MailingRecipient.Delivery.COMPLAINED,
    "unsubscribed": MailingRecipient.Delivery.UNSUBSCRIBED,
}
# A later report never replaces a worse one (delivered, then marked as spam: spam stays).
RANK = {"": 0, "delivered": 1, "bounced": 2, "unsubscribed": 3, "complained": 4}


def _recipient_for(event) -> MailingRecipient | None:
    metadata = event.metadata or {}
    match = Q(pk=-1)
    if event.message_id:
        match |= Q(message_id=event.message_id)
    if str(metadata.get("mailing_recipient", "")).isdigit():
        match |= Q(pk=int(metadata["mailing_recipient"]))
    return MailingRecipient.objects.filter(match).select_related("supporter").first()


def mailing_tracking_receiver(sender, event, esp_name, **kwargs) -> None:
    """anymail.signals.tracking: the recipient's delivery status; an unsubscribe at the
    provider (its own link) withdraws the newsletter consent like ours does."""
    delivery = DELIVERY.get(event.event_type)
    if delivery is None:
        return
    recipient = _recipient_for(event)
    if recipient is None:
        return
    if RANK[delivery] > RANK[recipient.delivery]:
        MailingRecipient.objects.filter(pk=recipient.pk).update(delivery=delivery)
    if delivery == MailingRecipient.Delivery.UNSUBSCRIBED and recipient.supporter is not None:
        consent_record(
            supporter=recipient.supporter,
            kind=ConsentRecord.Kind.NEWSLETTER,
            granted=False,
            source=ConsentRecord.Source.UNSUBSCRIBE,
        )


def newsletter_anonymise(supporter: Supporter) -> None:
    """The address each mailing was sent to is personal data: blanked (counts stay)."""
    MailingRecipient.objects.filter(supporter=supporter).update(email="")
