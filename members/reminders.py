"""Membership renewal reminders: one e-mail 30 days and one 7 days before the renewal date."""

import datetime

from ouendan.core.models import OutgoingEmail

from .mail import MailPurpose, supporter_email_queue
from .models import Membership, Supporter

REMINDER_DAYS = (30, 7)


def membership_reminders_queue(*, today: datetime.date) -> int:
    """Queue a reminder for every active membership renewing exactly 30 or 7 days from `today`.

    The outbox key names the membership, the reminder and the renewal date, so running this twice
    (a retried task, a second worker) never sends a reminder twice, while the next period's
    renewal gets its own reminders. Supporters without e-mail or not active are skipped.
    Returns how many reminders were queued now.
    """
    queued = 0
    for days in REMINDER_DAYS:
        renews_on = today + datetime.timedelta(days=days)
        memberships = (
            Membership.objects.filter(
                status=Membership.Status.ACTIVE,
                renews_on=renews_on,
                supporter__status=Supporter.Status.ACTIVE,
            )
            .exclude(supporter__email="")
            .select_related("supporter", "plan")
            .order_by("pk")
        )
        for membership in memberships:
            supporter = membership.supporter
            result = supporter_email_queue(
                supporter=supporter,
                key=f"renewal-reminder:{days}:{membership.pk}:{membership.renews_on.isoformat()}",
                purpose=MailPurpose.TRANSACTIONAL,
                category=OutgoingEmail.Category.MONEY,  # it states the membership fee
                template="members/email/renewal_reminder",
                context={"supporter": supporter, "membership": membership, "days": days},
            )
            queued += bool(result and result.created)
    return queued
