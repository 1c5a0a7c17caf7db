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

# Every environment below is loaded in ONE child process, one after another from a clean
# os.environ with the settings modules imported afresh: a child per case cost half a second
# each. Settings are read without django.setup() (loading every app tells nothing more about
# the settings modules; `check --deploy` below loads them all, in a child of its own).
LOAD_ALL = """
import json, os, sys, traceback
from django.conf import settings
from django.utils.functional import empty

cases = json.load(sys.stdin)
results = {}
for name, environment in cases.items():
    os.environ.clear()
    os.environ.update(environment)
    for module in [m for m in sys.modules if m.startswith("ouendan.settings")]:
        del sys.modules[module]
    settings._wrapped = empty
    try:
        db = settings.DATABASES["default"]
        results[name] = {
            "engine": db["ENGINE"], "name": db["NAME"],
            "host": db.get("HOST"), "port": db.get("PORT"),
            "huey": settings.HUEY, "debug": settings.DEBUG, "hosts": settings.ALLOWED_HOSTS,
            "email_host": settings.EMAIL_HOST, "email_tls": settings.EMAIL_USE_TLS,
            "hsts": settings.SECURE_HSTS_SECONDS,
            "static": settings.STORAGES["staticfiles"]["BACKEND"],
            "public_base_url": settings.PUBLIC_BASE_URL,
            "trusted_proxy_count": settings.TRUSTED_PROXY_COUNT,
            "ratelimit_ip_key": settings.RATELIMIT_IP_META_KEY,
            "email_backend": settings.EMAIL_BACKEND, "anymail": settings.ANYMAIL,
        }
    except Exception:
        results[name] = {"error": traceback.format_exc()}
print(json.dumps(results, default=str))
"""


def environment(env_overrides) -> dict[str, str]:
    """This process's environment without anything a case sets, with the case's values."""
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    env.update(env_overrides)
    return env


def run(args, env_overrides, *, check=True):
    return subprocess.run(
        args,
        cwd=ROOT,
        env=environment(env_overrides),
        capture_output=True,
        text=True,
        timeout=120,
        check=check,
    )


CASES: dict[str, dict[str, str]] = {}  # case name -> environment overrides, filled below


def case(name: str, env_overrides: dict[str, str]) -> str:
    CASES[name] = env_overrides
    return name


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> dict[str, dict]:
    """Every case's settings (or the error that refused them), from one child process."""
    data_dir = str(tmp_path_factory.mktemp("data"))
    cases = {
        name: environment({k: v.replace("{data}", data_dir) for k, v in overrides.items()})
        for name, overrides in CASES.items()
    }
    done = subprocess.run(
        [sys.executable, "-c", LOAD_ALL],
        cwd=ROOT,
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    results = json.loads(done.stdout)
    for result in results.values():
        result.setdefault("error", "")
        result["data_dir"] = data_dir
    return results


PRODUCTION = case("production", PRODUCTION_ENV)


def test_production_reads_everything_from_the_environment(loaded):
    settings = loaded[PRODUCTION]
    assert settings["error"] == ""
    assert settings["engine"] == "django.db.backends.postgresql"
    assert (settings["name"], settings["host"], settings["port"]) == (
        "ouendan",
        "db.internal",
        5432,
    )
    assert settings["huey"]["huey_class"] == "huey.RedisHuey"
    assert settings["huey"]["url"] == "redis://cache.internal:6379/2"
    assert settings["huey"]["immediate"] is False
    assert settings["debug"] is False
    assert settings["hosts"] == ["ouendan.example.jp", "www.ouendan.example.jp"]
    assert (settings["email_host"], settings["email_tls"]) == ("smtp.example.jp", True)
    assert settings["hsts"] == 31_536_000
    assert settings["static"].startswith("whitenoise.")
    # Without a PUBLIC_BASE_URL, public links use the admin's base URL.
    assert settings["public_base_url"] == "https://ouendan.example.jp"
    assert (settings["trusted_proxy_count"], settings["ratelimit_ip_key"]) == (
        0,
        "ouendan.net.client_ip",
    )


@pytest.mark.parametrize(
    "missing",
    [
        case(name, {k: v for k, v in PRODUCTION_ENV.items() if k != name})
        for name in ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "ALLOWED_HOSTS"]
    ],
)
def test_production_refuses_to_start_without(loaded, missing):
    assert f"{missing} must be set for production settings" in loaded[missing]["error"]


_WITHOUT_SMTP = {k: v for k, v in PRODUCTION_ENV.items() if k != "EMAIL_URL"}
POSTMARK = case(
    "production with Postmark",
    {
        **_WITHOUT_SMTP,
        "MAIL_PROVIDER": "postmark",
        "POSTMARK_SERVER_TOKEN": "pm-token",
        "ANYMAIL_WEBHOOK_SECRET": "hook:secret",
    },
)
UNKNOWN_PROVIDER = case(
    "production with an unknown provider", {**_WITHOUT_SMTP, "MAIL_PROVIDER": "mailchimp"}
)


def test_production_sends_through_the_chosen_provider_without_smtp(loaded):
    settings = loaded[POSTMARK]
    assert settings["error"] == ""
    assert settings["email_backend"] == "anymail.backends.postmark.EmailBackend"
    assert settings["anymail"] == {
        "POSTMARK_SERVER_TOKEN": "pm-token",
        "WEBHOOK_SECRET": "hook:secret",
    }
    assert loaded[PRODUCTION]["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"


def test_production_refuses_an_unknown_mail_provider(loaded):
    error = loaded[UNKNOWN_PROVIDER]["error"]
    assert "ImproperlyConfigured: MAIL_PROVIDER='mailchimp' is not known" in error


DEV = case("dev", {"DJANGO_SETTINGS_MODULE": "ouendan.settings.dev", "OUENDAN_DATA_DIR": "{data}"})


def test_dev_defaults_to_embedded_sqlite_and_sqlite_huey(loaded):
    settings = loaded[DEV]
    data_dir = Path(settings["data_dir"])
    assert settings["engine"] == "django.db.backends.sqlite3"
    assert settings["name"] == str(data_dir / "ouendan.sqlite3")
    assert settings["huey"]["huey_class"] == "huey.SqliteHuey"
    assert settings["huey"]["filename"] == str(data_dir / "huey.sqlite3")
    assert settings["huey"]["immediate"] is False  # the worker really runs tasks in development
    assert settings["debug"] is True


DEV_SERVICES = case(
    "dev with services",
    {
        "DJANGO_SETTINGS_MODULE": "ouendan.settings.dev",
        "OUENDAN_DATA_DIR": "{data}",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/ouendan",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    },
)


def test_dev_switches_to_postgres_and_redis_when_told(loaded):
    settings = loaded[DEV_SERVICES]
    assert settings["engine"] == "django.db.backends.postgresql"
    assert settings["huey"]["huey_class"] == "huey.RedisHuey"


@pytest.fixture(scope="module")
def check_deploy() -> dict[str, subprocess.CompletedProcess]:
    """`manage.py check --deploy` for each configuration below, each a fresh process as an
    operator would run it, both at once (one start-up's wait instead of two)."""
    configurations = {"production": PRODUCTION_ENV, "payments behind a proxy": FULL_PRODUCTION_ENV}
    command = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    running = {
        name: subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, env in configurations.items()
    }
    results = {}
    for name, process in running.items():
        stdout, stderr = process.communicate(timeout=120)
        results[name] = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    return results


def test_check_deploy_is_clean_with_production_settings(check_deploy):
    result = check_deploy["production"]
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
FULL_PRODUCTION = case("full production", FULL_PRODUCTION_ENV)


def test_check_deploy_is_clean_with_payments_behind_a_proxy(check_deploy, loaded):
    result = check_deploy["payments behind a proxy"]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    settings = loaded[FULL_PRODUCTION]
    assert (
        settings["public_base_url"],
        settings["trusted_proxy_count"],
        settings["ratelimit_ip_key"],
    ) == ("https://www.ouendan.example.jp", 1, "ouendan.net.client_ip")


BAD_COMBINATIONS = [
    (
        {"STRIPE_WEBHOOK_SECRET": ""},
        "STRIPE_WEBHOOK_SECRET must be set when STRIPE_SECRET_KEY is set",
    ),
    ({"STRIPE_SECRET_KEY": ""}, "STRIPE_SECRET_KEY must be set when STRIPE_WEBHOOK_SECRET is set"),
    (
        {"STRIPE_SECRET_KEY": "pk_test_not-a-real-key"},
        "STRIPE_SECRET_KEY must be a Stripe secret key",
    ),
    (
        {"STRIPE_WEBHOOK_SECRET": "sk_test_not-a-real-key"},
        "STRIPE_WEBHOOK_SECRET must be the endpoint's signing secret (whsec_",
    ),
    ({"STRIPE_SECRET_KEY": "sk_live_not-a-real-key"}, "must both be live keys or both test keys"),
    (
        {"STRIPE_API_BASE": "https://stripe.evil.example"},
        "STRIPE_API_BASE must be empty in production",
    ),
    ({"STRIPE_API_BASE": "http://127.0.0.1:8420"}, "STRIPE_API_BASE must be empty in production"),
    ({"PUBLIC_BASE_URL": "http://www.ouendan.example.jp"}, "must start with https://"),
    ({"PUBLIC_BASE_URL": "https://evil.example"}, "must name a host listed in ALLOWED_HOSTS"),
    ({"PUBLIC_BASE_URL": "https://www.ouendan.example.jp/ja/"}, "no path, query or login"),
    ({"PUBLIC_BASE_URL": "www.ouendan.example.jp"}, "must be an absolute http(s) URL"),
    ({"TRUSTED_PROXY_COUNT": "0"}, "TRUSTED_PROXY_COUNT must be set (usually 1)"),
    ({"TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT must be 0 or a positive number"),
    ({"RATELIMIT_IP_META_KEY": "HTTP_X_REAL_IP"}, "RATELIMIT_IP_META_KEY is no longer read"),
    ({"DATABASE_URL": ""}, "DATABASE_URL must be set for production settings"),
]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (case(f"bad {i}: {change}", {**FULL_PRODUCTION_ENV, **change}), message)
        for i, (change, message) in enumerate(BAD_COMBINATIONS)
    ],
    ids=lambda value: value.split(": ", 1)[1] if value.startswith("bad ") else None,
)
def test_production_refuses_a_bad_combination(loaded, name, message):
    error = loaded[name]["error"]
    assert "ImproperlyConfigured" in error
    assert message in error, error[-2000:]


NO_PAYMENTS = case("no payments", {**FULL_PRODUCTION_ENV, **{name: "" for name in STRIPE_ENV}})


def test_production_runs_without_payments(loaded):
    assert loaded[NO_PAYMENTS]["error"] == ""
    assert loaded[NO_PAYMENTS]["engine"] == "django.db.backends.postgresql"


@pytest.mark.parametrize(
    "name",
    [
        case(
            f"empty DATABASE_URL, {module}",
            {
                "DJANGO_SETTINGS_MODULE": f"ouendan.settings.{module}",
                "OUENDAN_DATA_DIR": "{data}",
                "DATABASE_URL": "",
            },
        )
        for module in ["dev", "test"]
    ],
)
def test_an_empty_database_url_means_the_embedded_sqlite(loaded, name):
    assert loaded[name]["error"] == ""
    assert loaded[name]["engine"] == "django.db.backends.sqlite3"
