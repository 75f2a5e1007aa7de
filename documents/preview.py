"""Previewing a template on a real case. The documents app knows no domain app, so the arrears app registers the
function that turns a payment reference into merge values, a recipient and the landlord (in its AppConfig.ready)."""

from collections.abc import Callable

PreviewContext = tuple[dict[str, str], dict, dict]  # merge values, recipient, landlord
_provider: Callable[[str], PreviewContext] | None = None


def provider_register(provider: Callable[[str], PreviewContext]) -> None:
    global _provider  # one registration, at start-up
    _provider = provider


def preview_context(reference: str) -> PreviewContext:
    """Raises LookupError with a plain message when no case can be found for the reference."""
    if _provider is None:
        raise LookupError("Previews on a case are not available: the arrears app is not installed.")
    return _provider(reference)
