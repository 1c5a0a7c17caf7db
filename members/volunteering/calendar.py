"""A volunteer's personal calendar feed (iCalendar): their own confirmed shifts, nothing about
anyone else (no names, no counts of who else comes)."""

import datetime

from django.utils import timezone
from icalendar import Calendar, Event

from .models import CalendarFeed, Signup

FEED_DAYS_BACK = 60


def calendar_feed_volunteer_id(*, token: str) -> int | None:
    return (
        CalendarFeed.objects.filter(token_hash=CalendarFeed.hash(token))
        .values_list("volunteer_id", flat=True)
        .first()
    )


def calendar_feed_render(*, volunteer_id: int, title: str, domain: str) -> bytes:
    since = timezone.now() - datetime.timedelta(days=FEED_DAYS_BACK)
    signups = (
        Signup.objects.filter(
            volunteer_id=volunteer_id,
            status__in=[Signup.Status.CONFIRMED, Signup.Status.ATTENDED],
            shift__starts_at__gte=since,
            shift__is_cancelled=False,
        )
        .select_related("shift__place", "shift__role")
        .order_by("shift__starts_at")
    )
    calendar = Calendar()
    calendar.add("prodid", "-//Ouendan//Volunteer shifts//JA")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", title)
    stamp = timezone.now()
    for signup in signups:
        shift = signup.shift
        event = Event()
        event.add("uid", f"shift-{shift.pk}-signup-{signup.pk}@{domain}")
        event.add("dtstamp", stamp)
        event.add("dtstart", shift.starts_at)
        event.add("dtend", shift.ends_at)
        event.add("summary", f"{shift.role.name} · {shift.place.name}")
        if shift.place.address:
            event.add("location", shift.place.address)
        calendar.add_component(event)
    return calendar.to_ical()
