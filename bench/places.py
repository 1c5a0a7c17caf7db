"""Benchmark: the public places directory and map (居場所マップ) and a place's page.

    DATABASE_URL=postgres://USER:PW@127.0.0.1:5432/places_bench python bench/places.py
    python bench/places.py --smoke        # small and quick, on a temporary SQLite database

Builds 29 places over 17 school districts (8 regular), each with a schedule that started a year
ago (weekly, twice a month or monthly; holidays skipped), then measures with django.test.Client:
server time (median of --repeat requests) and query count of /places/ (all places, markers
JSON), /places/?this_week=on and one place's page. Then it adds places until there are
--scale times as many (290 by default) and measures again: the query counts must not grow.
Without DATABASE_URL a temporary SQLite database is used (tables made by migrate).
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PATHS = ("/places/", "/places/?this_week=on&day=5", "/places/place-0001/")


def places_build(*, count: int, start: int = 0) -> None:
    """Places `start`..`count - 1` with their schedules (districts and the page made once)."""
    from members.models import Area
    from members.places.models import Place, PlaceSchedule
    from members.places.recurrence import schedule_rrule

    districts = list(Area.objects.filter(kind=Area.Kind.SCHOOL_DISTRICT).order_by("pk"))
    year_ago = datetime.date.today() - datetime.timedelta(days=365)
    kinds = [Place.Kind.KODOMO_SHOKUDO, Place.Kind.STUDY, Place.Kind.PLAY, Place.Kind.PANTRY]
    places = Place.objects.bulk_create(
        Place(
            slug=f"place-{n + 1:04d}",
            name=f"居場所 {n + 1}",
            kind=kinds[n % len(kinds)],
            district=districts[n % len(districts)],
            is_regular=n % 29 < 8,
            offers=["food", "play"],
            latitude=35.79 + (n % 40) * 0.001,
            longitude=139.56 + (n % 37) * 0.001,
        )
        for n in range(start, count)
    )
    rules = [
        {"frequency": "weekly", "weekday": 2},
        {"frequency": "monthly_weekday", "weekday": 5, "weeks": [2, 4]},
        {"frequency": "monthly_date", "weekday": None, "day_of_month": 15},
    ]
    schedules = []
    for place in places:
        schedule = PlaceSchedule(
            place=place,
            start_time=datetime.time(11, 0),
            end_time=datetime.time(14, 0),
            starts_on=year_ago,
            **rules[place.pk % len(rules)],
        )
        schedule.rrule = schedule_rrule(schedule)  # bulk_create skips save(), which sets it
        schedules.append(schedule)
    PlaceSchedule.objects.bulk_create(schedules)


def site_build() -> None:
    from wagtail.models import Site

    from members.models import Area
    from members.places.pages import PlaceIndexPage

    Area.objects.bulk_create(
        Area(name=f"第{n + 1}小学校区", kind=Area.Kind.SCHOOL_DISTRICT, sort_order=n)
        for n in range(17)
    )
    root = Site.objects.get(is_default_site=True).root_page
    page = PlaceIndexPage(title="居場所マップ", slug="places")
    root.add_child(instance=page)
    page.save_revision().publish()


def measure(client, *, repeat: int) -> dict[str, tuple[float, int]]:
    """{path: (median server ms, queries)}; the first request warms caches and is not counted."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    results = {}
    for path in PATHS:
        assert client.get(path).status_code == 200, path
        times = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, path
        results[path] = (statistics.median(times), len(queries))
    return results


def run(*, places: int, scale: int, repeat: int) -> dict:
    """Build, measure at `places` and at `places * scale`; returns both sets of figures."""
    from django.test import Client

    site_build()
    places_build(count=places)
    client = Client()
    small = measure(client, repeat=repeat)
    places_build(count=places * scale, start=places)
    large = measure(client, repeat=repeat)
    return {"small": small, "large": large, "places": places, "scale": scale}


def report(figures: dict) -> bool:
    small, large = figures["small"], figures["large"]
    many = figures["places"] * figures["scale"]
    print(f"{'page':<34} {figures['places']:>5} places ms  q   {many:>5} places ms  q")
    same = True
    for path in PATHS:
        (t1, q1), (t2, q2) = small[path], large[path]
        same = same and q1 == q2
        print(f"{path:<34} {t1:>14.1f} {q1:>3}   {t2:>14.1f} {q2:>3}")
    print("queries do not grow with places" if same else "QUERIES GROW WITH PLACES")
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", type=int, default=29)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--smoke", action="store_true", help="29 → 58 places, 2 requests each")
    args = parser.parse_args()
    if args.smoke:
        args.scale, args.repeat = 2, 2
    tmp = tempfile.TemporaryDirectory()
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp.name}/bench.sqlite3"
    os.environ.setdefault("OUENDAN_DATA_DIR", tmp.name)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ouendan.settings.dev"

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    setup_test_environment()
    call_command("migrate", verbosity=0)
    from members.places.models import Place

    if Place.objects.exists():
        sys.exit("The database already has places: use an empty (throwaway) database.")
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    sys.exit(0 if report(run(places=args.places, scale=args.scale, repeat=args.repeat)) else 1)


if __name__ == "__main__":
    main()
