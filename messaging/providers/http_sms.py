"""A generic HTTP SMS provider, so a housing association can plug in its own gateway (or a small adapter in front of
it). The API it must speak, in JSON:

    POST {SMS_PROVIDER_URL}/messages
        Authorization: Bearer {SMS_PROVIDER_API_KEY}
        Idempotency-Key: {reference}        (the same key twice sends once: the first message is answered again)
        {"to": "+447700900123", "body": "...", "reference": "..."}
      → 201 {"id": "...", "status": "accepted"}   (200 with the same body for a repeated Idempotency-Key)
      → 400 {"error": "..."} a message it will never send; 401 a wrong key;
        429 with Retry-After (seconds) over its rate limit; 5xx try later.
    GET {SMS_PROVIDER_URL}/messages?reference={reference}
      → 200 {"messages": [{"id": "...", "reference": "...", "status": "..."}]}

Delivery reports and replies are POSTed by the provider to our callback URLs in GOV.UK Notify's shapes, with
MESSAGING_CALLBACK_TOKEN as a bearer token (docs/messaging.md)."""

import smtplib

import requests
from django.conf import settings
from django.core.mail import EmailMessage

from messaging.constants import Channel

from .base import Accepted, PermanentError, Provider, TemporaryError

# (connect, read) seconds: a worker never waits long on the provider.
TIMEOUT = (5, 10)


def _reason(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:200] or "no reason given"
    if isinstance(body, dict):
        found = body.get("error") or body.get("message") or body.get("errors")
        if isinstance(found, list):
            found = "; ".join(str(item.get("message", item) if isinstance(item, dict) else item) for item in found)
        return str(found or body)
    return str(body)


def _retry_after(response: requests.Response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None


class HttpSmsProvider(Provider):
    name = "http_sms"

    def __init__(self, *, url: str, api_key: str):
        if not url:
            raise ValueError("SMS_PROVIDER_URL is not set: it is the address of the SMS provider's API.")
        self.url = url.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {api_key}", "Accept": "application/json"})

    @classmethod
    def from_settings(cls) -> "HttpSmsProvider":
        return cls(url=settings.SMS_PROVIDER_URL, api_key=settings.SMS_PROVIDER_API_KEY)

    def send(self, message) -> Accepted:
        if message.channel != Channel.TEXT:
            return _email_send(message)
        body = {"to": message.to, "body": message.body, "reference": message.idempotency_key}
        response = self._request("POST", "/messages", json=body, headers={"Idempotency-Key": message.idempotency_key})
        try:
            provider_ref = response.json()["id"]
        except (ValueError, KeyError, TypeError) as error:
            raise TemporaryError("The SMS provider accepted the message but did not say its id.") from error
        return Accepted(provider_ref=str(provider_ref))

    def find(self, reference: str) -> str | None:
        response = self._request("GET", "/messages", params={"reference": reference})
        for found in response.json().get("messages", []):
            if found.get("reference", reference) == reference and found.get("id"):
                return str(found["id"])
        return None

    def _request(self, method: str, path: str, **kwargs) -> requests.Response:
        try:
            response = self.session.request(method, self.url + path, timeout=TIMEOUT, **kwargs)
        except requests.RequestException as error:
            raise TemporaryError(f"The SMS provider could not be reached: {error.__class__.__name__}") from error
        status = response.status_code
        if status < 400:
            return response
        reason = _reason(response)
        if status == 429 or status >= 500:
            raise TemporaryError(f"The SMS provider answered {status}: {reason}", retry_after=_retry_after(response))
        if status in (401, 403):
            raise PermanentError(f"The SMS provider refused our API key: {reason}")
        raise PermanentError(f"The SMS provider refused the message: {reason}")


def _email_send(message) -> Accepted:
    """An SMS provider sends texts only: emails go through the product's own mail settings (EMAIL_URL), as letters
    by email do. A mail server gives no delivery report, so acceptance is recorded as delivered; one that refuses the
    address fails the message, one that cannot be reached is tried again later. A worker that dies after the mail
    server accepted but before recording it sends the email again (at least once, never lost: docs/messaging.md)."""
    email = EmailMessage(
        subject=message.subject or "About your rent account",
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers={"X-Rentwise-Reference": message.idempotency_key},
    )
    try:
        email.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        raise PermanentError(f"The mail server refused the address {message.to}.") from error
    except (smtplib.SMTPException, OSError) as error:
        raise TemporaryError(f"The mail server could not be reached or refused the email for now ({error}).") from error
    return Accepted(provider_ref=f"email:{message.idempotency_key}", delivered=True)
