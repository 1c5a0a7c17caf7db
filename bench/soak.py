"""Soak: mixed traffic against two web nodes and two huey workers on loopback.

    python bench/soak.py [--seconds 120] [--smoke] [--clients 8] [--template DB]

Starts a loopback cluster (tests/site/cluster.py: gunicorn ×2, run_huey ×2, a throwaway
PostgreSQL database, Redis db 9, moto's S3 server), loads the demo site, then for --seconds
(at most 600) runs, at the same time: visitors reading public pages (home, donate, join,
campaigns, in Japanese and English), visitors posting the portal's login-link form (a public
POST that queues mail), Stripe posting signed checkout.session.completed webhooks, and staff
importing a member list. Reports requests/s, p50/p95/p99 latency, errors (anything but the
expected status), webhook events processed by the workers, and each process's RSS memory after
start-up, after warm-up and at the end. The rate limits of the public forms are raised for the
run (all traffic comes from one address). --smoke runs a few seconds with small numbers (a test
runs it). --template copies an already-migrated database instead of migrating one (minutes).
"""

import argparse
import hashlib
import hmac
import json
import os
import random
import re
import statistics
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from tests.site.cluster import Cluster, wait_for  # noqa: E402

PORTS = (8730, 8731)
S3_PORT = 8735
REDIS_URL = os.environ.get("SOAK_REDIS_URL", "redis://127.0.0.1:6379/9")
SECRET = "whsec_soak"  # noqa: S105 (the soak signs its own events)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HIGH = {"email": "1000000/h", "ip": "1000000/h"}
FORMS = ("members:join", "donations:pledge", "donations:donate", "members:link")


def sign(body: str, *, secret: str) -> str:
    """Stripe's signature header (as tests/stripe_events.py makes it, without Django)."""
    timestamp = int(time.time())
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def rss_kb(pid: int) -> int:
    """Resident memory of a process and its children (gunicorn's workers), in kB."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(child) for child in children]
    except OSError:
        pass
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def memory(cluster: Cluster) -> dict[str, int]:
    return {node: rss_kb(process.pid) for node, process in cluster.processes.items()}


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.errors = defaultdict(list)

    def record(self, kind: str, seconds: float, ok: bool, detail: str = ""):
        with self.lock:
            self.latencies[kind].append(seconds)
            if not ok:
                self.errors[kind].append(detail)


def timed(recorder, kind, expect, call, *args, **kwargs):
    """One request (`call(*args, **kwargs)`), timed and checked against the expected statuses."""
    started = time.perf_counter()
    try:
        response = call(*args, **kwargs)
        ok = response.status_code in expect
        detail = f"{response.status_code} {response.url}"
    except requests.RequestException as exc:
        ok, detail = False, repr(exc)
    recorder.record(kind, time.perf_counter() - started, ok, detail)


def visitor(urls, pages, recorder, stop, seed):
    rng = random.Random(seed)
    session = requests.Session()
    while not stop.is_set():
        url = rng.choice(urls)
        path = rng.choice(pages)
        timed(recorder, "page", {200}, requests.get, url + path, timeout=60)
        if rng.random() < 0.15:  # a login-link request through the portal form
            try:
                page = session.get(f"{url}/portal/", timeout=60).text
                token = TOKEN.search(page).group(1)
            except (requests.RequestException, AttributeError) as exc:
                recorder.record("form post", 0, False, repr(exc))
                continue
            email = f"soak{rng.randrange(200)}@example.jp"
            timed(
                recorder,
                "form post",
                {302},
                session.post,
                f"{url}/portal/login/",
                data={"email": email, "csrfmiddlewaretoken": token},
                timeout=60,
                allow_redirects=False,
            )


def stripe(urls, recorder, stop, sent, seed):
    rng = random.Random(seed)
    n = 0
    while not stop.is_set():
        n += 1
        event_id = f"evt_soak_{seed}_{n}"
        body = json.dumps(
            {
                "id": event_id,
                "object": "event",
                "type": "checkout.session.completed",
                "created": int(time.time()),
                "livemode": False,
                "data": {
                    "object": {
                        "id": f"cs_soak_{seed}_{n}",
                        "object": "checkout.session",
                        "mode": "payment",
                        "payment_status": "paid",
                        "amount_total": rng.choice((1000, 3000, 5000)),
                        "currency": "jpy",
                        "payment_intent": f"pi_soak_{seed}_{n}",
                        "customer_details": {
                            "email": f"soak{rng.randrange(200)}@example.jp",
                            "name": "ソーク",
                        },
                        "metadata": {},
                    }
                },
            }
        )
        url = rng.choice(urls)
        headers = {
            "Content-Type": "application/json",
            "Stripe-Signature": sign(body, secret=SECRET),
        }
        timed(
            recorder,
            "webhook",
            {200},
            requests.post,
            f"{url}/stripe/webhook/",
            data=body.encode(),
            headers=headers,
            timeout=60,
        )
        sent.append(event_id)
        stop.wait(0.05)


def staff_import(cluster, url, rows, recorder, result):
    """Log in, upload a member list on one node, confirm it on the other, wait for the worker."""
    started = time.perf_counter()
    try:
        session = requests.Session()
        token = TOKEN.search(session.get(f"{url[0]}/admin/login/", timeout=60).text).group(1)
        password = os.environ.get("DEMO_ADMIN_PASSWORD", "ouendan-demo")
        session.post(
            f"{url[0]}/admin/login/",
            data={"username": "admin", "password": password, "csrfmiddlewaretoken": token},
            timeout=60,
        )
        lines = ["種別,姓,名,セイ,メイ,メールアドレス"]
        lines += [f"個人,山田,花子,ヤマダ,ハナコ,soakimport{n}@example.jp" for n in range(rows)]
        upload = url[0] + "/admin/member-imports/upload/"
        token = TOKEN.search(session.get(upload, timeout=60).text).group(1)
        response = session.post(
            upload,
            data={"csrfmiddlewaretoken": token},
            files={"file": ("soak.csv", "\r\n".join(lines).encode("utf-8-sig"), "text/csv")},
            timeout=120,
            allow_redirects=False,
        )
        import_id = int(re.search(r"/(\d+)/$", response.headers["Location"]).group(1))
        query = f"SELECT status FROM members_memberimport WHERE id = {import_id}"  # noqa: S608
        wait_for(
            lambda: cluster.sql(query)[0][0] == "validated", timeout=600, what="checked", every=1
        )
        detail = f"{url[1]}/admin/member-imports/{import_id}/"
        token = TOKEN.search(session.get(detail, timeout=60).text).group(1)
        session.post(detail + "confirm/", data={"csrfmiddlewaretoken": token}, timeout=60)
        wait_for(lambda: cluster.sql(query)[0][0] == "done", timeout=600, what="imported", every=1)
        result["import"] = {"rows": rows, "seconds": round(time.perf_counter() - started, 1)}
    except Exception as exc:  # reported as an error of the run
        recorder.record("import", time.perf_counter() - started, False, repr(exc))


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))] if values else 0


def public_pages(cluster) -> list[str]:
    rows = cluster.sql(
        "SELECT p.url_path FROM wagtailcore_page p JOIN django_content_type ct"
        " ON ct.id = p.content_type_id WHERE ct.model = 'campaignpage' AND p.live"
    )
    campaigns = [
        "/" + path.strip("/").split("/", 1)[1] + "/" for (path,) in rows if "/" in path.strip("/")
    ]
    return ["/", "/en/", "/donate/", "/join/", "/portal/", *campaigns[:4]]


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--import-rows", type=int, default=2000)
    parser.add_argument("--template", default="", help="a migrated database to copy")
    args = parser.parse_args(argv)
    seconds = 5 if args.smoke else max(1, min(args.seconds, 600))
    clients = 2 if args.smoke else args.clients
    import_rows = 20 if args.smoke else args.import_rows

    import boto3
    from moto.server import ThreadedMotoServer

    s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=S3_PORT, verbose=False)
    s3.start()
    endpoint = f"http://127.0.0.1:{S3_PORT}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 (moto's stand-in)
        region_name="us-east-1",
    ).create_bucket(Bucket="soak")
    cluster = Cluster(
        name="scale_soak",
        redis_url=REDIS_URL,
        s3_endpoint=endpoint,
        bucket="soak",
        extra_env={
            "STRIPE_SECRET_KEY": "sk_test_soak",
            "STRIPE_WEBHOOK_SECRET": SECRET,
            "CLUSTER_RATE_LIMITS": json.dumps(dict.fromkeys(FORMS, HIGH)),
            "LOG_LEVEL": "WARNING",
        },
    )
    cluster.redis().flushdb()
    try:
        cluster.create_database(template=args.template or None)
        cluster.manage("demo", "--force", timeout=900)
        cluster.manage(
            "shell",
            "-c",
            "from tests.members.factories import SupporterFactory\n"
            "[SupporterFactory(email=f'soak{n}@example.jp') for n in range(200)]",
            timeout=300,
        )
        urls = [cluster.start_web(f"web{i}", port, workers=2) for i, port in enumerate(PORTS)]
        for worker in ("worker0", "worker1"):
            cluster.start_worker(worker)
        for url in urls:
            cluster.wait_web(url)
        cluster.wait_worker("worker0")
        cluster.wait_worker("worker1")
        pages = public_pages(cluster)
        started_rss = memory(cluster)

        recorder, stop, sent, result = Recorder(), threading.Event(), [], {}
        threads = [
            threading.Thread(target=visitor, args=(urls, pages, recorder, stop, n))
            for n in range(clients)
        ]
        threads.append(threading.Thread(target=stripe, args=(urls, recorder, stop, sent, 99)))
        importer = threading.Thread(
            target=staff_import, args=(cluster, urls, import_rows, recorder, result)
        )
        began = time.perf_counter()
        for thread in [*threads, importer]:
            thread.start()
        warm = min(30, seconds / 5)
        stop.wait(warm)
        warm_rss = memory(cluster)
        stop.wait(max(0, seconds - warm))
        stop.set()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        end_rss = memory(cluster)
        importer.join(timeout=600)

        def processed():
            return cluster.sql(
                "SELECT count(*) FROM donations_stripeevent WHERE status <> 'pending'"
            )[0][0]

        drain = time.perf_counter()
        wait_for(lambda: processed() >= len(sent), timeout=300, what="events processed", every=1)
        drain = time.perf_counter() - drain
        statuses = dict(
            cluster.sql("SELECT status, count(*) FROM donations_stripeevent GROUP BY 1")
        )
        all_latencies = [v for values in recorder.latencies.values() for v in values]
        report = {
            "seconds": round(elapsed, 1),
            "clients": clients,
            "requests": len(all_latencies),
            "requests_per_second": round(len(all_latencies) / elapsed, 1),
            "latency_ms": {
                kind: {
                    "n": len(values),
                    "p50": round(percentile(values, 50) * 1000),
                    "p95": round(percentile(values, 95) * 1000),
                    "p99": round(percentile(values, 99) * 1000),
                    "mean": round(statistics.fmean(values) * 1000) if values else 0,
                }
                for kind, values in {**recorder.latencies, "all": all_latencies}.items()
            },
            "errors": {kind: len(errors) for kind, errors in recorder.errors.items()},
            "error_samples": {kind: errors[:3] for kind, errors in recorder.errors.items()},
            "webhooks_sent": len(sent),
            "events": statuses,
            "events_drain_seconds_after_traffic": round(drain, 1),
            "import": result.get("import"),
            "rss_kb": {
                node: {
                    "start": started_rss[node],
                    "after_warmup": warm_rss[node],
                    "end": end_rss[node],
                    "growth_after_warmup_pct": round(
                        100 * (end_rss[node] - warm_rss[node]) / max(warm_rss[node], 1), 1
                    ),
                }
                for node in end_rss
            },
            "alive": cluster.alive(),
        }
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return report
    finally:
        cluster.close()
        cluster.redis().flushdb()
        s3.stop()


if __name__ == "__main__":
    main()
