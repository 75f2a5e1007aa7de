"""Reads for the administrators' API client pages: the clients with their use, a client's call log, its webhook
subscriptions with their latest deliveries, and who changed what of it when."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .constants import ClientWaiting, Scope
from .models import ApiCall, ApiClient, WebhookDelivery, WebhookSubscription

CALL_LOG_LENGTH = 100
DELIVERIES_SHOWN = 10


def scope_labels(scopes) -> list[tuple[str, str]]:
    """(scope, what it lets a client do) for each scope, in the order Scope lists them."""
    wanted = set(scopes or [])
    return [(value, label) for value, label in Scope.choices if value in wanted]


def api_clients_list() -> QuerySet[ApiClient]:
    """Every client, with `calls_last_day`: its calls in the last 24 hours."""
    since = timezone.now() - timedelta(hours=24)
    return ApiClient.objects.select_related("created_by").annotate(
        calls_last_day=Count("calls", filter=Q(calls__at__gte=since))
    )


def api_clients_waiting() -> QuerySet[ApiClient]:
    return ApiClient.objects.filter(revoked_at__isnull=True).exclude(waiting="")


def api_client_state(client: ApiClient) -> tuple[str, str]:
    """(what to call the client's state, the GOV.UK tag colour)."""
    if client.is_revoked:
        return "Revoked", "grey"
    if client.waiting == ClientWaiting.NEW:
        return "Waiting for approval", "yellow"
    if client.waiting == ClientWaiting.KEY:
        return "New key waiting for approval", "yellow"
    if not client.key_hash:
        return "No working key", "red"
    if client.waiting == ClientWaiting.SCOPES:
        return "Active, added scopes waiting for approval", "blue"
    return "Active", "green"


def api_client_calls(client: ApiClient, limit: int = CALL_LOG_LENGTH) -> list[ApiCall]:
    return list(ApiCall.objects.filter(client=client).order_by("-at", "-id")[:limit])


@dataclass(frozen=True)
class SubscriptionShown:
    subscription: WebhookSubscription
    deliveries: list[WebhookDelivery]


def api_client_subscriptions(client: ApiClient, deliveries: int = DELIVERIES_SHOWN) -> list[SubscriptionShown]:
    """Each of the client's webhook subscriptions (active first) with its latest deliveries."""
    subscriptions = WebhookSubscription.objects.filter(client=client).order_by("-active", "created_at", "id")
    return [
        SubscriptionShown(
            s, list(WebhookDelivery.objects.filter(subscription=s).order_by("-created_at", "-id")[:deliveries])
        )
        for s in subscriptions
    ]


@dataclass(frozen=True)
class ClientChange:
    at: datetime
    by: object  # a User, or None when no one was signed in (a command)
    what: str
    changes: list[str]


FIELD_NAMES = {
    "name": "Name",
    "scopes": "Scopes",
    "pending_scopes": "Scopes waiting for approval",
    "rate_limit_per_minute": "Rate limit",
    "key_prefix": "Key",
    "revoked_at": "Revoked",
    "waiting": "Waiting for approval",
}


def _shown(field: str, value) -> str:
    if field in ("scopes", "pending_scopes"):
        return ", ".join(value) if value else "none"
    if field == "rate_limit_per_minute":
        return f"{value} a minute"
    if field == "waiting":
        return ClientWaiting(value).label if value else "nothing"
    return str(value) if value not in (None, "") else "none"


def api_client_history(client: ApiClient) -> list[ClientChange]:
    """Who changed what of the client, and when, newest first (django-simple-history's records)."""
    records = list(client.history.select_related("history_user").order_by("history_date", "history_id"))
    shown = []
    previous = None
    for record in records:
        if previous is None:
            what, changes = "Set up", [f"Scopes asked for: {_shown('scopes', record.pending_scopes or record.scopes)}"]
        else:
            what = record.history_change_reason or "Changed"
            changes = []
            for change in record.diff_against(previous).changes:
                if change.field not in FIELD_NAMES:
                    continue
                if change.field == "key_prefix":
                    changes.append("A new key was issued")
                elif change.field == "revoked_at":
                    changes.append("The key was revoked")
                else:
                    label = FIELD_NAMES[change.field]
                    changes.append(f"{label}: {_shown(change.field, change.old)} → {_shown(change.field, change.new)}")
        shown.append(ClientChange(at=record.history_date, by=record.history_user, what=what, changes=changes))
        previous = record
    return list(reversed(shown))
