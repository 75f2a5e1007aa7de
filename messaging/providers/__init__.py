"""The providers behind one interface (`base.Provider`): GOV.UK Notify (`notify`) and a generic HTTP SMS provider
(`http_sms`). `provider_name()` is the one configured, or "" for none."""

from django.conf import settings

PROVIDER_NAMES = ("notify", "http_sms")


def provider_name() -> str:
    name = (settings.MESSAGING_PROVIDER or "").strip().lower()
    if name and name not in PROVIDER_NAMES:
        raise ValueError(f"MESSAGING_PROVIDER is “{name}”; it must be one of: {', '.join(PROVIDER_NAMES)}, or blank.")
    return name
