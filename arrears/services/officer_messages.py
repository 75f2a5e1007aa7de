"""An officer's own text or email from the case page, through the one queueing service (`case_messages_queue`): the
officer's permission is checked here too, so no view can skip it, and a double submit makes one message (the scope is
a one-time token the form was given when it was shown)."""

from django.utils import timezone

from incomeapp.roles import staff_require

from .messages import MessagesQueued, case_message_key, case_messages_queue

OFFICER_MESSAGE_CODE = "officer_message"  # in arrears.constants.DIARY_ONLY_CODES: not a ladder step


def officer_message_queue(*, case, template_key: str, person_id: int, body: str, token: str, officer) -> MessagesQueued:
    """Queues the officer's (possibly edited) text to one named tenant of the case, recorded in the case's diary."""
    staff_require(officer, "messaging.add_message", "send text messages or emails")
    return case_messages_queue(
        cases=[case],
        template_keys=[template_key],
        code=OFFICER_MESSAGE_CODE,
        on=timezone.localdate(),
        idempotency_scope=f"officer:{token}",
        recorded_by=officer,
        people={case.pk: [person_id]},
        body=body,
        run_label="officer",
    )


def officer_message_key(*, case, token: str, person_id: int) -> str:
    """The message's idempotency key, as `case_messages_queue` makes it: to find the message a second submit of the
    same form points at."""
    return case_message_key(case_id=case.pk, scope=f"officer:{token}", person_id=person_id)
