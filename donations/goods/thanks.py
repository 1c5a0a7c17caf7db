"""Thanking pledgers: the e-mail for an accepted pledge, and the goods list a delivery's
thank-you names (campaigns queues that one with the staff's "In-kind delivery" template)."""

from django.utils import translation

from members.mail import (
    MailPurpose,
    MailText,
    mail_template_render,
    supporter_email_queue,
    supporter_language,
)
from ouendan.core.models import OutgoingEmail

from .models import Delivery, Pledge
from .rules import quantity_display


def delivery_items_text(*, delivery: Delivery) -> str:
    """The goods of a delivery as a list, in the pledger's language ({items} of the template)."""
    with translation.override(supporter_language(delivery.pledge.supporter)):
        return "\n".join(
            f"- {line.description}: {quantity_display(line.quantity)} {line.get_unit_display()}"
            for line in delivery.lines.all()
        )


def pledge_accepted_thanks_queue(*, pledge: Pledge) -> OutgoingEmail | None:
    """Queue the thank-you e-mail for an accepted pledge through the outbox.

    The key names the pledge, so however often this runs, it is thanked once. Returns the
    OutgoingEmail, or None when the supporter may not be mailed (members.mail).
    """
    supporter = pledge.supporter

    def render(language: str) -> MailText:
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
        return mail_template_render(template="goods/email/accepted", context=context)

    queued = supporter_email_queue(
        supporter=supporter,
        key=f"inkind:accepted:{pledge.pk}",
        # Confirms the acceptance and what comes next (delivery or pick-up): transactional.
        purpose=MailPurpose.TRANSACTIONAL,
        category=OutgoingEmail.Category.GENERAL,  # goods, not money: Member staff handle them
        render=render,
    )
    return queued.message if queued else None
