"""Regular schedules: the RRULE built from the staff form, dates across month ends, holidays."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from members.places.selectors import place_open_this_week, place_upcoming_dates

from .conftest import place_make, schedule_make

pytestmark = pytest.mark.django_db


def test_second_and_fourth_saturday_in_a_month_with_five_saturdays():
    """May 2027 has five Saturdays (1, 8, 15, 22, 29): only the 8th and the 22nd are the 2nd and
    4th; the run crosses into June (12th, 26th)."""
    place = place_make()
    schedule = schedule_make(place, frequency="monthly_weekday", weeks=[4, 2], skip_holidays=False)
    assert schedule.rrule == "FREQ=MONTHLY;BYDAY=+2SA,+4SA"
    dates = [o.date for o in place_upcoming_dates(place, start=datetime.date(2027, 4, 28), days=62)]
    assert dates == [
        datetime.date(2027, 5, 8),
        datetime.date(2027, 5, 22),
        datetime.date(2027, 6, 12),
        datetime.date(2027, 6, 26),
    ]


def test_last_weekday_and_a_date_missing_in_short_months():
    place = place_make()
    schedule_make(place, frequency="monthly_weekday", weekday=6, weeks=[-1], skip_holidays=False)
    schedule_make(
        place, frequency="monthly_date", weekday=None, day_of_month=31, skip_holidays=False
    )
    dates = [o.date for o in place_upcoming_dates(place, start=datetime.date(2027, 1, 1), days=90)]
    # Last Sundays: Jan 31, Feb 28, Mar 28; the 31st: January and March only (no 31 Feb).
    assert dates == [
        datetime.date(2027, 1, 31),
        datetime.date(2027, 1, 31),
        datetime.date(2027, 2, 28),
        datetime.date(2027, 3, 28),
        datetime.date(2027, 3, 31),
    ]


def test_a_public_holiday_is_skipped_when_the_schedule_says_so():
    """Monday 11 January 2027 is 成人の日 (Coming of Age Day)."""
    place = place_make()
    closed = schedule_make(place, weekday=0)
    dates = [o.date for o in place_upcoming_dates(place, start=datetime.date(2027, 1, 4), days=15)]
    assert dates == [datetime.date(2027, 1, 4), datetime.date(2027, 1, 18)]
    assert datetime.date(2027, 1, 11) not in dates
    closed.skip_holidays = False
    closed.save()
    place.refresh_from_db()
    dates = [o.date for o in place_upcoming_dates(place, start=datetime.date(2027, 1, 4), days=15)]
    assert datetime.date(2027, 1, 11) in dates


def test_until_and_from_bound_the_dates():
    place = place_make()
    schedule = schedule_make(
        place,
        weekday=2,
        starts_on=datetime.date(2027, 2, 10),
        ends_on=datetime.date(2027, 2, 24),
        skip_holidays=False,
    )
    assert schedule.rrule == "FREQ=WEEKLY;BYDAY=WE;UNTIL=20270224T235959"
    dates = [o.date for o in place_upcoming_dates(place, start=datetime.date(2027, 2, 1), days=60)]
    assert dates == [
        datetime.date(2027, 2, 10),
        datetime.date(2027, 2, 17),
        datetime.date(2027, 2, 24),
    ]


def test_open_this_week_is_today_and_the_six_days_after():
    place = place_make()
    schedule_make(place, weekday=5, skip_holidays=False)  # Saturdays
    wednesday = datetime.date(2027, 3, 3)
    assert place_open_this_week(place, today=wednesday)  # Saturday the 6th
    sunday = datetime.date(2027, 3, 7)
    assert place_open_this_week(place, today=sunday)  # Saturday the 13th is the 7th day
    place_b = place_make(slug="other")
    schedule_make(place_b, frequency="monthly_date", weekday=None, day_of_month=1)
    assert not place_open_this_week(place_b, today=datetime.date(2027, 3, 3))


def test_the_form_refuses_what_does_not_fit_the_frequency():
    place = place_make()
    with pytest.raises(ValidationError) as error:
        schedule_make(place, frequency="monthly_weekday", weeks=[])
    assert "weeks" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        schedule_make(place, end_time=datetime.time(10, 0))
    assert "end_time" in error.value.message_dict
    with pytest.raises(ValidationError):
        schedule_make(place, frequency="monthly_weekday", weeks=[9])


def test_describe_in_both_languages():
    place = place_make()
    schedule = schedule_make(place, frequency="monthly_weekday", weeks=[2, 4])
    with translation.override("en"):
        assert schedule.describe() == "2nd, 4th Saturday of the month 11:00–14:00"
