"""A tenancy's charges trued up for weeks the rent run has already posted: sign-up late, a change, an end."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from rentaccounts.constants import AccountKind, TransactionType
from rentaccounts.models import Account, Transaction
from rentaccounts.services import rent_debits_post
from rentaccounts.services.tenancy_charges import tenancy_charges_true_up
from tenancies.models import Charge
from tests.factories import TenancyFactory

pytestmark = pytest.mark.django_db

MON = date(2027, 4, 5)


def _balance(tenancy):
    return Account.objects.get(tenancy=tenancy, kind=AccountKind.RENT).balance


def test_nothing_happens_before_the_first_rent_run():
    tenancy = TenancyFactory(start_date=MON)
    assert tenancy_charges_true_up(tenancy=tenancy, reason="sign-up").differences == []


def test_a_tenancy_signed_up_after_its_week_was_run_gets_the_part_week_under_the_run_key():
    rent_debits_post(week_commencing=MON)
    rent_debits_post(week_commencing=date(2027, 4, 12))
    tenancy = TenancyFactory(start_date=date(2027, 4, 8))  # Thursday: 4 of 7 days at £100.00 a week
    result = tenancy_charges_true_up(tenancy=tenancy, reason="sign-up")
    assert [d.due for d in result.differences] == [Decimal("57.14"), Decimal("100.00")]
    assert _balance(tenancy) == Decimal("157.14")
    # The rent run again, and the true-up again, post nothing more.
    assert rent_debits_post(week_commencing=MON).posted_count == 0
    assert rent_debits_post(week_commencing=date(2027, 4, 12)).posted_count == 0
    assert tenancy_charges_true_up(tenancy=tenancy, reason="again").differences == []
    assert _balance(tenancy) == Decimal("157.14")


def test_an_end_inside_a_posted_week_apportions_it_and_reverses_the_weeks_after():
    tenancy = TenancyFactory(start_date=date(2027, 3, 1))
    for week in (MON, date(2027, 4, 12), date(2027, 4, 19)):
        rent_debits_post(week_commencing=week)
    assert _balance(tenancy) == Decimal("300.00")
    tenancy.end_date = date(2027, 4, 13)  # Tuesday of the second week: 2 days of it
    tenancy.save()
    result = tenancy_charges_true_up(tenancy=tenancy, reason="tenancy ended", affected_from=date(2027, 4, 14))
    assert sorted(d.difference for d in result.differences) == [Decimal("-100.00"), Decimal("-71.43")]
    assert _balance(tenancy) == Decimal("128.57")
    whole = Transaction.objects.get(amount=Decimal("-100.00"))
    assert whole.reverses.period_start == date(2027, 4, 19)
    assert whole.transaction_type == TransactionType.RENT_DEBIT
    assert tenancy_charges_true_up(tenancy=tenancy, reason="again", affected_from=date(2027, 4, 14)).differences == []
    call_command("reconcile_balances")


def test_a_rent_change_from_a_posted_week_posts_the_difference_by_day():
    tenancy = TenancyFactory(start_date=date(2027, 3, 1))
    rent_debits_post(week_commencing=MON)
    old = Charge.objects.get(tenancy=tenancy)
    old.effective_to = date(2027, 4, 7)
    old.save()
    Charge.objects.create(
        tenancy=tenancy, charge_type="rent", amount=Decimal("107.00"), effective_from=date(2027, 4, 8)
    )
    result = tenancy_charges_true_up(tenancy=tenancy, reason="rent change", affected_from=date(2027, 4, 8))
    # 3 days at £100.00 (42.86) plus 4 days at £107.00 (61.14): £4.00 more than the £100.00 posted.
    assert result.total == Decimal("4.00")
    assert _balance(tenancy) == Decimal("104.00")
    assert rent_debits_post(week_commencing=MON).posted_count == 0
    assert _balance(tenancy) == Decimal("104.00")
