"""Legal: the notice planner, serving a notice, each notice's record, the claim's page (its court stage is in
courts.views_court) and the court diary."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from arrears.models import ArrearsCase
from documents.models import Document
from incomeapp.refusals import refusal_shown
from tenancies.models import Tenancy
from tenancies.scoping import form_tenancy_check, scoped

from .claims import (
    approvals_outstanding,
    claim_pack_make,
    gate,
    gate_confirm,
    gate_override,
    legal_case_decide,
    legal_case_open,
    legal_case_update,
)
from .constants import ServiceMethod
from .forms import (
    AssessmentForm,
    DecisionForm,
    GateConfirmForm,
    IntroReviewForm,
    NoticePlanForm,
    NoticeServeForm,
    OverrideForm,
    ProtocolCopyForm,
    ServeAcknowledgeForm,
)
from .models import Eviction, Hearing, LegalCase, Notice
from .planner import notice_plan
from .protocol import gate_passes
from .selectors import notice_lapse
from .services import intro_review_record, notice_protocol_copy_record, notice_serve
from .serving import serve_cautions
from .views_court import _court_action, _court_context


def _with_lapse(notices) -> list:
    """Each notice with its last day for proceedings as it stands now (moved by a Breathing Space, R-BS-14)."""
    notices = list(notices)
    for notice in notices:
        notice.lapse_now, notice.lapse_why = notice_lapse(notice)
    return notices


@permission_required("incomeapp.use_legal", raise_exception=True)
def index(request):
    # A link from a case brings only ?reference=: show the form filled in, not errors.
    submitted = "served_on_0" in request.GET
    form = NoticePlanForm(
        request.GET if submitted else None,
        initial={"payment_reference": request.GET.get("reference", ""), "served_on": timezone.localdate()},
    )
    context = {
        "form": form,
        "notices": _with_lapse(scoped(Notice.objects, request.user, "tenancy__").select_related("tenancy")[:20]),
        "legal_cases": scoped(LegalCase.objects, request.user, "tenancy__")
        .exclude(status=LegalCase.Status.CLOSED)
        .select_related("tenancy", "notice"),
    }
    if (
        submitted
        and form.is_valid()
        and form_tenancy_check(
            form=form, user=request.user, field="payment_reference", tenancy=form.cleaned_data["tenancy"]
        )
    ):
        plan = notice_plan(
            tenancy=form.cleaned_data["tenancy"],
            served_on=form.cleaned_data["served_on"],
            method=form.cleaned_data["method"],
        )
        context["plan"] = plan
    status = 400 if submitted and form.errors else 200
    return render(request, "courts/index.html", context, status=status)


@permission_required(("incomeapp.use_legal", "courts.add_notice"), raise_exception=True)
def serve(request, payment_reference):
    """Record a notice as served: the form (filled in from the plan), check your answers with the plan's dates and
    any warning to acknowledge, then the notice is made. Nothing is saved before the last step."""
    tenancy = get_object_or_404(
        scoped(Tenancy.objects.select_related("property__scheme__provider"), request.user),
        payment_reference=payment_reference.upper(),
    )
    today = timezone.localdate()
    plan_today = notice_plan(tenancy=tenancy, served_on=today)
    notices = [(option.spec.code, f"{option.spec.label}: {option.spec.notice_name}") for option in plan_today.options]
    posted = request.POST if request.method == "POST" else None
    form = NoticeServeForm(
        posted, tenancy=tenancy, notices=notices, initial=_serve_initial(request.GET, form_today=today)
    )
    context = {"tenancy": tenancy, "form": form, "problems": plan_today.blocked + plan_today.problems}
    if posted is None or "edit" in posted or not form.is_valid():
        return render(request, "courts/serve.html", context, status=400 if posted and form.errors else 200)
    data = form.cleaned_data
    plan = notice_plan(tenancy=tenancy, served_on=data["served_on"], method=data["method"])
    option = next((option for option in plan.options if option.spec.code == data["notice_code"]), None)
    if option is None:
        form.add_error(
            "served_on",
            f"No {dict(notices)[data['notice_code']].split(':')[0]} could be served on "
            f"{data['served_on']:%-d %B %Y} for this tenancy: check the date of service",
        )
        return render(request, "courts/serve.html", context, status=400)
    cautions = serve_cautions(tenancy=tenancy)
    acknowledge = ServeAcknowledgeForm(posted if "confirm" in posted else None, auto_id="ack-%s")
    check = {
        **context,
        "plan": plan,
        "option": option,
        "cautions": cautions,
        "acknowledge": acknowledge,
        "method_label": ServiceMethod(data["method"]).label,
        "answers": [(name, value) for name, values in posted.lists() if name not in _NOT_ANSWERS for value in values],
    }
    if "confirm" not in posted or (cautions and not acknowledge.is_valid()):
        return render(request, "courts/serve_check.html", check, status=400 if acknowledge.errors else 200)
    try:
        notice = notice_serve(tenancy=tenancy, served_by=request.user, **data)
    except ValidationError as error:
        form.add_error(None, f"The notice was not recorded: {error.messages[0]}")
        return render(request, "courts/serve.html", context, status=400)
    messages.success(
        request,
        f"{notice.label} recorded as served on {notice.served_on:%-d %B %Y}: a copy for each named tenant is below "
        "and the arrears case records it. Next, send the tenants a copy of the pre-action protocol and record it.",
    )
    return redirect("courts:notice", pk=notice.pk)


_NOT_ANSWERS = {"csrfmiddlewaretoken", "confirm", "edit", "serve", "acknowledged"}


def _serve_initial(query, *, form_today: date) -> dict:
    """The form filled in from the plan's link: its notice, date (today if the plan was for a later day), method."""
    try:
        served_on = min(date.fromisoformat(query.get("served_on", "")), form_today)
    except ValueError:
        served_on = form_today
    return {
        "served_on": served_on,
        **({"notice_code": query["notice"]} if query.get("notice") else {}),
        **({"method": query["method"]} if query.get("method") in ServiceMethod.values else {}),
    }


@permission_required(("incomeapp.use_legal", "courts.view_notice"), raise_exception=True)
def notice(request, pk):
    notices = scoped(Notice.objects, request.user, "tenancy__")
    record = get_object_or_404(notices.select_related("tenancy__property", "served_by", "notice_rule"), pk=pk)
    review_form = IntroReviewForm(request.POST if "review" in request.POST else None, auto_id="review-%s")
    if review_form.is_bound and request.user.has_perm("courts.change_notice") and review_form.is_valid():
        data = review_form.cleaned_data
        try:
            intro_review_record(
                notice=record,
                requested_on=data["requested_on"],
                decision_on=data["decision_on"],
                upheld={"yes": True, "no": False}.get(data["upheld"]),
                recorded_by=request.user,
            )
        except ValidationError as error:
            review_form.add_error(None, error.messages[0])
        else:
            messages.success(request, "Review recorded.")
            return redirect("courts:notice", pk=record.pk)
    form = ProtocolCopyForm(request.POST if "protocol" in request.POST else None)
    if form.is_bound and request.user.has_perm("courts.change_notice") and form.is_valid():
        try:
            notice_protocol_copy_record(notice=record, sent_on=form.cleaned_data["sent_on"], recorded_by=request.user)
        except ValidationError as error:
            form.add_error("sent_on", error.messages[0])
        else:
            messages.success(request, "Recorded: a copy of the pre-action protocol was sent.")
            return redirect("courts:notice", pk=record.pk)
    documents = Document.objects.filter(subject_key__startswith=f"notice:{record.pk}:").order_by("id")
    open_case = record.legal_cases.exclude(status=LegalCase.Status.CLOSED).first()
    status = 400 if form.errors or review_form.errors else 200
    lapses_on, lapse_note = notice_lapse(record)  # R-BS-14: the last day for proceedings, moved by a Breathing Space
    context = {
        "lapses_on": lapses_on,
        "lapse_note": lapse_note,
        "notice": record,
        "form": form,
        "review_form": review_form,
        "documents": documents,
        "open_case": open_case,
    }
    return render(request, "courts/notice.html", context, status=status)


@require_POST
@permission_required(("incomeapp.use_legal", "courts.add_legalcase"), raise_exception=True)
def legal_case_start(request, pk):
    record = get_object_or_404(scoped(Notice.objects, request.user, "tenancy__"), pk=pk)
    with refusal_shown(request):
        legal_case = legal_case_open(notice=record, opened_by=request.user)
        return redirect("courts:legal_case", pk=legal_case.pk)
    return redirect("courts:notice", pk=record.pk)  # refused: back to the notice, with the reason


LEGAL_CASE_ACTIONS = {"confirm", "assess", "decide", "override", "pack"}
COURT_ACTIONS = {"issue", "claim_end", "hearing", "record_outcome", "warrant", "warrant_step", "eviction_outcome"}


@permission_required(("incomeapp.use_legal", "courts.view_legalcase"), raise_exception=True)
def legal_case(request, pk):
    """The claim's page: the protocol checklist with what the record shows, confirmations, the assessment, the
    approvals, a manager's override, and the claim pack."""
    record = get_object_or_404(
        scoped(LegalCase.objects, request.user, "tenancy__").select_related(
            "tenancy__property", "notice", "opened_by", "claim_pack"
        ),
        pk=pk,
    )
    action = next((name for name in LEGAL_CASE_ACTIONS | COURT_ACTIONS if name in request.POST), None)
    forms_bound = {}
    if request.method == "POST" and action:
        run = _court_action if action in COURT_ACTIONS else _legal_case_action
        done, bound = run(request, record, action)
        if done:
            return redirect("courts:legal_case", pk=record.pk)
        forms_bound[action] = bound
    items = gate(record)
    context = {
        "case": record,
        "items": items,
        "passes": gate_passes(items),
        "confirm_forms": {
            item.key: forms_bound.get("confirm")
            if forms_bound.get("confirm") is not None and forms_bound["confirm"].data.get("key") == item.key
            else GateConfirmForm(initial={"key": item.key}, auto_id=f"confirm-{item.key}-%s")
            for item in items
            if item.officer_can_confirm and not item.passed
        },
        "assessment_form": forms_bound.get("assess")
        or AssessmentForm(initial={"assessment": record.assessment, "part3_letter_on": record.part3_letter_on}),
        "decision_form": forms_bound.get("decide") or DecisionForm(auto_id="decision-%s"),
        "override_form": forms_bound.get("override") or OverrideForm(auto_id="override-%s"),
        "outstanding": approvals_outstanding(record),
        "approvals": record.approvals.filter(warrant__isnull=True).select_related("decided_by"),
        "mandatory": any(item.key == "part3_letter" for item in items),
    }
    context["can_make_pack"] = (context["passes"] or bool(record.override_reason)) and not context["outstanding"]
    context |= _court_context(record, forms_bound)
    # The one form just sent back with errors: its summary goes at the top of the page and "Error: " in the title.
    context["error_form"] = next((form for form in forms_bound.values() if form is not None and form.errors), None)
    status = 400 if forms_bound else 200
    return render(request, "courts/legal_case.html", context, status=status)


def _legal_case_action(request, record, action):
    """Runs one form's action. Returns (done, the bound form to show again with its errors)."""
    form_class = {
        "confirm": GateConfirmForm,
        "assess": AssessmentForm,
        "decide": DecisionForm,
        "override": OverrideForm,
    }
    form = form_class[action](request.POST, auto_id=f"{action}-%s") if action != "pack" else None
    if form is not None and not form.is_valid():
        return False, form
    try:
        if action == "confirm":
            gate_confirm(legal_case=record, confirmed_by=request.user, **form.cleaned_data)
            messages.success(request, "Step confirmed.")
        elif action == "assess":
            legal_case_update(legal_case=record, updated_by=request.user, **form.cleaned_data)
            messages.success(request, "Assessment saved.")
        elif action == "decide":
            approved = form.cleaned_data["decision"] == "approve"
            legal_case_decide(
                legal_case=record, approved=approved, notes=form.cleaned_data["notes"], decided_by=request.user
            )
            messages.success(request, "Approved." if approved else "Sent back to the officer with your notes.")
        elif action == "override":
            gate_override(legal_case=record, reason=form.cleaned_data["reason"], overridden_by=request.user)
            messages.success(request, "Recorded: the claim may go ahead with the checklist incomplete.")
        else:
            document = claim_pack_make(legal_case=record, made_by=request.user)
            messages.success(request, f"The claim pack is ready ({document.pages} pages).")
    except (ValidationError, PermissionDenied) as error:
        message = error.messages[0] if isinstance(error, ValidationError) else str(error)
        if form is None:
            messages.error(request, message)
            return True, None
        form.add_error(None, message)
        return False, form
    return True, None


@permission_required(("incomeapp.use_legal", "courts.view_legalcase"), raise_exception=True)
def diary(request):
    """Upcoming hearings and evictions, for officers (their own cases, or everyone's) and managers."""
    today = timezone.localdate()
    until = today + timedelta(weeks=8)
    mine = request.GET.get("show") != "all"
    hearings = Hearing.objects.filter(outcome="", hearing_on__gte=today, hearing_on__lte=until).select_related(
        "legal_case__tenancy__property"
    )
    evictions = Eviction.objects.filter(outcome="", scheduled_on__gte=today, scheduled_on__lte=until).select_related(
        "tenancy__property"
    )
    hearings = scoped(hearings, request.user, "legal_case__tenancy__")
    evictions = scoped(evictions, request.user, "tenancy__")
    if mine:
        my_tenancies = ArrearsCase.objects.filter(officer=request.user).values("account__tenancy")
        hearings = hearings.filter(legal_case__tenancy__in=my_tenancies)
        evictions = evictions.filter(tenancy__in=my_tenancies)
    entries = sorted(
        [("Hearing", h.hearing_on, h.legal_case.tenancy, h.legal_case, h.legal_case.court_name) for h in hearings]
        + [("Eviction", e.scheduled_on, e.tenancy, e.warrant.legal_case if e.warrant else None, "") for e in evictions],
        key=lambda entry: entry[1],
    )
    return render(request, "courts/diary.html", {"entries": entries, "mine": mine, "until": until})
