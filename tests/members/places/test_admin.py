"""Staff screens for places: the edit form with inline schedules, the postal-code look-up (staff
who may edit places only) and who sees the places screens."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from members.groups import EDITORS, FINANCE, MEMBER_STAFF
from members.places.models import Place

from .conftest import place_make

pytestmark = pytest.mark.django_db
LOOKUP = "/admin/places-postal-code/"


def _user(name, group=None, *, staff=True):
    user = get_user_model().objects.create_user(name, f"{name}@example.jp", "pw")
    if group:
        user.groups.add(Group.objects.get(name=group))
    if staff and not group:
        user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


def test_the_postal_lookup_fills_the_address_offline(client):
    client.force_login(_user("kaiin", MEMBER_STAFF))
    response = client.get(LOOKUP, {"code": "352-0011"}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 200
    data = response.json()
    assert data["prefecture"] == "埼玉県" and data["city"] == "新座市"
    assert data["address"].startswith("埼玉県新座市")
    assert data["postal_code"] == "352-0011"
    assert client.get(LOOKUP, {"code": "000-0000"}).json() == {"found": False}


def test_the_postal_lookup_sends_anonymous_to_login_and_refuses_others(client):
    response = client.get(LOOKUP, {"code": "3520011"})
    assert response.status_code == 302 and reverse("wagtailadmin_login") in response["Location"]
    # Staff without the places permissions (Finance) are refused, not sent to log in.
    client.force_login(_user("kaikei", FINANCE))
    assert client.get(LOOKUP, {"code": "3520011"}).status_code == 403
    # A logged-in user who is not staff at all is refused too (the edit form's script asks
    # with X-Requested-With, so Wagtail answers 403 instead of the login page).
    client.force_login(_user("family", staff=False))
    response = client.get(LOOKUP, {"code": "3520011"}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 403


def test_member_staff_add_a_place_with_a_schedule(client):
    client.force_login(_user("kaiin", MEMBER_STAFF))
    district = place_make().district
    form = client.get("/admin/place/new/").content.decode()
    assert "data-place-postal-lookup" in form and "data-place-pin-map" in form
    data = {
        "name": "学習支援 まなびば",
        "slug": "manabiba",
        "kind": "study",
        "district": district.pk,
        "is_active": "on",
        "offers": ["study", "food"],
        "postal_code": "352-0011",
        "address": "埼玉県新座市野火止1-2-3",
        "latitude": "35.790000",
        "longitude": "139.560000",
        "schedules-TOTAL_FORMS": "1",
        "schedules-INITIAL_FORMS": "0",
        "schedules-MIN_NUM_FORMS": "0",
        "schedules-MAX_NUM_FORMS": "1000",
        "schedules-0-frequency": "monthly_weekday",
        "schedules-0-weekday": "5",
        "schedules-0-weeks": ["2", "4"],
        "schedules-0-start_time": "11:00",
        "schedules-0-end_time": "14:00",
        "schedules-0-skip_holidays": "on",
        "schedules-0-ORDER": "1",
        "photos-TOTAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
        "photos-MIN_NUM_FORMS": "0",
        "photos-MAX_NUM_FORMS": "1000",
    }
    response = client.post("/admin/place/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    place = Place.objects.get(slug="manabiba")
    assert place.offers == ["study", "food"]
    schedule = place.schedules.get()
    assert schedule.weeks == [2, 4]
    assert schedule.rrule == "FREQ=MONTHLY;BYDAY=+2SA,+4SA"
    # A schedule that does not fit its frequency is refused with the reason.
    data.update({"slug": "other", "schedules-0-weeks": []})
    response = client.post("/admin/place/new/", data)
    assert response.status_code == 200
    assert not Place.objects.filter(slug="other").exists()


@pytest.mark.parametrize(
    ("group", "allowed"), [(MEMBER_STAFF, True), (EDITORS, False), (FINANCE, False)]
)
def test_only_member_staff_manage_places(client, group, allowed):
    place_make()
    client.force_login(_user(f"u-{group}", group))
    response = client.get("/admin/place/")
    assert (response.status_code == 200) is allowed
