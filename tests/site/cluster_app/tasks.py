"""Periodic tasks that count their runs per minute in Redis (the cluster's proof of "once")."""

import os

import redis
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import periodic_task

from ouendan.core.periodic import periodic_task_once

KEY = "cluster:runs:{name}:{minute}"


def _count(name: str) -> None:
    minute = timezone.now().strftime("%Y%m%d%H%M")
    redis.Redis.from_url(os.environ["REDIS_URL"]).incr(KEY.format(name=name, minute=minute))


@periodic_task_once(crontab(minute="*"))
def cluster_tick_claimed() -> None:
    _count("claimed")


@periodic_task(crontab(minute="*"))
def cluster_tick_unclaimed() -> None:
    """Not claimed: runs once per worker, showing that every worker's scheduler enqueues."""
    _count("unclaimed")
