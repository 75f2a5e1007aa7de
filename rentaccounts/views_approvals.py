from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .account_checks import account_check_resolve
from .approvals import adjustment_request_approve, adjustment_request_create, adjustment_request_reject
from .constants import CheckStatus, RequestStatus
from .forms import AdjustmentRequestForm, CheckResolveForm, DecisionForm
from .models import AccountCheck, AdjustmentRequest

REQUESTS = AdjustmentRequest.objects.select_related(
    "account__tenancy", "to_account__tenancy", "requested_by", "decided_by"
)


@permission_required("incomeapp.use_approvals", raise_exception=True)
def queue(request):
    pending = list(REQUESTS.filter(status=RequestStatus.PENDING).order_by("created_at"))
    limit = request.user.delegated_authority_limit
    for item in pending:
        item.is_own = item.requested_by_id == request.user.pk
        item.within_limit = abs(item.amount) <= limit
    decided = REQUESTS.exclude(status=RequestStatus.PENDING).order_by("-decided_at")[:20]
    open_checks = AccountCheck.objects.filter(status=CheckStatus.OPEN).count()
    context = {"pending": pending, "decided": decided, "limit": limit, "open_checks": open_checks}
    return render(request, "rentaccounts/approval_queue.html", context)


@permission_required("rentaccounts.add_adjustmentrequest", raise_exception=True)
def request_create(request):
    initial = {
        "payment_reference": request.GET.get("reference", ""),
        "account_kind": request.GET.get("account", "rent"),
    }
    form = AdjustmentRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = adjustment_request_create(
                kind=data["kind"],
                account=data["account"],
                amount=data["amount"],
                reason=data["reason"],
                requested_by=request.user,
                to_account=data["to_account"],
            )
        except ValidationError as error:
            form.add_error("amount", error.messages[0])
        else:
            messages.success(request, "Sent for approval. Someone with enough delegated authority will decide it.")
            return redirect("approvals:detail", pk=created.pk)
    return render(request, "rentaccounts/approval_request.html", {"form": form})


@permission_required("rentaccounts.view_adjustmentrequest", raise_exception=True)
def detail(request, pk, form=None):
    item = get_object_or_404(REQUESTS, pk=pk)
    can_decide = (
        item.status == RequestStatus.PENDING
        and request.user.has_perm("rentaccounts.change_adjustmentrequest")
        and item.requested_by_id != request.user.pk
    )
    context = {
        "item": item,
        "form": form or DecisionForm(),
        "can_decide": can_decide,
        "is_own": item.requested_by_id == request.user.pk,
        "within_limit": abs(item.amount) <= request.user.delegated_authority_limit,
        "transactions": item.transactions.select_related("account__tenancy"),
    }
    return render(request, "rentaccounts/approval_detail.html", context)


@require_POST
@permission_required("rentaccounts.change_adjustmentrequest", raise_exception=True)
def decide(request, pk):
    item = get_object_or_404(AdjustmentRequest, pk=pk)
    form = DecisionForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    try:
        if "approve" in request.POST:
            adjustment_request_approve(request=item, approver=request.user, reason=reason)
            messages.success(request, "Approved. The transactions are posted.")
        else:
            adjustment_request_reject(request=item, approver=request.user, reason=reason)
            messages.success(request, "Rejected. Nothing was posted.")
    except (ValidationError, PermissionDenied) as error:
        form.add_error("reason", error.messages[0] if isinstance(error, ValidationError) else str(error))
        return detail(request, pk, form=form)
    return redirect("approvals:detail", pk=pk)


@permission_required("rentaccounts.view_accountcheck", raise_exception=True)
def checks(request):
    open_checks = AccountCheck.objects.filter(status=CheckStatus.OPEN).select_related("account__tenancy")
    return render(request, "rentaccounts/check_queue.html", {"checks": open_checks.order_by("created_at")})


@permission_required("rentaccounts.view_accountcheck", raise_exception=True)
def check_detail(request, pk):
    check = get_object_or_404(AccountCheck.objects.select_related("account__tenancy", "resolved_by"), pk=pk)
    lines = list(check.transactions.order_by("id"))
    form = CheckResolveForm(request.POST or None, transactions=lines)
    if request.method == "POST" and form.is_valid():
        reverse = next((t for t in lines if str(t.pk) == form.cleaned_data["reverse"]), None)
        try:
            account_check_resolve(
                check=check,
                user=request.user,
                genuine=form.cleaned_data["outcome"] == "genuine",
                note=form.cleaned_data["note"],
                reverse=reverse,
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error.messages[0] if isinstance(error, ValidationError) else str(error))
        else:
            messages.success(request, "Check resolved.")
            return redirect("approvals:checks")
    return render(request, "rentaccounts/check_detail.html", {"check": check, "lines": lines, "form": form})
