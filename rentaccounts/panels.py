from incomeapp.panels import Panel

from .selectors import account_summary


def account_panel(request, tenancy) -> Panel | None:
    """The rent account summary at the top of the tenancy page."""
    if not request.user.has_perm("rentaccounts.view_account"):
        return None
    return Panel("rentaccounts/tenancy_panel_account.html", account_summary(tenancy=tenancy))
