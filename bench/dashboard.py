"""Benchmark: the funding dashboard with a large ledger.

    python bench/dashboard.py [--donations 100000] [--repeat 7]

Uses a temporary SQLite database, or DATABASE_URL (e.g. a throwaway PostgreSQL database: its
tables are created by migrate and its ledger replaced). Fills the ledger with bulk_create:
10,000 supporters, 2,000 monthly donors paying for up to 24 months, yearly membership fees,
one-off and corporate gifts (some refunded), grant income and goods received. Prints the server
time of the dashboard page (median of `--repeat` requests through django.test.Client, as a
superuser), a CSV export, and the number of queries of each.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--donations", type=int, default=100_000)
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
    from django.utils import timezone
    from wagtail.models import Site

    setup_test_environment()
    call_command("migrate", verbosity=0)

    from donations.funding.models import FundingSettings, GrantIncome
    from donations.goods.models import Delivery, DeliveryLine, Pledge
    from donations.models import Donation
    from members.models import Membership, MembershipPlan, Supporter, User

    print(f"database: {connection.vendor}")
    DeliveryLine.objects.all().delete()
    Delivery.objects.all().delete()
    Pledge.objects.all().delete()
    Donation.objects.all().delete()
    GrantIncome.objects.all().delete()
    Membership.objects.all().delete()
    Supporter.objects.all().delete()

    rng = random.Random(7)
    started = time.perf_counter()
    supporters = Supporter.objects.bulk_create(
        [
            Supporter(
                kind=Supporter.Kind.ORGANISATION if n % 20 == 0 else Supporter.Kind.PERSON,
                status=Supporter.Status.ACTIVE,
                family_name="山田",
                given_name=f"花子{n}",
                organisation_name=f"株式会社{n}" if n % 20 == 0 else "",
                email=f"bench{n}@example.jp",
            )
            for n in range(10_000)
        ],
        batch_size=2000,
    )
    plan, _ = MembershipPlan.objects.get_or_create(
        name="個人会員", defaults={"period": "year", "amount_yen": 3000}
    )
    memberships = Membership.objects.bulk_create(
        [
            Membership(supporter=s, plan=plan, amount_yen=3000, status="active")
            for s in supporters[:3000]
        ],
        batch_size=2000,
    )
    now = timezone.now()

    def ago(days: int) -> datetime.datetime:
        return now - datetime.timedelta(days=days, minutes=rng.randint(0, 1440))

    rows = []
    # Monthly donors: 2,000 donors, each paying for a run of months.
    for n, donor in enumerate(supporters[3000:5000]):
        first, months = rng.randint(0, 700), rng.randint(3, 24)
        for m in range(months):
            if first - 30 * m < 1:
                break
            rows.append(
                Donation(
                    supporter=donor,
                    kind="monthly",
                    method="card" if n % 5 else "bank_transfer",
                    amount_yen=rng.choice([500, 1000, 3000]),
                    paid_at=ago(first - 30 * m),
                )
            )
    # Membership fees, yearly.
    for membership in memberships:
        for year in range(2):
            rows.append(
                Donation(
                    supporter_id=membership.supporter_id,
                    membership=membership,
                    kind="membership",
                    method="bank_transfer",
                    amount_yen=3000,
                    paid_at=ago(rng.randint(1, 365) + 365 * year),
                )
            )
    # One-off gifts (corporate when the donor is an organisation) fill up to --donations.
    while len(rows) < args.donations:
        amount = rng.choice([1000, 3000, 5000, 10000, 50000])
        rows.append(
            Donation(
                supporter=rng.choice(supporters),
                kind="one_off",
                method=rng.choice(["card", "konbini", "bank_transfer", "cash"]),
                amount_yen=amount,
                refunded_yen=amount if rng.random() < 0.02 else 0,
                paid_at=ago(rng.randint(1, 1000)),
            )
        )
    Donation.objects.bulk_create(rows[: args.donations], batch_size=5000)
    GrantIncome.objects.bulk_create(
        [
            GrantIncome(
                received_on=(now - datetime.timedelta(days=90 * q)).date(),
                amount_yen=1_500_000,
                grantor="休眠預金活用事業",
            )
            for q in range(8)
        ]
    )
    pledge = Pledge.objects.create(supporter=supporters[0])
    for d in range(200):
        delivery = Delivery.objects.create(
            pledge=pledge,
            received_on=(now - datetime.timedelta(days=3 * d)).date(),
            received_by="倉庫",
        )
        DeliveryLine.objects.create(
            delivery=delivery,
            category="food",
            description="米",
            quantity=30,
            unit="kg",
            estimated_value_yen=12000,
        )
    FundingSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={
            "monthly_running_costs_yen": 1_200_000,
            "grant_end_date": (now + datetime.timedelta(days=180)).date(),
        },
    )
    print(f"ledger: {Donation.objects.count():,} donations in {time.perf_counter() - started:.1f}s")

    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_superuser": True})
    admin.is_superuser = admin.is_staff = True
    admin.save()
    client = Client()
    client.force_login(admin)

    two_years_ago = now - datetime.timedelta(days=700)
    for label, url in [
        ("dashboard, last 12 months", "/admin/funding_dashboard/"),
        (
            "dashboard, 24 months",
            f"/admin/funding_dashboard/?start={two_years_ago:%Y-%m}&end={now:%Y-%m}",
        ),
        ("CSV export (revenue)", "/admin/funding_dashboard/?export=revenue"),
    ]:
        timings = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                begin = time.perf_counter()
                response = client.get(url)
                timings.append(time.perf_counter() - begin)
            assert response.status_code == 200, response.status_code
        print(
            f"{label}: median {statistics.median(timings) * 1000:.0f} ms "
            f"(min {min(timings) * 1000:.0f} ms), {len(queries)} queries"
        )


if __name__ == "__main__":
    main()
