"""Writes for documents: template versions (checked before they are kept) and letters made into stored PDFs."""

import hashlib
import io
from datetime import date
from pathlib import Path

import pypdf
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from incomeapp.roles import staff_require

from .constants import DeliveryState, DocumentKind
from .merge_fields import TemplateError, fields_used, fill, merge
from .models import Document, LetterTemplate, LetterTemplateVersion
from .rendering import letter_pdf


@transaction.atomic
def template_version_create(*, key: str, subject: str, body: str, created_by, title: str = "") -> LetterTemplateVersion:
    """Keeps a new version of a letter template, refused with a clear message when it uses an unknown merge field.
    A sent document keeps the version it was made from."""
    staff_require(created_by, "documents.add_lettertemplateversion", "change letter templates")
    try:
        fields_used(subject)
        fields_used(body)
    except TemplateError as error:
        raise ValidationError(str(error)) from error
    if not body.strip():
        raise ValidationError("The letter has no text. Write what the letter should say.")
    template, _ = LetterTemplate.objects.select_for_update().get_or_create(
        key=key, defaults={"title": title or subject}
    )
    number = (template.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    return LetterTemplateVersion.objects.create(
        template=template, number=number, subject=subject, body=body, created_by=created_by
    )


def template_version_current(key: str) -> LetterTemplateVersion | None:
    return LetterTemplateVersion.objects.filter(template__key=key).select_related("template").first()


def letter_make(
    *,
    version: LetterTemplateVersion,
    values: dict[str, str],
    landlord: dict,
    recipient: dict,
    reference: str,
    subject_key: str,
    made_by=None,
    made_by_run: str = "",
    large_print: bool = False,
    dated: date | None = None,
) -> Document:
    """Merges, renders and stores one letter to one person. Raises ValidationError (plain English) when a merge value
    is missing; the caller records that as a failed letter."""
    try:
        title = fill(version.subject, values)
        body = merge(version.body, values)
    except TemplateError as error:
        raise ValidationError(str(error)) from error
    pdf = letter_pdf(
        title=title,
        landlord=landlord,
        recipient=recipient,
        reference=reference,
        dated=dated or timezone.localdate(),
        body_html=body,
        large_print=large_print,
    )
    digest = hashlib.sha256(pdf).hexdigest()
    document = Document(
        kind=DocumentKind.LETTER,
        template_version=version,
        reference=reference,
        subject_key=subject_key,
        recipient_name=recipient["name"],
        title=title,
        large_print=large_print,
        sha256=digest,
        pages=len(pypdf.PdfReader(io.BytesIO(pdf)).pages),
        made_by=made_by,
        made_by_run=made_by_run,
        created_at=timezone.now(),
    )
    document.pdf.save(f"{digest}.pdf", ContentFile(pdf), save=False)
    document.save()
    return document


SHIPPED_TEMPLATES = Path(__file__).resolve().parent / "default_templates"


def templates_install_shipped() -> list[str]:
    """Adds the shipped plain-English letters (documents/default_templates/<key>.txt: the heading on the first line,
    then the body) as version 1 of any template that has none. A template someone has edited is left alone."""
    done = []
    for path in sorted(SHIPPED_TEMPLATES.glob("*.txt")):
        key = path.stem
        if LetterTemplateVersion.objects.filter(template__key=key).exists():
            done.append(f"{key}: kept as it is")
            continue
        subject, _, body = path.read_text(encoding="utf-8").partition("\n")
        template_version_create(key=key, subject=subject.strip(), body=body.strip(), created_by=None)
        done.append(f"{key}: installed")
    return done


@transaction.atomic
def print_batch_make(*, run_label: str, made_by=None) -> tuple[bytes, int]:
    """One PDF for the post room holding every letter a run made that is still waiting to be printed, in the order they
    were made; those letters are then marked printed. Returns (pdf, letters). Nothing to print gives (b"", 0)."""
    staff_require(made_by, "documents.change_document", "make print batches")
    documents = list(
        Document.objects.select_for_update()
        .filter(made_by_run=run_label, delivery_state=DeliveryState.TO_PRINT)
        .order_by("created_at", "id")
    )
    if not documents:
        return b"", 0
    writer = pypdf.PdfWriter()
    for document in documents:
        with document.pdf.open("rb") as pdf:
            writer.append(io.BytesIO(pdf.read()))
    out = io.BytesIO()
    writer.write(out)
    Document.objects.filter(pk__in=[d.pk for d in documents]).update(
        delivery_state=DeliveryState.PRINTED, delivery_note=f"In the print batch of {run_label}"
    )
    return out.getvalue(), len(documents)
