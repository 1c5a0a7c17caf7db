"""Settings for bench/public_pages.py only (never used by the site).

Production-like: DEBUG off, cached templates, a shared cache (Redis when BENCH_REDIS_URL is set,
as in production), persistent database connections. Its URL conf (bench/campaign_bench_urls.py)
adds a hello-world view at /bench-hello/ so the public pages can be compared with the cheapest
possible Django response on the same server and middleware stack.
"""

import os

from ouendan.settings.base import *  # noqa: F403
from ouendan.settings.base import DATABASES

DEBUG = False
SECRET_KEY = "bench-only-secret-key"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "campaign_bench_urls"
DATABASES["default"]["CONN_MAX_AGE"] = 60
CAMPAIGNS_CACHE_SECONDS = int(os.environ.get("CAMPAIGNS_CACHE_SECONDS", "60"))
if os.environ.get("BENCH_REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["BENCH_REDIS_URL"],
            "KEY_PREFIX": "ouendan-bench",
        }
    }
LOGGING = {"version": 1, "disable_existing_loggers": False}
