"""Background jobs with a progress bar (member imports, receipt batches, bulk thanks).

Each job is a row in its own app's table, worked on by a huey task. What they share lives here:
the progress payload the admin page polls (site/static/js/job_progress.js), its JSON response,
and the rule for finding a job whose task was lost, which a periodic sweep queues again.
"""

import datetime
from collections.abc import Callable, Iterable, Sequence

from django.db.models import Model, Q, QuerySet
from django.db.models.expressions import Combinable
from django.http import JsonResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control


def job_percent(*, processed: int, total: int, finished: bool) -> int:
    """100 once finished; until then at most 99, so a bar never looks done before it is."""
    if finished:
        return 100
    return min(99, processed * 100 // total) if total else 0


def job_progress(
    *, status: str, status_label, processed: int, total: int, finished: bool, **extra
) -> dict:
    """What a job's page shows and its progress endpoint returns; `extra` adds the job's own
    counts (recipients per outcome, certificates issued...)."""
    return {
        "status": status,
        "status_label": str(status_label),
        "processed": processed,
        "total": total,
        "percent": job_percent(processed=processed, total=total, finished=finished),
        "finished": finished,
        **extra,
    }


def job_progress_response(progress: dict) -> JsonResponse:
    """The progress endpoint's answer: never cached, or the bar would stop moving."""
    response = JsonResponse(progress)
    patch_cache_control(response, no_store=True)
    return response


def jobs_stuck(
    queryset: QuerySet,
    *,
    working: Iterable[str],
    activity: Sequence[str | Combinable],
    older_than: datetime.timedelta,
    alive: Callable[[Model], bool] | None = None,
    limit: int = 100,
) -> list[Model]:
    """Jobs in a working status with no sign of life for `older_than`: their task was lost
    (huey delivers at most once) or the worker died.

    `activity` names the signs of life: fields or expressions (an aggregate over the job's
    rows) that must each be empty or older than the cutoff. `alive` can still spare a job that
    shows life elsewhere (a lock a worker holds). A job that is still moving is left alone.
    """
    cutoff = timezone.now() - older_than
    jobs = queryset.filter(status__in=list(working))
    for number, sign in enumerate(activity):
        if not isinstance(sign, str):
            name = f"job_activity_{number}"
            jobs = jobs.annotate(**{name: sign})
            sign = name
        jobs = jobs.filter(Q(**{f"{sign}__isnull": True}) | Q(**{f"{sign}__lt": cutoff}))
    return [job for job in jobs[:limit] if alive is None or not alive(job)]
