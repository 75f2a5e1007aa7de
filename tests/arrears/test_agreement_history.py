"""Agreement history is complete (issue 15, items 9 and 10): every daily check that changes an agreement's state or
figures writes a state row saying why, a re-run that changes nothing writes nothing, and a court order is monitored on
its own terms and dates (legal-spec R-SEC-06: the court-order entity stores its conditions and compliance is
monitored) and is marked complete once its arrears are cleared."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from arrears.agreements import AgreementTerms, agreement_check, change_reason, expected_balance
from arrears.constants import AgreementState, AgreementType
from arrears.models import AgreementStateChange, ArrearsCase
from arrears.services import agreement_create, agreements_monitor
from arrears.services.agreements import court_agreements_end
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.factories import TenancyFactory, user_with_role

D = Decimal
START = date(2026, 11, 2)  # a Monday


def test_r_sec_06_a_court_orders_own_first_payment_date_replaces_the_start_plus_tolerance():
    order = AgreementTerms(START, "weekly", D("10.00"), D("300.00"), first_due_on=date(2026, 11, 16))
    assert expected_balance(order, date(2026, 11, 7)) == D("300.00")  # start + 5 days: nothing due under the order
    assert expected_balance(order, date(2026, 11, 15)) == D("300.00")
    assert expected_balance(order, date(2026, 11, 16)) == D("290.00")  # the order's date
    assert expected_balance(order, date(2026, 11, 23)) == D("280.00")
    informal = AgreementTerms(START, "weekly", D("10.00"), D("300.00"))
    assert expected_balance(informal, date(2026, 11, 7)) == D("290.00")  # unchanged without a date of its own


def test_the_reason_names_the_payment_or_the_instalment_not_paid():
    terms = AgreementTerms(START, "weekly", D("10.00"), D("300.00"))
    paid = agreement_check(terms, balance=D("270.00"), on=date(2026, 11, 8))
    assert (
        change_reason(terms, paid, on=date(2026, 11, 8), previous=("live", D("300.00"), D("300.00")))
        == "Payment of £30.00; Instalment of £10.00 due on 7 November 2026: balance now £270.00, £20.00 ahead of plan"
    )
    missed = agreement_check(terms, balance=D("300.00"), on=date(2026, 11, 7))
    assert (
        change_reason(terms, missed, on=date(2026, 11, 7), previous=("live", D("300.00"), D("300.00")))
        == "Instalment of £10.00 due on 7 November 2026 not paid: balance now £300.00, breached by £10.00"
    )


@pytest.fixture
def case(db):
    tenancy = TenancyFactory()
    account = account_get_or_create(tenancy=tenancy)
    transactions_post(postings=[Posting(account.pk, TransactionType.RENT_DEBIT, D("300.00"), START, "d:1")])
    return ArrearsCase.objects.create(account=account, opened_on=START)


def _pay(case, amount: str, on: date, key: str):
    transactions_post(postings=[Posting(case.account_id, TransactionType.PAYMENT, -D(amount), on, key)])


def _history(agreement):
    return list(AgreementStateChange.objects.filter(agreement=agreement).values_list("state", "on", "note"))


def test_a_change_of_figures_with_the_same_state_writes_a_row_and_a_same_day_rerun_writes_nothing(case):
    officer = user_with_role(Role.INCOME_OFFICER)
    agreement = agreement_create(case=case, frequency="weekly", amount=D("10.00"), starts_on=START, created_by=officer)
    agreements_monitor(on=date(2026, 11, 4))  # nothing due, nothing paid: no change, no row
    assert len(_history(agreement)) == 1
    _pay(case, "25.00", date(2026, 11, 5), "p:1")
    agreements_monitor(on=date(2026, 11, 5))  # still live, but the balance moved
    agreements_monitor(on=date(2026, 11, 5))  # the same day again: nothing new
    agreements_monitor(on=date(2026, 11, 6))  # the next day, nothing moved: nothing new
    history = _history(agreement)
    assert history[1:] == [
        ("live", date(2026, 11, 5), "Payment of £25.00: balance now £275.00, £25.00 ahead of plan"),
    ]
    agreements_monitor(on=date(2026, 11, 7))  # the first instalment falls due: the expected balance moves
    row = AgreementStateChange.objects.filter(agreement=agreement).last()
    assert (row.state, row.expected_balance, row.balance) == ("live", D("290.00"), D("275.00"))
    assert row.note == "Instalment of £10.00 due on 7 November 2026: balance now £275.00, £15.00 ahead of plan"
    agreements_monitor(on=date(2026, 11, 7))
    assert len(_history(agreement)) == 3


def test_a_breach_then_a_payment_back_on_plan_are_both_explained(case):
    officer = user_with_role(Role.INCOME_OFFICER)
    agreement = agreement_create(case=case, frequency="weekly", amount=D("10.00"), starts_on=START, created_by=officer)
    agreements_monitor(on=date(2026, 11, 7))
    _pay(case, "10.00", date(2026, 11, 9), "p:1")
    agreements_monitor(on=date(2026, 11, 9))
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.LIVE
    assert [note for _, _, note in _history(agreement)][1:] == [
        "Instalment of £10.00 due on 7 November 2026 not paid: balance now £300.00, breached by £10.00",
        "Payment of £10.00: balance now £290.00, on plan",
    ]


def test_r_sec_06_a_court_order_is_checked_against_its_own_dates_and_completed_when_the_arrears_are_cleared(case):
    officer = user_with_role(Role.INCOME_OFFICER)
    order = agreement_create(
        case=case,
        frequency="weekly",
        amount=D("10.00"),
        starts_on=START,
        created_by=officer,
        agreement_type=AgreementType.COURT,
        first_due_on=date(2026, 11, 16),
        terms="Suspended on terms: current rent plus £10 a week, first payment by 16 November 2026.",
    )
    assert order.first_due_on == date(2026, 11, 16) and order.terms.startswith("Suspended on terms")
    agreements_monitor(on=date(2026, 11, 7))  # start + 5 days: no breach, the order's first date is later
    order.refresh_from_db()
    assert order.state == AgreementState.LIVE and len(_history(order)) == 1
    agreements_monitor(on=date(2026, 11, 16))
    order.refresh_from_db()
    assert order.state == AgreementState.BREACHED
    assert _history(order)[-1][2] == (
        "Instalment of £10.00 due on 16 November 2026 not paid: balance now £300.00, breached by £10.00"
    )
    _pay(case, "300.00", date(2026, 11, 20), "p:all")
    agreements_monitor(on=date(2026, 11, 20))
    agreements_monitor(on=date(2026, 11, 21))  # complete: no longer monitored, nothing more written
    order.refresh_from_db()
    assert order.state == AgreementState.COMPLETED
    assert _history(order)[-1] == (
        "completed",
        date(2026, 11, 20),
        "Arrears cleared on 20 November 2026: the court order's payment terms are complete",
    )
    assert len(_history(order)) == 3


def test_a_first_payment_before_the_start_is_refused(case):
    with pytest.raises(ValidationError, match="cannot be due before the agreement starts"):
        agreement_create(case=case, frequency="weekly", amount=D("10.00"), starts_on=START,
                         created_by=user_with_role(Role.INCOME_OFFICER), first_due_on=date(2026, 11, 1))  # fmt: skip


def test_an_ended_claim_cancels_its_court_agreement_with_the_reason(case):
    officer = user_with_role(Role.INCOME_OFFICER)
    informal = agreement_create(
        case=case, frequency="weekly", amount=D("5.00"), starts_on=START, created_by=officer
    )  # replaced below by the court's terms
    order = agreement_create(case=case, frequency="weekly", amount=D("10.00"), starts_on=START, created_by=officer,
                             agreement_type=AgreementType.COURT)  # fmt: skip
    assert court_agreements_end(case=case, on=date(2026, 11, 9), reason="Claim struck out on 9 November 2026") == 1
    order.refresh_from_db()
    informal.refresh_from_db()
    assert order.state == AgreementState.CANCELLED and informal.state == AgreementState.CANCELLED
    assert _history(order)[-1] == ("cancelled", date(2026, 11, 9), "Claim struck out on 9 November 2026")
