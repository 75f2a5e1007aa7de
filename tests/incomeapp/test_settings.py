"""Settings load from the environment; production refuses unsafe configuration. Each case runs in a fresh process."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k3Jq9v-Zr2xW8pLm4Tn7Yb1Hc6Fd0Gs5Ae_Ru2Vi9Oy3Pk8Nl1Qw6Ej4Xz7Mt0Bc"
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "incomeapp.settings.prod",
    "DJANGO_SECRET_KEY": STRONG_KEY,
    "DJANGO_ALLOWED_HOSTS": "income.example.org",
}


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "DATABASE_", "EMAIL_"))}
    return subprocess.run(
        [sys.executable, *args], cwd=PROJECT_ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def _settings(env: dict[str, str], *names: str) -> dict[str, str]:
    """The repr of each named setting, read in one fresh process with `env`."""
    code = "import django; django.setup(); from django.conf import settings; " + "; ".join(
        f"print(repr(settings.{name}))" for name in names
    )
    result = _run("-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return dict(zip(names, result.stdout.strip().splitlines(), strict=True))


def test_production_settings_pass_check_deploy_with_no_warning():
    result = _run("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_is_https_only_with_hsts_and_csp():
    names = ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS")
    production = _settings(PRODUCTION_ENV, *names, "SECURE_PROXY_SSL_HEADER", "MIDDLEWARE", "STORAGES")
    assert production["SECURE_SSL_REDIRECT"] == "True"
    assert production["SESSION_COOKIE_SECURE"] == "True"
    assert production["CSRF_COOKIE_SECURE"] == "True"
    assert int(production["SECURE_HSTS_SECONDS"]) >= 31536000
    assert production["SECURE_PROXY_SSL_HEADER"] == "('HTTP_X_FORWARDED_PROTO', 'https')"
    assert "csp.middleware.CSPMiddleware" in production["MIDDLEWARE"]
    assert "whitenoise.storage.CompressedManifestStaticFilesStorage" in production["STORAGES"]


def test_production_refuses_debug():
    result = _run("manage.py", "check", env={**PRODUCTION_ENV, "DJANGO_DEBUG": "true"})
    assert result.returncode != 0
    assert "refuse DJANGO_DEBUG=true" in result.stderr


def test_a_secret_key_is_required_when_debug_is_off():
    result = _run("manage.py", "check", env={"DJANGO_SETTINGS_MODULE": "incomeapp.settings.base"})
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def test_debug_offers_a_development_key_and_sqlite_under_var():
    env = {"DJANGO_SETTINGS_MODULE": "incomeapp.settings.base", "DJANGO_DEBUG": "true"}
    debug = _settings(env, "SECRET_KEY", "DATABASES['default']['NAME']")
    assert debug["SECRET_KEY"].startswith("'development-only-key")
    database = debug["DATABASES['default']['NAME']"]
    assert database.endswith("var/rentwise.sqlite3')") or database.endswith("var/rentwise.sqlite3'")


def test_database_url_selects_postgresql():
    env = {
        "DJANGO_SETTINGS_MODULE": "incomeapp.settings.base",
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": "postgres://rentwise:secret@db.internal:5433/rentwise",
    }
    database = _settings(env, "DATABASES['default']['ENGINE']", "DATABASES['default']['PORT']")
    assert database["DATABASES['default']['ENGINE']"] == "'django.db.backends.postgresql'"
    assert database["DATABASES['default']['PORT']"] == "5433"


@pytest.mark.parametrize(
    ("broker", "eager"), [("", "True"), ("redis://127.0.0.1:6379/0", "False")], ids=["no broker", "redis"]
)
def test_tasks_run_eagerly_only_without_a_broker(broker, eager):
    env = {"DJANGO_SETTINGS_MODULE": "incomeapp.settings.base", "DJANGO_DEBUG": "true", "CELERY_BROKER_URL": broker}
    assert _settings(env, "CELERY_TASK_ALWAYS_EAGER")["CELERY_TASK_ALWAYS_EAGER"] == eager


def test_uk_locale_time_zone_and_dates():
    env = {"DJANGO_SETTINGS_MODULE": "incomeapp.settings.base", "DJANGO_DEBUG": "true"}
    locale = _settings(env, "LANGUAGE_CODE", "TIME_ZONE", "SHORT_DATE_FORMAT")
    assert locale == {"LANGUAGE_CODE": "'en-gb'", "TIME_ZONE": "'Europe/London'", "SHORT_DATE_FORMAT": "'d/m/Y'"}


def test_email_is_configured_from_one_url():
    env = {
        "DJANGO_SETTINGS_MODULE": "incomeapp.settings.base",
        "DJANGO_DEBUG": "true",
        "EMAIL_URL": "smtp+tls://letters:pw@mail.example.org:587",
    }
    email = _settings(env, "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS")
    assert email == {"EMAIL_HOST": "'mail.example.org'", "EMAIL_PORT": "587", "EMAIL_USE_TLS": "True"}


def test_the_task_queue_is_celery_unless_set_and_each_test_process_has_its_own():
    base = {"DJANGO_SETTINGS_MODULE": "incomeapp.settings.base", "DJANGO_DEBUG": "true"}
    assert _settings(base, "CELERY_TASK_DEFAULT_QUEUE")["CELERY_TASK_DEFAULT_QUEUE"] == "'celery'"
    shared = {**base, "CELERY_TASK_DEFAULT_QUEUE": "rentwise-staging"}
    assert _settings(shared, "CELERY_TASK_DEFAULT_QUEUE")["CELERY_TASK_DEFAULT_QUEUE"] == "'rentwise-staging'"
    # A pytest-xdist process inherits the environment its parent had after reading the test settings: it still gets
    # a queue of its own, as do the workers its tests start (they inherit the environment in turn).
    inherited = {
        "DJANGO_SETTINGS_MODULE": "incomeapp.settings.test",
        "CELERY_TASK_DEFAULT_QUEUE": "rentwise-tests-main",
    }
    for process in ("gw0", "gw1"):
        code = (
            "import os, django; django.setup(); from django.conf import settings; "
            "print(settings.CELERY_TASK_DEFAULT_QUEUE, os.environ['CELERY_TASK_DEFAULT_QUEUE'])"
        )
        result = _run("-c", code, env={**inherited, "PYTEST_XDIST_WORKER": process})
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == [f"rentwise-tests-{process}"] * 2
