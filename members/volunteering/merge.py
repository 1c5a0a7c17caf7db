"""Merging two records of one person (members/merge.py): the duplicate's sign-ups, hours,
trainings and company link move to the survivor. A shift both signed up for keeps the
survivor's sign-up (the duplicate's is removed, and the shift's seat count follows)."""

from django.db.models import F

from members.models import Supporter

from .models import (
    CalendarFeed,
    EmployerLink,
    HoursEntry,
    Shift,
    Signup,
    VolunteerMilestone,
    VolunteerTraining,
)


def volunteering_rows_move(survivor: Supporter, duplicate: Supporter) -> dict[str, int]:
    both = Signup.objects.filter(
        volunteer=duplicate,
        shift__in=Signup.objects.filter(volunteer=survivor).values("shift"),
    )
    for signup in both.filter(status=Signup.Status.CONFIRMED):
        Shift.objects.filter(pk=signup.shift_id).update(confirmed_count=F("confirmed_count") - 1)
    HoursEntry.objects.filter(signup__in=both).update(signup=None)
    both.delete()
    moved = {
        "volunteering.signup": Signup.objects.filter(volunteer=duplicate).update(
            volunteer=survivor
        ),
        "volunteering.hoursentry": HoursEntry.objects.filter(volunteer=duplicate).update(
            volunteer=survivor
        ),
        "volunteering.volunteertraining": VolunteerTraining.objects.filter(
            volunteer=duplicate
        ).update(volunteer=survivor),
    }
    # A milestone both reached stays the survivor's (it was thanked for it already).
    reached = set(
        VolunteerMilestone.objects.filter(volunteer=survivor).values_list("kind", "count")
    )
    for milestone in VolunteerMilestone.objects.filter(volunteer=duplicate):
        if (milestone.kind, milestone.count) in reached:
            milestone.delete()
    moved["volunteering.volunteermilestone"] = VolunteerMilestone.objects.filter(
        volunteer=duplicate
    ).update(volunteer=survivor)
    HoursEntry.objects.filter(employer=duplicate).update(employer=survivor)
    EmployerLink.objects.filter(employer=duplicate).update(employer=survivor)
    if EmployerLink.objects.filter(volunteer=survivor).exists():
        EmployerLink.objects.filter(volunteer=duplicate).delete()
    else:
        EmployerLink.objects.filter(volunteer=duplicate).update(volunteer=survivor)
    CalendarFeed.objects.filter(volunteer=duplicate).delete()  # its secret URL stops working
    return moved
