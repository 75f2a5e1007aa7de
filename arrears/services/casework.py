"""Casework: contacts, agreements, pauses, Breathing Space, referrals, vulnerability reviews, reassignment and the
officer's "send this letter". Each checks the person's permission itself."""

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from arrears.agreements import AgreementTerms, agreement_check
from arrears.constants import (
    AgreementState,
    AgreementType,
    BreathingSpaceKind,
    ContactKind,
    ContactOutcome,
)
from arrears.models import (
    Agreement,
    AgreementStateChange,
    ArrearsCase,
    BreathingSpace,
    Contact,
    LetterRequest,
    Pause,
    Referral,
    VulnerabilityReview,
)
from incomeapp.money import ZERO, apportion, format_money
from incomeapp.roles import staff_require
from rentaccounts.charging import monday_of
from rentaccounts.constants import AccountKind
from rentaccounts.models import Account

# ---- casework: contacts, agreements, pauses, Breathing Space ---------------------------------------------------------

PER_YEAR = {"weekly": 52, "fortnightly": 26, "four_weekly": 13, "monthly": 12}


def contact_record(
    *,
    case: ArrearsCase,
    kind: str,
    outcome: str,
    occurred_on: date,
    recorded_by,
    person=None,
    code: str = "",
    notes: str = "",
    promise_amount: Decimal | None = None,
    promise_on: date | None = None,
    non_payment_reason: str = "",
) -> Contact:
    """Adds to the contact diary. A promise to pay needs both an amount and a date."""
    staff_require(recorded_by, "arrears.add_contact", "record contacts")
    if occurred_on > timezone.localdate():
        raise ValidationError("The contact date is in the future. Enter the date it happened.")
    if (promise_amount is None) != (promise_on is None):
        raise ValidationError("A promise to pay needs both an amount and a date.")
    return Contact.objects.create(
        case=case,
        kind=kind,
        outcome=outcome,
        occurred_on=occurred_on,
        recorded_by=recorded_by,
        person=person,
        code=code,
        notes=notes,
        promise_amount=promise_amount,
        promise_on=promise_on,
        non_payment_reason=non_payment_reason,
    )


@transaction.atomic
def agreement_create(
    *,
    case: ArrearsCase,
    frequency: str,
    amount: Decimal,
    starts_on: date,
    created_by,
    agreement_type: str = AgreementType.INFORMAL,
    initial_payment: Decimal = ZERO,
    initial_payment_on: date | None = None,
    monthly_income: Decimal | None = None,
    monthly_expenditure: Decimal | None = None,
) -> Agreement:
    """Makes an agreement on today's balance; one that was live or breached is cancelled by it. When an income and
    expenditure record is given, an instalment the tenant cannot afford is refused (protocol: affordable sums)."""
    staff_require(created_by, "arrears.add_agreement", "make agreements")
    if amount <= 0:
        raise ValidationError("Enter an amount above £0.00 to pay towards the arrears.")
    if initial_payment and initial_payment_on is None:
        raise ValidationError("Enter the date the first lump sum will be paid.")
    if monthly_income is not None and monthly_expenditure is not None and frequency in PER_YEAR:
        monthly = apportion(amount, PER_YEAR[frequency], 12)
        spare = monthly_income - monthly_expenditure
        if monthly > spare:
            raise ValidationError(
                f"This is {format_money(monthly)} a month, but the income and expenditure record leaves "
                f"{format_money(max(spare, ZERO))} a month. Agree a smaller amount the tenant can afford."
            )
    balance = Account.objects.get(pk=case.account_id).balance
    if balance <= 0:
        raise ValidationError("The account is not in arrears, so there is nothing to agree.")
    superseded = case.agreements.filter(state__in=[AgreementState.LIVE, AgreementState.BREACHED])
    for old in superseded:
        AgreementStateChange.objects.create(
            agreement=old,
            state=AgreementState.CANCELLED,
            on=starts_on,
            balance=balance,
            expected_balance=balance,
            note="Replaced by a new agreement",
        )
    superseded.update(state=AgreementState.CANCELLED)
    agreement = Agreement.objects.create(
        case=case,
        agreement_type=agreement_type,
        frequency=frequency,
        amount=amount,
        starts_on=starts_on,
        starting_balance=balance,
        initial_payment=initial_payment,
        initial_payment_on=initial_payment_on,
        monthly_income=monthly_income,
        monthly_expenditure=monthly_expenditure,
        created_by=created_by,
    )
    AgreementStateChange.objects.create(
        agreement=agreement,
        state=AgreementState.LIVE,
        on=starts_on,
        balance=balance,
        expected_balance=balance,
        note=f"Started: {format_money(amount)} {agreement.get_frequency_display().lower()} "
        f"towards {format_money(balance)}",
    )
    return agreement


def agreement_terms(agreement: Agreement) -> AgreementTerms:
    return AgreementTerms(
        starts_on=agreement.starts_on,
        frequency=agreement.frequency,
        amount=agreement.amount,
        starting_balance=agreement.starting_balance,
        initial_payment=agreement.initial_payment,
        initial_payment_on=agreement.initial_payment_on,
        tolerance_days=agreement.tolerance_days,
    )


def agreements_monitor(*, on: date) -> Counter:
    """Daily: every live or breached agreement checked against its account's balance. A state row is written only
    when the state or the figures change. Returns the count of agreements by new state."""
    counts: Counter = Counter()
    agreements = Agreement.objects.filter(state__in=[AgreementState.LIVE, AgreementState.BREACHED]).select_related(
        "case__account"
    )
    for agreement in agreements.iterator(chunk_size=2000):
        check = agreement_check(agreement_terms(agreement), balance=agreement.case.account.balance, on=on)
        counts[check.state] += 1
        last = agreement.state_changes.last()
        if last and (last.state, last.note) == (check.state, check.note):
            continue
        with transaction.atomic():
            AgreementStateChange.objects.create(
                agreement=agreement,
                state=check.state,
                on=on,
                balance=check.balance,
                expected_balance=check.expected_balance,
                note=check.note,
            )
            if agreement.state != check.state:
                Agreement.objects.filter(pk=agreement.pk).update(state=check.state)
    return counts


def pause_create(*, case: ArrearsCase, reason: str, ends_on: date, comment: str, created_by) -> Pause:
    """Holds the ladder until `ends_on`. A pause needs an end date in the future, a reason and a comment."""
    staff_require(created_by, "arrears.add_pause", "pause cases")
    if ends_on <= timezone.localdate():
        raise ValidationError("The pause must end after today. Choose the date the case should be looked at again.")
    if not comment.strip():
        raise ValidationError("Say why the case is paused, so whoever picks it up knows.")
    return Pause.objects.create(
        case=case, reason=reason, ends_on=ends_on, comment=comment.strip(), created_by=created_by
    )


def breathing_space_record(
    *, tenancy, kind: str, starts_on: date, recorded_by, reference: str = "", ends_on: date | None = None
) -> BreathingSpace:
    """Records a moratorium. A standard one ends 60 days after it starts unless an earlier end is given; a mental
    health crisis one stays open until its end is recorded. The debt covered is the rent account's balance now."""
    staff_require(recorded_by, "arrears.add_breathingspace", "record Breathing Space")
    if kind == BreathingSpaceKind.STANDARD and ends_on is None:
        ends_on = starts_on + timedelta(days=60)
    account = Account.objects.filter(tenancy=tenancy, kind=AccountKind.RENT).first()
    return BreathingSpace.objects.create(
        tenancy=tenancy,
        kind=kind,
        reference=reference,
        starts_on=starts_on,
        ends_on=ends_on,
        debt_covered=max(account.balance if account else ZERO, ZERO),
        recorded_by=recorded_by,
    )


def referral_record(*, case: ArrearsCase, kind: str, made_on: date, made_by, to_whom: str = "", notes: str = ""):
    staff_require(made_by, "arrears.add_referral", "record referrals")
    if made_on > timezone.localdate():
        raise ValidationError("The referral date is in the future. Enter the date it was made.")
    return Referral.objects.create(case=case, kind=kind, made_on=made_on, to_whom=to_whom, notes=notes, made_by=made_by)


@transaction.atomic
def vulnerability_review_record(
    *, case: ArrearsCase, reviewed_on: date, vulnerable: bool, reviewed_by, adjustments: str = "", notes: str = ""
) -> VulnerabilityReview:
    """Records the decision and dates the case's last review (the policy holds legal steps until one is recorded)."""
    staff_require(reviewed_by, "arrears.add_vulnerabilityreview", "record vulnerability reviews")
    if reviewed_on > timezone.localdate():
        raise ValidationError("The review date is in the future. Enter the date the review was done.")
    if vulnerable and not adjustments.strip():
        raise ValidationError("Say what changes because the tenant is vulnerable (contact, pace, support).")
    review = VulnerabilityReview.objects.create(
        case=case,
        reviewed_on=reviewed_on,
        vulnerable=vulnerable,
        adjustments=adjustments.strip(),
        notes=notes,
        reviewed_by=reviewed_by,
    )
    if case.vulnerability_reviewed_on is None or reviewed_on > case.vulnerability_reviewed_on:
        case.vulnerability_reviewed_on = reviewed_on
        case.save(update_fields=["vulnerability_reviewed_on", "updated_at"])
    return review


@transaction.atomic
def cases_reassign(*, cases, officer, reassigned_by) -> int:
    """Moves open cases to another officer (cover during leave). Each case keeps its history of who held it."""
    staff_require(reassigned_by, "arrears.change_arrearscase", "reassign cases")
    if officer is not None and not officer.has_perm("incomeapp.use_worklist"):
        raise ValidationError(
            f"{officer.get_full_name() or officer.username} does not work cases, so cannot hold them."
        )
    moved = 0
    for case in cases.select_for_update():
        if case.officer_id != (officer.pk if officer else None):
            case.officer = officer
            case._change_reason = f"Reassigned by {reassigned_by.get_username() if reassigned_by else 'the system'}"
            case.save(update_fields=["officer", "updated_at"])
            moved += 1
    return moved


def letters_queue(
    *, recommendations: list, case_ids: dict[int, int], on: date, recorded_by=None
) -> list[LetterRequest]:
    """Queues each recommendation's letter once per case, letter and week (a database constraint backs this up) and
    records it as a contact at the same time, so the ladder moves on. A letter already queued that week is left out;
    returns the requests made. Used by the weekly review (its automatic letters) and by an officer sending one."""
    week = monday_of(on)
    done = set(
        LetterRequest.objects.filter(
            case__in=[case_ids[r.account_id] for r in recommendations], week_commencing=week
        ).values_list("case_id", "letter")
    )
    wanted = [r for r in recommendations if (case_ids[r.account_id], r.letter) not in done]
    automatic = recorded_by is None
    contacts = Contact.objects.bulk_create(
        [
            Contact(
                case_id=case_ids[r.account_id],
                kind=ContactKind.LETTER,
                code=r.letter,
                outcome=ContactOutcome.QUEUED,
                occurred_on=on,
                notes=f"{r.label} (automatic, arrears review)" if automatic else r.label,
                recorded_by=recorded_by,
            )
            for r in wanted
        ],
        batch_size=1000,
    )
    return LetterRequest.objects.bulk_create(
        [
            LetterRequest(
                case_id=contact.case_id, letter=r.letter, week_commencing=week, recommendation=r, contact=contact
            )
            for r, contact in zip(wanted, contacts, strict=True)
        ],
        batch_size=1000,
    )


@transaction.atomic
def letter_send(*, case: ArrearsCase, sent_by) -> LetterRequest:
    """An officer sends the letter the case's recommendation names (steps the policy leaves to a person, like the final
    warning), queued as the review queues its automatic letters."""
    staff_require(sent_by, "arrears.add_contact", "send letters")
    recommendation = case.latest_recommendation
    if recommendation is None or not recommendation.letter:
        raise ValidationError("The recommended step for this case is not a letter.")
    if recommendation.mode == "approval":
        raise ValidationError("This step needs approval first; it cannot be sent from here.")
    queued = letters_queue(
        recommendations=[recommendation],
        case_ids={recommendation.account_id: case.pk},
        on=timezone.localdate(),
        recorded_by=sent_by,
    )
    if not queued:
        raise ValidationError("This letter has already been sent this week.")
    request = queued[0]
    from arrears.tasks import render_letters

    transaction.on_commit(lambda: render_letters.delay(request_ids=[request.pk], run_label="officer"))
    return request
