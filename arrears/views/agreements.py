"""Arrangements to pay from the case page: make one (form, then check it: how long it takes to clear the arrears and
any warning from the policy, then save), change its terms or cancel it, each with a reason. Each step works without
JavaScript; the banner says what was done and links to the agreement letter it produced."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from arrears import services
from arrears.constants import AgreementChangeKind
from arrears.forms import AgreementForm
from arrears.forms_agreements import AgreementCancelForm, AgreementChangeForm, amount_above_zero
from arrears.models import Agreement
from arrears.selectors_agreements import agreement_letters, agreement_preview, agreement_status
from incomeapp.money import format_money

from .case_page import _case_or_404, _people

PERMISSIONS = ("incomeapp.use_worklist", "arrears.add_agreement")
_NOT_ANSWERS = {"csrfmiddlewaretoken", "confirm", "edit", "submission"}
TEMPLATES = "arrears/agreements"


def _stage(request) -> str:
    """'form' (first visit, or "Change my answers"), 'check' (answers sent: show what they come to) or 'confirm'."""
    if request.method != "POST" or "edit" in request.POST:
        return "form"
    return "confirm" if "confirm" in request.POST else "check"


def _answers(request) -> list[tuple[str, str]]:
    """The answers as posted, carried through the check page in hidden fields (nothing is saved before), and the
    check page's token, which makes a second press of the button change nothing."""
    answers = [(name, value) for name, values in request.POST.lists() if name not in _NOT_ANSWERS for value in values]
    return [*answers, ("submission", request.POST.get("submission") or uuid.uuid4().hex)]


def _service_error(form, error: ValidationError) -> None:
    words = {"amount": ("amount", "afford"), "starts_on": ("date", "starts"), "reason": ("why",)}
    for message in error.messages:
        field = next((n for n, ws in words.items() if n in form.fields and any(w in message.lower() for w in ws)), None)
        form.add_error(field, message)


def _letters_banner(request, change, people) -> None:
    """The banner: what the letter came to (a link to each tenant's PDF), or why it was not sent."""
    letters = agreement_letters(change)
    if letters:
        links = format_html_join(
            ", ",
            '<a class="govuk-notification-banner__link" href="{}">{} (PDF)</a>',
            ((reverse("documents:download", args=[d.pk]), f"the letter to {d.recipient_name}") for d in letters),
        )
        messages.info(
            request,
            format_html("Agreement letter made, waiting to be printed or emailed: {}. It is in the case diary.", links),
        )
    else:
        note = change.letter_contact.notes if change.letter_contact else "No agreement letter was made."
        messages.warning(request, f"{note} Check the tenants' details, then change the agreement to send it again.")


def _form_page(request, case, form, *, template: str, status: int = 200, **context):
    return render(
        request,
        f"{TEMPLATES}/{template}",
        {"case": case, "tenancy": case.account.tenancy, "people": _people(case), "form": form, **context},
        status=status,
    )


def _check_page(request, case, form, preview, agreement: Agreement | None = None):
    """The check page for a new agreement (or, given `agreement`, its new terms): the terms and what they come to (how
    long they take to clear the arrears, any warning), with the answers carried in hidden fields to Save or change."""
    data = form.cleaned_data
    if agreement is None:
        words = {
            "heading": "Check the agreement before you save it",
            "confirm_label": "Save the agreement",
            "change_url": reverse("arrears:agreement_add", args=[case.pk]),
        }
    else:
        words = {
            "heading": "Check the new terms before you save them",
            "agreement": agreement,
            "confirm_label": "Save the new terms",
            "change_url": reverse("arrears:agreement_change", args=[case.pk, agreement.pk]),
        }
    return render(
        request,
        f"{TEMPLATES}/check.html",
        {
            "case": case,
            "tenancy": case.account.tenancy,
            "people": _people(case),
            "terms": data,
            "frequency_label": dict(form.fields["frequency"].choices)[data["frequency"]],
            "preview": preview,
            "answers": _answers(request),
            **words,
        },
    )


def _saved(request, case, change, preview):
    """After Save: any warning the terms carry, the letters banner, and back to the case's agreements."""
    if preview.warning:
        messages.warning(request, preview.warning)
    if change is not None:
        _letters_banner(request, change, _people(case))
    return redirect(f"{reverse('arrears:case', args=[case.pk])}#agreements")


@permission_required(PERMISSIONS, raise_exception=True)
def agreement_add(request, pk):
    """Make an agreement: the form (also on the case page), then the check page with how long the terms take to clear
    the arrears and any warning, then Save."""
    case = _case_or_404(pk, request.user)
    stage = _stage(request)
    if stage == "form":  # a first visit, or "Change my answers" with the answers carried back (valid, so no errors)
        form = AgreementForm(request.POST if request.method == "POST" else None, people=_people(case))
        return _form_page(request, case, form, template="make.html")
    form = AgreementForm(request.POST, people=_people(case))
    if form.is_valid():
        amount_above_zero(form)
    if not form.is_valid() or form.errors:
        return _form_page(request, case, form, template="make.html", status=400)
    data = form.cleaned_data
    if case.account.balance <= 0:
        form.add_error(None, "The account is not in arrears, so there is nothing to agree.")
        return _form_page(request, case, form, template="make.html", status=400)
    preview = agreement_preview(
        case=case, amount=data["amount"], frequency=data["frequency"], starts_on=data["starts_on"]
    )
    if stage == "check":
        return _check_page(request, case, form, preview)
    try:
        agreement = services.agreement_create(
            case=case,
            **form.service_arguments(),
            created_by=request.user,
            submission_key=request.POST.get("submission"),
        )
    except ValidationError as error:
        _service_error(form, error)
        return _form_page(request, case, form, template="make.html", status=400)
    change = agreement.changes.filter(kind=AgreementChangeKind.MADE).first()
    messages.success(
        request,
        f"Agreement made: {format_money(agreement.amount)} {agreement.get_frequency_display().lower()} from "
        f"{agreement.starts_on:%-d %B %Y}. {preview.sentence}. It is pending its first payment, then the daily check "
        "shows whether it is kept.",
    )
    return _saved(request, case, change, preview)


def _agreement_or_404(case, agreement_pk) -> Agreement:
    agreement = case.agreements.filter(pk=agreement_pk).first()
    if agreement is None:
        raise Http404("This case has no such agreement.")
    return agreement


@permission_required(PERMISSIONS, raise_exception=True)
def agreement_change(request, pk, agreement_pk):
    """Change an agreement's amount, frequency or first payment date, with the reason: the form, the check page (the
    new terms beside the old, how long they take), then Save."""
    case = _case_or_404(pk, request.user)
    agreement = _agreement_or_404(case, agreement_pk)
    label, _tag = agreement_status(agreement, timezone.localdate())
    context = {"agreement": agreement, "status_label": label}
    if agreement.state not in ("live", "breached") or agreement.agreement_type != "informal":
        why = (
            "a court order's terms, which the court changes"
            if agreement.state in ("live", "breached")
            else label.lower()
        )
        messages.info(request, f"This agreement is {why}, so it cannot be changed here. Make a new one instead.")
        return redirect("arrears:case", pk=case.pk)
    stage = _stage(request)
    initial = {"amount": agreement.amount, "frequency": agreement.frequency, "starts_on": agreement.starts_on}
    if stage == "form":
        form = AgreementChangeForm(request.POST if request.method == "POST" else None, initial=initial)
        return _form_page(request, case, form, template="change.html", **context)
    form = AgreementChangeForm(request.POST, initial=initial)
    if not form.is_valid():
        return _form_page(request, case, form, template="change.html", status=400, **context)
    data = form.cleaned_data
    if (data["amount"], data["frequency"], data["starts_on"]) == (
        agreement.amount,
        agreement.frequency,
        agreement.starts_on,
    ):
        form.add_error(
            "amount", "These are the terms the agreement already has. Change the amount, how often or the date"
        )
        return _form_page(request, case, form, template="change.html", status=400, **context)
    if case.account.balance <= 0:
        form.add_error(None, "The account is not in arrears any more, so there is nothing to agree.")
        return _form_page(request, case, form, template="change.html", status=400, **context)
    preview = agreement_preview(
        case=case, amount=data["amount"], frequency=data["frequency"], starts_on=data["starts_on"]
    )
    if stage == "check":
        return _check_page(request, case, form, preview, agreement)
    try:
        changed = services.agreement_change(
            agreement=agreement,
            amount=data["amount"],
            frequency=data["frequency"],
            starts_on=data["starts_on"],
            reason=data["reason"],
            changed_by=request.user,
            submission_key=request.POST.get("submission"),
        )
    except ValidationError as error:
        _service_error(form, error)
        return _form_page(request, case, form, template="change.html", status=400, **context)
    change = changed.changes.filter(kind=AgreementChangeKind.CHANGED).last()
    messages.success(
        request,
        f"Agreement changed to {format_money(changed.amount)} {changed.get_frequency_display().lower()} from "
        f"{changed.starts_on:%-d %B %Y}. {preview.sentence}. The previous terms are kept in its history.",
    )
    return _saved(request, case, change, preview)


@permission_required(PERMISSIONS, raise_exception=True)
def agreement_cancel(request, pk, agreement_pk):
    """Cancel an agreement, with the reason: the page says what cancelling does, then asks why."""
    case = _case_or_404(pk, request.user)
    agreement = _agreement_or_404(case, agreement_pk)
    label, _tag = agreement_status(agreement, timezone.localdate())
    context = {"agreement": agreement, "status_label": label}
    if agreement.state not in ("live", "breached") or agreement.agreement_type != "informal":
        messages.info(request, f"This agreement is {label.lower()}: it cannot be cancelled here.")
        return redirect("arrears:case", pk=case.pk)
    if request.method != "POST":
        return _form_page(request, case, AgreementCancelForm(), template="cancel.html", **context)
    form = AgreementCancelForm(request.POST)
    if form.is_valid():
        try:
            services.agreement_cancel(
                agreement=agreement, reason=form.cleaned_data["reason"], cancelled_by=request.user
            )
        except ValidationError as error:
            _service_error(form, error)
        else:
            case.refresh_from_db()
            messages.success(
                request,
                f"Agreement of {format_money(agreement.amount)} {agreement.get_frequency_display().lower()} cancelled. "
                "The reason is in its history and the case diary; the recommended next step has been worked out "
                "again.",
            )
            return redirect(f"{reverse('arrears:case', args=[case.pk])}#agreements")
    return _form_page(request, case, form, template="cancel.html", status=400, **context)
