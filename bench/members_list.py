"""Benchmark: the staff supporter list in the Wagtail admin with many supporters.

    python bench/members_list.py [--members 100000] [--repeat 7] [--smoke] [--profile]

Uses a temporary SQLite database (or DATABASE_URL, e.g. a throwaway PostgreSQL database: its
tables are created by migrate and its supporters replaced). Prints the server time (median of
`--repeat` requests, logged in as a superuser through django.test.Client) and the number of
queries for the first page, page 100, every kind of search (kanji, kana in hiragana, katakana and
half-width katakana, e-mail, phone with and without hyphens) and each filter; then every
combination of the nine filters (2⁹ = 512, the median of three requests each) with the slowest
and the set of query counts seen (one number: constant). The peer is the first page itself:
every other figure is printed next to it. `--smoke` runs 300 supporters, one request each and 16
combinations (CI); `--profile` prints a pyinstrument profile of each named request (a bench mode
only).
"""

import argparse
import datetime
import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build(members: int) -> dict:
    from django.utils import timezone

    from members.models import (
        Area,
        Membership,
        MembershipPlan,
        Skill,
        Supporter,
        VolunteerProfile,
    )
    from members.models.memberships import supporters_refresh_current_membership

    Supporter.objects.all().delete()
    plan, _ = MembershipPlan.objects.get_or_create(
        name="個人会員", defaults={"period": "year", "amount_yen": 3000}
    )
    skill, _ = Skill.objects.get_or_create(name="調理")
    area, _ = Area.objects.get_or_create(name="中央小学校区", defaults={"kind": "school_district"})
    families = [("山田", "ヤマダ"), ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("田中", "タナカ")]
    givens = [("花子", "ハナコ"), ("太郎", "タロウ"), ("優子", "ユウコ"), ("健一", "ケンイチ")]
    today = timezone.localdate()
    batch = 5000
    for start in range(0, members, batch):
        supporters = []
        for n in range(start, min(start + batch, members)):
            family, family_kana = families[n % 4]
            given, given_kana = givens[(n // 4) % 4]
            supporters.append(
                Supporter(
                    family_name=f"{family}{n}",
                    given_name=given,
                    family_name_kana=f"{family_kana}{n}",
                    given_name_kana=given_kana,
                    email=f"m{n}@example.jp",
                    phone=f"090-{n // 10000:04d}-{n % 10000:04d}",
                    status="active" if n % 20 else "pending",
                    kind="person" if n % 50 else "organisation",
                    is_volunteer=n % 10 == 0,
                )
            )
        created = Supporter.objects.bulk_create(supporters)
        Membership.objects.bulk_create(
            Membership(
                supporter=supporter,
                plan=plan,
                amount_yen=3000,
                status="active",
                renews_on=today + datetime.timedelta(days=supporter.pk % 365),
            )
            for supporter in created
            if supporter.pk % 2 == 0
        )
        VolunteerProfile.objects.bulk_create(
            VolunteerProfile(supporter=supporter) for supporter in created if supporter.is_volunteer
        )
    # Memberships were bulk-created (no save()): point supporters at them as an import would.
    supporters_refresh_current_membership()
    for model in (VolunteerProfile.skills.through, VolunteerProfile.areas.through):
        column = "skill_id" if model is VolunteerProfile.skills.through else "area_id"
        model.objects.bulk_create(
            model(volunteerprofile_id=pk, **{column: (skill if column == "skill_id" else area).pk})
            for pk in VolunteerProfile.objects.values_list("pk", flat=True)
        )
    return {"plan": plan, "skill": skill, "area": area, "today": today}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--smoke", action="store_true", help="tiny size, for CI")
    parser.add_argument("--no-migrate", action="store_true", help="the schema is there")
    parser.add_argument("--profile", action="store_true", help="pyinstrument each request")
    parser.add_argument("--reuse", action="store_true", help="keep supporters already there")
    args = parser.parse_args()
    if args.smoke:
        args.members, args.repeat = 300, 1

    tmp = tempfile.TemporaryDirectory()
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp.name}/bench.sqlite3"
    os.environ.setdefault("OUENDAN_DATA_DIR", tmp.name)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ouendan.settings.dev"

    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from members.models import Area, MembershipPlan, Skill, Supporter, User

    setup_test_environment()
    if not args.no_migrate:
        call_command("migrate", verbosity=0)

    started = time.perf_counter()
    if args.reuse and Supporter.objects.count() == args.members:
        from django.utils import timezone

        ctx = {
            "plan": MembershipPlan.objects.get(name="個人会員"),
            "skill": Skill.objects.get(name="調理"),
            "area": Area.objects.get(name="中央小学校区"),
            "today": timezone.localdate(),
        }
        print(f"{args.members:,} supporters reused")
    else:
        ctx = build(args.members)
        print(f"{args.members:,} supporters created in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The steady state autovacuum keeps: statistics, and a visibility map so the
            # paginator's COUNT(*) is an index-only scan (92 ms → 18 ms at 100,000 here).
            cursor.execute("VACUUM ANALYZE")
    print(f"database: {connection.vendor}")

    user, _ = User.objects.get_or_create(username="bench", defaults={"is_superuser": True})
    user.is_superuser = user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)

    n = min(args.members - 1, 12_345)
    phone = f"090-{n // 10000:04d}-{n % 10000:04d}"
    today = ctx["today"]
    filters = {
        "kind": "person",
        "status": "active",
        "plan": ctx["plan"].pk,
        "membership_status": "active",
        "area": ctx["area"].pk,
        "skill": ctx["skill"].pk,
        "is_volunteer": "true",
        "renewal_due": "on",
        "created_at_from": (today - datetime.timedelta(days=30)).isoformat(),
    }
    cases = [
        ("first page", {}),
        ("page 100", {"p": str(min(100, max(1, args.members // 50)))}),
        (f"search kanji (山田{n // 10})", {"q": f"山田{n // 10}"}),
        (f"search kanji full name (佐藤{n - n % 4 + 1}太郎)", {"q": f"佐藤{n - n % 4 + 1}"}),
        (f"search katakana (サトウ{n // 10})", {"q": f"サトウ{n // 10}"}),
        (f"search hiragana (さとう{n // 10})", {"q": f"さとう{n // 10}"}),
        (f"search half-width kana (ｻﾄｳ{n // 10})", {"q": f"ｻﾄｳ{n // 10}"}),
        ("search kana, two words (やまだ はなこ)", {"q": "やまだ はなこ"}),
        (f"search e-mail (m{n}@example.jp)", {"q": f"m{n}@example.jp"}),
        ("search e-mail part (example.jp)", {"q": "example.jp"}),
        (f"search phone ({phone})", {"q": phone}),
        (f"search phone digits ({phone.replace('-', '')})", {"q": phone.replace("-", "")}),
        ("search phone part (0005-12)", {"q": "0005-12"}),
        ("search no match (存在しない)", {"q": "存在しない"}),
    ] + [(f"filter {name}", {name: value}) for name, value in filters.items()]
    cases += [
        (
            "filter plan + membership active",
            {"plan": ctx["plan"].pk, "membership_status": "active"},
        ),
        ("search + every filter", {"q": "さとう", **filters}),
    ]

    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)

    def request(params: dict) -> tuple[float, float, int, int]:
        # The query log keeps 9,000 queries: once full, a capture would count 0 (the 512
        # combinations reported query counts of 0 and 6 for that reason).
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.get("/admin/supporter/", params)
            elapsed = (time.perf_counter() - t0) * 1000
            cpu = (time.process_time() - c0) * 1000
        assert response.status_code == 200, (params, response.status_code)
        db = sum(float(query["time"]) for query in queries.captured_queries) * 1000
        db_times.append(db)
        return elapsed, cpu, len(queries), response.context["paginator"].count

    first_page = None
    db_times: list[float] = []
    request({})  # templates compiled, caches warm
    print(
        f"{'request':46} {'median ms':>9} {'cpu ms':>7} {'db ms':>6} {'× first':>7} "
        f"{'queries':>7} {'rows':>7}"
    )
    for label, params in cases:
        timings, cpus = [], []
        db_times.clear()
        for _ in range(args.repeat):
            elapsed, cpu, count, rows = request(params)
            timings.append(elapsed)
            cpus.append(cpu)
        median = statistics.median(timings)
        first_page = first_page or median
        print(
            f"{label:46} {median:9.1f} {statistics.median(cpus):7.1f} "
            f"{statistics.median(db_times):6.1f} "
            f"{median / first_page:7.2f} {count:7d} {rows:7,d}"
        )
        if profiler:
            profiler.reset()
            profiler.start()
            request(params)
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))

    names = list(filters)
    subsets = [
        combo for size in range(len(names) + 1) for combo in itertools.combinations(names, size)
    ]
    if args.smoke:
        subsets = subsets[:16]
    # Each combination's median of three requests, like the named requests' median of
    # --repeat: a single request's time includes whatever else the machine did just then (a
    # combination that spiked to 295 ms once took 107-121 ms in nine requests after it).
    tries = 1 if args.smoke else 3
    timings, counts, worst = [], set(), (0.0, ())
    for combo in subsets:
        samples = []
        for _ in range(tries):
            elapsed, _cpu, count, _rows = request({name: filters[name] for name in combo})
            samples.append(elapsed)
            counts.add(count)
        elapsed = statistics.median(samples)
        timings.append(elapsed)
        worst = max(worst, (elapsed, combo))
    print(
        f"filter combinations: {len(subsets)} (median of {tries} requests each), "
        f"median {statistics.median(timings):.1f} ms, "
        f"slowest {worst[0]:.1f} ms ({' + '.join(worst[1]) or 'none'}), "
        f"query counts {sorted(counts)}"
    )
    tmp.cleanup()


if __name__ == "__main__":
    main()
