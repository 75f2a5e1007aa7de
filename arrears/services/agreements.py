"""Agreements to pay: made on today's balance (an affordable one, when an income and expenditure record is given), and
monitored every day; every change of state or figures writes a state row with its reason."""

from collections import Counter
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from arrears.agreements import AgreementTerms, agreement_check, change_reason
from arrears.constants import AgreementState, AgreementType
from arrears.models import Agreement, AgreementStateChange, ArrearsCase
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
) -> Agreement:
    """Makes an agreement on today's balance; one that was live or breached is cancelled by it. When an income and
    expenditure record is given, an instalment the tenant cannot afford is refused (protocol: affordable sums). A
    court order's terms give their own first payment date (`first_due_on`) and the conditions as written (`terms`)."""
    staff_require(created_by, "arrears.add_agreement", "make agreements")
    if amount <= 0:
        raise ValidationError("Enter an amount above £0.00 to pay towards the arrears.")
    if initial_payment and initial_payment_on is None:
        raise ValidationError("Enter the date the first lump sum will be paid.")
    if first_due_on is not None and first_due_on < starts_on:
        raise ValidationError(
            f"The first payment cannot be due before the agreement starts ({starts_on:%d/%m/%Y}): check the date."
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
    first = f", first due {first_due_on:%d/%m/%Y}" if first_due_on else ""
    AgreementStateChange.objects.create(
        agreement=agreement,
        state=AgreementState.LIVE,
        on=starts_on,
        balance=balance,
        expected_balance=balance,
        note=f"Started: {format_money(amount)} {agreement.get_frequency_display().lower()} "
        f"towards {format_money(balance)}{first}",
    )
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
