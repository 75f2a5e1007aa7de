"""The case page: the recommendation and what held it back, contacts, agreements, pauses, benefits, the balance
chart, the Breathing Space panel and the notice's lapse date as a Breathing Space moved it; `case_form_view` makes
the view of each of its forms, which shows the page again with the form's errors."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from arrears.chart import balance_bars
from arrears.constants import BreathingSpaceKind
from arrears.forms import CASE_PAGE_FORMS
from arrears.models import ArrearsCase
from arrears.moratorium import (
    Moratorium,
    MoratoriumLaw,
    deadline_moved,
    debt_split,
    midway_review_on,
    repeat_standard_warning,
    review_request_by,
)
from arrears.selectors import case_benefits, case_detail, moratoria, moratorium_law
from incomeapp.law import NoThreshold
from incomeapp.signals import SpecialCategory, special_category_shown
from rentaccounts.selectors import balances_by_week
from tenancies.scoping import assert_can_see_tenancy


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
    people = _people(case)
    context = {
        "case": case,
        "tenancy": case.account.tenancy,
        "people": people,
        "recommendation": case.latest_recommendation,
        "held_back": held_back_lines(case.latest_recommendation),
        "contacts": case.contacts.all(),
        "agreements": case.agreements.all(),
        "pauses": [pause for pause in case.pauses.all() if pause.ends_on > today],
        **{
            key: forms.get(key) or form_class(people=people, initial=form_class.page_initial(today))
            for key, form_class in CASE_PAGE_FORMS.items()
        },
        **case_benefits(case=case, today=today),
        **_balance_chart(case, today),
        "referrals": case.referrals.all(),
        "vulnerability_reviews": case.vulnerability_reviews.all(),
        "can_see_sensitive": request.user.has_perm("incomeapp.view_sensitive_notes"),
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


def _current_space_or_404(case):
    space = breathing_space_panel(case=case, today=timezone.localdate())["breathing_space"]
    if space is None:
        raise Http404("There is no current Breathing Space on this case.")
    return space


# What a form's service is about: the case, its tenancy, or the tenancy's current Breathing Space.
_SUBJECTS = {
    "case": lambda case: case,
    "tenancy": lambda case: case.account.tenancy,
    "space": _current_space_or_404,
}


def case_form_view(form_key: str, permission: str, service, *, about: str, officer: str, success, warning=None):
    """The view of one of the case page's forms (`CASE_PAGE_FORMS[form_key]`), for officers with `permission`.

    A valid form goes to `service` with `about` (the case, its tenancy or its current Breathing Space, see
    `_SUBJECTS`), the form's `service_arguments` and the officer under the keyword `officer`. `success` is the banner,
    or a function of what the service returned that gives it; `warning` may give a warning from it too. The service
    re-reviews the case, so the page shows the new recommendation; an invalid form or a refusal shows the page again
    with the form's errors."""
    form_class = CASE_PAGE_FORMS[form_key]

    @require_POST
    @permission_required(("incomeapp.use_worklist", permission), raise_exception=True)
    def view(request, pk):
        case = _case_or_404(pk, request.user)
        subject = _SUBJECTS[about](case)
        form = form_class(request.POST, people=_people(case) if form_class.tenant_field else ())
        if form.is_valid():
            try:
                result = service(**{about: subject}, **form.service_arguments(), **{officer: request.user})
            except ValidationError as error:
                form.add_error(None, error.messages[0])
            else:
                warned = warning(result) if warning else ""
                if warned:
                    messages.warning(request, warned)
                messages.success(request, success(result) if callable(success) else success)
                return redirect("arrears:case", pk=case.pk)
        return _case_page(request, case, status=400, **{form_key: form})

    return view


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
