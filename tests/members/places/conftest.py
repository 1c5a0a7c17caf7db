"""Places for the places tests: a district, a place with a pin and schedules, the map page."""

import datetime

import pytest

from members.models import Area
from members.places.models import Place, PlaceSchedule
from members.places.pages import PlaceIndexPage


def place_make(*, slug="hidamari", name="子ども食堂 ひだまり", district=None, **fields):
    district = (
        district
        or Area.objects.get_or_create(
            name="中央小学校区", defaults={"kind": Area.Kind.SCHOOL_DISTRICT}
        )[0]
    )
    defaults = {
        "kind": Place.Kind.KODOMO_SHOKUDO,
        "latitude": "35.793600",
        "longitude": "139.565300",
        "offers": ["food", "play"],
    }
    return Place.objects.create(slug=slug, name=name, district=district, **{**defaults, **fields})


def schedule_make(place, **fields):
    defaults = {
        "frequency": "weekly",
        "weekday": 5,
        "start_time": datetime.time(11, 0),
        "end_time": datetime.time(14, 0),
    }
    schedule = PlaceSchedule(place=place, **{**defaults, **fields})
    schedule.full_clean()
    schedule.save()
    return schedule


@pytest.fixture
def map_page(home_page):
    page = PlaceIndexPage(title="居場所マップ", slug="places")
    home_page.add_child(instance=page)
    page.save_revision().publish()
    return page
