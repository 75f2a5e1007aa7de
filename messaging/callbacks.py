"""The pages providers call: delivery reports and replies, from GOV.UK Notify and from the generic HTTP SMS provider.

These are the only pages that need no signed-in user: a provider is not a person and cannot sign in. Instead each call
must carry `Authorization: Bearer <MESSAGING_CALLBACK_TOKEN>` (the token set at the provider as its callback bearer
token), compared in constant time; with no token configured every call is refused, so an unconfigured service never
accepts reports from anyone. They take POST JSON only, are exempt from CSRF (the token does that job) and answer bad
input with 400 and a plain reason, never a 500."""

import hmac
import json
from datetime import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .services_receipts import receipt_record, reply_record


class _BadInput(Exception):
    pass


def _authorised(request) -> bool:
    token = settings.MESSAGING_CALLBACK_TOKEN
    if not token:
        return False
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def _refused() -> JsonResponse:
    response = JsonResponse(
        {
            "type": "about:blank",
            "title": "Unauthorised",
            "status": 401,
            "detail": "A valid bearer token is needed (MESSAGING_CALLBACK_TOKEN).",
        },
        status=401,
        content_type="application/problem+json",
    )
    response["WWW-Authenticate"] = 'Bearer realm="messaging callbacks"'
    return response


def _payload(request) -> dict:
    try:
        payload = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise _BadInput("The body is not JSON.") from error
    if not isinstance(payload, dict):
        raise _BadInput("The body must be a JSON object.")
    return payload


def _text(payload: dict, key: str, *, required: bool = True) -> str:
    value = payload.get(key)
    if value is None or value == "":
        if required:
            raise _BadInput(f"“{key}” is missing.")
        return ""
    if not isinstance(value, str | int):
        raise _BadInput(f"“{key}” must be text.")
    return str(value)


def _when(payload: dict, key: str) -> datetime:
    raw = payload.get(key)
    if raw in (None, ""):
        return timezone.now()
    parsed = parse_datetime(str(raw)) if isinstance(raw, str) else None
    if parsed is None:
        raise _BadInput(f"“{key}” is not a date and time.")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.utc)  # Notify sends UTC without an offset
    return parsed


def _callback(handler):
    @login_not_required
    @csrf_exempt
    @require_POST
    def view(request):
        if not _authorised(request):
            return _refused()
        try:
            return handler(_payload(request))
        except _BadInput as error:
            return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")

    view.__name__ = handler.__name__
    view.__doc__ = handler.__doc__
    return view


def _receipt(provider: str, payload: dict) -> JsonResponse:
    _, changed = receipt_record(
        provider=provider,
        provider_ref=_text(payload, "id"),
        reference=_text(payload, "reference", required=False),
        provider_status=_text(payload, "status"),
        payload=payload,
    )
    return JsonResponse({"recorded": True, "status_changed": changed})


def _reply(provider: str, payload: dict, *, ref: str, sender: str, to: str, body: str, when: str) -> JsonResponse:
    body_text = payload.get(body)
    if not isinstance(body_text, str):
        raise _BadInput(f"“{body}” is missing.")
    inbound, new = reply_record(
        provider=provider,
        provider_ref=_text(payload, ref),
        from_address=_text(payload, sender),
        to_address=_text(payload, to, required=False),
        body=body_text,
        received_at=_when(payload, when),
    )
    return JsonResponse({"recorded": True, "new": new, "opt_out": inbound.is_opt_out})


@_callback
def notify_receipt(payload):
    """GOV.UK Notify's delivery receipt: {"id", "reference", "to", "status", ...}."""
    return _receipt("notify", payload)


@_callback
def notify_reply(payload):
    """GOV.UK Notify's received text: {"id", "source_number", "destination_number", "message", "date_received"}."""
    return _reply(
        "notify",
        payload,
        ref="id",
        sender="source_number",
        to="destination_number",
        body="message",
        when="date_received",
    )


@_callback
def sms_receipt(payload):
    """The generic HTTP SMS provider's delivery report: {"id", "reference", "status"}."""
    return _receipt("http_sms", payload)


@_callback
def sms_reply(payload):
    """The generic HTTP SMS provider's inbound text: {"id", "from", "to", "body", "received_at"}."""
    return _reply("http_sms", payload, ref="id", sender="from", to="to", body="body", when="received_at")
