"""Webhook subscriptions: made (the secret shown once), ended (kept, with their deliveries), and a failed delivery tried
again. Used by the API and by the staff pages (a system administrator acting for a client)."""

import ipaddress
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from incomeapp.roles import staff_require

from .constants import EVENT_SCOPES, DeliveryState, Event, Scope
from .models import ApiClient, WebhookDelivery, WebhookSubscription
from .webhooks import sender_start

ACTIVE_LIMIT = 20  # active subscriptions a client may hold
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class IssuedSecret:
    subscription: WebhookSubscription
    secret: str  # shown once


def _local_http_allowed() -> bool:
    """http:// to this machine (a developer's receiver): with DEBUG on, or API_WEBHOOK_ALLOW_LOCAL_HTTP (tests)."""
    return bool(getattr(settings, "API_WEBHOOK_ALLOW_LOCAL_HTTP", settings.DEBUG))


def url_clean(url: str) -> str:
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018  a port that is not a number raises here
    except ValueError as error:
        raise ValidationError("The address is not a web address. Enter one like https://example.org/hooks.") from error
    if not host:
        raise ValidationError("The address has no host. Enter one like https://example.org/hooks.")
    if parts.username or parts.password:
        raise ValidationError("Do not put a user name or password in the address: each post is signed instead.")
    local = host in LOCAL_HOSTS
    if parts.scheme == "http" and local and _local_http_allowed():
        return url
    if parts.scheme != "https":
        raise ValidationError("The address must start with https:// so the posts are encrypted on the way.")
    if local and not _local_http_allowed():
        raise ValidationError("The address is this server itself. Give your own system's public https address.")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return url
    if (address.is_private or address.is_loopback or address.is_link_local or address.is_reserved) and not (
        _local_http_allowed() and address.is_loopback
    ):
        raise ValidationError("The address is a private network address. Give your system's public https address.")
    return url


def events_clean(client: ApiClient, events) -> list[str]:
    wanted = list(dict.fromkeys(events or []))
    unknown = [event for event in wanted if event not in Event.values]
    if unknown:
        raise ValidationError(
            f"These events do not exist: {', '.join(unknown)}. Choose from {', '.join(Event.values)}."
        )
    if not wanted:
        raise ValidationError("Choose at least one event to hear about.")
    missing = sorted({EVENT_SCOPES[event] for event in wanted if not client.has_scope(EVENT_SCOPES[event])})
    if missing:
        events_named = ", ".join(event for event in wanted if EVENT_SCOPES[event] in missing)
        raise PermissionDenied(
            f"This API client cannot subscribe to {events_named}: it needs the {', '.join(missing)} scope. Ask the "
            "landlord's system administrator to add it, or leave those events out."
        )
    return wanted


def _acting_for(by, client: ApiClient, action: str) -> None:
    """The client itself (its service user), or staff allowed to manage API clients."""
    if by is not None and by.pk != client.user_id:
        staff_require(by, "api.change_apiclient", action)


@transaction.atomic
def subscription_create(*, by, client: ApiClient, url: str, events) -> IssuedSecret:
    """A subscription to `events` at `url`, and its signing secret (returned once; the API never shows it again)."""
    _acting_for(by, client, "set up webhooks")
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.is_revoked:
        raise ValidationError("This API client has been revoked, so it cannot subscribe to events.")
    if not client.has_scope(Scope.WEBHOOKS):
        raise PermissionDenied("This API client does not have the webhooks scope. Ask for it to be added.")
    url = url_clean(url)
    events = events_clean(client, events)
    if client.subscriptions.filter(active=True).count() >= ACTIVE_LIMIT:
        raise ValidationError(
            f"This client already has {ACTIVE_LIMIT} active subscriptions. End one you no longer use, then try again."
        )
    secret = f"whsec_{secrets.token_hex(32)}"
    subscription = WebhookSubscription.objects.create(client=client, url=url, events=events, secret=secret)
    return IssuedSecret(subscription=subscription, secret=secret)


@transaction.atomic
def subscription_end(*, by, subscription: WebhookSubscription) -> WebhookSubscription:
    """Stops the subscription (it and its deliveries are kept); deliveries still waiting are not sent. Ending an ended
    one changes nothing."""
    _acting_for(by, subscription.client, "end webhook subscriptions")
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    if not subscription.active:
        return subscription
    subscription.active, subscription.ended_at = False, timezone.now()
    subscription.save(update_fields=["active", "ended_at"])
    subscription.deliveries.filter(state__in=[DeliveryState.PENDING, DeliveryState.RETRYING]).update(
        state=DeliveryState.FAILED,
        next_attempt_at=None,
        last_error="Not sent: the subscription was ended before it could be sent.",
    )
    return subscription


@transaction.atomic
def delivery_retry(*, by, delivery: WebhookDelivery) -> WebhookDelivery:
    """A failed delivery is sent again with a full set of tries (the same event id, so a receiver that did get it can
    ignore it). Only a failed one: a waiting one is already going to be sent."""
    _acting_for(by, delivery.subscription.client, "retry webhook deliveries")
    delivery = WebhookDelivery.objects.select_for_update().select_related("subscription__client").get(pk=delivery.pk)
    if delivery.state != DeliveryState.FAILED:
        raise ValidationError(
            f"This delivery is {delivery.get_state_display().lower()}, so there is nothing to retry. Only a failed "
            "delivery can be tried again."
        )
    if not delivery.subscription.active or delivery.subscription.client.is_revoked:
        raise ValidationError("The subscription has ended, so nothing can be sent to it. Subscribe again instead.")
    delivery.state, delivery.attempts, delivery.next_attempt_at = DeliveryState.PENDING, 0, timezone.now()
    delivery.save(update_fields=["state", "attempts", "next_attempt_at"])
    transaction.on_commit(sender_start)
    return delivery
