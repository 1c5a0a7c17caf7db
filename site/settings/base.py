"""Settings shared by every environment. Everything that differs comes from environment variables.

Every variable read here is listed in the README's configuration table.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .mail_providers import mail_provider_settings

PROJECT_DIR = Path(__file__).resolve().parent.parent  # the `site/` folder (import name `ouendan`)
BASE_DIR = PROJECT_DIR.parent

env = environ.Env()

# "dev", "test" or "production": set by each settings module; guards dev-only commands.
OUENDAN_ENVIRONMENT = "base"

# Local, git-ignored folder for the embedded SQLite database, the huey queue and uploads.
DATA_DIR = Path(env("OUENDAN_DATA_DIR", default=str(BASE_DIR / "data")))

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # The bottom layer (shared infrastructure) first among the project apps.
    "ouendan.core",
    "home",
    "members",
    "members.places",  # label "places"
    "members.volunteering",  # label "volunteering"
    "donations",
    "donations.goods",
    "donations.receipts",  # label "receipts"
    "donations.funding",  # label "funding"
    "campaigns",
    "campaigns.newsletter",  # label "newsletter"
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.locales",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "import_export",
    "huey.contrib.djhuey",
    "anymail",
    "csp",
    "django_ratelimit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ouendan.middleware.AdminIdleTimeoutMiddleware",  # after auth and messages
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ouendan.middleware.MediaHeadersMiddleware",  # before CSP: its sandbox policy wins on media
    "csp.middleware.CSPMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "ouendan.middleware.PageSiteMiddleware",  # the site of a page request, from the tree cache
    "campaigns.middleware.CampaignPageCacheMiddleware",  # last: cached campaign pages, no routing
]

ROOT_URLCONF = "ouendan.urls"
WSGI_APPLICATION = "ouendan.wsgi.application"
AUTH_USER_MODEL = "members.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# Embedded default: SQLite in the data folder. Production passes DATABASE_URL (PostgreSQL).
# Set but empty counts as unset (production then says it must be set).
DATABASES = {
    "default": env.db_url_config(
        env("DATABASE_URL", default="") or f"sqlite:///{DATA_DIR / 'ouendan.sqlite3'}"
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False


def postgres_tune(database: dict) -> None:
    """PostgreSQL's JIT compiler costs 100-200 ms on a query whose row estimate is high even when
    it reads a few rows (the supporters' wall stops after 120 gifts): off for this short-query
    site. DATABASE_JIT=true turns it back on (e.g. behind a pooler that refuses startup options).
    """
    if "postgresql" in database["ENGINE"] and not env.bool("DATABASE_JIT", default=False):
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()


postgres_tune(DATABASES["default"])
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web requests (e.g. concurrent webhooks) and the huey worker write at the same time: take
    # the write lock when a transaction begins, so a writer waits its turn instead of failing
    # with "database is locked" when two transactions try to upgrade a read lock together.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Nothing may frame our pages; Wagtail lifts this for its own preview iframe.
X_FRAME_OPTIONS = "DENY"
# Pages with a token in their URL (login and sign-up links, card update) must not leak it in a
# Referer to other sites. Not "no-referrer": Chromium then sends "Origin: null" with the page's
# own POSTs, which the CSRF check refuses. "same-origin" sends the Referer to us only.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Japanese first; English is the second language (URLs under /en/).
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
# Our catalogue first; then the Japanese for Wagtail's own strings its ja catalogue lacks
# (`manage.py wagtail_ja_missing` lists what is still missing after a Wagtail upgrade).
WAGTAIL_JA_SUPPLEMENT = PROJECT_DIR / "wagtail_ja"
LOCALE_PATHS = [BASE_DIR / "locale", WAGTAIL_JA_SUPPLEMENT]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "static_collected")))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(DATA_DIR / "media")))
MEDIA_URL = "/media/"
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)
# Files with personal data (uploaded member lists...): outside MEDIA_ROOT, never served.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(DATA_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "ouendan.core.storage.PrivateStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Shared object storage (S3, R2, Sakura, MinIO) for uploads and private files when a bucket is
# named: every web node and worker then sees the same files (ouendan.core.object_storage).
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    from ouendan.core.object_storage import object_storages  # noqa: E402 (only with a bucket)

    STORAGES.update(
        object_storages(
            bucket=AWS_STORAGE_BUCKET_NAME,
            private_bucket=env("AWS_PRIVATE_STORAGE_BUCKET_NAME", default=""),
            endpoint_url=env("AWS_S3_ENDPOINT_URL", default=""),
            region=env("AWS_S3_REGION_NAME", default=""),
            access_key=env("AWS_ACCESS_KEY_ID", default=""),
            secret_key=env("AWS_SECRET_ACCESS_KEY", default=""),
            addressing_style=env("AWS_S3_ADDRESSING_STYLE", default=""),
            signed_url_seconds=env.int("AWS_QUERYSTRING_EXPIRE", default=300),
        )
    )
    # Uploads are streamed from the bucket by the site's /media/ route (no proxy has them).
    SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Rate limits (join form, login links) count in the cache, so production shares it via Redis.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
RATELIMIT_USE_CACHE = "default"
# Rate limits count per client address: REMOTE_ADDR, or behind N reverse proxies of our own the
# Nth X-Forwarded-For entry from the right (entries further left are the client's own claims).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or a positive number of proxies.")
if env("RATELIMIT_IP_META_KEY", default=""):
    # Dropped: a header name trusted whatever the client sent. Refused rather than ignored, so a
    # deployment that relied on it does not silently count every visitor as its proxy.
    raise ImproperlyConfigured(
        "RATELIMIT_IP_META_KEY is no longer read: unset it and set TRUSTED_PROXY_COUNT to the "
        "number of reverse proxies in front of the app (see the README)."
    )
RATELIMIT_IP_META_KEY = "ouendan.net.client_ip"
# Public forms' limits, per hour (ouendan.core.guard.over_limit): "email" per e-mail address,
# "ip" per client address. The IP limit is high on purpose: a sign-up table at a 子ども食堂 event
# sends everyone through one Wi-Fi. Override a form's rates here or in production settings.
OUENDAN_RATE_LIMITS = {
    "members:join": {"email": "5/h", "ip": "300/h"},
    "donations:pledge": {"email": "5/h", "ip": "300/h"},
    "donations:donate": {"email": "5/h", "ip": "300/h"},
    # Login and confirmation links: an address asks for a few; one Wi-Fi may ask for many.
    "members:link": {"email": "3/h", "ip": "300/h"},
}

# EMAIL_URL (e.g. smtp+tls://user:password@smtp.example.jp:587) sets backend, host and login.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
if env("EMAIL_URL", default=""):
    globals().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="応援団 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL


# MAIL_PROVIDER (amazon_ses, brevo, mailgun, postmark, sendgrid): a provider's API through
# django-anymail instead of SMTP, with its own environment variables (mail_providers.py).
MAIL_PROVIDER = env("MAIL_PROVIDER", default="")
_provider_backend, ANYMAIL = mail_provider_settings(MAIL_PROVIDER, env)
if _provider_backend:
    EMAIL_BACKEND = _provider_backend

# Newsletters (campaigns.newsletter): sending rate of one worker, recipients per huey task,
# and open/click tracking by the mail provider (off: the privacy notice says so when on).
NEWSLETTER_MAILS_PER_SECOND = env.float("NEWSLETTER_MAILS_PER_SECOND", default=10.0)
NEWSLETTER_BATCH_SIZE = env.int("NEWSLETTER_BATCH_SIZE", default=200)
NEWSLETTER_TRACK_OPENS_CLICKS = env.bool("NEWSLETTER_TRACK_OPENS_CLICKS", default=False)
# The mailto: half of List-Unsubscribe; empty: the address mail is sent from.
NEWSLETTER_UNSUBSCRIBE_MAILTO = env("NEWSLETTER_UNSUBSCRIBE_MAILTO", default="")


# Stripe is reached only when keys are configured (README: test keys and webhook secret).
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
# Another Stripe-compatible API (localstripe in the tests); empty: api.stripe.com. Production
# refuses to start with it; donations.stripe_api uses it only in tests and, on loopback, in dev.
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")


HUEY_WORKERS = env.int("HUEY_WORKERS", default=4)
# Each periodic task's period is claimed in the database, so it runs once whatever the number
# of workers (ouendan.core.periodic).
PERIODIC_TASKS_ONCE = True


def huey_settings(*, redis_url: str, sqlite_path: Path, immediate: bool = False) -> dict:
    """Redis when REDIS_URL is set (production), else an embedded SQLite queue file.

    `immediate` is always set explicitly: djhuey would otherwise follow DEBUG.
    """
    common = {
        "name": "ouendan",
        "immediate": immediate,
        "utc": True,
        # Threads: tasks mostly wait on the database, SMTP or Stripe, and waiting releases the GIL.
        "consumer": {"workers": HUEY_WORKERS, "worker_type": "thread", "periodic": True},
    }
    if redis_url:
        return {"huey_class": "huey.RedisHuey", "url": redis_url, **common}
    return {"huey_class": "huey.SqliteHuey", "filename": str(sqlite_path), **common}


HUEY = huey_settings(
    redis_url=env("REDIS_URL", default=""),
    sqlite_path=DATA_DIR / "huey.sqlite3",
    immediate=env.bool("HUEY_IMMEDIATE", default=False),
)

# Public pages carry a strict Content-Security-Policy: every script and style is a local file.
# Wagtail's admin uses inline scripts, so it is left out of the policy.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/django-admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        # Chromium applies form-action to the redirect that follows a form POST: our buttons
        # redirect to Stripe Checkout (gifts, fees) and to the Customer Portal (monthly gifts,
        # card update), which lives on billing.stripe.com.
        "form-action": ["'self'", "https://checkout.stripe.com", "https://billing.stripe.com"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# The places map's tile server (members/places). Empty: no tiles, the markers are shown over a
# plain background and the list stays the primary view. The tile host joins img-src only when set.
OUENDAN_MAP_TILES_URL = env(
    "OUENDAN_MAP_TILES_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
OUENDAN_MAP_TILES_ATTRIBUTION = env(
    "OUENDAN_MAP_TILES_ATTRIBUTION", default="© OpenStreetMap contributors"
)


def map_tiles_csp(policy: dict, tiles_url: str) -> dict:
    """The policy with the tile server's origin added to img-src (unchanged without tiles)."""
    if not tiles_url:
        return policy
    parts = urlsplit(tiles_url.replace("{s}", "a"))
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ImproperlyConfigured("OUENDAN_MAP_TILES_URL must be an http(s) URL or empty.")
    # {s} (a subdomain Leaflet picks) becomes a wildcard: "https://*.tile.example.org".
    host = tiles_url.split("://", 1)[1].split("/", 1)[0].replace("{s}", "*")
    origin = f"{parts.scheme}://{host}"
    directives = {**policy["DIRECTIVES"], "img-src": [*policy["DIRECTIVES"]["img-src"], origin]}
    return {**policy, "DIRECTIVES": directives}


CONTENT_SECURITY_POLICY_WITHOUT_TILES = CONTENT_SECURITY_POLICY
CONTENT_SECURITY_POLICY = map_tiles_csp(CONTENT_SECURITY_POLICY, OUENDAN_MAP_TILES_URL)

WAGTAIL_SITE_NAME = env("WAGTAIL_SITE_NAME", default="応援団")
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://localhost:8000")
# Links that leave the site (e-mail, Stripe return URLs) start here, never at the request's Host.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="") or WAGTAILADMIN_BASE_URL
# The site makes no outside requests: no gravatar avatars, no upgrade check against wagtail.org.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx", "zip"]
# No SVG: an SVG can carry script that runs from the site's origin (documents above have none).
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
# Staff are logged out of the admin after this long without an admin request (0: never).
ADMIN_IDLE_TIMEOUT_MINUTES = env.int("ADMIN_IDLE_TIMEOUT_MINUTES", default=60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Wagtail logs every page save and background task at INFO: too loud for day-to-day use.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}
