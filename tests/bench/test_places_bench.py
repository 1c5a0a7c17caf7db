"""bench/places.py in its smoke size, inside the test database: the directory, a filtered list
and a place's page answer, and their query counts do not grow when the places double."""

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "places.py"


@pytest.mark.django_db
def test_places_bench_smoke(capsys):
    spec = importlib.util.spec_from_file_location("places_bench", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    figures = bench.run(places=29, scale=2, repeat=1)
    assert bench.report(figures)
    assert "queries do not grow" in capsys.readouterr().out
