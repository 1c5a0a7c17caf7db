"""Production: PostgreSQL (DATABASE_URL), Redis for huey (REDIS_URL), HTTPS only.

Refuses to start without SECRET_KEY, DATABASE_URL, REDIS_URL, EMAIL_URL, ALLOWED_HOSTS
and WAGTAILADMIN_BASE_URL.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATA_DIR, env, huey_settings

OUENDAN_ENVIRONMENT = "production"

DEBUG = False


def _required(name: str) -> str:
    value = env(name, default="")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set for production settings.")
    return value


SECRET_KEY = _required("SECRET_KEY")
DATABASES = {"default": env.db_url_config(_required("DATABASE_URL"))}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _required("REDIS_URL"),
        "KEY_PREFIX": "ouendan",
    }
}
# Rate limits count per client IP. Behind a proxy REMOTE_ADDR is the proxy itself, so name the
# header the proxy sets with the visitor's address (e.g. HTTP_X_REAL_IP for nginx).
RATELIMIT_IP_META_KEY = env("RATELIMIT_IP_META_KEY", default="REMOTE_ADDR")
# django-ratelimit predates Django's own RedisCache; its INCR is atomic, which is all it needs.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
HUEY = huey_settings(redis_url=_required("REDIS_URL"), sqlite_path=DATA_DIR / "unused")
ALLOWED_HOSTS = _required("ALLOWED_HOSTS").split(",")

# HTTPS everywhere. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER=true.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True

# Hashed, compressed static files served by whitenoise (run `collectstatic` on deploy).
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

globals().update(env.email_url_config(_required("EMAIL_URL")))
WAGTAILADMIN_BASE_URL = _required("WAGTAILADMIN_BASE_URL")
