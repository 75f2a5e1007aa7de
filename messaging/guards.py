"""Checks other apps register, run just before each message goes: the messaging app knows no domain app, so a domain
rule that must hold at the moment of sending (no message about a debt a Breathing Space covers) is registered here by
the app that knows it, in its AppConfig.ready().

A check takes the messages about to go and returns {message id: why it must not go, in words}; those are withheld."""

from collections.abc import Callable, Iterable

Check = Callable[[list], dict[int, str]]

_CHECKS: list[Check] = []


def register(check: Check) -> None:
    if check not in _CHECKS:
        _CHECKS.append(check)


def withheld(messages: Iterable) -> dict[int, str]:
    """The messages among `messages` that a registered check holds back, each with the first reason given."""
    messages = list(messages)
    reasons: dict[int, str] = {}
    for check in _CHECKS:
        for message_id, reason in check(messages).items():
            reasons.setdefault(message_id, reason)
    return reasons
