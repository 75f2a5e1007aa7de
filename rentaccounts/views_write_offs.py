"""Small balances to write off (a manager proposes a run, another approves it) and write-ons. Services do the work."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_POST

from incomeapp.money import format_money
from tenancies.scoping import is_scoped, scoped

from .constants import AccountKind, RequestKind, RequestStatus, WriteOffRunStatus
from .forms_approvals import DecisionForm
from .forms_write_offs import DEFAULT_BALANCE_UNDER, DEFAULT_ENDED_MONTHS, RunRuleForm, WriteOnForm
from .models import AdjustmentRequest, WriteOffRun
from .selectors_write_offs import ended_by, lines_total, write_off_run_lines
from .services.write_off_rules import write_on_allowed
from .services.write_offs import (
    SELF_RUN_DECISION,
    WRITTEN_OFF,
    write_off_run_approve,
    write_off_run_propose,
    write_off_run_reject,
    write_on_request_create,
)

EVERY_TENANCY = "A small-balance run covers every tenancy, so it needs someone who sees them all."
DEFAULT_RULE = {
    "balance_under": DEFAULT_BALANCE_UNDER,
    "ended_months": str(DEFAULT_ENDED_MONTHS),
    "account_kinds": list(AccountKind.values),
}


def _message(error: ValidationError | PermissionDenied) -> str:
    return error.messages[0] if isinstance(error, ValidationError) else str(error)


def _every_tenancy(user) -> None:
    if is_scoped(user):
        raise PermissionDenied(EVERY_TENANCY)


def _shown(lines: list[dict]) -> list[dict]:
    """The lines with their dates and money as values the page formats."""
    return [{**line, "ended_on": parse_date(line["ended_on"]), "balance": Decimal(line["balance"])} for line in lines]


@permission_required("rentaccounts.add_writeoffrun", raise_exception=True)
def small_balances(request):
    """The rule, the list it finds and its total; proposing stores the run as seen."""
    _every_tenancy(request.user)
    source = request.POST if request.method == "POST" else (request.GET or DEFAULT_RULE)
    form = RunRuleForm(source)
    lines = None
    if form.is_valid():
        rule = form.rule()
        if request.method == "POST":
            try:
                seen_total = Decimal(request.POST.get("seen_total", ""))
                seen_count = int(request.POST.get("seen_count", ""))
            except (InvalidOperation, ValueError):
                seen_total, seen_count = Decimal("-1"), -1
            try:
                run = write_off_run_propose(
                    rule=rule, proposed_by=request.user, seen_count=seen_count, seen_total=seen_total
                )
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, _message(error))
            else:
                messages.success(
                    request,
                    f"Proposed: {run.accounts_count} balance{'s' if run.accounts_count != 1 else ''} totalling "
                    f"{format_money(run.total)}. Another manager must approve it before anything is written off.",
                )
                return redirect("approvals:write_off_run", pk=run.pk)
        lines = write_off_run_lines(rule=rule, on=timezone.localdate())
        form.ended_by = ended_by(rule=rule, on=timezone.localdate())
    runs = WriteOffRun.objects.select_related("proposed_by", "decided_by").order_by("-created_at")[:20]
    context = {
        "form": form,
        "lines": _shown(lines) if lines else lines,
        "total": lines_total(lines) if lines else None,
        "runs": runs,
    }
    return render(request, "rentaccounts/write_off_small_balances.html", context)


@permission_required("rentaccounts.view_writeoffrun", raise_exception=True)
def run_detail(request, pk, form=None, outcome=None):
    _every_tenancy(request.user)
    run = get_object_or_404(WriteOffRun.objects.select_related("proposed_by", "decided_by"), pk=pk)
    is_own = run.proposed_by_id == request.user.pk
    can_decide = (
        run.status == WriteOffRunStatus.PROPOSED
        and request.user.has_perm("rentaccounts.change_writeoffrun")
        and request.user.has_perm("rentaccounts.change_adjustmentrequest")
        and not is_own
    )
    lines = _shown(run.lines)
    context = {
        "run": run,
        "lines": lines,
        "skipped": [line for line in lines if line.get("outcome") not in (None, WRITTEN_OFF)],
        "written_off": [line for line in lines if line.get("outcome") == WRITTEN_OFF],
        "form": form or DecisionForm(),
        "can_decide": can_decide,
        "is_own": is_own,
        "self_decision": SELF_RUN_DECISION,
        "kinds": [AccountKind(kind).label for kind in run.account_kinds if kind in AccountKind.values],
    }
    return render(request, "rentaccounts/write_off_run.html", context)


@require_POST
@permission_required("rentaccounts.change_writeoffrun", raise_exception=True)
def run_decide(request, pk):
    _every_tenancy(request.user)
    run = get_object_or_404(WriteOffRun, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return run_detail(request, pk, form=form)
    reason = form.cleaned_data["reason"]
    try:
        if "approve" in request.POST:
            outcome = write_off_run_approve(run=run, approver=request.user, reason=reason)
            messages.success(request, outcome.summary())
        else:
            write_off_run_reject(run=run, approver=request.user, reason=reason)
            messages.success(request, "Rejected. Nothing was written off.")
    except (ValidationError, PermissionDenied) as error:
        form.add_error(None, _message(error))
        return run_detail(request, pk, form=form)
    return redirect("approvals:write_off_run", pk=pk)


@permission_required("rentaccounts.add_adjustmentrequest", raise_exception=True)
def write_on(request, pk):
    """Asks to reverse an approved write-off (a write-on), whole; someone else approves it."""
    requests = scoped(AdjustmentRequest.objects.select_related("account__tenancy"), request.user, "account__tenancy__")
    write_off = get_object_or_404(requests, pk=pk, kind=RequestKind.WRITE_OFF, status=RequestStatus.APPROVED)
    if not write_on_allowed(write_off=write_off):
        messages.info(request, "This write-off has already been written on, or a write-on is waiting for a decision.")
        return redirect("approvals:detail", pk=pk)
    form = WriteOnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = write_on_request_create(
                write_off=write_off, reason=form.cleaned_data["reason"], requested_by=request.user
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, _message(error))
        else:
            messages.success(
                request,
                "Sent for approval. When someone with enough delegated authority approves it, the write-off is "
                "reversed and the debt is owed again.",
            )
            return redirect("approvals:detail", pk=created.pk)
    return render(request, "rentaccounts/write_on_request.html", {"form": form, "write_off": write_off})
