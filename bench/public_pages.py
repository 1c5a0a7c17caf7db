"""Benchmark: our home and campaign pages under gunicorn, without and with the page cache, beside
a hello-world view on the same stack and wagtail/bakerydemo's home page served the same way (one
run, rounds interleaved); and the pages' anonymous query counts at 10 and 100,000 donations.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/perfpub_bench \\
        python bench/public_pages.py --bakerydemo /work/.mirror/wagtail+bakerydemo/repo

Our site: the demo site (`manage.py demo`), its ledger replaced by --donations gifts (most for
the measured campaign). Settings: bench/campaign_bench_site.py (DEBUG off, production-like;
BENCH_REDIS_URL: Redis as the cache, else each worker's local memory). "Uncached" means the page
cache and the campaign caches off (CAMPAIGNS_CACHE_SECONDS=0: what a visitor gets just after a
gift dropped them); the impact figures keep their one-minute cache, as in production.

--bakerydemo PATH (a checkout or a bare git directory) builds the peer (bench/bakerydemo_peer.py:
its own virtualenv under --cache, its own database --bakerydemo-db, its own fixtures) and
serves it with gunicorn and the same worker count. Without it the peer is not run.
--profile DIR writes pyinstrument profiles (HTML and text) of the uncached pages, in-process.
--smoke: a tiny run (CI): a minimal site instead of the demo, --no-migrate on a prepared schema.
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

import bakerydemo_peer  # noqa: E402
import loadgen  # noqa: E402


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--donations", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=6.0, help="load per page per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=15, help="sequential requests per round")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--port", type=int, default=8810, help="ours; +1 cached; +2 the peer")
    parser.add_argument("--bakerydemo", type=Path, help="bakerydemo checkout or git directory")
    parser.add_argument("--bakerydemo-python", help="Python 3.12+ for bakerydemo's venv")
    parser.add_argument("--bakerydemo-db", default="perfpub_bakery")
    parser.add_argument("--cache", type=Path, default=Path("/work/bench-cache"))
    parser.add_argument("--profile", type=Path, help="write pyinstrument profiles here")
    parser.add_argument("--smoke", action="store_true", help="tiny and quick (CI)")
    parser.add_argument("--no-migrate", action="store_true", help="the schema is there")
    args = parser.parse_args()
    if args.smoke:
        args.donations, args.seconds, args.rounds, args.samples = 30, 0.2, 1, 2
        args.workers, args.clients = 1, 2
    return args


def _environment() -> None:
    """Where the site's data is, for this process and the servers."""
    tmp = tempfile.mkdtemp(prefix="ouendan-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("OUENDAN_DATA_DIR", tmp)
    os.environ.setdefault("MEDIA_ROOT", f"{tmp}/media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "campaign_bench_site"


def _setup(args):
    import django

    django.setup()
    from django.core.management import call_command

    if not args.no_migrate:
        call_command("migrate", verbosity=0)
    if not args.smoke:
        call_command("demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


def _campaign(args):
    """The measured campaign: the demo's first active one, or a minimal one (smoke)."""
    from django.utils import timezone
    from wagtail.models import Site

    from campaigns.models import CampaignIndexPage, CampaignPage

    today = timezone.localdate()
    home = Site.objects.get(is_default_site=True).root_page
    found = (
        CampaignPage.objects.live()
        .filter(locale=home.locale, start_date__lte=today, end_date__gte=today)
        .order_by("end_date", "pk")
        .first()
    )
    if found is not None:
        return found
    index = CampaignIndexPage(title="キャンペーン", slug="bench-campaigns")
    home.add_child(instance=index)
    index.save_revision().publish()
    campaign = CampaignPage(
        title="夏休みの食支援",
        slug="summer",
        summary="給食のない夏休みに、お昼ごはんを届けます。",
        goal_yen=50_000_000,
        start_date=today - datetime.timedelta(days=10),
        end_date=today + datetime.timedelta(days=20),
        body=[("paragraph", "<p>" + "夏休みの40日間、お昼ごはんを届けます。" * 20 + "</p>")],
    )
    index.add_child(instance=campaign)
    campaign.save_revision().publish()
    return campaign


def _ledger(campaign, count: int) -> None:
    """Replace the ledger with `count` gifts: 90 % for the campaign, the rest for others or
    none; a third named on the wall, some refunded, some monthly."""
    from django.db import connection
    from django.utils import timezone

    from campaigns.models import CampaignPage
    from donations.models import Donation
    from members.models import Supporter

    if connection.vendor == "postgresql":
        # One statement: the ORM would send a signal per row (campaigns/tally.py drops a row).
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE donations_donation CASCADE")
    else:
        Donation.objects.all().delete()
    supporters = list(Supporter.objects.filter(email__startswith="bench-public"))
    if len(supporters) < 1000:
        supporters += Supporter.objects.bulk_create(
            [
                Supporter(family_name=f"寄付{n}", given_name="花子", email=f"bench-public{n}@e.jp")
                for n in range(len(supporters), 1000)
            ]
        )
    others = list(CampaignPage.objects.exclude(pk=campaign.pk).values_list("pk", flat=True))
    now = timezone.now()
    rows = []
    for n in range(count):
        target = campaign.pk if n % 10 else (others[n % len(others)] if others and n % 20 else None)
        rows.append(
            Donation(
                supporter=supporters[n % len(supporters)],
                kind=Donation.Kind.MONTHLY if n % 7 == 0 else Donation.Kind.ONE_OFF,
                method=Donation.Method.CARD if n % 4 else Donation.Method.BANK_TRANSFER,
                amount_yen=3000,
                refunded_yen=1000 if n % 50 == 0 else 0,
                paid_at=now - datetime.timedelta(minutes=n),
                campaign_id=target,
                show_name=n % 3 == 0,
                show_amount=n % 6 == 0,
            )
        )
    Donation.objects.bulk_create(rows, batch_size=5000)
    _after_bulk_load(count)


def _after_bulk_load(count: int) -> None:
    """Fresh planner statistics and visibility map (autovacuum keeps them in production: index-
    only scans need the map) and any figures the site maintains from the ledger (rebuilt, since
    bulk_create sends no signals)."""
    from django.db import connection

    from campaigns.tally import tallies_rebuild

    tallies_rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE donations_donation")
            cursor.execute("ANALYZE")


def _queries(urls: dict) -> dict:
    """Anonymous queries per page with the page cache off: cold (every cache emptied) and as
    served once the one-minute fragment caches (impact figures) are warm."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    counts = {}
    with override_settings(CAMPAIGNS_CACHE_SECONDS=0):
        for label, url in urls.items():
            client = Client(HTTP_HOST="127.0.0.1")
            cache.clear()
            with CaptureQueriesContext(connection) as cold:
                assert client.get(url).status_code == 200
            with CaptureQueriesContext(connection) as warm:
                assert client.get(url).status_code == 200
            counts[label] = (len(cold), len(warm))
    return counts


def _profile(urls: dict, folder: Path) -> None:
    from django.core.cache import cache
    from django.test import Client
    from django.test.utils import override_settings
    from pyinstrument import Profiler

    folder.mkdir(parents=True, exist_ok=True)
    with override_settings(CAMPAIGNS_CACHE_SECONDS=0):
        for label, url in urls.items():
            client = Client(HTTP_HOST="127.0.0.1")
            cache.clear()
            client.get(url)
            profiler = Profiler(interval=0.0005)
            with profiler:
                for _ in range(30):
                    client.get(url)
            name = label.replace(" ", "_")
            (folder / f"{name}.html").write_text(profiler.output_html())
            (folder / f"{name}.txt").write_text(profiler.output_text(unicode=True, show_all=False))
            print(f"profile of {label}: {folder / name}.html / .txt (30 requests)")


def main() -> None:
    args = _arguments()
    _environment()
    # Our servers boot (each loads the whole site) while this process prepares the database:
    # they only import at boot, and get their first request once the database is final.
    # Ours first on the path, then whatever the caller had there (a checkout's own `ouendan`).
    search_path = [str(BENCH), str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(search_path)}
    servers = []  # (server, port, ready path)
    try:
        for port, seconds in ((args.port, "0"), (args.port + 1, "60")):
            argv = loadgen.gunicorn_argv(
                sys.executable, "ouendan.wsgi", port=port, workers=args.workers
            )
            environment = {**env, "CAMPAIGNS_CACHE_SECONDS": seconds}
            server = loadgen.start(argv, env=environment, cwd=ROOT)
            servers.append((server, port, "/bench-hello/"))
        figures = _measure(args, servers)
    finally:
        loadgen.stop(*(server for server, _port, _path in servers))
    _report(args, *figures)


def _measure(args, servers: list) -> tuple:
    _setup(args)
    from django.db import connection

    campaign = _campaign(args)
    urls = {"home": "/", "campaign": campaign.url}
    _ledger(campaign, 10)
    small = _queries(urls)
    _ledger(campaign, args.donations)
    large = _queries(urls)
    if args.profile:
        _profile(urls, args.profile)
    vendor = connection.vendor
    connection.close()

    peer = None
    if args.bakerydemo:
        peer = bakerydemo_peer.prepare(
            args.bakerydemo,
            cache=args.cache,
            python=args.bakerydemo_python,
            database=args.bakerydemo_db,
            ours_db=os.environ["DATABASE_URL"],
        )
    targets = {
        "home, uncached": (args.port, "/"),
        "campaign, uncached": (args.port, urls["campaign"]),
        "campaign, cached": (args.port + 1, urls["campaign"]),
        "hello world": (args.port + 1, "/bench-hello/"),
    }
    if peer:
        argv = loadgen.gunicorn_argv(
            peer.python, "bakerydemo.wsgi", port=args.port + 2, workers=args.workers
        )
        server = loadgen.start(argv, env=peer.env, cwd=peer.source)
        servers.append((server, args.port + 2, "/"))
        targets["bakerydemo home"] = (args.port + 2, "/")
    for server, port, path in servers:
        loadgen.ready(server, port=port, ready_path=path)
    for port, path in targets.values():
        loadgen.warm(port, path)
    rps = {label: [] for label in targets}
    ms = {label: [] for label in targets}
    for _round in range(args.rounds):
        for label, (port, path) in targets.items():
            ms[label].append(loadgen.latency(port, path, samples=args.samples))
            rps[label].append(loadgen.load(port, path, seconds=args.seconds, clients=args.clients))
    return vendor, small, large, rps, ms, peer


def _report(args, vendor, small, large, rps, ms, peer) -> None:
    rate = {label: statistics.median(values) for label, values in rps.items()}
    latency = {label: statistics.median(values) for label, values in ms.items()}
    print(
        f"database: {vendor}, cache: "
        f"{'redis' if os.environ.get('BENCH_REDIS_URL') else 'local memory'}, gunicorn sync "
        f"workers: {args.workers} each, clients: {args.clients}, {args.rounds} interleaved "
        f"rounds of {args.seconds:g} s per page (medians); machine shared, figures noisy"
    )
    peer_rate = rate.get("bakerydemo home")
    print(f"{'page':<22}{'ms':>8}{'req/s':>9}{'vs bakerydemo':>15}{'queries':>20}")
    for label in rps:
        versus = f"{rate[label] / peer_rate:.2f}x" if peer_rate else "-"
        page = label.split(",")[0]
        queries = ""
        if page in small and "uncached" in label:
            queries = f"{small[page][1]}/{large[page][1]} ({small[page][0]}/{large[page][0]} cold)"
        print(f"{label:<22}{latency[label]:>8.1f}{rate[label]:>9.1f}{versus:>15}{queries:>20}")
    print(
        f"queries: at 10 / at {args.donations:,} donations as the load above is served (page and"
        " campaign caches off, the impact figures' minute cache warm); cold: every cache emptied"
    )
    print(f"cached campaign / hello world: {rate['campaign, cached'] / rate['hello world']:.0%}")
    if peer:
        print(f"peer: wagtail/bakerydemo {peer.commit} ({peer.source}), its production settings")
        for label in ("home, uncached", "campaign, uncached"):
            print(f"{label} / bakerydemo home: {rate[label] / peer_rate:.2f}x (target >= 2x)")
    else:
        print("peer: bakerydemo not run (pass --bakerydemo PATH to measure it side by side)")


if __name__ == "__main__":
    main()
