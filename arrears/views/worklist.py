"""The worklist, "My cases this week": an officer's open cases by priority, with tabs and filters, the ended
tenancies' accounts (former tenant arrears, credits to refund), and reassigning exactly the cases it shows."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from arrears.forms import ReassignForm
from arrears.models import ArrearsCase
from arrears.selectors import FORMER_TABS, WORKLIST_TABS, former_tenancy_accounts, officers_with_open_cases, worklist
from arrears.services import cases_reassign
from incomeapp.models import User
from tenancies.models import Patch, Scheme
from tenancies.scoping import scoped

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
