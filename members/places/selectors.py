"""Reads for places: upcoming dates, "open this week", the public directory, impact figures."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from ouendan.core.translated import translated

from .models import Place, PlacePhoto, PlaceSchedule
from .recurrence import Opening, schedule_dates

# "Open this week": today and the six days after it (a family looking on Saturday evening still
# finds next Friday's dinner).
WEEK_DAYS = 7


def place_upcoming_dates(place: Place, *, start: datetime.date, days: int) -> list[Opening]:
    """The dates `place` is open from `start` for `days` days, earliest first. Reads
    `place.schedules.all()`, so a prefetched list costs no query."""
    end = start + datetime.timedelta(days=days - 1)
    openings = [
        Opening(date=day, start=schedule.start_time, end=schedule.end_time, schedule=schedule)
        for schedule in place.schedules.all()
        for day in schedule_dates(schedule, start=start, end=end)
    ]
    return sorted(openings, key=lambda opening: (opening.date, opening.start))


def place_open_this_week(place: Place, *, today: datetime.date | None = None) -> bool:
    """Whether the place opens today or in the next six days."""
    today = today or timezone.localdate()
    return bool(place_upcoming_dates(place, start=today, days=WEEK_DAYS))


def places_public():
    """Active places with what their public pages show, in a fixed number of queries."""
    return (
        Place.objects.filter(is_active=True)
        .select_related("district")
        .prefetch_related(
            Prefetch("schedules", queryset=PlaceSchedule.objects.order_by("sort_order", "id")),
            Prefetch(
                "photos",
                queryset=PlacePhoto.objects.select_related("image").order_by("sort_order", "id"),
            ),
        )
        .order_by("district__sort_order", "district__name", "name")
    )


@dataclass(frozen=True)
class DirectoryFilters:
    district: int | None = None
    kind: str = ""
    weekday: int | None = None
    this_week: bool = False


@dataclass(frozen=True)
class DirectoryEntry:
    place: Place
    upcoming: list[Opening]

    @property
    def next_opening(self) -> Opening | None:
        return self.upcoming[0] if self.upcoming else None


def places_directory(*, filters: DirectoryFilters, today: datetime.date) -> list[DirectoryEntry]:
    """The places a family's filters leave, each with its dates in the next five weeks. The day
    filter keeps places with a date on that weekday within those weeks; "this week" keeps those
    open within the next seven days."""
    places = places_public()
    if filters.district:
        places = places.filter(district_id=filters.district)
    if filters.kind:
        places = places.filter(kind=filters.kind)
    entries = []
    for place in places:
        upcoming = place_upcoming_dates(place, start=today, days=35)
        if filters.weekday is not None and not any(
            opening.weekday == filters.weekday for opening in upcoming
        ):
            continue
        if filters.this_week:
            week_end = today + datetime.timedelta(days=WEEK_DAYS)
            if not any(opening.date < week_end for opening in upcoming):
                continue
        entries.append(DirectoryEntry(place=place, upcoming=upcoming))
    return entries


def place_markers(places: list[Place], *, url_for) -> list[dict]:
    """What the map shows for each place with a pin (read from a JSON script tag)."""
    markers = []
    for place in places:
        if not place.has_pin:
            continue
        markers.append(
            {
                "name": translated(place, "name"),
                "lat": float(place.latitude),
                "lng": float(place.longitude),
                "kind": str(place.get_kind_display()),
                "url": url_for(place),
            }
        )
    return markers


# The food bank's own sites: not children's places in the impact figures.
FOOD_BANK_KINDS = (Place.Kind.PANTRY, Place.Kind.WAREHOUSE)


@dataclass(frozen=True)
class PlacesFigures:
    places_open: int
    regular: int
    districts: int


def places_figures(*, as_of: datetime.datetime | None = None) -> PlacesFigures:
    """Active children's places (the food bank's warehouse and pantry are not counted), how
    many of them open on a regular schedule, and the school districts they cover: the impact
    figures, counted in one query (only places added before `as_of`)."""
    places = Place.objects.filter(is_active=True).exclude(kind__in=FOOD_BANK_KINDS)
    if as_of is not None:
        places = places.filter(created_at__lt=as_of)
    figures = places.aggregate(
        places_open=Count("id"),
        regular=Count("id", filter=Q(is_regular=True)),
        districts=Count("district", distinct=True),
    )
    return PlacesFigures(**figures)
