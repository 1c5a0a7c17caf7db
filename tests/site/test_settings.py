"""Settings come from the environment; production refuses to start half-configured."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "ouendan.settings.production",
    "SECRET_KEY": "k" * 20 + "-production-test-key-" + "x9Z" * 10,
    "DATABASE_URL": "postgres://ouendan:s3cret@db.internal:5432/ouendan",
    "REDIS_URL": "redis://cache.internal:6379/2",
    "EMAIL_URL": "smtp+tls://mailer:pw@smtp.example.jp:587",
    "ALLOWED_HOSTS": "ouendan.example.jp,www.ouendan.example.jp",
    "WAGTAILADMIN_BASE_URL": "https://ouendan.example.jp",
}

DUMP = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": db["NAME"], "host": db["HOST"], "port": db["PORT"],
    "huey": settings.HUEY, "debug": settings.DEBUG, "hosts": settings.ALLOWED_HOSTS,
    "email_host": settings.EMAIL_HOST, "email_tls": settings.EMAIL_USE_TLS,
    "hsts": settings.SECURE_HSTS_SECONDS, "static": settings.STORAGES["staticfiles"]["BACKEND"],
}, default=str))
"""


def run(args, env_overrides, *, check=True):
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    env.update(env_overrides)
    return subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=check
    )


def dump(env_overrides) -> dict:
    return json.loads(run([sys.executable, "-c", DUMP], env_overrides).stdout)


def test_production_reads_everything_from_the_environment():
    loaded = dump(PRODUCTION_ENV)
    assert loaded["engine"] == "django.db.backends.postgresql"
    assert (loaded["name"], loaded["host"], loaded["port"]) == ("ouendan", "db.internal", 5432)
    assert loaded["huey"]["huey_class"] == "huey.RedisHuey"
    assert loaded["huey"]["url"] == "redis://cache.internal:6379/2"
    assert loaded["huey"]["immediate"] is False
    assert loaded["debug"] is False
    assert loaded["hosts"] == ["ouendan.example.jp", "www.ouendan.example.jp"]
    assert (loaded["email_host"], loaded["email_tls"]) == ("smtp.example.jp", True)
    assert loaded["hsts"] == 31_536_000
    assert loaded["static"].startswith("whitenoise.")


@pytest.mark.parametrize(
    "missing",
    ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "ALLOWED_HOSTS"],
)
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = run([sys.executable, "-c", DUMP], env, check=False)
    assert result.returncode != 0
    assert f"{missing} must be set for production settings" in result.stderr


def test_dev_defaults_to_embedded_sqlite_and_sqlite_huey(tmp_path):
    loaded = dump(
        {"DJANGO_SETTINGS_MODULE": "ouendan.settings.dev", "OUENDAN_DATA_DIR": str(tmp_path)}
    )
    assert loaded["engine"] == "django.db.backends.sqlite3"
    assert loaded["name"] == str(tmp_path / "ouendan.sqlite3")
    assert loaded["huey"]["huey_class"] == "huey.SqliteHuey"
    assert loaded["huey"]["filename"] == str(tmp_path / "huey.sqlite3")
    assert loaded["huey"]["immediate"] is False  # the worker really runs tasks in development
    assert loaded["debug"] is True


def test_dev_switches_to_postgres_and_redis_when_told(tmp_path):
    loaded = dump(
        {
            "DJANGO_SETTINGS_MODULE": "ouendan.settings.dev",
            "OUENDAN_DATA_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/ouendan",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        }
    )
    assert loaded["engine"] == "django.db.backends.postgresql"
    assert loaded["huey"]["huey_class"] == "huey.RedisHuey"


def test_check_deploy_is_clean_with_production_settings():
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        PRODUCTION_ENV,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_test_settings_run_tasks_immediately():
    from django.conf import settings

    assert settings.HUEY["immediate"] is True


# --- Stripe, public links, proxies and an empty DATABASE_URL (issue 11) -------------------------

STRIPE_ENV = {
    "STRIPE_SECRET_KEY": "sk_test_not-a-real-key",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_not-a-real-key",
    "STRIPE_WEBHOOK_SECRET": "whsec_not-a-real-secret",
}
# Everything a real deployment behind a TLS proxy sets.
FULL_PRODUCTION_ENV = {
    **PRODUCTION_ENV,
    **STRIPE_ENV,
    "PUBLIC_BASE_URL": "https://www.ouendan.example.jp",
    "SECURE_PROXY_SSL_HEADER": "true",
    "TRUSTED_PROXY_COUNT": "1",
}

SHOW = """
import django
from django.conf import settings
django.setup()
print(settings.PUBLIC_BASE_URL, settings.TRUSTED_PROXY_COUNT, settings.RATELIMIT_IP_META_KEY)
print(settings.DATABASES["default"]["ENGINE"])
"""


def test_check_deploy_is_clean_with_payments_behind_a_proxy():
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        FULL_PRODUCTION_ENV,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    shown = run([sys.executable, "-c", SHOW], FULL_PRODUCTION_ENV).stdout.splitlines()
    assert shown[0] == "https://www.ouendan.example.jp 1 ouendan.net.client_ip"


def test_public_base_url_defaults_to_the_admin_base_url():
    shown = run([sys.executable, "-c", SHOW], PRODUCTION_ENV).stdout.splitlines()
    assert shown[0] == "https://ouendan.example.jp 0 ouendan.net.client_ip"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"STRIPE_WEBHOOK_SECRET": ""},
            "STRIPE_WEBHOOK_SECRET must be set when STRIPE_SECRET_KEY is set",
        ),
        (
            {"STRIPE_SECRET_KEY": ""},
            "STRIPE_SECRET_KEY must be set when STRIPE_WEBHOOK_SECRET is set",
        ),
        (
            {"STRIPE_SECRET_KEY": "pk_test_not-a-real-key"},
            "STRIPE_SECRET_KEY must be a Stripe secret key",
        ),
        (
            {"STRIPE_WEBHOOK_SECRET": "sk_test_not-a-real-key"},
            "STRIPE_WEBHOOK_SECRET must be the endpoint's signing secret (whsec_",
        ),
        (
            {"STRIPE_SECRET_KEY": "sk_live_not-a-real-key"},
            "must both be live keys or both test keys",
        ),
        (
            {"STRIPE_API_BASE": "https://stripe.evil.example"},
            "STRIPE_API_BASE must be empty in production",
        ),
        (
            {"STRIPE_API_BASE": "http://127.0.0.1:8420"},
            "STRIPE_API_BASE must be empty in production",
        ),
        ({"PUBLIC_BASE_URL": "http://www.ouendan.example.jp"}, "must start with https://"),
        ({"PUBLIC_BASE_URL": "https://evil.example"}, "must name a host listed in ALLOWED_HOSTS"),
        ({"PUBLIC_BASE_URL": "https://www.ouendan.example.jp/ja/"}, "no path, query or login"),
        ({"PUBLIC_BASE_URL": "www.ouendan.example.jp"}, "must be an absolute http(s) URL"),
        ({"TRUSTED_PROXY_COUNT": "0"}, "TRUSTED_PROXY_COUNT must be set (usually 1)"),
        ({"TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT must be 0 or a positive number"),
        ({"RATELIMIT_IP_META_KEY": "HTTP_X_REAL_IP"}, "RATELIMIT_IP_META_KEY is no longer read"),
        ({"DATABASE_URL": ""}, "DATABASE_URL must be set for production settings"),
    ],
    ids=lambda value: next(iter(value)) if isinstance(value, dict) else None,
)
def test_production_refuses_a_bad_combination(change, message):
    result = run([sys.executable, "-c", DUMP], {**FULL_PRODUCTION_ENV, **change}, check=False)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr, result.stderr[-2000:]


def test_production_runs_without_payments():
    env = {**FULL_PRODUCTION_ENV, **{name: "" for name in STRIPE_ENV}}
    assert run([sys.executable, "-c", DUMP], env).returncode == 0


@pytest.mark.parametrize("module", ["dev", "test"])
def test_an_empty_database_url_means_the_embedded_sqlite(module, tmp_path):
    shown = run(
        [sys.executable, "-c", SHOW],
        {
            "DJANGO_SETTINGS_MODULE": f"ouendan.settings.{module}",
            "OUENDAN_DATA_DIR": str(tmp_path),
            "DATABASE_URL": "",
        },
    ).stdout.splitlines()
    assert shown[1] == "django.db.backends.sqlite3"
