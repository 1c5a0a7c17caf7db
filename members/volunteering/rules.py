"""Who may sign up for a shift: the training and skill rules, with a reason people can read."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Supporter, VolunteerProfile

from .models import Shift, VolunteerTraining


class SignupRefused(Exception):
    """A sign-up or cancellation the rules do not allow; str() is the reason, translated."""


@dataclass(frozen=True)
class Qualifications:
    """A volunteer's completed trainings (id, completed, expires) and skill ids: read once, then
    checked against any number of shifts without further queries."""

    trainings: tuple[tuple[int, datetime.date, datetime.date | None], ...]
    skills: frozenset[int]

    def has_training(self, training_id: int, day: datetime.date) -> bool:
        return any(
            pk == training_id and completed <= day and (expires is None or expires >= day)
            for pk, completed, expires in self.trainings
        )


def volunteer_qualifications(volunteer: Supporter) -> Qualifications:
    trainings = tuple(
        VolunteerTraining.objects.filter(volunteer=volunteer).values_list(
            "training_id", "completed_on", "expires_on"
        )
    )
    skills = frozenset(
        VolunteerProfile.skills.through.objects.filter(
            volunteerprofile__supporter=volunteer
        ).values_list("skill_id", flat=True)
    )
    return Qualifications(trainings=trainings, skills=skills)


def signup_refusal(
    *, shift: Shift, volunteer: Supporter, qualifications: Qualifications | None = None
) -> str | None:
    """Why `volunteer` may not take `shift`, or None. Trainings must be valid on the shift's
    date (an expired 食品衛生 does not count); skills must all be in the volunteer's profile.
    The shift's required trainings and skills are read through `.all()` (prefetch them)."""
    day = timezone.localtime(shift.starts_at).date()
    required = list(shift.required_trainings.all())
    skills = list(shift.required_skills.all())
    if not required and not skills:
        return None
    known = qualifications or volunteer_qualifications(volunteer)
    missing = [t.name for t in required if not known.has_training(t.pk, day)]
    if missing:
        return _(
            "This shift needs a valid training you do not have (or it has expired): %(names)s."
        ) % {"names": "、".join(missing)}
    missing = [skill.name for skill in skills if skill.pk not in known.skills]
    if missing:
        return _("This shift needs skills that are not in your profile: %(names)s.") % {
            "names": "、".join(missing)
        }
    return None
