"""`make load`'s pieces work end to end on a small dataset: `load_officers` makes officers with a share of the open
cases, and the locust script signs them in and walks worklist → case → account through gunicorn on production
settings with no failed request. (The load's figures are measured on the 250,000-tenancy dataset, docs/benchmarks.md;
no timing is asserted here.)"""

import json
import subprocess
import sys

import pytest
from django.conf import global_settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from arrears.models import ArrearsCase
from arrears.services import policies_install_shipped
from incomeapp.models import User
from tests.production_server import ROOT, gunicorn_running, production_environment, static_collected

PASSWORD = "load-test-password-for-the-test-suite"


def test_load_officers_refuses_a_database_without_a_generated_dataset(db):
    with pytest.raises(CommandError, match="no generated dataset"):
        call_command("load_officers", officers=2, password=PASSWORD)
    assert not User.objects.filter(username__startswith="load-officer-").exists()


@pytest.mark.long
@pytest.mark.django_db(transaction=True)
def test_locust_officers_sign_in_and_work_worklist_case_and_account_without_errors(law, tmp_path_factory):
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark dataset needs PostgreSQL")
    call_command("generate_dataset", tenancies=60, years=1)
    policies_install_shipped()
    call_command("run_arrears_review")
    # The production hashers (the test settings hash with MD5, which production settings cannot check).
    with override_settings(PASSWORD_HASHERS=global_settings.PASSWORD_HASHERS):
        call_command("load_officers", officers=2, password=PASSWORD)
    officers = User.objects.filter(username__in=["load-officer-01", "load-officer-02"])
    assert officers.count() == 2
    for officer in officers:
        assert ArrearsCase.objects.filter(officer=officer, status="open").exists()

    static_root = static_collected(tmp_path_factory)
    with gunicorn_running(static_root) as base:
        environment = production_environment(
            static_root, LOAD_PASSWORD=PASSWORD, LOAD_OFFICERS="2", LOAD_THINK_MIN="0.05", LOAD_THINK_MAX="0.2"
        )
        load = ("--headless", "--only-summary", "--users", "3", "--spawn-rate", "3", "--run-time", "8s", "--json")
        result = subprocess.run(
            [sys.executable, "-m", "locust", "-f", "devtools/load/locustfile.py", *load, "--host", base],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 0, result.stderr[-3000:]
    stats = {row["name"]: row for row in json.loads(result.stdout)}
    for name in ("sign-in page", "sign in", "worklist", "case", "account"):
        assert stats[name]["num_requests"] > 0, f"no {name} requests"
        assert stats[name]["num_failures"] == 0, result.stderr[-3000:]
    assert stats["sign in"]["num_requests"] == 3  # once each; the third officer is load-officer-01 again
