"""Changing charges: one tenancy's change (form, check your answers, done) and rent change runs (list, prepare by a
rule or a CSV file, preview, send for approval, approve or reject, progress and letters)."""

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from documents.models import Document
from rentaccounts.services.tenancy_charges import rent_run_reached
from tenancies.constants import ChargeType
from tenancies.models import Tenancy
from tenancies.scoping import assert_can_see_tenancy, is_scoped, scoped, scoped_homes, tenancies_visible_to
from tenancies.selectors import charges_in_effect
from tenancies.specs import ChargeSpec

from .charges import PERIOD_PHRASES, earliest_change_date, tenancy_charges_change
from .constants import RentChangeStatus
from .forms_changes import ChargesChangeForm, RentChangeCsvForm, RentChangeDecisionForm, RentChangeRuleForm
from .models import RentChangeRun
from .rent_change import (
    CSV_COLUMNS,
    CSV_REFERENCE_COLUMNS,
    letters_due_by,
    notice_weeks_default,
    rent_change_default_date,
    rent_change_run_approve,
    rent_change_run_cancel,
    rent_change_run_dispatch,
    rent_change_run_figures,
    rent_change_run_prepare_csv,
    rent_change_run_prepare_rule,
    rent_change_run_progress,
    rent_change_run_reject,
    rent_change_run_submit,
    run_label,
)

LINES_PER_PAGE = 100
LETTERS_SHOWN = 50


def _count(number: int, thing: str, things: str = "") -> str:
    return f"{number} {thing if number == 1 else things or thing + 's'}"


def _message(error: ValidationError | PermissionDenied) -> str:
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


# ---- one tenancy ---------------------------------------------------------------------------------------------------


def _tenancy(payment_reference: str, user) -> Tenancy:
    tenancy = (
        Tenancy.objects.select_related("property__scheme").filter(payment_reference=payment_reference.upper()).first()
    )
    assert_can_see_tenancy(user, tenancy)  # 404 when there is none, or it is outside the user's scope
    return tenancy


def _session_key(tenancy: Tenancy) -> str:
    return f"charges-change:{tenancy.payment_reference}"


def _pending_change(request, tenancy: Tenancy) -> dict | None:
    data = request.session.get(_session_key(tenancy))
    if not data:
        return None
    return {
        "effective_from": date.fromisoformat(data["effective_from"]),
        "charges": [ChargeSpec(t, Decimal(a), bool(c)) for t, a, c in data["charges"]],
        "reason": data["reason"],
    }


@permission_required("tenancies.add_charge", raise_exception=True)
def charges_change(request, payment_reference):
    """Step 1: the charges from a date, pre-filled with today's (or, coming back from the check, the ones entered)."""
    tenancy = _tenancy(payment_reference, request.user)
    reached = rent_run_reached()
    earliest = earliest_change_date(tenancy, reached)
    shown_on = max(timezone.localdate(), tenancy.start_date)
    if tenancy.end_date is not None and shown_on > tenancy.end_date:
        shown_on = tenancy.end_date
    current = charges_in_effect(list(tenancy.charges.all()), shown_on)
    if request.method == "POST":
        form = ChargesChangeForm(request.POST, tenancy=tenancy, earliest=earliest)
        if form.is_valid():
            try:
                result = tenancy_charges_change(
                    by=request.user,
                    tenancy=tenancy,
                    effective_from=form.cleaned_data["effective_from"],
                    charges=form.charge_specs(),
                    reason=form.cleaned_data["reason"],
                    dry_run=True,
                )
            except (ValidationError, PermissionDenied) as error:
                field = "effective_from" if "date" in _message(error) else None
                form.add_error(field, _message(error))
            else:
                if not result.changed:
                    form.add_error(
                        None,
                        f"These are already the charges from {result.effective_from:%-d %B %Y}. Change an amount or "
                        "the date, or go back to the tenancy.",
                    )
                else:
                    request.session[_session_key(tenancy)] = {
                        "effective_from": result.effective_from.isoformat(),
                        "charges": [[s.charge_type, str(s.amount), s.counts_as_rent] for s in form.charge_specs()],
                        "reason": form.cleaned_data["reason"],
                    }
                    return redirect("lifecycle:charges_change_check", payment_reference=tenancy.payment_reference)
    else:
        pending = _pending_change(request, tenancy) if request.GET.get("change") else None
        if pending:
            initial = ChargesChangeForm.initial_from(
                [_Spec(s) for s in pending["charges"]], pending["effective_from"], pending["reason"]
            )
        else:
            initial = ChargesChangeForm.initial_from(current)
        form = ChargesChangeForm(initial=initial, tenancy=tenancy, earliest=earliest)
    context = {
        "tenancy": tenancy,
        "form": form,
        "current": current,
        "period": PERIOD_PHRASES.get(tenancy.rent_period, "a period"),
        "earliest": earliest,
        "weeks_charged": reached is not None and reached > tenancy.start_date,
    }
    return render(request, "lifecycle/charges/change.html", context)


class _Spec:
    """A ChargeSpec read like a Charge row, to pre-fill the form."""

    def __init__(self, spec: ChargeSpec):
        self.charge_type, self.amount, self.counts_as_rent = spec.charge_type, spec.amount, spec.counts_as_rent


@permission_required("tenancies.add_charge", raise_exception=True)
def charges_change_check(request, payment_reference):
    """Step 2: check your answers: each charge before and after, and what will be posted for weeks already charged."""
    tenancy = _tenancy(payment_reference, request.user)
    pending = _pending_change(request, tenancy)
    if pending is None:
        return redirect("lifecycle:charges_change", payment_reference=tenancy.payment_reference)
    try:
        result = tenancy_charges_change(by=request.user, tenancy=tenancy, dry_run=request.method != "POST", **pending)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, f"The change was not made: {_message(error)}")
        return redirect(f"{reverse('lifecycle:charges_change', args=[tenancy.payment_reference])}?change=1")
    if request.method == "POST":
        del request.session[_session_key(tenancy)]
        messages.success(request, result.summary)
        return redirect("tenancies:detail", payment_reference=tenancy.payment_reference)
    context = {
        "tenancy": tenancy,
        "result": result,
        "reason": pending["reason"],
        "period": PERIOD_PHRASES.get(tenancy.rent_period, "a period"),
        "change_url": f"{reverse('lifecycle:charges_change', args=[tenancy.payment_reference])}?change=1",
    }
    return render(request, "lifecycle/charges/check.html", context)


# ---- rent change runs ------------------------------------------------------------------------------------------------


@permission_required("lifecycle.view_rentchangerun", raise_exception=True)
def rent_changes(request):
    runs = RentChangeRun.objects.select_related("prepared_by", "decided_by").prefetch_related("schemes")
    page = Paginator(runs, 25).get_page(request.GET.get("page"))
    return render(request, "lifecycle/rent_changes/list.html", {"page": page})


def _basics_initial() -> dict:
    return {
        "effective_from": rent_change_default_date(timezone.localdate()),
        "notice_weeks": notice_weeks_default(),
    }


def _prepared(request, run: RentChangeRun):
    figures = rent_change_run_figures(run)
    messages.success(
        request,
        f"Prepared: {_count(figures.tenancy_lines + figures.home_lines, 'charge')} of "
        f"{_count(figures.tenancies, 'tenancy', 'tenancies')} and {_count(figures.homes, 'home')} would change. "
        "Nothing has changed yet: check them, then send the rent change for approval.",
    )
    return redirect("lifecycle:rent_change", pk=run.pk)


@permission_required("lifecycle.add_rentchangerun", raise_exception=True)
def rent_change_prepare_rule(request):
    form = RentChangeRuleForm(request.POST or None, initial=_basics_initial())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = rent_change_run_prepare_rule(
                by=request.user,
                name=data["name"],
                effective_from=data["effective_from"],
                notice_weeks=data["notice_weeks"],
                schemes=list(data["schemes"]),
                percentage=data["percentage"],
                weekly_cap=data["weekly_cap"],
                charge_types=data["charge_types"],
            )
        except ValidationError as error:
            message = _message(error)
            form.add_error("effective_from" if "date" in message or "notice" in message.lower() else None, message)
        else:
            return _prepared(request, run)
    return render(request, "lifecycle/rent_changes/prepare_rule.html", {"form": form})


@permission_required("lifecycle.add_rentchangerun", raise_exception=True)
def rent_change_prepare_csv(request):
    form = RentChangeCsvForm(request.POST or None, request.FILES or None, initial=_basics_initial())
    file_problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["new_charges"]
        try:
            run = rent_change_run_prepare_csv(
                by=request.user,
                name=data["name"],
                effective_from=data["effective_from"],
                notice_weeks=data["notice_weeks"],
                content=upload.read(),
                file_name=upload.name,
            )
        except ValidationError as error:
            if error.messages and error.messages[0].startswith("Line "):
                file_problems = error.messages
                count = len(file_problems)
                form.add_error(
                    "new_charges",
                    f"The file has {count} problem{'s' if count != 1 else ''}, listed below, so nothing was "
                    "prepared. Correct the file and upload it again.",
                )
            else:
                message = _message(error)
                field = "effective_from" if "date" in message else "new_charges"
                form.add_error(field, message)
        else:
            return _prepared(request, run)
    context = {"form": form, "file_problems": file_problems, "columns": CSV_REFERENCE_COLUMNS}
    return render(request, "lifecycle/rent_changes/prepare_csv.html", context)


@permission_required("lifecycle.view_rentchangerun", raise_exception=True)
def rent_change_csv_template(request):
    """An example file with the columns, to fill in."""
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="new-charges.csv"'
    response.write(",".join(CSV_COLUMNS) + "\n")
    response.write("100023336956,,,,rent,104.50\n")
    response.write(",HMS-PROP-0042,,,eligible_service,12.30\n")
    response.write(",,RW0000013,,rent,98.75\n")
    return response


@permission_required("lifecycle.view_rentchangerun", raise_exception=True)
def rent_change_detail(request, pk, decision_form=None):
    run = get_object_or_404(RentChangeRun.objects.select_related("prepared_by", "decided_by"), pk=pk)
    # A scoped manager sees the lines and letters of the tenancies and homes in their scope (tenancies.scoping).
    tenancy_lines = (
        scoped(run.lines, request.user, "tenancy__")
        .filter(tenancy__isnull=False)
        .select_related("tenancy", "property")
        .order_by("tenancy__payment_reference", "charge_type")
    )
    home_lines = (
        scoped_homes(run.lines, request.user, "property__")
        .filter(tenancy__isnull=True)
        .select_related("property")
        .order_by("property_id", "charge_type")
    )
    page = Paginator(tenancy_lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
    homes_page = Paginator(home_lines, LINES_PER_PAGE).get_page(request.GET.get("homes_page"))
    for line in page:
        line.period = PERIOD_PHRASES.get(line.tenancy.rent_period, "")
    is_preparer = run.prepared_by_id == request.user.pk
    context = {
        "run": run,
        "figures": rent_change_run_figures(run),
        "page": page,
        "homes_page": homes_page,
        "letters_due_by": letters_due_by(run),
        "is_preparer": is_preparer,
        "can_submit": run.status == RentChangeStatus.DRAFT and request.user.has_perm("lifecycle.add_rentchangerun"),
        "can_cancel": run.status in (RentChangeStatus.DRAFT, RentChangeStatus.AWAITING_APPROVAL)
        and request.user.has_perm("lifecycle.change_rentchangerun"),
        "can_decide": run.status == RentChangeStatus.AWAITING_APPROVAL
        and not is_preparer
        and request.user.has_perm("lifecycle.approve_rentchangerun"),
        "decision_form": decision_form or RentChangeDecisionForm(),
        "schemes": list(run.schemes.all()),
        "percentage": f"{run.percentage.normalize():f}" if run.percentage is not None else "",
        "charge_types": [label for value, label in ChargeType.choices if value in (run.charge_types or [])],
    }
    if run.status == RentChangeStatus.APPROVED:
        context["progress"] = rent_change_run_progress(run)
        letters = Document.objects.filter(made_by_run=run_label(run))
        if is_scoped(request.user):
            letters = letters.filter(reference__in=tenancies_visible_to(request.user).values("payment_reference"))
        context["letters"] = letters.order_by("reference", "id")[:LETTERS_SHOWN]
        context["run_label"] = run_label(run)
    return render(request, "lifecycle/rent_changes/detail.html", context)


def _run_button(request, pk, service, done: str):
    """A button on the run's page that hands the run to `service`; back to the page with `done` or the refusal."""
    run = get_object_or_404(RentChangeRun, pk=pk)
    try:
        service(by=request.user, run=run)
    except ValidationError as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, done)
    return redirect("lifecycle:rent_change", pk=run.pk)


@require_POST
@permission_required("lifecycle.add_rentchangerun", raise_exception=True)
def rent_change_submit(request, pk):
    done = (
        "Sent for approval. Someone else who may approve rent changes must check and approve it; nothing changes "
        "until then."
    )
    return _run_button(request, pk, rent_change_run_submit, done)


@require_POST
@permission_required("lifecycle.change_rentchangerun", raise_exception=True)
def rent_change_cancel(request, pk):
    return _run_button(request, pk, rent_change_run_cancel, "Cancelled. Nothing was changed and no letter was sent.")


@require_POST
@permission_required("lifecycle.approve_rentchangerun", raise_exception=True)
def rent_change_decide(request, pk):
    run = get_object_or_404(RentChangeRun, pk=pk)
    form = RentChangeDecisionForm(request.POST)
    if not form.is_valid():
        return rent_change_detail(request, pk, decision_form=form)
    reason = form.cleaned_data["reason"]
    try:
        if "reject" in request.POST:
            rent_change_run_reject(by=request.user, run=run, reason=reason)
            messages.success(request, "Rejected. Nothing was changed and no letter was sent.")
        else:
            rent_change_run_approve(by=request.user, run=run, reason=reason)
            figures = rent_change_run_figures(run)
            messages.success(
                request,
                f"Approved. The charges of {_count(figures.tenancies, 'tenancy', 'tenancies')} and "
                f"{_count(figures.homes, 'home')} change from {run.effective_from:%-d %B %Y}, and "
                f"{_count(figures.letters, 'letter')} to the named tenants are being made. Progress is shown below.",
            )
    except ValidationError as error:
        form.add_error("reason" if "reason" in _message(error) else None, _message(error))
        return rent_change_detail(request, pk, decision_form=form)
    return redirect("lifecycle:rent_change", pk=run.pk)


@require_POST
@permission_required("lifecycle.change_rentchangerun", raise_exception=True)
def rent_change_finish(request, pk):
    """Hands the outstanding work of an approved run to the workers again (after a worker failed, say)."""
    run = get_object_or_404(RentChangeRun, pk=pk)
    sent = rent_change_run_dispatch(run=run)
    chunks = sent["tenancy_chunks"] + sent["home_chunks"]
    if chunks or sent["letter_batches"]:
        messages.success(
            request,
            f"Started again: {chunks} chunks of charges and {sent['letter_batches']} batches of letters. Work already "
            "done is not repeated.",
        )
    else:
        messages.success(request, "Everything is already done: nothing was changed and no letter was sent again.")
    return redirect("lifecycle:rent_change", pk=run.pk)
