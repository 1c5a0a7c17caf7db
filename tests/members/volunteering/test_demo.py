"""The demo has a season of volunteering: shifts at every place, sign-ups, attendance and hours."""

import pytest

from members.places.models import Place
from members.volunteering.models import HoursEntry, Shift, ShiftSeries, Signup


@pytest.mark.django_db
def test_demo_has_a_season_of_shifts_signups_and_hours(demo_site):
    places = Place.objects.filter(is_active=True)
    assert places.exists()
    assert ShiftSeries.objects.count() >= places.count()
    assert set(Shift.objects.values_list("place", flat=True).distinct()) == set(
        places.values_list("pk", flat=True)
    )
    assert Signup.objects.filter(status=Signup.Status.ATTENDED).exists()
    assert Signup.objects.filter(status=Signup.Status.CONFIRMED).exists()
    assert HoursEntry.objects.filter(status=HoursEntry.Status.APPROVED).exists()
    assert HoursEntry.objects.filter(status=HoursEntry.Status.PENDING).exists()
    for shift in Shift.objects.all()[:50]:
        confirmed = shift.signups.exclude(status__in=["cancelled", "waitlisted"]).count()
        assert shift.confirmed_count == confirmed
