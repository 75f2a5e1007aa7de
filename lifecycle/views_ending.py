"""Screens for ending a tenancy (form, check your answers with the figures worked out before anything is saved, and a
confirmation saying what happened, with the refund and transfer buttons for a credit), correcting the end, transfers,
mutual exchanges, successions and assignments. Thin: `lifecycle.ending` decides, checks and works the figures out."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from incomeapp.money import ZERO, format_money
from rentaccounts.models import AdjustmentRequest
from rentaccounts.services import account_get_or_create
from tenancies.constants import TenancyEventKind, TenancyStatus
from tenancies.models import Tenancy, TenancyEvent
from tenancies.scoping import assert_can_see_tenancy, form_tenancy_check
from tenancies.services_people import person_create

from .ending import (
    credit_refund_request,
    credit_request_pending,
    credit_transfer_request,
    tenancy_assignment,
    tenancy_end,
    tenancy_end_correct,
    tenancy_end_latest,
    tenancy_mutual_exchange,
    tenancy_succession,
    tenancy_transfer,
)
from .forms_ending import (
    AssignmentForm,
    CreditTransferForm,
    EndCorrectForm,
    EndForm,
    ExchangeForm,
    SuccessionForm,
    TransferForm,
)
from .signup import homes_find

END = "tenancies.end_tenancy"
ASK = "rentaccounts.add_adjustmentrequest"
TEMPLATES = "lifecycle/ending"
_NOT_ANSWERS = {"csrfmiddlewaretoken", "confirm", "edit", "submit"}


def _tenancy(payment_reference: str, user) -> Tenancy:
    tenancy = (
        Tenancy.objects.select_related("property__scheme", "property__patch__officer")
        .filter(payment_reference=payment_reference.upper())
        .first()
    )
    assert_can_see_tenancy(user, tenancy)  # 404 when there is none, or it is outside the user's scope
    return tenancy


def _answers(request) -> list[tuple[str, str]]:
    """The answers as posted, carried through the check page in hidden fields (nothing is saved before)."""
    return [(name, value) for name, values in request.POST.lists() if name not in _NOT_ANSWERS for value in values]


def _stage(request) -> str:
    """'form' (first visit, or 'change my answers'), 'check' (answers sent: show the check page) or 'confirm'."""
    if request.method != "POST" or "edit" in request.POST:
        return "form"
    return "confirm" if "confirm" in request.POST else "check"


_FIELD_WORDS = {
    "last_day": ("last day", "future", "started on"),
    "reason": ("reason", "licence", "why the tenancy"),
    "on": ("date", "before the tenancy started"),
    "start_date": ("start date", "already has a tenancy", "on or after"),
}


def _service_errors(form, error: ValidationError) -> None:
    """A service's plain-English messages, each shown beside the field it is about where one is clear."""
    for message in error.messages:
        field = next(
            (
                name
                for name, words in _FIELD_WORDS.items()
                if name in form.fields and any(word in message.lower() for word in words)
            ),
            None,
        )
        form.add_error(field, message)


class _Preview(Exception):
    """Raised to roll back a preview that had to make records (new people) to work its figures out."""


def _rolled_back(work):
    try:
        with transaction.atomic():
            raise _Preview(work())
    except _Preview as preview:
        return preview.args[0]


def _new_people(by, rows: list[dict]):
    return [
        person_create(
            by=by, first_name=row["first_name"], last_name=row["last_name"], date_of_birth=row.get("date_of_birth")
        )
        for row in rows
    ]


# ---- ending ----------------------------------------------------------------------------------------------------------


@permission_required(END, raise_exception=True)
def end(request, payment_reference):
    tenancy = _tenancy(payment_reference, request.user)
    if tenancy.status != TenancyStatus.CURRENT:
        messages.info(request, f"{tenancy.payment_reference} has already ended. To change the end, correct it here.")
        return redirect("lifecycle:end_correct", tenancy.payment_reference)
    stage = _stage(request)
    form = EndForm(request.POST if request.method == "POST" else None)
    if stage != "form" and form.is_valid():
        data = form.cleaned_data
        try:
            result = tenancy_end(
                by=request.user,
                tenancy=tenancy,
                last_day=data["last_day"],
                reason=data["reason"],
                forwarding_address=data["forwarding_address"],
                note=data["note"],
                dry_run=stage == "check",
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            if stage == "confirm":
                messages.success(request, result.summary)
                return redirect("lifecycle:end_done", tenancy.payment_reference)
            context = {
                "tenancy": tenancy,
                "result": result,
                "answers": _answers(request),
                "note": data["note"],
                "preview": True,
            }
            return render(request, f"{TEMPLATES}/check_end.html", context)
    return render(request, f"{TEMPLATES}/end.html", {"tenancy": tenancy, "form": form, "correcting": False})


@permission_required(END, raise_exception=True)
def end_correct(request, payment_reference):
    tenancy = _tenancy(payment_reference, request.user)
    if tenancy.status != TenancyStatus.FORMER:
        return redirect("lifecycle:end", tenancy.payment_reference)
    stage = _stage(request)
    initial = {
        "reason": tenancy.end_reason,
        "last_day": tenancy.end_date,
        "forwarding_address": tenancy.forwarding_address,
    }
    form = EndCorrectForm(request.POST if request.method == "POST" else None, initial=initial)
    if stage != "form" and form.is_valid():
        data = form.cleaned_data
        try:
            result = tenancy_end_correct(
                by=request.user,
                tenancy=tenancy,
                last_day=data["last_day"],
                reason=data["reason"],
                forwarding_address=data["forwarding_address"],
                note=data["note"],
                dry_run=stage == "check",
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            if not result.changed:
                messages.info(request, result.summary)
                return redirect("lifecycle:end_done", tenancy.payment_reference)
            if stage == "confirm":
                messages.success(request, result.summary)
                return redirect("lifecycle:end_done", tenancy.payment_reference)
            context = {
                "tenancy": tenancy,
                "result": result,
                "answers": _answers(request),
                "note": data["note"],
                "correcting": True,
                "preview": True,
            }
            return render(request, f"{TEMPLATES}/check_end.html", context)
    return render(request, f"{TEMPLATES}/end.html", {"tenancy": tenancy, "form": form, "correcting": True})


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
    try:
        asked = credit_refund_request(by=request.user, tenancy=tenancy)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("lifecycle:end_done", tenancy.payment_reference)
    messages.success(
        request,
        f"Refund of {format_money(asked.amount)} sent for approval. Someone else with enough delegated authority "
        "decides it in Approvals; nothing is paid before.",
    )
    return redirect("approvals:detail", pk=asked.pk)


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


# ---- transfers and mutual exchanges ----------------------------------------------------------------------------------


def _home(form: TransferForm):
    """The one home the search names (an exact UPRN wins), or a form error saying what to type instead."""
    query = form.cleaned_data["home"].strip()
    found = homes_find(query=query, limit=6)
    exact = [home for home in found if home.uprn and home.uprn == query]
    if exact:
        return exact[0]
    if len(found) == 1:
        return found[0]
    if not found:
        form.add_error("home", f"No home matches “{query}”. Check the UPRN or address in Homes.")
    else:
        listed = "; ".join(f"{home} (UPRN {home.uprn or 'none'})" for home in found[:5])
        form.add_error("home", f"More than one home matches: {listed}. Type the UPRN of the one you mean.")
    return None


@permission_required(END, raise_exception=True)
def transfer(request, payment_reference):
    tenancy = _tenancy(payment_reference, request.user)
    if tenancy.status != TenancyStatus.CURRENT:
        messages.info(request, f"{tenancy.payment_reference} has already ended.")
        return redirect("tenancies:detail", tenancy.payment_reference)
    stage = _stage(request)
    form = TransferForm(request.POST if request.method == "POST" else None)
    if stage != "form" and form.is_valid() and (home := _home(form)) is not None:
        data = form.cleaned_data
        try:
            result = tenancy_transfer(
                by=request.user,
                tenancy=tenancy,
                to_property=home,
                start_date=data["start_date"],
                carry_balance=data["carry_balance"] == "carry",
                tenure_type=data["tenure_type"],
                note=data["note"],
                dry_run=stage == "check",
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            if stage == "confirm":
                new = result.new_tenancies[0]
                text = f"Transfer recorded: {tenancy.payment_reference} ended and {new.payment_reference} signed up."
                if result.requests:
                    text += f" The balance of {format_money(result.ended[0].balance)} waits for approval to move."
                messages.success(request, text)
                return redirect("lifecycle:moved", tenancy.payment_reference)
            context = {"tenancy": tenancy, "result": result, "answers": _answers(request), "preview": True}
            return render(request, f"{TEMPLATES}/check_move.html", context)
    return render(request, f"{TEMPLATES}/transfer.html", {"tenancy": tenancy, "form": form})


@permission_required(END, raise_exception=True)
def mutual_exchange(request, payment_reference):
    tenancy = _tenancy(payment_reference, request.user)
    if tenancy.status != TenancyStatus.CURRENT:
        messages.info(request, f"{tenancy.payment_reference} has already ended.")
        return redirect("tenancies:detail", tenancy.payment_reference)
    stage = _stage(request)
    form = ExchangeForm(request.POST if request.method == "POST" else None)
    if stage != "form" and form.is_valid():
        data = form.cleaned_data

        def work():
            return tenancy_mutual_exchange(
                by=request.user,
                tenancy=tenancy,
                on=data["on"],
                incoming_tenants=_new_people(request.user, data["new_people"]) or None,
                partner_tenancy=data["partner"],
                forwarding_address=data["forwarding_address"],
                note=data["note"],
                send_letters=stage == "confirm",
            )

        try:
            result = work() if stage == "confirm" else _rolled_back(work)
        except ValidationError as error:
            _service_errors(form, error)
        else:
            if stage == "confirm":
                made = ", ".join(t.payment_reference for t in result.new_tenancies)
                messages.success(
                    request, f"Mutual exchange recorded: {tenancy.payment_reference} ended; {made} signed up."
                )
                return redirect("lifecycle:moved", tenancy.payment_reference)
            context = {
                "tenancy": tenancy,
                "result": result,
                "answers": _answers(request),
                "exchange": True,
                "preview": True,
            }
            return render(request, f"{TEMPLATES}/check_move.html", context)
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


# ---- successions and assignments -------------------------------------------------------------------------------------


def _named_tenants_view(request, payment_reference, *, form_class, template, what, run):
    tenancy = _tenancy(payment_reference, request.user)
    if tenancy.status != TenancyStatus.CURRENT:
        messages.info(request, f"{tenancy.payment_reference} has ended, so its named tenants cannot change.")
        return redirect("tenancies:detail", tenancy.payment_reference)
    tenants = tenancy.named_tenants()
    stage = _stage(request)
    form = form_class(request.POST if request.method == "POST" else None, tenants=tenants)
    if stage != "form" and form.is_valid():

        def work():
            return run(tenancy, form.cleaned_data)

        try:
            result = work() if stage == "confirm" else _rolled_back(work)
        except ValidationError as error:
            _service_errors(form, error)
        else:
            if stage == "confirm":
                if result.changed:
                    messages.success(
                        request,
                        f"{what.capitalize()} recorded: the named tenants are now {_names(result.after)}. The "
                        "tenancy, its payment reference and its balance continue.",
                    )
                else:
                    messages.info(request, "Nothing changed: those are already the named tenants.")
                return redirect("tenancies:detail", tenancy.payment_reference)
            context = {
                "tenancy": tenancy,
                "result": result,
                "answers": _answers(request),
                "what": what,
                "data": form.cleaned_data,
            }
            return render(request, f"{TEMPLATES}/check_named.html", context)
    return render(request, f"{TEMPLATES}/{template}", {"tenancy": tenancy, "form": form, "tenants": tenants})


def _names(people) -> str:
    return ", ".join(p.full_name for p in people)


@permission_required(END, raise_exception=True)
def succession(request, payment_reference):
    def run(tenancy, data):
        successor = data["successor_person"] or _new_people(request.user, [data["new_person"]])[0]
        return tenancy_succession(
            by=request.user,
            tenancy=tenancy,
            on=data["on"],
            successor=successor,
            deceased=data["deceased_person"],
            reason=data["reason"],
        )

    return _named_tenants_view(
        request, payment_reference, form_class=SuccessionForm, template="succession.html", what="succession", run=run
    )


@permission_required(END, raise_exception=True)
def assignment(request, payment_reference):
    def run(tenancy, data):
        new = [p for p in [data["existing"]] if p]
        if data["new_person"]:
            new += _new_people(request.user, [data["new_person"]])
        people = [*new, *[p for p in data["kept_people"] if p.pk not in {n.pk for n in new}]]
        return tenancy_assignment(
            by=request.user, tenancy=tenancy, on=data["on"], new_tenants=people, reason=data["reason"]
        )

    return _named_tenants_view(
        request, payment_reference, form_class=AssignmentForm, template="assignment.html", what="assignment", run=run
    )
