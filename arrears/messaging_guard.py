"""The arrears rule that must hold at the moment a message is sent, registered with messaging.guards in
ArrearsConfig.ready(): no message about a case whose arrears a Breathing Space now holds (R-BS-11), even one queued
before the Breathing Space was recorded. The message is withheld, with the reason, and its diary entry says so."""

from django.utils import timezone


def case_ids_of(messages) -> dict[int, int]:
    """{message id: case id} for the messages about an arrears case (subject key "case:<id>")."""
    found = {}
    for message in messages:
        kind, _, rest = (message.subject_key or "").partition(":")
        if kind == "case" and rest.isdigit():
            found[message.pk] = int(rest)
    return found


def breathing_space_guard(messages) -> dict[int, str]:
    """The messages about a case a Breathing Space holds today, each with the reason in words (two queries)."""
    from arrears.services.breathing_space import cases_held_by_moratorium

    about = case_ids_of(messages)
    if not about:
        return {}
    held = cases_held_by_moratorium(case_ids=sorted(set(about.values())), on=timezone.localdate())
    return {
        message_id: "A Breathing Space now covers these arrears: no messages about them."
        for message_id, case_id in about.items()
        if case_id in held
    }
