"""The sign-up letter: its merge values (the rent, the first payment, how to pay), and one letter from a template to
each named tenant, waiting to be printed or emailed (also used by the rent change notice). One per named tenant,
found again by its subject key."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from documents.constants import DeliveryState
from documents.models import Document
from documents.services import document_email, template_version_current, templates_install_shipped
from incomeapp.money import ZERO, format_money
from lifecycle.charges import CHARGE_LABELS, PERIOD_PHRASES
from rentaccounts.models import Transaction
from tenancies.constants import PaymentMethod, RentPeriod
from tenancies.models import Person, Tenancy
from tenancies.selectors import weekly_equivalent
from tenancies.services_letters import tenant_letter_make
from tenancies.specs import ChargeSpec

from .first_charges import FirstPeriod

SIGN_UP_LETTER = "sign_up_letter"
LETTERS_RUN = "Sign-up letters"  # the print run the letters wait in (the print batches page shows it as it is)


def _when_due(first: FirstPeriod) -> str:
    if first.rent_period == RentPeriod.MONTHLY:
        return f"on the {_ordinal(first.period_start.day)} of each month"
    if first.rent_period == RentPeriod.WEEKLY:
        return "every Monday"
    return f"every {'second' if first.rent_period == RentPeriod.FORTNIGHTLY else 'fourth'} Monday"


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


_HOW_TO_PAY = {
    PaymentMethod.STANDING_ORDER: "by standing order to our bank account",
    PaymentMethod.BANK_TRANSFER: "by bank transfer or standing order to our bank account",
    PaymentMethod.CARD: "by debit card, online or by phone",
    PaymentMethod.ALLPAY: "at any PayPoint or Post Office with your rent card, or online through allpay",
    PaymentMethod.CASH: "in cash at our office",
}


def how_to_pay(*, tenancy: Tenancy, mandate=None) -> str:
    reference = tenancy.payment_reference
    if mandate is not None:
        amount = format_money(mandate.amount) if mandate.amount else "your rent"
        return (
            f"By direct debit: we will collect {amount} on the {_ordinal(mandate.collection_day)} of each month, "
            f"starting on {mandate.start_date:%-d %B %Y} (mandate reference {mandate.reference}). You do not need to "
            "do anything else."
        )
    if tenancy.payment_method == PaymentMethod.HOUSING_BENEFIT:
        return (
            "Housing Benefit is paid to us for you. Pay any rent it does not cover yourself, quoting your payment "
            f"reference {reference}."
        )
    if tenancy.payment_method == PaymentMethod.UNIVERSAL_CREDIT:
        return (
            "Universal Credit pays your housing costs to us. Pay any rent it does not cover yourself, quoting your "
            f"payment reference {reference}."
        )
    if tenancy.payment_method == PaymentMethod.DIRECT_DEBIT:
        return (
            "By direct debit. We will write to you when it is set up; until then pay by bank transfer, quoting your "
            f"payment reference {reference}."
        )
    way = _HOW_TO_PAY.get(tenancy.payment_method, "by bank transfer")
    return f"Pay {way}, quoting your payment reference {reference} every time. Ask us if you need our bank details."


def sign_up_letter_values(
    *,
    tenancy: Tenancy,
    tenants: list[Person],
    charges: list[ChargeSpec],
    first: FirstPeriod | None,
    mandate=None,
    opening_balance: Transaction | None = None,
) -> dict[str, str]:
    """The merge values of the sign-up letter (all but tenant_name, which is per letter)."""
    home = tenancy.property
    provider = home.scheme.provider
    officer = home.patch.officer if home.patch_id and home.patch.officer_id else None
    phrase = PERIOD_PHRASES.get(tenancy.rent_period, "a period")
    total = sum((spec.amount for spec in charges), ZERO)
    breakdown = [
        f"{CHARGE_LABELS.get(s.charge_type, s.charge_type)}: {format_money(s.amount)} {phrase}" for s in charges
    ]
    breakdown.append(f"Total: {format_money(total)} {phrase}")
    if first is None:
        first_payment = "Nothing is due yet; we will write when your rent starts."
    else:
        first_payment = (
            f"{first.description}, due on {first.first_day:%-d %B %Y}. After that {format_money(first.full_total)} "
            f"{phrase}, due {_when_due(first)}."
        )
    if opening_balance is not None:
        owed = opening_balance.amount
        words = "you owed" if owed > 0 else "you were in credit by"
        first_payment += (
            f" Your account also carries the balance from our old system: {words} "
            f"{format_money(abs(owed))} on {opening_balance.effective_date:%-d %B %Y}."
        )
    return {
        "tenant_names": " and ".join(person.full_name for person in tenants),
        "address": home.one_line_address,
        "payment_reference": tenancy.payment_reference,
        "weekly_rent": format_money(weekly_equivalent(total, tenancy.rent_period)),
        "officer_name": (officer.get_full_name() or officer.username) if officer else "The Income Team",
        "officer_phone": (officer.phone if officer and officer.phone else provider.phone)
        or "the number on our website",
        "landlord_name": provider.name,
        "today": f"{timezone.localdate():%-d %B %Y}",
        "start_date": f"{tenancy.start_date:%-d %B %Y}",
        "tenure": tenancy.get_tenure_type_display().lower(),
        "rent_breakdown": "\n".join(breakdown),
        "rent_total": f"{format_money(total)} {phrase}",
        "first_payment": first_payment,
        "how_to_pay": how_to_pay(tenancy=tenancy, mandate=mandate),
    }


def _letter_version(key: str):
    """The template's current version; a shipped template nobody has installed yet is installed first."""
    version = template_version_current(key)
    if version is None:
        templates_install_shipped()
        version = template_version_current(key)
    if version is None:
        raise ValidationError(f"There is no letter template called '{key}'. Ask an Income Manager to add it.")
    return version


def named_tenant_letters_make(
    *,
    tenancy: Tenancy,
    people: list[Person],
    template_key: str,
    values: dict[str, str],
    subject_key: str,
    made_by=None,
    run_label: str = "",
) -> list[Document]:
    """One letter from the template to each named tenant: made once (found again by `{subject_key}:person:<id>`),
    waiting to be printed, or emailed (after the transaction commits) to a tenant who chose email. The documents panel
    of the tenancy page shows them (they carry its payment reference)."""
    version = _letter_version(template_key)
    landlord = tenancy.property.scheme.provider.letterhead
    home = tenancy.property.address_lines
    letters = []
    for person in people:
        key = f"{subject_key}:person:{person.pk}"
        document = Document.objects.filter(subject_key=key).first()
        if document is None:
            document = tenant_letter_make(
                version=version,
                values=values,
                person=person,
                address=person.postal_lines(home),
                landlord=landlord,
                reference=tenancy.payment_reference,
                subject_key=key,
                made_by=made_by,
                made_by_run=run_label,
            )
            if document.delivery_state == DeliveryState.TO_EMAIL:
                transaction.on_commit(
                    lambda document=document, person=person: document_email(
                        document=document, to=[person.email], greeting=f"Dear {person.full_name}", landlord=landlord
                    )
                )
        letters.append(document)
    return letters


def sign_up_letters(tenancy: Tenancy) -> list[Document]:
    """The sign-up letters made for a tenancy, lead tenant's first."""
    return list(Document.objects.filter(subject_key__startswith=f"sign-up:{tenancy.pk}:").order_by("id"))
