"""The sign-up wizard's question pages, one per step: the home, tenure, licence basis, start date, the named
tenants (and which is the lead), rent period, charges, how the tenant will pay, direct debit, benefit claim and
opening balance. `views_signup.step` sends each slug to its page."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone

from arrears.constants import Benefit
from tenancies.constants import LICENCE_TENURES, PaymentMethod, RentPeriod
from tenancies.models import Person, Property
from tenancies.scoping import home_visible, scoped_homes
from tenancies.specs import ChargeSpec

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
    RentPeriodForm,
    StartDateForm,
    TenureForm,
)
from .signup import home_occupying_tenancy, homes_find, sign_up_charges_default
from .views_signup_progress import _after, _date, _guard, _home, _page, _question, _save, _state, _step_url

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
