"""The worklist, "My cases this week": an officer's open cases by priority, with tabs and filters, the ended
tenancies' accounts (former tenant arrears, credits to refund), reassigning exactly the cases it shows, and the way from
any page about a tenancy to its arrears case (`tenancy_case`)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from arrears.constants import ContactOutcome, Ladder
from arrears.forms import ReassignForm
from arrears.models import ArrearsCase, Contact, Recommendation
from arrears.selectors import (
    FORMER_TABS,
    WORKLIST_SORTS,
    WORKLIST_TABS,
    former_tenancy_accounts,
    officers_with_open_cases,
    tenancy_case_latest,
    worklist,
    worklist_action_choices,
)
from arrears.selectors_agreements import agreement_status_by_case
from arrears.services import cases_reassign
from arrears.stages import STAGE_BY_KEY, stage_choices, stage_label
from arrears.stages_ladders import ladder_stage_label
from incomeapp.models import User
from incomeapp.refusals import refusal_shown
from tenancies.models import Patch, Scheme, Tenancy
from tenancies.scoping import assert_can_see_tenancy, scoped

PAGE_SIZE = 50


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


# The columns of the cases table: (sort key, heading, numeric). Sorting is in the query (arrears.selectors.worklist).
COLUMNS = [
    ("tenant", "Tenant", False),
    ("stage", "Stage", False),
    ("last_contact", "Last contact", False),
    ("balance", "Balance", True),
    ("action", "Recommended action", False),
    ("officer", "Officer", False),
    ("priority", "Priority", True),
]
# The former tenants' and sundry tabs: their cases, with what can still be recovered (issue 16).
LADDER_TABS = {"former": Ladder.FORMER, "sundry": Ladder.SUNDRY}
LADDER_TAB_LABELS = {"former": "Former tenant arrears", "sundry": "Recharges and sundry debts"}
LADDER_COLUMNS = [
    ("tenant", "Tenant", False),
    ("stage", "Stage", False),
    ("balance", "Balance", True),
    ("recoverable", "Recoverable", True),
    ("action", "Next action", False),
    ("officer", "Officer", False),
    ("priority", "Priority", True),
]


def _list_params(params) -> dict:
    """The worklist's filters, search and sort, read from GET (or from the query a reassign form posts back)."""
    sort = params.get("sort") if params.get("sort") in WORKLIST_SORTS else "priority"
    direction = params.get("dir")
    return {
        "patch_id": _int(params.get("patch")),
        "scheme_id": _int(params.get("scheme")),
        "action": params.get("action", "")[:60],
        "stage": params.get("stage", "") if params.get("stage", "") in STAGE_BY_KEY else "",
        "search": " ".join(params.get("q", "").split())[:100],
        "sort": sort,
        # Priority is highest first unless asked otherwise; every other column starts ascending (A to Z, oldest).
        "ascending": direction == "ascending" if direction in ("ascending", "descending") else sort != "priority",
    }


def _sort_headers(kept: dict, sort: str, ascending: bool, columns=COLUMNS) -> list[dict]:
    """The sortable table headers (MOJ sortable table pattern, sorted by the server): each links to its own sort,
    the other way round when it is the current one, keeping the tab, filters and search."""
    headers = []
    for key, label, numeric in columns:
        current = key == sort
        next_ascending = not ascending if current else key != "priority"
        query = urlencode({**kept, "sort": key, "dir": "ascending" if next_ascending else "descending"})
        headers.append(
            {
                "key": key,
                "label": label,
                "numeric": numeric,
                "aria_sort": ("ascending" if ascending else "descending") if current else "none",
                "query": query,
            }
        )
    return headers


@permission_required("incomeapp.use_worklist", raise_exception=True)
def index(request):
    """'My cases this week': an officer's open cases by priority, with tabs, filters with plain labels, a search by
    name, payment reference or address, and sorting by any column. Everyone else sees all. Two more tabs list ended
    tenancies by account: former tenant arrears, and credits to refund."""
    today = timezone.localdate()
    has_own = ArrearsCase.objects.filter(officer=request.user, status="open").exists()
    officer_choice = request.GET.get("officer", "me" if has_own else "")
    officer = request.user if officer_choice == "me" else User.objects.filter(pk=_int(officer_choice)).first()
    all_tabs = {**WORKLIST_TABS, "replies": _replies_tab_label(request.user, officer)}
    all_tabs.update({**LADDER_TAB_LABELS, "credits": FORMER_TABS["credits"]})
    tab = request.GET.get("tab") if request.GET.get("tab") in all_tabs else "immediate"
    filters = _list_params(request.GET)
    ladder = LADDER_TABS.get(tab)
    columns = LADDER_COLUMNS if ladder else COLUMNS
    if filters["sort"] not in {key for key, _, _ in columns}:
        filters["sort"], filters["ascending"] = "priority", False
    former = tab == "credits"
    waiting = None
    if ladder:
        rows = worklist(tab=tab, as_of=today, officer=officer, ladder=ladder, **filters)
        rows = scoped(rows, request.user, "account__tenancy__")
        if ladder == Ladder.FORMER:
            waiting = former_tenancy_accounts(
                tab="former",
                officer=officer,
                patch_id=filters["patch_id"],
                scheme_id=filters["scheme_id"],
                without_case=True,
            )
            waiting = Paginator(scoped(waiting, request.user, "tenancy__"), PAGE_SIZE).get_page(1)
    elif former:
        rows = former_tenancy_accounts(
            tab=tab, officer=officer, patch_id=filters["patch_id"], scheme_id=filters["scheme_id"]
        )
        rows = scoped(rows, request.user, "tenancy__")
    elif tab == "replies":  # cases with a reply nobody has read yet, the newest reply first
        rows = worklist(tab="patch", as_of=today, officer=officer, **filters).filter(_unread_reply())
        rows = scoped(rows.annotate(latest_reply_at=_latest_unread_reply_at()), request.user, "account__tenancy__")
        rows = rows.order_by("-latest_reply_at", "-id")
    else:
        rows = scoped(worklist(tab=tab, as_of=today, officer=officer, **filters), request.user, "account__tenancy__")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    with_replies = (
        set()
        if former
        else set(
            Contact.objects.filter(
                case__in=[case.pk for case in page.object_list],
                outcome=ContactOutcome.REPLIED,
                inbound__read_at__isnull=True,
            ).values_list("case_id", flat=True)
        )
    )
    agreements = agreement_status_by_case([case.pk for case in page.object_list], today) if tab == "agreements" else {}
    for case in page.object_list if not former else ():
        case.stage_label = (
            ladder_stage_label(case.latest_recommendation and case.latest_recommendation.facts)
            if ladder
            else stage_label(case.stage_rank)
        )
        case.agreement_status = agreements.get(case.pk)
        case.unread_reply = case.pk in with_replies
    kept = {"officer": officer_choice, "patch": filters["patch_id"] or "", "scheme": filters["scheme_id"] or ""}
    kept.update(action=filters["action"], stage=filters["stage"], q=filters["search"])
    sorted_by = {"sort": filters["sort"], "dir": "ascending" if filters["ascending"] else "descending"}
    action_choices = worklist_action_choices()
    if filters["action"] and filters["action"] not in dict(action_choices):
        # An action no live policy gives any more (a link kept from before a policy changed): still shown by its label.
        old = Recommendation.objects.filter(action=filters["action"]).values_list("label", flat=True).first()
        action_choices.append((filters["action"], old or "An action no live policy uses"))
    labels = dict(action_choices)
    context = {
        "reassign_form": ReassignForm()
        if request.user.has_perm("arrears.change_arrearscase") and not former and not ladder
        else None,
        "tabs": [(key, label, urlencode({**kept, **sorted_by, "tab": key})) for key, label in all_tabs.items()],
        "tab": tab,
        "tab_label": all_tabs[tab],
        "former": former,
        "ladder_tab": bool(ladder),
        "waiting": waiting,
        "today": today,
        "page": page,
        "query_string": urlencode({**kept, **sorted_by, "tab": tab}),
        "filters": kept,
        "sort_headers": _sort_headers({**kept, "tab": tab}, filters["sort"], filters["ascending"], columns),
        "sort_label": "Newest reply"
        if tab == "replies"
        else dict((key, label) for key, label, _ in columns)[filters["sort"]],
        "sort_ascending": filters["ascending"],
        "sort_key": filters["sort"],
        "patches": Patch.objects.order_by("name"),
        "schemes": Scheme.objects.order_by("name"),
        "officers": officers_with_open_cases(),
        "stage_choices": stage_choices(),
        "action_choices": action_choices,
        "filters_applied": _filters_applied(kept, labels),
        "mine": officer_choice == "me",
    }
    return render(request, "arrears/index.html", context)


def _unread_reply():
    return Exists(
        Contact.objects.filter(
            case=OuterRef("pk"), outcome=ContactOutcome.REPLIED, inbound__isnull=False, inbound__read_at__isnull=True
        )
    )


def _latest_unread_reply_at():
    return Subquery(
        Contact.objects.filter(case=OuterRef("pk"), outcome=ContactOutcome.REPLIED, inbound__read_at__isnull=True)
        .order_by("-inbound__received_at")
        .values("inbound__received_at")[:1]
    )


def _replies_tab_label(user, officer) -> str:
    """ "Replies (n)": the open cases (the officer's, when one is chosen) with a reply nobody has read. Counted from
    the unread replies, a few among millions of contacts."""
    unread = Contact.objects.filter(
        outcome=ContactOutcome.REPLIED, inbound__isnull=False, inbound__read_at__isnull=True, case__status="open"
    )
    if officer is not None:
        unread = unread.filter(case__officer=officer)
    count = scoped(unread, user, "case__account__tenancy__").values("case_id").distinct().count()
    return f"Replies ({count})"


def _filters_applied(kept: dict, action_labels: dict) -> list[str]:
    """The filters in use, in words, for the line above the table ("Stage: Friendly reminder sent")."""
    applied = []
    if kept["patch"]:
        applied.append(f"Patch: {Patch.objects.filter(pk=kept['patch']).values_list('name', flat=True).first()}")
    if kept["scheme"]:
        applied.append(f"Scheme: {Scheme.objects.filter(pk=kept['scheme']).values_list('name', flat=True).first()}")
    if kept["stage"]:
        applied.append(f"Stage: {STAGE_BY_KEY[kept['stage']].label}")
    if kept["action"]:
        applied.append(f"Recommended action: {action_labels.get(kept['action'], kept['action'])}")
    if kept["q"]:
        applied.append(f"Search: \u201c{kept['q']}\u201d")
    return applied


@permission_required("incomeapp.use_worklist", raise_exception=True)
def tenancy_case(request, payment_reference):
    """From any page about a tenancy to its arrears case: the open one, else the latest; when there is none, back to
    the tenancy page saying so. An out-of-scope tenancy answers 404, like one that does not exist."""
    tenancy = Tenancy.objects.select_related("property").filter(payment_reference=payment_reference.upper()).first()
    if tenancy is None:
        raise Http404("No tenancy has that payment reference.")
    assert_can_see_tenancy(request.user, tenancy)
    case = tenancy_case_latest(tenancy=tenancy)
    if case is None:
        messages.info(request, "There is no arrears case for this tenancy.")
        return redirect("tenancies:detail", payment_reference=tenancy.payment_reference)
    return redirect("arrears:case", pk=case.pk)


@require_POST
@permission_required(("incomeapp.use_worklist", "arrears.change_arrearscase"), raise_exception=True)
def reassign(request):
    """Reassigns exactly the cases the worklist shows with the filters posted back (cover during leave)."""
    form = ReassignForm(request.POST)
    query = request.POST.get("query", "")
    if not form.is_valid():
        messages.error(request, "Choose who should hold the cases.")
        return redirect(f"{reverse('arrears:index')}?{query}")
    params = QueryDict(query)
    tab = params.get("tab") if params.get("tab") in WORKLIST_TABS else "immediate"
    choice = params.get("officer", "")
    officer = request.user if choice == "me" else User.objects.filter(pk=_int(choice)).first()
    cases = worklist(tab=tab, as_of=timezone.localdate(), officer=officer, **_list_params(params))
    target = form.cleaned_data["to_officer"]
    with refusal_shown(request):
        moved = cases_reassign(
            cases=ArrearsCase.objects.filter(pk__in=scoped(cases, request.user, "account__tenancy__").values("pk")),
            officer=target,
            reassigned_by=request.user,
        )
        who = target.get_full_name() or target.username
        messages.success(request, f"{moved} case{'s' if moved != 1 else ''} reassigned to {who}.")
    return redirect(f"{reverse('arrears:index')}?{query}")
