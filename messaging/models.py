"""Text messages and emails to tenants: templates as data (versioned like letter templates), each message with its
status from queueing to the provider's delivery report, the addresses that must not be messaged (a STOP reply, a
number found wrong), the replies that come back, and campaigns. The messaging app knows no domain app: a message names
what it is about by the tenancy's payment reference and a subject key the caller chooses (for example "case:12"), and
tells the rest of the product what happened through `messaging.signals`."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from incomeapp.models import TemplateVersion

from .constants import Channel, MessageStatus, SuppressionReason


class MessageTemplate(models.Model):
    key = models.SlugField(max_length=60, unique=True, help_text="What policies name, for example payment_missed.")
    title = models.CharField(max_length=150)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.TEXT)
    description = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class MessageTemplateVersion(TemplateVersion):
    """Append-only, like a letter template's versions: messages are made from the version published last, and each
    message keeps the version it used. A revert is a new version with the old one's text."""

    template = models.ForeignKey(MessageTemplate, on_delete=models.PROTECT, related_name="versions")
    subject = models.CharField(max_length=200, blank=True, help_text="An email's subject line (not used for texts).")
    body = models.TextField(help_text="Plain text with merge fields like {{ tenant_name }}.")

    class Meta(TemplateVersion.Meta):
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="one_number_per_message_template_version")
        ]


class Campaign(models.Model):
    """One message to everyone on a list a manager chose (for example the worklist of a patch before a bank holiday),
    previewed with its count before it went. The messages it made point at it."""

    title = models.CharField(max_length=150)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.TEXT)
    template_version = models.ForeignKey(MessageTemplateVersion, on_delete=models.PROTECT, related_name="campaigns")
    audience = models.CharField(max_length=255, help_text="Who the list is, in words, as the preview said.")
    criteria = models.JSONField(default=dict, help_text="The filters as chosen, so the list can be read again.")
    audience_count = models.PositiveIntegerField(help_text="How many people the preview counted.")
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Message(models.Model):
    """One text or email to one person. Made once (its idempotency key is unique), sent at most once (claimed under
    a row lock before it goes to the provider, and looked up at the provider by its reference before it is ever sent
    again), and never changed afterwards except its status."""

    channel = models.CharField(max_length=10, choices=Channel.choices)
    to = models.CharField(max_length=254, help_text="A mobile number in +44 form, or an email address.")
    recipient_name = models.CharField(max_length=200)
    reference = models.CharField(max_length=50, db_index=True, help_text="The tenancy's payment reference.")
    subject_key = models.CharField(max_length=60, db_index=True, help_text="What it is about, e.g. case:12.")
    idempotency_key = models.CharField(max_length=160, unique=True)
    template_version = models.ForeignKey(MessageTemplateVersion, null=True, blank=True, on_delete=models.PROTECT)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="messages")
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    parts = models.PositiveSmallIntegerField(default=1, help_text="Text message parts the provider charges for.")
    status = models.CharField(max_length=20, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    status_note = models.CharField(max_length=255, blank=True)
    status_at = models.DateTimeField(auto_now_add=True)
    send_after = models.DateTimeField(help_text="Not before this: the first moment outside quiet hours.")
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="When a worker took it to send.")
    provider = models.CharField(max_length=30, blank=True)
    provider_ref = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001 (unique when set)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the provider accepted it.")
    delivered_at = models.DateTimeField(null=True, blank=True)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    made_by_run = models.CharField(max_length=60, blank=True, help_text="The run that made it, e.g. review:34.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The messages waiting to go, for the sender (a few among millions).
            models.Index(fields=["send_after", "id"], condition=Q(status=MessageStatus.QUEUED), name="message_waiting"),
            models.Index(fields=["id"], condition=Q(status=MessageStatus.SENDING), name="message_sending"),
            models.Index(fields=["to", "-created_at"], name="message_to_latest"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_ref"],
                condition=Q(provider_ref__isnull=False),
                name="one_message_per_provider_ref",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.recipient_name} ({self.created_at:%-d %B %Y})"


class DeliveryReceipt(models.Model):
    """Each delivery report a provider sent, as it came (kept for the record; a repeated report changes nothing)."""

    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.PROTECT, related_name="receipts")
    provider = models.CharField(max_length=30)
    provider_ref = models.CharField(max_length=100)
    status = models.CharField(max_length=40, help_text="The provider's own word for it.")
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]


class InboundMessage(models.Model):
    """A reply from a tenant. STOP (and the provider's other opt-out words) is honoured at once; every reply lands
    in the diary of the case it answers, as contact from the named tenant whose number it came from."""

    provider = models.CharField(max_length=30)
    provider_ref = models.CharField(max_length=100)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.TEXT)
    from_address = models.CharField(max_length=254, db_index=True)
    to_address = models.CharField(max_length=254, blank=True)
    body = models.TextField()
    received_at = models.DateTimeField()
    is_opt_out = models.BooleanField(default=False)
    replying_to = models.ForeignKey(
        Message,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replies",
        help_text="The latest message sent to this number before the reply came.",
    )
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_ref"], name="one_inbound_per_provider_ref")
        ]

    def __str__(self) -> str:
        return f"Reply from {self.from_address} ({self.received_at:%-d %B %Y})"


class Suppression(models.Model):
    """An address that must not be messaged: a STOP reply, or a number a provider said is wrong. Checked again just
    before each message goes, so it holds for messages already queued. Lifted (never deleted) when the tenant opts
    back in or an officer confirms the number."""

    address = models.CharField(max_length=254, db_index=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.TEXT)
    reason = models.CharField(max_length=20, choices=SuppressionReason.choices)
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    inbound = models.ForeignKey(InboundMessage, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lift_note = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["address", "reason"], condition=Q(lifted_at__isnull=True), name="one_live_suppression"
            )
        ]

    def __str__(self) -> str:
        return f"{self.address}: {self.get_reason_display()}"
