"""Sign up a new tenancy in the browser: GOV.UK question pages, progress kept in the session, a "Check your answers"
page that shows the payment reference and the first charge before anything is saved, then a confirmation.

Nothing is written until the officer confirms: new people are kept as typed and made (through
`tenancies.services_people.person_create`) in the same transaction as the tenancy itself. The payment reference is
taken from the sequence when the check page is first shown, so the number shown is the number used."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from arrears.constants import Benefit, ClaimStatus
from incomeapp.money import ZERO, format_money
from tenancies.constants import LICENCE_TENURES, LicenceBasis, PaymentMethod, RentPeriod, TenancyEventKind, TenureType
from tenancies.forms_people import PersonForm
from tenancies.models import Person, Property, Tenancy, TenancyEvent
from tenancies.references import payment_reference_next
from tenancies.scoping import assert_can_see_tenancy, home_visible, people_visible_to, scoped_homes
from tenancies.selectors_people import person_search, person_search_rows
from tenancies.services_people import person_create
from tenancies.specs import ChargeSpec

from .charges import CHARGE_LABELS, PERIOD_PHRASES
from .forms_signup import (
    NO_CLAIM,
    BenefitDetailsForm,
    BenefitForm,
    ChargesForm,
    HomeSearchForm,
    LeadTenantForm,
    LicenceBasisForm,
    MandateForm,
    OpeningBalanceForm,
    PaymentMethodForm,
    PersonFindForm,
    RentPeriodForm,
    StartDateForm,
    TenureForm,
)
from .signup import (
    LETTERS_RUN,
    first_period,
    first_period_after,
    home_occupying_tenancy,
    homes_find,
    rent_free_weeks_near,
    rent_run_has_charged,
    sign_up_charges_default,
    sign_up_letters,
    tenancy_sign_up,
)

PERMISSION = "tenancies.sign_up_tenancy"
SESSION_KEY = "sign_up"
PERSON_FIELDS = ("title", "first_name", "last_name", "date_of_birth", "phone", "email", "preferred_contact")
PERSON_FIELDS_MORE = ("correspondence_address", "preferred_language", "communication_adjustments", "support_worker")


# ---- progress in the session ----------------------------------------------------------------------------------------


def _state(request) -> dict:
    return request.session.setdefault(SESSION_KEY, {})


def _save(request, state: dict) -> None:
    request.session[SESSION_KEY] = state
    request.session.modified = True


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _home(state: dict) -> Property | None:
    if not state.get("property"):
        return None
    return Property.objects.select_related("scheme").filter(pk=state["property"]).first()


@dataclass(frozen=True)
class Step:
    slug: str
    title: str  # what the check page calls it

    def applies(self, state: dict) -> bool:
        if self.slug == "licence-basis":
            return state.get("tenure_type") in LICENCE_TENURES
        if self.slug == "direct-debit":
            return state.get("payment_method") == PaymentMethod.DIRECT_DEBIT
        if self.slug == "benefit-details":
            return state.get("benefit") in Benefit.values
        return True

    def done(self, state: dict) -> bool:
        key = {
            "home": "property",
            "tenure": "tenure_type",
            "licence-basis": "licence_basis",
            "start-date": "start_date",
            "tenants": "tenants_done",
            "rent-period": "rent_period",
            "charges": "charges",
            "payment": "payment_method",
            "direct-debit": "mandate",
            "benefit": "benefit",
            "benefit-details": "claim",
            "opening-balance": "opening",
        }[self.slug]
        return key in state and state[key] not in (None, "", [])


STEPS = [
    Step("home", "Home"),
    Step("tenure", "Tenure"),
    Step("licence-basis", "Licence basis"),
    Step("start-date", "Start date"),
    Step("tenants", "Named tenants"),
    Step("rent-period", "Rent period"),
    Step("charges", "Charges"),
    Step("payment", "How the tenant will pay"),
    Step("direct-debit", "Direct debit"),
    Step("benefit", "Benefit claim"),
    Step("benefit-details", "Benefit claim details"),
    Step("opening-balance", "Opening balance"),
]
BY_SLUG = {step.slug: step for step in STEPS}


def _first_incomplete(state: dict) -> Step | None:
    return next((step for step in STEPS if step.applies(state) and not step.done(state)), None)


def _step_url(slug: str, change: bool = False) -> str:
    url = reverse("lifecycle:sign_up_step", args=[slug])
    return f"{url}?change=1" if change else url


def _after(request, slug: str):
    """Where a page goes once answered: back to the check page after a change (unless a new question now applies),
    else the next question that applies."""
    state = _state(request)
    if request.GET.get("change"):
        missing = _first_incomplete(state)
        return redirect(_step_url(missing.slug, change=True) if missing else "lifecycle:sign_up_check")
    index = [step.slug for step in STEPS].index(slug)
    following = next((step for step in STEPS[index + 1 :] if step.applies(state)), None)
    return redirect(_step_url(following.slug) if following else "lifecycle:sign_up_check")


def _back(request, slug: str) -> str:
    if request.GET.get("change"):
        return reverse("lifecycle:sign_up_check")
    state = _state(request)
    index = [step.slug for step in STEPS].index(slug)
    earlier = next((step for step in reversed(STEPS[:index]) if step.applies(state)), None)
    return _step_url(earlier.slug) if earlier else reverse("lifecycle:sign_up_start")


def _guard(request, slug: str):
    """A page whose earlier questions are not answered yet sends the officer to the first unanswered one."""
    state = _state(request)
    index = [step.slug for step in STEPS].index(slug)
    for step in STEPS[:index]:
        if step.applies(state) and not step.done(state):
            return redirect(_step_url(step.slug))
    return None


def _page(request, template: str, slug: str, context: dict, status: int = 200):
    state = _state(request)
    context = {
        "back_url": _back(request, slug),
        "change": bool(request.GET.get("change")),
        "home": _home(state),
        **context,
    }
    return render(request, f"lifecycle/signup/{template}", context, status=status)


def _question(request, slug: str, form_class, *, save, initial: dict | None = None, form_kwargs=None, extra=None):
    """A one-form question page: shows the form with what was answered before; saves a valid answer and moves on."""
    blocked = _guard(request, slug)
    if blocked:
        return blocked
    form_kwargs = form_kwargs or {}
    if request.method == "POST":
        form = form_class(request.POST, **form_kwargs)
        if form.is_valid():
            state = _state(request)
            save(state, form.cleaned_data)
            _save(request, state)
            return _after(request, slug)
        return _page(request, "question.html", slug, {"form": form, **(extra or {})}, status=400)
    form = form_class(initial=initial or {}, **form_kwargs)
    return _page(request, "question.html", slug, {"form": form, **(extra or {})})


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


# ---- the home ----------------------------------------------------------------------------------------------------


def _home_step(request):
    state = _state(request)
    if request.method == "POST":
        home = scoped_homes(Property.objects, request.user).filter(pk=request.POST.get("property") or 0).first()
        problem = _home_problem(home)
        if problem is None:
            if state.get("property") != home.pk:
                for key in ("charges", "charges_counts", "start_date"):
                    state.pop(key, None)
            state["property"] = home.pk
            _save(request, state)
            return _after(request, "home")
        search = HomeSearchForm({"q": request.POST.get("q", "")})
        search.is_valid()
        homes = _homes_seen(request, search.cleaned_data.get("q", ""))
        context = {"search": search, "homes": homes, "query": search.cleaned_data.get("q", ""), "problem": problem}
        return _page(request, "home.html", "home", context, status=400)
    search = HomeSearchForm(request.GET or None)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    context = {"search": search, "query": query, "homes": _homes_seen(request, query) if query else None}
    return _page(request, "home.html", "home", context)


def _homes_seen(request, query: str) -> list[Property]:
    """The homes found that are in the user's scope (tenancies.scoping): a scoped officer lets only those."""
    return [home for home in homes_find(query=query) if home_visible(request.user, home)]


def _home_problem(home: Property | None) -> dict | None:
    """Why a home cannot be chosen (with the tenancy to link to), or None."""
    if home is None:
        return {"message": "Choose the home from the search results"}
    if home.is_retired:
        return {"message": f"{home} was retired on {home.retired_on:%-d %B %Y}, so it cannot be let. Choose another"}
    occupying = home_occupying_tenancy(property=home, on=timezone.localdate())
    if occupying is not None and occupying.end_date is None:
        # A tenancy already given an end date can be followed: the start date page checks the new one starts after.
        return {
            "message": f"{home} has a current tenancy, {occupying.payment_reference}. End it before signing up a new "
            "one, or choose another home",
            "tenancy": occupying,
        }
    return None


# ---- tenure, licence basis, start date ------------------------------------------------------------------------


def _tenure(request):
    def save(state, data):
        state["tenure_type"] = data["tenure_type"]
        if data["tenure_type"] not in LICENCE_TENURES:
            state.pop("licence_basis", None)

    return _question(
        request, "tenure", TenureForm, save=save, initial={"tenure_type": _state(request).get("tenure_type")}
    )


def _licence_basis(request):
    def save(state, data):
        state["licence_basis"] = data["licence_basis"]

    initial = {"licence_basis": _state(request).get("licence_basis")}
    return _question(request, "licence-basis", LicenceBasisForm, save=save, initial=initial)


def _start_date(request):
    def save(state, data):
        state["start_date"] = data["start_date"].isoformat()

    state = _state(request)
    return _question(
        request,
        "start-date",
        StartDateForm,
        save=save,
        initial={"start_date": _date(state.get("start_date"))},
        form_kwargs={"home": _home(state)},
    )


# ---- named tenants -------------------------------------------------------------------------------------------------


def _tenant_label(entry: dict, people: dict[int, Person]) -> str:
    if "id" in entry:
        person = people.get(entry["id"])
        return person.full_name if person else "(no longer on record)"
    new = entry["new"]
    return " ".join(part for part in (new.get("title"), new.get("first_name"), new.get("last_name")) if part)


def _tenant_rows(state: dict) -> list[dict]:
    entries = state.get("tenants", [])
    people = Person.objects.in_bulk([entry["id"] for entry in entries if "id" in entry])
    rows = []
    for index, entry in enumerate(entries):
        person = people.get(entry.get("id"))
        new = entry.get("new", {})
        born = person.date_of_birth if person else _date(new.get("date_of_birth"))
        rows.append(
            {
                "index": index,
                "name": _tenant_label(entry, people),
                "born": born,
                "is_new": "new" in entry,
                "lead": index == 0,
                "person": person,
            }
        )
    return rows


def _tenants(request):
    blocked = _guard(request, "tenants")
    if blocked:
        return blocked
    state = _state(request)
    rows = _tenant_rows(state)
    choices = [(str(row["index"]), row["name"]) for row in rows]
    status = 200
    if request.method == "POST":
        if request.POST.get("remove") is not None:
            index = int(request.POST["remove"])
            removed = state.get("tenants", [])[index : index + 1]
            state["tenants"] = [entry for i, entry in enumerate(state.get("tenants", [])) if i != index]
            state.pop("tenants_done", None)
            _save(request, state)
            if removed:
                messages.success(request, f"Removed {rows[index]['name']} from this sign-up.")
            return redirect(_step_url("tenants", change=bool(request.GET.get("change"))))
        form = LeadTenantForm(request.POST, people=choices)
        if not rows:
            form.is_valid()
            form.errors.clear()
            form.add_error(None, "Add at least one named tenant")
        elif len(rows) == 1 or form.is_valid():
            lead = int(form.cleaned_data["lead"]) if len(rows) > 1 else 0
            entries = state["tenants"]
            state["tenants"] = [entries[lead]] + [entry for i, entry in enumerate(entries) if i != lead]
            state["tenants_done"] = True
            _save(request, state)
            return _after(request, "tenants")
        status = 400
    else:
        form = LeadTenantForm(initial={"lead": "0"}, people=choices)
    context = {"rows": rows, "form": form, "ask_lead": len(rows) > 1}
    return _page(request, "tenants.html", "tenants", context, status=status)


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


# ---- rent period and charges ---------------------------------------------------------------------------------------


def _rent_period(request):
    def save(state, data):
        if state.get("rent_period") != data["rent_period"]:
            state.pop("charges", None)  # offered again in the new period's amounts
        state["rent_period"] = data["rent_period"]

    initial = {"rent_period": _state(request).get("rent_period", RentPeriod.WEEKLY)}
    return _question(request, "rent-period", RentPeriodForm, save=save, initial=initial)


def _home_charges(state: dict) -> tuple[list[ChargeSpec], dict[str, bool]]:
    home, start = _home(state), _date(state.get("start_date")) or timezone.localdate()
    specs = sign_up_charges_default(property=home, rent_period=state["rent_period"], on=start)
    return specs, {spec.charge_type: spec.counts_as_rent for spec in specs}


def _charges(request):
    blocked = _guard(request, "charges")
    if blocked:
        return blocked
    state = _state(request)
    offered, counts = _home_charges(state)
    status = 200
    if request.method == "POST":
        form = ChargesForm(request.POST, rent_period=state["rent_period"])
        if form.is_valid():
            state["charges"] = [
                {"charge_type": spec.charge_type, "amount": str(spec.amount), "counts_as_rent": spec.counts_as_rent}
                for spec in form.specs(counts)
            ]
            _save(request, state)
            return _after(request, "charges")
        status = 400
    else:
        chosen = state.get("charges")
        amounts = (
            {row["charge_type"]: row["amount"] for row in chosen}
            if chosen
            else {spec.charge_type: str(spec.amount) for spec in offered}
        )
        form = ChargesForm(initial=amounts, rent_period=state["rent_period"])
    context = {"form": form, "offered": offered, "phrase": form.phrase}
    return _page(request, "charges.html", "charges", context, status=status)


# ---- payment, direct debit, benefit, opening balance ---------------------------------------------------------------


def _payment(request):
    def save(state, data):
        state["payment_method"] = data["payment_method"]
        if data["payment_method"] != PaymentMethod.DIRECT_DEBIT:
            state.pop("mandate", None)

    initial = {"payment_method": _state(request).get("payment_method")}
    return _question(request, "payment", PaymentMethodForm, save=save, initial=initial)


def _direct_debit(request):
    def save(state, data):
        state["mandate"] = {
            "reference": data["reference"].strip().upper(),
            "collection_day": data["collection_day"],
            "amount": str(data["amount"]) if data["amount"] is not None else None,
            "start_date": data["start_date"].isoformat(),
        }

    mandate = _state(request).get("mandate") or {}
    initial = {**mandate, "start_date": _date(mandate.get("start_date"))} if mandate else {}
    return _question(request, "direct-debit", MandateForm, save=save, initial=initial)


def _benefit(request):
    def save(state, data):
        state["benefit"] = data["benefit"]
        if data["benefit"] == NO_CLAIM:
            state.pop("claim", None)

    return _question(request, "benefit", BenefitForm, save=save, initial={"benefit": _state(request).get("benefit")})


def _benefit_details(request):
    def save(state, data):
        state["claim"] = {
            "status": data["status"],
            "weekly_amount": str(data["weekly_amount"]),
            "paid_to_landlord": data["paid_to_landlord"] == "yes",
            "evidence_complete": data["evidence_complete"],
        }

    state = _state(request)
    claim = state.get("claim") or {}
    initial = (
        {**claim, "paid_to_landlord": "yes" if claim.get("paid_to_landlord") else "no"}
        if claim
        else {"paid_to_landlord": "yes"}
    )
    label = Benefit(state["benefit"]).label if state.get("benefit") in Benefit.values else "Benefit"
    return _question(
        request, "benefit-details", BenefitDetailsForm, save=save, initial=initial, form_kwargs={"benefit_label": label}
    )


def _opening_balance(request):
    def save(state, data):
        if data["balance"] is None:
            state["opening"] = {"none": True}
        else:
            state["opening"] = {"balance": str(data["balance"]), "date": data["balance_date"].isoformat()}

    state = _state(request)
    opening = state.get("opening") or {}
    initial = {"balance": opening.get("balance"), "balance_date": _date(opening.get("date"))}
    return _question(
        request,
        "opening-balance",
        OpeningBalanceForm,
        save=save,
        initial=initial,
        form_kwargs={"start_date": _date(state.get("start_date"))},
    )


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
