"""Health check for load balancers and uptime monitors."""

import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.static import serve
from huey.contrib.djhuey import HUEY

from .tasks import HEARTBEAT_KEY


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_queue() -> str:
    HUEY.storage.queue_size()  # raises when Redis / the queue file is unreachable
    return "ok"


@never_cache
def health(request):
    """Liveness for load balancers and uptime checks: 200 when the database and queue answer."""
    checks: dict[str, object] = {}
    healthy = True
    for name, check in (("database", _check_database), ("queue", _check_queue)):
        try:
            checks[name] = check()
        except Exception as exc:  # any failure means unhealthy; the type tells the operator why
            checks[name] = f"error: {type(exc).__name__}"
            healthy = False
    last_beat = HUEY.get(HEARTBEAT_KEY, peek=True) if checks["queue"] == "ok" else None
    checks["worker_seconds_since_heartbeat"] = (
        round(time.time() - float(last_beat)) if last_beat else None
    )
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


def media_serve(request, path):
    """Uploads, for deployments without a proxy in front (SERVE_MEDIA) and for tests. MEDIA_ROOT
    is read per request, so a test's own media folder is the one served."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)
