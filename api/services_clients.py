"""Creating, rotating and revoking API clients (a system administrator's work), and their service users."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incomeapp.roles import staff_require

from .constants import SCOPE_PERMISSIONS, Scope
from .keys import key_make
from .models import ApiClient

MANAGE_PERMISSION = "api.add_apiclient"
SERVICE_USER_PREFIX = "api-client-"


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
    """A new client with its key (returned once). Its service user holds exactly its scopes' permissions and cannot
    sign in to the browser."""
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
    user = user_model(username=f"{SERVICE_USER_PREFIX}{prefix}", first_name="API:", last_name=name[:100])
    user.set_unusable_password()
    user.save()
    client = ApiClient.objects.create(
        name=name,
        scopes=scopes,
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
    client.scopes = scopes_clean(scopes)
    client.rate_limit_per_minute = rate_limit_per_minute
    client._change_reason = f"Changed by {by}"
    client.save()
    _service_user_sync(client)
    return client


@transaction.atomic
def api_client_rotate(*, by, client: ApiClient) -> IssuedKey:
    """A new key for the client; the old key stops working at once."""
    staff_require(by, "api.change_apiclient", "rotate API keys")
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.is_revoked:
        raise ValidationError("This client's key has been revoked. Set up a new client instead.")
    key, prefix, hashed = key_make()
    client.key_prefix, client.key_hash, client.key_issued_at = prefix, hashed, timezone.now()
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
