"""The court stage on the claim's page (courts.views.legal_case): what it shows of the claim at court (hearings with
their warnings and the serious-arrears figures, orders, warrants and evictions, with a form for each next step) and
the actions those forms post."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone

from arrears.moratorium import hold_reason
from arrears.selectors import moratorium_on

from .claims import claim_bar
from .court import (
    claim_end_record,
    claim_issue_record,
    eviction_book,
    eviction_outcome_record,
    hearing_outcome_record,
    hearing_record,
    serious_arrears_at,
    serious_arrears_summary,
    warrant_applied_record,
    warrant_decide,
    warrant_position,
    warrant_request,
)
from .court_rules import hearing_warnings
from .forms import (
    ClaimEndForm,
    ClaimIssueForm,
    EvictionOutcomeForm,
    HearingForm,
    OutcomeForm,
    WarrantRequestForm,
    WarrantStepForm,
)
from .models import Eviction, Hearing, LegalCase, Warrant


def _court_context(record, forms_bound) -> dict:
    today = timezone.localdate()
    hearings = []
    for hearing in record.hearings.all():
        row = {
            "hearing": hearing,
            "warnings": hearing_warnings(
                issued_on=record.claim_issued_on,
                hearing_on=hearing.hearing_on,
                papers_served_on=hearing.papers_served_on,
            ),
        }
        if not hearing.outcome and hearing.hearing_on <= today:
            bound = forms_bound.get("record_outcome")
            row["outcome_form"] = (
                bound
                if bound is not None and str(bound.data.get("hearing_id")) == str(hearing.pk)
                else OutcomeForm(initial={"hearing_id": hearing.pk}, auto_id=f"outcome-{hearing.pk}-%s")
            )
            # R-AST-01: the serious-arrears figures on the hearing date, shown before the officer chooses the outcome.
            serious = serious_arrears_at(record.notice, hearing.hearing_on)
            row["serious"] = serious_arrears_summary(record.notice, serious)
        elif hearing.outcome:
            row["serious"] = serious_arrears_summary(record.notice, hearing.ground8_at_hearing)
        if hearing.outcome:
            row["warrant"] = warrant_position(hearing, today)
            row["warrant_form"] = forms_bound.get("warrant") or WarrantRequestForm(
                initial={"hearing_id": hearing.pk}, auto_id=f"warrant-{hearing.pk}-%s"
            )
        hearings.append(row)
    warrants = []
    for warrant in record.warrants.select_related("statement_of_payments", "requested_by"):
        evictions = list(warrant.evictions.all())
        warrants.append(
            {
                "warrant": warrant,
                "step_form": WarrantStepForm(initial={"warrant_id": warrant.pk}, auto_id=f"step-{warrant.pk}-%s"),
                "evictions": [
                    {
                        "eviction": eviction,
                        "form": EvictionOutcomeForm(
                            initial={"eviction_id": eviction.pk}, auto_id=f"eviction-{eviction.pk}-%s"
                        ),
                    }
                    for eviction in evictions
                ],
            }
        )
    return {
        "claim_bar": "" if record.status == LegalCase.Status.CLOSED else claim_bar(record.notice, on=today),
        # R-BS-13: said up front, not only when a step is refused.
        "moratorium_hold": ""
        if record.status == LegalCase.Status.CLOSED or moratorium_on(tenancy=record.tenancy, on=today) is None
        else hold_reason(
            "preparing, approving or issuing the claim, or asking for a warrant or an eviction",
            moratorium_on(tenancy=record.tenancy, on=today),
            rule="R-BS-13",
        ),
        "issue_form": forms_bound.get("issue") or ClaimIssueForm(auto_id="issue-%s"),
        "claim_end_form": forms_bound.get("claim_end") or ClaimEndForm(auto_id="claim_end-%s"),
        "hearing_form": forms_bound.get("hearing") or HearingForm(auto_id="hearing-%s"),
        "hearings": hearings,
        "warrants": warrants,
        "step_errors": forms_bound.get("warrant_step") or forms_bound.get("eviction_outcome"),
    }


def _court_action(request, record, action):
    """The court stage's forms. Returns (done, the bound form to show again with its errors)."""
    form_class = {
        "issue": ClaimIssueForm,
        "claim_end": ClaimEndForm,
        "hearing": HearingForm,
        "record_outcome": OutcomeForm,
        "warrant": WarrantRequestForm,
        "warrant_step": WarrantStepForm,
        "eviction_outcome": EvictionOutcomeForm,
    }[action]
    form = form_class(request.POST, auto_id=f"{action}-%s")
    if not form.is_valid():
        return False, form
    data = form.cleaned_data
    try:
        if action == "issue":
            claim_issue_record(legal_case=record, recorded_by=request.user, **data)
            messages.success(request, "The claim is recorded as issued.")
        elif action == "claim_end":
            claim_end_record(legal_case=record, recorded_by=request.user, **data)
            messages.success(request, "Recorded: the claim has ended and the arrears case has left the court stage.")
        elif action == "hearing":
            _, warnings = hearing_record(legal_case=record, recorded_by=request.user, **data)
            messages.success(request, "Hearing added." + "".join(f" Check: {warning}" for warning in warnings))
        elif action == "record_outcome":
            hearing = get_object_or_404(Hearing, pk=data.pop("hearing_id"), legal_case=record)
            hearing_outcome_record(hearing=hearing, recorded_by=request.user, **data)
            messages.success(request, "Outcome recorded; the arrears case has it.")
        elif action == "warrant":
            hearing = get_object_or_404(Hearing, pk=data["hearing_id"], legal_case=record)
            warrant = warrant_request(hearing=hearing, reason=data["reason"], requested_by=request.user)
            messages.success(request, f"Warrant ({warrant.form}) asked for: it now needs approval.")
        elif action == "warrant_step":
            _warrant_step(request, record, data)
        else:
            eviction = get_object_or_404(Eviction, pk=data["eviction_id"], tenancy=record.tenancy)
            eviction_outcome_record(
                eviction=eviction, outcome=data["outcome"], on=data["on"], notes=data["notes"], recorded_by=request.user
            )
            messages.success(request, "Recorded.")
    except (ValidationError, PermissionDenied) as error:
        form.add_error(None, error.messages[0] if isinstance(error, ValidationError) else str(error))
        return False, form
    return True, None


def _warrant_step(request, record, data):
    warrant = get_object_or_404(Warrant, pk=data["warrant_id"], legal_case=record)
    step, on = data["step"], data["on"]
    if step in ("approve", "refuse"):
        warrant_decide(warrant=warrant, approved=step == "approve", notes=data["notes"], decided_by=request.user)
        messages.success(request, "Warrant approved." if step == "approve" else "Warrant not approved.")
        return
    if on is None:
        raise ValidationError("Enter the date.")
    if step == "applied":
        warrant_applied_record(warrant=warrant, applied_on=on, recorded_by=request.user)
        messages.success(request, "Recorded: the warrant was applied for.")
    else:
        eviction_book(warrant=warrant, scheduled_on=on, recorded_by=request.user)
        messages.success(request, "Eviction booked; it is in the court diary.")
