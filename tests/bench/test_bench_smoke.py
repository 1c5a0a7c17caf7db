"""Each bench of the public pages and the funding dashboard runs once at a tiny size (--smoke),
so it cannot rot: it must finish and print its figures. The benches write to this test's own
database (a transactional test: emptied afterwards) through their own processes."""

import socket

import pytest
from django.db import connection

from tests.bench.helpers import bench_smoke

pytestmark = [pytest.mark.xdist_group("bench-smoke"), pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


def _free_port() -> int:
    """A free port whose next one is free too (the bench serves ours cached on port + 1)."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
        return port
    raise RuntimeError("no two free ports in a row")


def _run(script: str, *args: str, tmp_path) -> str:
    env = {
        "DATABASE_URL": _database_url(),
        "OUENDAN_DATA_DIR": str(tmp_path),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    return bench_smoke(script, "--no-migrate", *args, env=env, timeout=300)


def test_public_pages_bench_prints_its_figures_without_the_peer(tmp_path):
    out = _run("public_pages.py", "--port", str(_free_port()), tmp_path=tmp_path)
    assert "home, uncached" in out
    assert "campaign, cached" in out
    assert "hello world" in out
    assert "cached campaign / hello world:" in out
    assert "peer: bakerydemo not run" in out


def test_dashboard_bench_prints_its_figures(tmp_path):
    out = _run("dashboard.py", tmp_path=tmp_path)
    assert "dashboard, 24 months: median" in out
    # The peer and the baseline, measured in the same run.
    assert "peer: Wagtail's admin home: median" in out
    assert "× the peer" in out and "× the baseline" in out
    assert "queries constant in the period length: yes" in out
