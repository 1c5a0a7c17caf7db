"""huey round trips through a real consumer on both storages the project uses."""

import threading
import time
import uuid

import pytest
from huey.utils import load_class

from ouendan.settings.base import huey_settings


def build_huey(config: dict):
    """Build a huey instance from a settings dict exactly the way huey.contrib.djhuey does."""
    config = dict(config)
    name = f"{config.pop('name')}-test-{uuid.uuid4().hex[:8]}"
    backend = load_class(config.pop("huey_class"))
    config.pop("consumer")
    return backend(name, **config)


def round_trip(huey) -> None:
    seen_threads = []

    @huey.task()
    def multiply(a: int, b: int) -> int:
        seen_threads.append(threading.current_thread().name)
        return a * b

    consumer = huey.create_consumer(workers=1, worker_type="thread", periodic=False)
    consumer.start()
    try:
        started = time.monotonic()
        result = multiply(6, 7)
        assert result.get(blocking=True, timeout=15) == 42
        assert time.monotonic() - started < 15
        # Ran in the consumer's worker, not inline in the caller.
        assert seen_threads and seen_threads[0] != threading.current_thread().name
        assert huey.pending_count() == 0
    finally:
        consumer.stop(graceful=True)
        huey.flush()


def test_round_trip_on_sqlite_huey(tmp_path):
    huey = build_huey(huey_settings(redis_url="", sqlite_path=tmp_path / "huey.sqlite3"))
    assert type(huey).__name__ == "SqliteHuey"
    assert huey.immediate is False
    round_trip(huey)


@pytest.mark.redis
def test_round_trip_on_redis_huey(redis_url):
    huey = build_huey(huey_settings(redis_url=redis_url, sqlite_path=None))
    assert type(huey).__name__ == "RedisHuey"
    round_trip(huey)


def test_task_queued_without_a_worker_waits(tmp_path):
    huey = build_huey(huey_settings(redis_url="", sqlite_path=tmp_path / "huey.sqlite3"))

    @huey.task()
    def noop() -> None:
        return None

    noop()
    assert huey.pending_count() == 1  # stored, not lost, until a worker picks it up
