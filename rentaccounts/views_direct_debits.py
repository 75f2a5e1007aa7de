from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tenancies.constants import PaymentMethod

from .constants import MandateStatus
from .direct_debits import direct_debit_mandate_cancel, direct_debit_mandate_create, direct_debit_returns_import
from .forms import MandateForm, ReturnFileForm
from .models import DirectDebitMandate

OTHER_METHODS = [(value, label) for value, label in PaymentMethod.choices if value != PaymentMethod.DIRECT_DEBIT]


@permission_required("incomeapp.use_payments", raise_exception=True)
def index(request):
    mandate_form, return_form, outcomes = MandateForm(), ReturnFileForm(), None
    if request.method == "POST" and "set_up" in request.POST:
        mandate_form = MandateForm(request.POST)
        if mandate_form.is_valid():
            data = mandate_form.cleaned_data
            try:
                direct_debit_mandate_create(
                    tenancy=data["tenancy"],
                    reference=data["reference"],
                    collection_day=data["collection_day"],
                    start_date=data["start_date"],
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
            try:
                outcomes = direct_debit_returns_import(
                    content=return_form.cleaned_data["return_file"].read(), user=request.user
                )
            except ValidationError as error:
                return_form.add_error("return_file", error.messages[0])
    mandates = DirectDebitMandate.objects.select_related("tenancy").order_by("status", "-start_date")
    context = {
        "mandate_form": mandate_form,
        "return_form": return_form,
        "outcomes": outcomes,
        "page": Paginator(mandates, 50).get_page(request.GET.get("page")),
        "methods": OTHER_METHODS,
    }
    return render(request, "rentaccounts/direct_debits.html", context)


@require_POST
@permission_required("rentaccounts.change_directdebitmandate", raise_exception=True)
def cancel(request, pk):
    mandate = get_object_or_404(DirectDebitMandate, pk=pk, status=MandateStatus.ACTIVE)
    try:
        direct_debit_mandate_cancel(
            mandate=mandate,
            cancelled_on=timezone.localdate(),
            new_payment_method=request.POST.get("new_payment_method", ""),
            user=request.user,
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"Direct debit {mandate.reference} cancelled.")
    return redirect("direct_debits:index")
