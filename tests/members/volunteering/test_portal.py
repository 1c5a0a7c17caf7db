"""The volunteer's portal pages: shifts for me, sign up, cancel, hours, the calendar feed and
the certificate of activity."""

import datetime
import io
import re
import time

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from members.models import MemberPortalPage, VolunteerProfile
from members.views.session import SESSION_LOGGED_IN_AT, SESSION_SUPPORTER
from members.volunteering.certificate import certificate_pdf
from members.volunteering.models import HoursEntry, Signup
from members.volunteering.selectors import shift_slot
from members.volunteering.services import attendance_mark, signup_create
from tests.members.factories import SupporterFactory

from .factories import PlaceFactory, ShiftFactory, in_days

pytestmark = pytest.mark.django_db
PORTAL = "/portal/"


@pytest.fixture
def portal_page(home_page):
    return home_page.add_child(instance=MemberPortalPage(title="マイページ", slug="portal"))


@pytest.fixture
def volunteer(db):
    return SupporterFactory(is_volunteer=True)


@pytest.fixture
def logged_in(client, portal_page, volunteer):
    session = client.session
    session[SESSION_SUPPORTER] = volunteer.pk
    session[SESSION_LOGGED_IN_AT] = time.time()
    session.save()
    return client


def test_anonymous_is_sent_to_the_login(client, portal_page):
    response = client.get(PORTAL + "shifts/")
    assert response.status_code == 302 and response["Location"] == PORTAL


def test_shifts_for_me_follow_areas_and_availability(logged_in, volunteer):
    place = PlaceFactory()
    elsewhere = PlaceFactory()
    fits = ShiftFactory(place=place, starts_at=in_days(5, hour=10))
    wrong_time = ShiftFactory(place=place, starts_at=in_days(6, hour=18))
    wrong_area = ShiftFactory(place=elsewhere, starts_at=in_days(5, hour=10))
    profile = VolunteerProfile.objects.create(
        supporter=volunteer, availability=[shift_slot(fits.starts_at)]
    )
    profile.areas.add(place.district)
    html = logged_in.get(PORTAL + "shifts/").content.decode()
    shown = set(map(int, re.findall(r'data-shift="(\d+)"', html)))
    assert fits.pk in shown
    assert wrong_area.pk not in shown
    assert wrong_time.pk not in shown or shift_slot(wrong_time.starts_at) == shift_slot(
        fits.starts_at
    )


def test_sign_up_then_cancel_from_the_portal(logged_in, volunteer):
    shift = ShiftFactory(people_needed=1)
    response = logged_in.post(PORTAL + f"shifts/{shift.pk}/signup/")
    assert response.status_code == 302
    signup = Signup.objects.get(volunteer=volunteer)
    assert signup.status == Signup.Status.CONFIRMED
    other = SupporterFactory()
    other_signup = signup_create(shift_id=ShiftFactory().pk, volunteer=other).signup
    # Someone else's sign-up cannot be cancelled.
    assert logged_in.post(PORTAL + f"shifts/signups/{other_signup.pk}/cancel/").status_code == 404
    logged_in.post(PORTAL + f"shifts/signups/{signup.pk}/cancel/")
    signup.refresh_from_db()
    assert signup.status == Signup.Status.CANCELLED


def test_report_hours_waits_for_approval_and_the_total_counts_approved(logged_in, volunteer):
    place = PlaceFactory()
    yesterday = (in_days(-1)).date()
    response = logged_in.post(
        PORTAL + "shifts/",
        {"place": place.pk, "served_on": yesterday.isoformat(), "hours": "2.5", "note": "仕分け"},
    )
    assert response.status_code == 302
    entry = HoursEntry.objects.get()
    assert entry.minutes == 150 and entry.status == HoursEntry.Status.PENDING
    shift = ShiftFactory()
    signup = signup_create(shift_id=shift.pk, volunteer=volunteer).signup
    attendance_mark(signup_id=signup.pk, present=True, user=None)
    html = logged_in.get(PORTAL + "shifts/").content.decode()
    assert "3.0" in html  # the 3-hour shift; the pending 2.5 hours are not counted yet


def test_calendar_feed_is_valid_private_and_revocable(logged_in, volunteer, client):
    shift = ShiftFactory()
    signup_create(shift_id=shift.pk, volunteer=volunteer)
    someone = SupporterFactory(family_name="秘密", given_name="太郎")
    signup_create(shift_id=shift.pk, volunteer=someone)
    logged_in.post(PORTAL + "shifts/calendar/", {"action": "new"})
    html = logged_in.get(PORTAL + "shifts/").content.decode()
    url = re.search(r'value="http://[^/]+(/volunteering/calendar/[^"]+\.ics)"', html).group(1)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    assert events[0]["dtstart"].dt == shift.starts_at
    body = response.content.decode()
    assert "秘密" not in body and volunteer.family_name not in body
    # A new link replaces the old one; revoking stops it.
    logged_in.post(PORTAL + "shifts/calendar/", {"action": "new"})
    assert client.get(url).status_code == 404
    logged_in.post(PORTAL + "shifts/calendar/", {"action": "revoke"})
    assert not volunteer.__class__.objects.get(pk=volunteer.pk).__dict__.get("calendar_feed")
    assert client.get("/volunteering/calendar/nothing.ics").status_code == 404


def test_certificate_pdf_lists_the_hours(logged_in, volunteer):
    shift = ShiftFactory(starts_at=in_days(-3), signup_cutoff_hours=0)
    signup = Signup.objects.create(shift=shift, volunteer=volunteer, status="confirmed")
    attendance_mark(signup_id=signup.pk, present=True, user=None)
    year = shift.starts_at.year
    response = logged_in.get(PORTAL + f"shifts/certificate/{year}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "活動証明書" in text and "3.0" in text and shift.place.name in text
    assert "活動時間: 合計 3.0 時間" in text and f"{volunteer.display_name} 様" in text
    assert datetime.date.today().year >= year


def test_an_english_volunteer_gets_an_english_certificate():
    volunteer = SupporterFactory(is_volunteer=True, preferred_language="en")
    shift = ShiftFactory(starts_at=in_days(-3))
    signup = Signup.objects.create(shift=shift, volunteer=volunteer, status="confirmed")
    attendance_mark(signup_id=signup.pk, present=True, user=None)
    start = datetime.date(2026, 1, 1)
    pdf = certificate_pdf(volunteer=volunteer, start=start, end=datetime.date(2026, 12, 31))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Certificate of volunteer activity" in text
    assert "Period: 1 January 2026 to 31 December 2026" in text
    assert f"To: {volunteer.display_name}" in text
    assert "We certify that the above person volunteered with us as stated." in text
    assert "Hours of activity: 3.0 hours in total" in text and "Days of activity: 1" in text
    assert not [word for word in ("証明", "期間", "時間", "様") if word in text]  # no Japanese
