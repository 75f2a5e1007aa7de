"""What can still be recovered of each debt (rentaccounts.selectors_debts.debt_positions): the limitation date moved
by a payment and by a written acknowledgment, a debt out of time, and a bankruptcy or debt relief order covering the
debts owed before it was made (and only those) until it is discharged."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from incomeapp.constants import Role
from rentaccounts.constants import InsolvencyKind, TransactionType
from rentaccounts.models import InsolvencyOrder
from rentaccounts.selectors_debts import debt_positions
from rentaccounts.services import Posting, account_get_or_create, transaction_reverse, transactions_post
from rentaccounts.services.debts import debt_acknowledgment_record, insolvency_order_discharge, insolvency_order_record
from rentaccounts.signals import ledger_changed
from tenancies.models import TenancyTenant
from tests.factories import PersonFactory, TenancyFactory, london_noon, signals_caught, user_with_role

pytestmark = pytest.mark.django_db
D = Decimal


def post(account, kind, amount, day, key):
    transactions_post(postings=[Posting(account.pk, kind, D(amount), day, key)])


def position(account, on):
    return debt_positions(account_ids=[account.pk], on=on)[account.pk]


@pytest.fixture
def officer():
    return user_with_role(Role.INCOME_OFFICER)


@pytest.fixture
def account():
    return account_get_or_create(tenancy=TenancyFactory(start_date=date(2019, 4, 1)))


def test_the_limitation_date_is_six_years_from_when_the_debt_fell_due(account):
    post(account, TransactionType.RENT_DEBIT, "500.00", date(2020, 3, 2), "r1")
    assert position(account, date(2024, 1, 1)).limitation_date == date(2026, 3, 2)
    later = position(account, date(2026, 3, 3))
    assert later.out_of_time == D("500.00")
    assert later.out_of_time_from == date(2020, 3, 2)
    assert later.limitation_date is None
    assert later.recoverable == D("0.00")


def test_a_payment_moves_the_limitation_date(account):
    post(account, TransactionType.RENT_DEBIT, "500.00", date(2020, 3, 2), "r1")
    post(account, TransactionType.PAYMENT, "-50.00", date(2023, 5, 1), "p1")
    result = position(account, date(2026, 6, 1))
    assert result.limitation_date == date(2029, 5, 1)
    assert result.out_of_time == D("0.00")
    assert result.recoverable == D("450.00")
    assert result.last_acknowledged_on == date(2023, 5, 1)


def test_a_bounced_payment_does_not_move_it(account):
    post(account, TransactionType.RENT_DEBIT, "500.00", date(2020, 3, 2), "r1")
    post(account, TransactionType.PAYMENT, "-50.00", date(2023, 5, 1), "p1")
    payment = account.transactions.get(idempotency_key="p1")
    transaction_reverse(original=payment, reason="Cheque returned unpaid", on=date(2023, 5, 9))
    result = position(account, date(2026, 6, 1))
    assert result.out_of_time == D("500.00")
    assert result.limitation_date is None


def test_an_acknowledgment_moves_the_limitation_date(account, officer):
    post(account, TransactionType.RENT_DEBIT, "500.00", date(2020, 3, 2), "r1")
    with signals_caught(ledger_changed) as sent:
        debt_acknowledgment_record(
            account=account, acknowledged_on=date(2025, 3, 3), description="Signed letter agreeing £500", user=officer
        )
    assert position(account, date(2026, 6, 1)).limitation_date == date(2031, 3, 3)
    assert sent[0]["account_ids"] == [account.pk]


def test_an_acknowledgment_after_the_debt_is_out_of_time_does_not_revive_it(account, officer):
    post(account, TransactionType.RENT_DEBIT, "120.00", date(2018, 1, 1), "r1")
    post(account, TransactionType.RENT_DEBIT, "100.00", date(2021, 1, 4), "r2")
    debt_acknowledgment_record(account=account, acknowledged_on=date(2025, 1, 6), description="Signed", user=officer)
    result = position(account, date(2026, 6, 1))
    assert result.out_of_time == D("120.00")
    assert result.limitation_date == date(2031, 1, 6)
    assert result.recoverable == D("100.00")


def test_an_acknowledgment_must_be_written_dated_and_recorded_by_income_staff(account, officer):
    with pytest.raises(ValidationError):
        debt_acknowledgment_record(account=account, acknowledged_on=date(2025, 1, 6), description=" ", user=officer)
    with pytest.raises(ValidationError), time_machine.travel(london_noon(date(2026, 6, 1)), tick=False):
        debt_acknowledgment_record(account=account, acknowledged_on=date(2026, 6, 2), description="x", user=officer)
    with pytest.raises(PermissionDenied):
        debt_acknowledgment_record(
            account=account,
            acknowledged_on=date(2025, 1, 6),
            description="Signed",
            user=user_with_role(Role.SUPPORT_WORKER),
        )


@pytest.fixture
def owed_before_and_after(account):
    """£1,240.00 owed before a debt relief order made 1 May 2026, then £100.00 rent after it, and £100.00 paid."""
    post(account, TransactionType.RENT_DEBIT, "1240.00", date(2026, 1, 5), "r-before")
    post(account, TransactionType.RENT_DEBIT, "100.00", date(2026, 5, 4), "r-after")
    post(account, TransactionType.RENT_DEBIT, "100.00", date(2026, 5, 11), "r-after-2")
    post(account, TransactionType.PAYMENT, "-100.00", date(2026, 5, 12), "p-after")
    return account


def test_an_order_covers_the_debt_owed_before_it_and_not_a_later_one(owed_before_and_after, officer):
    account = owed_before_and_after
    person = account.tenancy.tenants.get()
    with signals_caught(ledger_changed) as sent:
        insolvency_order_record(
            person=person,
            kind=InsolvencyKind.DEBT_RELIEF_ORDER,
            made_on=date(2026, 5, 1),
            reference="DRO1",
            user=officer,
        )
    assert sent[0]["account_ids"] == [account.pk]
    result = position(account, date(2026, 6, 1))
    assert result.balance == D("1340.00")
    # The payment after the order went to the rent after it, not to the debt the order covers.
    assert result.insolvency_covered == D("1240.00")
    assert result.insolvency_released == D("0.00")
    assert result.recoverable == D("100.00")
    [order] = result.orders
    assert (order["kind"], order["made_on"], order["covers"], order["in_force"]) == (
        InsolvencyKind.DEBT_RELIEF_ORDER,
        date(2026, 5, 1),
        D("1240.00"),
        True,
    )
    # Before the order was made, nothing was covered.
    assert position(account, date(2026, 4, 30)).insolvency_covered == D("0.00")


def test_the_discharge_releases_what_the_order_covered(owed_before_and_after, officer):
    account = owed_before_and_after
    order = insolvency_order_record(
        person=account.tenancy.tenants.get(), kind=InsolvencyKind.BANKRUPTCY, made_on=date(2026, 5, 1), user=officer
    )
    with time_machine.travel(london_noon(date(2027, 6, 1)), tick=False):
        insolvency_order_discharge(order=order, discharged_on=date(2027, 5, 1), user=officer)
        with pytest.raises(ValidationError):
            insolvency_order_discharge(order=order, discharged_on=date(2027, 5, 2), user=officer)
    assert position(account, date(2027, 4, 30)).insolvency_covered == D("1240.00")
    after = position(account, date(2027, 6, 1))
    assert (after.insolvency_covered, after.insolvency_released, after.recoverable) == (
        D("0.00"),
        D("1240.00"),
        D("100.00"),
    )
    assert after.orders[0]["in_force"] is False
    assert InsolvencyOrder.history.filter(id=order.pk).count() == 2  # made, then discharged


def test_an_order_touches_a_joint_tenants_accounts_and_no_one_elses(owed_before_and_after, officer):
    account = owed_before_and_after
    joint = PersonFactory()
    TenancyTenant.objects.create(tenancy=account.tenancy, person=joint)
    other = account_get_or_create(tenancy=TenancyFactory())
    post(other, TransactionType.RENT_DEBIT, "300.00", date(2026, 1, 5), "o1")
    insolvency_order_record(person=joint, kind=InsolvencyKind.BANKRUPTCY, made_on=date(2026, 5, 1), user=officer)
    positions = debt_positions(account_ids=[account.pk, other.pk], on=date(2026, 6, 1))
    assert positions[account.pk].insolvency_covered == D("1240.00")
    assert positions[other.pk].insolvency_covered == D("0.00")
    assert positions[other.pk].orders == []


def test_an_order_takes_precedence_over_limitation_and_nothing_is_counted_twice(account, officer):
    post(account, TransactionType.RENT_DEBIT, "200.00", date(2018, 1, 1), "old")
    post(account, TransactionType.RENT_DEBIT, "100.00", date(2026, 1, 5), "new")
    insolvency_order_record(
        person=account.tenancy.tenants.get(), kind=InsolvencyKind.BANKRUPTCY, made_on=date(2026, 5, 1), user=officer
    )
    result = position(account, date(2026, 6, 1))
    assert (result.insolvency_covered, result.out_of_time, result.recoverable) == (D("300.00"), D("0.00"), D("0.00"))


def test_a_fixed_number_of_queries_whatever_the_number_of_accounts(django_assert_max_num_queries, officer):
    accounts = []
    for n in range(6):
        account = account_get_or_create(tenancy=TenancyFactory())
        post(account, TransactionType.RENT_DEBIT, "100.00", date(2020, 1, 6), f"q{n}")
        post(account, TransactionType.PAYMENT, "-10.00", date(2021, 1, 6), f"qp{n}")
        debt_acknowledgment_record(
            account=account, acknowledged_on=date(2022, 1, 6), description="Signed", user=officer
        )
        insolvency_order_record(
            person=account.tenancy.tenants.get(), kind=InsolvencyKind.BANKRUPTCY, made_on=date(2021, 6, 1), user=officer
        )
        accounts.append(account)
    with django_assert_max_num_queries(4):
        one = debt_positions(account_ids=[accounts[0].pk], on=date(2026, 6, 1))
    with django_assert_max_num_queries(4):
        every = debt_positions(account_ids=[a.pk for a in accounts], on=date(2026, 6, 1))
    assert one[accounts[0].pk] == every[accounts[0].pk]
    assert {p.insolvency_covered for p in every.values()} == {D("90.00")}


def test_a_write_off_after_the_order_goes_to_the_debt_it_covered(owed_before_and_after, officer):
    account = owed_before_and_after
    insolvency_order_record(
        person=account.tenancy.tenants.get(), kind=InsolvencyKind.BANKRUPTCY, made_on=date(2026, 5, 1), user=officer
    )
    post(account, TransactionType.WRITE_OFF, "-1240.00", date(2026, 5, 20), "wo")
    result = position(account, date(2026, 6, 1))
    assert (result.balance, result.insolvency_covered, result.recoverable) == (D("100.00"), D("0.00"), D("100.00"))
