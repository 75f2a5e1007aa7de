"""Payment imports: good rows post, bad rows wait in suspense with reasons, nothing posts twice."""

from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from arrears.models import ReviewRun
from arrears.services import policies_install_shipped
from incomeapp.constants import Role
from rentaccounts.constants import AccountKind, ImportStatus, SuspenseStatus, TransactionType
from rentaccounts.imports import services
from rentaccounts.imports.formats import FORMATS
from rentaccounts.imports.services import (
    import_batch_create,
    import_batch_process,
    import_batch_start,
    import_preview,
    suspense_item_allocate,
    suspense_item_reject,
)
from rentaccounts.models import Account, ImportBatch, SuspenseItem, Transaction
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from rentaccounts.signals import payments_imported
from tests.factories import TenancyFactory, signals_caught, user_with_role
from tests.rentaccounts.conftest import transactions_post_fails_on_call

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
GENERIC = (SAMPLES / "generic-payments.csv").read_bytes()
HB = (SAMPLES / "hb-schedule.csv").read_bytes()
UC = (SAMPLES / "uc-managed-payment.csv").read_bytes()
HEADER = b"payment_reference,date,amount,method,transaction_id\n"
UNMATCHED = "No tenancy has the payment reference 'ZZ999999'."
UNREADABLE = "'twelve pounds' is not an amount of money; enter pounds and pence, like 12.50."
ALREADY = "Already posted from an earlier file (same transaction id)."


@pytest.fixture
def tenancies():
    return {ref: TenancyFactory(payment_reference=ref) for ref in (f"RW00000{n}" for n in range(1, 6))}


@pytest.fixture
def officer():
    return user_with_role(Role.INCOME_OFFICER)


def _import(content, fmt, user=None, name="payments.csv"):
    batch = import_batch_create(file_name=name, content=content, format=fmt, uploaded_by=user)
    return import_batch_process(batch_id=batch.pk)


def _balance(ref, kind=AccountKind.RENT):
    return Account.objects.get(tenancy__payment_reference=ref, kind=kind).balance


def _reconciles():
    out = StringIO()
    call_command("reconcile_balances", stdout=out)
    return out.getvalue()


def test_each_format_parses_its_sample():
    generic = list(FORMATS["generic-csv"].parse(GENERIC))
    assert [(r.row_number, r.payment_reference, r.amount) for r in generic] == [
        (2, "RW000001", Decimal("-100.00")),
        (3, "RW000002", Decimal("-45.50")),
        (4, "RW000003", Decimal("-20.00")),
        (5, "ZZ999999", Decimal("-60.00")),
        (6, "RW000004", None),
    ]
    assert (generic[0].payment_method, generic[0].effective_date, generic[0].external_id) == (
        "direct_debit",
        date(2026, 11, 23),
        "BANK-20261123-0001",
    )
    assert "'twelve pounds' is not an amount of money" in generic[4].problem
    assert [r.problem for r in generic[:4]] == ["", "", "", ""]

    hb = list(FORMATS["hb-schedule"].parse(HB))
    assert [(r.transaction_type, r.amount, r.period_start, r.period_end) for r in hb][::2] == [
        (TransactionType.HOUSING_BENEFIT, Decimal("-368.00"), date(2026, 10, 26), date(2026, 11, 22)),
        (TransactionType.HOUSING_BENEFIT, Decimal("46.00"), date(2026, 10, 26), date(2026, 11, 22)),
    ]
    assert hb[0].external_id == "HB-10021:2026-10-26:2026-11-22:368.00"

    uc = list(FORMATS["uc-managed-payment"].parse(UC))
    assert [(r.row_number, r.transaction_type, r.amount) for r in uc] == [
        (2, TransactionType.UC_MANAGED_PAYMENT, Decimal("-433.33")),
        (2, TransactionType.UC_DEDUCTION, Decimal("-27.55")),
        (3, TransactionType.UC_MANAGED_PAYMENT, Decimal("-425.00")),
    ]
    assert (uc[0].period_start, uc[0].period_end) == (date(2026, 10, 15), date(2026, 11, 14))


def test_a_file_with_bad_rows_posts_the_good_and_holds_the_bad_with_reasons(tenancies, officer):
    batch = _import(GENERIC, "generic-csv", officer)
    assert batch.status == ImportStatus.COMPLETED
    assert (batch.rows_read, batch.rows_done, batch.rows_posted, batch.rows_suspense, batch.rows_rejected) == (
        5,
        5,
        3,
        2,
        0,
    )
    assert batch.total_posted == Decimal("165.50")
    assert (_balance("RW000001"), _balance("RW000002"), _balance("RW000003")) == (
        Decimal("-100.00"),
        Decimal("-45.50"),
        Decimal("-20.00"),
    )
    card = Transaction.objects.get(external_reference="CARD-88812")
    assert (card.payment_method, card.effective_date, card.import_batch, card.posted_by) == (
        "card",
        date(2026, 11, 23),
        batch,
        officer,
    )
    assert card.idempotency_key == "import:generic-csv:CARD-88812"
    reasons = {item.payment_reference: item.reason for item in SuspenseItem.objects.all()}
    assert reasons["ZZ999999"] == UNMATCHED
    assert "'twelve pounds' is not an amount of money" in reasons["RW000004"]
    assert batch.report["suspense_reasons"][UNMATCHED] == 1
    assert not Transaction.objects.filter(account__tenancy__payment_reference="RW000004").exists()
    assert "0 differences" in _reconciles()


def test_accounts_touched_are_sent_for_re_review_and_no_others(tenancies, officer):
    account_get_or_create(tenancy=tenancies["RW000005"])
    with signals_caught(payments_imported) as sent:
        _import(GENERIC, "generic-csv", officer)
    (imported,) = sent
    references = set(
        Account.objects.filter(pk__in=imported["account_ids"]).values_list("tenancy__payment_reference", flat=True)
    )
    assert references == {"RW000001", "RW000002", "RW000003"}


def test_the_same_file_twice_is_refused_and_posts_once(tenancies, officer):
    first = _import(GENERIC, "generic-csv", officer)
    with pytest.raises(
        ValidationError, match=r"already imported on \d{1,2} [A-Z][a-z]+ \d{4} at \d\d:\d\d as 'payments.csv'"
    ):
        import_batch_create(file_name="again.csv", content=GENERIC, format="generic-csv", uploaded_by=officer)
    assert Transaction.objects.count() == 3
    assert list(ImportBatch.objects.all()) == [first]


def test_a_payment_already_posted_from_another_file_is_not_posted_again(tenancies, officer):
    _import(GENERIC, "generic-csv", officer)
    overlapping = GENERIC + b"RW000005,25/11/2026,10.00,cash,CASH-0043\n"
    batch = _import(overlapping, "generic-csv", officer, name="overlap.csv")
    assert (batch.rows_posted, batch.total_posted, batch.rows_rejected) == (1, Decimal("10.00"), 3)
    assert batch.report["rejected_reasons"] == {ALREADY: 3}
    assert batch.rows_suspense == 2  # the bad rows are held again for this file, with their reasons
    assert Transaction.objects.count() == 4
    assert _balance("RW000001") == Decimal("-100.00")


def test_the_same_id_twice_in_one_file_posts_once(tenancies, officer):
    content = HEADER + b"RW000001,23/11/2026,5.00,card,T-1\nRW000001,23/11/2026,5.00,card,T-1\n"
    batch = _import(content, "generic-csv", officer)
    assert (batch.rows_posted, batch.rows_rejected) == (1, 1)
    assert _balance("RW000001") == Decimal("-5.00")


def test_processing_a_batch_again_posts_nothing_more_and_duplicates_no_suspense(tenancies, officer):
    batch = _import(GENERIC, "generic-csv", officer)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING)  # as if the worker died at the end
    again = import_batch_process(batch_id=batch.pk)
    assert (again.rows_posted, again.total_posted, again.rows_suspense, again.rows_rejected) == (
        3,
        Decimal("165.50"),
        2,
        0,
    )
    assert Transaction.objects.count() == 3
    assert SuspenseItem.objects.count() == 2


def test_a_batch_that_died_half_way_finishes_the_rest_when_run_again(tenancies, officer, monkeypatch):
    content = HEADER + b"".join(f"RW00000{n},23/11/2026,1{n}.00,card,T-{n}\n".encode() for n in range(1, 6))
    content += b"ZZ999999,23/11/2026,9.00,card,T-9\n"
    batch = import_batch_create(file_name="p.csv", content=content, format="generic-csv", uploaded_by=officer)
    monkeypatch.setattr(services, "CHUNK_LINES", 2)
    transactions_post_fails_on_call(monkeypatch, services, 2)
    batch = import_batch_process(batch_id=batch.pk)  # the fault is recorded on the batch, not raised
    assert batch.status == ImportStatus.FAILED
    assert "Choose Try again: what was posted stays posted and nothing will be posted twice." in batch.error
    # Lines are posted in rent-account order, two a chunk: the first chunk (the two lowest account ids, whichever
    # tenancies those are) is posted, the second fails, the third is never reached.
    posted = list(Transaction.objects.all())
    first_chunk = sorted(
        Account.objects.filter(tenancy__in=tenancies.values(), kind=AccountKind.RENT).values_list("pk", flat=True)
    )[:2]
    assert sorted(line.account_id for line in posted) == first_chunk
    assert (batch.rows_posted, batch.total_posted) == (2, -sum(line.amount for line in posted))
    assert SuspenseItem.objects.count() == 1

    batch = import_batch_process(batch_id=batch.pk)
    assert (batch.status, batch.rows_posted, batch.total_posted, batch.rows_suspense, batch.rows_rejected) == (
        ImportStatus.COMPLETED,
        5,
        Decimal("65.00"),
        1,
        0,
    )
    assert Transaction.objects.count() == 5
    assert SuspenseItem.objects.count() == 1
    assert "0 differences" in _reconciles()


def test_housing_benefit_schedule_posts_periods_and_recovers_overpayments(tenancies, officer):
    batch = _import(HB, "hb-schedule", officer)
    assert (batch.rows_posted, batch.total_posted) == (3, Decimal("734.40"))  # 368.00 + 412.40 - 46.00
    hb = Transaction.objects.get(account__tenancy__payment_reference="RW000001")
    assert (hb.transaction_type, hb.payment_method, hb.amount) == (
        TransactionType.HOUSING_BENEFIT,
        "housing_benefit",
        Decimal("-368.00"),
    )
    assert (hb.period_start, hb.period_end) == (date(2026, 10, 26), date(2026, 11, 22))
    assert _balance("RW000005") == Decimal("46.00")  # an overpayment recovered is a debit


def test_a_schedule_line_with_its_dates_written_differently_is_not_posted_twice(tenancies, officer):
    _import(HB, "hb-schedule", officer)
    rewritten = (
        b"claim_reference,payment_reference,period_from,period_to,amount,payment_date\n"
        b"HB-10021,RW000001,2026-10-26,2026-11-22,368.00,2026-11-23\n"
    )
    batch = _import(rewritten, "hb-schedule", officer, name="again.csv")
    assert (batch.rows_posted, batch.report["rejected_reasons"]) == (0, {ALREADY: 1})
    assert _balance("RW000001") == Decimal("-368.00")


def test_universal_credit_schedule_separates_housing_costs_and_deductions(tenancies, officer):
    batch = _import(UC, "uc-managed-payment", officer)
    assert (batch.rows_read, batch.rows_posted, batch.total_posted) == (2, 3, Decimal("885.88"))
    lines = sorted(
        Transaction.objects.filter(account__tenancy__payment_reference="RW000003").values_list(
            "transaction_type", "amount", "period_start"
        )
    )
    assert lines == [
        (TransactionType.UC_DEDUCTION, Decimal("-27.55"), date(2026, 10, 15)),
        (TransactionType.UC_MANAGED_PAYMENT, Decimal("-433.33"), date(2026, 10, 15)),
    ]
    assert _balance("RW000003") == Decimal("-460.88")


def test_a_payment_clears_sub_accounts_in_the_allocation_order_and_is_never_split_twice(tenancies, officer):
    _import(HEADER + b"RW000001,23/11/2026,100.00,card,T-1\n", "generic-csv", officer)
    costs = account_get_or_create(tenancy=tenancies["RW000001"], kind=AccountKind.COURT_COSTS)
    transactions_post(
        postings=[Posting(costs.pk, TransactionType.COURT_COSTS, Decimal("30.00"), date(2026, 11, 24), "costs:1")]
    )
    # T-1 again, now that court costs are owed: it was posted whole to rent and must not be split and posted again.
    again = HEADER + b"RW000001,23/11/2026,100.00,card,T-1\nRW000001,25/11/2026,50.00,card,T-3\n"
    batch = _import(again, "generic-csv", officer, name="again.csv")
    assert batch.report["rejected_reasons"] == {ALREADY: 1}
    assert (batch.rows_posted, batch.total_posted) == (2, Decimal("50.00"))  # T-3 in two legs
    legs = dict(Transaction.objects.filter(external_reference="T-3").values_list("account__kind", "amount"))
    assert legs == {AccountKind.COURT_COSTS: Decimal("-30.00"), AccountKind.RENT: Decimal("-20.00")}
    assert (_balance("RW000001"), _balance("RW000001", AccountKind.COURT_COSTS)) == (Decimal("-120.00"), Decimal("0"))
    assert "0 differences" in _reconciles()


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"RW000001,23/11/2026,-20.00,card,T-1", "is negative"),
        (b"RW000001,31/02/2026,20.00,card,T-1", "The payment date is not readable"),
        (b"RW000001,23/11/2026,20.00,cheque,T-1", "The payment method 'cheque' is not one we know."),
        (b"RW000001,23/11/2026,20.00,card,", "The transaction_id is missing"),
        (b"RW000001,23/11/2026,2000000.00,card,T-1", "far more than any rent payment"),
        (b"RW000001,23/11/2026,20.001,card,T-1", "is not an amount of money"),
        (b"RW000001,23/11/2026,1e308,card,T-1", "scientific notation"),
        (b"RW000001,23/11/2026,99999999999,card,T-1", "more than the largest amount allowed"),
        (b'RW000001,23/11/2026,"1,0,0",card,T-1', "commas are in the wrong places"),
    ],
)
def test_rows_that_cannot_be_posted_as_they_stand_are_held_with_the_reason(tenancies, line, reason):
    batch = _import(HEADER + line + b"\n", "generic-csv")
    assert (batch.rows_posted, batch.rows_suspense) == (0, 1)
    assert reason in SuspenseItem.objects.get().reason
    assert not Transaction.objects.exists()


def test_a_zero_amount_is_rejected_with_the_reason(tenancies):
    batch = _import(HEADER + b"RW000001,23/11/2026,0.00,card,T-1\n", "generic-csv")
    assert batch.report["rejected_reasons"] == {"The amount is £0.00, so there is nothing to post.": 1}


def test_unknown_formats_and_files_in_the_wrong_format_are_refused_before_anything_is_kept(officer):
    with pytest.raises(ValidationError, match="'bacs-18' is not a payment file format we know"):
        import_batch_create(file_name="x.csv", content=GENERIC, format="bacs-18", uploaded_by=officer)
    with pytest.raises(ValidationError, match="columns claim_reference"):
        import_batch_create(file_name="x.csv", content=GENERIC, format="hb-schedule", uploaded_by=officer)
    with pytest.raises(ValidationError, match="empty"):
        import_batch_create(file_name="x.csv", content=b"  ", format="generic-csv", uploaded_by=officer)
    with pytest.raises(ValidationError, match="not text"):
        import_batch_create(file_name="x.csv", content=b"\xff\xfe\x00", format="generic-csv", uploaded_by=officer)
    assert not ImportBatch.objects.exists()


def test_a_support_worker_cannot_import():
    with pytest.raises(PermissionDenied):
        import_batch_create(
            file_name="x.csv", content=GENERIC, format="generic-csv", uploaded_by=user_with_role(Role.SUPPORT_WORKER)
        )


def test_dry_run_changes_nothing(tenancies):
    summary = import_preview(content=GENERIC, format="generic-csv").as_dict()
    assert summary == {
        "rows_read": 5,
        "posted": {"count": 3, "total": "165.50"},
        "suspense": {"count": 2, "reasons": {UNMATCHED: 1, UNREADABLE: 1}},
        "rejected": {"count": 0, "reasons": {}},
        "already_imported": False,
    }
    assert not ImportBatch.objects.exists()
    assert not Transaction.objects.exists()
    assert not SuspenseItem.objects.exists()
    assert not Account.objects.exists()


def test_dry_run_of_a_file_already_imported_says_so(tenancies):
    _import(GENERIC, "generic-csv")
    summary = import_preview(content=GENERIC, format="generic-csv").as_dict()
    assert summary["already_imported"] is True
    assert (summary["posted"]["count"], summary["rejected"]["reasons"]) == (0, {ALREADY: 3})


def test_a_large_file_is_imported_in_the_background(tenancies, django_capture_on_commit_callbacks):
    policies_install_shipped()  # with no live policy there is nothing to re-review with
    rows = b"".join(f"RW00000{n % 5 + 1},23/11/2026,1.00,card,T-{n}\n".encode() for n in range(2500))
    batch = import_batch_create(file_name="big.csv", content=HEADER + rows, format="generic-csv", uploaded_by=None)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert import_batch_start(batch=batch) is True
        batch.refresh_from_db()
        assert batch.status == ImportStatus.QUEUED
    # the import ran in the background, then the re-review of the accounts it touched (other callbacks, such as
    # webhook events, may follow)
    assert len(callbacks) >= 2
    assert ReviewRun.objects.filter(scope=f"import:{batch.pk}").exists()
    batch.refresh_from_db()
    assert (batch.status, batch.rows_read, batch.rows_done, batch.rows_posted) == (
        ImportStatus.COMPLETED,
        2500,
        2500,
        2500,
    )
    assert batch.total_posted == Decimal("2500.00")
    assert _balance("RW000001") == Decimal("-500.00")


def test_allocating_a_suspense_item_posts_it_once(tenancies, officer):
    _import(GENERIC, "generic-csv", officer)
    item = SuspenseItem.objects.get(payment_reference="ZZ999999")
    with pytest.raises(PermissionDenied):
        suspense_item_allocate(item=item, tenancy=tenancies["RW000003"], user=user_with_role(Role.SUPPORT_WORKER))
    suspense_item_allocate(item=item, tenancy=tenancies["RW000003"], user=officer)
    item.refresh_from_db()
    assert (item.status, item.resolved_by, item.resolution_note) == (
        SuspenseStatus.ALLOCATED,
        officer,
        "Allocated to RW000003",
    )
    assert (item.transaction.idempotency_key, item.transaction.amount) == (f"suspense:{item.pk}", Decimal("-60.00"))
    assert _balance("RW000003") == Decimal("-80.00")  # £20.00 from the file and £60.00 allocated
    with pytest.raises(ValidationError, match="already been allocated"):
        suspense_item_allocate(item=item, tenancy=tenancies["RW000003"], user=officer)
    assert "0 differences" in _reconciles()


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
    item.refresh_from_db()
    assert (item.status, item.resolution_note) == (SuspenseStatus.REJECTED, "Returned to the payer's bank")
    with pytest.raises(ValidationError, match="already been rejected"):
        suspense_item_allocate(item=item, tenancy=tenancies["RW000003"], user=officer)
    assert not Transaction.objects.filter(external_reference="BANK-20261124-0007").exists()
