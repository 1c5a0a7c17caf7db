"""Benchmark: Stripe webhook intake and processing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ouendan_bench python bench/webhook_intake.py

Uses DATABASE_URL (the issue's figures are for PostgreSQL) or a temporary SQLite database.
Prints: intake events/s (signed POSTs through the real view and signature check, stored in the
inbox, processing deferred), processing events/s for one worker (stripe_event_process in a loop:
one thread, and as many threads as the huey consumer is configured with, each with its own
database connection, as `run_huey` runs them) and the number of queries per processed event.
Set REDIS_URL for the production queue (the thank-you task is enqueued after each gift).
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
    args = parser.parse_args()

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
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    settings.DEBUG = False
    setup_test_environment()
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

    ids = list(StripeEvent.objects.order_by("pk").values_list("pk", flat=True))
    sample = ids[:100]
    with CaptureQueriesContext(connection) as captured:
        for event_id in sample:
            stripe_inbox.stripe_event_process(event_id=event_id)
    queries_per_event = len(captured) / len(sample)
    rest = ids[len(sample) :]
    half = len(rest) // 2
    started = time.perf_counter()
    for event_id in rest[:half]:
        stripe_inbox.stripe_event_process(event_id=event_id)
    one_thread = half / (time.perf_counter() - started)

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

    print(f"database: {connection.vendor}, events: {args.events}")
    print(f"intake:     {args.events / intake:8.0f} events/s  ({intake:.2f} s)")
    print(f"processing: {one_thread:8.0f} events/s  (one worker, one thread)")
    print(f"processing: {threaded:8.0f} events/s  (one worker, {threads} threads as configured)")
    print(f"queries per processed event: {queries_per_event:.1f} (first 100, new donors included)")


if __name__ == "__main__":
    main()
