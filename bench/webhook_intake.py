"""Benchmark: Stripe webhook intake and processing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ouendan_bench python bench/webhook_intake.py

Uses DATABASE_URL (the issue's figures are for PostgreSQL) or a temporary SQLite database.
Prints: intake events/s (signed POSTs through the real view and signature check, stored in the
inbox, processing deferred), processing events/s for one worker (stripe_event_process in a loop:
one thread, and as many threads as the huey consumer is configured with, each with its own
database connection, as `run_huey` runs them) and the number of queries per processed event.
Set REDIS_URL for the production queue (the thank-you task is enqueued after each gift).

Side by side, in the same run: a CPU-bound baseline, a bare lock-mark-commit loop over the same
inbox table (per event: BEGIN, SELECT … FOR UPDATE by pk, UPDATE status and processed_at,
COMMIT, through the ORM), so a figure can be judged on a slow or shared machine as a fraction
of what the database round trips alone allow. `--smoke` runs 60 events (CI); `--profile` prints
a pyinstrument profile of intake and of processing (a bench mode only).
"""

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECRET = "whsec_bench"  # noqa: S105  (the benchmark signs its own events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--smoke", action="store_true", help="tiny size, for CI")
    parser.add_argument("--no-migrate", action="store_true", help="the schema is there")
    parser.add_argument("--profile", action="store_true", help="pyinstrument intake, processing")
    args = parser.parse_args()
    if args.smoke:
        args.events = 60
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)

    tmp = tempfile.TemporaryDirectory()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp.name}/bench.sqlite3")
    os.environ.setdefault("OUENDAN_DATA_DIR", tmp.name)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ouendan.settings.dev"
    os.environ["STRIPE_WEBHOOK_SECRET"] = SECRET

    import django

    django.setup()
    import stripe
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.utils import timezone

    settings.DEBUG = False
    setup_test_environment()
    if not args.no_migrate:
        call_command("migrate", verbosity=0)

    from donations import stripe_inbox
    from donations.models import Donation, StripeEvent
    from members.models import Supporter

    Donation.objects.all().delete()
    StripeEvent.objects.all().delete()
    Supporter.objects.filter(email__startswith="bench").delete()
    # Measure intake alone: processing is queued on commit; swap the queueing for a no-op here.
    import donations.tasks as tasks

    tasks.stripe_event_handle = lambda event_id: None

    now = int(time.time())
    bodies = []
    for n in range(args.events):
        payload = {
            "id": f"evt_bench_{n}",
            "object": "event",
            "type": "checkout.session.completed",
            "created": now,
            "livemode": False,
            "data": {
                "object": {
                    "id": f"cs_bench_{n}",
                    "mode": "payment",
                    "payment_status": "paid",
                    "amount_total": 3000,
                    "payment_intent": f"pi_bench_{n}",
                    "customer_details": {"email": f"bench{n % 500}@example.jp", "name": "ベンチ"},
                    "metadata": {},
                }
            },
        }
        body = json.dumps(payload)
        bodies.append((body, stripe.WebhookSignature.generate_signature_header(body, SECRET)))

    client = Client()
    if profiler:
        profiler.start()
    started = time.perf_counter()
    for body, header in bodies:
        response = client.post(
            "/stripe/webhook/",
            data=body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=header,
        )
        assert response.status_code == 200
    intake = time.perf_counter() - started
    if profiler:
        profiler.stop()
        print("intake profile\n" + profiler.output_text(unicode=True, color=False))
        profiler.reset()

    ids = list(StripeEvent.objects.order_by("pk").values_list("pk", flat=True))
    sample = ids[: max(1, min(100, len(ids) // 4))]
    with CaptureQueriesContext(connection) as captured:
        for event_id in sample:
            stripe_inbox.stripe_event_process(event_id=event_id)
    queries_per_event = len(captured) / len(sample)
    rest = ids[len(sample) :]
    half = len(rest) // 2
    if profiler:
        profiler.start()
    started = time.perf_counter()
    for event_id in rest[:half]:
        stripe_inbox.stripe_event_process(event_id=event_id)
    one_thread = half / (time.perf_counter() - started)
    if profiler:
        profiler.stop()
        print("processing profile\n" + profiler.output_text(unicode=True, color=False))

    threads = settings.HUEY["consumer"]["workers"]
    chunks = [rest[half:][n::threads] for n in range(threads)]

    def work(chunk):
        for event_id in chunk:
            stripe_inbox.stripe_event_process(event_id=event_id)
        connections.close_all()

    workers = [threading.Thread(target=work, args=(chunk,)) for chunk in chunks]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    threaded = (len(rest) - half) / (time.perf_counter() - started)
    assert Donation.objects.count() == args.events

    # The baseline: lock, mark, commit each inbox row, nothing else (rows stay processed).
    started = time.perf_counter()
    for event_id in ids:
        with transaction.atomic():
            row = StripeEvent.objects.select_for_update().only("pk", "status").get(pk=event_id)
            StripeEvent.objects.filter(pk=row.pk).update(
                status=StripeEvent.Status.PROCESSED, processed_at=timezone.now()
            )
    baseline = len(ids) / (time.perf_counter() - started)

    print(f"database: {connection.vendor}, events: {args.events}")
    rate = args.events / intake
    print(f"baseline:   {baseline:8.0f} events/s  (bare lock-mark-commit loop, same table)")
    print(f"intake:     {rate:8.0f} events/s  ({intake:.2f} s, {rate / baseline:.2f}× baseline)")
    print(
        f"processing: {one_thread:8.0f} events/s  "
        f"(one worker, one thread, {one_thread / baseline:.2f}× baseline)"
    )
    print(
        f"processing: {threaded:8.0f} events/s  (one worker, {threads} threads as configured, "
        f"{threaded / baseline:.2f}× baseline)"
    )
    print(f"queries per processed event: {queries_per_event:.1f} (first 100, new donors included)")


if __name__ == "__main__":
    main()
