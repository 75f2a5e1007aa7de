import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from incomeapp.law import NoThreshold
from incomeapp.models import User
from incomeapp.signals import SpecialCategory, special_category_shown
from rentaccounts.selectors import balances_by_week
from tenancies.models import Patch, Scheme
from tenancies.scoping import assert_can_see_tenancy, scoped

from .chart import balance_bars
from .constants import BreathingSpaceKind
from .forms import (
    AgreementForm,
    BenefitClaimForm,
    BreathingSpaceAgentForm,
    BreathingSpaceEndForm,
    BreathingSpaceForm,
    BreathingSpaceReviewOutcomeForm,
    BreathingSpaceReviewRequestForm,
    BreathingSpaceTreatmentEndForm,
    ContactForm,
    DirectPaymentRequestForm,
    PauseForm,
    ReassignForm,
    ReferralForm,
    VulnerabilityReviewForm,
)
from .models import ArrearsCase
from .moratorium import (
    Moratorium,
    MoratoriumLaw,
    deadline_moved,
    debt_split,
    midway_review_on,
    repeat_standard_warning,
    review_request_by,
)
from .selectors import (
    FORMER_TABS,
    WORKLIST_TABS,
    case_benefits,
    case_detail,
    former_tenancy_accounts,
    moratoria,
    moratorium_law,
    officers_with_open_cases,
    worklist,
)
from .services import (
    agreement_create,
    benefit_claim_record,
    breathing_space_agent_told_record,
    breathing_space_end_record,
    breathing_space_record,
    breathing_space_review_outcome_record,
    breathing_space_review_request_record,
    breathing_space_treatment_end_record,
    cases_reassign,
    contact_record,
    direct_payment_request_record,
    letter_send,
    pause_create,
    referral_record,
    vulnerability_review_record,
)

PAGE_SIZE = 50


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


@permission_required("incomeapp.use_worklist", raise_exception=True)
def index(request):
    """'My cases this week': an officer's open cases by priority, with tabs and filters. Everyone else sees all. Two
    more tabs list ended tenancies by account: former tenant arrears, and credits to refund."""
    today = timezone.localdate()
    all_tabs = {**WORKLIST_TABS, **FORMER_TABS}
    tab = request.GET.get("tab") if request.GET.get("tab") in all_tabs else "immediate"
    has_own = ArrearsCase.objects.filter(officer=request.user, status="open").exists()
    officer_choice = request.GET.get("officer", "me" if has_own else "")
    officer = request.user if officer_choice == "me" else User.objects.filter(pk=_int(officer_choice)).first()
    filters = {
        "patch_id": _int(request.GET.get("patch")),
        "scheme_id": _int(request.GET.get("scheme")),
        "action": request.GET.get("action", "")[:60],
    }
    former = tab in FORMER_TABS
    if former:
        rows = former_tenancy_accounts(
            tab=tab, officer=officer, patch_id=filters["patch_id"], scheme_id=filters["scheme_id"]
        )
        rows = scoped(rows, request.user, "tenancy__")
    else:
        rows = scoped(worklist(tab=tab, as_of=today, officer=officer, **filters), request.user, "account__tenancy__")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    kept = {"officer": officer_choice, "patch": filters["patch_id"] or "", "scheme": filters["scheme_id"] or ""}
    kept["action"] = filters["action"]
    context = {
        "reassign_form": ReassignForm() if request.user.has_perm("arrears.change_arrearscase") and not former else None,
        "tabs": [(key, label, urlencode({**kept, "tab": key})) for key, label in all_tabs.items()],
        "tab": tab,
        "tab_label": all_tabs[tab],
        "former": former,
        "today": today,
        "page": page,
        "query_string": urlencode({**kept, "tab": tab}),
        "filters": kept,
        "patches": Patch.objects.order_by("name"),
        "schemes": Scheme.objects.order_by("name"),
        "officers": officers_with_open_cases(),
        "mine": officer_choice == "me",
    }
    return render(request, "arrears/index.html", context)


def _case_or_404(pk: int, user) -> ArrearsCase:
    """The case, or 404 when there is none or its tenancy is outside the user's scope (tenancies.scoping)."""
    try:
        case = case_detail(pk=pk)
    except ArrearsCase.DoesNotExist as error:
        raise Http404("There is no such case.") from error
    assert_can_see_tenancy(user, case.account.tenancy)
    return case


def _people(case: ArrearsCase):
    return [row.person for row in case.account.tenancy.tenancy_tenants.all()]


def _balance_chart(case: ArrearsCase, today) -> dict:
    points = balances_by_week(account=case.account, as_of=today, weeks=26)
    return {"balance_points": points, "balance_chart": balance_bars(points)}


def breathing_space_panel(*, case: ArrearsCase, today) -> dict:
    """The case's current Breathing Space (in force today, or recorded to start later) with what the panel shows:
    the dates the law sets (midway review, the last day to ask for a review and whether that is still open), the
    balance split into the held moratorium debt and the new arrears (R-BS-21), agents told (R-BS-15), the R-BS-01
    warning, and earlier ones."""
    tenancy = case.account.tenancy
    spaces = list(
        tenancy.breathing_spaces.select_related("debtor", "recorded_by").prefetch_related("agent_notices").all()
    )
    current = next((s for s in reversed(spaces) if s.ends_on is None or s.ends_on >= today), None)
    panel = {"breathing_space": current, "earlier_breathing_spaces": [s for s in spaces if s is not current]}
    if current is None:
        return panel
    try:
        law = moratorium_law(current.starts_on)
    except NoThreshold:
        law = MoratoriumLaw()
    last_day = review_request_by(current.starts_on, law)
    held, new_arrears = debt_split(balance=case.account.balance, moratorium_debt=current.debt_covered)
    others = [
        Moratorium(starts_on=s.starts_on, ends_on=s.ends_on, kind=s.kind, debt=s.debt_covered)
        for s in spaces
        if s is not current
    ]
    return panel | {
        "space_active": current.covers(today),
        "space_midway_review_on": midway_review_on(current.starts_on, law)
        if current.kind == BreathingSpaceKind.STANDARD
        else None,
        "space_review_request_by": last_day,
        "space_review_window_open": today <= last_day,
        "space_review_days_left": (last_day - today).days,
        "space_held": held,
        "space_new_arrears": new_arrears,
        "space_agents": list(current.agent_notices.all()),
        "space_warning": repeat_standard_warning(current.starts_on, others, law)
        if current.kind == BreathingSpaceKind.STANDARD
        else "",
    }


def nosp_lapse_moved(*, case: ArrearsCase) -> dict | None:
    """The notice's lapse date moved by any Breathing Space it fell inside (R-BS-14): {on, why}, or None when it did
    not move. `on` is None while a crisis moratorium's end is not known."""
    if case.nosp_expires_on is None:
        return None
    spaces = moratoria(tenancy=case.account.tenancy)
    if not spaces:
        return None
    try:
        law = moratorium_law(case.nosp_expires_on)
    except NoThreshold:
        law = MoratoriumLaw()
    moved, why = deadline_moved(case.nosp_expires_on, spaces, law)
    return {"on": moved, "why": why} if why else None


def _special_categories_shown(request, context) -> None:
    """R-DP-03: the access log hears of a vulnerability review (its finding, or its notes) or a mental health crisis
    Breathing Space the case page shows, for each named tenant (a Breathing Space: for its debtor, when recorded)."""
    people = [person.pk for person in context["people"]]
    shown: dict[int, set[str]] = {pk: set() for pk in people}
    reviews = context["vulnerability_reviews"]
    if any(review.vulnerable or (context["can_see_sensitive"] and review.notes) for review in reviews):
        for pk in people:
            shown[pk].add(SpecialCategory.VULNERABILITY)
    spaces = [context.get("breathing_space"), *context.get("earlier_breathing_spaces", [])]
    for space in spaces:
        if space is not None and space.kind == BreathingSpaceKind.MENTAL_HEALTH_CRISIS:
            for pk in [space.debtor_id] if space.debtor_id else people:
                shown.setdefault(pk, set()).add(SpecialCategory.MENTAL_HEALTH_CRISIS)
    special_category_shown(request, shown)


def _case_page(request, case, status=200, **forms):
    today = timezone.localdate()
    can_see_breathing_space = request.user.has_perm("arrears.view_breathingspace")
    context = {
        "case": case,
        "tenancy": case.account.tenancy,
        "people": _people(case),
        "recommendation": case.latest_recommendation,
        "held_back": held_back_lines(case.latest_recommendation),
        "contacts": case.contacts.all(),
        "agreements": case.agreements.all(),
        "pauses": [pause for pause in case.pauses.all() if pause.ends_on > today],
        "contact_form": forms.get("contact_form") or ContactForm(people=_people(case), initial={"occurred_on": today}),
        "agreement_form": forms.get("agreement_form") or AgreementForm(),
        "pause_form": forms.get("pause_form") or PauseForm(),
        "referral_form": forms.get("referral_form") or ReferralForm(initial={"made_on": today}),
        "vulnerability_form": forms.get("vulnerability_form")
        or VulnerabilityReviewForm(initial={"reviewed_on": today}),
        "claim_form": forms.get("claim_form") or BenefitClaimForm(initial={"paid_to_landlord": True}),
        "direct_form": forms.get("direct_form") or DirectPaymentRequestForm(initial={"requested_on": today}),
        **case_benefits(case=case, today=today),
        **_balance_chart(case, today),
        "referrals": case.referrals.all(),
        "vulnerability_reviews": case.vulnerability_reviews.all(),
        "can_see_sensitive": request.user.has_perm("incomeapp.view_sensitive_notes"),
        "breathing_space_form": forms.get("breathing_space_form")
        or BreathingSpaceForm(people=_people(case), initial={"notified_on": today}),
        "space_end_form": forms.get("space_end_form") or BreathingSpaceEndForm(),
        "space_treatment_form": forms.get("space_treatment_form") or BreathingSpaceTreatmentEndForm(),
        "space_review_form": forms.get("space_review_form")
        or BreathingSpaceReviewRequestForm(initial={"review_requested_on": today}),
        "space_outcome_form": forms.get("space_outcome_form") or BreathingSpaceReviewOutcomeForm(),
        "space_agent_form": forms.get("space_agent_form") or BreathingSpaceAgentForm(initial={"told_on": today}),
        **(breathing_space_panel(case=case, today=today) if can_see_breathing_space else {"breathing_space": None}),
        "nosp_lapse": nosp_lapse_moved(case=case),
        "can_see_breathing_space": can_see_breathing_space,
        "today": today,
    }
    _special_categories_shown(request, context)
    return render(request, "arrears/case.html", context, status=status)


@permission_required("incomeapp.use_worklist", raise_exception=True)
def case(request, pk):
    return _case_page(request, _case_or_404(pk, request.user))


def _act(request, case, form, action, success, form_key: str):
    """Runs `action` on a valid form; `success` is the banner, or a function of what `action` returned that gives it
    (and may add its own warnings). The service re-reviews the case, so the page shows the new recommendation."""
    if form.is_valid():
        try:
            result = action(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(request, success(result) if callable(success) else success)
            return redirect("arrears:case", pk=case.pk)
    return _case_page(request, case, status=400, **{form_key: form})


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.add_contact"), raise_exception=True)
def contact_add(request, pk):
    case = _case_or_404(pk, request.user)
    people = {str(p.pk): p for p in _people(case)}
    form = ContactForm(request.POST, people=people.values())

    def record(data):
        contact_record(
            case=case,
            kind=data["kind"],
            outcome=data["outcome"],
            occurred_on=data["occurred_on"],
            recorded_by=request.user,
            person=people.get(data["person"]),
            notes=data["notes"],
            promise_amount=data["promise_amount"],
            promise_on=data["promise_on"],
            non_payment_reason=data["non_payment_reason"],
        )

    return _act(request, case, form, record, "Contact recorded.", "contact_form")


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.add_agreement"), raise_exception=True)
def agreement_add(request, pk):
    case = _case_or_404(pk, request.user)
    form = AgreementForm(request.POST)

    def make(data):
        agreement_create(
            case=case,
            frequency=data["frequency"],
            amount=data["amount"],
            starts_on=data["starts_on"],
            created_by=request.user,
            monthly_income=data["monthly_income"],
            monthly_expenditure=data["monthly_expenditure"],
        )

    return _act(request, case, form, make, "Agreement made.", "agreement_form")


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.add_pause"), raise_exception=True)
def pause_add(request, pk):
    case = _case_or_404(pk, request.user)
    form = PauseForm(request.POST)

    def pause(data):
        pause_create(
            case=case, reason=data["reason"], ends_on=data["ends_on"], comment=data["comment"], created_by=request.user
        )

    return _act(request, case, form, pause, "Case paused.", "pause_form")


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


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.add_referral"), raise_exception=True)
def referral_add(request, pk):
    case = _case_or_404(pk, request.user)
    form = ReferralForm(request.POST)

    def record(data):
        referral_record(
            case=case,
            kind=data["referral_kind"],
            made_on=data["made_on"],
            to_whom=data["to_whom"],
            notes=data["notes"],
            made_by=request.user,
        )

    return _act(request, case, form, record, "Referral recorded.", "referral_form")


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.add_vulnerabilityreview"), raise_exception=True)
def vulnerability_review_add(request, pk):
    case = _case_or_404(pk, request.user)
    form = VulnerabilityReviewForm(request.POST)

    def record(data):
        vulnerability_review_record(
            case=case,
            reviewed_on=data["reviewed_on"],
            vulnerable=data["vulnerable"],
            adjustments=data["adjustments"],
            notes=data["vulnerability_notes"],
            reviewed_by=request.user,
        )

    return _act(request, case, form, record, "Vulnerability review recorded.", "vulnerability_form")


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.change_arrearscase"), raise_exception=True)
def reassign(request):
    """Reassigns exactly the cases the worklist shows with the filters posted back (cover during leave)."""
    form = ReassignForm(request.POST)
    query = request.POST.get("query", "")
    if not form.is_valid():
        messages.error(request, "Choose who should hold the cases.")
        return redirect(f"{reverse('arrears:index')}?{query}")
    from django.http import QueryDict

    params = QueryDict(query)
    tab = params.get("tab") if params.get("tab") in WORKLIST_TABS else "immediate"
    choice = params.get("officer", "")
    officer = request.user if choice == "me" else User.objects.filter(pk=_int(choice)).first()
    cases = worklist(
        tab=tab,
        as_of=timezone.localdate(),
        officer=officer,
        patch_id=_int(params.get("patch")),
        scheme_id=_int(params.get("scheme")),
        action=params.get("action", "")[:60],
    )
    target = form.cleaned_data["to_officer"]
    try:
        moved = cases_reassign(
            cases=ArrearsCase.objects.filter(pk__in=scoped(cases, request.user, "account__tenancy__").values("pk")),
            officer=target,
            reassigned_by=request.user,
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        who = target.get_full_name() or target.username
        messages.success(request, f"{moved} case{'s' if moved != 1 else ''} reassigned to {who}.")
    return redirect(f"{reverse('arrears:index')}?{query}")


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.change_benefitclaim"), raise_exception=True)
def benefit_claim_save(request, pk):
    case = _case_or_404(pk, request.user)
    form = BenefitClaimForm(request.POST)

    def save(data):
        benefit_claim_record(
            tenancy=case.account.tenancy,
            benefit=data["benefit"],
            status=data["claim_status"],
            weekly_amount=data["weekly_amount"],
            started_on=data["claim_started_on"],
            paid_to_landlord=data["paid_to_landlord"],
            evidence_complete=data["evidence_complete"],
            updated_by=request.user,
        )

    return _act(request, case, form, save, "Benefit claim saved.", "claim_form")


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.add_directpaymentrequest"), raise_exception=True)
def direct_payment_request_add(request, pk):
    case = _case_or_404(pk, request.user)
    form = DirectPaymentRequestForm(request.POST)

    def record(data):
        direct_payment_request_record(
            tenancy=case.account.tenancy,
            kind=data["request_kind"],
            requested_on=data["requested_on"],
            requested_by=request.user,
        )

    return _act(request, case, form, record, "Request recorded.", "direct_form")


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.add_contact"), raise_exception=True)
def letter_send_view(request, pk):
    case = _case_or_404(pk, request.user)
    try:
        letter_send(case=case, sent_by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "Letter queued: it goes out with today's letters and shows in the diary.")
    return redirect("arrears:case", pk=case.pk)


_BLOCKER_KEY = re.compile(r"^([a-z][a-z0-9_]*): ")


def held_back_lines(recommendation) -> list[str]:
    """What held the recommendation back, in words: a blocker's key ("breathing_space: ...") read as a label
    ("Breathing space: ...")."""
    if recommendation is None:
        return []
    return [
        _BLOCKER_KEY.sub(lambda match: match.group(1).replace("_", " ").capitalize() + ": ", line)
        for line in recommendation.blocked_by
    ]
