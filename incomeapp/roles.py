"""The one place that decides what each role may do.

`python manage.py setup_roles` makes each role's group hold exactly these permissions (idempotent). Later capabilities
add their model permissions here, not in views.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .constants import Role

OFFICER_CASEWORK = {
    "incomeapp.use_worklist",
    "incomeapp.use_tenancies",
    "incomeapp.use_payments",
    "incomeapp.use_legal",
    "incomeapp.view_sensitive_notes",
}

ROLE_PERMISSIONS: dict[Role, set[str]] = {
    Role.INCOME_OFFICER: OFFICER_CASEWORK,
    Role.SENIOR_INCOME_OFFICER: OFFICER_CASEWORK | {"incomeapp.use_approvals", "incomeapp.use_dashboards"},
    Role.INCOME_MANAGER: OFFICER_CASEWORK | {"incomeapp.use_approvals", "incomeapp.use_dashboards"},
    # Read-only view of their residents' accounts; no health or vulnerability notes unless an administrator adds them.
    Role.SUPPORT_WORKER: {"incomeapp.use_tenancies"},
    # Manages staff accounts; sees no tenant's money or notes.
    Role.SYSTEM_ADMINISTRATOR: {
        "incomeapp.use_admin",
        "incomeapp.view_user",
        "incomeapp.add_user",
        "incomeapp.change_user",
        "auth.view_group",
    },
}


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def roles_setup() -> dict[str, int]:
    """Creates each role's group and sets its permissions to exactly ROLE_PERMISSIONS. Returns permissions per role."""
    summary = {}
    for role, dotted_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        group.permissions.set([_permission(name) for name in sorted(dotted_names)])
        summary[role.value] = len(dotted_names)
    return summary
