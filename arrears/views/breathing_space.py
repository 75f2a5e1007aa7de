"""Breathing Space on the case page: recording one (with what it holds, R-BS-10, R-BS-14, R-BS-21), its end, the
end of a crisis moratorium's treatment, a review asked for and its outcome, and the agents told (R-BS-15)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.utils import timezone
from django.views.decorators.http import require_POST

from arrears.forms import (
    BreathingSpaceAgentForm,
    BreathingSpaceEndForm,
    BreathingSpaceForm,
    BreathingSpaceReviewOutcomeForm,
    BreathingSpaceReviewRequestForm,
    BreathingSpaceTreatmentEndForm,
)
from arrears.services import (
    breathing_space_agent_told_record,
    breathing_space_end_record,
    breathing_space_record,
    breathing_space_review_outcome_record,
    breathing_space_review_request_record,
    breathing_space_treatment_end_record,
)

from .case_page import _act, _case_or_404, _people, breathing_space_panel


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.add_breathingspace"), raise_exception=True)
def breathing_space_add(request, pk):
    case = _case_or_404(pk, request.user)
    people = {str(p.pk): p for p in _people(case)}
    form = BreathingSpaceForm(request.POST, people=people.values())

    def record(data):
        return breathing_space_record(
            tenancy=case.account.tenancy,
            kind=data["moratorium_type"],
            starts_on=data["starts_on"],
            notified_on=data["notified_on"],
            debtor=people.get(data["debtor"]),
            reference=data["reference"],
            adviser_name=data["adviser_name"],
            adviser_organisation=data["adviser_organisation"],
            adviser_contact=data["adviser_contact"],
            recorded_by=request.user,
        )

    def said(recorded):
        if recorded.warning:
            messages.warning(request, recorded.warning)
        return f"Breathing Space recorded. {_what_it_holds(recorded.breathing_space)}"

    return _act(request, case, form, record, said, "breathing_space_form")


def _what_it_holds(space) -> str:
    """What a recording set off, for the banner (R-BS-10, R-BS-14, R-BS-21)."""
    from incomeapp.money import format_money

    if space.ends_on is None:
        until = "30 days after the crisis treatment ends (record that date when the adviser gives it)"
    else:
        until = f"{space.ends_on:%-d %B %Y}"
    ended = space.ends_on is not None and space.ends_on < timezone.localdate()
    if ended:
        return (
            f"It protected the moratorium debt of {format_money(space.debt_covered)} until {until}; arrears letters "
            "and legal steps on it may start again. Any notice's deadline that fell inside it moves to 8 weeks after "
            "that day (R-BS-14)."
        )
    return (
        f"Arrears letters and legal steps on the moratorium debt of {format_money(space.debt_covered)} are held until "
        f"{until}; only arrears that build up after the start may be chased (R-BS-21). Any notice's deadline that "
        "falls inside it moves to 8 weeks after it ends (R-BS-14)."
    )


def _current_space_or_404(case):
    space = breathing_space_panel(case=case, today=timezone.localdate())["breathing_space"]
    if space is None:
        raise Http404("There is no current Breathing Space on this case.")
    return space


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.change_breathingspace"), raise_exception=True)
def breathing_space_end(request, pk):
    case = _case_or_404(pk, request.user)
    space = _current_space_or_404(case)
    form = BreathingSpaceEndForm(request.POST)

    def record(data):
        return breathing_space_end_record(
            space=space, ended_on=data["ended_on"], reason=data["end_reason"], recorded_by=request.user
        )

    return _act(request, case, form, record, lambda s: f"End recorded. {_what_it_holds(s)}", "space_end_form")


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.change_breathingspace"), raise_exception=True)
def breathing_space_treatment_end(request, pk):
    case = _case_or_404(pk, request.user)
    space = _current_space_or_404(case)
    form = BreathingSpaceTreatmentEndForm(request.POST)

    def record(data):
        return breathing_space_treatment_end_record(
            space=space, treatment_ended_on=data["treatment_ended_on"], recorded_by=request.user
        )

    return _act(
        request,
        case,
        form,
        record,
        lambda s: (
            f"Crisis treatment end recorded: the Breathing Space ends on {s.ends_on:%-d %B %Y}. {_what_it_holds(s)}"
        ),
        "space_treatment_form",
    )


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.change_breathingspace"), raise_exception=True)
def breathing_space_review_request(request, pk):
    case = _case_or_404(pk, request.user)
    space = _current_space_or_404(case)
    form = BreathingSpaceReviewRequestForm(request.POST)

    def record(data):
        return breathing_space_review_request_record(
            space=space,
            requested_on=data["review_requested_on"],
            grounds=data["review_grounds"],
            recorded_by=request.user,
        )

    return _act(
        request,
        case,
        form,
        record,
        "Review request recorded. The moratorium stays in force until the debt adviser decides: record their answer "
        "here when it comes.",
        "space_review_form",
    )


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.change_breathingspace"), raise_exception=True)
def breathing_space_review_outcome(request, pk):
    case = _case_or_404(pk, request.user)
    space = _current_space_or_404(case)
    form = BreathingSpaceReviewOutcomeForm(request.POST)

    def record(data):
        return breathing_space_review_outcome_record(
            space=space, outcome=data["review_outcome"], cancelled_on=data["cancelled_on"], recorded_by=request.user
        )

    def said(space):
        if space.review_outcome == "cancelled":
            return f"Cancellation recorded. {_what_it_holds(space)}"
        return "Outcome recorded: the Breathing Space stays in force."

    return _act(request, case, form, record, said, "space_outcome_form")


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.change_breathingspace"), raise_exception=True)
def breathing_space_agent_told(request, pk):
    case = _case_or_404(pk, request.user)
    space = _current_space_or_404(case)
    form = BreathingSpaceAgentForm(request.POST)

    def record(data):
        return breathing_space_agent_told_record(
            space=space,
            agent_kind=data["agent_kind"],
            agent_name=data["agent_name"],
            told_on=data["told_on"],
            how=data["how"],
            recorded_by=request.user,
        )

    return _act(
        request,
        case,
        form,
        record,
        lambda notice: (
            f"Recorded: {notice.agent_name} told of the Breathing Space on {notice.told_on:%-d %B %Y} "
            "(the evidence reg 12 asks for, R-BS-15)."
        ),
        "space_agent_form",
    )
