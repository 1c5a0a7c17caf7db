import time

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from members.merge import supporter_merge
from members.models import MemberPortalPage, Supporter
from members.privacy import privacy_sections_export, supporter_anonymise
from members.views.session import SESSION_LOGGED_IN_AT, SESSION_SUPPORTER
from members.volunteering.milestones import volunteer_milestone_reached
from members.volunteering.models import HoursEntry, Signup, VolunteerMilestone
from members.volunteering.selectors import company_hours
from members.volunteering.services import (
    attendance_mark,
    employer_link_set,
    hours_review,
    signup_create,
)
from ouendan.core.models import OutgoingEmail
from tests.members.factories import SupporterFactory

from .factories import PlaceFactory, ShiftFactory, in_days

pytestmark = pytest.mark.django_db


def test_tenth_shift_is_thanked_once(settings):
    settings.VOLUNTEER_MILESTONES = {"shifts": [3], "hours": [100]}
    volunteer = SupporterFactory(is_volunteer=True)
    heard = []

    def listen(**kwargs):
        heard.append(kwargs["count"])

    volunteer_milestone_reached.connect(listen)
    place = PlaceFactory()
    signups = []
    for day in range(4):
        shift = ShiftFactory(place=place, starts_at=in_days(-10 + day))
        signups.append(Signup.objects.create(shift=shift, volunteer=volunteer, status="confirmed"))
    for signup in signups[:2]:
        attendance_mark(signup_id=signup.pk, present=True, user=None)
    assert not VolunteerMilestone.objects.exists()
    attendance_mark(signup_id=signups[2].pk, present=True, user=None)
    attendance_mark(signup_id=signups[2].pk, present=True, user=None)  # re-marked: not again
    attendance_mark(signup_id=signups[3].pk, present=True, user=None)
    volunteer_milestone_reached.disconnect(listen)
    assert heard == [3]
    milestone = VolunteerMilestone.objects.get()
    assert (milestone.volunteer, milestone.kind, milestone.count) == (volunteer, "shifts", 3)
    # The thank-you is campaigns' (its templates); this app sends no mail of its own.
    assert not OutgoingEmail.objects.filter(key__startswith="volunteer-milestone:").exists()


def test_hours_milestone_after_approval(settings):
    settings.VOLUNTEER_MILESTONES = {"hours": [2]}
    volunteer = SupporterFactory(is_volunteer=True)
    entry = HoursEntry.objects.create(
        volunteer=volunteer,
        place=PlaceFactory(),
        served_on=in_days(-2).date(),
        minutes=150,
        source="reported",
        status="pending",
    )
    user = get_user_model().objects.create_user("staff")
    hours_review(entry_id=entry.pk, approve=True, user=user)
    assert VolunteerMilestone.objects.filter(volunteer=volunteer, kind="hours", count=2).exists()


def test_employee_hours_count_for_the_company(admin_client):
    company = SupporterFactory(kind=Supporter.Kind.ORGANISATION, organisation_name="株式会社さくら")
    employee = SupporterFactory(is_volunteer=True)
    employer_link_set(volunteer=employee, employer=company)
    shift = ShiftFactory(starts_at=in_days(-1))
    signup = Signup.objects.create(shift=shift, volunteer=employee, status="confirmed")
    attendance_mark(signup_id=signup.pk, present=True, user=None)
    assert company_hours(employer=company) == {"hours": 3.0, "people": 1}
    html = admin_client.get(reverse("supporter:inspect", args=[company.pk])).content.decode()
    assert "data-employee-volunteering" in html and "3.0" in html


def test_the_company_sees_its_employees_hours_in_its_portal(client, home_page):
    home_page.add_child(instance=MemberPortalPage(title="マイページ", slug="portal"))
    company = SupporterFactory(kind=Supporter.Kind.ORGANISATION, organisation_name="株式会社さくら")
    employee = SupporterFactory(is_volunteer=True, family_name="社員", given_name="一郎")
    employer_link_set(volunteer=employee, employer=company)
    signup = Signup.objects.create(
        shift=ShiftFactory(starts_at=in_days(-1)), volunteer=employee, status="confirmed"
    )

    def portal_as(supporter) -> str:
        session = client.session
        session[SESSION_SUPPORTER] = supporter.pk
        session[SESSION_LOGGED_IN_AT] = time.time()
        session.save()
        return client.get("/portal/").content.decode()

    assert "data-employee-volunteering" not in portal_as(company)  # nobody served yet
    attendance_mark(signup_id=signup.pk, present=True, user=None)
    html = portal_as(company)
    assert "data-employee-volunteering" in html and "3.0" in html
    assert "一郎" not in html  # totals only: no employee's name
    assert "data-employee-volunteering" not in portal_as(employee)  # a person has no such box


def test_merging_moves_signups_and_hours_to_the_survivor():
    survivor, duplicate = SupporterFactory(), SupporterFactory()
    shift, other = ShiftFactory(people_needed=3), ShiftFactory()
    Signup.objects.create(shift=shift, volunteer=survivor, status="confirmed")
    Signup.objects.create(shift=shift, volunteer=duplicate, status="confirmed")
    Signup.objects.create(shift=other, volunteer=duplicate, status="confirmed")
    type(shift).objects.filter(pk=shift.pk).update(confirmed_count=2)
    VolunteerMilestone.objects.create(volunteer=survivor, kind="shifts", count=10)
    for kind, count in (("shifts", 10), ("hours", 50)):
        VolunteerMilestone.objects.create(volunteer=duplicate, kind=kind, count=count)
    supporter_merge(survivor=survivor, duplicate=duplicate, by_user=None)
    assert Signup.objects.filter(volunteer=survivor).count() == 2
    assert sorted(
        VolunteerMilestone.objects.filter(volunteer=survivor).values_list("kind", "count")
    ) == [("hours", 50), ("shifts", 10)]
    assert not Signup.objects.filter(volunteer=duplicate).exists()
    shift.refresh_from_db()
    assert shift.confirmed_count == 1


def test_download_and_anonymise_cover_volunteering():
    volunteer, waiting = SupporterFactory(), SupporterFactory()
    shift = ShiftFactory(people_needed=1)
    signup_create(shift_id=shift.pk, volunteer=volunteer)
    signup_create(shift_id=shift.pk, volunteer=waiting)
    sections = privacy_sections_export(supporter=volunteer)
    assert sections["volunteer_signups"][0]["place"] == shift.place.name
    supporter_anonymise(supporter=volunteer, reviewed_by=None)
    assert Signup.objects.get(volunteer=volunteer).status == Signup.Status.CANCELLED
    assert Signup.objects.get(volunteer=waiting).status == Signup.Status.CONFIRMED
