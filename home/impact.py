"""Live impact figures for the public site (the live impact block on the home page and on any
impact report page): computed from the data, never typed twice, cached for a minute.

Counts of people and places are taken at the end of the period ("as of"); goods received are
summed over the period. Households supported is the one figure the site holds no data for:
staff enter it once per year (Settings → Impact figures entered by staff).
"""

import datetime
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.cache import cache
from django.db.models import F, Min
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from donations.goods.selectors import goods_received_totals
from donations.models import Donation
from members.models import Supporter
from members.places.selectors import places_figures
from ouendan.core.translated import translated

from .models import StaffImpactFigure

CACHE_SECONDS = 60
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
# A monthly supporter is one whose monthly gift was paid within this many days of the period
# end: every running monthly gift is paid at least once in any 35 days.
MONTHLY_WINDOW_DAYS = 35

FIGURES = [
    "supporters",
    "monthly_supporters",
    "volunteers",
    "childrens_places",
    "food_kg",
    "items",
    "households",
]


@dataclass(frozen=True)
class ImpactPeriod:
    """Dates are in Tokyo. `start` is included (None: since the beginning), `end` is not."""

    key: str
    start: datetime.date | None
    end: datetime.date
    year: int | None = None


def impact_period(*, choice: str, today: datetime.date, year: int | None = None) -> ImpactPeriod:
    """The period for a staff-chosen default ("all", "this_year", "last_12_months") or for a
    calendar year a visitor picked (which wins)."""
    tomorrow = today + datetime.timedelta(days=1)
    if year is not None:
        end = min(datetime.date(year + 1, 1, 1), tomorrow)
        return ImpactPeriod(key=f"year-{year}", start=datetime.date(year, 1, 1), end=end, year=year)
    if choice == "this_year":
        return ImpactPeriod(key=choice, start=datetime.date(today.year, 1, 1), end=tomorrow)
    if choice == "last_12_months":
        # 29 February: a year back is 28 February, so the period starts on 1 March.
        start = today - relativedelta(years=1) + datetime.timedelta(days=1)
        return ImpactPeriod(key=choice, start=start, end=tomorrow)
    return ImpactPeriod(key="all", start=None, end=tomorrow)


@dataclass(frozen=True)
class ImpactFigures:
    supporters: int
    monthly_supporters: int
    volunteers: int
    childrens_places: int
    regular_places: int
    districts_covered: int
    food_kg: Decimal
    items: Decimal
    households: int | None
    households_year: int | None = None
    households_note: str = ""
    households_note_en: str = ""  # cached with the figures, so both languages are kept


def _at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, tzinfo=TOKYO)


def _compute(period: ImpactPeriod) -> ImpactFigures:
    end_at = min(_at(period.end), timezone.now())
    members = Supporter.objects.filter(status=Supporter.Status.ACTIVE, created_at__lt=end_at)
    monthly = (
        Donation.objects.filter(
            kind=Donation.Kind.MONTHLY,
            amount_yen__gt=F("refunded_yen"),
            paid_at__lt=end_at,
            paid_at__gte=end_at - datetime.timedelta(days=MONTHLY_WINDOW_DAYS),
        )
        .values("supporter_id")
        .distinct()
    )
    goods = goods_received_totals(start=period.start, end=period.end - datetime.timedelta(days=1))
    food_kg = sum(
        (Decimal(g.quantity) for g in goods if g.category == "food" and g.unit == "kg"),
        Decimal(0),
    )
    items = sum((Decimal(g.quantity) for g in goods if g.unit == "items"), Decimal(0))
    staff_figures = StaffImpactFigure.objects.order_by("-year")
    if period.year is not None:
        staff_figures = staff_figures.filter(year=period.year)
    else:
        staff_figures = staff_figures.filter(
            year__lte=(period.end - datetime.timedelta(days=1)).year
        )
    households = staff_figures.first()
    places = places_figures(as_of=end_at)
    return ImpactFigures(
        supporters=members.count(),
        monthly_supporters=monthly.count(),
        volunteers=members.filter(is_volunteer=True).count(),
        childrens_places=places.places_open,
        regular_places=places.regular,
        districts_covered=places.districts,
        food_kg=food_kg,
        items=items,
        households=households.households_supported if households else None,
        households_year=households.year if households else None,
        households_note=households.note if households else "",
        households_note_en=households.note_en if households else "",
    )


def impact_figures(*, period: ImpactPeriod) -> ImpactFigures:
    """The figures for a period, computed at most once a minute."""
    key = f"impact-figures:{period.key}:{period.start}:{period.end}"
    return cache.get_or_set(key, lambda: _compute(period), CACHE_SECONDS)


def impact_years(*, today: datetime.date) -> list[int]:
    """Calendar years a visitor can choose, newest first: from the first supporter or gift on."""

    def compute() -> list[int]:
        firsts = [
            Supporter.objects.aggregate(first=Min("created_at"))["first"],
            Donation.objects.aggregate(first=Min("paid_at"))["first"],
        ]
        years = [first.astimezone(TOKYO).year for first in firsts if first]
        first_year = min(years + [today.year])
        return list(range(today.year, first_year - 1, -1))

    return cache.get_or_set(f"impact-years:{today.year}", compute, CACHE_SECONDS)


def live_impact_context(*, value, request) -> dict:
    """What a live impact block shows (registered with campaigns/blocks.py in HomeConfig)."""
    today = timezone.localdate()
    years = impact_years(today=today) if value["year_choice"] else []
    if value["period"] == "this_year":
        # "This year" is already the first choice: the same year is not listed twice.
        years = [year for year in years if year != today.year]
    year = None
    if request is not None and years:
        raw = request.GET.get("impact_year", "")
        year = int(raw) if raw.isdigit() and int(raw) in years else None
    period = impact_period(choice=value["period"], today=today, year=year)
    figures = impact_figures(period=period)
    return {
        "period": period,
        "years": years,
        "chosen_year": year,
        "figures": _live_figures(figures, value["figures"]),
    }


def _live_figures(figures, shown) -> list[dict]:
    """What the template lists, in the order of the block's choices."""
    rows = {
        "supporters": (
            figures.supporters,
            pgettext("impact unit", "people"),
            gettext("Supporters"),
        ),
        "monthly_supporters": (
            figures.monthly_supporters,
            pgettext("impact unit", "people"),
            gettext("Monthly supporters"),
        ),
        "volunteers": (
            figures.volunteers,
            pgettext("impact unit", "people"),
            gettext("Volunteers"),
        ),
        "childrens_places": (
            figures.childrens_places,
            pgettext("impact unit", "places"),
            gettext("Children's places"),
        ),
        "food_kg": (figures.food_kg, "kg", gettext("Food received")),
        "items": (figures.items, pgettext("impact unit", "items"), gettext("Items received")),
        "households": (
            figures.households,
            pgettext("impact unit", "households"),
            gettext("Households supported"),
        ),
    }
    result = []
    for key in FIGURES:
        if key not in shown:
            continue
        value, unit, label = rows[key]
        note = ""
        if key == "households":
            if value is None:
                continue  # nothing entered yet: show nothing rather than a made-up zero
            year = gettext("Year %(year)s") % {"year": figures.households_year}
            staff_note = translated(figures, "households_note")
            note = f"{year} · {staff_note}" if staff_note else year
        if key == "childrens_places" and value:
            # Counted from the places (members/places), never typed.
            note = gettext(
                "%(regular)s open on a regular schedule · %(districts)s school districts"
            ) % {"regular": figures.regular_places, "districts": figures.districts_covered}
        if isinstance(value, Decimal):
            value = int(value) if value == int(value) else float(round(value, 1))
        result.append({"key": key, "value": value, "unit": unit, "label": label, "note": note})
    return result
