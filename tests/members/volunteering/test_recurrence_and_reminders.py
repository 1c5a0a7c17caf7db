import datetime

import pytest
from django.utils import timezone

from members.volunteering.models import Shift, ShiftSeries
from members.volunteering.recurrence import series_dates, shift_series_generate
from members.volunteering.reminders import shift_reminders_queue
from members.volunteering.services import signup_create
from members.volunteering.tasks import shift_reminders_daily
from ouendan.core.models import OutgoingEmail
from tests.members.factories import SupporterFactory

from .factories import PlaceFactory, RoleFactory, ShiftFactory

pytestmark = pytest.mark.django_db


def _series(**kwargs):
    values = {
        "place": PlaceFactory(),
        "role": RoleFactory(),
        "rrule": "FREQ=MONTHLY;BYMONTHDAY=31",
        "starts_on": datetime.date(2027, 1, 1),
        "start_time": datetime.time(11),
        "end_time": datetime.time(14),
        "people_needed": 3,
        "skip_holidays": False,
    }
    values.update(kwargs)
    return ShiftSeries.objects.create(**values)


def test_month_end_rules_cross_month_ends():
    # "the 31st" only exists in long months; "the last day" exists in every month.
    thirty_first = _series()
    dates = series_dates(
        series=thirty_first, start=datetime.date(2027, 1, 1), end=datetime.date(2027, 5, 31)
    )
    assert dates == [datetime.date(2027, m, 31) for m in (1, 3, 5)]
    last_day = _series(rrule="FREQ=MONTHLY;BYMONTHDAY=-1")
    dates = series_dates(
        series=last_day, start=datetime.date(2027, 1, 15), end=datetime.date(2027, 3, 15)
    )
    assert dates == [datetime.date(2027, 1, 31), datetime.date(2027, 2, 28)]
    weekly = _series(rrule="FREQ=WEEKLY;BYDAY=SA")
    dates = series_dates(
        series=weekly, start=datetime.date(2027, 1, 25), end=datetime.date(2027, 2, 8)
    )
    assert dates == [datetime.date(2027, 1, 30), datetime.date(2027, 2, 6)]


def test_holidays_are_skipped_when_the_series_says_so():
    # 2027-02-11 (建国記念の日) is a Thursday; 2027-02-23 (天皇誕生日) a Tuesday.
    thursdays = _series(rrule="FREQ=WEEKLY;BYDAY=TH", skip_holidays=True)
    dates = series_dates(
        series=thursdays, start=datetime.date(2027, 2, 1), end=datetime.date(2027, 2, 28)
    )
    assert datetime.date(2027, 2, 11) not in dates
    assert dates == [datetime.date(2027, 2, d) for d in (4, 18, 25)]
    thursdays.skip_holidays = False
    assert datetime.date(2027, 2, 11) in series_dates(
        series=thursdays, start=datetime.date(2027, 2, 1), end=datetime.date(2027, 2, 28)
    )


def test_generation_is_idempotent_across_overlapping_windows():
    series = _series(rrule="FREQ=MONTHLY;BYDAY=2SA,4SA")
    first = shift_series_generate(
        series=series, start=datetime.date(2027, 1, 1), end=datetime.date(2027, 2, 28)
    )
    again = shift_series_generate(
        series=series, start=datetime.date(2027, 2, 1), end=datetime.date(2027, 3, 31)
    )
    assert len(first) == 4 and len(again) == 2
    assert Shift.objects.filter(series=series).count() == 6
    shift = Shift.objects.filter(series=series).first()
    local = timezone.localtime(shift.starts_at)
    assert (local.hour, local.minute) == (11, 0) and shift.people_needed == 3


def test_reminders_the_day_before_once_per_signup():
    now = timezone.now()
    tomorrow = ShiftFactory(starts_at=now + datetime.timedelta(days=1), signup_cutoff_hours=0)
    later = ShiftFactory(starts_at=now + datetime.timedelta(days=3), signup_cutoff_hours=0)
    volunteer = SupporterFactory(is_volunteer=True)
    signup_create(shift_id=tomorrow.pk, volunteer=volunteer)
    signup_create(shift_id=later.pk, volunteer=volunteer)
    assert shift_reminders_queue(now=now) == 1
    assert shift_reminders_queue(now=now) == 0
    assert shift_reminders_daily.call_local(now=now) == 0
    mail = OutgoingEmail.objects.get(key__startswith="shift-reminder:")
    assert mail.to == volunteer.email and tomorrow.place.name in mail.body
    # Two days later the other shift is tomorrow.
    assert shift_reminders_queue(now=now + datetime.timedelta(days=2)) == 1
