"""The administrators' pages for API clients: the list, setting one up, its page (scopes, key, call log, webhooks,
history), changing its scopes and rate limit, rotating and revoking its key, and an Income Manager's approval.

A key is shown once. After a new client or a rotation the page redirects (so a reload or the back button never sets
up or rotates twice) to a page that takes the key out of the session and shows it; it is gone from the session from
then on, and while it waits there it is sealed with a one-time pad from the secret key, never kept in clear."""

import base64
import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import selectors
from .forms import ApiClientChangeForm, ApiClientNewForm, ApiClientRefuseForm
from .models import ApiClient
from .services_clients import (
    api_client_approve,
    api_client_change,
    api_client_create,
    api_client_refuse,
    api_client_revoke,
    api_client_rotate,
)

KEY_SESSION = "api_key_to_show"
CLIENTS = ApiClient.objects.select_related("created_by", "revoked_by", "asked_by", "approved_by")


def _message(error) -> str:
    return error.messages[0] if isinstance(error, ValidationError) else str(error)


def _pad(nonce: bytes, length: int) -> bytes:
    stream = b""
    counter = 0
    while len(stream) < length:
        block = nonce + counter.to_bytes(4, "big")
        stream += hmac.new(settings.SECRET_KEY.encode(), b"api-key-once" + block, hashlib.sha256).digest()
        counter += 1
    return stream[:length]


def _seal(key: str) -> str:
    nonce = secrets.token_bytes(16)
    data = key.encode()
    return base64.b64encode(nonce + bytes(a ^ b for a, b in zip(data, _pad(nonce, len(data)), strict=True))).decode()


def _unseal(sealed: str) -> str:
    raw = base64.b64decode(sealed)
    nonce, data = raw[:16], raw[16:]
    return bytes(a ^ b for a, b in zip(data, _pad(nonce, len(data)), strict=True)).decode()


def _key_to_show(request, issued, kind: str):
    request.session[KEY_SESSION] = {"client": issued.client.pk, "sealed": _seal(issued.key), "kind": kind}
    return redirect("api_client_key", pk=issued.client.pk)


@permission_required("api.view_apiclient", raise_exception=True)
def index(request):
    clients = list(selectors.api_clients_list())
    for client in clients:
        client.state, client.state_colour = selectors.api_client_state(client)
        client.scope_labels = selectors.scope_labels(client.scopes)
        client.pending_labels = selectors.scope_labels(set(client.pending_scopes or []) - set(client.scopes))
    context = {
        "clients": clients,
        "waiting": [client for client in clients if client.waiting and not client.is_revoked],
        "can_add": request.user.has_perm("api.add_apiclient"),
    }
    return render(request, "api/clients.html", context)


@permission_required("api.add_apiclient", raise_exception=True)
def new(request):
    form = ApiClientNewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issued = api_client_create(
                by=request.user,
                name=data["name"],
                scopes=data["scopes"],
                rate_limit_per_minute=data["rate_limit_per_minute"],
            )
        except (ValidationError, PermissionDenied) as error:
            message = _message(error)
            form.add_error("name" if "called" in message or "name" in message else None, message)
        else:
            messages.success(
                request, f"{issued.client.name} is set up. An Income Manager must approve it before its key works."
            )
            return _key_to_show(request, issued, "new")
    return render(request, "api/client_new.html", {"form": form})


@never_cache
@permission_required("api.view_apiclient", raise_exception=True)
def key(request, pk):
    client = get_object_or_404(ApiClient, pk=pk)
    held = request.session.get(KEY_SESSION)
    shown = None
    if held and held.get("client") == client.pk:
        del request.session[KEY_SESSION]  # shown once: a reload finds nothing
        shown = {"key": _unseal(held["sealed"]), "kind": held["kind"]}
    context = {"client": client, "shown": shown, "can_change": request.user.has_perm("api.change_apiclient")}
    return render(request, "api/client_key.html", context)


@permission_required("api.view_apiclient", raise_exception=True)
def detail(request, pk, refuse_form=None):
    client = get_object_or_404(CLIENTS, pk=pk)
    client.state, client.state_colour = selectors.api_client_state(client)
    user = request.user
    pending = set(client.pending_scopes or [])
    context = {
        "client": client,
        "scope_labels": selectors.scope_labels(client.scopes),
        "pending_labels": selectors.scope_labels(pending - set(client.scopes)) if client.waiting else [],
        "can_change": user.has_perm("api.change_apiclient") and not client.is_revoked,
        "can_decide": bool(client.waiting) and not client.is_revoked and user.has_perm("api.approve_apiclient"),
        "own_grant": client.asked_by_id == user.pk,
        "refuse_form": refuse_form or ApiClientRefuseForm(),
        "calls": selectors.api_client_calls(client) if user.has_perm("api.view_apicall") else None,
        "subscriptions": (
            selectors.api_client_subscriptions(client) if user.has_perm("api.view_webhooksubscription") else None
        ),
        "show_deliveries": user.has_perm("api.view_webhookdelivery"),
        "history": selectors.api_client_history(client),
    }
    return render(request, "api/client.html", context)


@permission_required("api.change_apiclient", raise_exception=True)
def change(request, pk):
    client = get_object_or_404(ApiClient, pk=pk)
    if client.is_revoked:
        messages.error(request, f"{client.name} has been revoked, so it cannot be changed. Set up a new client.")
        return redirect("api_client", pk=client.pk)
    initial = {"scopes": client.pending_scopes or client.scopes, "rate_limit_per_minute": client.rate_limit_per_minute}
    form = ApiClientChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            client = api_client_change(
                by=request.user,
                client=client,
                scopes=form.cleaned_data["scopes"],
                rate_limit_per_minute=form.cleaned_data["rate_limit_per_minute"],
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, _message(error))
        else:
            waits = " Added scopes work once an Income Manager approves them." if client.pending_scopes else ""
            messages.success(request, f"{client.name}'s scopes and rate limit are saved.{waits}")
            return redirect("api_client", pk=client.pk)
    return render(request, "api/client_change.html", {"client": client, "form": form})


def _confirm(request, pk, template: str, act):
    client = get_object_or_404(ApiClient, pk=pk)
    if request.method == "POST":
        try:
            return act(client)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _message(error))
            return redirect("api_client", pk=client.pk)
    if client.is_revoked:
        messages.error(request, f"{client.name} has been revoked: there is nothing more to do with its key.")
        return redirect("api_client", pk=client.pk)
    return render(request, template, {"client": client})


@permission_required("api.change_apiclient", raise_exception=True)
def rotate(request, pk):
    def act(client):
        issued = api_client_rotate(by=request.user, client=client)
        messages.success(
            request,
            f"{client.name} has a new key. The old key stopped working at once; the new one works once an Income "
            "Manager approves it.",
        )
        return _key_to_show(request, issued, "rotated")

    return _confirm(request, pk, "api/client_rotate.html", act)


@permission_required("api.change_apiclient", raise_exception=True)
def revoke(request, pk):
    def act(client):
        api_client_revoke(by=request.user, client=client)
        messages.success(request, f"{client.name}'s key is revoked: it no longer works, and its webhooks have stopped.")
        return redirect("api_client", pk=client.pk)

    return _confirm(request, pk, "api/client_revoke.html", act)


@require_POST
@permission_required("api.approve_apiclient", raise_exception=True)
def approve(request, pk):
    client = get_object_or_404(ApiClient, pk=pk)
    try:
        client = api_client_approve(by=request.user, client=client)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, f"Approved. {client.name}'s key works with these scopes: {', '.join(client.scopes)}.")
    return redirect("api_client", pk=client.pk)


@require_POST
@permission_required("api.approve_apiclient", raise_exception=True)
def refuse(request, pk):
    client = get_object_or_404(ApiClient, pk=pk)
    form = ApiClientRefuseForm(request.POST)
    if not form.is_valid():
        return detail(request, pk, refuse_form=form)
    try:
        client = api_client_refuse(by=request.user, client=client, reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, f"Refused. Nothing {client.name} asked for is in force.")
    return redirect(reverse("api_client", kwargs={"pk": client.pk}))
