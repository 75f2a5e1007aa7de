"""Write-offs that stand up to audit: a reason code and its evidence, the small-balance run, and the write-on."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from rentaccounts import selectors_debts
from rentaccounts.constants import (
    AccountKind,
    InsolvencyKind,
    RequestKind,
    RequestStatus,
    TransactionType,
    WriteOffReason,
    WriteOffRunStatus,
)
from rentaccounts.forms_approvals import AdjustmentRequestForm
from rentaccounts.models import AdjustmentRequest, InsolvencyOrder, Transaction, WriteOffRun
from rentaccounts.selectors import balance_differences
from rentaccounts.selectors_write_offs import RunRule, write_off_run_lines
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from rentaccounts.services.approvals import (
    adjustment_request_approve,
    adjustment_request_create,
    adjustment_request_reject,
)
from rentaccounts.services.write_offs import (
    write_off_run_approve,
    write_off_run_propose,
    write_off_run_reject,
    write_on_request_create,
)
from tenancies.constants import TenancyStatus
from tests.factories import PersonFactory, TenancyFactory, london_noon
from tests.rentaccounts.conftest import income_manager

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 1)
EVERY_KIND = tuple(AccountKind.values)
RULE = RunRule(balance_under=Decimal("10.00"), ended_months=6, account_kinds=EVERY_KIND)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(london_noon(TODAY), tick=False):
        yield


@pytest.fixture
def people(people):
    return {**people, "manager2": income_manager()}


def _account(balance: str, *, ended: date | None = date(2026, 3, 1), kind=AccountKind.RENT, reference=None):
    """An account owing `balance` (a credit when negative) on a tenancy that ended on `ended` (None: current)."""
    fields = {"payment_reference": reference} if reference else {}
    if ended is not None:
        fields.update(end_date=ended, status=TenancyStatus.FORMER)
    account = account_get_or_create(tenancy=TenancyFactory(**fields), kind=kind)
    amount = Decimal(balance)
    kind_of = TransactionType.RENT_DEBIT if amount > 0 else TransactionType.PAYMENT
    transactions_post(postings=[Posting(account.pk, kind_of, amount, date(2025, 12, 1), f"open:{account.pk}")])
    account.refresh_from_db()
    return account


def _write_off(people, account, amount, reason, evidence="Tracing agent's report of 3 November 2026"):
    return adjustment_request_create(
        kind=RequestKind.WRITE_OFF,
        account=account,
        amount=Decimal(amount),
        reason="Former tenant's arrears",
        requested_by=people["officer"],
        write_off_reason=reason,
        evidence=evidence,
    )


def _approve(request, approver, reason="Evidence checked"):
    return adjustment_request_approve(request=request, approver=approver, reason=reason)


def _balance(account) -> Decimal:
    account.refresh_from_db()
    return account.balance


# ---- reason codes --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reason, words",
    [
        (WriteOffReason.DECEASED_NO_ESTATE, "Write-off: deceased with no estate"),
        (WriteOffReason.GONE_AWAY, "Write-off: gone away and not traced"),
        (WriteOffReason.UNECONOMIC, "Write-off: uneconomic to pursue"),
    ],
)
def test_a_write_off_with_a_reason_and_evidence_is_approved_and_the_ledger_line_says_why(people, reason, words):
    account = _account("250.00")
    request = _write_off(people, account, "-250.00", reason)
    assert (request.write_off_reason, request.evidence) == (reason, "Tracing agent's report of 3 November 2026")
    _approve(request, people["senior"])
    assert _balance(account) == Decimal("0.00")
    posted = request.transactions.get()
    assert (posted.transaction_type, posted.amount, posted.description) == (
        TransactionType.WRITE_OFF,
        Decimal("-250.00"),
        words,
    )
    assert balance_differences() == []


def test_a_write_off_is_refused_without_a_reason_code_or_evidence(people):
    account = _account("80.00")
    with pytest.raises(ValidationError, match="Choose why the debt is being written off"):
        _write_off(people, account, "-80.00", "")
    with pytest.raises(ValidationError, match="Say what shows this, or add a note"):
        _write_off(people, account, "-80.00", WriteOffReason.GONE_AWAY, evidence="   ")
    assert not AdjustmentRequest.objects.exists()
    # The form says the same, against the fields.
    form = AdjustmentRequestForm(
        {
            "payment_reference": account.tenancy.payment_reference,
            "account_kind": AccountKind.RENT,
            "kind": RequestKind.WRITE_OFF,
            "amount": "-80.00",
            "reason": "Gone away",
        }
    )
    assert not form.is_valid()
    assert form.errors["write_off_reason"] == ["Choose why the debt is being written off"]
    assert form.errors["evidence"] == ["Say what shows this, or add a note"]
    assert "write_on" not in dict(form.fields["kind"].choices)


def test_bankruptcy_and_debt_relief_order_need_that_order_recorded_on_a_named_tenant(people):
    tenant = PersonFactory()
    account = account_get_or_create(tenancy=TenancyFactory(lead_tenant=tenant))
    transactions_post(postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("900.00"), TODAY, "r")])
    with pytest.raises(ValidationError, match=r"No bankruptcy order is recorded on a named tenant of RW\d+"):
        _write_off(people, account, "-900.00", WriteOffReason.BANKRUPTCY)
    InsolvencyOrder.objects.create(person=tenant, kind=InsolvencyKind.BANKRUPTCY, made_on=date(2026, 5, 1))
    with pytest.raises(ValidationError, match="No debt relief order is recorded"):
        _write_off(people, account, "-900.00", WriteOffReason.DEBT_RELIEF_ORDER)
    # Someone else's order is not this tenant's.
    other = account_get_or_create(tenancy=TenancyFactory())
    transactions_post(postings=[Posting(other.pk, TransactionType.RENT_DEBIT, Decimal("50.00"), TODAY, "r2")])
    with pytest.raises(ValidationError, match="No bankruptcy order"):
        _write_off(people, other, "-50.00", WriteOffReason.BANKRUPTCY)

    request = _write_off(people, account, "-400.00", WriteOffReason.BANKRUPTCY, evidence="Insolvency Register")
    _approve(request, people["senior"])
    assert _balance(account) == Decimal("500.00")
    InsolvencyOrder.objects.create(person=tenant, kind=InsolvencyKind.DEBT_RELIEF_ORDER, made_on=date(2026, 6, 1))
    _approve(_write_off(people, account, "-500.00", WriteOffReason.DEBT_RELIEF_ORDER), people["manager"])
    assert _balance(account) == Decimal("0.00")
    assert balance_differences() == []


def test_out_of_time_only_for_the_part_the_limitation_working_shows_out_of_time(people, monkeypatch):
    account = _account("700.00")
    out_of_time = {"amount": Decimal("0.00")}

    def positions(*, account_ids, on):
        return {
            pk: selectors_debts.DebtPosition(balance=Decimal("700.00"), out_of_time=out_of_time["amount"])
            for pk in account_ids
        }

    monkeypatch.setattr("rentaccounts.services.write_off_rules.debt_positions", positions)
    with pytest.raises(ValidationError, match=r"Nothing owed on RW\d+ is out of time"):
        _write_off(people, account, "-100.00", WriteOffReason.LIMITATION)
    out_of_time["amount"] = Decimal("250.00")
    with pytest.raises(ValidationError, match=r"Only £250\.00 owed on RW\d+ is out of time"):
        _write_off(people, account, "-250.01", WriteOffReason.LIMITATION)
    request = _write_off(people, account, "-250.00", WriteOffReason.LIMITATION, evidence="No payment since 2019")
    # Checked again when approved: a payment since can have brought part of it back into time.
    out_of_time["amount"] = Decimal("200.00")
    with pytest.raises(ValidationError, match=r"Only £200\.00"):
        _approve(request, people["senior"])
    out_of_time["amount"] = Decimal("250.00")
    _approve(request, people["senior"])
    assert _balance(account) == Decimal("450.00")
    assert request.transactions.get().description == "Write-off: out of time under the Limitation Act"


def test_a_small_balance_is_under_the_limit(people, settings):
    small, larger = _account("9.99"), _account("10.00")
    with pytest.raises(ValidationError, match=r"small-balance write-off is for balances under £10\.00; RW\d+ owes £10"):
        _write_off(people, larger, "-10.00", WriteOffReason.SMALL_BALANCE)
    _approve(_write_off(people, small, "-9.99", WriteOffReason.SMALL_BALANCE), people["senior"])
    assert _balance(small) == Decimal("0.00")
    settings.WRITE_OFF_SMALL_BALANCE_LIMIT = "25.00"
    _approve(_write_off(people, larger, "-10.00", WriteOffReason.SMALL_BALANCE), people["senior"])
    assert _balance(larger) == Decimal("0.00")


def test_nobody_approves_their_own_write_off_and_the_limit_still_applies(people):
    account = _account("800.00")
    own = adjustment_request_create(
        kind=RequestKind.WRITE_OFF,
        account=account,
        amount=Decimal("-800.00"),
        reason="Gone away",
        requested_by=people["senior"],
        write_off_reason=WriteOffReason.GONE_AWAY,
        evidence="Two tracing agents found nothing",
    )
    with pytest.raises(PermissionDenied, match="someone else must decide"):
        _approve(own, people["senior"])
    request = _write_off(people, account, "-800.00", WriteOffReason.GONE_AWAY)
    with pytest.raises(PermissionDenied, match=r"above your delegated authority of £500\.00"):
        _approve(request, people["senior"])
    assert _balance(account) == Decimal("800.00")
    _approve(request, people["manager"])
    assert _balance(account) == Decimal("0.00")


# ---- the small-balance run -----------------------------------------------------------------------------------------


@pytest.fixture
def balances(people):
    """What a run under £10 on tenancies ended six months or more finds, and what it must leave out."""
    found = {
        "a": _account("4.20", reference="RW100001"),
        "b": _account("9.99", reference="RW100002", ended=date(2026, 6, 1)),  # ended exactly six months ago
        "c": _account("0.50", reference="RW100003", kind=AccountKind.SUNDRY),
    }
    left_out = {
        "current": _account("3.00", ended=None),
        "credit": _account("-5.00"),
        "recent": _account("3.00", ended=date(2026, 6, 2)),
        "large": _account("10.00"),
        "waiting": _account("2.00"),
    }
    _write_off(people, left_out["waiting"], "-2.00", WriteOffReason.UNECONOMIC)  # a request waiting comes first
    return found, left_out


def _propose(people, rule=RULE, who="manager"):
    lines = write_off_run_lines(rule=rule, on=TODAY)
    total = sum((Decimal(line["balance"]) for line in lines), Decimal("0.00"))
    return write_off_run_propose(rule=rule, proposed_by=people[who], seen_count=len(lines), seen_total=total)


def test_the_run_lists_only_small_debit_balances_on_tenancies_ended_long_enough(people, balances):
    found, _ = balances
    lines = write_off_run_lines(rule=RULE, on=TODAY)
    assert [(line["reference"], line["balance"], line["ended_on"]) for line in lines] == [
        ("RW100001", "4.20", "2026-03-01"),
        ("RW100002", "9.99", "2026-06-01"),
        ("RW100003", "0.50", "2026-03-01"),
    ]
    assert lines[0]["names"] == " ".join(
        [found["a"].tenancy.named_tenants()[0].first_name, found["a"].tenancy.named_tenants()[0].last_name]
    )
    rent_only = replace(RULE, account_kinds=(AccountKind.RENT,))
    assert [line["reference"] for line in write_off_run_lines(rule=rent_only, on=TODAY)] == ["RW100001", "RW100002"]

    run = _propose(people)
    assert (run.accounts_count, run.total, run.status) == (3, Decimal("14.69"), WriteOffRunStatus.PROPOSED)
    assert [line["account_id"] for line in run.lines] == [found[key].pk for key in "abc"]
    assert not Transaction.objects.filter(transaction_type=TransactionType.WRITE_OFF).exists()


def test_a_run_is_proposed_only_as_seen_and_only_under_the_small_balance_limit(people, balances):
    with pytest.raises(ValidationError, match=r"now has 3 accounts totalling £14\.69"):
        write_off_run_propose(rule=RULE, proposed_by=people["manager"], seen_count=2, seen_total=Decimal("14.19"))
    with pytest.raises(ValidationError, match=r"A small balance is under £10\.00"):
        _propose(people, rule=replace(RULE, balance_under=Decimal("50.00")))
    with pytest.raises(ValidationError, match="No accounts match"):
        _propose(people, rule=replace(RULE, balance_under=Decimal("0.10")))
    with pytest.raises(PermissionDenied):
        _propose(people, who="senior")
    assert not WriteOffRun.objects.exists()


def test_another_manager_approves_the_run_and_changed_balances_are_skipped(people, balances):
    found, left_out = balances
    run = _propose(people)
    with pytest.raises(PermissionDenied, match="another manager must decide"):
        write_off_run_approve(run=run, approver=people["manager"], reason="Agreed")
    with pytest.raises(PermissionDenied):  # a senior officer decides requests, not runs
        write_off_run_approve(run=run, approver=people["senior"], reason="Agreed")
    with pytest.raises(IntegrityError), transaction.atomic():
        WriteOffRun.objects.filter(pk=run.pk).update(decided_by=people["manager"])
    # A payment after the run was proposed: that balance is no longer what was seen.
    transactions_post(
        postings=[Posting(found["b"].pk, TransactionType.PAYMENT, Decimal("-5.00"), TODAY, "late payment")]
    )

    outcome = write_off_run_approve(run=run, approver=people["manager2"], reason="Quarterly small balances")
    assert (outcome.written_off, outcome.total) == (2, Decimal("4.70"))
    assert outcome.skipped == [("RW100002", "the balance changed from £9.99 to £4.99")]
    assert outcome.summary() == (
        "Wrote off 2 balances totalling £4.70; 1 skipped because its balance changed or could not be written off."
    )
    assert [_balance(found[key]) for key in "abc"] == [Decimal("0.00"), Decimal("4.99"), Decimal("0.00")]
    assert _balance(left_out["current"]) == Decimal("3.00") and _balance(left_out["credit"]) == Decimal("-5.00")
    postings = Transaction.objects.filter(transaction_type=TransactionType.WRITE_OFF).order_by("account_id")
    assert [(t.idempotency_key, t.amount, t.description) for t in postings] == [
        (f"write-off-run:{run.pk}:{found['a'].pk}", Decimal("-4.20"), "Write-off: small balance"),
        (f"write-off-run:{run.pk}:{found['c'].pk}", Decimal("-0.50"), "Write-off: small balance"),
    ]
    requests = AdjustmentRequest.objects.filter(write_off_run=run).order_by("account_id")
    assert [(r.write_off_reason, r.status, r.requested_by, r.decided_by) for r in requests] == [
        (WriteOffReason.SMALL_BALANCE, RequestStatus.APPROVED, people["manager"], people["manager2"])
    ] * 2
    assert "Owed £4.20, under £10.00" in requests[0].evidence
    run.refresh_from_db()
    assert run.status == WriteOffRunStatus.APPROVED and run.decided_by == people["manager2"]
    assert [line["outcome"] for line in run.lines] == [
        "written off",
        "the balance changed from £9.99 to £4.99",
        "written off",
    ]
    # Approving again, or a retry, posts nothing twice.
    with pytest.raises(ValidationError, match="already been decided"):
        write_off_run_approve(run=run, approver=people["manager2"], reason="Again")
    assert Transaction.objects.filter(transaction_type=TransactionType.WRITE_OFF).count() == 2
    assert balance_differences() == []


def test_a_rejected_run_writes_off_nothing(people, balances):
    run = _propose(people)
    with pytest.raises(ValidationError, match="Give the reason"):
        write_off_run_reject(run=run, approver=people["manager2"], reason=" ")
    write_off_run_reject(run=run, approver=people["manager2"], reason="Wait for the year end")
    run.refresh_from_db()
    assert run.status == WriteOffRunStatus.REJECTED
    with pytest.raises(ValidationError, match="already been decided"):
        write_off_run_approve(run=run, approver=people["manager2"], reason="Changed my mind")
    assert not Transaction.objects.filter(transaction_type=TransactionType.WRITE_OFF).exists()
    assert not AdjustmentRequest.objects.filter(write_off_run=run).exists()


# ---- the write-on --------------------------------------------------------------------------------------------------


def test_a_write_on_restores_the_debt_with_approval_and_only_once(people):
    account = _account("300.00")
    write_off = _write_off(people, account, "-300.00", WriteOffReason.GONE_AWAY)
    with pytest.raises(ValidationError, match="Only an approved write-off"):
        write_on_request_create(write_off=write_off, reason="Traced", requested_by=people["officer"])
    write_off = _approve(write_off, people["senior"])
    assert _balance(account) == Decimal("0.00")

    write_on = write_on_request_create(
        write_off=write_off, reason="Debtor traced to a new address", requested_by=people["senior"]
    )
    assert (write_on.kind, write_on.amount, write_on.reverses) == (RequestKind.WRITE_ON, Decimal("300.00"), write_off)
    assert _balance(account) == Decimal("0.00")  # nothing until approved
    with pytest.raises(ValidationError, match="already waiting for a decision"):
        write_on_request_create(write_off=write_off, reason="Again", requested_by=people["officer"])
    with pytest.raises(PermissionDenied, match="someone else must decide"):
        _approve(write_on, people["senior"])

    _approve(write_on, people["manager"], reason="Tracing report seen")
    assert _balance(account) == Decimal("300.00")
    reversal = write_on.transactions.get()
    assert (reversal.transaction_type, reversal.amount, reversal.reverses) == (
        TransactionType.REVERSAL,
        Decimal("300.00"),
        write_off.transactions.get(),
    )
    assert reversal.description == "Write-on (write-off reversed): Debtor traced to a new address"
    with pytest.raises(ValidationError, match="already been written on"):
        write_on_request_create(write_off=write_off, reason="Again", requested_by=people["officer"])
    assert balance_differences() == []


def test_a_rejected_write_on_can_be_asked_again_and_a_run_line_can_be_written_on(people, balances):
    found, _ = balances
    run = _propose(people)
    write_off_run_approve(run=run, approver=people["manager2"], reason="Quarterly")
    write_off = AdjustmentRequest.objects.get(write_off_run=run, account=found["a"])
    first = write_on_request_create(write_off=write_off, reason="Estate paid", requested_by=people["officer"])
    adjustment_request_reject(request=first, approver=people["senior"], reason="No proof of payment yet")
    second = write_on_request_create(
        write_off=write_off, reason="Estate paid: cheque seen", requested_by=people["officer"]
    )
    _approve(second, people["senior"])
    assert _balance(found["a"]) == Decimal("4.20")
    assert balance_differences() == []
