"""Volunteering's part of "download my data" and of anonymisation (members/privacy.py)."""

from django.utils import timezone

from members.models import Supporter

from .models import (
    CalendarFeed,
    EmployerLink,
    HoursEntry,
    Signup,
    VolunteerMilestone,
    VolunteerTraining,
)
from .services import signup_cancel


def volunteering_export(supporter: Supporter) -> dict[str, list[dict]]:
    signups = Signup.objects.filter(volunteer=supporter).select_related(
        "shift__place", "shift__role"
    )
    return {
        "volunteer_signups": [
            {
                "place": s.shift.place.name,
                "role": s.shift.role.name,
                "starts_at": timezone.localtime(s.shift.starts_at).isoformat(),
                "status": s.status,
            }
            for s in signups
        ],
        "volunteer_hours": [
            {
                "place": h.place.name,
                "date": h.served_on.isoformat(),
                "minutes": h.minutes,
                "status": h.status,
                "note": h.note,
            }
            for h in HoursEntry.objects.filter(volunteer=supporter).select_related("place")
        ],
        "volunteer_trainings": [
            {
                "training": t.training.name,
                "completed_on": t.completed_on.isoformat(),
                "expires_on": t.expires_on.isoformat() if t.expires_on else "",
            }
            for t in VolunteerTraining.objects.filter(volunteer=supporter).select_related(
                "training"
            )
        ],
        "volunteer_milestones": [
            {
                "kind": m.kind,
                "count": m.count,
                "reached_at": timezone.localtime(m.reached_at).isoformat(),
            }
            for m in VolunteerMilestone.objects.filter(volunteer=supporter).order_by("reached_at")
        ],
    }


def volunteering_anonymise(supporter: Supporter) -> None:
    """Hours and sign-ups stay as counts for the places (no personal data once the supporter is
    anonymised); notes, trainings, the company link and the calendar feed go; open sign-ups are
    cancelled so nobody expects the person."""
    HoursEntry.objects.filter(volunteer=supporter).update(note="")
    VolunteerTraining.objects.filter(volunteer=supporter).delete()
    EmployerLink.objects.filter(volunteer=supporter).delete()
    CalendarFeed.objects.filter(volunteer=supporter).delete()
    upcoming = Signup.objects.filter(
        volunteer=supporter,
        status__in=[Signup.Status.CONFIRMED, Signup.Status.WAITLISTED],
        shift__starts_at__gt=timezone.now(),
    )
    for signup_id in upcoming.values_list("pk", flat=True):
        # As staff (no cut-off): the seat goes to the waitlist and the count stays right.
        signup_cancel(signup_id=signup_id, volunteer=None)
