"""The API's scopes, and what each lets a client do (docs/api.md)."""

from django.db import models


class Scope(models.TextChoices):
    TENANCIES_READ = "tenancies:read", "Read tenancies, their named tenants and charges"
    ACCOUNTS_READ = "accounts:read", "Read rent accounts, balances and the ledger"
    CASES_READ = "cases:read", "Read arrears cases, recommendations, agreements, notices and court stage"
    SENSITIVE_READ = "sensitive:read", "See vulnerability and health notes and Breathing Space details"
    PAYMENTS_WRITE = "payments:write", "Post payments"
    CONTACTS_WRITE = "contacts:write", "Add contacts to the arrears diary"
    TENANCIES_WRITE = "tenancies:write", "Load people and tenancy changes, as the onboarding import does"
    WEBHOOKS = "webhooks", "Subscribe to events (webhooks)"


# The Django permissions a client's service user holds for each scope: the services check these, as they do for staff.
SCOPE_PERMISSIONS: dict[str, set[str]] = {
    Scope.TENANCIES_READ: {
        "tenancies.view_tenancy",
        "tenancies.view_person",
        "tenancies.view_property",
        "tenancies.view_charge",
    },
    Scope.ACCOUNTS_READ: {"rentaccounts.view_account", "rentaccounts.view_transaction"},
    Scope.CASES_READ: {
        "arrears.view_arrearscase",
        "arrears.view_recommendation",
        "arrears.view_agreement",
        "courts.view_notice",
        "courts.view_legalcase",
    },
    Scope.SENSITIVE_READ: {"incomeapp.view_sensitive_notes", "arrears.view_breathingspace"},
    Scope.PAYMENTS_WRITE: {"rentaccounts.add_importbatch", "rentaccounts.view_importbatch"},
    Scope.CONTACTS_WRITE: {"arrears.add_contact", "arrears.view_arrearscase"},
    # What a load from the housing management system needs (the import calls the same services as the screens).
    Scope.TENANCIES_WRITE: {
        "lifecycle.add_tenancyload",
        "lifecycle.view_tenancyload",
        *(
            f"tenancies.{action}_{model}"
            for action in ("add", "change")
            for model in ("provider", "scheme", "patch", "property", "person")
        ),
        "tenancies.add_propertycharge",
        "tenancies.sign_up_tenancy",
        "tenancies.end_tenancy",
        "tenancies.add_charge",
        "rentaccounts.add_directdebitmandate",
        "rentaccounts.change_directdebitmandate",
    },
    Scope.WEBHOOKS: set(),
}


class Event(models.TextChoices):
    """What a webhook subscription can ask to hear about."""

    PAYMENT_POSTED = "payment.posted", "A payment was posted"
    CASE_OPENED = "case.opened", "An arrears case was opened"
    CASE_CLOSED = "case.closed", "An arrears case was closed"
    RECOMMENDATION_CHANGED = "recommendation.changed", "A case's recommended next step changed"
    AGREEMENT_BREACHED = "agreement.breached", "An agreement to pay was breached"
    BREATHING_SPACE_RECORDED = "breathing_space.recorded", "A Breathing Space was recorded or its dates changed"


# Events whose subscription needs a scope beyond `webhooks` (the role rules: Breathing Space is sensitive).
EVENT_SCOPES: dict[str, str] = {
    Event.PAYMENT_POSTED: Scope.ACCOUNTS_READ,
    Event.CASE_OPENED: Scope.CASES_READ,
    Event.CASE_CLOSED: Scope.CASES_READ,
    Event.RECOMMENDATION_CHANGED: Scope.CASES_READ,
    Event.AGREEMENT_BREACHED: Scope.CASES_READ,
    Event.BREATHING_SPACE_RECORDED: Scope.SENSITIVE_READ,
}


class ClientWaiting(models.TextChoices):
    """What of a client waits for an Income Manager's approval."""

    NEW = "new", "A new client"
    SCOPES = "scopes", "Added scopes"
    KEY = "key", "A new key"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    RETRYING = "retrying", "Failed, will be tried again"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed: no more tries"


class IdempotencyState(models.TextChoices):
    PROCESSING = "processing", "Being processed"
    DONE = "done", "Done"
