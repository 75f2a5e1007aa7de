"""Agreements to pay: made on today's balance (an affordable one, when an income and expenditure record is given), and
monitored every day; every change of state or figures writes a state row with its reason."""

from collections import Counter
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from arrears.agreements import AgreementTerms, agreement_check, change_reason
from arrears.constants import (
    AGREEMENT_LETTER,
    AgreementChangeKind,
    AgreementFrequency,
    AgreementState,
    AgreementType,
    ContactKind,
    ContactOutcome,
)
from arrears.models import Agreement, AgreementChange, AgreementStateChange, ArrearsCase, Contact
from arrears.signals import agreements_breached
from incomeapp.money import ZERO, apportion, format_money
from incomeapp.roles import staff_require
from rentaccounts.models import Account

from .rereview import case_re_review

PER_YEAR = {"weekly": 52, "fortnightly": 26, "four_weekly": 13, "monthly": 12}


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
    first_due_on: date | None = None,
    terms: str = "",
    submission_key: str | None = None,
) -> Agreement:
    """Makes an agreement on today's balance; one that was live or breached is cancelled by it. When an income and
    expenditure record is given, an instalment the tenant cannot afford is refused (protocol: affordable sums). A
    court order's terms give their own first payment date (`first_due_on`) and the conditions as written (`terms`).

    The terms' history starts with a "made" row (how long they take to clear the arrears, against the policy's limit);
    an informal agreement is written in the diary and confirmed to each named tenant in the agreement letter. The same
    `submission_key` (the check page's token) sent again returns the agreement it made: nothing twice, no second
    letter."""
    staff_require(created_by, "arrears.add_agreement", "make agreements")
    if submission_key:
        done = AgreementChange.objects.filter(submission_key=submission_key).select_related("agreement").first()
        if done is not None:
            return done.agreement
    if amount <= 0:
        raise ValidationError("Enter an amount above £0.00 to pay towards the arrears.")
    if initial_payment and initial_payment_on is None:
        raise ValidationError("Enter the date the first lump sum will be paid.")
    if first_due_on is not None and first_due_on < starts_on:
        raise ValidationError(
            f"The first payment cannot be due before the agreement starts ({starts_on:%-d %B %Y}): check the date."
        )
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
        first_due_on=first_due_on,
        terms=terms.strip(),
        created_by=created_by,
    )
    first = f", first due {first_due_on:%-d %B %Y}" if first_due_on else ""
    AgreementStateChange.objects.create(
        agreement=agreement,
        state=AgreementState.LIVE,
        on=starts_on,
        balance=balance,
        expected_balance=balance,
        note=f"Started: {format_money(amount)} {agreement.get_frequency_display().lower()} "
        f"towards {format_money(balance)}{first}",
    )
    change = _terms_record(
        agreement=agreement,
        kind=AgreementChangeKind.MADE,
        previous=None,
        balance=balance,
        made_by=created_by,
        reason="",
        submission_key=submission_key,
    )
    if agreement_type == AgreementType.INFORMAL:
        _diary_and_letter(agreement=agreement, change=change, by=created_by)
    case_re_review(case)
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
        first_due_on=agreement.first_due_on,
        court_order=agreement.agreement_type == AgreementType.COURT,
    )


def agreements_monitor(*, on: date) -> Counter:
    """Daily: every live or breached agreement checked against its account's balance. A state row is written whenever
    the state or the figures (expected balance, balance) change, with the reason ("Payment of £20.00: balance now
    £270.00, £10.00 ahead of plan"), so the history explains every change; nothing changes, nothing is written (a
    second run the same day writes nothing). A court order whose arrears are cleared is marked completed. Returns the
    count of agreements by new state."""
    counts: Counter = Counter()
    agreements = Agreement.objects.filter(state__in=[AgreementState.LIVE, AgreementState.BREACHED]).select_related(
        "case__account"
    )
    for agreement in agreements.iterator(chunk_size=2000):
        terms = agreement_terms(agreement)
        check = agreement_check(terms, balance=agreement.case.account.balance, on=on)
        counts[check.state] += 1
        last = agreement.state_changes.last()
        previous = (last.state, last.expected_balance, last.balance) if last else None
        if previous == (check.state, check.expected_balance, check.balance) and agreement.state == check.state:
            continue
        with transaction.atomic():
            AgreementStateChange.objects.create(
                agreement=agreement,
                state=check.state,
                on=on,
                balance=check.balance,
                expected_balance=check.expected_balance,
                note=change_reason(terms, check, on=on, previous=previous),
            )
            if agreement.state != check.state:
                Agreement.objects.filter(pk=agreement.pk).update(state=check.state)
                if check.state == AgreementState.BREACHED:
                    agreements_breached.send(sender=Agreement, agreement_ids=[agreement.pk], on=on)
    return counts


@transaction.atomic
def court_agreements_end(*, case: ArrearsCase, on: date, reason: str) -> int:
    """A claim that ended (struck out, stayed, withdrawn, dismissed) takes its order's terms with it: each live or
    breached court agreement on the case is cancelled, with the reason in its history. Returns how many."""
    ended = 0
    for agreement in case.agreements.filter(
        agreement_type=AgreementType.COURT, state__in=[AgreementState.LIVE, AgreementState.BREACHED]
    ).select_related("case__account"):
        balance = agreement.case.account.balance
        AgreementStateChange.objects.create(
            agreement=agreement,
            state=AgreementState.CANCELLED,
            on=on,
            balance=balance,
            expected_balance=agreement_check(agreement_terms(agreement), balance=balance, on=on).expected_balance,
            note=reason[:200],
        )
        Agreement.objects.filter(pk=agreement.pk).update(state=AgreementState.CANCELLED)
        ended += 1
    return ended


# ---- the terms' history, the diary and the agreement letter ---------------------------------------------------------


def _terms_record(*, agreement: Agreement, kind: str, previous, balance, made_by, reason: str, submission_key):
    """One row of the append-only history of terms, with what the terms come to against the policy's limit."""
    from arrears.selectors_agreements import agreement_preview

    row = AgreementChange(
        agreement=agreement,
        kind=kind,
        reason=reason.strip(),
        balance=balance,
        made_by=made_by,
        submission_key=submission_key or None,
    )
    if previous is not None:
        row.previous_amount, row.previous_frequency = previous.amount, previous.frequency
        row.previous_starts_on, row.previous_starting_balance = previous.starts_on, previous.starting_balance
    if kind != AgreementChangeKind.CANCELLED:
        row.amount, row.frequency, row.starts_on = agreement.amount, agreement.frequency, agreement.starts_on
        if balance > 0:
            preview = agreement_preview(
                case=agreement.case,
                amount=agreement.amount,
                frequency=agreement.frequency,
                starts_on=agreement.starts_on,
            )
            row.weeks_to_clear, row.clears_on = preview.clearing.weeks, preview.clearing.last_payment_on
            row.limit_weeks = preview.limit_weeks
    row.save()
    return row


def _terms_words(agreement: Agreement) -> str:
    return (
        f"{format_money(agreement.amount)} {agreement.get_frequency_display().lower()} from "
        f"{agreement.starts_on:%-d %B %Y}"
    )


def _diary_and_letter(*, agreement: Agreement, change: AgreementChange, by) -> None:
    """The diary shows the agreement, its state rows (made, changed and cancelled with the reason) and its letters; a
    made or changed agreement's terms go to each named tenant in the agreement letter."""
    if change.kind != AgreementChangeKind.CANCELLED:
        change.letter_contact = agreement_letter_make(agreement=agreement, change=change, by=by)
        change.save(update_fields=["letter_contact"])


def agreement_letter_make(*, agreement: Agreement, change: AgreementChange, by) -> Contact:
    """The agreement letter confirming the terms, one per named tenant, through the documents machinery (template
    `agreement_letter`), made now (waiting to be printed, or emailed to a tenant who chose email) and recorded in the
    diary as a letter without a stage code, so the ladder does not move on it. Each document's key is
    "agreement-letter:<the letter's contact id>:person:<person id>", so it is made once. A letter that cannot be made
    (no address, a template problem) is recorded as failed with the reason; under a Breathing Space with no new arrears
    it is withheld (R-BS-11)."""
    from arrears.letters import case_letter_values
    from arrears.selectors_agreements import AGREEMENT_LETTER_KEY
    from documents.constants import DeliveryState
    from documents.models import Document
    from documents.services import document_email, template_version_current, templates_install_shipped
    from tenancies.services_letters import tenant_letter_make

    from .breathing_space import moratorium_position

    case = agreement.case
    tenancy = case.account.tenancy
    today = timezone.localdate()
    what = "Agreement letter" if change.kind == AgreementChangeKind.MADE else "Agreement letter with the new terms"
    contact = Contact.objects.create(
        case=case,
        kind=ContactKind.LETTER,
        outcome=ContactOutcome.SENT,
        occurred_on=today,
        recorded_by=by,
        notes=f"{what}: {_terms_words(agreement)}",
    )
    position = moratorium_position(tenancy=tenancy, on=today, balance=case.account.balance)
    if position is not None and position.new_arrears <= 0:
        contact.outcome = ContactOutcome.WITHHELD
        contact.notes += ". Not sent: a Breathing Space covers all the arrears."
        contact.save(update_fields=["outcome", "notes"])
        return contact
    people = tenancy.named_tenants()
    provider = tenancy.property.scheme.provider
    try:
        with transaction.atomic():
            version = template_version_current(AGREEMENT_LETTER)
            if version is None:
                templates_install_shipped()
                version = template_version_current(AGREEMENT_LETTER)
            if version is None:
                raise ValidationError("There is no agreement letter template. Ask an Income Manager to add one.")
            values = case_letter_values(case, people, case.latest_recommendation) | {
                "agreement_amount": format_money(agreement.amount),
                "agreement_frequency": agreement.get_frequency_display().lower(),
                "agreement_start": f"{agreement.starts_on:%-d %B %Y}",
            }
            home = tenancy.property.address_lines if tenancy.is_live_on(today) else None
            for person in people:
                key = AGREEMENT_LETTER_KEY.format(contact=contact.pk, person=person.pk)
                if Document.objects.filter(idempotency_key=key).exists():
                    continue
                address = person.postal_lines(home)
                if not address and not person.wants_email:
                    raise ValidationError(
                        f"There is no address to post to for {person.full_name}. Add one, then change the agreement "
                        "to send the letter again."
                    )
                document = tenant_letter_make(
                    version=version,
                    values=values,
                    person=person,
                    address=address,
                    landlord=provider.letterhead,
                    reference=tenancy.payment_reference,
                    subject_key=key,
                    idempotency_key=key,
                    made_by=by,
                    made_by_run="officer",
                )
                if document.delivery_state == DeliveryState.TO_EMAIL:
                    transaction.on_commit(
                        lambda document=document, person=person: document_email(
                            document=document,
                            to=[person.email],
                            greeting=f"Dear {person.full_name}",
                            landlord=provider.letterhead,
                        )
                    )
    except ValidationError as error:
        contact.outcome = ContactOutcome.FAILED
        contact.notes += f". Not sent: {error.messages[0]}"
        contact.save(update_fields=["outcome", "notes"])
    return contact


def _open_agreement(agreement: Agreement) -> Agreement:
    """The agreement locked for a change, refused once it is no longer live or broken."""
    locked = Agreement.objects.select_for_update().select_related("case__account").get(pk=agreement.pk)
    if locked.state not in (AgreementState.LIVE, AgreementState.BREACHED):
        raise ValidationError(
            f"This agreement is {locked.get_state_display().lower()}, so it cannot be changed. Make a new one instead."
        )
    if locked.agreement_type != AgreementType.INFORMAL:
        raise ValidationError(
            "A court order's terms are changed by the court: record the new order on the claim, not here."
        )
    return locked


def _terms_before_change(agreement: Agreement) -> Agreement:
    """The terms as they stand, kept apart (unsaved) so the history can show them once the agreement is changed."""
    return Agreement(
        amount=agreement.amount,
        frequency=agreement.frequency,
        starts_on=agreement.starts_on,
        starting_balance=agreement.starting_balance,
    )


@transaction.atomic
def agreement_change(
    *,
    agreement: Agreement,
    amount: Decimal,
    frequency: str,
    starts_on: date,
    reason: str,
    changed_by,
    submission_key: str | None = None,
) -> Agreement:
    """New terms for a live or broken informal agreement, from today's balance: the previous terms are kept in the
    history with the reason (required), the daily check starts again from the new first payment (pending until it is
    due), the diary says so and each named tenant gets the agreement letter with the new terms. The same
    `submission_key` sent again changes nothing."""
    staff_require(changed_by, "arrears.add_agreement", "change agreements")  # who may make one may change it
    if submission_key:
        done = AgreementChange.objects.filter(submission_key=submission_key).select_related("agreement").first()
        if done is not None:
            return done.agreement
    if not reason.strip():
        raise ValidationError("Enter why the agreement is changing, so whoever reads the case knows.")
    if amount <= 0:
        raise ValidationError("Enter an amount above £0.00 to pay towards the arrears.")
    if frequency not in AgreementFrequency.values:
        raise ValidationError("Choose how often the tenant pays.")
    locked = _open_agreement(agreement)
    previous = _terms_before_change(locked)
    if (amount, frequency, starts_on) == (locked.amount, locked.frequency, locked.starts_on):
        raise ValidationError(
            "These are the terms the agreement already has. Change the amount, how often or the date."
        )
    balance = Account.objects.get(pk=locked.case.account_id).balance
    if balance <= 0:
        raise ValidationError("The account is not in arrears any more, so there is nothing to agree.")
    locked.amount, locked.frequency, locked.starts_on = amount, frequency, starts_on
    locked.starting_balance, locked.initial_payment, locked.initial_payment_on = balance, ZERO, None
    locked.first_due_on, locked.state = None, AgreementState.LIVE
    locked._change_reason = f"Changed: {reason.strip()}"[:100]
    locked.save()
    AgreementStateChange.objects.create(
        agreement=locked,
        state=AgreementState.LIVE,
        on=timezone.localdate(),
        balance=balance,
        expected_balance=balance,
        note=f"Changed to {format_money(amount)} {locked.get_frequency_display().lower()} towards "
        f"{format_money(balance)}: {reason.strip()}"[:200],
    )
    change = _terms_record(
        agreement=locked,
        kind=AgreementChangeKind.CHANGED,
        previous=previous,
        balance=balance,
        made_by=changed_by,
        reason=reason,
        submission_key=submission_key,
    )
    _diary_and_letter(agreement=locked, change=change, by=changed_by)
    case_re_review(locked.case)
    return locked


@transaction.atomic
def agreement_cancel(*, agreement: Agreement, reason: str, cancelled_by) -> Agreement:
    """Ends a live or broken informal agreement, with the reason (required) in its history and the diary; the case's
    recommendation is worked out again (an agreement no longer holds the ladder back). Cancelling again changes
    nothing more."""
    staff_require(cancelled_by, "arrears.add_agreement", "cancel agreements")
    if not reason.strip():
        raise ValidationError("Enter why the agreement is being cancelled, so whoever reads the case knows.")
    current = Agreement.objects.get(pk=agreement.pk)
    if current.state == AgreementState.CANCELLED:
        return current
    locked = _open_agreement(agreement)
    balance = Account.objects.get(pk=locked.case.account_id).balance
    previous = _terms_before_change(locked)
    AgreementStateChange.objects.create(
        agreement=locked,
        state=AgreementState.CANCELLED,
        on=timezone.localdate(),
        balance=balance,
        expected_balance=agreement_check(
            agreement_terms(locked), balance=balance, on=timezone.localdate()
        ).expected_balance,
        note=f"Cancelled: {reason.strip()}"[:200],
    )
    locked.state = AgreementState.CANCELLED
    locked._change_reason = f"Cancelled: {reason.strip()}"[:100]
    locked.save()
    change = _terms_record(
        agreement=locked,
        kind=AgreementChangeKind.CANCELLED,
        previous=previous,
        balance=balance,
        made_by=cancelled_by,
        reason=reason,
        submission_key=None,
    )
    _diary_and_letter(agreement=locked, change=change, by=cancelled_by)
    case_re_review(locked.case)
    return locked
