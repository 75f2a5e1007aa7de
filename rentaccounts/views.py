from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tenancies.scoping import form_tenancy_check

from .constants import ImportStatus, SuspenseStatus
from .forms import PaymentFileForm, SuspenseAllocateForm, SuspenseRejectForm
from .imports.services import (
    import_batch_can_retry,
    import_batch_create,
    import_batch_retry,
    import_batch_start,
    suspense_item_allocate,
    suspense_item_reject,
)
from .models import ImportBatch, SuspenseItem


# Not one request transaction: the import commits chunk by chunk, as in the background, so a fault part way leaves the
# batch failed with what was posted, ready for Try again, rather than a server error (rentaccounts/imports/services.py).
@transaction.non_atomic_requests
@permission_required("incomeapp.use_payments", raise_exception=True)
def index(request):
    """The Payments page: import a file (small files at once, large ones in the background) and recent imports."""
    form = PaymentFileForm()
    if request.method == "POST":
        if not request.user.has_perm("rentaccounts.add_importbatch"):
            messages.error(request, "Your role cannot import payment files.")
            return redirect("rentaccounts:index")
        form = PaymentFileForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["payment_file"]
            try:
                batch = import_batch_create(
                    file_name=upload.name,
                    content=upload.read(),
                    format=form.cleaned_data["format"],
                    uploaded_by=request.user,
                )
            except ValidationError as error:
                form.add_error("payment_file", error.messages[0])
            else:
                import_batch_start(batch=batch)
                return redirect("rentaccounts:import_detail", pk=batch.pk)
    context = {
        "form": form,
        "recent_imports": ImportBatch.objects.defer("content")
        .select_related("uploaded_by")
        .order_by("-created_at")[:10],
        "open_suspense": SuspenseItem.objects.filter(status=SuspenseStatus.OPEN).count(),
    }
    return render(request, "rentaccounts/payments.html", context)


@permission_required("incomeapp.use_payments", raise_exception=True)
def import_detail(request, pk):
    batch = get_object_or_404(ImportBatch.objects.defer("content"), pk=pk)
    in_progress = batch.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
    percent = round(100 * batch.rows_done / batch.rows_read) if batch.rows_read else 0
    can_retry = request.user.has_perm("rentaccounts.add_importbatch") and import_batch_can_retry(batch)
    return render(
        request,
        "rentaccounts/import_detail.html",
        {
            "batch": batch,
            "in_progress": in_progress,
            "percent": percent,
            "report": batch.report,
            "can_retry": can_retry,
        },
    )


@transaction.non_atomic_requests
@require_POST
@permission_required(("incomeapp.use_payments", "rentaccounts.add_importbatch"), raise_exception=True)
def import_retry(request, pk):
    """Try again: a failed (or stalled) import resumes where it stopped; nothing already posted is posted again."""
    batch = get_object_or_404(ImportBatch.objects.defer("content"), pk=pk)
    try:
        batch = import_batch_retry(batch=batch, user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        import_batch_start(batch=batch)
    return redirect("rentaccounts:import_detail", pk=pk)


@permission_required("incomeapp.use_payments", raise_exception=True)
def suspense(request):
    items = (
        SuspenseItem.objects.filter(status=SuspenseStatus.OPEN)
        .select_related("batch")
        .defer("batch__content")
        .order_by("created_at", "id")
    )
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(request, "rentaccounts/suspense.html", {"page": page})


def _suspense_items():
    # The batch's file can be megabytes: the pages need only its name.
    return SuspenseItem.objects.select_related("batch", "resolved_by", "transaction__account__tenancy").defer(
        "batch__content"
    )


def _suspense_item_page(request, item, allocate_form=None, reject_form=None):
    needs = {"needs_amount": item.amount is None, "needs_date": item.effective_date is None}
    return render(
        request,
        "rentaccounts/suspense_item.html",
        {
            "item": item,
            "credit": -item.amount if item.amount is not None else None,
            "allocate_form": allocate_form or SuspenseAllocateForm(**needs),
            "reject_form": reject_form or SuspenseRejectForm(),
        },
    )


@permission_required("incomeapp.use_payments", raise_exception=True)
def suspense_item(request, pk):
    return _suspense_item_page(request, get_object_or_404(_suspense_items(), pk=pk))


@require_POST
@permission_required(("incomeapp.use_payments", "rentaccounts.change_suspenseitem"), raise_exception=True)
def suspense_item_allocate_view(request, pk):
    item = get_object_or_404(_suspense_items(), pk=pk)
    form = SuspenseAllocateForm(request.POST, needs_amount=item.amount is None, needs_date=item.effective_date is None)
    if form.is_valid() and form_tenancy_check(
        form=form, user=request.user, field="payment_reference", tenancy=form.cleaned_data["tenancy"]
    ):
        try:
            suspense_item_allocate(
                item=item,
                tenancy=form.cleaned_data["tenancy"],
                user=request.user,
                amount=form.cleaned_data["amount"],
                effective_date=form.cleaned_data["received_on"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(request, f"Payment allocated to {form.cleaned_data['payment_reference']}.")
            return redirect("rentaccounts:suspense_item", pk=item.pk)
    return _suspense_item_page(request, item, allocate_form=form)


@require_POST
@permission_required(("incomeapp.use_payments", "rentaccounts.change_suspenseitem"), raise_exception=True)
def suspense_item_reject_view(request, pk):
    item = get_object_or_404(_suspense_items(), pk=pk)
    form = SuspenseRejectForm(request.POST)
    if form.is_valid():
        try:
            suspense_item_reject(item=item, reason=form.cleaned_data["reason"], user=request.user)
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(request, "Payment rejected. It will not be posted.")
            return redirect("rentaccounts:suspense_item", pk=item.pk)
    return _suspense_item_page(request, item, reject_form=form)
