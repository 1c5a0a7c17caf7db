"""Settings come from the environment; production refuses to start half-configured."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

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
