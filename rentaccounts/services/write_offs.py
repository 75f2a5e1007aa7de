"""Small-balance write-off runs (one manager proposes the list, another approves it as a batch) and write-ons.

A run keeps the lines as the manager saw them. Approval writes off each line whose balance is unchanged, as an approved
write-off request (reason "small balance", the run named) through the usual approval service, so delegated authority
and the ledger's idempotency keys (`write-off-run:<run>:<account>`) apply; a line whose balance moved is skipped and
said why. Approval is one database transaction, and the run is locked: approving twice posts nothing twice.
A write-on asks to reverse one approved write-off, whole; someone else approves it (docs/debts.md, write-offs).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from incomeapp.money import ZERO, format_money, to_money
from incomeapp.roles import staff_require
from rentaccounts.constants import AccountKind, RequestKind, RequestStatus, WriteOffReason, WriteOffRunStatus
from rentaccounts.models import Account, AdjustmentRequest, WriteOffRun
from rentaccounts.selectors_write_offs import RunRule, lines_total, write_off_run_lines

from .approvals import adjustment_request_approve, adjustment_request_create, decision_record
from .write_off_rules import small_balance_limit

SELF_RUN_DECISION = "You proposed this run, so another manager must decide it."
WRITTEN_OFF = "written off"


@dataclass
class RunOutcome:
    written_off: int = 0
    total: Decimal = ZERO
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (payment reference, why)

    def summary(self) -> str:
        said = f"Wrote off {self.written_off} balance{'s' if self.written_off != 1 else ''} totalling "
        said += format_money(self.total)
        if self.skipped:
            count = len(self.skipped)
            said += f"; {count} skipped because {'their balances' if count != 1 else 'its balance'} changed or could "
            said += "not be written off"
        return said + "."


def run_rule_check(*, rule: RunRule) -> None:
    limit = small_balance_limit()
    if rule.balance_under <= ZERO:
        raise ValidationError("Enter a balance above £0.00.")
    if rule.balance_under > limit:
        raise ValidationError(f"A small balance is under {format_money(limit)}: enter {format_money(limit)} or less.")
    if not rule.account_kinds or any(kind not in AccountKind.values for kind in rule.account_kinds):
        raise ValidationError("Choose at least one kind of account.")


@transaction.atomic
def write_off_run_propose(*, rule: RunRule, proposed_by, seen_count: int, seen_total: Decimal) -> WriteOffRun:
    """Stores the run with the lines as they stand, if they are still what the manager saw (count and total)."""
    staff_require(proposed_by, "rentaccounts.add_writeoffrun", "propose small-balance write-offs")
    run_rule_check(rule=rule)
    today = timezone.localdate()
    lines = write_off_run_lines(rule=rule, on=today)
    total = lines_total(lines)
    if not lines:
        raise ValidationError("No accounts match this rule, so there is nothing to propose.")
    if len(lines) != seen_count or total != to_money(seen_total):
        raise ValidationError(
            f"The list has changed since you looked at it: it now has {len(lines)} accounts totalling "
            f"{format_money(total)}. Check it again before you propose it."
        )
    return WriteOffRun.objects.create(
        balance_under=rule.balance_under,
        ended_months=rule.ended_months,
        account_kinds=list(rule.account_kinds),
        as_of=today,
        lines=lines,
        accounts_count=len(lines),
        total=total,
        proposed_by=proposed_by,
    )


def _decidable(run: WriteOffRun, approver, reason: str) -> None:
    staff_require(approver, "rentaccounts.change_writeoffrun", "decide small-balance write-off runs")
    if run.proposed_by_id == approver.pk:
        raise PermissionDenied(SELF_RUN_DECISION)
    if run.status != WriteOffRunStatus.PROPOSED:
        raise ValidationError(f"This run has already been decided: {run.get_status_display().lower()}.")
    if not (reason or "").strip():
        raise ValidationError("Give the reason for your decision: it is kept with the run.")


def _evidence(run: WriteOffRun, line: dict) -> str:
    return (
        f"Owed {format_money(Decimal(line['balance']))}, under {format_money(run.balance_under)}; the tenancy ended on "
        f"{line['ended_on']}, at least {run.ended_months} months before {run.as_of.isoformat()} "
        f"(small-balance write-off run {run.pk})."
    )


def _write_off_line(run: WriteOffRun, line: dict, approver, reason: str) -> tuple[Decimal, str]:
    """Writes off one line: (amount written off, "written off") or (0, why not)."""
    account = Account.objects.select_for_update().select_related("tenancy").get(pk=line["account_id"])
    seen = Decimal(line["balance"])
    done = AdjustmentRequest.objects.filter(write_off_run=run, account=account, status=RequestStatus.APPROVED).first()
    if done is not None:  # a retry of a run approved in part: already written off
        return -done.amount, WRITTEN_OFF
    if account.balance != seen:
        return ZERO, f"the balance changed from {format_money(seen)} to {format_money(account.balance)}"
    try:
        with transaction.atomic():
            request = adjustment_request_create(
                kind=RequestKind.WRITE_OFF,
                account=account,
                amount=-seen,
                reason=f"Small-balance write-off run {run.pk}",
                requested_by=run.proposed_by,
                write_off_reason=WriteOffReason.SMALL_BALANCE,
                evidence=_evidence(run, line),
                write_off_run=run,
            )
            adjustment_request_approve(request=request, approver=approver, reason=reason)
    except (ValidationError, PermissionDenied) as error:
        why = error.messages[0] if isinstance(error, ValidationError) else str(error)
        return ZERO, why[:1].lower() + why[1:].rstrip(".")
    return seen, WRITTEN_OFF


@transaction.atomic
def write_off_run_approve(*, run: WriteOffRun, approver, reason: str) -> RunOutcome:
    """Writes off every line proposed whose balance is unchanged; records each line's outcome on the run."""
    run = WriteOffRun.objects.select_for_update().get(pk=run.pk)
    _decidable(run, approver, reason)
    staff_require(approver, "rentaccounts.change_adjustmentrequest", "approve write-offs")
    outcome = RunOutcome()
    lines = []
    for line in sorted(run.lines, key=lambda row: row["account_id"]):  # one lock order for every run
        amount, result = _write_off_line(run, line, approver, reason)
        if result == WRITTEN_OFF:
            outcome.written_off += 1
            outcome.total += amount
        else:
            outcome.skipped.append((line["reference"], result))
        lines.append({**line, "outcome": result})
    order = {line["account_id"]: index for index, line in enumerate(run.lines)}
    run.lines = sorted(lines, key=lambda row: order[row["account_id"]])
    decision_record(run, status=WriteOffRunStatus.APPROVED, approver=approver, reason=reason)
    return outcome


@transaction.atomic
def write_off_run_reject(*, run: WriteOffRun, approver, reason: str) -> WriteOffRun:
    run = WriteOffRun.objects.select_for_update().get(pk=run.pk)
    _decidable(run, approver, reason)
    decision_record(run, status=WriteOffRunStatus.REJECTED, approver=approver, reason=reason)
    return run


def write_on_request_create(*, write_off: AdjustmentRequest, reason: str, requested_by) -> AdjustmentRequest:
    """Asks to reverse an approved write-off, all of it (a debtor traced, an estate paid); someone else decides."""
    return adjustment_request_create(
        kind=RequestKind.WRITE_ON,
        account=write_off.account,
        amount=-write_off.amount,
        reason=reason,
        requested_by=requested_by,
        reverses=write_off,
    )
