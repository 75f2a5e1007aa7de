"""Housing Benefit overpayments a council recovered from us: recorded from a tenancy's account page, listed with
filters by status and council, and closed as recovered or written off (docs/debts.md)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tenancies.models import Tenancy
from tenancies.scoping import form_tenancy_check, scoped

from .constants import AccountKind, OverpaymentStatus, RequestKind, RequestStatus
from .forms_hb_overpayments import HbOverpaymentFilterForm, HbOverpaymentForm, HbRecoveredForm, HbWrittenOffForm
from .models import AdjustmentRequest, HousingBenefitOverpayment
from .services.hb_overpayments import hb_overpayment_record, hb_overpayment_recovered, hb_overpayment_written_off

OVERPAYMENTS = HousingBenefitOverpayment.objects.select_related("tenancy__property", "deducted_from", "recorded_by")


def _error(error) -> str:
    return error.messages[0] if isinstance(error, ValidationError) else str(error)


@permission_required("rentaccounts.add_housingbenefitoverpayment", raise_exception=True)
def hb_overpayment_add(request, payment_reference):
    tenancy = get_object_or_404(scoped(Tenancy.objects, request.user), payment_reference=payment_reference)
    form = HbOverpaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if form_tenancy_check(
            form=form, user=request.user, field="deducted_from_reference", tenancy=data["deducted_from"]
        ):
            try:
                overpayment = hb_overpayment_record(
                    tenancy=tenancy,
                    council=data["council"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    amount=data["amount"],
                    recovery_method=data["recovery_method"],
                    liability=data["liability"],
                    schedule_reference=data["schedule_reference"],
                    deducted_from=data["deducted_from"],
                    recovered_on=data["recovered_on"],
                    recorded_by=request.user,
                )
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, _error(error))
            else:
                messages.success(request, _what_was_posted(overpayment))
                return redirect("rentaccounts:hb_overpayment", pk=overpayment.pk)
    context = {"form": form, "tenancy": tenancy}
    return render(request, "rentaccounts/hb_overpayment_form.html", context, status=400 if form.errors else 200)


def _what_was_posted(overpayment: HousingBenefitOverpayment) -> str:
    said = ["Overpayment recorded."]
    if overpayment.status == OverpaymentStatus.OPEN:
        said.append(f"{overpayment.tenancy.payment_reference}'s rent account is charged with it.")
    else:
        said.append(f"It is the landlord's loss: {overpayment.tenancy.payment_reference} is not charged.")
    if overpayment.deducted_from_id:
        said.append(f"{overpayment.deducted_from.payment_reference} is credited with the Housing Benefit withheld.")
    return " ".join(said)


@permission_required("rentaccounts.view_housingbenefitoverpayment", raise_exception=True)
def hb_overpayments(request):
    filters = HbOverpaymentFilterForm(request.GET or None)
    rows = scoped(OVERPAYMENTS, request.user, "tenancy__")
    if filters.is_valid():
        if filters.cleaned_data["status"]:
            rows = rows.filter(status=filters.cleaned_data["status"])
        if filters.cleaned_data["council"]:
            rows = rows.filter(council__icontains=filters.cleaned_data["council"].strip())
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filters": filters, "page": page, "query": query.urlencode()}
    return render(request, "rentaccounts/hb_overpayments.html", context)


def _write_offs(overpayment):
    return AdjustmentRequest.objects.filter(
        kind=RequestKind.WRITE_OFF,
        status=RequestStatus.APPROVED,
        account__tenancy=overpayment.tenancy,
        account__kind=AccountKind.RENT,
    ).order_by("-decided_at")


@permission_required("rentaccounts.view_housingbenefitoverpayment", raise_exception=True)
def hb_overpayment(request, pk, recovered_form=None, written_off_form=None):
    overpayment = get_object_or_404(scoped(OVERPAYMENTS, request.user, "tenancy__"), pk=pk)
    write_offs = _write_offs(overpayment)
    context = {
        "overpayment": overpayment,
        "lines": overpayment.transactions.select_related("account__tenancy").order_by("effective_date", "id"),
        "recovered_form": recovered_form or HbRecoveredForm(auto_id="recovered-%s"),
        "written_off_form": written_off_form or HbWrittenOffForm(write_offs=write_offs, auto_id="written-off-%s"),
        "has_write_offs": write_offs.exists(),
        "error_form": recovered_form if recovered_form is not None else written_off_form,
    }
    status = 400 if context["error_form"] is not None else 200
    return render(request, "rentaccounts/hb_overpayment.html", context, status=status)


@require_POST
@permission_required("rentaccounts.change_housingbenefitoverpayment", raise_exception=True)
def hb_overpayment_close(request, pk):
    overpayment = get_object_or_404(scoped(OVERPAYMENTS, request.user, "tenancy__"), pk=pk)
    if "written_off" in request.POST:
        form = HbWrittenOffForm(request.POST, write_offs=_write_offs(overpayment), auto_id="written-off-%s")
        if form.is_valid():
            try:
                hb_overpayment_written_off(
                    overpayment=overpayment, write_off=form.cleaned_data["write_off"], marked_by=request.user
                )
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, _error(error))
            else:
                messages.success(request, "The overpayment is marked as written off.")
                return redirect("rentaccounts:hb_overpayment", pk=pk)
        return hb_overpayment(request, pk, written_off_form=form)
    form = HbRecoveredForm(request.POST, auto_id="recovered-%s")
    if form.is_valid():
        try:
            hb_overpayment_recovered(
                overpayment=overpayment, on=form.cleaned_data["recovered_on"], marked_by=request.user
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, _error(error))
        else:
            messages.success(request, "The overpayment is marked as recovered from the tenant.")
            return redirect("rentaccounts:hb_overpayment", pk=pk)
    return hb_overpayment(request, pk, recovered_form=form)
