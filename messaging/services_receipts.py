"""What comes back from a provider: delivery reports (receipts) and replies from tenants.

`receipt_record` keeps every report as it came (DeliveryReceipt), finds the message it is about and moves its status
forward only: a repeated or late report never moves a final status backwards. A permanent failure marks the address
wrong (a Suppression), so nothing more goes to it until an officer fixes or confirms the number.

`reply_record` keeps each reply once (per provider id), links it to the latest message sent to that number and honours
an opt-out word (STOP and the others) at once. START from the same number lifts that number's STOP (not a wrong-number
mark); the tenant's recorded consent on their person record is left for an officer to record again, because the START
reply shows in the case's diary like any other reply.

The domain apps hear about each through `messaging.signals` (sent inside the same transaction, so the diary, the
person record and the message never disagree)."""

import string
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from incomeapp.roles import staff_require

from .addresses import mobile_or_blank, normalise_email
from .constants import Channel, MessageStatus, SuppressionReason
from .models import DeliveryReceipt, InboundMessage, Message, Suppression
from .signals import address_suppressed, message_status_changed, reply_received

# Each provider's word for a delivery report, as our status. GOV.UK Notify: "technical-failure" is Notify's own fault
# (the message may not have gone at all), treated like a temporary failure: not the tenant's number's fault.
RECEIPT_STATUSES = {
    "notify": {
        "delivered": MessageStatus.DELIVERED,
        "permanent-failure": MessageStatus.PERMANENT_FAILURE,
        "temporary-failure": MessageStatus.TEMPORARY_FAILURE,
        "technical-failure": MessageStatus.TEMPORARY_FAILURE,
    },
    "http_sms": {
        "delivered": MessageStatus.DELIVERED,
        "permanent_failure": MessageStatus.PERMANENT_FAILURE,
        "temporary_failure": MessageStatus.TEMPORARY_FAILURE,
    },
}

# The statuses a delivery report may move a message from. A temporary failure may still become delivered or a
# permanent failure (a provider that retries reports again); delivered and permanent failure never change; a message
# we never handed over (no provider, refused, withheld) is not moved by a stray report.
_MOVABLE = {
    MessageStatus.DELIVERED: (
        MessageStatus.QUEUED,
        MessageStatus.SENDING,
        MessageStatus.SENT,
        MessageStatus.TEMPORARY_FAILURE,
    ),
    MessageStatus.PERMANENT_FAILURE: (
        MessageStatus.QUEUED,
        MessageStatus.SENDING,
        MessageStatus.SENT,
        MessageStatus.TEMPORARY_FAILURE,
    ),
    MessageStatus.TEMPORARY_FAILURE: (MessageStatus.QUEUED, MessageStatus.SENDING, MessageStatus.SENT),
}

_STATUS_NOTES = {
    MessageStatus.DELIVERED: "",
    MessageStatus.PERMANENT_FAILURE: "The provider reported the number or address does not work.",
    MessageStatus.TEMPORARY_FAILURE: "The provider could not deliver it (the phone may have been off or out of reach).",
}

# Opt-out words (any case, the whole reply, punctuation around it ignored), as GOV.UK Notify and UK mobile networks use.
OPT_OUT_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
OPT_IN_WORDS = frozenset({"START", "UNSTOP"})

# The messages a reply may answer: ones the provider took.
_SENT_STATUSES = (
    MessageStatus.SENT,
    MessageStatus.DELIVERED,
    MessageStatus.TEMPORARY_FAILURE,
    MessageStatus.PERMANENT_FAILURE,
)


def _word(body: str) -> str:
    return (body or "").strip().strip(string.punctuation + " \t\r\n").upper()


def is_opt_out(body: str) -> bool:
    return _word(body) in OPT_OUT_WORDS


def is_opt_in(body: str) -> bool:
    return _word(body) in OPT_IN_WORDS


def address_normalised(raw: str, channel: str = Channel.TEXT) -> str:
    """A reply's or report's address in the form messages are stored in (or as it came, trimmed, when it is not one)."""
    if channel == Channel.EMAIL:
        try:
            return normalise_email(raw)
        except ValidationError:  # a malformed address is kept as it came
            return (raw or "").strip()
    return mobile_or_blank(raw) or (raw or "").strip()


def _suppress(*, address: str, channel: str, reason: str, message=None, inbound=None) -> Suppression | None:
    """A live suppression of `address` for `reason`, made now; None when one was already live (nothing new)."""
    if Suppression.objects.filter(address=address, reason=reason, lifted_at__isnull=True).exists():
        return None
    try:
        with transaction.atomic():
            suppression = Suppression.objects.create(
                address=address, channel=channel, reason=reason, message=message, inbound=inbound
            )
    except IntegrityError:  # another report made it a moment ago (one live suppression per address and reason)
        return None
    address_suppressed.send(sender=Suppression, suppression=suppression)
    return suppression


@transaction.atomic
def receipt_record(
    *, provider: str, provider_ref: str, reference: str = "", provider_status: str, payload: dict | None = None
) -> tuple[DeliveryReceipt, bool]:
    """Keeps the delivery report and applies it. Returns (the receipt, whether the message's status changed)."""
    provider_ref = str(provider_ref or "")[:100]
    reference = str(reference or "")
    message = None
    if provider_ref:
        message = Message.objects.select_for_update().filter(provider=provider, provider_ref=provider_ref).first()
    if message is None and reference:
        # Our reference is the message's idempotency key: a report that beats the sender's own record still finds it.
        message = Message.objects.select_for_update().filter(idempotency_key=reference).first()
    receipt = DeliveryReceipt.objects.create(
        message=message,
        provider=provider,
        provider_ref=provider_ref,
        status=str(provider_status)[:40],
        payload=payload or {},
    )
    status = RECEIPT_STATUSES.get(provider, {}).get(provider_status)
    if message is None or status is None or message.status not in _MOVABLE[status]:
        return receipt, False
    now = timezone.now()
    message.status = status
    message.status_note = _STATUS_NOTES[status]
    message.status_at = now
    fields = ["status", "status_note", "status_at"]
    if status == MessageStatus.DELIVERED:
        message.delivered_at = now
        fields.append("delivered_at")
    message.save(update_fields=fields)
    if status == MessageStatus.PERMANENT_FAILURE:
        _suppress(address=message.to, channel=message.channel, reason=SuppressionReason.WRONG, message=message)
    message_status_changed.send(sender=Message, message=message)
    return receipt, True


@transaction.atomic
def reply_record(
    *,
    provider: str,
    provider_ref: str,
    from_address: str,
    body: str,
    received_at: datetime | None = None,
    to_address: str = "",
    channel: str = Channel.TEXT,
) -> tuple[InboundMessage, bool]:
    """Keeps a reply once (a provider that sends it twice gets the first back, and nothing happens again). Returns
    (the reply, whether it was new). An opt-out word suppresses the number at once, before anyone reads it."""
    provider_ref = str(provider_ref)[:100]
    existing = InboundMessage.objects.filter(provider=provider, provider_ref=provider_ref).first()
    if existing is not None:
        return existing, False
    address = address_normalised(from_address, channel)[:254]
    received_at = received_at or timezone.now()
    replying_to = (
        Message.objects.filter(to=address, channel=channel, status__in=_SENT_STATUSES, created_at__lte=received_at)
        .order_by("-created_at", "-id")
        .first()
    )
    try:
        with transaction.atomic():
            inbound = InboundMessage.objects.create(
                provider=provider,
                provider_ref=provider_ref,
                channel=channel,
                from_address=address,
                to_address=str(to_address or "")[:254],
                body=str(body or ""),
                received_at=received_at,
                is_opt_out=is_opt_out(body),
                replying_to=replying_to,
            )
    except IntegrityError:  # the same reply, posted twice at once: the first one stands
        return InboundMessage.objects.get(provider=provider, provider_ref=provider_ref), False
    if inbound.is_opt_out:
        _suppress(address=address, channel=channel, reason=SuppressionReason.OPTED_OUT, inbound=inbound)
    elif is_opt_in(body):
        suppression_lift(
            address=address,
            reason=SuppressionReason.OPTED_OUT,
            by=None,
            note=f"The tenant texted {_word(body)} on {timezone.localtime(received_at):%-d %B %Y}.",
        )
    reply_received.send(sender=InboundMessage, inbound=inbound)
    return inbound, True


@transaction.atomic
def suppression_lift(*, address: str, reason: str | None = None, by=None, note: str = "") -> int:
    """Lifts the live suppressions of `address` (only those for `reason`, when given): kept, with who lifted them, when
    and why. An officer lifts a wrong-number mark once they have checked the number; `by=None` is the system (a
    START reply). Returns how many were lifted."""
    staff_require(by, "messaging.change_suppression", "confirm a mobile number or lift an opt-out")
    live = Suppression.objects.select_for_update().filter(address=address, lifted_at__isnull=True)
    if reason:
        live = live.filter(reason=reason)
    return live.update(lifted_at=timezone.now(), lifted_by=by, lift_note=note[:255])


def replies_mark_read(*, inbound_ids, by) -> int:
    """Marks the given unread replies read by `by`, now. Returns how many it marked."""
    staff_require(by, "messaging.change_inboundmessage", "mark replies as read")
    return InboundMessage.objects.filter(pk__in=list(inbound_ids), read_at__isnull=True).update(
        read_at=timezone.now(), read_by=by
    )
