"""Milestones (the 10th shift, 50 hours…): recorded once per milestone per volunteer.

The thank-you itself is written with the staff's thank-you templates, which live in campaigns,
above this layer: a milestone is recorded here (VolunteerMilestone, unique per volunteer, kind
and count) and announced with the `volunteer_milestone_reached` signal, to which campaigns
subscribes in its AppConfig.ready(). However often attendance is re-marked, the row exists once
and the signal is sent once. Milestones are the VOLUNTEER_MILESTONES setting:
{"shifts": [10, 50], "hours": [50, 100]}.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.dispatch import Signal

from members.models import Supporter

from .models import HoursEntry, Signup, VolunteerMilestone

DEFAULT_MILESTONES = {"shifts": [10, 50, 100], "hours": [50, 100, 300]}

# Sent with supporter, kind ("shifts" or "hours"), count, shifts and hours (the volunteer's
# totals), once per milestone reached.
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
    """Record every milestone reached and not yet recorded, announcing each; returns them."""
    supporter = Supporter.objects.get(pk=volunteer_id)
    shifts, hours = volunteer_totals(volunteer_id=volunteer_id)
    already = set(
        VolunteerMilestone.objects.filter(volunteer_id=volunteer_id).values_list("kind", "count")
    )
    reached = []
    for kind, total in (("shifts", shifts), ("hours", hours)):
        for count in milestones().get(kind, []):
            if total < count or (kind, count) in already:
                continue
            try:
                with transaction.atomic():
                    VolunteerMilestone.objects.create(volunteer=supporter, kind=kind, count=count)
            except IntegrityError:
                continue  # recorded concurrently: announced by the other run
            reached.append((kind, count))
            volunteer_milestone_reached.send(
                sender=Supporter,
                supporter=supporter,
                kind=kind,
                count=count,
                shifts=shifts,
                hours=hours,
            )
    return reached
