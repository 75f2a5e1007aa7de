"""Fixtures for the messaging tests, used by other test modules too (keep these names stable):

- `provider_server`: a real local provider (devtools.provider_server.ProviderServer) on a free port, speaking
  GOV.UK Notify's v2 API and the generic HTTP SMS API over real HTTP. `.received()`, `.accepted_counts()`,
  `.fail_next(n, status=…)`, `.rate_limit = n`, `.send_receipt(url, token=…, reference=…, status=…)`,
  `.send_reply(url, token=…, source_number=…, message=…)`, `.reset()`.
- `notify_provider`: the settings point at `provider_server` as GOV.UK Notify (MESSAGING_PROVIDER="notify",
  NOTIFY_API_KEY, NOTIFY_BASE_URL, both template ids), with sending allowed at any hour. Returns the server.
- `http_sms_provider`: the same for the generic HTTP SMS provider (SMS_PROVIDER_URL, SMS_PROVIDER_API_KEY).
- `sending_any_time`: quiet hours off (08:00-20:00, Sundays and bank holidays are otherwise quiet), so a test runs
  at any hour it is run.
- `queue_texts(count, **draft_fields)`: queues `count` text messages through `messaging.services.messages_queue`
  and returns them (the module function `texts_queue` does the same outside a fixture).
"""

import uuid

import pytest

from devtools.provider_server import ProviderServer
from messaging.constants import Channel
from messaging.services import Draft, messages_queue


@pytest.fixture
def provider_server():
    server = ProviderServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sending_any_time(settings):
    settings.MESSAGING_SEND_FROM = "00:00"
    settings.MESSAGING_SEND_UNTIL = "24:00"
    settings.MESSAGING_SEND_ON_SUNDAYS = True
    settings.MESSAGING_SEND_ON_BANK_HOLIDAYS = True
    settings.MESSAGING_RATE_LIMIT_PER_SECOND = 1000.0


def _point_settings_at(settings, values: dict[str, str]) -> None:
    for name, value in values.items():
        setattr(settings, name, value)


@pytest.fixture
def notify_provider(settings, provider_server, sending_any_time):
    _point_settings_at(settings, provider_server.settings("notify"))
    return provider_server


@pytest.fixture
def http_sms_provider(settings, provider_server, sending_any_time):
    _point_settings_at(settings, provider_server.settings("http_sms"))
    return provider_server


def texts_queue(count: int, *, prefix: str = "", **fields) -> list:
    """`count` texts to Notify's test numbers' range, each with its own idempotency key."""
    prefix = prefix or uuid.uuid4().hex[:8]
    drafts = [
        Draft(
            channel=fields.get("channel", Channel.TEXT),
            to=fields.get("to", f"+447700{900000 + n % 1000:06d}"),
            recipient_name=fields.get("recipient_name", f"Tenant {n}"),
            reference=fields.get("reference", f"RW{100000 + n}"),
            subject_key=fields.get("subject_key", f"test:{prefix}"),
            idempotency_key=f"test:{prefix}:{n}",
            body=fields.get("body", f"Your rent account needs attention ({n})."),
            subject=fields.get("subject", ""),
        )
        for n in range(count)
    ]
    return messages_queue(drafts)


@pytest.fixture
def queue_texts(db):
    return texts_queue
