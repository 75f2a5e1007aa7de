"""The one place that decides what each role may do.

`python manage.py setup_roles` makes each role's group hold exactly these permissions (idempotent). Later capabilities
add their model permissions here, not in views.
"""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction

from .constants import Role

READ_TENANCIES = {
    "incomeapp.use_tenancies",
    "tenancies.view_tenancy",
    "tenancies.view_person",
    "tenancies.view_property",
    "tenancies.view_charge",
    "rentaccounts.view_account",
    "rentaccounts.view_transaction",
    "rentaccounts.view_directdebitmandate",
}

OFFICER_CASEWORK = READ_TENANCIES | {
    "incomeapp.use_worklist",
    "incomeapp.use_payments",
    "incomeapp.use_legal",
    "incomeapp.view_sensitive_notes",
    "rentaccounts.add_importbatch",
    "rentaccounts.view_importbatch",
    "rentaccounts.view_statementrun",  # statement runs' progress and results
    "rentaccounts.view_suspenseitem",
    "rentaccounts.change_suspenseitem",
    "rentaccounts.add_adjustmentrequest",
    "rentaccounts.view_adjustmentrequest",
    "rentaccounts.add_invoice",  # raise rechargeable repairs and sundry debts (never rent)
    "rentaccounts.view_invoice",
    "rentaccounts.add_directdebitmandate",
    "rentaccounts.change_directdebitmandate",
    "rentaccounts.view_housingbenefitoverpayment",  # overpayments a council recovered from us (docs/debts.md)
    "rentaccounts.add_housingbenefitoverpayment",
    "rentaccounts.change_housingbenefitoverpayment",
    # Limitation and insolvency (docs/debts.md): written acknowledgments of a debt; bankruptcy and debt relief orders
    # are financial data, shown to income staff only (not support workers).
    "rentaccounts.view_debtacknowledgment",
    "rentaccounts.add_debtacknowledgment",
    "rentaccounts.view_insolvencyorder",
    "rentaccounts.add_insolvencyorder",
    "rentaccounts.change_insolvencyorder",
    "arrears.view_arrearspolicy",
    "arrears.view_arrearspolicyversion",
    "arrears.view_arrearscase",
    "arrears.view_contact",
    "arrears.add_contact",
    "arrears.view_agreement",
    "arrears.add_agreement",
    "arrears.view_pause",
    "arrears.add_pause",
    "arrears.view_breathingspace",
    "arrears.add_breathingspace",
    "arrears.change_breathingspace",  # its end, a crisis treatment end, a review request, agents told
    "arrears.view_recommendation",
    "documents.view_document",
    "documents.add_document",  # rent statements made from the account page
    "documents.change_document",
    "documents.view_printbatch",
    "documents.add_printbatch",
    "courts.view_notice",
    "courts.add_notice",
    "courts.change_notice",
    "courts.view_legalcase",
    "courts.add_legalcase",
    "courts.change_legalcase",
    "arrears.view_referral",
    "arrears.add_referral",
    "arrears.view_debtagencyreferral",  # refer a former tenant's or sundry debt to a debt collection agency
    "arrears.add_debtagencyreferral",
    "arrears.view_vulnerabilityreview",
    "arrears.add_vulnerabilityreview",
    "arrears.view_benefitclaim",
    "arrears.add_benefitclaim",
    "arrears.change_benefitclaim",
    "arrears.view_directpaymentrequest",
    "arrears.add_directpaymentrequest",
    "arrears.change_directpaymentrequest",
    # The tenancy lifecycle: people, sign-up, a tenancy's own charges, ending, transfers, successions.
    "tenancies.add_person",
    "tenancies.change_person",
    "tenancies.merge_person",
    "tenancies.sign_up_tenancy",
    "tenancies.change_tenancy",
    "tenancies.end_tenancy",
    "tenancies.add_charge",
    "tenancies.view_propertycharge",
    "tenancies.view_tenancyevent",
    "tenancies.view_scheme",
    "tenancies.view_patch",
    "tenancies.view_provider",
    # Text messages and emails (docs/messaging.md): send one from a case, read replies, see templates.
    "messaging.view_message",
    "messaging.add_message",
    "messaging.view_inboundmessage",
    "messaging.change_inboundmessage",  # mark a reply read
    "messaging.view_messagetemplate",
    "messaging.view_suppression",
    "messaging.change_suppression",  # lift a wrong-number mark once the number is confirmed
    # Complaints (docs/messaging.md): record one and see them; answering and escalating is managers' work.
    "complaints.view_complaint",
    "complaints.add_complaint",
}

# Managers keep the homes, schemes and patches, the annual rent change, and loads from the housing management system.
HOMES_AND_RENTS = {
    *(f"tenancies.{action}_{model}" for action in ("add", "change") for model in ("provider", "scheme", "patch")),
    "tenancies.add_property",
    "tenancies.change_property",
    "tenancies.add_propertycharge",
    *(f"tenancies.{action}_rentfreeweek" for action in ("view", "add", "change", "delete")),
    "lifecycle.view_rentchangerun",
    "lifecycle.add_rentchangerun",
    "lifecycle.change_rentchangerun",
    "lifecycle.approve_rentchangerun",
    "lifecycle.view_tenancyload",
    "lifecycle.add_tenancyload",
}

# Senior officers and managers decide requests (within their delegated authority) and resolve account checks.
DECIDING = {
    "incomeapp.use_approvals",
    "incomeapp.use_dashboards",
    "rentaccounts.change_adjustmentrequest",
    "rentaccounts.view_accountcheck",
    "rentaccounts.change_accountcheck",
    "arrears.change_arrearscase",  # reassign cases (cover during leave)
}

# A second administrator approves every grant of roles, authority, email or password to someone who holds any of these
# (before or after the change): people who can move money, or vouch for another administrator's staff change.
GUARDED_PERMISSIONS = {
    "rentaccounts.add_adjustmentrequest",
    "rentaccounts.change_adjustmentrequest",
    "rentaccounts.change_suspenseitem",
    "incomeapp.approve_exceptional_transfers",
    "incomeapp.change_staffchangerequest",
    "rentaccounts.change_writeoffrun",
}
# Asking for a staff change is the administrator's; approving one is a second administrator's or an income manager's.
STAFF_CHANGE_DECIDING = {"incomeapp.view_staffchangerequest", "incomeapp.change_staffchangerequest"}

# Personal data (privacy app, legal-spec §10): an income manager answers subject access requests (the export holds a
# tenant's money and notes, which a System Administrator never sees) and reviews who was shown special-category data.
# Anonymising under the retention schedule is the `apply_retention` command's alone: no role holds add_anonymisation.
PERSONAL_DATA = {
    "privacy.add_subjectaccessexport",
    "privacy.view_subjectaccessexport",
    "privacy.view_specialcategoryaccess",
    "privacy.view_retentionrule",
    "privacy.view_anonymisation",
}

ROLE_PERMISSIONS: dict[Role, set[str]] = {
    Role.INCOME_OFFICER: OFFICER_CASEWORK,
    Role.SENIOR_INCOME_OFFICER: OFFICER_CASEWORK | DECIDING,
    # Income managers also own the arrears policy: new versions, and which one is live.
    Role.INCOME_MANAGER: OFFICER_CASEWORK
    | DECIDING
    | {
        "arrears.change_arrearspolicy",
        "arrears.add_arrearspolicyversion",
        "arrears.change_arrearspolicyversion",
        "arrears.add_reviewrun",
        "rentaccounts.add_statementrun",  # start the quarterly statements from the browser
        "documents.view_lettertemplate",
        "documents.add_lettertemplateversion",
        # Message templates (versioned like letter templates) and campaigns to a list, previewed before they go.
        "messaging.add_messagetemplateversion",
        "messaging.change_messagetemplateversion",
        "messaging.view_campaign",
        "messaging.add_campaign",
        # Answering, extending and escalating complaints, and the open ones by due date.
        "complaints.change_complaint",
        "complaints.manage_complaints",
        "courts.override_protocol_gate",
        # API clients read tenants' data and can post money: a new client, added scopes and a new key wait for an
        # Income Manager's approval, never the administrator who asked (docs/api.md).
        "api.view_apiclient",
        "api.approve_apiclient",
        "dashboards.change_kpitarget",
        "incomeapp.approve_exceptional_transfers",  # transfers beyond the credit or to another household
        # Debt agency files: the export of referrals sent, and the agency's return of what it collected.
        "arrears.view_debtagencyexport",
        "arrears.add_debtagencyexport",
        "arrears.view_debtagencyreturn",
        "arrears.add_debtagencyreturn",
        "rentaccounts.view_writeoffrun",  # small-balance write-off runs: one manager proposes, another approves
        "rentaccounts.add_writeoffrun",
        "rentaccounts.change_writeoffrun",
    }
    | STAFF_CHANGE_DECIDING
    | PERSONAL_DATA
    | HOMES_AND_RENTS,
    # Read-only view of their residents' accounts; no health or vulnerability notes unless an administrator adds them.
    Role.SUPPORT_WORKER: READ_TENANCIES,
    # Manages staff accounts; sees no tenant's money or notes.
    Role.SYSTEM_ADMINISTRATOR: {
        "incomeapp.use_admin",
        "incomeapp.view_user",
        "incomeapp.add_user",
        "incomeapp.change_user",
        "auth.view_group",
        "incomeapp.add_staffchangerequest",
        *STAFF_CHANGE_DECIDING,
        # Configuration that holds no tenant data.
        *(
            f"tenancies.{action}_{model}"
            for action in ("view", "add", "change")
            for model in ("provider", "scheme", "patch")
        ),
        *(f"tenancies.{action}_rentfreeweek" for action in ("view", "add", "change", "delete")),
        *(f"rentaccounts.{action}_paymentallocationorder" for action in ("view", "add", "change", "delete")),
        *(f"incomeapp.{action}_lawthreshold" for action in ("view", "add", "change")),
        *(f"courts.{action}_{model}" for action in ("view", "add", "change") for model in ("noticerule", "groundrule")),
        # Which landlords, schemes or patches a member of staff sees (tenancies.scoping).
        *(f"tenancies.{action}_staffscope" for action in ("view", "add", "change", "delete")),
        # The retention schedule's periods and bases (privacy.RetentionRule, in Admin); it names no tenant.
        "privacy.view_retentionrule",
        "privacy.change_retentionrule",
        # API clients for the landlord's other systems (docs/api.md): set up, rotate and revoke keys; the call log and
        # webhook deliveries (addresses and states, no tenant data).
        "api.view_apiclient",
        "api.add_apiclient",
        "api.change_apiclient",
        "api.view_apicall",
        "api.view_webhooksubscription",
        "api.view_webhookdelivery",
    },
}


def staff_require(user, permission: str, action: str) -> None:
    """Services check permissions too, so no view, command or task can skip them. `user` None is the system itself
    (a scheduled task or a command run by an operator)."""
    if user is not None and not user.has_perm(permission):
        raise PermissionDenied(f"You do not have permission to {action}.")


def _permission_ids(dotted_names: set[str]) -> dict[str, int]:
    """{"app_label.codename": id} for every permission named, read in one query; a name that matches none is a slip in
    ROLE_PERMISSIONS (or the database is not migrated)."""
    app_labels = {dotted.split(".", 1)[0] for dotted in dotted_names}
    found = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.filter(content_type__app_label__in=app_labels).values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    if missing := sorted(dotted_names - found.keys()):
        raise Permission.DoesNotExist(f"No such permission: {', '.join(missing)}. Run migrate first, or fix roles.py.")
    return found


@transaction.atomic
def roles_setup() -> dict[str, int]:
    """Creates each role's group and sets its permissions to exactly ROLE_PERMISSIONS. Returns permissions per role."""
    permission_ids = _permission_ids(set().union(*ROLE_PERMISSIONS.values()))
    Group.objects.bulk_create([Group(name=role.value) for role in ROLE_PERMISSIONS], ignore_conflicts=True)
    by_name = Group.objects.in_bulk([role.value for role in ROLE_PERMISSIONS], field_name="name")
    groups = {role: by_name[role.value] for role in ROLE_PERMISSIONS}
    # Each role's links rewritten in two statements (nothing listens for group permission changes).
    links = Group.permissions.through
    links.objects.filter(group__in=groups.values()).delete()
    links.objects.bulk_create(
        links(group=groups[role], permission_id=permission_ids[name])
        for role, dotted_names in ROLE_PERMISSIONS.items()
        for name in sorted(dotted_names)
    )
    return {role.value: len(dotted_names) for role, dotted_names in ROLE_PERMISSIONS.items()}
