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
        "storage": "ok",
        "worker_seconds_since_heartbeat": None,
        "queue_pending": 0,
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


@pytest.mark.django_db
def test_health_reports_the_tasks_waiting_for_a_worker(client):
    for _ in range(3):
        HUEY.storage.enqueue(b"waiting task")
    try:
        assert client.get("/health/").json()["queue_pending"] == 3
    finally:
        HUEY.storage.flush_queue()


@pytest.mark.django_db
def test_health_checks_the_object_storage(client, object_storage):
    response = client.get("/health/")
    assert response.status_code == 200 and response.json()["storage"] == "ok"


@pytest.mark.django_db
def test_health_is_503_when_the_bucket_is_gone(client, object_storage, moto_server):
    import boto3  # only this test deletes a bucket

    boto3.resource(
        "s3",
        endpoint_url=moto_server,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    ).Bucket(object_storage).delete()
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["storage"].startswith("error: ")
