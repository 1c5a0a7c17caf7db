"""Benchmark: the supporter list in the Wagtail admin with many supporters.

    python bench/members_list.py [--members 100000] [--repeat 7]

Uses a temporary SQLite database (or DATABASE_URL, e.g. a throwaway PostgreSQL database: its
tables are created by migrate and its supporters replaced). Prints the server time (median of
`--repeat` requests, logged in as a superuser through django.test.Client) and the number of
queries for the first page, a search and filters.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
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

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)

    from members.models import (
        Area,
        Membership,
        MembershipPlan,
        Skill,
        Supporter,
        User,
        VolunteerProfile,
    )

    Supporter.objects.all().delete()
    plan, _ = MembershipPlan.objects.get_or_create(
        name="個人会員", defaults={"period": "year", "amount_yen": 3000}
    )
    skill, _ = Skill.objects.get_or_create(name="調理")
    area, _ = Area.objects.get_or_create(name="中央小学校区", defaults={"kind": "school_district"})

    started = time.perf_counter()
    families = [("山田", "ヤマダ"), ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("田中", "タナカ")]
    givens = [("花子", "ハナコ"), ("太郎", "タロウ"), ("優子", "ユウコ"), ("健一", "ケンイチ")]
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    batch = 5000
    for start in range(0, args.members, batch):
        supporters = []
        for n in range(start, min(start + batch, args.members)):
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
                    status="active",
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
    through = VolunteerProfile.skills.through
    through.objects.bulk_create(
        through(volunteerprofile_id=pk, skill_id=skill.pk)
        for pk in VolunteerProfile.objects.values_list("pk", flat=True)
    )
    print(f"{args.members:,} supporters created in {time.perf_counter() - started:.1f} s")
    print(f"database: {connection.vendor}")

    user, _ = User.objects.get_or_create(username="bench", defaults={"is_superuser": True})
    user.is_superuser = user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)

    cases = [
        ("first page", {}),
        ("page 100", {"p": "100"}),
        ("search name (山田12)", {"q": "山田12"}),
        ("search kana in hiragana (さとう5)", {"q": "さとう5"}),
        ("search phone (0005-12)", {"q": "0005-12"}),
        ("filter plan + membership active", {"plan": plan.pk, "membership_status": "active"}),
        ("filter skill", {"skill": skill.pk}),
        ("filter renewal due in 30 days", {"renewal_due": "on"}),
    ]
    print(f"{'request':40} {'median ms':>10} {'queries':>8} {'rows':>8}")
    for label, params in cases:
        timings = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                response = client.get("/admin/supporter/", params)
                timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.status_code
        rows = response.context["paginator"].count
        print(f"{label:40} {statistics.median(timings):10.1f} {len(queries):8d} {rows:8,d}")
    tmp.cleanup()


if __name__ == "__main__":
    main()
