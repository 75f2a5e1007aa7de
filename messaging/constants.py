from django.db import models


class Channel(models.TextChoices):
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"


class MessageStatus(models.TextChoices):
    NO_PROVIDER = "no_provider", "Not sent: no provider is set up"
    QUEUED = "queued", "Waiting to send"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent, waiting for the delivery report"
    DELIVERED = "delivered", "Delivered"
    TEMPORARY_FAILURE = "temporary_failure", "Not delivered: the phone was off or could not be reached"
    PERMANENT_FAILURE = "permanent_failure", "Not delivered: the number or address is wrong"
    FAILED = "failed", "Not sent: the provider refused it"
    WITHHELD = "withheld", "Not sent: held back by a rule"


# Statuses a message does not leave (a receipt for one of these changes nothing but the delivery report's own).
FINAL_STATUSES = (
    MessageStatus.NO_PROVIDER,
    MessageStatus.DELIVERED,
    MessageStatus.TEMPORARY_FAILURE,
    MessageStatus.PERMANENT_FAILURE,
    MessageStatus.FAILED,
    MessageStatus.WITHHELD,
)


class SuppressionReason(models.TextChoices):
    OPTED_OUT = "opted_out", "Replied STOP: no more messages to this number"
    WRONG = "wrong", "Marked wrong: a message could not be delivered to it"
