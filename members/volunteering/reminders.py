"""Reminders the day before a shift: one e-mail per sign-up, under a key naming the sign-up and
the shift's start, so a retried or repeated run sends nothing twice (a moved shift gets its own
reminder)."""

import datetime

from django.utils import timezone

from members.mail import MailPurpose, supporter_email_queue
from ouendan.core.models import OutgoingEmail

from .models import Signup


def shift_reminders_queue(*, now: datetime.datetime) -> int:
    """Queue a reminder for every confirmed sign-up on a shift that starts tomorrow (local
    date of `now`). Returns how many were queued now."""
    tomorrow = timezone.localtime(now).date() + datetime.timedelta(days=1)
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(tomorrow, datetime.time(), tzinfo=tz)
    signups = (
        Signup.objects.filter(
            status=Signup.Status.CONFIRMED,
            shift__is_cancelled=False,
            shift__starts_at__gte=start,
            shift__starts_at__lt=start + datetime.timedelta(days=1),
        )
        .select_related("volunteer", "shift__place", "shift__role")
        .order_by("pk")
    )
    queued = 0
    for signup in signups:
        shift = signup.shift
        result = supporter_email_queue(
            supporter=signup.volunteer,
            key=f"shift-reminder:{signup.pk}:{shift.starts_at:%Y%m%d%H%M}:{signup.volunteer_id}",
            purpose=MailPurpose.TRANSACTIONAL,
            category=OutgoingEmail.Category.GENERAL,
            template="volunteering/email/reminder",
            context={"supporter": signup.volunteer, "shift": shift},
        )
        queued += bool(result and result.created)
    return queued
