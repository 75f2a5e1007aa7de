"""A local provider for tests, the benchmark and demos: a real HTTP server (real sockets, real JSON) speaking GOV.UK
Notify's v2 API and the generic HTTP SMS API (messaging/providers/http_sms.py), with their error responses and a rate
limit, recording every message it accepted. It also plays the provider's side of the callbacks: it POSTs delivery
receipts and replies, in Notify's callback shapes, to a URL it is given.

    server = ProviderServer(rate_limit=200).start()   # server.url, server.notify_api_key, server.sms_api_key
    ...                                                # point NOTIFY_BASE_URL or SMS_PROVIDER_URL at server.url
    server.accepted_counts()                           # {reference: times accepted}: 1 each, or something sent twice
    server.fail_next(3, status=500)                    # the next 3 API requests fail
    server.send_receipt(callback_url, token=..., reference=..., status="delivered")
    server.stop()

Or on its own, for a demo: `python -m devtools.provider_server --port 8025 --rate-limit 50` (it prints the settings to
use; GET /_server/stats shows what it holds).

Notify's behaviour copied here: a JWT bearer token signed with the API key's secret, `iss` = the service id, at most
30 seconds old; 400 ValidationError / BadRequestError, 403 AuthError, 429 RateLimitError and 500 as
{"status_code": ..., "errors": [{"error": ..., "message": ...}]}; references are NOT unique at Notify (the same
reference sent twice makes two notifications, counted here as the same reference accepted twice). The generic API
de-duplicates by Idempotency-Key, as the provider it describes must."""

import argparse
import json
import re
import socket
import threading
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import requests
from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
from notifications_python_client.errors import TokenError

NOTIFY_SERVICE_ID = "7b9f35b0-2d6e-4b44-9a57-5a4c3b1e6d01"
NOTIFY_SECRET = "0e3c2a44-51f7-4a8e-8e39-2f1d4c9b7a10"  # noqa: S105 (a local test server's own key)
SMS_TEMPLATE_ID = "1a0c4f1e-8c53-4d8e-9f0e-6d1b7b3f5a21"
EMAIL_TEMPLATE_ID = "2b1d5e2f-9d64-4e9f-a01f-7e2c8c4a6b32"
SMS_API_KEY = "local-sms-provider-key"
UK_MOBILE = re.compile(r"^(\+44|0044|44|0)7\d{9}$")


def _stamp(moment: float | None = None) -> str:
    """Notify's timestamps: 2026-12-07T10:15:30.000000Z."""
    return datetime.fromtimestamp(moment or time.time(), UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Received:
    id: str
    api: str  # "notify" or "http_sms"
    kind: str  # "sms" or "email"
    to: str
    body: str
    reference: str
    subject: str = ""
    template_id: str = ""
    status: str = "sending"
    at: float = field(default_factory=time.time)


class ProviderServer:
    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limit: float | None = None,
        service_id: str = NOTIFY_SERVICE_ID,
        secret: str = NOTIFY_SECRET,
        sms_api_key: str = SMS_API_KEY,
    ):
        self.host, self.port = host, port
        self.rate_limit = rate_limit
        self.service_id, self.secret, self.sms_api_key = service_id, secret, sms_api_key
        self.sms_template_id, self.email_template_id = SMS_TEMPLATE_ID, EMAIL_TEMPLATE_ID
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.reset()

    # The Python API -------------------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def notify_api_key(self) -> str:
        """A key in Notify's form: <key name>-<service id>-<secret>."""
        return f"rentwise_local-{self.service_id}-{self.secret}"

    def settings(self, provider: str = "notify") -> dict[str, str]:
        """The settings (environment variables) that point the product at this server."""
        if provider == "http_sms":
            return {
                "MESSAGING_PROVIDER": "http_sms",
                "SMS_PROVIDER_URL": self.url,
                "SMS_PROVIDER_API_KEY": self.sms_api_key,
            }
        return {
            "MESSAGING_PROVIDER": "notify",
            "NOTIFY_API_KEY": self.notify_api_key,
            "NOTIFY_BASE_URL": self.url,
            "NOTIFY_SMS_TEMPLATE_ID": self.sms_template_id,
            "NOTIFY_EMAIL_TEMPLATE_ID": self.email_template_id,
        }

    def start(self) -> "ProviderServer":
        self._httpd = _QuietServer((self.host, self.port), _handler_for(self))
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="provider-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "ProviderServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def reset(self) -> None:
        with self._lock:
            self._received: list[Received] = []
            self._by_idempotency_key: dict[str, Received] = {}
            self._failures: deque[tuple[int, str]] = deque()
            self._window: deque[float] = deque()
            self._hold: tuple[int, float] | None = None
            self.requests = Counter()  # "sent", "rate_limited", "failed", "refused", "replayed", "found", "auth"

    def received(self) -> list[Received]:
        """Every message accepted, in order (a message sent twice is here twice)."""
        with self._lock:
            return list(self._received)

    def accepted_counts(self) -> Counter:
        """How many times each reference was accepted."""
        with self._lock:
            return Counter(item.reference for item in self._received)

    def sent_twice(self) -> dict[str, int]:
        return {reference: count for reference, count in self.accepted_counts().items() if count > 1}

    def fail_next(self, count: int = 1, *, status: int = 500, message: str = "") -> None:
        """The next `count` API requests are answered with `status` (500, 400, 403, 429…) instead of being served."""
        with self._lock:
            self._failures.extend([(status, message)] * count)

    def hold_responses_after(self, accepted: int, seconds: float) -> None:
        """Once `accepted` messages have been accepted, each further message is accepted (recorded) but answered
        only after `seconds`: a sender killed meanwhile has had its message accepted without hearing so."""
        with self._lock:
            self._hold = (accepted, seconds)

    def release_responses(self) -> None:
        with self._lock:
            self._hold = None

    def _held_for(self) -> float:
        with self._lock:
            if self._hold and len(self._received) > self._hold[0]:
                return self._hold[1]
        return 0.0

    def send_receipt(
        self,
        url: str,
        *,
        token: str,
        reference: str = "",
        notification_id: str = "",
        status: str = "delivered",
    ) -> requests.Response:
        """POSTs Notify's delivery receipt for an accepted message (found by reference or id) to `url`. Status is
        delivered, permanent-failure, temporary-failure or technical-failure."""
        with self._lock:
            found = next(
                item
                for item in reversed(self._received)
                if (notification_id and item.id == notification_id) or (reference and item.reference == reference)
            )
            found.status = status
        payload = {
            "id": found.id,
            "reference": found.reference,
            "to": found.to,
            "status": status,
            "created_at": _stamp(found.at),
            "completed_at": _stamp(),
            "sent_at": _stamp(found.at),
            "notification_type": found.kind,
        }
        return requests.post(url, json=payload, headers={"Authorization": f"Bearer {token}"}, timeout=10)

    def send_reply(
        self,
        url: str,
        *,
        token: str,
        source_number: str,
        message: str,
        destination_number: str = "07700900000",
        reply_id: str = "",
    ) -> requests.Response:
        """POSTs Notify's received-text callback (a tenant's reply) to `url`."""
        payload = {
            "id": reply_id or str(uuid.uuid4()),
            "source_number": source_number,
            "destination_number": destination_number,
            "message": message,
            "date_received": _stamp(),
        }
        return requests.post(url, json=payload, headers={"Authorization": f"Bearer {token}"}, timeout=10)

    def stats(self) -> dict:
        with self._lock:
            references = Counter(item.reference for item in self._received)
            return {
                "accepted": len(self._received),
                "references": len(references),
                "sent_twice": sum(1 for count in references.values() if count > 1),
                "requests": dict(self.requests),
                "first_at": self._received[0].at if self._received else None,
                "last_at": self._received[-1].at if self._received else None,
            }

    # Serving --------------------------------------------------------------------------------------------------------

    def _admit(self) -> tuple[int, str] | None:
        """A failure to answer with (fail_next, or over the rate limit), or None to serve the request."""
        with self._lock:
            if self._failures:
                failure = self._failures.popleft()
                self.requests["failed"] += 1
                return failure
            if self.rate_limit:
                now = time.monotonic()
                while self._window and self._window[0] <= now - 1.0:
                    self._window.popleft()
                if len(self._window) >= self.rate_limit:
                    self.requests["rate_limited"] += 1
                    return 429, ""
                self._window.append(now)
        return None

    def _record(self, item: Received, idempotency_key: str = "") -> tuple[Received, bool]:
        """Records an accepted message; with an idempotency key already seen, the first message instead (False)."""
        with self._lock:
            if idempotency_key and idempotency_key in self._by_idempotency_key:
                self.requests["replayed"] += 1
                return self._by_idempotency_key[idempotency_key], False
            if idempotency_key:
                self._by_idempotency_key[idempotency_key] = item
            self._received.append(item)
            self.requests["sent"] += 1
            return item, True

    def _find(self, reference: str) -> list[Received]:
        with self._lock:
            self.requests["found"] += 1
            return [item for item in self._received if item.reference == reference]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client that hung up (a killed worker) is not the server's error


NOTIFY_ERRORS = {
    400: "BadRequestError",
    403: "AuthError",
    429: "RateLimitError",
    500: "Exception",
}


def _handler_for(server: ProviderServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self):
            super().setup()
            # Headers and body go in two writes: without this, Nagle's algorithm and the client's delayed ACK add
            # 40 ms to every answer.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format, *args):
            pass  # quiet: tests and the benchmark read the server's records instead

        # Plumbing ---------------------------------------------------------------------------------------------------

        def _json(self, status: int, body, headers: dict | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _hold_if_told(self) -> None:
            held = server._held_for()
            deadline = time.monotonic() + held
            while held and time.monotonic() < deadline and server._held_for():
                time.sleep(0.05)

        def _body(self) -> dict | None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                found = json.loads(raw or b"{}")
            except ValueError:
                return None
            return found if isinstance(found, dict) else None

        def _notify_error(self, status: int, message: str, error: str = "") -> None:
            error = error or NOTIFY_ERRORS.get(status, "Exception")
            self._json(status, {"status_code": status, "errors": [{"error": error, "message": message}]})

        def _sms_error(self, status: int, message: str) -> None:
            headers = {"Retry-After": "1"} if status == 429 else None
            self._json(status, {"error": message}, headers)

        def do_GET(self):
            self._serve("GET")

        def do_POST(self):
            self._serve("POST")

        def _serve(self, method: str) -> None:
            path = urlparse(self.path)
            body = self._body() if method == "POST" else {}
            if path.path == "/_server/stats":
                self._json(200, server.stats())
                return
            notify = path.path.startswith("/v2/")
            if notify and not self._notify_authorised():
                return
            if not notify and not self._sms_authorised():
                return
            failure = server._admit()
            if failure:
                status, message = failure
                if notify:
                    message = message or {
                        429: f"Exceeded rate limit for key type LIVE of {server.rate_limit or 0:g} requests per 1 seconds",  # noqa: E501
                        400: "Can’t send to this recipient using a team-only API key",
                        403: "Invalid token: API key not found",
                    }.get(status, "Internal server error")
                    self._notify_error(status, message, "ValidationError" if status == 400 and not failure[1] else "")
                else:
                    self._sms_error(status, message or {429: "Too many requests", 400: "Rejected"}.get(status, "Error"))
                return
            if body is None:
                (self._notify_error if notify else self._sms_error)(400, "Invalid JSON supplied in POST data")
                return
            route = (method, path.path)
            if route == ("POST", "/v2/notifications/sms"):
                self._notify_send(body, "sms")
            elif route == ("POST", "/v2/notifications/email"):
                self._notify_send(body, "email")
            elif route == ("GET", "/v2/notifications"):
                self._notify_find(parse_qs(path.query).get("reference", [""])[0])
            elif route == ("POST", "/messages"):
                self._sms_send(body)
            elif route == ("GET", "/messages"):
                self._sms_find(parse_qs(path.query).get("reference", [""])[0])
            elif notify:
                self._notify_error(404, "Not found", "ResourceNotFound")
            else:
                self._sms_error(404, "Not found")

        # Notify -----------------------------------------------------------------------------------------------------

        def _notify_authorised(self) -> bool:
            scheme, _, token = (self.headers.get("Authorization") or "").partition(" ")
            if scheme != "Bearer" or not token:
                self._notify_error(401, "Unauthorized: authentication token must be provided", "AuthError")
                return False
            try:
                if get_token_issuer(token) != server.service_id:
                    raise TokenError("Invalid token: service not found")
                decode_jwt_token(token, server.secret)
            except TokenError as error:
                server.requests["auth"] += 1
                self._notify_error(403, error.message.split(". See")[0] or "Invalid token: API key not found")
                return False
            return True

        def _notify_send(self, body: dict, kind: str) -> None:
            recipient_field = "phone_number" if kind == "sms" else "email_address"
            to = str(body.get(recipient_field) or "")
            template_id = body.get("template_id")
            personalisation = body.get("personalisation") or {}
            expected = server.sms_template_id if kind == "sms" else server.email_template_id
            problems = []
            if not to:
                problems.append(f"{recipient_field} is a required property")
            elif kind == "sms" and not UK_MOBILE.match(re.sub(r"[\s()-]", "", to)):
                problems.append("phone_number Not a UK mobile number")
            elif kind == "email" and "@" not in to:
                problems.append("email_address Not a valid email address")
            if template_id != expected:
                problems.append("template_id is not a valid UUID" if not template_id else "Template not found")
            elif "body" not in personalisation or (kind == "email" and "subject" not in personalisation):
                missing = [
                    name
                    for name in ("subject", "body")
                    if name not in personalisation and (kind == "email" or name == "body")
                ]
                problems.append(f"Missing personalisation: {', '.join(missing)}")
            if problems:
                server.requests["refused"] += 1
                self._json(
                    400,
                    {"status_code": 400, "errors": [{"error": "ValidationError", "message": p} for p in problems]},
                )
                return
            item, _ = server._record(
                Received(
                    id=str(uuid.uuid4()),
                    api="notify",
                    kind=kind,
                    to=to,
                    body=str(personalisation.get("body", "")),
                    subject=str(personalisation.get("subject", "")),
                    reference=str(body.get("reference") or ""),
                    template_id=template_id,
                )
            )
            self._hold_if_told()
            content = (
                {"body": item.body, "from_number": "GOVUK"}
                if kind == "sms"
                else {
                    "subject": item.subject,
                    "body": item.body,
                    "from_email": "rentwise@notifications.service.gov.uk",
                }
            )
            self._json(
                201,
                {
                    "id": item.id,
                    "reference": item.reference or None,
                    "content": content,
                    "uri": f"{server.url}/v2/notifications/{item.id}",
                    "template": {"id": template_id, "version": 1, "uri": f"{server.url}/v2/template/{template_id}"},
                    "scheduled_for": None,
                },
            )

        def _notify_find(self, reference: str) -> None:
            found = server._find(reference) if reference else server.received()
            notifications = [
                {
                    "id": item.id,
                    "reference": item.reference or None,
                    "type": item.kind,
                    "status": item.status,
                    "phone_number": item.to if item.kind == "sms" else None,
                    "email_address": item.to if item.kind == "email" else None,
                    "body": item.body,
                    "subject": item.subject or None,
                    "created_at": _stamp(item.at),
                    "template": {"id": item.template_id, "version": 1},
                }
                for item in reversed(found)
            ]
            self._json(200, {"notifications": notifications, "links": {"current": f"{server.url}{self.path}"}})

        # The generic HTTP SMS API -----------------------------------------------------------------------------------

        def _sms_authorised(self) -> bool:
            if self.headers.get("Authorization") != f"Bearer {server.sms_api_key}":
                server.requests["auth"] += 1
                self._sms_error(401, "Wrong or missing API key")
                return False
            return True

        def _sms_send(self, body: dict) -> None:
            to, text = str(body.get("to") or ""), str(body.get("body") or "")
            if not UK_MOBILE.match(to) or not text:
                server.requests["refused"] += 1
                self._sms_error(400, "Not a UK mobile number" if text else "The message has no text")
                return
            reference = str(body.get("reference") or "")
            key = self.headers.get("Idempotency-Key") or reference
            item, new = server._record(
                Received(
                    id=f"sms-{uuid.uuid4().hex}", api="http_sms", kind="sms", to=to, body=text, reference=reference
                ),
                idempotency_key=key,
            )
            self._hold_if_told()
            self._json(201 if new else 200, {"id": item.id, "status": "accepted", "reference": item.reference})

        def _sms_find(self, reference: str) -> None:
            found = server._find(reference) if reference else []
            messages = [{"id": item.id, "reference": item.reference, "status": item.status} for item in found]
            self._json(200, {"messages": messages})

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description="A local GOV.UK Notify and HTTP SMS provider for demos and tests.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--rate-limit", type=float, default=None, help="Requests a second before it answers 429.")
    options = parser.parse_args()
    server = ProviderServer(host=options.host, port=options.port, rate_limit=options.rate_limit).start()
    print(f"Local provider on {server.url} (Ctrl-C stops it). Settings for GOV.UK Notify:")  # noqa: T201
    for name, value in server.settings("notify").items():
        print(f"  {name}={value}")  # noqa: T201
    print("or for the generic HTTP SMS provider:")  # noqa: T201
    for name, value in server.settings("http_sms").items():
        print(f"  {name}={value}")  # noqa: T201
    print(f"What it holds: {server.url}/_server/stats")  # noqa: T201
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
