"""The production build works: `collectstatic` under production settings, then gunicorn with debug off serving the
sign-in page and the collected (hashed, compressed) static files through WhiteNoise.

The same commands run in `.ci/run` (step "Production build") and in the Dockerfile.
"""

import json
import re

import pytest

from tests.production_server import ROOT, gunicorn_running, http_get, static_collected

pytestmark = pytest.mark.long


@pytest.fixture
def collected_static(tmp_path_factory):
    return static_collected(tmp_path_factory)


@pytest.fixture
def gunicorn_server(transactional_db, collected_static):
    """Gunicorn is another process on the test database: the test holds no transaction open while it serves (on SQLite
    an open transaction holds the write lock, which each of gunicorn's requests would wait for)."""
    with gunicorn_running(collected_static) as base:
        yield base


def test_collectstatic_with_production_settings_writes_the_manifest(collected_static):
    manifest = json.loads((collected_static / "staticfiles.json").read_text())
    hashed = manifest["paths"]
    vendored = ("vendor/chart.js/chart.umd.min.js", "vendor/govuk-frontend/govuk-frontend.min.js")
    for name in ("css/app.css", "js/app.js", *vendored):
        assert name in hashed, f"{name} was not collected"
        assert (collected_static / hashed[name]).is_file()
        assert (collected_static / f"{hashed[name]}.gz").is_file(), "WhiteNoise did not compress it"


def test_no_static_file_names_a_missing_source_map():
    """npm builds end with `//# sourceMappingURL=<file>.map`; the manifest storage refuses a missing one."""
    for asset in (ROOT / "static").rglob("*"):
        if asset.suffix not in {".js", ".css"} or not asset.is_file():
            continue
        for source_map in re.findall(r"sourceMappingURL=([^\s*]+)", asset.read_text(encoding="utf-8")):
            assert (asset.parent / source_map).is_file(), f"{asset} names {source_map}, which is not in static/"


def test_gunicorn_with_debug_off_serves_the_sign_in_page_and_hashed_static_files(gunicorn_server, collected_static):
    status, _, body = http_get(f"{gunicorn_server}/account/sign-in/")
    page = body.decode()
    assert status == 200, page[:2000]
    assert "Sign in to Rentwise" in page

    hashed_css = json.loads((collected_static / "staticfiles.json").read_text())["paths"]["css/app.css"]
    assert f"/static/{hashed_css}" in page, "the page does not link the hashed stylesheet from the manifest"
    status, headers, css = http_get(f"{gunicorn_server}/static/{hashed_css}")
    assert status == 200
    assert css == (collected_static / hashed_css).read_bytes()
    assert headers["Content-Type"].startswith("text/css")
    assert "immutable" in headers.get("Cache-Control", ""), "hashed files should be cached for ever"


def test_gunicorn_with_debug_off_shows_no_debug_page(gunicorn_server):
    status, _, body = http_get(f"{gunicorn_server}/this-page-does-not-exist/")
    assert status == 404
    assert b"Django tried these URL patterns" not in body


def test_production_settings_leave_the_developer_tools_out(tmp_path):
    """Demo users (a published password), demo data and benchmarks are not in a landlord's service."""
    import subprocess
    import sys

    from tests.production_server import production_environment

    apps = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
         "print(','.join(settings.INSTALLED_APPS))"],
        cwd=ROOT, env=production_environment(tmp_path), capture_output=True, text=True, check=True,
    ).stdout.strip().split(",")  # fmt: skip
    assert "arrears" in apps and "devtools" not in apps
    commands = subprocess.run(
        [sys.executable, "manage.py", "help", "--commands"],
        cwd=ROOT, env=production_environment(tmp_path), capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert "run_arrears_review" in commands
    assert not {"create_demo_users", "seed_demo", "generate_dataset", "bench"} & set(commands)
