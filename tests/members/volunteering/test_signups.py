import datetime
import threading

import pytest
from django.db import connection, connections

from members.models import Skill, VolunteerProfile
from members.volunteering.models import HoursEntry, Shift, Signup, VolunteerTraining
from members.volunteering.rules import SignupRefused
from members.volunteering.services import (
    attendance_mark,
    signup_cancel,
    signup_create,
)
from ouendan.core.models import OutgoingEmail
from tests.members.factories import SupporterFactory

from .factories import ShiftFactory, TrainingFactory, in_days

pytestmark = pytest.mark.django_db


def test_seats_then_waitlist_in_order():
    shift = ShiftFactory(people_needed=1)
    first, second, third = (SupporterFactory(is_volunteer=True) for _ in range(3))
    assert signup_create(shift_id=shift.pk, volunteer=first).signup.status == "confirmed"
    assert signup_create(shift_id=shift.pk, volunteer=second).signup.status == "waitlisted"
    third_signup = signup_create(shift_id=shift.pk, volunteer=third).signup
    assert third_signup.status == "waitlisted" and third_signup.position == 2
    again = signup_create(shift_id=shift.pk, volunteer=first)
    assert not again.created
    shift.refresh_from_db()
    assert shift.confirmed_count == 1


def test_cancelling_promotes_the_first_waitlisted_and_mails_them(
    django_capture_on_commit_callbacks,
):
    shift = ShiftFactory(people_needed=1)
    first, second, third = (SupporterFactory(is_volunteer=True) for _ in range(3))
    seat = signup_create(shift_id=shift.pk, volunteer=first).signup
    waiting = signup_create(shift_id=shift.pk, volunteer=second).signup
    signup_create(shift_id=shift.pk, volunteer=third)
    signup_cancel(signup_id=seat.pk, volunteer=first)
    waiting.refresh_from_db()
    assert waiting.status == Signup.Status.CONFIRMED
    assert Signup.objects.get(volunteer=third).status == Signup.Status.WAITLISTED
    shift.refresh_from_db()
    assert shift.confirmed_count == 1
    mail = OutgoingEmail.objects.get(key__startswith="shift-promoted:")
    assert mail.to == second.email
    # Cancelling a waitlisted place frees no seat and promotes nobody.
    signup_cancel(signup_id=Signup.objects.get(volunteer=third).pk, volunteer=third)
    assert OutgoingEmail.objects.filter(key__startswith="shift-promoted:").count() == 1


def test_cancellation_refused_after_the_cutoff_and_signup_closed():
    shift = ShiftFactory(people_needed=2, starts_at=in_days(1), signup_cutoff_hours=48)
    volunteer = SupporterFactory(is_volunteer=True)
    with pytest.raises(SignupRefused, match="closed"):
        signup_create(shift_id=shift.pk, volunteer=volunteer)
    early = shift.starts_at - datetime.timedelta(hours=72)
    signup = signup_create(shift_id=shift.pk, volunteer=volunteer, now=early).signup
    with pytest.raises(SignupRefused, match="too late"):
        signup_cancel(signup_id=signup.pk, volunteer=volunteer)
    signup_cancel(signup_id=signup.pk, volunteer=volunteer, now=early)
    signup.refresh_from_db()
    assert signup.status == Signup.Status.CANCELLED


def test_expired_training_is_refused_with_the_reason():
    training = TrainingFactory(name="食品衛生", validity_months=12)
    shift = ShiftFactory()
    shift.required_trainings.add(training)
    volunteer = SupporterFactory(is_volunteer=True)
    with pytest.raises(SignupRefused, match="食品衛生"):
        signup_create(shift_id=shift.pk, volunteer=volunteer)
    old = shift.starts_at.date() - datetime.timedelta(days=500)
    VolunteerTraining.objects.create(volunteer=volunteer, training=training, completed_on=old)
    with pytest.raises(SignupRefused, match="expired"):
        signup_create(shift_id=shift.pk, volunteer=volunteer)
    recent = shift.starts_at.date() - datetime.timedelta(days=30)
    VolunteerTraining.objects.create(volunteer=volunteer, training=training, completed_on=recent)
    assert signup_create(shift_id=shift.pk, volunteer=volunteer).signup.status == "confirmed"


def test_required_skill_must_be_in_the_profile():
    skill = Skill.objects.create(name="運転")
    shift = ShiftFactory()
    shift.required_skills.add(skill)
    volunteer = SupporterFactory(is_volunteer=True)
    profile = VolunteerProfile.objects.create(supporter=volunteer)
    with pytest.raises(SignupRefused, match="運転"):
        signup_create(shift_id=shift.pk, volunteer=volunteer)
    profile.skills.add(skill)
    assert signup_create(shift_id=shift.pk, volunteer=volunteer).created


def test_attendance_logs_hours_once_and_absent_removes_them():
    shift = ShiftFactory()
    volunteer = SupporterFactory(is_volunteer=True)
    signup = signup_create(shift_id=shift.pk, volunteer=volunteer).signup
    attendance_mark(signup_id=signup.pk, present=True, user=None)
    attendance_mark(signup_id=signup.pk, present=True, user=None)
    entry = HoursEntry.objects.get()
    assert entry.minutes == 180 and entry.status == HoursEntry.Status.APPROVED
    attendance_mark(signup_id=signup.pk, present=False, user=None)
    assert not HoursEntry.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_last_seat_goes_to_exactly_one_of_many_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is checked on PostgreSQL")
    shift = ShiftFactory(people_needed=1)
    volunteers = [SupporterFactory(is_volunteer=True) for _ in range(8)]
    barrier = threading.Barrier(len(volunteers))
    errors = []

    def worker(volunteer):
        try:
            barrier.wait()
            signup_create(shift_id=shift.pk, volunteer=volunteer)
        except Exception as exc:  # re-raised below in the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(v,)) for v in volunteers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert Signup.objects.filter(status=Signup.Status.CONFIRMED).count() == 1
    assert Signup.objects.filter(status=Signup.Status.WAITLISTED).count() == 7
    assert Shift.objects.get(pk=shift.pk).confirmed_count == 1
    positions = sorted(
        Signup.objects.filter(status="waitlisted").values_list("position", flat=True)
    )
    assert positions == list(range(1, 8))
