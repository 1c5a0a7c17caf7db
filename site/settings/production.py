"""Production: PostgreSQL (DATABASE_URL), Redis for huey (REDIS_URL), HTTPS only.

Refuses to start without SECRET_KEY, DATABASE_URL, REDIS_URL, EMAIL_URL (or MAIL_PROVIDER),
ALLOWED_HOSTS and WAGTAILADMIN_BASE_URL, and with a half or contradictory Stripe setup, a
STRIPE_API_BASE, a public base URL that is not HTTPS on an allowed host, or a TLS proxy with
no trusted-proxy count (README, "Configuration").
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.http.request import validate_host

from ouendan.net import base_url_error

from .base import *  # noqa: F403
from .base import (
    DATA_DIR,
    LOGGING,
    STRIPE_API_BASE,
    STRIPE_PUBLISHABLE_KEY,
    STRIPE_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET,
    TRUSTED_PROXY_COUNT,
    env,
    huey_settings,
    postgres_tune,
)

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
postgres_tune(DATABASES["default"])
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _required("REDIS_URL"),
        "KEY_PREFIX": "ouendan",
    }
}
# django-ratelimit predates Django's own RedisCache; its INCR is atomic, which is all it needs.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
HUEY = huey_settings(redis_url=_required("REDIS_URL"), sqlite_path=DATA_DIR / "unused")
ALLOWED_HOSTS = _required("ALLOWED_HOSTS").split(",")

# HTTPS everywhere. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER=true.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
# Behind a proxy that forwards the Host it was asked for (X-Forwarded-Host); off by default.
USE_X_FORWARDED_HOST = env.bool("USE_X_FORWARDED_HOST", default=False)
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if not TRUSTED_PROXY_COUNT:
        # Behind a proxy REMOTE_ADDR is the proxy: every visitor would share one rate limit.
        raise ImproperlyConfigured(
            "TRUSTED_PROXY_COUNT must be set (usually 1) when SECURE_PROXY_SSL_HEADER is true: "
            "behind a proxy, rate limits must count the visitor's address, not the proxy's."
        )
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

if not MAIL_PROVIDER:  # noqa: F405  (a provider's API replaces SMTP: mail_providers.py)
    globals().update(env.email_url_config(_required("EMAIL_URL")))
WAGTAILADMIN_BASE_URL = _required("WAGTAILADMIN_BASE_URL")
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="") or WAGTAILADMIN_BASE_URL


def _check_public_base_url(url: str) -> None:
    """Links in e-mail and Stripe return URLs start here: HTTPS, and a host we serve."""
    error = base_url_error(url)
    if error is None and not url.startswith("https://"):
        error = "must start with https:// in production"
    if error is None and not validate_host(urlsplit(url).hostname, ALLOWED_HOSTS):
        error = "must name a host listed in ALLOWED_HOSTS"
    if error:
        raise ImproperlyConfigured(f"PUBLIC_BASE_URL (or WAGTAILADMIN_BASE_URL) {error}.")


_check_public_base_url(PUBLIC_BASE_URL)


def _check_stripe(*, secret_key: str, publishable_key: str, webhook_secret: str) -> None:
    """Payments need the secret key and the webhook secret together: a key alone takes money
    that no webhook may record. Key prefixes catch swapped values and a live key paired with a
    test publishable key (Stripe's webhook secret does not show its mode, so a live key with a
    test-mode endpoint's secret cannot be told here; it shows as refused webhooks)."""
    if secret_key and not webhook_secret:
        raise ImproperlyConfigured(
            "STRIPE_WEBHOOK_SECRET must be set when STRIPE_SECRET_KEY is set: without it every "
            "Stripe webhook is refused and no payment is recorded."
        )
    if webhook_secret and not secret_key:
        raise ImproperlyConfigured(
            "STRIPE_SECRET_KEY must be set when STRIPE_WEBHOOK_SECRET is set (set both, or "
            "neither to run without online payments)."
        )
    if not secret_key:
        return
    if not secret_key.startswith(("sk_live_", "sk_test_", "rk_live_", "rk_test_")):
        raise ImproperlyConfigured(
            "STRIPE_SECRET_KEY must be a Stripe secret key (sk_live_… or sk_test_…, or a "
            "restricted rk_… key)."
        )
    if not webhook_secret.startswith("whsec_"):
        raise ImproperlyConfigured(
            "STRIPE_WEBHOOK_SECRET must be the endpoint's signing secret (whsec_…)."
        )
    if publishable_key:
        live = secret_key[3:].startswith("live_")
        if not publishable_key.startswith("pk_live_" if live else "pk_test_"):
            raise ImproperlyConfigured(
                "STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY must both be live keys or both "
                "test keys."
            )


_check_stripe(
    secret_key=STRIPE_SECRET_KEY,
    publishable_key=STRIPE_PUBLISHABLE_KEY,
    webhook_secret=STRIPE_WEBHOOK_SECRET,
)
if STRIPE_API_BASE:
    # The secret key goes with every request: only api.stripe.com may receive it.
    raise ImproperlyConfigured(
        "STRIPE_API_BASE must be empty in production (it is for tests against localstripe): "
        "the Stripe secret key would be sent to that server."
    )


# Logs: one JSON object per line (time, level, logger, message and any extra fields), for the
# journal or a log collector. LOG_FORMAT=plain gives the development format.
if env("LOG_FORMAT", default="json") == "json":
    LOGGING = {
        **LOGGING,
        "formatters": {
            **LOGGING["formatters"],
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(process)d",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
        "loggers": {
            **LOGGING["loggers"],
            # A handler of its own, so run_huey adds no second, plain-text one.
            "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }

# Error reporting: off unless SENTRY_DSN is set; no personal data is sent (see
# ouendan.core.error_reporting).
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    from ouendan.core.error_reporting import sentry_init  # noqa: E402 (only with a DSN)

    sentry_init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        release=env("SENTRY_RELEASE", default=""),
        traces_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
