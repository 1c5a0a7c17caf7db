"""Public views of the places map page (pages.py routes here): the directory and a place."""

import datetime

from django import forms
from django.conf import settings
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members.models import Area

from .models import Place, PlaceSchedule
from .selectors import (
    WEEK_DAYS,
    DirectoryFilters,
    place_markers,
    place_upcoming_dates,
    places_directory,
    places_public,
)

# How far ahead a place's page lists its dates.
PLACE_PAGE_DAYS = 56


class DirectoryForm(forms.Form):
    district = forms.ModelChoiceField(
        label=_("School district"),
        queryset=Area.objects.filter(kind=Area.Kind.SCHOOL_DISTRICT).order_by("sort_order", "name"),
        required=False,
        empty_label=pgettext_lazy("filter", "All"),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", pgettext_lazy("filter", "All")), *Place.Kind.choices],
        required=False,
    )
    day = forms.TypedChoiceField(
        label=_("Day of the week"),
        choices=[("", pgettext_lazy("filter", "Any day")), *PlaceSchedule.Weekday.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    this_week = forms.BooleanField(label=_("Open this week (next 7 days)"), required=False)

    def filters(self) -> DirectoryFilters:
        if not self.is_valid():
            return DirectoryFilters()
        data = self.cleaned_data
        return DirectoryFilters(
            district=data["district"].pk if data["district"] else None,
            kind=data["kind"],
            weekday=data["day"],
            this_week=data["this_week"],
        )


def map_tiles() -> dict:
    """The tile server from settings; an empty URL shows markers over a plain background."""
    return {
        "url": settings.OUENDAN_MAP_TILES_URL,
        "attribution": settings.OUENDAN_MAP_TILES_ATTRIBUTION,
    }


def place_directory(request, page):
    form = DirectoryForm(request.GET or None)
    filters = form.filters()
    today = timezone.localdate()
    entries = places_directory(filters=filters, today=today)
    base = page.url

    def url_for(place):
        return f"{base}{place.slug}/"

    context = page.get_context(request)
    context.update(
        {
            "form": form,
            "filtered": filters != DirectoryFilters(),
            "entries": entries,
            "markers": place_markers([entry.place for entry in entries], url_for=url_for),
            "tiles": map_tiles(),
            "week_end": today + datetime.timedelta(days=WEEK_DAYS - 1),
        }
    )
    return TemplateResponse(request, "places/place_index_page.html", context)


def place_detail(request, page, slug):
    place = get_object_or_404(places_public(), slug=slug)
    today = timezone.localdate()
    upcoming = place_upcoming_dates(place, start=today, days=PLACE_PAGE_DAYS)
    context = page.get_context(request)
    url = f"{page.url}{place.slug}/"
    context.update(
        {
            "place": place,
            "upcoming": upcoming,
            "schedules": list(place.schedules.all()),
            "photos": list(place.photos.all()),
            "markers": place_markers([place], url_for=lambda _place: url),
            "tiles": map_tiles(),
        }
    )
    return TemplateResponse(request, "places/place_page.html", context)
