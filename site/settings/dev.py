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

# Without EMAIL_URL, mail is printed to the console readably (decoded subject and names).
if EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":  # noqa: F405
    EMAIL_BACKEND = "ouendan.core.console_mail.ReadableConsoleEmailBackend"

# Web and worker are two processes: a file cache lets both see import progress and rate limits.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": DATA_DIR / "cache",
    }
}
# django-ratelimit lists neither the file cache nor local memory; for one developer either will do.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
