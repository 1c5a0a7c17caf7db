"""Volunteer milestones (the 10th shift, 50 hours…) thanked with the staff's "Volunteer
milestone" thank-you template.

members.volunteering records each milestone once and sends `volunteer_milestone_reached` (it does
not import campaigns); CampaignsConfig.ready() connects the receiver. The key names the volunteer
and the milestone, so each is thanked once however often this runs.
"""

from django.utils import timezone

from members.models import Supporter

from .models import ThankYouKind, ThankYouLog
from .thanks import thanks_queue


def volunteer_milestone_thanks_queue(
    *, supporter: Supporter, kind: str, count: int, shifts: int, hours: float
) -> tuple[ThankYouLog, bool]:
    """Thank a volunteer for one milestone, once. Returns (log entry, created)."""
    return thanks_queue(
        kind=ThankYouKind.VOLUNTEER_MILESTONE,
        supporter=supporter,
        context={
            "day": timezone.localdate(),
            "milestone": (kind, count),
            "shifts": shifts,
            "hours": hours,
        },
        key=f"volunteer:{supporter.pk}:{kind}:{count}",
    )


def volunteer_milestone_receiver(
    sender, *, supporter: Supporter, kind: str, count: int, shifts: int, hours: float, **kwargs
) -> None:
    volunteer_milestone_thanks_queue(
        supporter=supporter, kind=kind, count=count, shifts=shifts, hours=hours
    )
