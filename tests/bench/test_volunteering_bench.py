"""bench/volunteering.py in its --smoke size: the page's query count does not grow with the
data, and on PostgreSQL the concurrent sign-ups give exactly one winner per seat."""

import importlib.util
from pathlib import Path

import pytest
from django.db import connection

BENCH = Path(__file__).resolve().parents[2] / "bench" / "volunteering.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_volunteering", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_volunteering_bench_smoke(home_page):
    lines = []
    result = _bench().run(smoke=True, repeat=2, out=lines.append)
    (_small_ms, small_queries), (_full_ms, full_queries) = result["small"], result["full"]
    assert small_queries == full_queries, lines
    if connection.vendor == "postgresql":
        race = result["race"]
        assert not race["errors"], race["errors"]
        assert race["per_shift"] == [1, 1, 1] and race["winners"] == 3
        assert race["counters"] == [1, 1, 1]
        assert race["waitlisted"] == 12
