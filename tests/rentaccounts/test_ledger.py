"""The ledger: balances equal their transactions, reversals restore, nothing posts twice, reconciliation finds zero."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from rentaccounts.constants import AccountKind, TransactionType
from rentaccounts.models import Account, Transaction
from rentaccounts.selectors import account_balance_from_ledger, balance_differences
from rentaccounts.services import (
    Posting,
    account_get_or_create,
    payment_split,
    rent_debits_post,
    transaction_post,
    transaction_reverse,
    transactions_post,
)
from rentaccounts.signals import ledger_changed
from tenancies.constants import RentPeriod
from tenancies.models import RentFreeWeek
from tests.factories import TenancyFactory, signals_caught

MON = date(2026, 11, 23)


def _payment(account, amount, key, on=MON):
    return Posting(account.pk, TransactionType.PAYMENT, Decimal(amount), on, key, payment_method="card")


class BalanceProperties(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        amounts=st.lists(
            st.decimals(min_value=Decimal("-5000"), max_value=Decimal("5000"), places=2).filter(lambda d: d != 0),
            min_size=1,
            max_size=30,
        ),
        repeat=st.booleans(),
        reverse_index=st.integers(min_value=0, max_value=29),
    )
    def test_a_balance_always_equals_the_sum_of_its_transactions(self, amounts, repeat, reverse_index):
        account = account_get_or_create(tenancy=TenancyFactory(weekly_rent=False))
        postings = [
            Posting(account.pk, TransactionType.ADJUSTMENT, amount, MON, f"prop:{account.pk}:{i}")
            for i, amount in enumerate(amounts)
        ]
        transactions_post(postings=postings)
        if repeat:  # the same lines again post nothing
            assert transactions_post(postings=postings).posted == 0
        before_reversal = Account.objects.get(pk=account.pk).balance
        target = Transaction.objects.filter(account=account).order_by("id")[reverse_index % len(amounts)]
        transaction_reverse(original=target, reason="Posted in error")
        account.refresh_from_db()
        assert account.balance == account_balance_from_ledger(account=account)
        assert account.balance == sum(amounts, Decimal("0")) - target.amount
        assert before_reversal - target.amount == account.balance
        assert balance_differences() == []


@pytest.mark.django_db
def test_a_reversal_restores_the_balance_and_points_at_what_it_reverses():
    account = account_get_or_create(tenancy=TenancyFactory())
    payment = transaction_post(posting=_payment(account, "-45.00", "pay:1"))
    account.refresh_from_db()
    assert account.balance == Decimal("-45.00")
    with signals_caught(ledger_changed) as sent:
        reversal = transaction_reverse(original=payment, reason="Card payment charged back")
    account.refresh_from_db()
    assert account.balance == Decimal("0.00")
    assert reversal.reverses == payment
    assert reversal.amount == Decimal("45.00")
    assert reversal.description == "Card payment charged back"
    assert sent == [{"signal": ledger_changed, "account_ids": [account.pk], "reason": "reversal"}]
    with pytest.raises(ValidationError, match="already been reversed"):
        transaction_reverse(original=payment, reason="again")
    with pytest.raises(ValidationError, match="cannot itself be reversed"):
        transaction_reverse(original=reversal, reason="undo")
    with pytest.raises(ValidationError, match="reason"):
        transaction_reverse(original=transaction_post(posting=_payment(account, "-1.00", "pay:2")), reason=" ")


@pytest.mark.django_db
def test_posting_the_same_key_twice_posts_once():
    account = account_get_or_create(tenancy=TenancyFactory())
    first = transaction_post(posting=_payment(account, "-10.00", "bank:abc"))
    second = transaction_post(posting=_payment(account, "-10.00", "bank:abc"))
    assert first == second
    assert Transaction.objects.filter(account=account).count() == 1
    account.refresh_from_db()
    assert account.balance == Decimal("-10.00")


@pytest.mark.django_db
def test_a_zero_posting_is_refused_and_nothing_is_half_posted():
    account = account_get_or_create(tenancy=TenancyFactory())
    with pytest.raises(ValidationError, match=r"£0\.00"):
        transactions_post(postings=[_payment(account, "-5.00", "ok:1"), _payment(account, "0.00", "zero:1")])
    assert not Transaction.objects.exists()
    account.refresh_from_db()
    assert account.balance == Decimal("0.00")


@pytest.mark.django_db
def test_transactions_cannot_be_edited_in_place_by_duplicate_keys():
    account = account_get_or_create(tenancy=TenancyFactory())
    transaction_post(posting=_payment(account, "-5.00", "dup:1"))
    with pytest.raises(IntegrityError):
        Transaction.objects.create(
            account=account,
            transaction_type="payment",
            amount=Decimal("-5"),
            effective_date=MON,
            idempotency_key="dup:1",
        )


def test_payment_split_follows_the_allocation_order():
    order = [AccountKind.RENT, AccountKind.COURT_COSTS, AccountKind.SUNDRY]
    balances = {AccountKind.RENT: Decimal("300.00"), AccountKind.COURT_COSTS: Decimal("80.00")}
    # Court costs first when the landlord says so; the rest to rent.
    assert payment_split(amount=Decimal("-100.00"), balances=balances, order=[AccountKind.COURT_COSTS, *order]) == [
        (AccountKind.COURT_COSTS, Decimal("-80.00")),
        (AccountKind.RENT, Decimal("-20.00")),
    ]
    # Rent first (the default order): all of it to rent while rent is owed.
    assert payment_split(amount=Decimal("-100.00"), balances=balances, order=order) == [
        (AccountKind.RENT, Decimal("-100.00"))
    ]
    # More than everything owed: the rest is money in hand on the rent account.
    assert payment_split(amount=Decimal("-500.00"), balances=balances, order=order) == [
        (AccountKind.RENT, Decimal("-420.00")),
        (AccountKind.COURT_COSTS, Decimal("-80.00")),
    ]


@pytest.mark.django_db
def test_the_rent_run_posts_each_due_charge_once_and_skips_rent_free_weeks():
    weekly = TenancyFactory(start_date=date(2024, 4, 1))
    starting_wednesday = TenancyFactory(start_date=MON + timedelta(days=2))
    ended = TenancyFactory(start_date=date(2024, 4, 1), end_date=MON - timedelta(days=1))
    rent_free = TenancyFactory(start_date=date(2024, 4, 1))
    RentFreeWeek.objects.create(scheme=rent_free.property.scheme, week_commencing=MON)
    monthly = TenancyFactory(start_date=date(2026, 1, 25), rent_period=RentPeriod.MONTHLY, weekly_rent=Decimal("450"))

    run = rent_debits_post(week_commencing=MON)
    assert run.posted_count == 3
    assert run.posted_total == Decimal("100.00") + Decimal("71.43") + Decimal("450.00")

    def balance(tenancy):
        return Account.objects.get(tenancy=tenancy, kind=AccountKind.RENT).balance

    assert balance(weekly) == Decimal("100.00")
    assert balance(starting_wednesday) == Decimal("71.43")
    assert balance(monthly) == Decimal("450.00")
    assert not Transaction.objects.filter(account__tenancy__in=[ended, rent_free]).exists()

    again = rent_debits_post(week_commencing=MON)
    assert again.posted_count == 0
    assert Transaction.objects.count() == 3
    call_command("reconcile_balances")


@pytest.mark.django_db
def test_post_rent_debits_command_explains_a_wrong_date(capsys):
    with pytest.raises(CommandError, match="is a Tuesday"):
        call_command("post_rent_debits", "--week-commencing", "2026-11-24")
    with pytest.raises(CommandError, match="like 2026-11-23"):
        call_command("post_rent_debits", "--week-commencing", "24/11/2026")
    TenancyFactory()
    call_command("post_rent_debits", "--week-commencing", "2026-11-23", "--json")
    assert '"posted": 1' in capsys.readouterr().out


@pytest.mark.django_db
def test_reconcile_balances_reports_a_tampered_balance():
    account = account_get_or_create(tenancy=TenancyFactory())
    transaction_post(posting=_payment(account, "-20.00", "pay:x"))
    call_command("reconcile_balances")
    Account.objects.filter(pk=account.pk).update(balance=Decimal("0.00"))
    with pytest.raises(CommandError, match="1 account balances differ"):
        call_command("reconcile_balances")


@pytest.mark.django_db
def test_a_large_batch_takes_the_bulk_path_and_still_reconciles():
    # Over 50 lines: on PostgreSQL this is COPY plus one UPDATE … FROM (the path big imports and rent runs use).
    accounts = [account_get_or_create(tenancy=TenancyFactory(weekly_rent=False)) for _ in range(60)]
    postings = [
        Posting(account.pk, TransactionType.PAYMENT, Decimal("-12.34") - i, MON, f"bulk:{i}:{n}")
        for i, account in enumerate(accounts)
        for n in range(2)
    ]
    with signals_caught(ledger_changed) as sent:
        result = transactions_post(postings=postings, review_reason="test")
    assert result.posted == 120
    assert result.total == sum((p.amount for p in postings), Decimal("0"))
    assert transactions_post(postings=postings).posted == 0
    assert Account.objects.get(pk=accounts[3].pk).balance == Decimal("-30.68")
    assert sent[0]["account_ids"] == sorted(account.pk for account in accounts)
    assert balance_differences() == []
