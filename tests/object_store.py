"""A local S3 stand-in for the tests: moto's server mode on loopback, one per test process."""

import os
import uuid

import pytest
from django.conf import settings
from django.test import override_settings

from ouendan.core.object_storage import object_storages

CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region": "us-east-1"}


def _port() -> int:
    """8740 + the xdist worker's number (gw0, gw1...): test processes never share a port."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return 8740 + int(worker.removeprefix("gw") or 0)


@pytest.fixture(scope="session")
def moto_server():
    """The endpoint URL of a moto S3 server on loopback for this test process."""
    from moto.server import ThreadedMotoServer

    port = _port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def new_bucket(endpoint_url: str) -> str:
    import boto3

    name = f"ouendan-test-{uuid.uuid4().hex[:12]}"
    boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
        region_name=CREDENTIALS["region"],
    ).create_bucket(Bucket=name)
    return name


def storages_for(endpoint_url: str, bucket: str) -> dict:
    return {
        **settings.STORAGES,
        **object_storages(bucket=bucket, endpoint_url=endpoint_url, **CREDENTIALS),
    }


@pytest.fixture
def object_storage(moto_server):
    """Uploads and private files in a fresh bucket of the S3 stand-in for this test."""
    bucket = new_bucket(moto_server)
    with override_settings(STORAGES=storages_for(moto_server, bucket)):
        yield bucket
