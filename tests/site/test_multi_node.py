"""Two web nodes (gunicorn) and two huey workers on one PostgreSQL database, one Redis and an S3
stand-in (moto), each node with its own empty local disk: what one node writes, the others read.

Runs when the test database is PostgreSQL (CI's second step: the cluster's database is a copy of
the migrated test database) and Redis is reachable; skipped otherwise unless
OUENDAN_REQUIRE_SERVICES=1. OUENDAN_MULTI_NODE=1 runs it on SQLite too (the cluster then migrates
its own PostgreSQL database, which takes minutes).
"""

import datetime
import json
import os
import re

import boto3
import pytest
import redis
import requests
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from wagtail.models import Site

from members.models import MemberPortalPage
from ouendan.core.models import OrganisationSettings
from tests.campaigns.factories import CampaignIndexPageFactory, CampaignPageFactory
from tests.conftest import REQUIRE_SERVICES
from tests.donations.receipts.factories import at, donor, gift
from tests.object_store import new_bucket
from tests.site.cluster import Cluster, csrf_token, login, postgres_reachable, wait_for
from tests.stripe_events import checkout_session, event, sign

pytestmark = [
    pytest.mark.multi_node,
    pytest.mark.xdist_group("cluster"),  # fixed ports and Redis databases: one at a time
    pytest.mark.django_db(transaction=True),
]

REDIS_URL = os.environ.get("CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/4")
PORTS = (8720, 8721)
PASSWORD = "cluster-staff-password"
WEBHOOK_SECRET = "whsec_cluster"
PBKDF2 = "django.contrib.auth.hashers.PBKDF2PasswordHasher"


def _services_or_skip():
    missing = []
    if not postgres_reachable():
        missing.append("PostgreSQL")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        missing.append("Redis")
    if missing and REQUIRE_SERVICES:
        pytest.fail(f"{' and '.join(missing)} not reachable")
    if missing:
        pytest.skip(f"{' and '.join(missing)} not reachable")
    if connection.vendor != "postgresql" and os.environ.get("OUENDAN_MULTI_NODE") != "1":
        pytest.skip("runs with the suite on PostgreSQL (or OUENDAN_MULTI_NODE=1)")


def _seed() -> dict:
    """Committed rows in the test database, copied into the cluster's database."""
    site = Site.objects.get(is_default_site=True)
    organisation = OrganisationSettings.for_site(site)
    organisation.name = "さくら野 子どもの未来応援団"
    organisation.address = "東京都千代田区千代田2-2"
    organisation.save()
    home = site.root_page.specific
    index = CampaignIndexPageFactory(parent=home)
    campaign = CampaignPageFactory(parent=index, goal_yen=100_000)
    home.add_child(instance=MemberPortalPage(title="マイページ", slug="portal"))
    with override_settings(PASSWORD_HASHERS=[PBKDF2]):  # production's hasher, not the tests' MD5
        get_user_model().objects.create_superuser(
            username="staff", email="staff@example.jp", password=PASSWORD
        )
    for index_ in range(3):
        supporter = donor(given_name=f"花子{index_}", email="" if index_ else "d@example.jp")
        gift(supporter, 1000 * (index_ + 1), paid_at=at(2025, 3, index_ + 1))
    donor(given_name="花", email="hana@example.jp")  # the webhook's donor
    return {"campaign_id": campaign.pk, "campaign_path": campaign.url}


@pytest.fixture
def cluster(moto_server):
    _services_or_skip()
    seed = _seed()
    redis.Redis.from_url(REDIS_URL).flushdb()
    bucket = new_bucket(moto_server)
    nodes = Cluster(
        name="scale_mn",
        redis_url=REDIS_URL,
        s3_endpoint=moto_server,
        bucket=bucket,
        extra_env={
            "STRIPE_SECRET_KEY": "sk_test_cluster",
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "CLUSTER_RATE_LIMITS": json.dumps({"members:link": {"email": "3/h", "ip": "300/h"}}),
        },
    )
    template = connection.settings_dict["NAME"] if connection.vendor == "postgresql" else None
    connection.close()  # a template database must have no other connection
    try:
        nodes.create_database(template=template)
        nodes.urls = [nodes.start_web(f"web{i}", port) for i, port in enumerate(PORTS)]
        for worker in ("worker0", "worker1"):
            nodes.start_worker(worker)
        for url in nodes.urls:
            nodes.wait_web(url)
        nodes.wait_worker("worker0")
        nodes.wait_worker("worker1")
        nodes.seed = seed
        yield nodes
    except BaseException:
        for node in ("web0", "web1", "worker0", "worker1"):
            print(f"--- {node}\n{nodes.log(node)[-3000:]}")
        raise
    finally:
        nodes.close()
        redis.Redis.from_url(REDIS_URL).flushdb()


def _post_webhook(url: str, campaign_id: int) -> None:
    session = checkout_session(id="cs_cluster_1", metadata={"campaign_id": str(campaign_id)})
    session["customer_details"]["email"] = "hana@example.jp"
    body = json.dumps(event("checkout.session.completed", session), ensure_ascii=False)
    response = requests.post(
        f"{url}/stripe/webhook/",
        data=body.encode(),
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": sign(body, secret=WEBHOOK_SECRET),
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text[:500]


def test_two_web_nodes_and_two_workers_share_files_cache_sessions_limits_and_schedule(cluster):
    web_a, web_b = cluster.urls
    started = timezone.now()

    # Sessions are shared: log in on A, use the session on B.
    staff = login(web_a, password=PASSWORD)
    assert staff.get(f"{web_b}/admin/", timeout=30, allow_redirects=False).status_code == 200

    # A receipt batch started on node A runs on a worker; node B serves its PDF and ZIP.
    token = csrf_token(staff, f"{web_a}/admin/receipt-tools/batches/")
    response = staff.post(
        f"{web_a}/admin/receipt-tools/batches/",
        data={"year": "2025", "csrfmiddlewaretoken": token},
        timeout=60,
        allow_redirects=False,
    )
    assert response.status_code == 302, re.findall(
        r'class="error-message"[^<]*<[^>]*>([^<]*)', response.text
    )
    batch_id = wait_for(
        lambda: cluster.sql("SELECT id FROM receipts_receiptbatch WHERE status = 'done'"),
        timeout=120,
        what="receipt batch done on a worker",
    )[0][0]
    receipt_id, pdf_name, number = cluster.sql(
        "SELECT id, pdf, number FROM receipts_receipt WHERE pdf <> '' ORDER BY id LIMIT 1"
    )[0]
    s3 = boto3.client(
        "s3",
        endpoint_url=cluster.s3_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    stored = s3.get_object(Bucket=cluster.bucket, Key=f"private/{pdf_name}")
    pdf = staff.get(f"{web_b}/admin/receipt-tools/{receipt_id}/pdf/", timeout=60)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.content == stored["Body"].read()  # the worker's file, not one rendered by B
    head = s3.head_object(Bucket=cluster.bucket, Key=f"private/{pdf_name}")
    assert head["LastModified"] == stored["LastModified"]
    archive = staff.get(f"{web_b}/admin/receipt-tools/batches/{batch_id}/zip/", timeout=60)
    assert archive.status_code == 200 and archive.content.startswith(b"PK")
    assert (
        requests.get(f"{web_b}/admin/receipt-tools/{receipt_id}/pdf/", timeout=30).url.find(
            "/admin/login/"
        )
        > 0
    )  # anonymous: the login page, no file

    # A member list uploaded to node A is checked and imported by the workers, confirmed on B.
    token = csrf_token(staff, f"{web_a}/admin/member-imports/upload/")
    response = staff.post(
        f"{web_a}/admin/member-imports/upload/",
        data={"csrfmiddlewaretoken": token},
        files={"file": ("members.csv", "姓,セイ\r\n佐々木,ササキ\r\n".encode(), "text/csv")},
        timeout=60,
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:500]
    import_id = int(re.search(r"/member-imports/(\d+)/", response.headers["Location"]).group(1))
    status = f"SELECT status FROM members_memberimport WHERE id = {import_id}"  # noqa: S608
    wait_for(lambda: cluster.sql(status)[0][0] == "validated", timeout=60, what="import checked")
    token = csrf_token(staff, f"{web_b}/admin/member-imports/{import_id}/")
    staff.post(
        f"{web_b}/admin/member-imports/{import_id}/confirm/",
        data={"csrfmiddlewaretoken": token},
        timeout=30,
    )
    wait_for(lambda: cluster.sql(status)[0][0] == "done", timeout=60, what="import done")
    assert cluster.sql("SELECT count(*) FROM members_supporter WHERE family_name = '佐々木'") == [
        (1,)
    ]
    keys = s3.list_objects_v2(Bucket=cluster.bucket, Prefix="private/member-imports/")
    assert keys["KeyCount"] == 0  # the list was deleted after use

    # A gift recorded through node A shows at once on node B's cached campaign page.
    page = f"{web_b}{cluster.seed['campaign_path']}"
    assert "¥0" in requests.get(page, timeout=30).text
    assert "¥0" in requests.get(page, timeout=30).text  # now from the shared cache
    assert cluster.redis().keys("*campaigns:page:*")
    _post_webhook(web_a, cluster.seed["campaign_id"])
    wait_for(
        lambda: "¥5,000" in requests.get(page, timeout=30).text,
        timeout=60,
        what="the gift on node B's campaign page",
    )

    # Rate limits count across nodes: three login-link requests for one address, then 429.
    visitor = requests.Session()
    codes = []
    for url in (web_a, web_b, web_a, web_b):
        token = csrf_token(visitor, f"{url}/portal/")
        codes.append(
            visitor.post(
                f"{url}/portal/login/",
                data={"email": "hana@example.jp", "csrfmiddlewaretoken": token},
                timeout=30,
                allow_redirects=False,
            ).status_code
        )
    assert codes == [302, 302, 302, 429]

    # No node kept a file on its own disk: everything went through the object store.
    for node in ("web0", "web1", "worker0", "worker1"):
        assert cluster.local_files(node) == [], node

    # Every periodic task runs once per period with two workers. Wait until both workers'
    # schedulers have enqueued the minute's tasks for a minute that began after the start.
    store = cluster.redis()

    def counts(name: str) -> dict[str, int]:
        return {
            key.decode().rsplit(":", 1)[1]: int(store.get(key))
            for key in store.keys(f"cluster:runs:{name}:*")
        }

    first_full = (started + datetime.timedelta(minutes=1)).strftime("%Y%m%d%H%M")

    def full_minutes() -> list[str]:
        unclaimed, claimed = counts("unclaimed"), counts("claimed")
        return [m for m, n in unclaimed.items() if m >= first_full and n == 2 and m in claimed]

    wait_for(full_minutes, timeout=150, what="a minute run by both workers", every=1)
    unclaimed, claimed = counts("unclaimed"), counts("claimed")
    assert all(claimed[m] == 1 for m in full_minutes()), (unclaimed, claimed)
    tasks = {task for (task,) in cluster.sql("SELECT DISTINCT task FROM core_periodictaskrun")}
    assert {
        "ouendan.core.tasks.worker_heartbeat",
        "donations.tasks.stripe_event_sweep",
        "home.tasks.pages_publish_scheduled",
        "tests.site.cluster_app.tasks.cluster_tick_claimed",
    } <= tasks, tasks
    assert cluster.alive() == dict.fromkeys(("web0", "web1", "worker0", "worker1"), True)
