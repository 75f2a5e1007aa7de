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
    NavItem(
        "Campaigns",
        "arrears:campaigns",
        "messaging.add_campaign",
        "One text message or email to a list of open cases, previewed with its count before it goes.",
    ),
    NavItem("Legal", "courts:index", "incomeapp.use_legal", "Notices, possession claims, orders and warrants."),
    NavItem("Dashboards", "dashboards:index", "incomeapp.use_dashboards", "Income KPIs, trends and exceptions."),
    NavItem(
        "Letters", "documents:templates", "documents.add_lettertemplateversion", "Letter templates: edit and preview."
    ),
    NavItem(
        "Message templates",
        "messaging:templates",
        "messaging.add_messagetemplateversion",
        "Text message and email templates: edit, check the part count, publish.",
    ),
    NavItem("Printing", "documents:print_batches", "documents.view_printbatch", "Letters and statements to print."),
    NavItem(
        "Complaints",
        "complaints:index",
        "complaints.manage_complaints",
        "Open complaints by the date their acknowledgement or response is due, overdue first.",
    ),
    NavItem(
        "Personal data",
        "privacy:index",
        "privacy.view_specialcategoryaccess",
        "Subject access exports, the special-category access log and the retention schedule.",
    ),
    NavItem(
        "API clients",
        "api_clients",
        "api.view_apiclient",
        "The landlord's other systems that call the API: their keys, scopes, calls and webhooks; approving new ones.",
    ),
    NavItem(
        "Admin",
        "staff:index",
        "incomeapp.use_admin",
        "Staff accounts, roles and delegated authority (a second administrator approves grants of money power).",
    ),
)


def areas_for(user) -> list[NavItem]:
    # None on a DRF page (the API's documentation) whose view knows no session: UNAUTHENTICATED_USER is None.
    if user is None or not user.is_authenticated:
        return []
    return [item for item in NAV_ITEMS if user.has_perm(item.permission)]


def navigation_for(user, current_path: str = "") -> list[dict]:
    """Each area the user may open; the one the page is in is current: the longest address that starts the page's
    (Campaigns, under /worklist/campaigns/, rather than the Worklist too)."""
    items = [{"label": item.label, "href": reverse(item.url_name), "current": False} for item in areas_for(user)]
    matching = [item for item in items if current_path.startswith(item["href"])]
    if matching:
        max(matching, key=lambda item: len(item["href"]))["current"] = True
    return items


# The sub-navigation of Homes: (label, url name, permission). Rent changes and data loads belong to `lifecycle`.
HOMES_SECTIONS = (
    ("Homes", "homes:index", "tenancies.change_property"),
    ("Schemes", "homes:schemes", "tenancies.change_property"),
    ("Patches", "homes:patches", "tenancies.change_property"),
    ("Providers", "homes:providers", "tenancies.change_property"),
    ("Voids", "homes:voids", "tenancies.change_property"),
    ("Rent changes", "lifecycle:rent_changes", "lifecycle.view_rentchangerun"),
    ("Data loads", "lifecycle:loads", "lifecycle.view_tenancyload"),
)


def homes_sections(user, current: str) -> list[dict]:
    """The Homes sub-navigation for `user`, `current` (a label: "Rent changes", say) marked. A page of another app
    shows it by extending `tenancies/homes/base.html` (block `homes_content`) with `sections` set to this."""
    return [
        {"label": label, "href": reverse(name), "current": label == current}
        for label, name, permission in HOMES_SECTIONS
        if user.has_perm(permission)
    ]
