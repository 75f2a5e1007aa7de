"""Payment imports: good rows post, bad rows wait in suspense with reasons, nothing posts twice."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from incomeapp.constants import Role
from rentaccounts.constants import AccountKind, ImportStatus, SuspenseStatus, TransactionType
from rentaccounts.imports.services import (
    import_batch_create,
    import_batch_process,
    import_preview,
    suspense_item_allocate,
    suspense_item_reject,
)
from rentaccounts.models import Account, SuspenseItem, Transaction
from rentaccounts.selectors import balance_differences
from tests.factories import TenancyFactory, user_with_role

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
GENERIC = (SAMPLES / "generic-payments.csv").read_bytes()


@pytest.fixture
def tenancies():
    return {
        ref: TenancyFactory(payment_reference=ref)
        for ref in ("RW000001", "RW000002", "RW000003", "RW000004", "RW000005")
    }


@pytest.fixture
def officer():
    return user_with_role(Role.INCOME_OFFICER)


def _import(content, fmt, user, name="payments.csv"):
    batch = import_batch_create(file_name=name, content=content, format=fmt, uploaded_by=user)
    return import_batch_process(batch_id=batch.pk)


def _balance(ref):
    return Account.objects.get(tenancy__payment_reference=ref, kind=AccountKind.RENT).balance


def test_a_file_with_bad_rows_posts_the_good_and_holds_the_bad_with_reasons(tenancies, officer):
    batch = _import(GENERIC, "generic-csv", officer)
    assert batch.status == ImportStatus.COMPLETED
    assert (batch.rows_read, batch.rows_posted, batch.rows_suspense, batch.rows_rejected) == (5, 3, 2, 0)
    assert batch.total_posted == Decimal("165.50")
    assert _balance("RW000001") == Decimal("-100.00")
    assert _balance("RW000002") == Decimal("-45.50")
    card = Transaction.objects.get(external_reference="CARD-88812")
    assert (card.payment_method, card.effective_date, card.import_batch) == ("card", date(2026, 11, 23), batch)
    reasons = {item.payment_reference: item.reason for item in SuspenseItem.objects.all()}
    assert reasons["ZZ999999"] == "No tenancy has the payment reference 'ZZ999999'."
    assert "'twelve pounds' is not an amount of money" in reasons["RW000004"]
    assert not Transaction.objects.filter(account__tenancy__payment_reference="RW000004").exists()
    assert Account.objects.filter(review_requested_at__isnull=False).count() == 3
    assert balance_differences() == []


def test_the_same_file_twice_is_refused_and_posts_once(tenancies, officer):
    _import(GENERIC, "generic-csv", officer)
    with pytest.raises(ValidationError, match="already imported on"):
        import_batch_create(file_name="again.csv", content=GENERIC, format="generic-csv", uploaded_by=officer)
    assert Transaction.objects.count() == 3


def test_a_payment_already_posted_from_another_file_is_not_posted_again(tenancies, officer):
    _import(GENERIC, "generic-csv", officer)
    overlapping = GENERIC + b"RW000005,25/11/2026,10.00,cash,CASH-0043\n"
    batch = _import(overlapping, "generic-csv", officer, name="overlap.csv")
    assert batch.rows_posted == 1
    assert batch.rows_rejected == 3
    assert batch.report["rejected_reasons"] == {"Already posted from an earlier file (same transaction id).": 3}
    assert Transaction.objects.count() == 4


def test_processing_a_batch_again_posts_nothing_more_and_duplicates_no_suspense(tenancies, officer):
    batch = _import(GENERIC, "generic-csv", officer)
    batch.status = ImportStatus.RUNNING  # as if the worker died before finishing
    batch.save()
    again = import_batch_process(batch_id=batch.pk)
    assert (again.rows_posted, again.rows_suspense) == (3, 2)
    assert Transaction.objects.count() == 3
    assert SuspenseItem.objects.count() == 2


def test_housing_benefit_schedule_posts_periods_and_recovers_overpayments(tenancies, officer):
    batch = _import((SAMPLES / "hb-schedule.csv").read_bytes(), "hb-schedule", officer)
    assert batch.rows_posted == 3
    hb = Transaction.objects.get(account__tenancy__payment_reference="RW000001")
    assert (hb.transaction_type, hb.amount) == (TransactionType.HOUSING_BENEFIT, Decimal("-368.00"))
    assert (hb.period_start, hb.period_end) == (date(2026, 10, 26), date(2026, 11, 22))
    assert _balance("RW000005") == Decimal("46.00")  # an overpayment recovered is a debit


def test_universal_credit_schedule_separates_housing_costs_and_deductions(tenancies, officer):
    batch = _import((SAMPLES / "uc-managed-payment.csv").read_bytes(), "uc-managed-payment", officer)
    assert batch.rows_read == 2
    assert batch.rows_posted == 3
    types = sorted(
        Transaction.objects.filter(account__tenancy__payment_reference="RW000003").values_list(
            "transaction_type", "amount"
        )
    )
    assert types == [
        (TransactionType.UC_DEDUCTION, Decimal("-27.55")),
        (TransactionType.UC_MANAGED_PAYMENT, Decimal("-433.33")),
    ]


def test_a_file_in_the_wrong_format_is_refused_before_anything_is_kept(officer):
    with pytest.raises(ValidationError, match="columns claim_reference"):
        import_batch_create(file_name="x.csv", content=GENERIC, format="hb-schedule", uploaded_by=officer)
    with pytest.raises(ValidationError, match="empty"):
        import_batch_create(file_name="x.csv", content=b"  ", format="generic-csv", uploaded_by=officer)


def test_a_support_worker_cannot_import():
    with pytest.raises(PermissionDenied):
        import_batch_create(
            file_name="x.csv", content=GENERIC, format="generic-csv", uploaded_by=user_with_role(Role.SUPPORT_WORKER)
        )


def test_dry_run_changes_nothing(tenancies):
    summary = import_preview(content=GENERIC, format="generic-csv").as_dict()
    assert summary["posted"] == {"count": 3, "total": "165.50"}
    assert summary["suspense"]["count"] == 2
    assert not Transaction.objects.exists()
    assert not SuspenseItem.objects.exists()


def test_allocating_a_suspense_item_posts_it_once(tenancies, officer):
    _import(GENERIC, "generic-csv", officer)
    item = SuspenseItem.objects.get(payment_reference="ZZ999999")
    suspense_item_allocate(item=item, tenancy=tenancies["RW000003"], user=officer)
    item.refresh_from_db()
    assert item.status == SuspenseStatus.ALLOCATED
    assert _balance("RW000003") == Decimal("-80.00")  # £20.00 from the file and £60.00 allocated
    with pytest.raises(ValidationError, match="already been allocated"):
        suspense_item_allocate(item=item, tenancy=tenancies["RW000003"], user=officer)
    assert balance_differences() == []


def test_an_unreadable_amount_must_be_given_before_allocation(tenancies, officer):
    _import(GENERIC, "generic-csv", officer)
    item = SuspenseItem.objects.get(payment_reference="RW000004")
    with pytest.raises(ValidationError, match="Enter the amount received"):
        suspense_item_allocate(item=item, tenancy=tenancies["RW000004"], user=officer)
    suspense_item_allocate(item=item, tenancy=tenancies["RW000004"], user=officer, amount=Decimal("12.00"))
    assert _balance("RW000004") == Decimal("-12.00")


def test_rejecting_needs_a_reason_and_a_permission(tenancies, officer):
    _import(GENERIC, "generic-csv", officer)
    item = SuspenseItem.objects.get(payment_reference="ZZ999999")
    with pytest.raises(ValidationError, match="Say why"):
        suspense_item_reject(item=item, reason=" ", user=officer)
    with pytest.raises(PermissionDenied):
        suspense_item_reject(item=item, reason="Returned", user=user_with_role(Role.SUPPORT_WORKER))
    suspense_item_reject(item=item, reason="Returned to the payer's bank", user=officer)
    assert SuspenseItem.objects.get(pk=item.pk).status == SuspenseStatus.REJECTED
    assert not Transaction.objects.filter(external_reference="BANK-20261124-0007").exists()


def test_import_payments_command_json_dry_run_and_refusal(tenancies, capsys):
    path = str(SAMPLES / "generic-payments.csv")
    call_command("import_payments", path, "--format", "generic-csv", "--dry-run", "--json")
    preview = json.loads(capsys.readouterr().out)
    assert preview["dry_run"] is True and preview["posted"]["count"] == 3
    assert not Transaction.objects.exists()
    call_command("import_payments", path, "--format", "generic-csv", "--json")
    summary = json.loads(capsys.readouterr().out)
    assert summary["rows_read"] == 5
    assert summary["posted"] == {"count": 3, "total": "165.50"}
    assert summary["suspense"]["count"] == 2
    assert summary["rejected"] == {"count": 0, "reasons": {}}
    with pytest.raises(CommandError, match="already imported"):
        call_command("import_payments", path, "--format", "generic-csv")
    call_command("reconcile_balances")
