"""Agreements: the daily breach check at its tolerance boundary, affordability, and what the review makes of them."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from arrears.agreements import AgreementTerms, agreement_check, expected_balance
from arrears.constants import AgreementState
from arrears.models import AgreementStateChange, ArrearsCase, Recommendation
from arrears.review import review_run
from arrears.services import agreement_create, agreements_monitor, pause_create, policies_install_shipped
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.factories import TenancyFactory, user_with_role

D = Decimal
WEEKLY = AgreementTerms(
    starts_on=date(2026, 11, 2), frequency="weekly", amount=D("10.00"), starting_balance=D("300.00")
)


def test_the_first_instalment_is_due_after_the_tolerance():
    assert expected_balance(WEEKLY, date(2026, 11, 6)) == D("300.00")  # day 4: nothing due yet
    assert expected_balance(WEEKLY, date(2026, 11, 7)) == D("290.00")  # start + 5 days
    assert expected_balance(WEEKLY, date(2026, 11, 13)) == D("290.00")
    assert expected_balance(WEEKLY, date(2026, 11, 14)) == D("280.00")  # a whole cycle later


def test_breached_by_a_penny_at_the_boundary_and_kept_on_plan():
    breached = agreement_check(WEEKLY, balance=D("290.01"), on=date(2026, 11, 7))
    assert (breached.state, breached.note) == ("breached", "Breached by £0.01")
    kept = agreement_check(WEEKLY, balance=D("290.00"), on=date(2026, 11, 7))
    assert (kept.state, kept.note) == ("live", "Kept: on plan")
    assert agreement_check(WEEKLY, balance=D("295.00"), on=date(2026, 11, 6)).state == "live"  # within tolerance
    done = agreement_check(WEEKLY, balance=D("0.00"), on=date(2026, 12, 1))
    assert (done.state, done.note) == ("completed", "Completed on 1 December 2026")


def test_monthly_cycles_are_calendar_months_and_a_lump_sum_counts_after_its_tolerance():
    monthly = AgreementTerms(date(2027, 1, 31), "monthly", D("50.00"), D("400.00"))
    assert expected_balance(monthly, date(2027, 3, 4)) == D("350.00")
    assert expected_balance(monthly, date(2027, 3, 5)) == D("300.00")
    lump = AgreementTerms(date(2026, 11, 2), "weekly", D("10.00"), D("300.00"), D("50.00"), date(2026, 11, 10))
    assert expected_balance(lump, date(2026, 11, 14)) == D("280.00")
    assert expected_balance(lump, date(2026, 11, 15)) == D("230.00")
    assert expected_balance(AgreementTerms(date(2020, 1, 6), "weekly", D("10.00"), D("30.00")), date(2026, 1, 1)) == 0


@pytest.fixture
def case(db):
    policies_install_shipped()
    tenancy = TenancyFactory()
    account = account_get_or_create(tenancy=tenancy)
    transactions_post(postings=[Posting(account.pk, TransactionType.RENT_DEBIT, D("300.00"), date(2026, 11, 2), "d:1")])
    return ArrearsCase.objects.create(account=account, opened_on=date(2026, 11, 2))


def test_an_unaffordable_instalment_is_refused_in_plain_english(case):
    officer = user_with_role(Role.INCOME_OFFICER)
    # £40.00 a month left over: £10.00 a week is more than that, £9.00 a week is not.
    weekly_from_what_is_left = {
        "case": case,
        "frequency": "weekly",
        "starts_on": date(2026, 11, 2),
        "created_by": officer,
        "monthly_income": D("800.00"),
        "monthly_expenditure": D("760.00"),
    }
    with pytest.raises(
        ValidationError, match=re.escape("This is £43.33 a month, but the income and expenditure record leaves £40.00")
    ):
        agreement_create(amount=D("10.00"), **weekly_from_what_is_left)
    agreement = agreement_create(amount=D("9.00"), **weekly_from_what_is_left)
    assert (agreement.starting_balance, agreement.state) == (D("300.00"), AgreementState.LIVE)


def test_a_new_agreement_cancels_the_old_and_monitoring_writes_only_changes(case):
    officer = user_with_role(Role.INCOME_OFFICER)
    first = agreement_create(
        case=case, frequency="weekly", amount=D("10.00"), starts_on=date(2026, 11, 2), created_by=officer
    )
    second = agreement_create(
        case=case, frequency="weekly", amount=D("10.00"), starts_on=date(2026, 11, 2), created_by=officer
    )
    first.refresh_from_db()
    assert first.state == AgreementState.CANCELLED
    agreements_monitor(on=date(2026, 11, 7))  # nothing paid: breached by £10
    agreements_monitor(on=date(2026, 11, 7))
    second.refresh_from_db()
    assert second.state == AgreementState.BREACHED
    notes = list(AgreementStateChange.objects.filter(agreement=second).values_list("note", flat=True))
    # Issue 15 (item 10): a state row now says why it changed (the instalment not paid), not only the new state.
    assert notes == [
        "Started: £10.00 weekly towards £300.00",
        "Instalment of £10.00 due on 7 November 2026 not paid: balance now £300.00, breached by £10.00",
    ]


def test_the_review_leaves_a_kept_agreement_alone_and_calls_about_a_broken_one(case):
    officer = user_with_role(Role.INCOME_OFFICER)
    agreement_create(case=case, frequency="weekly", amount=D("10.00"), starts_on=date(2026, 11, 2), created_by=officer)
    transactions_post(
        postings=[Posting(case.account_id, TransactionType.PAYMENT, D("-10.00"), date(2026, 11, 6), "p:1")]
    )
    review_run(as_of=date(2026, 11, 7))
    assert Recommendation.objects.latest("id").action == "agreement_kept"
    review_run(as_of=date(2026, 11, 14))  # the second £10 has not come
    latest = Recommendation.objects.latest("id")
    assert latest.action == "contact_before_agreement_breach_letter"
    assert latest.reasons[0] == "agreement state is breached"


def test_a_pause_needs_a_future_end_and_a_comment(case):
    officer = user_with_role(Role.INCOME_OFFICER)
    with pytest.raises(ValidationError, match="must end after today"):
        pause_create(case=case, reason="other", ends_on=date(2020, 1, 1), comment="x", created_by=officer)
    with pytest.raises(ValidationError, match="Say why"):
        pause_create(
            case=case, reason="other", ends_on=date.today() + timedelta(days=7), comment="  ", created_by=officer
        )
