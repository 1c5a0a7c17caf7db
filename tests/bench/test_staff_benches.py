"""The staff benches (issue 18) run once at a tiny size, so they cannot rot: each script runs in
a subprocess with `--smoke` on its own temporary SQLite database and must print its figures. The
database starts as a copy of the suite's migrated one when there is one
(tests/database_snapshot.py), and then the bench skips `migrate` (--no-migrate: with nothing to
do it still spent about a second rendering the migration state); without one the bench
migrates its own."""

import pytest

from tests.bench.helpers import bench_smoke
from tests.database_snapshot import sqlite_snapshot_copy

pytestmark = pytest.mark.xdist_group("staff-benches")


@pytest.fixture
def run_bench(tmp_path):
    def run(script: str) -> str:
        database = tmp_path / "bench.sqlite3"
        copied = sqlite_snapshot_copy(database)
        env = {"DATABASE_URL": f"sqlite:///{database}" if copied else None, "REDIS_URL": None}
        return bench_smoke(script, *(["--no-migrate"] if copied else []), env=env)

    return run


def test_members_list_bench_prints_every_request_and_the_combinations(run_bench):
    out = run_bench("members_list.py")
    for label in (
        "first page",
        "page 100",
        "search hiragana",
        "search half-width kana",
        "search e-mail",
        "search phone digits",
        "filter plan + membership active",
        "search + every filter",
    ):
        assert label in out, out
    assert "filter combinations: 16" in out, out
    assert "query counts [" in out, out


def test_members_import_bench_prints_both_sides(run_bench):
    out = run_bench("members_import.py")
    assert "bulk import with full validation" in out, out
    assert "created/updated:  270 / 30" in out, out
    assert "django-import-export tuned" in out, out
    assert "× the tuned library" in out, out
    assert "300 imported rows findable" in out, out


def test_webhook_bench_prints_the_baseline_beside_intake_and_processing(run_bench):
    out = run_bench("webhook_intake.py")
    for label in ("baseline:", "intake:", "processing:", "× baseline", "queries per processed"):
        assert label in out, out
