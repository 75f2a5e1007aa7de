"""Helpers for tests that run the product as production does: `collectstatic` and gunicorn on production settings
(debug off, manifest static files served by WhiteNoise), in subprocesses, against the test database."""

import contextlib
import fcntl
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "production-build-test-only-secret-key-never-used-for-a-real-service-0123456789"
GUNICORN_FLAGS = ("--workers", "2", "--access-logfile", "-")


def production_environment(static_root: Path, **extra: str) -> dict[str, str]:
    """This process's environment less every setting, plus production settings with plain HTTP allowed."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CELERY_", "DATABASE_URL"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="incomeapp.settings.prod",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_STATIC_ROOT=str(static_root),
        DJANGO_SECURE_SSL_REDIRECT="false",
        PYTHONDONTWRITEBYTECODE="1",
    )
    environment.update(extra)
    return environment


def static_collected(tmp_path_factory) -> Path:
    """`collectstatic` on production settings, once per test session (about 40 s), into the session's temporary
    folder: the one its pytest-xdist processes share, under a lock, so the first to need it collects for all."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    static_root = shared / "production-static"
    with open(shared / "production-static.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _collect(static_root)
    return static_root


def _collect(static_root: Path) -> None:
    if not (static_root / "staticfiles.json").is_file():
        result = subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "1"],
            cwd=ROOT,
            env=production_environment(static_root),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"collectstatic failed:\n{result.stdout}\n{result.stderr}"


def database_url() -> str:
    """The test database, as a DATABASE_URL for a subprocess."""
    database = connection.settings_dict
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{database['NAME']}"
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    return f"postgres://{credentials}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"


def http_get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (a local http:// URL)
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn_running(static_root: Path, **environment: str):
    """gunicorn serving the product on production settings, debug off, against the test database; yields its URL."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "incomeapp.wsgi:application", f"--bind=127.0.0.1:{port}", *GUNICORN_FLAGS],
        cwd=ROOT,
        env=production_environment(static_root, DATABASE_URL=database_url(), **environment),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                http_get(f"{base}/healthz")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    pytest.fail(f"gunicorn did not start:\n{process.communicate()[0]}")
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
