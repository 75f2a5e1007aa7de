"""The approvals queue, requests and decisions, and the account-checks queue. Services do the work and the checks."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from incomeapp.staff_changes import staff_changes_pending
from tenancies.scoping import form_tenancy_check, scoped

from .constants import AccountKind, CheckStatus, RequestStatus, WriteOffRunStatus
from .forms_approvals import AdjustmentRequestForm, CheckResolveForm, DecisionForm
from .models import AccountCheck, AdjustmentRequest, WriteOffRun
from .services.account_checks import account_check_resolve
from .services.approvals import (
    EXCEPTIONAL_TRANSFER,
    SELF_DECISION,
    adjustment_request_approve,
    adjustment_request_create,
    adjustment_request_reject,
    approval_problem,
    transfer_exceptions,
)

REQUESTS = AdjustmentRequest.objects.select_related(
    "account__tenancy", "to_account__tenancy", "requested_by", "decided_by", "reverses"
)


def _message(error: ValidationError | PermissionDenied) -> str:
    return error.messages[0] if isinstance(error, ValidationError) else str(error)


@permission_required("incomeapp.use_approvals", raise_exception=True)
def queue(request):
    requests = scoped(REQUESTS, request.user, "account__tenancy__")
    pending = list(requests.filter(status=RequestStatus.PENDING).order_by("created_at"))
    limit = request.user.delegated_authority_limit
    today = timezone.localdate()
    for item in pending:
        item.is_own = item.requested_by_id == request.user.pk
        # Within the limit for this request, what they approved for the tenancy lately, and the transfer rules.
        problem = None if item.is_own else approval_problem(request=item, approver=request.user)
        item.within_limit = problem is None
        item.needs_manager = bool(problem) and problem.startswith(EXCEPTIONAL_TRANSFER)
        item.days_waiting = (today - timezone.localtime(item.created_at).date()).days
    decided = requests.exclude(status=RequestStatus.PENDING).order_by("-decided_at")[:20]
    open_checks = (
        scoped(AccountCheck.objects, request.user, "account__tenancy__").filter(status=CheckStatus.OPEN).count()
    )
    context = {"pending": pending, "decided": decided, "limit": limit, "open_checks": open_checks}
    if request.user.has_perm("rentaccounts.view_writeoffrun"):
        proposed = WriteOffRun.objects.filter(status=WriteOffRunStatus.PROPOSED).select_related("proposed_by")
        context["write_off_runs_proposed"] = proposed.order_by("created_at")
    if request.user.has_perm("incomeapp.change_staffchangerequest"):
        context["staff_changes_waiting"] = staff_changes_pending().exclude(requested_by=request.user).count()
    return render(request, "rentaccounts/approval_queue.html", context)


def _accounts_in_scope(user, form) -> bool:
    checks = [
        form_tenancy_check(form=form, user=user, field=field, tenancy=account.tenancy if account else None)
        for field, account in (
            ("payment_reference", form.cleaned_data["account"]),
            ("to_payment_reference", form.cleaned_data["to_account"]),
        )
    ]
    return all(checks)


@permission_required("rentaccounts.add_adjustmentrequest", raise_exception=True)
def request_create(request):
    kind = request.GET.get("account", AccountKind.RENT)
    initial = {
        "payment_reference": request.GET.get("reference", ""),
        "account_kind": kind if kind in AccountKind.values else AccountKind.RENT,
        # Prefilled from a link (the arrears case's "move the debt to their current tenancy" step): still checked.
        **{
            field: request.GET[param][:200]
            for param, field in (
                ("kind", "kind"),
                ("to", "to_payment_reference"),
                ("amount", "amount"),
                ("why", "reason"),
            )
            if request.GET.get(param)
        },
    }
    form = AdjustmentRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and _accounts_in_scope(request.user, form):
        data = form.cleaned_data
        try:
            created = adjustment_request_create(
                kind=data["kind"],
                account=data["account"],
                amount=data["amount"],
                reason=data["reason"],
                requested_by=request.user,
                to_account=data["to_account"],
                write_off_reason=data.get("write_off_reason") or "",
                evidence=data.get("evidence") or "",
            )
        except ValidationError as error:
            field = error.code if getattr(error, "code", None) in ("write_off_reason", "evidence") else "amount"
            form.add_error(field, _message(error))
        else:
            exceptions = (
                transfer_exceptions(account=created.account, to_account=created.to_account, amount=created.amount)
                if created.to_account
                else []
            )
            if exceptions:
                messages.success(
                    request, f"Sent for approval. An Income Manager must approve it: {'; and '.join(exceptions)}."
                )
            else:
                messages.success(request, "Sent for approval. Someone with enough delegated authority will decide it.")
            return redirect("approvals:detail", pk=created.pk)
    return render(request, "rentaccounts/approval_request.html", {"form": form})


@permission_required("rentaccounts.view_adjustmentrequest", raise_exception=True)
def detail(request, pk, form=None):
    item = get_object_or_404(scoped(REQUESTS, request.user, "account__tenancy__"), pk=pk)
    is_own = item.requested_by_id == request.user.pk
    can_decide = (
        item.status == RequestStatus.PENDING
        and request.user.has_perm("rentaccounts.change_adjustmentrequest")
        and not is_own
    )
    problem = approval_problem(request=item, approver=request.user) if can_decide else None
    pending_transfer = item.status == RequestStatus.PENDING and item.to_account_id
    context = {
        "item": item,
        "form": form or DecisionForm(),
        "can_decide": can_decide,
        "is_own": is_own,
        "self_decision": SELF_DECISION,
        "within_limit": problem is None,
        "problem": problem,
        "transfer_exceptions": transfer_exceptions(account=item.account, to_account=item.to_account, amount=item.amount)
        if pending_transfer
        else [],
        "transactions": item.transactions.select_related("account__tenancy").order_by("id"),
    }
    return render(request, "rentaccounts/approval_detail.html", context)


@require_POST
@permission_required("rentaccounts.change_adjustmentrequest", raise_exception=True)
def decide(request, pk):
    item = get_object_or_404(scoped(AdjustmentRequest.objects, request.user, "account__tenancy__"), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return detail(request, pk, form=form)
    reason = form.cleaned_data["reason"]
    try:
        if "approve" in request.POST:
            adjustment_request_approve(request=item, approver=request.user, reason=reason)
            messages.success(request, "Approved. The transactions are posted.")
        else:
            adjustment_request_reject(request=item, approver=request.user, reason=reason)
            messages.success(request, "Rejected. Nothing was posted.")
    except (ValidationError, PermissionDenied) as error:
        form.add_error(None, _message(error))
        return detail(request, pk, form=form)
    return redirect("approvals:detail", pk=pk)


@permission_required("rentaccounts.view_accountcheck", raise_exception=True)
def checks(request):
    open_checks = scoped(AccountCheck.objects, request.user, "account__tenancy__").filter(status=CheckStatus.OPEN)
    open_checks = open_checks.select_related("account__tenancy")
    return render(request, "rentaccounts/check_queue.html", {"checks": open_checks.order_by("created_at", "id")})


@permission_required("rentaccounts.view_accountcheck", raise_exception=True)
def check_detail(request, pk):
    checks_seen = scoped(AccountCheck.objects, request.user, "account__tenancy__")
    check = get_object_or_404(checks_seen.select_related("account__tenancy", "resolved_by"), pk=pk)
    lines = list(check.transactions.select_related("reversed_by").order_by("id"))
    form = CheckResolveForm(request.POST or None, transactions=lines)
    if request.method == "POST":
        if not request.user.has_perm("rentaccounts.change_accountcheck"):
            raise PermissionDenied
        if form.is_valid():
            try:
                account_check_resolve(
                    check=check,
                    user=request.user,
                    outcome=form.cleaned_data["outcome"],
                    note=form.cleaned_data["note"],
                    reverse_transaction=form.cleaned_data["reverse_transaction"],
                )
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, _message(error))
            else:
                messages.success(request, "Check resolved.")
                return redirect("approvals:checks")
    return render(request, "rentaccounts/check_detail.html", {"check": check, "lines": lines, "form": form})
