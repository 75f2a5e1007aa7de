"""Rendering the letters the review (or an officer) queued: one per named tenant, as the protocol asks, through the
documents app. Safe to run again: a request is rendered only while its contact says "queued", and a tenant who already
has this request's letter does not get a second one."""

from collections import Counter
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from documents.constants import DeliveryState
from documents.models import Document
from documents.services import document_email, letter_make, template_version_current
from incomeapp.money import format_money
from tenancies.constants import TenancyStatus

from .constants import ContactOutcome
from .models import LetterRequest
from .services.breathing_space import moratorium_position

BATCH = 25  # letters per Celery task: small enough to retry cheaply, large enough to keep a worker busy


def case_letter_values(case, people: list, recommendation=None) -> dict:
    """The merge values for a case's letters (except tenant_name, which is per letter)."""
    tenancy = case.account.tenancy
    facts = recommendation.facts if recommendation else {}
    officer = case.officer
    provider = tenancy.property.scheme.provider
    agreement = case.agreements.exclude(state="cancelled").order_by("-starts_on", "-id").first()
    position = moratorium_position(tenancy=tenancy, on=timezone.localdate(), balance=case.account.balance)
    values = {
        "tenant_names": " and ".join(person.full_name for person in people),
        "address": tenancy.property.one_line_address,
        "payment_reference": tenancy.payment_reference,
        # Under a Breathing Space a letter never asks for the moratorium debt, only arrears since it began (R-BS-21).
        "balance": format_money(position.new_arrears if position else case.account.balance),
        "moratorium_note": _moratorium_note(position),
        "weekly_rent": format_money(Decimal(facts.get("weekly_rent", "0"))),
        "arrears_weeks": f"{recommendation.arrears_weeks:.1f}" if recommendation else "",
        "officer_name": (officer.get_full_name() or officer.username) if officer else "The Income Team",
        "officer_phone": (officer.phone if officer and officer.phone else provider.phone)
        or "the number on our website",
        "landlord_name": provider.name,
        "today": f"{timezone.localdate():%-d %B %Y}",
    }
    if agreement is not None:
        values |= {
            "agreement_amount": format_money(agreement.amount),
            "agreement_frequency": agreement.get_frequency_display().lower(),
            "agreement_start": f"{agreement.starts_on:%-d %B %Y}",
        }
    return values


def _moratorium_note(position) -> str:
    if position is None:
        return ""
    moratorium = position.moratorium
    until = f"{moratorium.ends_on:%-d %B %Y}" if moratorium.ends_on else "it ends"
    return (
        f"You are in a Breathing Space that began on {moratorium.starts_on:%-d %B %Y}. This letter is only about rent "
        f"that has fallen due since then and not been paid ({format_money(position.new_arrears)}). We will not ask you "
        f"about the {format_money(position.held)} the Breathing Space covers until {until}; your debt adviser can "
        "talk to us about it."
    )


def moratorium_withheld(request, on) -> str:
    """Why a queued letter must not go out now: a Breathing Space covers the tenancy and the balance is all
    moratorium debt (recorded after the letter was queued). "" when it may go (R-BS-11)."""
    case = request.case
    position = moratorium_position(tenancy=case.account.tenancy, on=on, balance=case.account.balance)
    if position is None or position.new_arrears > 0:
        return ""
    return (
        f"Not sent: a Breathing Space began on {position.moratorium.starts_on:%d/%m/%Y} and the balance of "
        f"{format_money(position.balance)} is all moratorium debt, so no arrears letter may go (R-BS-11)."
    )


def preview_context(payment_reference: str):
    """For the documents app's template preview: the open case of a payment reference, as merge values, the lead
    tenant as recipient, and the landlord."""
    from tenancies.references import payment_reference_normalise, payment_reference_problem

    from .constants import CaseStatus
    from .models import ArrearsCase

    reference = payment_reference_normalise(payment_reference)
    problem = payment_reference_problem(reference)
    if problem:
        raise LookupError(problem)
    case = (
        ArrearsCase.objects.filter(account__tenancy__payment_reference=reference, status=CaseStatus.OPEN)
        .select_related("account__tenancy__property__scheme__provider", "officer", "latest_recommendation")
        .first()
    )
    if case is None:
        raise LookupError(f"No open arrears case has the payment reference {reference}.")
    tenancy = case.account.tenancy
    people = tenancy.named_tenants()
    values = case_letter_values(case, people, case.latest_recommendation)
    values["tenant_name"] = people[0].full_name if people else "the tenant"
    recipient = {"name": values["tenant_name"], "address_lines": tenancy.property.address_lines}
    return values, recipient, tenancy.property.scheme.provider.letterhead


def letter_to_person(*, request, version, values: dict, person, home, landlord: dict, run_label: str) -> Document:
    """One tenant's letter of a request: made once (found again by its subject key), posted, or emailed to a tenant
    who chose email (an email that failed is marked failed with the reason)."""
    subject_key = f"letter-request:{request.pk}:person:{person.pk}"
    document = Document.objects.filter(subject_key=subject_key).first()
    if document is None:
        address = person.postal_lines(home)
        if not address and not person.wants_email:
            raise ValidationError(
                f"There is no address to post to: {person.full_name} has left the home and no forwarding address or "
                "email is recorded. Add one, then retry."
            )
        document = letter_make(
            version=version,
            values={**values, "tenant_name": person.full_name},
            landlord=landlord,
            recipient={"name": person.full_name, "address_lines": address},
            reference=request.case.account.tenancy.payment_reference,
            subject_key=subject_key,
            made_by=request.contact.recorded_by,
            made_by_run=run_label,
            large_print="large print" in person.communication_adjustments.lower(),
            delivery_state=DeliveryState.TO_EMAIL if person.wants_email else DeliveryState.TO_PRINT,
        )
    if document.delivery_state == DeliveryState.TO_EMAIL:
        document_email(document=document, to=[person.email], greeting=f"Dear {person.full_name}", landlord=landlord)
    return document


def letter_requests_render(*, request_ids: list[int], run_label: str = "") -> Counter:
    """Renders each queued request; the contact's outcome becomes "sent" (the PDFs wait to be printed, or were emailed
    to tenants who chose email) or "failed" with the reason, which brings the "review failed letter" step. Returns
    counts by outcome."""
    counts: Counter = Counter()
    requests = LetterRequest.objects.filter(pk__in=request_ids, contact__outcome=ContactOutcome.QUEUED).select_related(
        "contact",
        "recommendation",
        "case__officer",
        "case__account__tenancy__property__scheme__provider",
    )
    for request in requests:
        tenancy = request.case.account.tenancy
        contact = request.contact
        if tenancy.status == TenancyStatus.FORMER:
            # Queued before the tenancy ended: a current tenant's arrears letter is not sent to a former tenant.
            contact.outcome = ContactOutcome.NOTE
            contact.notes = f"{contact.notes} Not sent: the tenancy ended before the letter went out.".strip()
            contact.save(update_fields=["outcome", "notes"])
            counts["not sent: tenancy ended"] += 1
            continue
        withheld = moratorium_withheld(request, timezone.localdate())
        if withheld:
            contact.outcome = ContactOutcome.WITHHELD
            contact.notes = f"{contact.notes} {withheld}".strip()
            contact.save(update_fields=["outcome", "notes"])
            counts[ContactOutcome.WITHHELD] += 1
            continue
        people = tenancy.named_tenants()
        provider = tenancy.property.scheme.provider
        try:
            version = template_version_current(request.letter)
            if version is None:
                raise ValidationError(f"There is no letter template called '{request.letter}'. Add it, then retry.")
            values = case_letter_values(request.case, people, request.recommendation)
            home = tenancy.property.address_lines if tenancy.is_live_on(timezone.localdate()) else None
            failures = []
            for person in people:
                document = letter_to_person(
                    request=request,
                    version=version,
                    values=values,
                    person=person,
                    home=home,
                    landlord=provider.letterhead,
                    run_label=run_label,
                )
                if document.delivery_state == DeliveryState.FAILED:
                    failures.append(document.delivery_note)
            if failures:
                raise ValidationError(" ".join(failures))
        except ValidationError as error:
            contact.outcome = ContactOutcome.FAILED
            contact.notes = f"{contact.notes} Not sent: {error.messages[0]}".strip()
        else:
            contact.outcome = ContactOutcome.SENT
        contact.save(update_fields=["outcome", "notes"])
        counts[contact.outcome] += 1
    return counts
