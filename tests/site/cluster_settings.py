"""Production settings for the loopback cluster (tests/site/cluster.py, bench/soak.py).

Everything is production (PostgreSQL, Redis cache and queue, object storage, checks) except
what plain HTTP on loopback needs: cookies without the Secure flag, no HTTPS redirect, static
files from the finders instead of a collectstatic manifest. Adds a tiny app whose periodic tasks
count their runs in Redis, to prove that claimed tasks run once per period.
"""

from ouendan.settings.production import *  # noqa: F403
from ouendan.settings.production import INSTALLED_APPS, OUENDAN_RATE_LIMITS, STORAGES, env

SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
INSTALLED_APPS = [*INSTALLED_APPS, "tests.site.cluster_app"]
# The soak raises the public forms' limits: its traffic all comes from one address.
OUENDAN_RATE_LIMITS = {**OUENDAN_RATE_LIMITS, **env.json("CLUSTER_RATE_LIMITS", default={})}
