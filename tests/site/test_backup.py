"""A backup restores: data, a receipt and a login come back in a fresh database and bucket.

PostgreSQL only (pg_dump and pg_restore); runs with the suite on PostgreSQL, skipped otherwise
unless OUENDAN_REQUIRE_SERVICES=1 and the database is PostgreSQL."""

import json

import boto3
import pytest
import requests
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from donations.models import Donation
from donations.receipts.services import receipt_issue_for_donation, receipt_pdf_ensure
from members.models import Supporter
from tests.donations.receipts.factories import donor, gift
from tests.object_store import new_bucket
from tests.site.cluster import Cluster, login, postgres_reachable

pytestmark = [
    pytest.mark.multi_node,
    pytest.mark.xdist_group("cluster"),  # fixed ports and Redis databases: one at a time
    pytest.mark.django_db(transaction=True),
]

PORT = 8725
PASSWORD = "restore-staff-password"
PBKDF2 = "django.contrib.auth.hashers.PBKDF2PasswordHasher"


def test_a_backup_restores_into_a_fresh_database_and_bucket(object_storage, moto_server, tmp_path):
    if connection.vendor != "postgresql" or not postgres_reachable():
        pytest.skip("backups are tested on PostgreSQL (the suite's PostgreSQL run)")
    with override_settings(PASSWORD_HASHERS=[PBKDF2]):
        get_user_model().objects.create_superuser(
            username="staff", email="staff@example.jp", password=PASSWORD
        )
    for index in range(3):
        gift(donor(given_name=f"花子{index}"), 1000 * (index + 1))
    receipt, _created = receipt_issue_for_donation(donation=Donation.objects.first())
    receipt = receipt_pdf_ensure(receipt=receipt)
    with receipt.pdf.open("rb") as handle:
        original_pdf = handle.read()
    counts = (Supporter.objects.count(), Donation.objects.count())

    backup = tmp_path / "backups"
    call_command("backup", str(backup))
    (folder,) = backup.iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["files"]["private"] == 1 and (folder / "database.dump").stat().st_size > 0

    fresh = Cluster(
        name="scale_restore",
        redis_url="redis://127.0.0.1:6379/9",
        s3_endpoint=moto_server,
        bucket=new_bucket(moto_server),
    )
    try:
        fresh.create_database(migrate=False)  # empty: the dump brings the schema
        fresh.manage("restore", str(folder), timeout=600)
        assert fresh.sql("SELECT count(*) FROM members_supporter")[0][0] == counts[0]
        assert fresh.sql("SELECT count(*) FROM donations_donation")[0][0] == counts[1]
        s3 = boto3.client(
            "s3",
            endpoint_url=moto_server,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        )
        stored = s3.get_object(Bucket=fresh.bucket, Key=f"private/{receipt.pdf.name}")
        assert stored["Body"].read() == original_pdf

        url = fresh.start_web("web", PORT)
        fresh.wait_web(url)
        staff = login(url, password=PASSWORD)  # the restored password works
        response = staff.get(f"{url}/admin/receipt-tools/{receipt.pk}/pdf/", timeout=60)
        assert response.status_code == 200 and response.content == original_pdf
        assert requests.get(f"{url}/health/", timeout=30).json()["storage"] == "ok"
    except BaseException:
        print(fresh.log("web")[-3000:])
        raise
    finally:
        fresh.close()
