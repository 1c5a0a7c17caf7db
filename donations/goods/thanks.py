"""Thanking pledgers: the e-mail for an accepted pledge, and the goods list a delivery's
thank-you names (campaigns queues that one with the staff's "In-kind delivery" template)."""

from django.template.loader import render_to_string
from django.utils import translation

from members.models import Supporter
from ouendan.core.mail import email_queue
from ouendan.core.models import OutgoingEmail

from .models import Delivery, Pledge
from .rules import quantity_display


def delivery_items_text(*, delivery: Delivery) -> str:
    """The goods of a delivery as a list, in the pledger's language ({items} of the template)."""
    with translation.override(delivery.pledge.supporter.preferred_language or "ja"):
        return "\n".join(
            f"- {line.description}: {quantity_display(line.quantity)} {line.get_unit_display()}"
            for line in delivery.lines.all()
        )


def pledge_accepted_thanks_queue(*, pledge: Pledge):
    """Queue the thank-you e-mail for an accepted pledge through the outbox.

    The key names the pledge, so however often this runs, it is thanked once. Returns the
    OutgoingEmail, or None when the supporter has no usable address.
    """
    supporter = pledge.supporter
    if not supporter.email or supporter.status not in (
        Supporter.Status.PENDING,
        Supporter.Status.ACTIVE,
    ):
        return None
    language = supporter.preferred_language or "ja"
    with translation.override(language):
        context = {
            "supporter": supporter,
            "pledge": pledge,
            "lines": [
                {
                    "description": line.description,
                    "quantity": quantity_display(line.quantity),
                    "unit": str(line.get_unit_display()),
                }
                for line in pledge.lines.all()
            ],
        }
        subject = render_to_string("goods/email/accepted_subject.txt", context).strip()
        body = render_to_string("goods/email/accepted_body.txt", context)
    message, _created = email_queue(
        key=f"inkind:accepted:{pledge.pk}",
        to=supporter.email,
        subject=subject,
        body=body,
        supporter=supporter,
        category=OutgoingEmail.Category.GENERAL,  # goods, not money: Member staff handle them
    )
    return message
