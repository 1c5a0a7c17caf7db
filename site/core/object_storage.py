"""Shared object storage (S3, Cloudflare R2, Sakura's object storage, MinIO) through
django-storages: chosen by settings (AWS_STORAGE_BUCKET_NAME, see object_storages()), so that
every web node and worker reads the same files. Local folders stay the default.

Nothing in the bucket is public. Uploaded images and documents (STORAGES["default"], prefix
`media/`) are served by the site's own /media/ route, streamed from the bucket, so pages keep
their same-origin Content-Security-Policy and cached pages never carry expiring links. Private
files (STORAGES["private"], prefix `private/`) are only streamed by permission-checked views; any
URL the storage itself makes is signed and expires after AWS_QUERYSTRING_EXPIRE seconds.
"""

from botocore.config import Config
from django.conf import settings
from storages.backends.s3 import S3Storage


class MediaObjectStorage(S3Storage):
    """Public uploads in the bucket, linked under MEDIA_URL (ouendan.core.views.media_serve)."""

    default_acl = None
    querystring_auth = False
    file_overwrite = False

    def url(self, name, parameters=None, expire=None, http_method=None):
        return settings.MEDIA_URL + name.lstrip("/")


class PrivateObjectStorage(S3Storage):
    """Personal data: private ACL, signed URLs of a few minutes, no overwriting."""

    default_acl = "private"
    querystring_auth = True
    file_overwrite = False


def object_storages(
    *,
    bucket: str,
    endpoint_url: str = "",
    region: str = "",
    access_key: str = "",
    secret_key: str = "",
    addressing_style: str = "",
    private_bucket: str = "",
    signed_url_seconds: int = 300,
) -> dict:
    """STORAGES entries "default" and "private" for one bucket (or a second one for private
    files), with `media/` and `private/` prefixes."""
    common = {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url or None,
        "region_name": region or None,
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        # Path-style addressing for MinIO; fail fast (health checks, requests) instead of
        # botocore's 60-second connect timeout.
        "client_config": Config(
            s3={"addressing_style": addressing_style or None},
            signature_version="s3v4",
            connect_timeout=5,
            read_timeout=60,
            retries={"max_attempts": 3},
        ),
    }
    return {
        "default": {
            "BACKEND": "ouendan.core.object_storage.MediaObjectStorage",
            "OPTIONS": {**common, "location": "media"},
        },
        "private": {
            "BACKEND": "ouendan.core.object_storage.PrivateObjectStorage",
            "OPTIONS": {
                **common,
                "bucket_name": private_bucket or bucket,
                "location": "private",
                "querystring_expire": signed_url_seconds,
            },
        },
    }
