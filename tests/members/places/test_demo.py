"""The demo's places: the seed report's 29 children's places over 17 school districts
(8 regular), the food bank's warehouse and pantry days, pins near 新座, and the 居場所マップ
in two languages."""

import pytest
from django.utils import timezone

from members.places.models import Place
from members.places.pages import PlaceIndexPage
from members.places.selectors import place_upcoming_dates, places_figures


@pytest.mark.django_db
def test_demo_places_match_the_seed_figures(demo_site, client):
    figures = places_figures()
    assert (figures.places_open, figures.regular, figures.districts) == (29, 8, 17)
    kinds = set(Place.objects.values_list("kind", flat=True))
    assert {"kodomo_shokudo", "study", "play", "pantry", "warehouse"} <= kinds
    for place in Place.objects.all():
        assert 35.7 < float(place.latitude) < 35.9 and 139.4 < float(place.longitude) < 139.7
    pantry = Place.objects.get(kind="pantry")
    assert pantry.schedules.get().rrule == "FREQ=MONTHLY;BYDAY=+2SA,+4SA"
    today = timezone.localdate()
    assert len(place_upcoming_dates(pantry, start=today, days=31)) >= 1
    assert PlaceIndexPage.objects.count() == 2  # Japanese and English
    html = client.get("/places/").content.decode()
    assert html.count('class="place-card"') == Place.objects.count()
    assert 'href="/places/"' in html  # in the main menu
    assert client.get("/en/places/").status_code == 200
