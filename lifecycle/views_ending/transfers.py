"""Transfers and mutual exchanges: the form, the check page with both tenancies' figures, and the confirmation."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import redirect, render

from incomeapp.money import format_money
from lifecycle.ending import tenancy_end_latest, tenancy_mutual_exchange, tenancy_transfer
from lifecycle.forms_ending import ExchangeForm, TransferForm
from rentaccounts.models import AdjustmentRequest
from rentaccounts.services import account_get_or_create
from tenancies.constants import TenancyEventKind
from tenancies.models import TenancyEvent

from .steps import END, TEMPLATES, _check_page, _ended_redirect, _new_people, _posted, _service_result, _stage, _tenancy

# ---- transfers and mutual exchanges ----------------------------------------------------------------------------------


@permission_required(END, raise_exception=True)
def transfer(request, payment_reference):
    tenancy = _tenancy(payment_reference, request.user)
    if ended := _ended_redirect(request, tenancy, f"{tenancy.payment_reference} has already ended."):
        return ended
    form = TransferForm(_posted(request))

    def work(data, *, dry_run):
        return tenancy_transfer(
            by=request.user,
            tenancy=tenancy,
            to_property=data["to_property"],
            start_date=data["start_date"],
            carry_balance=data["carry_balance"] == "carry",
            tenure_type=data["tenure_type"],
            note=data["note"],
            dry_run=dry_run,
        )

    if (result := _service_result(request, form, work)) is not None:
        if _stage(request) == "confirm":
            new = result.new_tenancies[0]
            text = f"Transfer recorded: {tenancy.payment_reference} ended and {new.payment_reference} signed up."
            if result.requests:
                text += f" The balance of {format_money(result.ended[0].balance)} waits for approval to move."
            messages.success(request, text)
            return redirect("lifecycle:moved", tenancy.payment_reference)
        return _check_page(request, tenancy, "check_move.html", result, preview=True)
    return render(request, f"{TEMPLATES}/transfer.html", {"tenancy": tenancy, "form": form})


@permission_required(END, raise_exception=True)
def mutual_exchange(request, payment_reference):
    tenancy = _tenancy(payment_reference, request.user)
    if ended := _ended_redirect(request, tenancy, f"{tenancy.payment_reference} has already ended."):
        return ended
    form = ExchangeForm(_posted(request))

    def work(data, *, dry_run):
        return tenancy_mutual_exchange(
            by=request.user,
            tenancy=tenancy,
            on=data["on"],
            incoming_tenants=_new_people(request.user, data["new_people"]) or None,
            partner_tenancy=data["partner"],
            forwarding_address=data["forwarding_address"],
            note=data["note"],
            send_letters=not dry_run,
        )

    if (result := _service_result(request, form, work, rolled_back=True)) is not None:
        if _stage(request) == "confirm":
            made = ", ".join(t.payment_reference for t in result.new_tenancies)
            messages.success(request, f"Mutual exchange recorded: {tenancy.payment_reference} ended; {made} signed up.")
            return redirect("lifecycle:moved", tenancy.payment_reference)
        return _check_page(request, tenancy, "check_move.html", result, exchange=True, preview=True)
    return render(request, f"{TEMPLATES}/exchange.html", {"tenancy": tenancy, "form": form})


@permission_required(END, raise_exception=True)
def moved(request, payment_reference):
    """The confirmation of a transfer or exchange: what ended, what was signed up, and where the balance went."""
    tenancy = _tenancy(payment_reference, request.user)
    events = list(
        TenancyEvent.objects.filter(
            tenancy=tenancy, kind__in=[TenancyEventKind.TRANSFER, TenancyEventKind.MUTUAL_EXCHANGE]
        ).select_related("related_tenancy__property")
    )
    if not events:
        raise Http404("No transfer or exchange is recorded for this tenancy.")
    request_id = events[0].detail.get("balance_request")
    carried = (
        AdjustmentRequest.objects.select_related("account__tenancy", "to_account__tenancy")
        .filter(pk=request_id)
        .first()
        if request_id
        else None
    )
    context = {
        "tenancy": tenancy,
        "events": events,
        "balance": account_get_or_create(tenancy=tenancy).balance,
        "balance_request": carried,
        "carried_to": (carried.to_account if carried.account.tenancy_id == tenancy.pk else carried.account).tenancy
        if carried
        else None,
        "ended": tenancy_end_latest(tenancy=tenancy),
    }
    return render(request, f"{TEMPLATES}/moved.html", context)
