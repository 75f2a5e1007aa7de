from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from incomeapp.refusals import refusal_shown
from tenancies.scoping import form_tenancy_check, scoped

from .constants import MandateStatus
from .forms_approvals import MandateCancelForm, MandateForm, ReturnFileForm
from .models import DirectDebitMandate
from .services.direct_debits import (
    direct_debit_mandate_cancel,
    direct_debit_mandate_create,
    direct_debit_returns_import,
)


@permission_required("incomeapp.use_payments", raise_exception=True)
def index(request):
    mandate_form, return_form, report = MandateForm(), ReturnFileForm(), None
    if request.method == "POST" and "set_up" in request.POST:
        mandate_form = MandateForm(request.POST)
        if mandate_form.is_valid() and form_tenancy_check(
            form=mandate_form,
            user=request.user,
            field="payment_reference",
            tenancy=mandate_form.cleaned_data["tenancy"],
        ):
            data = mandate_form.cleaned_data
            try:
                direct_debit_mandate_create(
                    tenancy=data["tenancy"],
                    reference=data["reference"],
                    collection_day=data["collection_day"],
                    start_date=data["start_date"],
                    amount=data["amount"],
                    user=request.user,
                )
            except ValidationError as error:
                mandate_form.add_error(None, error.messages[0])
            else:
                messages.success(request, f"Direct debit set up for {data['payment_reference']}.")
                return redirect("direct_debits:index")
    elif request.method == "POST" and "returns" in request.POST:
        return_form = ReturnFileForm(request.POST, request.FILES)
        if return_form.is_valid():
            upload = return_form.cleaned_data["return_file"]
            try:
                report = direct_debit_returns_import(content=upload.read(), file_name=upload.name, user=request.user)
            except ValidationError as error:
                return_form.add_error("return_file", error.messages[0])
    return _page(request, mandate_form=mandate_form, return_form=return_form, report=report)


def _page(request, *, mandate_form=None, return_form=None, report=None, cancel_error=None):
    """The direct debits page; `cancel_error` is (mandate, message) when a cancellation was refused."""
    mandates = scoped(DirectDebitMandate.objects.select_related("tenancy"), request.user, "tenancy__").order_by(
        "status", "-start_date"
    )
    context = {
        "mandate_form": mandate_form or MandateForm(),
        "return_form": return_form or ReturnFileForm(),
        "report": report,
        "page": Paginator(mandates, 50).get_page(request.GET.get("page")),
        "methods": MandateCancelForm.base_fields["new_payment_method"].choices,
        "cancel_error": cancel_error and {"pk": cancel_error[0].pk, "message": cancel_error[1]},
    }
    return render(request, "rentaccounts/direct_debits.html", context)


@require_POST
@permission_required("rentaccounts.change_directdebitmandate", raise_exception=True)
def cancel(request, pk):
    mandates = scoped(DirectDebitMandate.objects, request.user, "tenancy__")
    mandate = get_object_or_404(mandates, pk=pk, status=MandateStatus.ACTIVE)
    form = MandateCancelForm(request.POST)
    if not form.is_valid():
        return _page(request, cancel_error=(mandate, form.errors["new_payment_method"][0]))
    with refusal_shown(request):
        direct_debit_mandate_cancel(
            mandate=mandate,
            cancelled_on=timezone.localdate(),
            new_payment_method=form.cleaned_data["new_payment_method"],
            user=request.user,
        )
        messages.success(request, f"Direct debit {mandate.reference} cancelled.")
    return redirect("direct_debits:index")
