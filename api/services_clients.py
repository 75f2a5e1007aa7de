"""Creating, changing, rotating and revoking API clients (a system administrator's work), approving their grants (an
Income Manager's, never the asker's), and their service users.

Taking power away never waits (a scope removed, a key revoked). Every grant waits: a new client's key works, a rotated
key works and added scopes are in force only once an Income Manager approves (docs/api.md, "Clients and keys")."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from incomeapp.constants import API_CLIENT_USERNAME_PREFIX
from incomeapp.roles import staff_require

from .constants import SCOPE_PERMISSIONS, ClientWaiting, Scope
from .keys import key_make
from .models import ApiClient

MANAGE_PERMISSION = "api.add_apiclient"
APPROVE_PERMISSION = "api.approve_apiclient"
OWN_GRANT = "You asked for this, so someone else must approve it."


@dataclass(frozen=True)
class IssuedKey:
    client: ApiClient
    key: str  # shown once, never kept


def scopes_clean(scopes) -> list[str]:
    known = set(Scope.values)
    wanted = sorted(set(scopes or []))
    unknown = [scope for scope in wanted if scope not in known]
    if unknown:
        raise ValidationError(
            f"These scopes do not exist: {', '.join(unknown)}. Choose from {', '.join(Scope.values)}."
        )
    if not wanted:
        raise ValidationError("Choose at least one thing the client may do.")
    return wanted


def _permissions_for(scopes: list[str]) -> list[Permission]:
    dotted = set().union(*(SCOPE_PERMISSIONS[scope] for scope in scopes))
    found = []
    for name in sorted(dotted):
        app_label, codename = name.split(".", 1)
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


def _service_user_sync(client: ApiClient) -> None:
    user = client.user
    user.is_active = not client.is_revoked
    user.save(update_fields=["is_active"])
    user.user_permissions.set(_permissions_for(client.scopes))


@transaction.atomic
def api_client_create(*, by, name: str, scopes, rate_limit_per_minute: int = 600) -> IssuedKey:
    """A new client with its key (returned once), which works once an Income Manager approves the client. Its service
    user then holds exactly its scopes' permissions; it can never sign in to the browser."""
    staff_require(by, MANAGE_PERMISSION, "set up API clients")
    name = (name or "").strip()
    if not name:
        raise ValidationError("Enter the name of the system that will use the key.")
    if ApiClient.objects.filter(name__iexact=name).exists():
        raise ValidationError(f"There is already a client called {name}. Choose another name.")
    if rate_limit_per_minute < 1:
        raise ValidationError("The rate limit must be at least 1 call a minute.")
    scopes = scopes_clean(scopes)
    key, prefix, hashed = key_make()
    user_model = get_user_model()
    user = user_model(username=f"{API_CLIENT_USERNAME_PREFIX}{prefix}", first_name="API:", last_name=name[:100])
    user.set_unusable_password()
    user.save()
    client = ApiClient.objects.create(
        name=name,
        scopes=[],
        pending_scopes=scopes,
        waiting=ClientWaiting.NEW,
        asked_by=by,
        rate_limit_per_minute=rate_limit_per_minute,
        key_prefix=prefix,
        key_hash=hashed,
        key_issued_at=timezone.now(),
        user=user,
        created_by=by,
    )
    _service_user_sync(client)
    return IssuedKey(client=client, key=key)


@transaction.atomic
def api_client_change(*, by, client: ApiClient, scopes, rate_limit_per_minute: int) -> ApiClient:
    staff_require(by, "api.change_apiclient", "change API clients")
    if rate_limit_per_minute < 1:
        raise ValidationError("The rate limit must be at least 1 call a minute.")
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.is_revoked:
        raise ValidationError("This client has been revoked: set up a new client instead.")
    wanted = scopes_clean(scopes)
    client.rate_limit_per_minute = rate_limit_per_minute
    # Removed scopes go at once; added ones wait for approval (with what is in force meanwhile).
    client.scopes = [scope for scope in client.scopes if scope in wanted]
    if client.waiting == ClientWaiting.NEW:
        client.pending_scopes, client.asked_by = wanted, by
    elif set(wanted) - set(client.scopes):
        client.pending_scopes, client.waiting, client.asked_by = wanted, ClientWaiting.SCOPES, by
    elif client.waiting == ClientWaiting.SCOPES:
        client.pending_scopes, client.waiting = None, ""
    client._change_reason = f"Changed by {by}"
    client.save()
    _service_user_sync(client)
    return client


@transaction.atomic
def api_client_rotate(*, by, client: ApiClient) -> IssuedKey:
    """A new key for the client: the old key stops working at once; the new one works once it is approved."""
    staff_require(by, "api.change_apiclient", "rotate API keys")
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.is_revoked:
        raise ValidationError("This client's key has been revoked. Set up a new client instead.")
    key, prefix, hashed = key_make()
    client.key_prefix, client.key_hash, client.key_issued_at = prefix, hashed, timezone.now()
    if client.waiting != ClientWaiting.NEW:
        # Added scopes asked for before stay asked for: approving the key approves them too.
        client.waiting, client.asked_by = ClientWaiting.KEY, by
    client._change_reason = f"Key rotated by {by}"
    client.save()
    return IssuedKey(client=client, key=key)


@transaction.atomic
def api_client_revoke(*, by, client: ApiClient) -> ApiClient:
    """The key stops working at once, for good; its webhook subscriptions stop too."""
    staff_require(by, "api.change_apiclient", "revoke API keys")
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.is_revoked:
        return client
    client.revoked_at, client.revoked_by = timezone.now(), by
    client._change_reason = f"Revoked by {by}"
    client.save()
    client.subscriptions.filter(active=True).update(active=False, ended_at=client.revoked_at)
    _service_user_sync(client)
    return client


def _waiting_locked(client: ApiClient, by) -> ApiClient:
    staff_require(by, APPROVE_PERMISSION, "approve API clients")
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.is_revoked or not client.waiting:
        raise ValidationError(f"Nothing of {client.name} is waiting for approval.")
    if client.asked_by_id == by.pk:
        raise PermissionDenied(OWN_GRANT)
    return client


@transaction.atomic
def api_client_approve(*, by, client: ApiClient) -> ApiClient:
    """An Income Manager approves what waits: the new client (its key works and its scopes are in force), the added
    scopes, or the new key (with any scopes asked for before it)."""
    client = _waiting_locked(client, by)
    what = client.get_waiting_display().lower()
    if client.pending_scopes is not None:
        client.scopes, client.pending_scopes = client.pending_scopes, None
    client.waiting, client.approved_by, client.approved_at = "", by, timezone.now()
    client._change_reason = f"Approved ({what}) by {by}"
    client.save()
    _service_user_sync(client)
    return client


@transaction.atomic
def api_client_refuse(*, by, client: ApiClient, reason: str) -> ApiClient:
    """Refuses what waits, with the reason kept: a new client is revoked; added scopes are dropped; a new key is
    withdrawn (the client has no working key until another is asked for and approved)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give the reason for refusing: the administrator who asked needs it, and it is kept.")
    client = _waiting_locked(client, by)
    if client.waiting == ClientWaiting.NEW:
        client.revoked_at, client.revoked_by = timezone.now(), by
    elif client.waiting == ClientWaiting.KEY:
        client.key_hash = ""  # no key matches an empty hash
    client.waiting, client.pending_scopes = "", None
    client._change_reason = f"Refused by {by}: {reason}"
    client.save()
    _service_user_sync(client)
    return client
