"""Production settings for several nodes: object storage from the environment, JSON logs,
Sentry off without a DSN, the forwarded-host switch."""

import json
import sys

from tests.site.test_settings import PRODUCTION_ENV, run

SHOW = """
import json, logging, logging.config
from django.conf import settings
logging.config.dictConfig(settings.LOGGING)
record = logging.LogRecord("ouendan", logging.INFO, "x", 1, "hello %s", ("world",), None)
line = logging.getLogger().handlers[0].format(record)
print(json.dumps({
    "storages": settings.STORAGES, "log": line, "sentry": settings.SENTRY_DSN,
    "forwarded_host": settings.USE_X_FORWARDED_HOST, "serve_media": settings.SERVE_MEDIA,
}, default=str))
"""

BUCKET = {
    "AWS_STORAGE_BUCKET_NAME": "ouendan",
    "AWS_S3_ENDPOINT_URL": "https://s3.isk01.sakurastorage.jp",
    "AWS_S3_REGION_NAME": "jp-north-1",
    "AWS_ACCESS_KEY_ID": "key",
    "AWS_SECRET_ACCESS_KEY": "secret",
}


def show(**env) -> dict:
    done = run([sys.executable, "-c", SHOW], {**PRODUCTION_ENV, **env})
    return json.loads(done.stdout)


def test_production_defaults_local_files_json_logs_and_no_sentry():
    loaded = show()
    assert loaded["storages"]["private"]["BACKEND"] == "ouendan.core.storage.PrivateStorage"
    assert json.loads(loaded["log"])["message"] == "hello world"
    assert json.loads(loaded["log"])["level"] == "INFO"
    assert loaded["sentry"] == "" and loaded["forwarded_host"] is False


def test_a_bucket_moves_uploads_and_private_files_to_the_object_store():
    loaded = show(**BUCKET, USE_X_FORWARDED_HOST="true", LOG_FORMAT="plain")
    private = loaded["storages"]["private"]
    assert private["BACKEND"] == "ouendan.core.object_storage.PrivateObjectStorage"
    assert private["OPTIONS"]["bucket_name"] == "ouendan"
    assert private["OPTIONS"]["endpoint_url"] == "https://s3.isk01.sakurastorage.jp"
    assert private["OPTIONS"]["querystring_expire"] == 300
    default = loaded["storages"]["default"]["BACKEND"]
    assert default == "ouendan.core.object_storage.MediaObjectStorage"
    assert loaded["storages"]["staticfiles"]["BACKEND"].startswith("whitenoise.")
    assert loaded["serve_media"] is True and loaded["forwarded_host"] is True
    assert not loaded["log"].startswith("{")
