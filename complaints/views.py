"""Complaint pages: record one (from a person's or a tenancy's page), the complaint with its stages as a timeline and
the manager's actions (each on a page of its own), and the managers' open list by due date."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from tenancies.models import Person, Tenancy, TenancyTenant
from tenancies.scoping import assert_can_see_person, assert_can_see_tenancy, scoped, tenancy_visible

from .constants import ComplaintAbout, ComplaintStageKind, ResponseClockStart
from .forms import NO_TENANCY, AcknowledgeForm, ComplaintRecordForm, EscalateForm, ExtendForm, ReferForm, RespondForm
from .models import Complaint
from .selectors import complaint_detail, complaint_row, open_complaints, stage_timeline
from .services import (
    complaint_acknowledge,
    complaint_escalate,
    complaint_extend,
    complaint_jurisdiction,
    complaint_record,
    complaint_refer,
    complaint_respond,
    current_stage,
    extension_limit,
)


def _error(error: ValidationError | PermissionDenied) -> str:
    return error.messages[0] if isinstance(error, ValidationError) else str(error)


def _field_for(form, message: str) -> str:
    """The field a service's refusal is about, so the error summary links to it: a reason, an outcome or a summary
    named in the message, otherwise the date (every action's first field)."""
    for name, word in (("reason", "reason"), ("outcome", "outcome"), ("response_summary", "summary")):
        if name in form.fields and word in message:
            return name
    return next(iter(form.fields))


def _record_sets_off(complaint: Complaint) -> str:
    if complaint.about == ComplaintAbout.ARREARS_ACTION and complaint.tenancy is not None:
        return (
            f" While it is open, an arrears case on tenancy {complaint.tenancy.payment_reference} shows a warning "
            "about it."
        )
    return ""


def _record_page(request, *, form, person=None, tenancy=None, people=None, tenancies=None):
    back = (
        ("tenancies:detail", tenancy.payment_reference, f"Back to tenancy {tenancy.payment_reference}")
        if tenancy is not None
        else ("people:detail", person.pk, f"Back to {person.full_name}")
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        chosen_person = person or next(p for p in people if str(p.pk) == data["person"])
        chosen_tenancy = tenancy
        if tenancies is not None and data["tenancy"] != NO_TENANCY:
            chosen_tenancy = next(t for t in tenancies if t.payment_reference == data["tenancy"])
        try:
            complaint = complaint_record(
                person=chosen_person,
                tenancy=chosen_tenancy,
                about=data["about"],
                summary=data["summary"],
                received_on=data["received_on"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error("received_on" if "received" in _error(error) else None, _error(error))
        else:
            stage = current_stage(complaint)
            messages.success(
                request,
                f"Complaint recorded at stage 1 for {chosen_person.full_name}, received on "
                f"{complaint.received_on:%-d %B %Y}: acknowledge it by {stage.acknowledge_by:%-d %B %Y} and respond "
                f"by {stage.respond_by:%-d %B %Y}. It is on the managers' list of open complaints."
                + _record_sets_off(complaint),
            )
            return redirect("complaints:complaint", pk=complaint.pk)
    context = {"form": form, "person": person, "tenancy": tenancy, "back": back}
    return render(request, "complaints/record.html", context, status=400 if form.errors else 200)


@permission_required("complaints.add_complaint", raise_exception=True)
def record_for_person(request, pk):
    person = get_object_or_404(Person, pk=pk, merged_into__isnull=True)
    assert_can_see_person(request.user, person)
    tenancies = [
        row.tenancy
        for row in TenancyTenant.every_row.filter(person=person)
        .select_related("tenancy__property")
        .order_by("-tenancy__start_date")
        if tenancy_visible(request.user, row.tenancy)
    ]
    form = ComplaintRecordForm(
        request.POST if request.method == "POST" else None,
        tenancies=tenancies,
        initial={"tenancy": tenancies[0].payment_reference if len(tenancies) == 1 else None},
    )
    return _record_page(request, form=form, person=person, tenancies=tenancies)


@permission_required("complaints.add_complaint", raise_exception=True)
def record_for_tenancy(request, payment_reference):
    tenancy = get_object_or_404(
        scoped(Tenancy.objects.select_related("property"), request.user), payment_reference=payment_reference.upper()
    )
    assert_can_see_tenancy(request.user, tenancy)
    people = [row.person for row in TenancyTenant.every_row.filter(tenancy=tenancy).select_related("person")]
    form = ComplaintRecordForm(
        request.POST if request.method == "POST" else None,
        people=people,
        initial={"person": str(people[0].pk) if len(people) == 1 else None},
    )
    return _record_page(request, form=form, tenancy=tenancy, people=people)


def _complaint_or_404(request, pk) -> Complaint:
    try:
        complaint = complaint_detail(pk=pk)
    except Complaint.DoesNotExist:
        raise Http404("No complaint has that number.") from None
    assert_can_see_person(request.user, complaint.person)
    if complaint.tenancy_id is not None:
        assert_can_see_tenancy(request.user, complaint.tenancy)
    return complaint


def _actions(user, complaint: Complaint, stage) -> list[tuple[str, str]]:
    """A manager's actions on the complaint as it stands, the usual next one first (the page shows it as the main
    button): the acknowledgement, then the response; extending, escalating and referring only when asked for."""
    if not user.has_perm("complaints.manage_complaints"):
        return []
    actions = []
    landlord_open = stage.stage != ComplaintStageKind.OMBUDSMAN and stage.responded_on is None
    if landlord_open and stage.acknowledged_on is None:
        actions.append(("acknowledge", "Record the acknowledgement"))
    if stage.responded_on is None:
        actions.append(("respond", "Record the Ombudsman's decision" if not landlord_open else "Record the response"))
    if landlord_open and stage.extended_to is None:
        actions.append(("extend", "Extend the time to respond"))
    if stage.stage == ComplaintStageKind.STAGE_1 and stage.responded_on is not None:
        actions.append(("escalate", "Escalate to stage 2"))
    if stage.stage != ComplaintStageKind.OMBUDSMAN:
        actions.append(("refer", "Record a referral to the Housing Ombudsman"))
    return actions


@permission_required("complaints.view_complaint", raise_exception=True)
def complaint(request, pk):
    record = _complaint_or_404(request, pk)
    today = timezone.localdate()
    row = complaint_row(record, today=today)
    actions = _actions(request.user, record, row.stage)
    context = {
        "complaint": record,
        "row": row,
        "timeline": stage_timeline(record, today=today),
        "actions": actions,
        # A main (green) button only for what is owed now; on an answered complaint escalating or referring waits for
        # the complainant, so every button is secondary.
        "primary_action": actions[0][0] if actions and actions[0][0] in ("acknowledge", "respond") else "",
        "today": today,
    }
    return render(request, "complaints/complaint.html", context)


ACTIONS = {
    "acknowledge": (AcknowledgeForm, "Record the acknowledgement"),
    "extend": (ExtendForm, "Extend the time to respond"),
    "respond": (RespondForm, "Record the response"),
    "escalate": (EscalateForm, "Escalate to stage 2"),
    "refer": (ReferForm, "Record a referral to the Housing Ombudsman"),
}


def _act(request, complaint: Complaint, action: str, data: dict) -> str:
    """Calls the action's service and says what it did and what it set off."""
    if action == "acknowledge":
        stage = complaint_acknowledge(complaint=complaint, by=request.user, **data)
        moved = (
            f" The response is now due by {stage.respond_by:%-d %B %Y}, {stage.rule.respond_working_days} working "
            "days after the acknowledgement."
            if stage.rule and stage.rule.respond_from == ResponseClockStart.ACKNOWLEDGED
            else f" The response is due by {stage.respond_by:%-d %B %Y}."
        )
        return f"{stage.get_stage_display()} acknowledged on {stage.acknowledged_on:%-d %B %Y}.{moved}"
    if action == "extend":
        stage = complaint_extend(complaint=complaint, by=request.user, **data)
        return (
            f"The {stage.get_stage_display().lower()} response is now due by {stage.extended_to:%-d %B %Y} (it was "
            f"{stage.respond_by:%-d %B %Y}). Tell the complainant the new date and why."
        )
    if action == "respond":
        stage = complaint_respond(complaint=complaint, by=request.user, **data)
        after = (
            " If the complainant is not satisfied they may ask for stage 2, or go to the Housing Ombudsman."
            if stage.stage == ComplaintStageKind.STAGE_1
            else " If the complainant is not satisfied they may go to the Housing Ombudsman."
            if stage.stage == ComplaintStageKind.STAGE_2
            else ""
        )
        return (
            f"{stage.get_stage_display()}: {stage.get_outcome_display().lower()} on {stage.responded_on:%-d %B %Y}. "
            f"The complaint is closed and off the open list.{after}"
        )
    if action == "escalate":
        stage = complaint_escalate(complaint=complaint, by=request.user, **data)
        return (
            f"Escalated to stage 2 from {stage.started_on:%-d %B %Y}: acknowledge it by "
            f"{stage.acknowledge_by:%-d %B %Y} and respond by {stage.respond_by:%-d %B %Y}. It is open again."
        )
    stage = complaint_refer(complaint=complaint, by=request.user, **data)
    return (
        f"Recorded as referred to the Housing Ombudsman on {stage.started_on:%-d %B %Y}. It stays open, with the "
        "Ombudsman, until you record the Ombudsman's decision."
    )


@permission_required("complaints.manage_complaints", raise_exception=True)
def complaint_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404("No such action.")
    record = _complaint_or_404(request, pk)
    form_class, title = ACTIONS[action]
    stage = current_stage(record)
    if action == "respond" and stage.stage == ComplaintStageKind.OMBUDSMAN:
        title = "Record the Ombudsman's decision"
    form = form_class(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            said = _act(request, record, action, form.cleaned_data)
        except ValidationError as error:
            form.add_error(_field_for(form, _error(error)), _error(error))
        else:
            messages.success(request, said)
            return redirect("complaints:complaint", pk=record.pk)
    today = timezone.localdate()
    context = {
        "complaint": record,
        "stage": stage,
        "due": complaint_row(record, today=today).due,
        "form": form,
        "title": title,
        "action": action,
        "extension_limit": extension_limit(stage, jurisdiction=complaint_jurisdiction(record))
        if action == "extend"
        else None,
    }
    return render(request, "complaints/action.html", context, status=400 if form.errors else 200)


@permission_required("complaints.manage_complaints", raise_exception=True)
def index(request):
    stage = request.GET.get("stage", "")
    if stage not in ComplaintStageKind.values:
        stage = ""
    today = timezone.localdate()
    listing = open_complaints(user=request.user, today=today, stage=stage)
    filters = [("", "All open", sum(listing.counts.values()))] + [
        (value, label, listing.counts[value]) for value, label in ComplaintStageKind.choices
    ]
    context = {"listing": listing, "stage": stage, "filters": filters, "today": today}
    return render(request, "complaints/index.html", context)
