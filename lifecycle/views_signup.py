"""Sign up a new tenancy in the browser: GOV.UK question pages, progress kept in the session, a "Check your answers"
page that shows the payment reference and the first charge before anything is saved, then a confirmation.

Nothing is written until the officer confirms: new people are kept as typed and made (through
`tenancies.services_people.person_create`) in the same transaction as the tenancy itself. The payment reference is
taken from the sequence when the check page is first shown, so the number shown is the number used.

The question pages are in `views_signup_questions`; the progress kept in the session, the order of the questions
and the page helpers they share are in `views_signup_progress`."""

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from arrears.constants import Benefit, ClaimStatus
from incomeapp.money import ZERO, format_money
from tenancies.constants import LicenceBasis, PaymentMethod, RentPeriod, TenancyEventKind, TenureType
from tenancies.forms_people import PersonForm
from tenancies.models import Person, Tenancy, TenancyEvent
from tenancies.references import payment_reference_next
from tenancies.scoping import assert_can_see_tenancy, people_visible_to
from tenancies.selectors_people import person_search, person_search_rows
from tenancies.services_people import person_create
from tenancies.specs import ChargeSpec

from .charges import CHARGE_LABELS, PERIOD_PHRASES
from .forms_signup import PersonFindForm
from .signup import (
    LETTERS_RUN,
    first_period,
    first_period_after,
    rent_free_weeks_near,
    rent_run_has_charged,
    sign_up_letters,
    tenancy_sign_up,
)
from .views_signup_progress import (
    PERMISSION,
    SESSION_KEY,
    _date,
    _first_incomplete,
    _guard,
    _home,
    _save,
    _state,
    _step_url,
)
from .views_signup_questions import (
    _benefit,
    _benefit_details,
    _charges,
    _direct_debit,
    _home_step,
    _licence_basis,
    _opening_balance,
    _payment,
    _rent_period,
    _start_date,
    _tenant_rows,
    _tenants,
    _tenure,
)

# ---- start -------------------------------------------------------------------------------------------------------


@permission_required(PERMISSION, raise_exception=True)
def start(request):
    """What the officer will need, and a fresh start (or carrying on with a sign-up already begun)."""
    state = request.session.get(SESSION_KEY) or {}
    if request.method == "POST":
        if request.POST.get("action") == "continue" and state:
            missing = _first_incomplete(state)
            return redirect(_step_url(missing.slug) if missing else "lifecycle:sign_up_check")
        _save(request, {})
        return redirect(_step_url("home"))
    return render(request, "lifecycle/signup/start.html", {"in_progress": bool(state.get("property"))})


@permission_required(PERMISSION, raise_exception=True)
def step(request, slug):
    views = {
        "home": _home_step,
        "tenure": _tenure,
        "licence-basis": _licence_basis,
        "start-date": _start_date,
        "tenants": _tenants,
        "rent-period": _rent_period,
        "charges": _charges,
        "payment": _payment,
        "direct-debit": _direct_debit,
        "benefit": _benefit,
        "benefit-details": _benefit_details,
        "opening-balance": _opening_balance,
    }
    if slug not in views:
        raise Http404("There is no such sign-up question.")
    return views[slug](request)


@permission_required(PERMISSION, raise_exception=True)
def tenant_find(request):
    """Search for someone already on record and add them as a named tenant."""
    blocked = _guard(request, "tenants")
    if blocked:
        return blocked
    state = _state(request)
    change = "?change=1" if request.GET.get("change") else ""
    taken = {entry["id"] for entry in state.get("tenants", []) if "id" in entry}
    if request.method == "POST":
        people = people_visible_to(request.user, Person.objects.filter(merged_into__isnull=True))
        person = people.filter(pk=request.POST.get("person") or 0).first()
        if person is None:
            messages.error(request, "That person could not be found. Search again.")
            return redirect(reverse("lifecycle:sign_up_tenant_find") + change)
        if person.pk not in taken:
            state.setdefault("tenants", []).append({"id": person.pk})
            state.pop("tenants_done", None)
            _save(request, state)
        messages.success(request, f"Added {person.full_name} as a named tenant.")
        return redirect(_step_url("tenants", change=bool(change)))
    search = PersonFindForm(request.GET or None)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    people = person_search_rows(people_visible_to(request.user, person_search(query=query))[:25]) if query else None
    context = {
        "search": search,
        "query": query,
        "people": people,
        "taken": taken,
        "back_url": _step_url("tenants", change=bool(change)),
        "change": bool(change),
        "home": _home(state),
    }
    return render(request, "lifecycle/signup/tenant_find.html", context)


@permission_required(PERMISSION, raise_exception=True)
def tenant_new(request):
    """A new person's details, kept until the sign-up is confirmed (then made through person_create)."""
    blocked = _guard(request, "tenants")
    if blocked:
        return blocked
    state = _state(request)
    change = bool(request.GET.get("change"))
    may_see_sensitive = request.user.has_perm("incomeapp.view_sensitive_notes")
    status = 200
    if request.method == "POST":
        form = PersonForm(request.POST, may_see_sensitive=may_see_sensitive, submit_label="Add this tenant")
        if form.is_valid():
            values = {name: value for name, value in form.cleaned_data.items() if value not in ("", None)}
            if values.get("date_of_birth"):
                values["date_of_birth"] = values["date_of_birth"].isoformat()
            state.setdefault("tenants", []).append({"new": values})
            state.pop("tenants_done", None)
            _save(request, state)
            name = " ".join(values.get(part, "") for part in ("first_name", "last_name"))
            messages.success(request, f"Added {name} as a named tenant. Their record is made when you confirm.")
            return redirect(_step_url("tenants", change=change))
        status = 400
    else:
        form = PersonForm(may_see_sensitive=may_see_sensitive, submit_label="Add this tenant")
    context = {
        "form": form,
        "back_url": _step_url("tenants", change=change),
        "change": change,
        "home": _home(state),
    }
    return render(request, "lifecycle/signup/tenant_new.html", context, status=status)


# ---- check your answers, confirm, done -----------------------------------------------------------------------------


def _specs(state: dict) -> list[ChargeSpec]:
    return [ChargeSpec(c["charge_type"], Decimal(c["amount"]), c["counts_as_rent"]) for c in state.get("charges", [])]


def _opening(state: dict) -> tuple[Decimal | None, date | None]:
    opening = state.get("opening") or {}
    if "balance" not in opening:
        return None, None
    return Decimal(opening["balance"]), _date(opening["date"])


def _summary(state: dict) -> dict:
    """Everything the check page shows, worked out from the answers (nothing saved)."""
    home = _home(state)
    start = _date(state["start_date"])
    charges = _specs(state)
    balance, balance_date = _opening(state)
    charges_from = (
        first_period_after(start_date=start, rent_period=state["rent_period"], day=balance_date)
        if balance_date
        else start
    )
    first = first_period(
        start_date=start,
        rent_period=state["rent_period"],
        charges=charges,
        charges_from=charges_from,
        rent_free_weeks=rent_free_weeks_near(property=home, day=charges_from),
    )
    claim = state.get("claim")
    return {
        "home": home,
        "tenure": TenureType(state["tenure_type"]).label,
        "licence_basis": LicenceBasis(state["licence_basis"]).label if state.get("licence_basis") else "",
        "start_date": start,
        "tenants": _tenant_rows(state),
        "rent_period": RentPeriod(state["rent_period"]).label,
        "phrase": PERIOD_PHRASES.get(state["rent_period"], "a period"),
        "charges": [(CHARGE_LABELS[spec.charge_type], spec.amount) for spec in charges],
        "total": sum((spec.amount for spec in charges), ZERO),
        "payment_method": PaymentMethod(state["payment_method"]).label,
        "mandate": {**state["mandate"], "start_date": _date(state["mandate"]["start_date"])}
        if state.get("mandate")
        else None,
        "benefit": Benefit(state["benefit"]).label if state.get("benefit") in Benefit.values else "No claim",
        "claim": claim,
        "claim_status": ClaimStatus(claim["status"]).label if claim else "",
        "balance": balance,
        "balance_date": balance_date,
        "first": first,
        "first_posted_now": bool(first and rent_run_has_charged(first.period_start)),
        "payment_reference": state.get("payment_reference"),
    }


def _reference_reserved(request, state: dict) -> str:
    """The reference shown on the check page, taken once (and again only if a loaded tenancy took it meanwhile)."""
    reference = state.get("payment_reference")
    if not reference or Tenancy.objects.filter(payment_reference=reference).exists():
        state["payment_reference"] = reference = payment_reference_next()
        _save(request, state)
    return reference


@permission_required(PERMISSION, raise_exception=True)
def check(request):
    state = _state(request)
    missing = _first_incomplete(state)
    if missing is not None:
        return redirect(_step_url(missing.slug))
    _reference_reserved(request, state)
    return render(request, "lifecycle/signup/check.html", {"s": _summary(state), "errors": []})


def _mandate(state: dict) -> dict | None:
    mandate = state.get("mandate")
    if not mandate:
        return None
    amount = Decimal(mandate["amount"]) if mandate.get("amount") else None
    return {**mandate, "start_date": _date(mandate["start_date"]), "amount": amount}


def _claim(state: dict) -> dict | None:
    claim = state.get("claim")
    if not claim or state.get("benefit") not in Benefit.values:
        return None
    return {"benefit": state["benefit"], **claim, "weekly_amount": Decimal(claim["weekly_amount"])}


def _people_made(request, state: dict) -> list[Person]:
    people = []
    for entry in state["tenants"]:
        if "id" in entry:
            people.append(Person.objects.get(pk=entry["id"]))
        else:
            values = dict(entry["new"])
            if values.get("date_of_birth"):
                values["date_of_birth"] = _date(values["date_of_birth"])
            people.append(person_create(by=request.user, reason="Added at sign-up", **values))
    return people


@require_POST
@permission_required(PERMISSION, raise_exception=True)
def confirm(request):
    state = _state(request)
    missing = _first_incomplete(state)
    if missing is not None or not state.get("payment_reference"):
        return redirect("lifecycle:sign_up_check")
    balance, balance_date = _opening(state)
    try:
        # One savepoint for the new people and the tenancy: a refusal leaves neither behind.
        with transaction.atomic():
            result = tenancy_sign_up(
                by=request.user,
                property=_home(state),
                tenure_type=state["tenure_type"],
                licence_basis=state.get("licence_basis", ""),
                start_date=_date(state["start_date"]),
                tenants=_people_made(request, state),
                rent_period=state["rent_period"],
                charges=_specs(state),
                payment_method=state["payment_method"],
                payment_reference=state["payment_reference"],
                mandate=_mandate(state),
                opening_balance=balance,
                opening_balance_date=balance_date,
                benefit_claim=_claim(state),
            )
    except ValidationError as error:
        context = {"s": _summary(state), "errors": error.messages}
        return render(request, "lifecycle/signup/check.html", context, status=400)
    tenancy = result.tenancy
    request.session[SESSION_KEY] = {}
    letters = len(result.letters)
    posted = (
        f" {format_money(result.first_charges_total)} was charged now for the weeks the rent run has already run."
        if result.first_charges
        else " The rent run will post the first charge."
    )
    messages.success(
        request,
        f"Tenancy {tenancy.payment_reference} signed up at {tenancy.property}. {letters} sign-up letter"
        f"{'s are' if letters != 1 else ' is'} waiting to be printed or emailed.{posted}",
    )
    return redirect("lifecycle:sign_up_done", payment_reference=tenancy.payment_reference)


@permission_required(PERMISSION, raise_exception=True)
def done(request, payment_reference):
    tenancy = Tenancy.objects.select_related("property").filter(payment_reference=payment_reference.upper()).first()
    assert_can_see_tenancy(request.user, tenancy)
    event = (
        TenancyEvent.objects.filter(tenancy=tenancy, kind=TenancyEventKind.SIGN_UP).order_by("-id").first()
        if tenancy
        else None
    )
    if event is None:
        raise Http404("No tenancy was signed up with that payment reference.")
    first = event.detail.get("first_period") or {}
    context = {
        "tenancy": tenancy,
        "first": first,
        "first_start": _date(first.get("first_day")),
        "first_end": _date(first.get("period_end")),
        "first_total": Decimal(first["total"]) if first else None,
        "first_posted": [Decimal(row["amount"]) for row in event.detail.get("first_charges_posted", [])],
        "letters": sign_up_letters(tenancy),
        "letters_run": LETTERS_RUN,
        "phrase": PERIOD_PHRASES.get(tenancy.rent_period, "a period"),
        "period_total": Decimal(event.detail.get("period_total", "0")),
    }
    return render(request, "lifecycle/signup/done.html", context)
