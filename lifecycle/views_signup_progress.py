"""The sign-up wizard's progress, kept in the session: the questions in order (`STEPS`, each knowing when it
applies and when it is answered), where a page goes back to and on to, the guard that sends the officer to the
first unanswered question, and the page and one-form question helpers the wizard's pages share."""

from dataclasses import dataclass
from datetime import date

from django.shortcuts import redirect, render
from django.urls import reverse

from arrears.constants import Benefit
from tenancies.constants import LICENCE_TENURES, PaymentMethod
from tenancies.models import Property

PERMISSION = "tenancies.sign_up_tenancy"
SESSION_KEY = "sign_up"


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
