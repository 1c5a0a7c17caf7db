"""The soak benchmark's smoke run: a few seconds of mixed traffic on the loopback cluster, with
no errors, every webhook processed and the member list imported."""

import json
import subprocess
import sys

import pytest
from django.db import connection

from tests.site.cluster import ROOT, postgres_reachable

pytestmark = [
    pytest.mark.multi_node,
    pytest.mark.xdist_group("cluster"),  # fixed ports and Redis databases: one at a time
    pytest.mark.django_db(transaction=True),
]


def test_the_soak_smoke_run_has_no_errors():
    if connection.vendor != "postgresql" or not postgres_reachable():
        pytest.skip("runs with the suite on PostgreSQL")
    template = connection.settings_dict["NAME"]
    connection.close()  # a template database must have no other connection
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "soak.py"), "--smoke", "--template", template],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout[result.stdout.index("{") :])
    assert report["requests"] > 0 and report["errors"] == {}, report
    assert report["webhooks_sent"] > 0
    assert report["events"].get("pending", 0) == 0
    assert report["import"]["rows"] == 20
    assert all(report["alive"].values())
