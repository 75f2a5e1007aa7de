from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from incomeapp.money import format_money
from incomeapp.refusals import refusal_shown
from tenancies.models import Tenancy, TenancyTenant
from tenancies.scoping import form_tenancy_check, payment_references_visible

from .constants import AccountKind, ImportStatus, SuspenseStatus
from .forms import PaymentFileForm, SuspenseAllocateForm, SuspenseRejectForm
from .imports.services import (
    import_batch_can_retry,
    import_batch_confirm,
    import_batch_create,
    import_batch_credited,
    import_batch_discard,
    import_batch_retry,
    import_batch_start,
    import_preview,
    suspense_item_allocate,
    suspense_item_reject,
)
from .models import Account, ImportBatch, SuspenseItem

SHOW_ACCOUNTS = 200  # the most tenancies a dry run or an import's page lists


# Not one request transaction: the import commits chunk by chunk, as in the background, so a fault part way leaves the
# batch failed with what was posted, ready for Try again, rather than a server error (rentaccounts/imports/services.py).
@transaction.non_atomic_requests
@permission_required("incomeapp.use_payments", raise_exception=True)
def index(request):
    """The Payments page: upload a file, which is checked (a dry run: nothing posted) for a person to confirm on its
    page; recent imports."""
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
                    check_first=True,
                )
            except ValidationError as error:
                form.add_error("payment_file", error.messages[0])
            else:
                if batch.status == ImportStatus.CHECKED:
                    return redirect("rentaccounts:import_detail", pk=batch.pk)
                # A failed import's file uploaded again resumes it (nothing posted twice).
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


def _tenancies_listed(request, amounts: dict) -> list[dict]:
    """Payment reference, tenants' names, address and the sum, for the first SHOW_ACCOUNTS references the user may
    see (two queries)."""
    references = sorted(payment_references_visible(request.user, amounts))[:SHOW_ACCOUNTS]
    tenancies = Tenancy.objects.filter(payment_reference__in=references).select_related("property")
    tenancies = {
        tenancy.payment_reference: tenancy
        for tenancy in tenancies.prefetch_related(
            Prefetch("tenancy_tenants", TenancyTenant.objects.select_related("person").order_by("-is_lead", "id"))
        )
    }
    rows = []
    for reference in references:
        tenancy = tenancies.get(reference)
        people = [link.person for link in tenancy.tenancy_tenants.all()] if tenancy else []
        rows.append(
            {
                "payment_reference": reference,
                "names": " and ".join(person.full_name for person in people),
                "address": tenancy.property.one_line_address if tenancy else "",
                "amount": amounts[reference],
            }
        )
    return rows


@permission_required("incomeapp.use_payments", raise_exception=True)
def import_detail(request, pk):
    batch = get_object_or_404(ImportBatch.objects.defer("content"), pk=pk)
    context = _import_progress(request, batch)
    if batch.status == ImportStatus.CHECKED:
        content = ImportBatch.objects.values_list("content", flat=True).get(pk=pk)
        preview = import_preview(content=bytes(content), format=batch.format)
        context.update(
            preview=preview,
            # Lists, not the Counters: a template would read `.items` of a Counter as its (zero) count of "items".
            suspense_reasons=list(preview.suspense.items()),
            rejected_reasons=list(preview.rejected.items()),
            suspense_count=sum(preview.suspense.values()),
            rejected_count=sum(preview.rejected.values()),
            would_credit=_tenancies_listed(request, preview.credits),
            would_credit_count=len(preview.credits),
            can_confirm=request.user.has_perm("rentaccounts.add_importbatch"),
        )
    elif batch.status == ImportStatus.COMPLETED:
        credited = {row["payment_reference"]: row["credited"] for row in import_batch_credited(batch)}
        context.update(credited=_tenancies_listed(request, credited), credited_count=len(credited))
    return render(request, "rentaccounts/import_detail.html", context)


def _import_progress(request, batch) -> dict:
    in_progress = batch.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
    return {
        "batch": batch,
        "in_progress": in_progress,
        "percent": round(100 * batch.rows_done / batch.rows_read) if batch.rows_read else 0,
        "report": batch.report,
        "can_retry": request.user.has_perm("rentaccounts.add_importbatch") and import_batch_can_retry(batch),
    }


@permission_required("incomeapp.use_payments", raise_exception=True)
def import_progress(request, pk):
    """The import's progress, alone: the page polls it (htmx) while the import runs; finished, it says so and links to
    the full result."""
    batch = get_object_or_404(ImportBatch.objects.defer("content"), pk=pk)
    return render(request, "rentaccounts/_import_progress.html", _import_progress(request, batch))


@transaction.non_atomic_requests
@require_POST
@permission_required(("incomeapp.use_payments", "rentaccounts.add_importbatch"), raise_exception=True)
def import_confirm(request, pk):
    """Post the payments the dry run showed: once, however often the button is pressed."""
    batch = get_object_or_404(ImportBatch.objects.defer("content"), pk=pk)
    try:
        batch = import_batch_confirm(batch=batch, user=request.user)
    except ValidationError as error:
        messages.info(request, error.messages[0])
        return redirect("rentaccounts:import_detail", pk=pk)
    queued = import_batch_start(batch=batch)
    batch.refresh_from_db()
    if queued:
        messages.success(request, "The payments are being posted. This page shows the progress; you can leave it.")
    elif batch.status == ImportStatus.COMPLETED:
        messages.success(
            request,
            f"{batch.rows_posted} payment{'s' if batch.rows_posted != 1 else ''} posted "
            f"({format_money(batch.total_posted)} credited); {batch.rows_suspense} held in suspense. "
            "The accounts credited are listed below and will be reviewed again.",
        )
    return redirect("rentaccounts:import_detail", pk=pk)


@require_POST
@permission_required(("incomeapp.use_payments", "rentaccounts.add_importbatch"), raise_exception=True)
def import_discard(request, pk):
    batch = get_object_or_404(ImportBatch.objects.defer("content"), pk=pk)
    name = batch.file_name
    with refusal_shown(request):
        import_batch_discard(batch=batch, user=request.user)
        messages.success(request, f"The import of {name} was cancelled. Nothing was posted.")
        return redirect("rentaccounts:index")
    return redirect("rentaccounts:import_detail", pk=pk)  # refused: back to the import, with the reason


@transaction.non_atomic_requests
@require_POST
@permission_required(("incomeapp.use_payments", "rentaccounts.add_importbatch"), raise_exception=True)
def import_retry(request, pk):
    """Try again: a failed (or stalled) import resumes where it stopped; nothing already posted is posted again."""
    batch = get_object_or_404(ImportBatch.objects.defer("content"), pk=pk)
    with refusal_shown(request):
        batch = import_batch_retry(batch=batch, user=request.user)
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
    """Allocate in two steps: the form, then a page showing the tenancy it will credit (names, address, reference,
    balance now) and the sum, to confirm. Posted once: a second confirm finds the item already allocated."""
    item = get_object_or_404(_suspense_items(), pk=pk)
    if item.status != SuspenseStatus.OPEN:
        messages.info(
            request, f"This payment has already been {item.get_status_display().lower()}. Nothing was posted again."
        )
        return redirect("rentaccounts:suspense_item", pk=item.pk)
    form = SuspenseAllocateForm(request.POST, needs_amount=item.amount is None, needs_date=item.effective_date is None)
    if form.is_valid() and form_tenancy_check(
        form=form, user=request.user, field="payment_reference", tenancy=form.cleaned_data["tenancy"]
    ):
        tenancy = form.cleaned_data["tenancy"]
        amount = form.cleaned_data["amount"]
        credit = -amount if amount is not None else item.amount
        if "confirm" not in request.POST:
            account = Account.objects.filter(tenancy=tenancy, kind=AccountKind.RENT).first()
            return render(
                request,
                "rentaccounts/suspense_confirm.html",
                {
                    "item": item,
                    "tenancy": tenancy,
                    "names": " and ".join(person.full_name for person in tenancy.named_tenants()),
                    "balance": account.balance if account else 0,
                    "credit": credit,
                    "received_on": form.cleaned_data["received_on"] or item.effective_date,
                    "carried": [(name, value) for name, value in request.POST.items() if name != "csrfmiddlewaretoken"],
                },
            )
        try:
            suspense_item_allocate(
                item=item,
                tenancy=tenancy,
                user=request.user,
                amount=amount,
                effective_date=form.cleaned_data["received_on"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            account_url = reverse("accounts:detail", args=[tenancy.payment_reference])
            messages.success(
                request,
                format_html(
                    '{} credited to {}. It will be reviewed again. <a class="govuk-notification-banner__link" '
                    'href="{}">View the rent account of {}</a>',
                    format_money(-credit),
                    tenancy.payment_reference,
                    account_url,
                    tenancy.payment_reference,
                ),
            )
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
