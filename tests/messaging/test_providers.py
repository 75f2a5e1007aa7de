"""The providers against the local provider server over real HTTP: GOV.UK Notify through its official client, and
the generic HTTP SMS API. Each answer the provider can give becomes sent, a temporary error (try again later) or a
permanent one (with the provider's reason in plain words)."""

import pytest

from messaging.constants import Channel
from messaging.models import Message
from messaging.providers import get_provider
from messaging.providers.base import PermanentError, TemporaryError
from messaging.providers.http_sms import HttpSmsProvider
from messaging.providers.notify import NotifyProvider


def _message(**fields) -> Message:
    values = {
        "channel": Channel.TEXT,
        "to": "+447700900123",
        "recipient_name": "Ada Lovelace",
        "reference": "RW100001",
        "subject_key": "case:1",
        "idempotency_key": "case:1:reminder:1",
        "body": "Your rent account is £120.50 behind. Please call us on 0300 123 4567.",
    }
    return Message(**{**values, **fields})


# GOV.UK Notify ------------------------------------------------------------------------------------------------------


def test_notify_sends_a_text_with_our_words_and_our_reference(notify_provider):
    provider = get_provider()
    assert isinstance(provider, NotifyProvider)
    accepted = provider.send(_message())
    [received] = notify_provider.received()
    assert accepted.provider_ref == received.id
    assert received.kind == "sms" and received.to == "+447700900123"
    assert received.body.startswith("Your rent account is £120.50 behind")
    assert received.reference == "case:1:reminder:1"
    assert received.template_id == notify_provider.sms_template_id


def test_notify_sends_an_email_with_its_subject(notify_provider):
    message = _message(channel=Channel.EMAIL, to="ada@example.org", subject="Your rent account")
    get_provider().send(message)
    [received] = notify_provider.received()
    assert (received.kind, received.to, received.subject) == ("email", "ada@example.org", "Your rent account")
    assert received.template_id == notify_provider.email_template_id


def test_notify_finds_a_message_by_reference_and_not_one_it_never_had(notify_provider):
    provider = get_provider()
    accepted = provider.send(_message())
    assert provider.find("case:1:reminder:1") == accepted.provider_ref
    assert provider.find("case:1:reminder:2") is None


def test_notify_refusing_a_number_is_permanent_with_its_reason(notify_provider):
    with pytest.raises(PermanentError, match="Not a UK mobile number"):
        get_provider().send(_message(to="+441632960000"))
    assert notify_provider.received() == []


def test_notify_refusing_our_key_is_permanent(notify_provider, settings):
    key = notify_provider.notify_api_key
    settings.NOTIFY_API_KEY = key[:-36] + "00000000-0000-4000-8000-000000000000"
    with pytest.raises(PermanentError, match="refused our API key: Invalid token: signature"):
        get_provider().send(_message())
    settings.NOTIFY_API_KEY = "rentwise-" + "1" * 8 + key[-65:]  # another service's id
    with pytest.raises(PermanentError, match="service not found"):
        get_provider().send(_message())
    assert notify_provider.received() == []


def test_notify_over_its_rate_limit_is_temporary(notify_provider):
    notify_provider.rate_limit = 2
    provider = get_provider()
    provider.send(_message(idempotency_key="a"))
    provider.send(_message(idempotency_key="b"))
    with pytest.raises(TemporaryError, match="429: Exceeded rate limit"):
        provider.send(_message(idempotency_key="c"))
    assert [item.reference for item in notify_provider.received()] == ["a", "b"]


def test_notify_server_error_is_temporary_and_a_template_problem_permanent(notify_provider):
    notify_provider.fail_next(1, status=500)
    with pytest.raises(TemporaryError, match="500"):
        get_provider().send(_message())
    notify_provider.fail_next(1, status=400, message="Template not found")
    with pytest.raises(PermanentError, match="Template not found"):
        get_provider().send(_message())
    assert get_provider().send(_message()).provider_ref


def test_notify_unreachable_is_temporary(notify_provider):
    provider = get_provider()
    notify_provider.stop()
    with pytest.raises(TemporaryError):
        provider.send(_message())


def test_notify_without_a_template_says_which_setting(notify_provider, settings):
    settings.NOTIFY_SMS_TEMPLATE_ID = ""
    with pytest.raises(PermanentError, match="NOTIFY_SMS_TEMPLATE_ID"):
        get_provider().send(_message())


def test_a_malformed_notify_key_says_what_to_copy(notify_provider, settings):
    settings.NOTIFY_API_KEY = "not-a-key"
    with pytest.raises(ValueError, match="copy the whole key"):
        get_provider()


# The generic HTTP SMS provider ---------------------------------------------------------------------------------------


def test_http_sms_sends_and_finds(http_sms_provider):
    provider = get_provider()
    assert isinstance(provider, HttpSmsProvider)
    accepted = provider.send(_message())
    [received] = http_sms_provider.received()
    assert (received.api, received.id, received.reference) == ("http_sms", accepted.provider_ref, "case:1:reminder:1")
    assert provider.find("case:1:reminder:1") == accepted.provider_ref
    assert provider.find("case:9:never") is None


def test_http_sms_sending_the_same_reference_again_is_answered_with_the_first(http_sms_provider):
    provider = get_provider()
    first = provider.send(_message())
    again = provider.send(_message())
    assert first == again
    assert http_sms_provider.accepted_counts() == {"case:1:reminder:1": 1}


def test_http_sms_errors(http_sms_provider, settings):
    provider = get_provider()
    with pytest.raises(PermanentError, match="refused the message: Not a UK mobile number"):
        provider.send(_message(to="+4412"))
    http_sms_provider.fail_next(1, status=429)
    with pytest.raises(TemporaryError) as raised:
        provider.send(_message())
    assert raised.value.retry_after == 1.0
    http_sms_provider.fail_next(1, status=503)
    with pytest.raises(TemporaryError, match="503"):
        provider.send(_message())
    settings.EMAIL_BACKEND = "tests.mail_backends.RefusingEmailBackend"  # an email goes by the mail settings
    with pytest.raises(PermanentError, match=r"refused the address ada@example\.org"):
        provider.send(_message(channel=Channel.EMAIL, to="ada@example.org"))
    settings.SMS_PROVIDER_API_KEY = "wrong"
    with pytest.raises(PermanentError, match="refused our API key"):
        get_provider().send(_message())
    assert http_sms_provider.received() == []


def test_no_provider_set_up_is_none(settings):
    settings.MESSAGING_PROVIDER = ""
    assert get_provider() is None
