"""Milestone thanks (the 10th shift, 50 hours…): once per milestone per volunteer.

The thank-you templates live in campaigns, above this layer: a milestone is announced with the
`volunteer_milestone_reached` signal (campaigns may subscribe in its AppConfig.ready()), and
thanked here through the outbox with this app's own template, under a key that names the
milestone, so it is sent once however often attendance is re-marked. Milestones are the
VOLUNTEER_MILESTONES setting: {"shifts": [10, 50], "hours": [50, 100]}.
"""

from django.conf import settings
from django.db.models import Sum
from django.dispatch import Signal

from members.mail import MailPurpose, supporter_email_queue
from members.models import Supporter
from ouendan.core.models import OutgoingEmail

from .models import HoursEntry, Signup

DEFAULT_MILESTONES = {"shifts": [10, 50, 100], "hours": [50, 100, 300]}

# Sent with supporter, kind ("shifts" or "hours") and count, once per milestone reached.
volunteer_milestone_reached = Signal()


def milestones() -> dict[str, list[int]]:
    return getattr(settings, "VOLUNTEER_MILESTONES", DEFAULT_MILESTONES)


def volunteer_totals(*, volunteer_id: int) -> tuple[int, float]:
    shifts = Signup.objects.filter(volunteer_id=volunteer_id, status=Signup.Status.ATTENDED).count()
    minutes = (
        HoursEntry.objects.filter(
            volunteer_id=volunteer_id, status=HoursEntry.Status.APPROVED
        ).aggregate(total=Sum("minutes"))["total"]
        or 0
    )
    return shifts, minutes / 60


def volunteer_milestones_check(*, volunteer_id: int) -> list[tuple[str, int]]:
    """Thank the volunteer for every milestone reached and not yet thanked; returns them."""
    supporter = Supporter.objects.get(pk=volunteer_id)
    shifts, hours = volunteer_totals(volunteer_id=volunteer_id)
    reached = []
    for kind, total in (("shifts", shifts), ("hours", hours)):
        for count in milestones().get(kind, []):
            if total < count:
                continue
            queued = supporter_email_queue(
                supporter=supporter,
                key=f"volunteer-milestone:{kind}:{count}:{supporter.pk}",
                purpose=MailPurpose.THANKS,
                category=OutgoingEmail.Category.GENERAL,
                template="volunteering/email/milestone",
                context={"supporter": supporter, "kind": kind, "count": count},
            )
            if queued is not None and queued.created:
                reached.append((kind, count))
                volunteer_milestone_reached.send(
                    sender=Supporter, supporter=supporter, kind=kind, count=count
                )
    return reached
