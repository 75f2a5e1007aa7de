"""Ending a tenancy and correcting its end (form, check your answers with the figures, confirmation), and the
confirmation's refund and transfer of a credit left at the end."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from incomeapp.money import ZERO, format_money
from incomeapp.refusals import refusal_shown
from lifecycle.ending import (
    credit_refund_request,
    credit_request_pending,
    credit_transfer_request,
    tenancy_end,
    tenancy_end_correct,
    tenancy_end_latest,
)
from lifecycle.forms_ending import CreditTransferForm, EndCorrectForm, EndForm
from rentaccounts.models import AdjustmentRequest
from rentaccounts.services import account_get_or_create
from tenancies.constants import TenancyEventKind, TenancyStatus
from tenancies.models import TenancyEvent
from tenancies.scoping import form_tenancy_check

from .steps import (
    ASK,
    END,
    TEMPLATES,
    _check_page,
    _ended_redirect,
    _posted,
    _service_errors,
    _service_result,
    _stage,
    _tenancy,
)

# ---- ending ----------------------------------------------------------------------------------------------------------


@permission_required(END, raise_exception=True)
def end(request, payment_reference):
    tenancy = _tenancy(payment_reference, request.user)
    message = f"{tenancy.payment_reference} has already ended. To change the end, correct it here."
    if ended := _ended_redirect(request, tenancy, message, to="lifecycle:end_correct"):
        return ended
    form = EndForm(_posted(request))
    if (result := _service_result(request, form, _end_work(tenancy_end, request.user, tenancy))) is not None:
        if _stage(request) == "confirm":
            messages.success(request, result.summary)
            return redirect("lifecycle:end_done", tenancy.payment_reference)
        return _check_page(request, tenancy, "check_end.html", result, note=form.cleaned_data["note"], preview=True)
    return render(request, f"{TEMPLATES}/end.html", {"tenancy": tenancy, "form": form, "correcting": False})


@permission_required(END, raise_exception=True)
def end_correct(request, payment_reference):
    tenancy = _tenancy(payment_reference, request.user)
    if tenancy.status != TenancyStatus.FORMER:
        return redirect("lifecycle:end", tenancy.payment_reference)
    initial = {
        "reason": tenancy.end_reason,
        "last_day": tenancy.end_date,
        "forwarding_address": tenancy.forwarding_address,
    }
    form = EndCorrectForm(_posted(request), initial=initial)
    if (result := _service_result(request, form, _end_work(tenancy_end_correct, request.user, tenancy))) is not None:
        if not result.changed:
            messages.info(request, result.summary)
            return redirect("lifecycle:end_done", tenancy.payment_reference)
        if _stage(request) == "confirm":
            messages.success(request, result.summary)
            return redirect("lifecycle:end_done", tenancy.payment_reference)
        note = form.cleaned_data["note"]
        return _check_page(request, tenancy, "check_end.html", result, note=note, correcting=True, preview=True)
    return render(request, f"{TEMPLATES}/end.html", {"tenancy": tenancy, "form": form, "correcting": True})


def _end_work(service, by, tenancy):
    """The work of ending the tenancy, or of correcting its end (`service`), with the end form's answers."""

    def work(data, *, dry_run):
        return service(
            by=by,
            tenancy=tenancy,
            last_day=data["last_day"],
            reason=data["reason"],
            forwarding_address=data["forwarding_address"],
            note=data["note"],
            dry_run=dry_run,
        )

    return work


@permission_required(END, raise_exception=True)
def end_done(request, payment_reference):
    """What ending the tenancy did, and what to do about its balance now: the confirmation page, which stays useful
    afterwards (the credit's refund and transfer buttons are here)."""
    tenancy = _tenancy(payment_reference, request.user)
    event = tenancy_end_latest(tenancy=tenancy)
    if tenancy.status != TenancyStatus.FORMER:
        return redirect("tenancies:detail", tenancy.payment_reference)
    account = account_get_or_create(tenancy=tenancy)
    pending = credit_request_pending(tenancy=tenancy)
    incoming = (
        AdjustmentRequest.objects.filter(to_account=account, status="pending").order_by("created_at").first()
        if account.balance > ZERO
        else None
    )
    context = {
        "tenancy": tenancy,
        "event": event,
        "ended": TenancyEvent.objects.filter(tenancy=tenancy, kind=TenancyEventKind.ENDED).order_by("-id").first()
        or event,
        "account": account,
        "balance": account.balance,
        "credit": -account.balance if account.balance < ZERO else ZERO,
        "pending": pending or incoming,
        "can_ask": request.user.has_perm(ASK),
        "moves": TenancyEvent.objects.filter(
            tenancy=tenancy, kind__in=[TenancyEventKind.TRANSFER, TenancyEventKind.MUTUAL_EXCHANGE]
        ).select_related("related_tenancy"),
    }
    return render(request, f"{TEMPLATES}/done.html", context)


@require_POST
@permission_required((END, ASK), raise_exception=True)
def end_refund(request, payment_reference):
    tenancy = _tenancy(payment_reference, request.user)
    with refusal_shown(request):
        asked = credit_refund_request(by=request.user, tenancy=tenancy)
        messages.success(
            request,
            f"Refund of {format_money(asked.amount)} sent for approval. Someone else with enough delegated authority "
            "decides it in Approvals; nothing is paid before.",
        )
        return redirect("approvals:detail", pk=asked.pk)
    return redirect("lifecycle:end_done", tenancy.payment_reference)  # refused: back to the page, with the reason


@permission_required((END, ASK), raise_exception=True)
def end_credit_transfer(request, payment_reference):
    tenancy = _tenancy(payment_reference, request.user)
    form = CreditTransferForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and form_tenancy_check(
            form=form, user=request.user, field="to_payment_reference", tenancy=form.cleaned_data["to_tenancy"]
        )
    ):
        try:
            asked = credit_transfer_request(
                by=request.user,
                tenancy=tenancy,
                to_tenancy=form.cleaned_data["to_tenancy"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(
                request,
                f"Transfer of {format_money(asked.amount)} to {asked.to_account.tenancy.payment_reference} sent for "
                "approval. Someone else decides it in Approvals; nothing moves before.",
            )
            return redirect("approvals:detail", pk=asked.pk)
    account_credit = credit_request_pending(tenancy=tenancy)
    balance = account_get_or_create(tenancy=tenancy).balance
    context = {"tenancy": tenancy, "form": form, "credit": -balance, "pending": account_credit}
    return render(request, f"{TEMPLATES}/credit_transfer.html", context)
