"""Test settings: the dev defaults with fast hashing, in-memory mail and huey in immediate mode."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import CONTENT_SECURITY_POLICY_WITHOUT_TILES, DATA_DIR, env, huey_settings

# No map tiles in tests: the browser tests make no outside requests (tests/members/places set
# a tile server where they need one).
OUENDAN_MAP_TILES_URL = ""
CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY_WITHOUT_TILES

OUENDAN_ENVIRONMENT = "test"

DEBUG = False
SECRET_KEY = "test-only-secret-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]
# Django's test client calls itself "testserver"; e-mailed links use this base whatever the Host.
PUBLIC_BASE_URL = "http://testserver"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The Mailgun tracking webhook verifies signatures with this key (tests sign their payloads).
ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": "test-webhook-signing-key"}
# Per process, in the system's temp folder, so test runs never share uploads; tests/conftest.py
# empties them before the session and removes them after it.
_TEST_FILES = Path(tempfile.gettempdir()) / f"ouendan-test-{os.getpid()}"
MEDIA_ROOT = _TEST_FILES / "media"
PRIVATE_MEDIA_ROOT = _TEST_FILES / "private"

# Tasks run inline in tests; the tests that check real queueing build their own huey instance.
HUEY = huey_settings(redis_url="", sqlite_path=DATA_DIR / "huey-test.sqlite3", immediate=True)

# DATABASE_URL (e.g. PostgreSQL in CI) is honoured; otherwise an in-memory SQLite database.
if not env("DATABASE_URL", default=""):
    # A file, not ":memory:": the browser tests' live server then reads committed data through
    # its own connection, as a real server would.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "test.sqlite3",
            "OPTIONS": {"transaction_mode": "IMMEDIATE"},  # as in base settings
            # Per process, so several test runs on one machine never share a database file.
            "TEST": {"NAME": DATA_DIR / f"test-run-{os.getpid()}.sqlite3"},
        }
    }

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

SERVE_MEDIA = True
DATA_DIR.mkdir(parents=True, exist_ok=True)

# pytest is one process: the local-memory cache (base settings) is shared by all its threads.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# Tests call periodic tasks directly, sometimes twice a minute: no claim unless a test asks.
PERIODIC_TASKS_ONCE = False
