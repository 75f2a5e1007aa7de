"""`manage.py import_payments FILE --format NAME [--dry-run] [--json]`."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from rentaccounts.models import ImportBatch, SuspenseItem, Transaction
from tests.factories import TenancyFactory

pytestmark = pytest.mark.django_db
SAMPLE = str(Path(__file__).resolve().parents[2] / "docs" / "samples" / "generic-payments.csv")
UNMATCHED = "No tenancy has the payment reference 'ZZ999999'."
UNREADABLE = "'twelve pounds' is not an amount of money; enter pounds and pence, like 12.50."


@pytest.fixture(autouse=True)
def tenancies():
    for ref in ("RW000001", "RW000002", "RW000003", "RW000004"):
        TenancyFactory(payment_reference=ref)


def _run(*args) -> str:
    out = StringIO()
    call_command("import_payments", SAMPLE, "--format", "generic-csv", *args, stdout=out)
    return out.getvalue()


def test_json_summary_of_an_import():
    summary = json.loads(_run("--json"))
    assert summary == {
        "batch": ImportBatch.objects.get().pk,
        "rows_read": 5,
        "posted": {"count": 3, "total": "165.50"},
        "suspense": {"count": 2, "reasons": {UNMATCHED: 1, UNREADABLE: 1}},
        "rejected": {"count": 0, "reasons": {}},
        "already_imported": False,
        "dry_run": False,
    }
    assert Transaction.objects.count() == 3
    assert SuspenseItem.objects.count() == 2


def test_dry_run_reports_the_same_and_changes_nothing():
    summary = json.loads(_run("--dry-run", "--json"))
    assert (summary["dry_run"], summary["posted"], summary["suspense"]["count"]) == (
        True,
        {"count": 3, "total": "165.50"},
        2,
    )
    assert not ImportBatch.objects.exists()
    assert not Transaction.objects.exists()
    text = _run("--dry-run")
    assert "Read 5 rows. Would post 3 (£165.50). Held in suspense: 2. Rejected: 0." in text
    assert f"suspense: 1 × {UNMATCHED}" in text


def test_a_repeated_file_is_refused_and_exits_non_zero():
    assert "Posted 3 (£165.50)" in _run()
    with pytest.raises(CommandError, match=r"This file was already imported on .* Nothing has been posted again\."):
        _run()
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_payments", SAMPLE, "--format", "generic-csv", "--json", stdout=out)
    refusal = json.loads(out.getvalue())
    assert refusal["already_imported"] is True and "already imported on" in refusal["error"]
    assert Transaction.objects.count() == 3
    assert json.loads(_run("--dry-run", "--json"))["already_imported"] is True


def test_a_wrong_format_or_missing_file_is_explained():
    with pytest.raises(CommandError, match="columns claim_reference"):
        call_command("import_payments", SAMPLE, "--format", "hb-schedule")
    with pytest.raises(CommandError, match="There is no file at"):
        call_command("import_payments", "/nonexistent.csv", "--format", "generic-csv")


def test_balances_reconcile_after_an_import():
    _run()
    out = StringIO()
    call_command("reconcile_balances", "--json", stdout=out)
    assert json.loads(out.getvalue())["differences"] == 0
