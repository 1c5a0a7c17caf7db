"""Local development: DEBUG on, embedded SQLite and SqliteHuey unless overridden by env."""

from .base import *  # noqa: F403
from .base import DATA_DIR, env

OUENDAN_ENVIRONMENT = "dev"

DEBUG = env.bool("DEBUG", default=True)
# A fixed key is fine for a developer's own machine; production refuses to start without one.
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])

DATA_DIR.mkdir(parents=True, exist_ok=True)

# Serve static files straight from the app folders, with no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)

# One process (runserver / pytest) shares the local-memory cache the rate limits count in.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
