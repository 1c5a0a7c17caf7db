"""Health check for load balancers and uptime monitors."""

import mimetypes
import os
import posixpath
import time
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.static import serve
from huey.contrib.djhuey import HUEY

from .storage import is_local, private_storage
from .tasks import HEARTBEAT_KEY


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_queue() -> str:
    HUEY.storage.queue_size()  # raises when Redis / the queue file is unreachable
    return "ok"


def _check_storage() -> str:
    """The private storage answers (a HEAD of the bucket, or the folder is writable)."""
    storage = private_storage()
    if not is_local(storage):
        # One HEAD request: fails when the bucket is unreachable, missing or refuses our key.
        storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
    else:
        folder = Path(storage.path("probe")).parent
        if folder.exists() and not os.access(folder, os.W_OK):
            raise PermissionError("private folder not writable")
    return "ok"


@never_cache
def health(request):
    """Liveness for load balancers and uptime checks: 200 when the database, the queue and the
    private storage answer; also the worker's last heartbeat and the queue's depth."""
    checks: dict[str, object] = {}
    healthy = True
    for name, check in (
        ("database", _check_database),
        ("queue", _check_queue),
        ("storage", _check_storage),
    ):
        try:
            checks[name] = check()
        except Exception as exc:  # any failure means unhealthy; the type tells the operator why
            checks[name] = f"error: {type(exc).__name__}"
            healthy = False
    last_beat = HUEY.get(HEARTBEAT_KEY, peek=True) if checks["queue"] == "ok" else None
    checks["worker_seconds_since_heartbeat"] = (
        round(time.time() - float(last_beat)) if last_beat else None
    )
    # Tasks waiting for a worker: a number that keeps growing means too few workers.
    checks["queue_pending"] = HUEY.pending_count() if checks["queue"] == "ok" else None
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


def media_serve(request, path):
    """Uploads, for deployments without a proxy in front (SERVE_MEDIA), with object storage
    (streamed from the bucket, which is never public) and for tests. MEDIA_ROOT is read per
    request, so a test's own media folder is the one served."""
    if is_local(default_storage):
        return serve(request, path, document_root=settings.MEDIA_ROOT)
    name = posixpath.normpath(path).lstrip("/")
    if name.startswith("..") or not default_storage.exists(name):
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    patch_cache_control(response, public=True, max_age=3600)
    return response
