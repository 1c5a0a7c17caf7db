"""Volunteering's write paths: sign up, cancel (promoting the waitlist), attendance, hours,
calendar feeds and employer links. One service per write path, keyword-only."""

import datetime
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from members.mail import MailPurpose, supporter_email_queue
from members.models import Supporter, User
from members.places.models import Place
from ouendan.core.models import OutgoingEmail

from .milestones import volunteer_milestones_check
from .models import CalendarFeed, EmployerLink, HoursEntry, Shift, Signup
from .rules import SignupRefused, signup_refusal

OPEN = (Signup.Status.CONFIRMED, Signup.Status.WAITLISTED)


@dataclass(frozen=True)
class SignupResult:
    signup: Signup
    created: bool  # False: the volunteer was already on the shift or its waitlist


def signup_create(
    *, shift_id: int, volunteer: Supporter, now: datetime.datetime | None = None
) -> SignupResult:
    """Put `volunteer` on the shift, or on its waitlist when it is full.

    The shift's row is locked (SELECT … FOR UPDATE on PostgreSQL; SQLite serialises writers), so
    under concurrent sign-ups the last seat goes to exactly one person and the others are
    waitlisted. Refuses (SignupRefused, with the reason) after the cut-off, on a cancelled shift,
    and when a required training or skill is missing."""
    now = now or timezone.now()
    with transaction.atomic():
        shift = Shift.objects.select_for_update().get(pk=shift_id)
        if shift.is_cancelled:
            raise SignupRefused(_("This shift was cancelled."))
        if now >= shift.cutoff_at:
            raise SignupRefused(_("Sign-ups for this shift have closed."))
        reason = signup_refusal(shift=shift, volunteer=volunteer)
        if reason:
            raise SignupRefused(reason)
        signup = Signup.objects.filter(shift=shift, volunteer=volunteer).first()
        if signup is not None and signup.status in OPEN:
            return SignupResult(signup=signup, created=False)
        if signup is None:
            signup = Signup(shift=shift, volunteer=volunteer)
        signup.created_at = now
        if shift.confirmed_count < shift.people_needed:
            signup.status = Signup.Status.CONFIRMED
            signup.position = 0
            Shift.objects.filter(pk=shift.pk).update(confirmed_count=F("confirmed_count") + 1)
        else:
            last = shift.signups.aggregate(last=Max("position"))["last"] or 0
            signup.status = Signup.Status.WAITLISTED
            signup.position = last + 1
        signup.save()
    return SignupResult(signup=signup, created=True)


def signup_cancel(
    *, signup_id: int, volunteer: Supporter | None, now: datetime.datetime | None = None
) -> Signup:
    """Cancel a sign-up (the volunteer's own when `volunteer` is given; staff pass None), up to
    the shift's cut-off for volunteers. A confirmed seat freed goes to the first on the
    waitlist, who is told by e-mail."""
    now = now or timezone.now()
    with transaction.atomic():
        signup = Signup.objects.select_related("shift").get(pk=signup_id)
        shift = Shift.objects.select_for_update().get(pk=signup.shift_id)
        signup = Signup.objects.get(pk=signup_id)  # read again under the shift's lock
        if volunteer is not None and signup.volunteer_id != volunteer.pk:
            raise SignupRefused(_("This is not your sign-up."))
        if signup.status not in OPEN:
            return signup
        if volunteer is not None and now >= shift.cutoff_at:
            raise SignupRefused(
                _("It is too late to cancel online: please call the place's coordinator.")
            )
        was_confirmed = signup.status == Signup.Status.CONFIRMED
        signup.status = Signup.Status.CANCELLED
        signup.save(update_fields=["status", "updated_at"])
        if was_confirmed:
            Shift.objects.filter(pk=shift.pk).update(confirmed_count=F("confirmed_count") - 1)
            shift.confirmed_count -= 1
            _waitlist_promote(shift=shift)
    return signup


def _waitlist_promote(*, shift: Shift) -> None:
    """Fill free seats from the waitlist, first come first served (inside the shift's lock)."""
    free = shift.people_needed - shift.confirmed_count
    waiting = shift.signups.filter(status=Signup.Status.WAITLISTED).order_by("position", "pk")
    for signup in list(waiting.select_related("volunteer")[: max(free, 0)]):
        signup.status = Signup.Status.CONFIRMED
        signup.save(update_fields=["status", "updated_at"])
        Shift.objects.filter(pk=shift.pk).update(confirmed_count=F("confirmed_count") + 1)
        supporter_email_queue(
            supporter=signup.volunteer,
            key=f"shift-promoted:{signup.pk}:{signup.volunteer_id}",
            purpose=MailPurpose.TRANSACTIONAL,
            category=OutgoingEmail.Category.GENERAL,
            template="volunteering/email/promoted",
            context={"supporter": signup.volunteer, "shift": shift},
        )


def attendance_mark(*, signup_id: int, present: bool, user: User | None) -> Signup:
    """Mark a volunteer present or absent. Present logs the shift's hours (approved, counted for
    the volunteer's company if any); absent removes hours logged from an earlier "present"."""
    with transaction.atomic():
        signup = Signup.objects.select_for_update().select_related("shift").get(pk=signup_id)
        shift = signup.shift
        if present:
            signup.status = Signup.Status.ATTENDED
            minutes = int((shift.ends_at - shift.starts_at).total_seconds() // 60)
            HoursEntry.objects.update_or_create(
                signup=signup,
                defaults={
                    "volunteer_id": signup.volunteer_id,
                    "place_id": shift.place_id,
                    "employer_id": _employer_id(signup.volunteer_id),
                    "served_on": timezone.localtime(shift.starts_at).date(),
                    "minutes": minutes,
                    "source": HoursEntry.Source.ATTENDANCE,
                    "status": HoursEntry.Status.APPROVED,
                    "reviewed_by": user,
                },
            )
        else:
            signup.status = Signup.Status.NO_SHOW
            HoursEntry.objects.filter(signup=signup).delete()
        signup.save(update_fields=["status", "updated_at"])
        volunteer_milestones_check(volunteer_id=signup.volunteer_id)
    return signup


def _employer_id(volunteer_id: int) -> int | None:
    return (
        EmployerLink.objects.filter(volunteer_id=volunteer_id)
        .values_list("employer_id", flat=True)
        .first()
    )


def hours_report(
    *, volunteer: Supporter, place: Place, served_on: datetime.date, minutes: int, note: str = ""
) -> HoursEntry:
    """Hours the volunteer reports themself (work outside a shift): wait for staff approval."""
    if minutes <= 0 or minutes > 24 * 60:
        raise SignupRefused(_("Enter between 1 minute and 24 hours."))
    if served_on > timezone.localdate():
        raise SignupRefused(_("Hours can only be reported for days that have passed."))
    return HoursEntry.objects.create(
        volunteer=volunteer,
        place=place,
        employer_id=_employer_id(volunteer.pk),
        served_on=served_on,
        minutes=minutes,
        note=note,
        source=HoursEntry.Source.REPORTED,
        status=HoursEntry.Status.PENDING,
    )


def hours_review(*, entry_id: int, approve: bool, user: User) -> HoursEntry:
    with transaction.atomic():
        entry = HoursEntry.objects.select_for_update().get(pk=entry_id)
        entry.status = HoursEntry.Status.APPROVED if approve else HoursEntry.Status.REJECTED
        entry.reviewed_by = user
        entry.save(update_fields=["status", "reviewed_by"])
        if approve:
            volunteer_milestones_check(volunteer_id=entry.volunteer_id)
    return entry


def calendar_feed_regenerate(*, volunteer: Supporter) -> str:
    """A new secret for the volunteer's feed (the old URL stops working). Returns the secret,
    which is not stored."""
    token = secrets.token_urlsafe(24)
    CalendarFeed.objects.update_or_create(
        volunteer=volunteer,
        defaults={"token_hash": CalendarFeed.hash(token), "created_at": timezone.now()},
    )
    return token


def calendar_feed_revoke(*, volunteer: Supporter) -> None:
    CalendarFeed.objects.filter(volunteer=volunteer).delete()


def employer_link_set(*, volunteer: Supporter, employer: Supporter | None) -> None:
    """Link a volunteer to the company that sends them (None: unlink)."""
    if employer is None:
        EmployerLink.objects.filter(volunteer=volunteer).delete()
        return
    if employer.kind != Supporter.Kind.ORGANISATION:
        raise ValueError("The employer must be an organisation.")
    EmployerLink.objects.update_or_create(volunteer=volunteer, defaults={"employer": employer})
