"""Benchmark: the campaign page under gunicorn on loopback, uncached and cached, against a Django
hello-world view on the same server; and the page's query count at 10 and 100,000 donations.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ouendan_bench \
    BENCH_REDIS_URL=redis://127.0.0.1:6379/14 python bench/campaign_page.py

Uses DATABASE_URL (else a temporary SQLite database) and BENCH_REDIS_URL (else each worker's
local-memory cache). Settings: bench/campaign_bench_site.py (DEBUG off, production-like).
"""

import argparse
import datetime
import http.client
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
PORT = 8791


def _client(path: str, seconds: float, results) -> None:
    count = errors = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
        try:
            connection.request("GET", path, headers={"Host": "127.0.0.1"})
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                count += 1
            else:
                errors += 1
        except OSError:
            errors += 1
        finally:
            connection.close()
    results.put((count, errors))


def load(path: str, *, seconds: float, clients: int) -> float:
    """Requests per second with `clients` concurrent connections (one request each)."""
    _client(path, 1.0, multiprocessing.Queue())  # warm up
    results = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(target=_client, args=(path, seconds, results))
        for _ in range(clients)
    ]
    for proc in procs:
        proc.start()
    done = [results.get() for _ in procs]
    for proc in procs:
        proc.join()
    count, errors = sum(d[0] for d in done), sum(d[1] for d in done)
    if errors:
        raise SystemExit(f"{errors} failed requests on {path}")
    return count / seconds


def serve(env: dict, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603 - fixed argv, our own server
        [
            sys.executable,
            "-m",
            "gunicorn",
            "ouendan.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(workers),
            "--pythonpath",
            str(BENCH),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=1)
            connection.request("GET", "/bench-hello/")
            connection.getresponse().read()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--donations", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp.name}/bench.sqlite3")
    os.environ.setdefault("OUENDAN_DATA_DIR", tmp.name)
    os.environ["DJANGO_SETTINGS_MODULE"] = "campaign_bench_site"
    sys.path.insert(0, str(BENCH))
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.utils import timezone
    from wagtail.models import Site

    from campaigns.models import CampaignIndexPage, CampaignPage
    from campaigns.services import campaign_progress_invalidate
    from donations.models import DonatePage, Donation
    from members.models import Supporter

    setup_test_environment()
    call_command("migrate", verbosity=0)
    home = Site.objects.get(is_default_site=True).root_page
    for slug in ("bench-campaigns", "bench-donate"):
        for page in home.get_children().filter(slug=slug):
            page.delete()
    donate = DonatePage(title="寄付する", slug="bench-donate")
    home.add_child(instance=donate)
    donate.save_revision().publish()
    index = CampaignIndexPage(title="キャンペーン", slug="bench-campaigns")
    home.add_child(instance=index)
    index.save_revision().publish()
    today = timezone.localdate()
    campaign = CampaignPage(
        title="夏休みの食支援",
        slug="summer",
        summary="給食のない夏休みに、お昼ごはんを届けます。",
        goal_yen=50_000_000,
        start_date=today - datetime.timedelta(days=10),
        end_date=today + datetime.timedelta(days=20),
        body=[
            (
                "paragraph",
                "<p>" + "夏休みの40日間、子どもたちにお昼ごはんを届けます。" * 20 + "</p>",
            )
        ],
        donate=[
            (
                "donate",
                {
                    "heading": "一回のご寄付",
                    "text": "",
                    "page": donate,
                    "frequency": "one_off",
                    "amounts": [3000, 5000, 10000],
                },
            ),
        ],
    )
    index.add_child(instance=campaign)
    campaign.save_revision().publish()
    url = campaign.url
    Supporter.objects.filter(email__startswith="bench-campaign").delete()
    supporters = Supporter.objects.bulk_create(
        [
            Supporter(
                family_name=f"寄付{n}", given_name="花子", email=f"bench-campaign{n}@example.jp"
            )
            for n in range(1000)
        ]
    )

    def add_gifts(count: int, offset: int) -> None:
        now = timezone.now()
        Donation.objects.bulk_create(
            [
                Donation(
                    supporter=supporters[(offset + n) % len(supporters)],
                    kind=Donation.Kind.ONE_OFF,
                    method=Donation.Method.CARD if n % 4 else Donation.Method.BANK_TRANSFER,
                    amount_yen=3000,
                    refunded_yen=1000 if n % 50 == 0 else 0,
                    paid_at=now - datetime.timedelta(minutes=offset + n),
                    campaign=campaign,
                    show_name=n % 3 == 0,
                    show_amount=n % 6 == 0,
                )
                for n in range(count)
            ],
            batch_size=5000,
        )

    def page_queries() -> int:
        client = Client()
        client.get(url)
        campaign_progress_invalidate(campaign_id=campaign.pk)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    add_gifts(10, 0)
    queries_small = page_queries()
    add_gifts(args.donations - 10, 10)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics, as autovacuum keeps them
    queries_large = page_queries()
    cache.clear()
    connection.close()

    env = {**os.environ, "PYTHONPATH": f"{BENCH}:{ROOT}"}
    results = {}
    for label, seconds_cached in (("uncached", "0"), ("cached", "60")):
        server = serve({**env, "CAMPAIGNS_CACHE_SECONDS": seconds_cached}, args.workers)
        try:
            results[label] = load(url, seconds=args.seconds, clients=args.clients)
            if label == "cached":
                results["hello"] = load("/bench-hello/", seconds=args.seconds, clients=args.clients)
        finally:
            stop(server)

    print(
        f"database: {connection.vendor}, cache: "
        f"{'redis' if os.environ.get('BENCH_REDIS_URL') else 'local memory'}, "
        f"gunicorn sync workers: {args.workers}, clients: {args.clients}, {args.seconds:.0f} s each"
    )
    print(f"campaign page uncached: {results['uncached']:8.0f} req/s")
    print(f"campaign page cached:   {results['cached']:8.0f} req/s")
    print(f"hello world:            {results['hello']:8.0f} req/s")
    print(f"cached / hello world:   {results['cached'] / results['hello']:8.0%}  (target >= 50%)")
    print(
        f"queries per uncached page: {queries_small} at 10 donations, "
        f"{queries_large} at {args.donations:,} donations (target: equal)"
    )


if __name__ == "__main__":
    main()
