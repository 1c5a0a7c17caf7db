"""Membership renewal reminders: one e-mail 30 days and one 7 days before the renewal date."""

import datetime

from django.template.loader import render_to_string
from django.utils import translation

from ouendan.core.mail import email_queue
from ouendan.core.models import OutgoingEmail

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
            context = {"supporter": supporter, "membership": membership, "days": days}
            with translation.override(supporter.preferred_language):
                subject = render_to_string(
                    "members/email/renewal_reminder_subject.txt", context
                ).strip()
                body = render_to_string("members/email/renewal_reminder_body.txt", context)
            _message, created = email_queue(
                key=f"renewal-reminder:{days}:{membership.pk}:{membership.renews_on.isoformat()}",
                to=supporter.email,
                subject=subject,
                body=body,
                supporter=supporter,
                category=OutgoingEmail.Category.MONEY,  # it states the membership fee
            )
            queued += created
    return queued
