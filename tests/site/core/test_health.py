import pytest
from huey.contrib.djhuey import HUEY

from ouendan.core.tasks import HEARTBEAT_KEY, worker_heartbeat


@pytest.fixture(autouse=True)
def clear_heartbeat():
    HUEY.get(HEARTBEAT_KEY)  # reading without peek removes it
    yield
    HUEY.get(HEARTBEAT_KEY)


@pytest.mark.django_db
def test_health_reports_database_and_queue(client):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "status": "ok",
        "database": "ok",
        "queue": "ok",
        "worker_seconds_since_heartbeat": None,
    }
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_shows_the_worker_heartbeat(client):
    worker_heartbeat()
    assert client.get("/health/").json()["worker_seconds_since_heartbeat"] == 0


@pytest.mark.django_db
def test_health_is_503_when_the_queue_is_down(client, monkeypatch):
    def broken():
        raise ConnectionError("redis down")

    monkeypatch.setattr(HUEY.storage, "queue_size", broken)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["queue"] == "error: ConnectionError"
    assert response.json()["status"] == "error"
