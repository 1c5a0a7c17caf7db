"""Benchmark: volunteering at network scale, on PostgreSQL.

    DATABASE_URL=postgres://…/shifts_bench python bench/volunteering.py [--smoke]

Builds 29 places over 17 school districts, 390 volunteers, about 5,000 shifts (a year) and
25,000 sign-ups (`--smoke`: a few of each), then measures

1. the volunteer's "shifts for me" portal page: server time (median of `--repeat` requests
   through django.test.Client) and query count, with a tenth of the data and with all of it
   (the count must not grow with the data);
2. 50 concurrent sign-ups (threads, each on its own database connection) for 10 shifts with one
   seat each: exactly 10 must win, the others are waitlisted.

Without DATABASE_URL it uses a temporary SQLite database and skips the concurrency part
(SQLite serialises writers). tests/bench/test_volunteering_bench.py runs `run(smoke=True)`.
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FULL = {"places": 29, "districts": 17, "volunteers": 390, "shifts": 5000, "signups": 25000}
SMOKE = {"places": 4, "districts": 3, "volunteers": 30, "shifts": 120, "signups": 300}


def build(sizes: dict, *, fraction: float = 1.0) -> dict:
    """Create (or top up to `fraction` of) the data set; returns the volunteer to measure."""
    from django.utils import timezone

    from members.models import Area, Supporter, VolunteerProfile
    from members.places.models import Place
    from members.volunteering.models import Role, Shift, Signup

    districts = [
        Area.objects.get_or_create(
            name=f"ベンチ第{n + 1}小学校区", defaults={"kind": Area.Kind.SCHOOL_DISTRICT}
        )[0]
        for n in range(sizes["districts"])
    ]
    places = [
        Place.objects.get_or_create(
            slug=f"bench-place-{n + 1}",
            defaults={
                "name": f"ベンチこどもひろば{n + 1}",
                "kind": Place.Kind.KODOMO_SHOKUDO,
                "district": districts[n % len(districts)],
            },
        )[0]
        for n in range(sizes["places"])
    ]
    role, _ = Role.objects.get_or_create(name="調理")
    have = Supporter.objects.filter(email__startswith="bench-volunteer-").count()
    volunteers = [
        Supporter(
            family_name="ベンチ",
            given_name=f"{n}",
            email=f"bench-volunteer-{n}@example.jp",
            status=Supporter.Status.ACTIVE,
            is_volunteer=True,
        )
        for n in range(have, sizes["volunteers"])
    ]
    Supporter.objects.bulk_create(volunteers, batch_size=1000)
    all_volunteers = list(
        Supporter.objects.filter(email__startswith="bench-volunteer-").order_by("pk")
    )
    for n, volunteer in enumerate(all_volunteers[have:], start=have):
        profile = VolunteerProfile.objects.create(
            supporter=volunteer, availability=["sat-am", "wed-eve", "sun-pm", "sat-pm"][: 1 + n % 4]
        )
        profile.areas.set([districts[n % len(districts)], districts[(n + 5) % len(districts)]])

    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    target_shifts = int(sizes["shifts"] * fraction)
    existing = Shift.objects.filter(place__slug__startswith="bench-place-").count()
    shifts = []
    for n in range(existing, target_shifts):
        # A year centred on today: half past, half ahead; 10:00, 14:00 or 18:00 starts.
        day = today + datetime.timedelta(days=(n * 365) // sizes["shifts"] - 182)
        hour = (10, 14, 18)[n % 3]
        starts = datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz)
        shifts.append(
            Shift(
                place=places[n % len(places)],
                role=role,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=3),
                people_needed=3 + n % 4,
                signup_cutoff_hours=0,
            )
        )
    Shift.objects.bulk_create(shifts, batch_size=2000)
    target_signups = int(sizes["signups"] * fraction)
    existing_signups = Signup.objects.filter(shift__place__slug__startswith="bench-place-").count()
    shift_ids = list(
        Shift.objects.filter(place__slug__startswith="bench-place-")
        .order_by("pk")
        .values_list("pk", "people_needed")
    )
    taken = set(
        Signup.objects.filter(shift__place__slug__startswith="bench-place-").values_list(
            "shift_id", "volunteer_id"
        )
    )
    counts: dict[int, int] = {}
    signups = []
    n = existing_signups
    index = 0
    while n < target_signups and index < len(shift_ids) * 8:
        shift_id, needed = shift_ids[index % len(shift_ids)]
        volunteer = all_volunteers[(index * 7) % len(all_volunteers)]
        index += 1
        if (shift_id, volunteer.pk) in taken:
            continue
        taken.add((shift_id, volunteer.pk))
        confirmed = counts.get(shift_id, 0) < needed
        counts[shift_id] = counts.get(shift_id, 0) + int(confirmed)
        signups.append(
            Signup(
                shift_id=shift_id,
                volunteer=volunteer,
                status=Signup.Status.CONFIRMED if confirmed else Signup.Status.WAITLISTED,
                position=0 if confirmed else n,
            )
        )
        n += 1
    Signup.objects.bulk_create(signups, batch_size=5000)
    # The measured volunteer always has something to see: one open shift next Saturday morning
    # in their area (so both sizes render the same sections, and only the data size differs).
    volunteer = all_volunteers[0]
    saturday = today + datetime.timedelta(days=(5 - today.weekday()) % 7 or 7)
    probe_start = datetime.datetime.combine(saturday, datetime.time(10), tzinfo=tz)
    Shift.objects.get_or_create(
        place=places[0],
        role=role,
        starts_at=probe_start,
        defaults={"ends_at": probe_start + datetime.timedelta(hours=3), "people_needed": 5},
    )
    return {"volunteer": volunteer}


def measure_page(volunteer, *, repeat: int) -> tuple[float, int]:
    """Median server time (ms) and query count of the volunteer's "shifts for me" page."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from wagtail.models import Site

    from members.models import MemberPortalPage
    from members.views.session import SESSION_LOGGED_IN_AT, SESSION_SUPPORTER

    portal = MemberPortalPage.objects.first()
    if portal is None:
        home = Site.objects.get(is_default_site=True).root_page
        portal = home.add_child(instance=MemberPortalPage(title="マイページ", slug="bench-portal"))
    url = portal.url + "shifts/"
    client = Client()
    session = client.session
    session[SESSION_SUPPORTER] = volunteer.pk
    session[SESSION_LOGGED_IN_AT] = time.time()
    session.save()
    client.get(url)  # warm caches, templates
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(timings), len(queries)


def concurrent_signups(*, shifts: int = 10, per_shift: int = 5) -> dict:
    """`shifts` one-seat shifts, `per_shift` volunteers racing for each: returns the winners."""
    from django.db import connections
    from django.utils import timezone

    from members.models import Supporter
    from members.places.models import Place
    from members.volunteering.models import Role, Shift, Signup
    from members.volunteering.services import signup_create

    place = Place.objects.filter(slug__startswith="bench-place-").first()
    role = Role.objects.first()
    starts = timezone.now() + datetime.timedelta(days=30)
    race = [
        Shift.objects.create(
            place=place,
            role=role,
            starts_at=starts + datetime.timedelta(hours=n),
            ends_at=starts + datetime.timedelta(hours=n + 2),
            people_needed=1,
        )
        for n in range(shifts)
    ]
    racers = Supporter.objects.bulk_create(
        Supporter(
            family_name="競争",
            given_name=str(n),
            email=f"bench-racer-{time.time_ns()}-{n}@example.jp",
            status=Supporter.Status.ACTIVE,
        )
        for n in range(shifts * per_shift)
    )
    barrier = threading.Barrier(len(racers))
    errors: list[Exception] = []

    def worker(shift_id, volunteer):
        try:
            barrier.wait()
            signup_create(shift_id=shift_id, volunteer=volunteer)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=(race[n % shifts].pk, volunteer))
        for n, volunteer in enumerate(racers)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = (time.perf_counter() - started) * 1000
    confirmed = Signup.objects.filter(shift__in=race, status=Signup.Status.CONFIRMED)
    per_shift_winners = [confirmed.filter(shift=shift).count() for shift in race]
    return {
        "errors": errors,
        "winners": confirmed.count(),
        "per_shift": per_shift_winners,
        "waitlisted": Signup.objects.filter(shift__in=race, status="waitlisted").count(),
        "ms": elapsed,
        "counters": [Shift.objects.get(pk=s.pk).confirmed_count for s in race],
    }


def run(*, smoke: bool, repeat: int = 7, out=print) -> dict:
    from django.db import connection

    sizes = SMOKE if smoke else FULL
    result = {}
    started = time.perf_counter()
    first = build(sizes, fraction=0.1)
    out(f"built 10%: {time.perf_counter() - started:.1f} s")
    result["small"] = measure_page(first["volunteer"], repeat=repeat)
    started = time.perf_counter()
    build(sizes, fraction=1.0)
    out(f"built 100%: {time.perf_counter() - started:.1f} s")
    result["full"] = measure_page(first["volunteer"], repeat=repeat)
    for label in ("small", "full"):
        ms, queries = result[label]
        out(f"shifts for me ({label} data): {ms:.1f} ms median, {queries} queries")
    if connection.vendor == "postgresql":
        race = concurrent_signups(shifts=10 if not smoke else 3, per_shift=5)
        result["race"] = race
        out(
            f"concurrent sign-ups: {len(race['per_shift']) * 5} threads, winners {race['winners']}"
            f" (per shift {race['per_shift']}), waitlisted {race['waitlisted']},"
            f" errors {len(race['errors'])}, {race['ms']:.0f} ms"
        )
    else:
        out("concurrent sign-ups: skipped (not PostgreSQL)")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
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
    run(smoke=args.smoke, repeat=args.repeat)


if __name__ == "__main__":
    main()
