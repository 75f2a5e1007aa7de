"""Reads for arrangements to pay: what terms would come to before they are saved (how long they take to clear the
arrears, against the policy's limit), an agreement's status in words (pending its first payment, kept, broken), and
the letters an agreement's terms were confirmed in."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

from documents.models import Document
from incomeapp.money import ZERO

from .agreements import ClearingTime, clearing_sentence, clearing_time, over_limit_warning
from .constants import AgreementState
from .engine import agreement_max_weeks
from .engine.checks import AGREEMENT_MAX_WEEKS_DEFAULT
from .models import Agreement, AgreementChange, ArrearsCase


@dataclass(frozen=True)
class AgreementPreview:
    """What the check page shows, and what the service records with the agreement."""

    balance: Decimal
    clearing: ClearingTime
    sentence: str
    warning: str
    limit_weeks: int
    policy_title: str


def agreement_policy_limit(case: ArrearsCase) -> tuple[int, str]:
    """The longest an agreement should take on this case's arrears policy (scheme, tenure or default; the arrears
    policy's `agreement_max_weeks`), with the policy's title. The product's default when no policy is live."""
    from .selectors import PolicyChooser

    tenancy = case.account.tenancy
    try:
        version = PolicyChooser().version_for(
            {"_scheme": tenancy.property.scheme_id, "tenure_type": tenancy.tenure_type}
        )
    except ValidationError:
        return AGREEMENT_MAX_WEEKS_DEFAULT, "the product's default"
    return agreement_max_weeks(version.document), version.policy.title


def agreement_preview(
    *, case: ArrearsCase, amount: Decimal, frequency: str, starts_on: date, initial_payment: Decimal = ZERO
) -> AgreementPreview:
    """How long the terms take to clear today's balance (exact Decimal arithmetic), and the warning when that runs
    past the policy's limit or a one-off payment leaves arrears unpaid."""
    balance = case.account.balance
    clearing = clearing_time(
        arrears=balance, amount=amount, frequency=frequency, first_payment_on=starts_on, initial_payment=initial_payment
    )
    limit, title = agreement_policy_limit(case)
    return AgreementPreview(
        balance=balance,
        clearing=clearing,
        sentence=clearing_sentence(clearing=clearing, amount=amount, frequency=frequency),
        warning=over_limit_warning(clearing=clearing, limit_weeks=limit, policy_title=title),
        limit_weeks=limit,
        policy_title=title,
    )


AGREEMENT_STATUS = {
    "pending": ("Pending first payment", "govuk-tag--blue"),
    AgreementState.LIVE: ("Being kept", "govuk-tag--green"),
    AgreementState.BREACHED: ("Broken", "govuk-tag--red"),
    AgreementState.COMPLETED: ("Completed", "govuk-tag--grey"),
    AgreementState.CANCELLED: ("Cancelled", "govuk-tag--grey"),
}


def agreement_status(agreement: Agreement, on: date) -> tuple[str, str]:
    """The status an officer reads (label, tag class): "Pending first payment" while a live agreement's first
    instalment is not yet due, then "Being kept" or "Broken" as the daily check finds."""
    key = "pending" if agreement.pending_on(on) else agreement.state
    return AGREEMENT_STATUS[key]


AGREEMENT_LETTER_KEY = "agreement-letter:{contact}:person:{person}"  # each agreement letter document's subject key


def agreement_letters(change: AgreementChange) -> list[Document]:
    """The letters that confirmed the terms of one made or changed agreement, one per named tenant."""
    if change.letter_contact_id is None:
        return []
    return list(
        Document.objects.filter(
            subject_key__startswith=f"agreement-letter:{change.letter_contact_id}:person:"
        ).order_by("id")
    )


def agreement_letter_documents(contact_ids: list[int]) -> dict[int, list[Document]]:
    """The agreement letters of these diary contacts, by contact id (for the diary's links to each tenant's PDF)."""
    from django.db.models import Q

    found: dict[int, list[Document]] = {}
    if not contact_ids:
        return found
    query = Q()
    for pk in contact_ids:
        query |= Q(subject_key__startswith=f"agreement-letter:{pk}:person:")
    for document in Document.objects.filter(query).order_by("id"):
        found.setdefault(int(document.subject_key.split(":")[1]), []).append(document)
    return found


def case_agreements(*, case: ArrearsCase, on: date) -> list[dict]:
    """The case's agreements, newest first, each with its status, its history of terms (made, changed, cancelled)
    and its letters, for the case page."""
    agreements = list(
        case.agreements.prefetch_related("state_changes", "changes__made_by").order_by("-starts_on", "-id")
    )
    contact_ids = [
        change.letter_contact_id for a in agreements for change in a.changes.all() if change.letter_contact_id
    ]
    letters = agreement_letter_documents(contact_ids)
    rows = []
    for agreement in agreements:
        label, tag = agreement_status(agreement, on)
        changes = list(agreement.changes.all())
        rows.append(
            {
                "agreement": agreement,
                "status": label,
                "tag": tag,
                "pending": agreement.pending_on(on),
                "open": agreement.state in (AgreementState.LIVE, AgreementState.BREACHED),
                "changes": [(change, letters.get(change.letter_contact_id, [])) for change in changes],
            }
        )
    return rows


def pending_agreement_case_ids(case_ids: list[int], on: date) -> set[int]:
    """Of these cases, those whose live agreement is still waiting for its first payment (worklist Agreements tab)."""
    pending = set()
    for agreement in Agreement.objects.filter(case_id__in=case_ids, state=AgreementState.LIVE):
        if agreement.pending_on(on):
            pending.add(agreement.case_id)
    return pending


def agreement_status_by_case(case_ids: list[int], on: date) -> dict[int, tuple[str, str]]:
    """For the worklist's Agreements tab (one query for a page of cases): each case's open agreement (live or broken,
    the newest) as (label, tag class): "Pending first payment", "Being kept" or "Broken"."""
    found: dict[int, tuple[str, str]] = {}
    rows = Agreement.objects.filter(
        case_id__in=case_ids, state__in=[AgreementState.LIVE, AgreementState.BREACHED]
    ).order_by("case_id", "-starts_on", "-id")
    for agreement in rows:
        found.setdefault(agreement.case_id, agreement_status(agreement, on))
    return found
