"""A volunteer signs up for a shift in the portal on a phone, is reminded the day before, a
coordinator marks her present on the attendance screen (phone), and she sees her hours."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from members.groups import COORDINATORS
from members.models import MemberPortalPage, VolunteerProfile
from members.volunteering.models import HoursEntry, Signup
from members.volunteering.selectors import shift_slot
from members.volunteering.tasks import shift_reminders_daily
from ouendan.core.models import OutgoingEmail
from tests.members.factories import SupporterFactory
from tests.members.volunteering.factories import PlaceFactory, ShiftFactory
from tests.outbox_helpers import sent_body

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "ja-JP", "is_mobile": True}


def test_volunteer_signs_up_is_reminded_marked_present_and_sees_hours(
    browser, live_server, home_page, settings
):
    cache.clear()
    settings.PUBLIC_BASE_URL = live_server.url
    home_page.add_child(instance=MemberPortalPage(title="マイページ", slug="portal"))
    place = PlaceFactory(name="こどもひろば東")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    starts = datetime.datetime.combine(
        tomorrow, datetime.time(10), tzinfo=timezone.get_current_timezone()
    )
    shift = ShiftFactory(place=place, starts_at=starts, people_needed=2, signup_cutoff_hours=1)
    hanako = SupporterFactory(family_name="山田", given_name="花子", is_volunteer=True)
    profile = VolunteerProfile.objects.create(
        supporter=hanako, availability=[shift_slot(shift.starts_at)]
    )
    profile.areas.add(place.district)

    context = browser.new_context(**PHONE)
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    phone.goto(live_server.url + "/portal/")
    phone.locator("#id_email").fill(hanako.email)
    phone.locator("main form button[type=submit]").click()
    body = sent_body(OutgoingEmail.objects.filter(to=hanako.email).latest("pk"))
    phone.goto(re.search(r"https?://\S+/portal/login/[\w-]+/", body).group(0))
    phone.locator("main form button[type=submit]").click()
    phone.goto(live_server.url + "/portal/shifts/")
    card = phone.locator(f".shift-card[data-shift='{shift.pk}']")
    expect(card).to_contain_text("こどもひろば東")
    button = card.locator("button.shift-card__button")
    assert button.bounding_box()["height"] >= 44  # a thumb-sized target
    button.click()
    expect(phone.locator("#mine-heading + .shift-list")).to_contain_text("こどもひろば東")
    assert Signup.objects.get(volunteer=hanako).status == Signup.Status.CONFIRMED
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    # The day before: the daily task (run with "now" = today) queues her reminder, once.
    assert shift_reminders_daily.call_local(now=timezone.now()) == 1
    reminder = OutgoingEmail.objects.get(key__startswith="shift-reminder:")
    assert reminder.to == hanako.email and "こどもひろば東" in reminder.body

    # The coordinator marks her present on a phone.
    coordinator = get_user_model().objects.create_user("coord", password="pw-coord-1")
    coordinator.groups.add(Group.objects.get(name=COORDINATORS))
    place.coordinators.add(coordinator)
    staff_context = browser.new_context(**PHONE)
    staff = staff_context.new_page()
    staff.set_default_timeout(15_000)
    staff.goto(live_server.url + "/admin/login/")
    staff.locator("#id_username").fill("coord")
    staff.locator("#id_password").fill("pw-coord-1")
    staff.locator("form button[type=submit]").first.click()
    staff.goto(live_server.url + f"/admin/volunteering/attendance/?day={tomorrow.isoformat()}")
    row = staff.locator(".attendance-row", has_text="山田 花子")
    present = row.locator("button[name=present][value='1']")
    assert present.bounding_box()["height"] >= 44
    present.click()
    expect(staff.locator(".attendance-row", has_text="山田 花子")).to_contain_text(
        str(Signup.Status.ATTENDED.label)
    )
    assert HoursEntry.objects.get(volunteer=hanako).minutes == 180
    staff_context.close()

    phone.goto(live_server.url + "/portal/shifts/")
    expect(phone.locator(".shift-hours-total")).to_contain_text("3.0")
    context.close()
