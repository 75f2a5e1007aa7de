"""The providers behind one interface (`base.Provider`): GOV.UK Notify (`notify`) and a generic HTTP SMS provider
(`http_sms`). `provider_name()` is the one configured, or "" for none."""

from django.conf import settings

PROVIDER_NAMES = ("notify", "http_sms")


def provider_name() -> str:
    name = (settings.MESSAGING_PROVIDER or "").strip().lower()
    if name and name not in PROVIDER_NAMES:
        raise ValueError(f"MESSAGING_PROVIDER is “{name}”; it must be one of: {', '.join(PROVIDER_NAMES)}, or blank.")
    return name


_made: dict[tuple, object] = {}


def get_provider():
    """The configured provider (a `base.Provider`), or None when none is set up. One per process and configuration:
    its HTTP session is kept between messages (a Celery worker sends one message at a time)."""
    name = provider_name()
    if not name:
        return None
    if name == "notify":
        from .notify import NotifyProvider as kind

        config = (
            name,
            settings.NOTIFY_API_KEY,
            settings.NOTIFY_BASE_URL,
            settings.NOTIFY_SMS_TEMPLATE_ID,
            settings.NOTIFY_EMAIL_TEMPLATE_ID,
            settings.NOTIFY_SMS_SENDER_ID,
        )
    else:
        from .http_sms import HttpSmsProvider as kind

        config = (name, settings.SMS_PROVIDER_URL, settings.SMS_PROVIDER_API_KEY)
    if config not in _made:
        _made.clear()
        _made[config] = kind.from_settings()
    return _made[config]
