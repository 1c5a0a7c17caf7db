"""Who may sign up for a shift: the training and skill rules, with a reason people can read."""

from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Supporter

from .models import Shift, VolunteerTraining


class SignupRefused(Exception):
    """A sign-up or cancellation the rules do not allow; str() is the reason, translated."""


def signup_refusal(*, shift: Shift, volunteer: Supporter) -> str | None:
    """Why `volunteer` may not take `shift`, or None. Trainings must be valid on the shift's
    date (an expired 食品衛生 does not count); skills must all be in the volunteer's profile."""
    day = timezone.localtime(shift.starts_at).date()
    required = list(shift.required_trainings.all())
    if required:
        valid = set(
            VolunteerTraining.objects.filter(
                volunteer=volunteer, training__in=required, completed_on__lte=day
            )
            .exclude(expires_on__lt=day)
            .values_list("training_id", flat=True)
        )
        missing = [training.name for training in required if training.pk not in valid]
        if missing:
            return _(
                "This shift needs a valid training you do not have (or it has expired): %(names)s."
            ) % {"names": "、".join(missing)}
    skills = list(shift.required_skills.all())
    if skills:
        profile = getattr(volunteer, "volunteer_profile", None)
        have = set(profile.skills.values_list("pk", flat=True)) if profile else set()
        missing = [skill.name for skill in skills if skill.pk not in have]
        if missing:
            return _("This shift needs skills that are not in your profile: %(names)s.") % {
                "names": "、".join(missing)
            }
    return None
