"""Writes for documents: template versions (checked before they are kept) and letters made into stored PDFs."""

import hashlib
import io
import smtplib
from datetime import date
from pathlib import Path

import pypdf
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Min
from django.template.loader import render_to_string
from django.utils import timezone

from incomeapp.roles import staff_require
from incomeapp.template_versions import version_number_next, version_publish, version_published_last, version_revert

from .constants import DeliveryState, DocumentKind
from .merge_fields import TemplateError, fields_used, fill, merge
from .models import Document, LetterTemplate, LetterTemplateVersion, PrintBatch
from .rendering import letter_pdf

CHANGE_PERMISSION = "documents.add_lettertemplateversion"


@transaction.atomic
def template_version_create(
    *, key: str, subject: str, body: str, created_by, title: str = "", publish: bool = True
) -> LetterTemplateVersion:
    """Keeps a new version of a letter template, refused with a clear message when it uses an unknown merge field.
    With `publish` (the shipped letters, commands) it is used at once; without, it is a draft that no letter uses until
    someone publishes it (`template_version_publish`). A sent document keeps the version it was made from."""
    staff_require(created_by, CHANGE_PERMISSION, "change letter templates")
    template_text_check(subject=subject, body=body)
    template, _ = LetterTemplate.objects.select_for_update().get_or_create(
        key=key, defaults={"title": title or subject}
    )
    now = timezone.now()
    return LetterTemplateVersion.objects.create(
        template=template,
        number=version_number_next(template),
        subject=subject,
        body=body,
        created_by=created_by,
        published_at=now if publish else None,
        published_by=created_by if publish else None,
    )


def template_text_check(*, subject: str, body: str) -> None:
    """Raises ValidationError (what to change) when a heading or text cannot be used in a letter."""
    try:
        fields_used(subject)
        fields_used(body)
    except TemplateError as error:
        raise ValidationError(str(error)) from error
    if not body.strip():
        raise ValidationError("The letter has no text. Write what the letter should say.")


def template_draft_save(*, key: str, subject: str, body: str, created_by) -> LetterTemplateVersion:
    """A new draft version: kept, shown in the history, previewed, but used for no letter until it is published."""
    return template_version_create(key=key, subject=subject, body=body, created_by=created_by, publish=False)


def template_version_publish(*, version: LetterTemplateVersion, published_by) -> LetterTemplateVersion:
    """Makes a draft the version every letter is made from from now on (who and when are kept). Anyone who may change
    templates may publish, their own draft too. A version published before cannot be published again: revert to it."""
    return version_publish(
        version=version, published_by=published_by, permission=CHANGE_PERMISSION, action="publish letter templates"
    )


def template_version_revert(*, version: LetterTemplateVersion, reverted_by) -> LetterTemplateVersion:
    """Goes back to an earlier version: a new version with its heading and text, published at once (nothing is
    changed or deleted, so the history shows who went back to what, and when)."""
    return version_revert(
        version=version, reverted_by=reverted_by, permission=CHANGE_PERMISSION, action="change letter templates"
    )


def template_version_current(key: str) -> LetterTemplateVersion | None:
    """The version letters are made from: the one published last (drafts are never used)."""
    return version_published_last(LetterTemplateVersion.objects.filter(template__key=key))


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
    delivery_state: str = DeliveryState.TO_PRINT,
    idempotency_key: str | None = None,
) -> Document:
    """Merges, renders and stores one letter to one person. Raises ValidationError (plain English) when a merge value
    is missing; the caller records that as a failed letter. With `idempotency_key`, see `document_store`."""
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
    return document_store(
        kind=DocumentKind.LETTER,
        pdf=pdf,
        title=title,
        reference=reference,
        subject_key=subject_key,
        recipient_name=recipient["name"],
        template_version=version,
        made_by=made_by,
        made_by_run=made_by_run,
        large_print=large_print,
        delivery_state=delivery_state,
        idempotency_key=idempotency_key,
    )


def document_key_lock(key: str) -> None:
    """Waits for, then holds until the caller's transaction ends, the right to make the document with this idempotency
    key (a PostgreSQL transaction-level advisory lock; nothing on SQLite, which writes one at a time anyway). A second
    worker making the same document waits here, then finds the first one's document."""
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("document_key_lock holds its lock until the transaction ends: call it inside one.")
    lock_id = int.from_bytes(hashlib.sha256(f"document:{key}".encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


def document_store(
    *,
    kind: str,
    pdf: bytes,
    title: str,
    reference: str,
    subject_key: str,
    recipient_name: str,
    template_version: LetterTemplateVersion | None = None,
    made_by=None,
    made_by_run: str = "",
    large_print: bool = False,
    delivery_state: str = DeliveryState.TO_PRINT,
    idempotency_key: str | None = None,
) -> Document:
    """Keeps a rendered PDF as a document: the file under its SHA-256, its page count and who or what made it.

    Files are named by their content, so a PDF rendered again after a worker died (rendering is deterministic) reuses
    the file it left rather than storing a second one. With `idempotency_key` the database keeps one document per key:
    when another worker stored it first, that document is returned and nothing more is stored."""
    digest = hashlib.sha256(pdf).hexdigest()
    document = Document(
        kind=kind,
        template_version=template_version,
        reference=reference,
        subject_key=subject_key,
        recipient_name=recipient_name,
        title=title,
        large_print=large_print,
        sha256=digest,
        pages=len(pypdf.PdfReader(io.BytesIO(pdf)).pages),
        made_by=made_by,
        made_by_run=made_by_run,
        created_at=timezone.now(),
        delivery_state=delivery_state,
        idempotency_key=idempotency_key,
    )
    name = document.pdf.field.generate_filename(document, f"{digest}.pdf")
    stored_now = not _stored_whole(document.pdf.storage, name, digest)
    if stored_now:
        document.pdf.save(f"{digest}.pdf", ContentFile(pdf), save=False)
    else:
        document.pdf.name = name
    if idempotency_key is None:
        document.save()
        return document
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        existing = Document.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        if stored_now and not Document.objects.filter(pdf=document.pdf.name).exists():
            document.pdf.storage.delete(document.pdf.name)
        return existing
    return document


def _stored_whole(storage, name: str, digest: str) -> bool:
    """Whether `name` holds exactly the PDF with this SHA-256 (a worker killed while writing leaves a part of it,
    which is removed so the whole file is stored again)."""
    if not storage.exists(name):
        return False
    with storage.open(name, "rb") as stored:
        if hashlib.sha256(stored.read()).hexdigest() == digest:
            return True
    storage.delete(name)
    return False


def document_email(*, document: Document, to: list[str], greeting: str, landlord: dict) -> bool:
    """Emails a document waiting to be emailed, as a PDF attachment, through Django's email backend. Marks it
    emailed, or failed with the reason (so a person can print and post it instead). A document already emailed is
    never sent again: the document's row is locked while it is sent, so a second worker emailing the same document at
    the same moment waits, then finds it emailed. Returns whether it was sent."""
    with transaction.atomic():
        waiting = Document.objects.select_for_update().filter(pk=document.pk, delivery_state=DeliveryState.TO_EMAIL)
        if not list(waiting.values_list("pk", flat=True)):
            document.refresh_from_db(fields=["delivery_state", "delivery_note"])
            return False
        return _document_email_send(document=document, to=to, greeting=greeting, landlord=landlord)


def _document_email_send(*, document: Document, to: list[str], greeting: str, landlord: dict) -> bool:
    body = render_to_string(
        "documents/email_body.txt", {"document": document, "greeting": greeting, "landlord": landlord}
    )
    message = EmailMessage(subject=f"{document.title} ({document.reference})", body=body, to=to)
    with document.pdf.open("rb") as pdf:
        message.attach(f"{document.reference}-{document.kind}-{document.pk}.pdf", pdf.read(), "application/pdf")
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        state, note = DeliveryState.FAILED, f"The email to {', '.join(to)} failed ({error}). Print and post it."
    else:
        state, note = DeliveryState.EMAILED, f"Emailed to {', '.join(to)}"
    Document.objects.filter(pk=document.pk).update(delivery_state=state, delivery_note=note[:255])
    document.delivery_state, document.delivery_note = state, note[:255]
    return state == DeliveryState.EMAILED


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
def print_batch_make(*, run_label: str, made_by=None) -> PrintBatch | None:
    """One PDF for the post room holding every document a run made that is still waiting to be printed, in the order
    they were made. The batch is kept (it can be downloaded again) and its documents are marked printed, so no later
    batch prints them twice. None when nothing is waiting."""
    staff_require(made_by, "documents.add_printbatch", "make print batches")
    documents = list(
        Document.objects.select_for_update()
        .filter(made_by_run=run_label, delivery_state=DeliveryState.TO_PRINT)
        .order_by("created_at", "id")
    )
    if not documents:
        return None
    writer = pypdf.PdfWriter()
    for document in documents:
        with document.pdf.open("rb") as pdf:
            writer.append(io.BytesIO(pdf.read()))
    out = io.BytesIO()
    writer.write(out)
    batch = PrintBatch(
        run_label=run_label,
        documents_count=len(documents),
        pages=len(writer.pages),
        made_by=made_by,
        created_at=timezone.now(),
    )
    safe_label = "".join(ch if ch.isalnum() else "-" for ch in run_label)
    batch.pdf.save(f"{safe_label}-{timezone.now():%Y%m%d-%H%M%S}.pdf", ContentFile(out.getvalue()), save=False)
    batch.save()
    Document.objects.filter(pk__in=[d.pk for d in documents]).update(
        delivery_state=DeliveryState.PRINTED, delivery_note=f"In print batch {batch.pk}", print_batch=batch
    )
    return batch


def print_runs_waiting() -> list[dict]:
    """The runs with documents waiting to be printed: label, how many, the oldest."""
    return list(
        Document.objects.filter(delivery_state=DeliveryState.TO_PRINT)
        .values("made_by_run")
        .annotate(documents=Count("id"), oldest=Min("created_at"))
        .order_by("oldest")
    )
