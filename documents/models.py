"""Letter templates as data (versioned: a sent document keeps the version it used) and the record of every document
made (immutable, with its SHA-256). The documents app knows no domain app: a document names what it is about by a
plain reference (the payment reference) and a subject key the caller chooses (for example "case:12")."""

from django.conf import settings
from django.db import models

from incomeapp.models import TemplateVersion

from .constants import DeliveryState, DocumentKind


class LetterTemplate(models.Model):
    key = models.SlugField(max_length=60, unique=True, help_text="What policies name, for example reminder_1.")
    title = models.CharField(max_length=150)
    description = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return self.title


class LetterTemplateVersion(TemplateVersion):
    template = models.ForeignKey(LetterTemplate, on_delete=models.PROTECT, related_name="versions")
    subject = models.CharField(max_length=200, help_text="The letter's heading.")
    body = models.TextField(
        help_text="Plain text; blank lines between paragraphs; merge fields like {{ tenant_name }}."
    )

    class Meta(TemplateVersion.Meta):
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="one_number_per_template_version")]


def _document_path(document, filename: str) -> str:
    return f"documents/{document.created_at:%Y/%m}/{document.sha256}.pdf"


def _print_batch_path(batch, filename: str) -> str:
    return f"print-batches/{batch.created_at:%Y/%m}/{filename}"


class PrintBatch(models.Model):
    """One PDF for the post room of the documents a run made that were waiting to be printed. Kept, so a batch that
    failed to download or print can be fetched again; its documents are marked printed once, when it is made."""

    run_label = models.CharField(max_length=60, db_index=True)
    pdf = models.FileField(upload_to=_print_batch_path)
    documents_count = models.PositiveIntegerField()
    pages = models.PositiveIntegerField()
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "print batches"

    def __str__(self) -> str:
        return f"Print batch of {self.run_label} ({self.documents_count} documents)"


class Document(models.Model):
    """A generated PDF. Never changed after it is made, except its delivery state."""

    kind = models.CharField(max_length=10, choices=DocumentKind.choices)
    template_version = models.ForeignKey(LetterTemplateVersion, null=True, blank=True, on_delete=models.PROTECT)
    reference = models.CharField(max_length=50, db_index=True, help_text="The tenancy's payment reference.")
    subject_key = models.CharField(max_length=60, db_index=True, help_text="What the caller made it for, e.g. case:12.")
    idempotency_key = models.CharField(
        max_length=120,
        unique=True,
        null=True,
        blank=True,
        help_text="Set by a caller that makes this document once (a letter request's letter to one tenant, an "
        "account's quarterly statement): the database refuses a second document with the same key.",
    )
    recipient_name = models.CharField(max_length=200)
    title = models.CharField(max_length=200)
    large_print = models.BooleanField(default=False)
    pdf = models.FileField(upload_to=_document_path)
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveSmallIntegerField(default=1)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    made_by_run = models.CharField(max_length=60, blank=True, help_text="The run that made it, e.g. review:34.")
    created_at = models.DateTimeField(auto_now_add=True)
    delivery_state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.TO_PRINT)
    delivery_note = models.CharField(max_length=255, blank=True)
    print_batch = models.ForeignKey(
        PrintBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title} to {self.recipient_name} ({self.created_at:%-d %B %Y})"
