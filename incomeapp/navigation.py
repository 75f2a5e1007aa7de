"""The service navigation: each item shows only to people whose role holds its permission."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str
    description: str


NAV_ITEMS = (
    NavItem("Worklist", "arrears:index", "incomeapp.use_worklist", "Arrears cases to act on this week."),
    NavItem("Tenancies", "tenancies:index", "incomeapp.use_tenancies", "Tenancies, tenants and their rent accounts."),
    NavItem("People", "people:index", "tenancies.view_person", "Tenants and licensees: find, add, merge duplicates."),
    NavItem(
        "Homes",
        "homes:index",
        "tenancies.change_property",
        "Providers, schemes, homes, patches and voids; the annual rent change; loading data from the housing "
        "management system.",
    ),
    NavItem("Payments", "rentaccounts:index", "incomeapp.use_payments", "Payment files and the suspense queue."),
    NavItem(
        "Approvals", "approvals:queue", "incomeapp.use_approvals", "Adjustments, refunds and write-offs to decide."
    ),
    NavItem("Legal", "courts:index", "incomeapp.use_legal", "Notices, possession claims, orders and warrants."),
    NavItem("Dashboards", "dashboards:index", "incomeapp.use_dashboards", "Income KPIs, trends and exceptions."),
    NavItem(
        "Letters", "documents:templates", "documents.add_lettertemplateversion", "Letter templates: edit and preview."
    ),
    NavItem("Printing", "documents:print_batches", "documents.view_printbatch", "Letters and statements to print."),
    NavItem(
        "Personal data",
        "privacy:index",
        "privacy.view_specialcategoryaccess",
        "Subject access exports, the special-category access log and the retention schedule.",
    ),
    NavItem(
        "Admin",
        "staff:index",
        "incomeapp.use_admin",
        "Staff accounts, roles and delegated authority (a second administrator approves grants of money power).",
    ),
)


def areas_for(user) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    return [item for item in NAV_ITEMS if user.has_perm(item.permission)]


def navigation_for(user, current_path: str = "") -> list[dict]:
    items = []
    for item in areas_for(user):
        href = reverse(item.url_name)
        items.append({"label": item.label, "href": href, "current": current_path.startswith(href)})
    return items
