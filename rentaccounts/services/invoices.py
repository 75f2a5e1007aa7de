"""Rechargeable repairs and sundry debts: an officer raises an invoice on the tenancy's own sub-account (never the
rent account), and each named tenant gets an invoice letter. None of it is rent: it is not counted in rent arrears,
weeks of rent, a notice, the serious-arrears ground or a rent statement's rent lines (docs/debts.md)."""

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from documents.constants import DeliveryState
from documents.models import Document
from documents.services import document_email, template_version_current, templates_install_shipped
from incomeapp.money import PENNY, format_money, to_money
from incomeapp.roles import staff_require
from rentaccounts.constants import AccountKind, InvoiceKind, SundryKind, TransactionType
from rentaccounts.models import Invoice
from rentaccounts.signals import invoice_raised
from tenancies.models import Tenancy
from tenancies.services_letters import tenant_letter_make

from .ledger import Posting, account_get_or_create, allocation_order, transaction_post

PERMISSION = "rentaccounts.add_invoice"
ACCOUNT_OF = {InvoiceKind.RECHARGE: AccountKind.RECHARGEABLE_REPAIRS, InvoiceKind.SUNDRY: AccountKind.SUNDRY}
TRANSACTION_OF = {InvoiceKind.RECHARGE: TransactionType.RECHARGE, InvoiceKind.SUNDRY: TransactionType.SUNDRY}
PREFIX = {InvoiceKind.RECHARGE: "RCH", InvoiceKind.SUNDRY: "SUN"}
TEMPLATE = {InvoiceKind.RECHARGE: "recharge_invoice", InvoiceKind.SUNDRY: "sundry_invoice"}
# Each tenant's letter is made once: "invoice:<invoice id>:person:<person id>" (also its document's subject key).
LETTER_KEY = "invoice:{invoice}:person:{person}"

_ORDER_WORDS = {
    AccountKind.RENT: "rent",
    AccountKind.COURT_COSTS: "court costs",
    AccountKind.RECHARGEABLE_REPAIRS: "rechargeable repairs",
    AccountKind.SUNDRY: "other charges such as this one",
}


@dataclass
class InvoiceLetter:
    person_name: str
    document: Document | None = None
    problem: str = ""  # why no letter was made for this tenant ("" when one was)


@dataclass
class RaisedInvoice:
    invoice: Invoice
    letters: list[InvoiceLetter] = field(default_factory=list)
    already_raised: bool = False  # the same form was sent twice: nothing more was posted or made


def invoice_validate(
    *, kind: str, amount: Decimal | None, description: str, dated: date | None, job_reference: str, sundry_kind: str
) -> dict[str, str]:
    """What is wrong with an invoice, by field, in plain English; empty when it may be raised."""
    errors: dict[str, str] = {}
    if kind not in InvoiceKind.values:
        errors["kind"] = "Choose a rechargeable repair or a sundry debt"
    if amount is None:
        errors["amount"] = "Enter the amount, like 85.00"
    elif amount <= 0:
        errors["amount"] = "The amount must be more than £0.00: to reduce a debt, ask for an adjustment"
    elif amount != amount.quantize(PENNY):
        errors["amount"] = "Enter the amount in pounds and pence, like 85.50"
    if not description.strip():
        errors["description"] = "Say what the invoice is for: the tenant reads it in the letter"
    if dated is None:
        errors["dated"] = "Enter the date as a day, month and year"
    elif dated > timezone.localdate():
        errors["dated"] = "The date must be today or in the past"
    if kind == InvoiceKind.RECHARGE and not job_reference.strip():
        errors["job_reference"] = "Enter the repair job's reference, so the tenant and the repairs team can find it"
    if kind == InvoiceKind.SUNDRY and sundry_kind not in SundryKind.values:
        errors["sundry_kind"] = "Choose what kind of debt this is"
    return errors


@transaction.atomic
def invoice_raise(
    *,
    tenancy: Tenancy,
    kind: str,
    amount: Decimal,
    description: str,
    dated: date,
    job_reference: str = "",
    sundry_kind: str = "",
    raised_by,
    request_key: str = "",
) -> RaisedInvoice:
    """Raises a recharge or a sundry debt: one debit on the tenancy's rechargeable repairs or sundry debts account
    (never the rent account), numbered RCH-000123 or SUN-000123, and an invoice letter to each named tenant.

    `request_key` (a form's one-time token) makes it idempotent: the same form sent twice finds the first invoice and
    posts and makes nothing more. The arrears app records the letter in the tenancy's arrears case diary, if it has one
    (rentaccounts.signals.invoice_raised), and the account is re-reviewed."""
    staff_require(raised_by, PERMISSION, "raise recharges and sundry debts")
    errors = invoice_validate(
        kind=kind,
        amount=amount,
        description=description,
        dated=dated,
        job_reference=job_reference,
        sundry_kind=sundry_kind,
    )
    if errors:
        raise ValidationError(errors)
    # One raise at a time per tenancy, so a form sent twice at once finds the first one's posting.
    Tenancy.objects.select_for_update().filter(pk=tenancy.pk).first()
    posting_key = f"invoice:{kind}:{request_key}" if request_key else ""
    if posting_key:
        earlier = Invoice.objects.filter(transaction__idempotency_key=posting_key).first()
        if earlier is not None:
            return RaisedInvoice(earlier, _letters_made(earlier), already_raised=True)
    account = account_get_or_create(tenancy=tenancy, kind=ACCOUNT_OF[kind])
    invoice = Invoice.objects.create(
        number=f"NEW-{uuid.uuid4().hex[:16]}",  # numbered from its id just below
        account=account,
        kind=kind,
        sundry_kind=sundry_kind if kind == InvoiceKind.SUNDRY else "",
        job_reference=job_reference.strip() if kind == InvoiceKind.RECHARGE else "",
        description=description.strip()[:255],
        amount=to_money(amount),
        dated=dated,
        raised_by=raised_by,
    )
    invoice.number = f"{PREFIX[kind]}-{invoice.pk:06d}"
    invoice.transaction = transaction_post(
        posting=Posting(
            account_id=account.pk,
            transaction_type=TRANSACTION_OF[kind],
            amount=invoice.amount,
            effective_date=dated,
            idempotency_key=posting_key or f"invoice:{invoice.pk}",
            description=f"{invoice.number}: {invoice.description}"[:255],
            external_reference=invoice.job_reference,
        ),
        posted_by=raised_by,
        review_reason=f"invoice:{invoice.pk}",  # re-reviewed through the usual path (arrears.receivers)
    )
    invoice.save()
    letters = invoice_letters_make(invoice=invoice, made_by=raised_by)
    invoice_raised.send(
        sender=Invoice,
        invoice_id=invoice.pk,
        letters=[(letter.person_name, letter.document.pk if letter.document else None) for letter in letters],
    )
    return RaisedInvoice(invoice, letters)


def _letters_made(invoice: Invoice) -> list[InvoiceLetter]:
    return [
        InvoiceLetter(document.recipient_name, document)
        for document in Document.objects.filter(subject_key__startswith=f"invoice:{invoice.pk}:person:").order_by("id")
    ]


def payment_order_words(order: list[str] | None = None) -> str:
    """The configured allocation order in words, for the letter: what a payment to the tenancy clears first."""
    kinds = [_ORDER_WORDS[kind] for kind in (order or allocation_order()) if kind in _ORDER_WORDS]
    return ", then ".join(kinds)


def invoice_letter_values(invoice: Invoice, people: list, made_by) -> dict[str, str]:
    tenancy = invoice.account.tenancy
    provider = tenancy.property.scheme.provider
    officer_phone = getattr(made_by, "phone", "") or provider.phone or "the number on our website"
    return {
        "tenant_names": " and ".join(person.full_name for person in people),
        "address": tenancy.property.one_line_address,
        "payment_reference": tenancy.payment_reference,
        "invoice_number": invoice.number,
        "invoice_for": invoice.description,
        "invoice_amount": format_money(invoice.amount),
        "invoice_date": f"{invoice.dated:%-d %B %Y}",
        "job_reference": invoice.job_reference,
        "sundry_kind": invoice.get_sundry_kind_display().lower() if invoice.sundry_kind else "",
        "payment_order": payment_order_words(),
        "officer_name": (made_by.get_full_name() or made_by.username) if made_by else "The Income Team",
        "officer_phone": officer_phone,
        "landlord_name": provider.name,
        "today": f"{timezone.localdate():%-d %B %Y}",
    }


def invoice_letters_make(*, invoice: Invoice, made_by) -> list[InvoiceLetter]:
    """The invoice letter (template `recharge_invoice` or `sundry_invoice`), one per named tenant, through the
    documents machinery: made now, waiting to be printed or emailed to a tenant who chose email, kept with the
    tenancy's documents. A tenant with nowhere to send it gets no letter, and the reason is returned (the invoice
    stands: the officer adds an address and sends it)."""
    tenancy = invoice.account.tenancy
    people = tenancy.named_tenants()
    provider = tenancy.property.scheme.provider
    key = TEMPLATE[invoice.kind]
    version = template_version_current(key)
    if version is None:
        templates_install_shipped()
        version = template_version_current(key)
    if version is None:
        problem = "There is no invoice letter template. Ask an Income Manager to add one."
        return [InvoiceLetter(person.full_name, problem=problem) for person in people]
    values = invoice_letter_values(invoice, people, made_by)
    home = tenancy.property.address_lines if tenancy.is_live_on(timezone.localdate()) else None
    letters = []
    for person in people:
        address = person.postal_lines(home)
        if not address and not person.wants_email:
            letters.append(
                InvoiceLetter(person.full_name, problem="there is no address to post to and no email address")
            )
            continue
        letter_key = LETTER_KEY.format(invoice=invoice.pk, person=person.pk)
        try:
            with transaction.atomic():
                document = tenant_letter_make(
                    version=version,
                    values=values,
                    person=person,
                    address=address,
                    landlord=provider.letterhead,
                    reference=tenancy.payment_reference,
                    subject_key=letter_key,
                    idempotency_key=letter_key,
                    made_by=made_by,
                    made_by_run="officer",
                )
        except ValidationError as error:
            letters.append(InvoiceLetter(person.full_name, problem=error.messages[0]))
            continue
        letters.append(InvoiceLetter(person.full_name, document))
    for person, letter in zip(people, letters, strict=True):
        if letter.document is not None and letter.document.delivery_state == DeliveryState.TO_EMAIL:
            document_email(
                document=letter.document,
                to=[person.email],
                greeting=f"Dear {person.full_name}",
                landlord=provider.letterhead,
            )
    return letters
