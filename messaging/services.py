"""The one way a text or email is made: `messages_queue`. Each draft is made once (its idempotency key is unique in
the database), checked against the addresses that must not be messaged, given the first moment outside quiet hours,
and handed to Celery to send once the transaction commits. With no provider set up it is kept, shown as "not sent:
no provider", never dropped."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from documents.merge_fields import fill

from .constants import Channel, MessageStatus
from .models import Message, MessageTemplateVersion, Suppression
from .parts import text_parts
from .providers import provider_name
from .quiet_hours import next_sending_moment


@dataclass(frozen=True)
class Draft:
    channel: str
    to: str  # normalised: messaging.addresses.normalise_mobile or normalise_email
    recipient_name: str
    reference: str
    subject_key: str
    idempotency_key: str
    body: str
    subject: str = ""
    template_version: MessageTemplateVersion | None = None
    campaign_id: int | None = None
    extra: dict = field(default_factory=dict)


def suppressed_addresses(addresses) -> dict[str, str]:
    """The addresses among `addresses` that must not be messaged now, each with its reason (a SuppressionReason
    value: `SuppressionReason(reason).label` says it in words)."""
    return {
        address: reason
        for address, reason in Suppression.objects.filter(address__any=set(addresses), lifted_at__isnull=True)
        .values_list("address", "reason")
        .order_by("address", "created_at")
    }


def messages_queue(drafts: list[Draft], *, made_by=None, made_by_run: str = "") -> list[Message]:
    """Makes each draft's message once and returns the messages, in the drafts' order (an earlier one with the same
    idempotency key is returned as it is, not made again). New messages are queued for the first sending moment,
    withheld at once when their address must not be messaged, or kept as "not sent: no provider"."""
    if not drafts:
        return []
    keys = [draft.idempotency_key for draft in drafts]
    existing = {message.idempotency_key: message for message in Message.objects.filter(idempotency_key__in=keys)}
    now = timezone.now()
    send_after = next_sending_moment(now)
    provider = provider_name()
    suppressed = suppressed_addresses(draft.to for draft in drafts)
    new = []
    for draft in drafts:
        if draft.idempotency_key in existing:
            continue
        status, note = MessageStatus.QUEUED, ""
        if draft.to in suppressed:
            status = MessageStatus.WITHHELD
            note = Suppression(reason=suppressed[draft.to]).get_reason_display()
        elif not provider:
            status, note = MessageStatus.NO_PROVIDER, "No text message or email provider is set up (docs/messaging.md)."
        message = Message(
            channel=draft.channel,
            to=draft.to,
            recipient_name=draft.recipient_name,
            reference=draft.reference,
            subject_key=draft.subject_key,
            idempotency_key=draft.idempotency_key,
            template_version=draft.template_version,
            campaign_id=draft.campaign_id,
            subject=draft.subject,
            body=draft.body,
            parts=text_parts(draft.body) if draft.channel == Channel.TEXT else 1,
            status=status,
            status_note=note,
            send_after=send_after,
            provider=provider,
            made_by=made_by,
            made_by_run=made_by_run,
        )
        existing[draft.idempotency_key] = message
        new.append(message)
    # Two callers making the same message at once: the database keeps one (the key is unique); both read it back.
    Message.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    made = {message.idempotency_key: message for message in Message.objects.filter(idempotency_key__in=keys)}
    if any(message.status == MessageStatus.QUEUED for message in new):
        transaction.on_commit(_hand_to_sender)
    return [made[key] for key in keys]


def _hand_to_sender() -> None:
    from .tasks import send_waiting_messages

    send_waiting_messages.delay()


def message_text(version: MessageTemplateVersion, values: dict[str, str]) -> tuple[str, str]:
    """A template version's subject and body with the merge values filled in, as plain text (merge fields as letter
    templates have them: documents.merge_fields)."""
    return (fill(version.subject, values) if version.subject else ""), fill(version.body, values).strip()
