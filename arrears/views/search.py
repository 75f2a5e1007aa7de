"""The header search: one box on every page that finds any tenancy, person or arrears case, grouped on one results
page. Each group is shown to those who may use its pages, and holds only what the person's tenancy scope lets them see
(tenancies.scoping), exactly as the tenancy, people and worklist pages do."""

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse

from arrears.selectors import case_search
from arrears.stages import stage_label
from tenancies.scoping import people_visible_to, scoped
from tenancies.selectors import tenancy_search
from tenancies.selectors_people import person_search

SHOWN = 10  # per group; "See all" leads to the group's own search page


def _group(rows, *, label: str, one: str, more_url: str | None) -> dict:
    total = rows.count()
    return {
        "label": label,
        "counted": f"{total} {one if total == 1 else label.lower()}",
        "rows": list(rows[:SHOWN]),
        "total": total,
        "more_url": more_url if total > SHOWN else None,
    }


def search(request):
    """Tenancies, people and arrears cases matching what was typed (a name, a payment reference, an address)."""
    query = " ".join(request.GET.get("q", "").split())[:100]
    user = request.user
    groups = []
    if query:
        if user.has_perm("incomeapp.use_tenancies"):
            groups.append(
                {
                    "key": "tenancies",
                    **_group(
                        scoped(tenancy_search(query=query), user),
                        label="Tenancies",
                        one="tenancy",
                        more_url=f"{reverse('tenancies:index')}?{urlencode({'q': query})}",
                    ),
                }
            )
        if user.has_perm("tenancies.view_person"):
            groups.append(
                {
                    "key": "people",
                    **_group(
                        people_visible_to(user, person_search(query=query)).order_by("last_name", "first_name", "pk"),
                        label="People",
                        one="person",
                        more_url=f"{reverse('people:index')}?{urlencode({'q': query})}",
                    ),
                }
            )
        if user.has_perm("incomeapp.use_worklist"):
            cases = _group(
                scoped(case_search(query=query), user, "account__tenancy__"),
                label="Arrears cases",
                one="arrears case",
                more_url=f"{reverse('arrears:index')}?{urlencode({'tab': 'patch', 'officer': '', 'q': query})}",
            )
            for case in cases["rows"]:
                case.stage_label = stage_label(case.stage_rank)
            groups.append({"key": "cases", **cases})
    context = {"query": query, "groups": groups, "found": sum(group["total"] for group in groups)}
    return render(request, "arrears/search.html", context)
