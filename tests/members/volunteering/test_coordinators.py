"""Place coordinators see and manage only their own places' shifts, sign-ups and hours."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from members.groups import COORDINATORS, MEMBER_STAFF
from members.volunteering.models import HoursEntry, Signup
from members.volunteering.services import hours_report
from tests.members.factories import SupporterFactory

from .factories import PlaceFactory, ShiftFactory, in_days

pytestmark = pytest.mark.django_db


def refused(response) -> bool:
    """403, or Wagtail's "permission denied" redirect to the dashboard: never the login."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    )


@pytest.fixture
def world():
    place_a, place_b = PlaceFactory(name="A食堂"), PlaceFactory(name="B食堂")
    coordinator = get_user_model().objects.create_user("coord", password="pw")
    coordinator.groups.add(Group.objects.get(name=COORDINATORS))
    place_a.coordinators.add(coordinator)
    shift_a = ShiftFactory(place=place_a, starts_at=in_days(0, hour=23))
    shift_b = ShiftFactory(place=place_b, starts_at=in_days(0, hour=23))
    alice = SupporterFactory(family_name="青木", given_name="亜紀", phone="090-1111-2222")
    bob = SupporterFactory(family_name="別府", given_name="文男", phone="090-3333-4444")
    signup_a = Signup.objects.create(shift=shift_a, volunteer=alice, status="confirmed")
    signup_b = Signup.objects.create(shift=shift_b, volunteer=bob, status="confirmed")
    return {
        "coordinator": coordinator,
        "a": place_a,
        "b": place_b,
        "shift_a": shift_a,
        "shift_b": shift_b,
        "signup_a": signup_a,
        "signup_b": signup_b,
        "alice": alice,
        "bob": bob,
    }


def test_coordinator_lists_only_their_place(client, world):
    client.force_login(world["coordinator"])
    html = client.get(reverse("signup:index")).content.decode()
    assert "青木" in html and "別府" not in html
    html = client.get(reverse("shift:index")).content.decode()
    assert "A食堂" in html and "B食堂" not in html
    attendance = client.get(reverse("volunteering_attendance:today")).content.decode()
    assert "090-1111-2222" in attendance and "090-3333-4444" not in attendance


def test_coordinator_is_refused_other_places_not_sent_to_login(client, world):
    client.force_login(world["coordinator"])
    for name in ("signup:inspect", "signup:edit", "shift:edit", "shift:delete", "shift:history"):
        response = client.get(reverse(name, args=[world[name.split(":")[0] + "_b"].pk]))
        assert refused(response), name
    assert client.get(reverse("signup:inspect", args=[world["signup_a"].pk])).status_code == 200
    response = client.post(
        reverse("volunteering_attendance:today"), {"signup": world["signup_b"].pk, "present": "1"}
    )
    assert refused(response)
    assert not HoursEntry.objects.exists()
    # No money, no supporter records, no other staff screens.
    assert client.get(reverse("supporter:index")).status_code in (302, 403)
    assert client.get(reverse("donation:index")).status_code in (302, 403)
    assert "090-3333-4444" not in client.get(reverse("volunteering_reports:index")).content.decode()


def test_anonymous_is_sent_to_the_login(client, world):
    for url in (
        reverse("signup:index"),
        reverse("volunteering_attendance:today"),
        reverse("volunteering_reports:index"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and reverse("wagtailadmin_login") in response["Location"]


def test_coordinator_marks_present_and_hours_are_logged(client, world):
    client.force_login(world["coordinator"])
    response = client.post(
        reverse("volunteering_attendance:today"), {"signup": world["signup_a"].pk, "present": "1"}
    )
    assert response.status_code == 302
    entry = HoursEntry.objects.get()
    assert entry.volunteer == world["alice"] and entry.status == HoursEntry.Status.APPROVED


def test_coordinator_approves_reported_hours_of_their_place_only(client, world):
    client.force_login(world["coordinator"])
    yesterday = in_days(-1).date()
    mine = hours_report(volunteer=world["alice"], place=world["a"], served_on=yesterday, minutes=90)
    other = hours_report(volunteer=world["bob"], place=world["b"], served_on=yesterday, minutes=90)
    html = client.get(reverse("volunteering_hours:pending")).content.decode()
    assert "青木" in html and "別府" not in html
    url = reverse("volunteering_hours:pending")
    assert refused(client.post(url, {"entry": other.pk, "approve": "1"}))
    client.post(url, {"entry": mine.pk, "approve": "1"})
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.status == "approved" and other.status == "pending"


def test_hours_csv_is_formula_safe(client, world):
    staff = get_user_model().objects.create_user("staff", password="pw")
    staff.groups.add(Group.objects.get(name=MEMBER_STAFF))
    client.force_login(staff)
    world["b"].name = "=HYPERLINK(1)"
    world["b"].save()
    entry = hours_report(
        volunteer=world["bob"], place=world["b"], served_on=in_days(-1).date(), minutes=60
    )
    HoursEntry.objects.filter(pk=entry.pk).update(status="approved")
    response = client.get(reverse("volunteering_reports:index") + "?export=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][1] == "'=HYPERLINK(1)" and rows[1][2] == "1.0"
