"""One tenancy's charges changed from a date: from the future, from a week the rent run has already charged (the
difference posted by day), refused before that week, unchanged (nothing written) and after a former tenancy's end."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from incomeapp.constants import Role
from lifecycle.charges import tenancy_charges_change
from rentaccounts.constants import AccountKind, TransactionType
from rentaccounts.models import Account, Transaction
from rentaccounts.services import rent_debits_post
from tenancies.constants import ChargeType, TenancyEventKind
from tenancies.models import Charge, TenancyEvent
from tenancies.specs import ChargeSpec
from tests.factories import TenancyFactory, user_with_role

pytestmark = pytest.mark.django_db

RENT = ChargeType.RENT


@pytest.fixture
def officer():
    return user_with_role(Role.INCOME_OFFICER)


def _balance(tenancy) -> Decimal:
    return Account.objects.get(tenancy=tenancy, kind=AccountKind.RENT).balance


def _rows(tenancy) -> list[tuple]:
    return list(
        Charge.objects.filter(tenancy=tenancy)
        .order_by("charge_type", "effective_from")
        .values_list("charge_type", "amount", "effective_from", "effective_to")
    )


def test_a_change_from_a_future_date_ends_the_old_charge_the_day_before_and_posts_nothing(officer):
    tenancy = TenancyFactory(start_date=date(2027, 3, 1))
    result = tenancy_charges_change(
        by=officer,
        tenancy=tenancy,
        effective_from=date(2027, 5, 3),
        charges=[ChargeSpec(RENT, Decimal("110.00")), ChargeSpec(ChargeType.WATER, Decimal("5.5"), False)],
        reason="Water charge added; rent corrected",
    )
    assert result.changed
    assert result.differences == []
    assert (result.total_before, result.total_after) == (Decimal("100.00"), Decimal("115.50"))
    assert _rows(tenancy) == [
        (RENT, Decimal("100.00"), date(2027, 3, 1), date(2027, 5, 2)),
        (RENT, Decimal("110.00"), date(2027, 5, 3), None),
        (ChargeType.WATER, Decimal("5.50"), date(2027, 5, 3), None),
    ]
    assert not Charge.objects.get(charge_type=ChargeType.WATER).counts_as_rent
    event = TenancyEvent.objects.get(tenancy=tenancy)
    assert (event.kind, event.effective_date, event.recorded_by) == (
        TenancyEventKind.CHARGE_CHANGE,
        date(2027, 5, 3),
        officer,
    )
    assert event.reason == "Water charge added; rent corrected"
    assert event.detail["before"] == "Rent £100.00 (£100.00 a week)"
    assert event.detail["afterwards"] == "Rent £110.00, Water charge £5.50 (£115.50 a week)"
    assert event.detail["difference"] == "£15.50 a week"
    # History is kept: the old row's end and the new rows, each by the officer with the reason.
    ended = Charge.history.filter(charge_type=RENT, effective_to=date(2027, 5, 2)).get()
    assert (ended.history_user, ended.history_change_reason) == (officer, "Water charge added; rent corrected")
    assert not Transaction.objects.exists()


def test_a_change_from_a_day_in_a_week_already_charged_posts_the_difference_by_day(officer):
    tenancy = TenancyFactory(start_date=date(2027, 3, 1))
    rent_debits_post(week_commencing=date(2027, 4, 5))
    rent_debits_post(week_commencing=date(2027, 4, 12))
    assert _balance(tenancy) == Decimal("200.00")

    result = tenancy_charges_change(
        by=officer,
        tenancy=tenancy,
        effective_from=date(2027, 4, 15),  # Thursday of the week the rent run reached
        charges=[ChargeSpec(RENT, Decimal("107.00"))],
        reason="Rent set wrongly at sign-up",
    )
    # Week of 12 April: Monday to Wednesday at £100.00 (3/7 = £42.86) and Thursday to Sunday at £107.00
    # (4/7 = £61.14) is £104.00, £4.00 more than the £100.00 posted. The week of 5 April is not touched.
    [period] = result.posted_by_period
    assert (period.period_start, period.posted, period.due) == (
        date(2027, 4, 12),
        Decimal("100.00"),
        Decimal("104.00"),
    )
    assert result.posted_total == Decimal("4.00")
    assert _balance(tenancy) == Decimal("204.00")
    # Per charge line: the £100.00 line corrected by -£57.14 and the £107.00 line's 4 days charged (£61.14).
    correction = Transaction.objects.get(amount=Decimal("-57.14"))
    assert correction.transaction_type == TransactionType.RENT_DEBIT
    assert "Rent set wrongly at sign-up" in correction.description
    assert correction.posted_by == officer
    assert Transaction.objects.filter(amount=Decimal("61.14"), period_start=date(2027, 4, 12)).exists()
    assert "£4.00 was posted" in result.summary
    assert TenancyEvent.objects.get(tenancy=tenancy).detail["posted_for_periods_already_charged"] == "£4.00"

    # The rent run again posts nothing more; the next week is charged at the new rent.
    assert rent_debits_post(week_commencing=date(2027, 4, 12)).posted_count == 0
    rent_debits_post(week_commencing=date(2027, 4, 19))
    assert _balance(tenancy) == Decimal("311.00")
    call_command("reconcile_balances")


def test_a_date_before_the_last_rent_run_week_is_refused_naming_the_earliest_date(officer):
    tenancy = TenancyFactory(start_date=date(2027, 3, 1))
    rent_debits_post(week_commencing=date(2027, 4, 5))
    rent_debits_post(week_commencing=date(2027, 4, 12))
    with pytest.raises(ValidationError) as refused:
        tenancy_charges_change(
            by=officer,
            tenancy=tenancy,
            effective_from=date(2027, 4, 11),
            charges=[ChargeSpec(RENT, Decimal("107.00"))],
            reason="Backdated",
        )
    assert "the earliest date allowed is Monday 12 April 2027" in refused.value.messages[0]
    assert _rows(tenancy) == [(RENT, Decimal("100.00"), date(2027, 3, 1), None)]
    assert not TenancyEvent.objects.exists()
    assert _balance(tenancy) == Decimal("200.00")


def test_an_unchanged_set_writes_nothing_even_from_a_closed_week(officer):
    tenancy = TenancyFactory(start_date=date(2027, 3, 1))
    rent_debits_post(week_commencing=date(2027, 4, 12))
    history_rows = Charge.history.count()
    result = tenancy_charges_change(
        by=officer,
        tenancy=tenancy,
        effective_from=date(2027, 3, 1),  # long before the rent run: still not refused, because nothing changes
        charges=[ChargeSpec(RENT, Decimal("100"))],
        reason="Nightly sync",
    )
    assert not result.changed
    assert "Nothing changed" in result.summary
    assert Charge.history.count() == history_rows
    assert not TenancyEvent.objects.exists()
    assert _rows(tenancy) == [(RENT, Decimal("100.00"), date(2027, 3, 1), None)]


def test_a_later_scheduled_change_is_kept_and_the_new_charges_run_until_it(officer):
    tenancy = TenancyFactory(start_date=date(2027, 3, 1))
    tenancy_charges_change(
        by=officer,
        tenancy=tenancy,
        effective_from=date(2027, 6, 7),
        charges=[ChargeSpec(RENT, Decimal("120.00"))],
        reason="Scheduled",
    )
    result = tenancy_charges_change(
        by=officer,
        tenancy=tenancy,
        effective_from=date(2027, 5, 3),
        charges=[ChargeSpec(RENT, Decimal("110.00"))],
        reason="Corrected",
    )
    # An approved later change (an April rent rise, say) is never dropped silently: it stays, and the person is told.
    assert result.later_kept == [(date(2027, 6, 7), ChargeSpec(RENT, Decimal("120.00")))]
    assert _rows(tenancy) == [
        (RENT, Decimal("100.00"), date(2027, 3, 1), date(2027, 5, 2)),
        (RENT, Decimal("110.00"), date(2027, 5, 3), date(2027, 6, 6)),
        (RENT, Decimal("120.00"), date(2027, 6, 7), None),
    ]
    assert TenancyEvent.objects.filter(reason="Corrected").get().detail["later_changes_kept"][0]["from"] == "2027-06-07"
    # The same change again is no change.
    again = tenancy_charges_change(
        by=officer,
        tenancy=tenancy,
        effective_from=date(2027, 5, 3),
        charges=[ChargeSpec(RENT, Decimal("110.00"))],
        reason="Corrected again",
    )
    assert not again.changed


def test_a_former_tenancy_cannot_change_after_its_end_and_a_tenancy_not_before_its_start(officer):
    tenancy = TenancyFactory(start_date=date(2027, 3, 1), end_date=date(2027, 4, 30), status="former")
    change = {"by": officer, "tenancy": tenancy, "charges": [ChargeSpec(RENT, Decimal("90.00"))], "reason": "Fix"}
    with pytest.raises(ValidationError, match="ended on 30 April 2027"):
        tenancy_charges_change(effective_from=date(2027, 5, 3), **change)
    with pytest.raises(ValidationError, match="started on 1 March 2027"):
        tenancy_charges_change(effective_from=date(2027, 2, 1), **change)
    assert tenancy_charges_change(effective_from=date(2027, 4, 5), **change).changed


def test_a_dry_run_shows_the_postings_and_keeps_nothing(officer):
    tenancy = TenancyFactory(start_date=date(2027, 3, 1))
    rent_debits_post(week_commencing=date(2027, 4, 12))
    before_rows = _rows(tenancy)
    result = tenancy_charges_change(
        by=officer,
        tenancy=tenancy,
        effective_from=date(2027, 4, 12),
        charges=[ChargeSpec(RENT, Decimal("90.00"))],
        reason="Check",
        dry_run=True,
    )
    assert result.changed and result.posted_total == Decimal("-10.00")
    assert _rows(tenancy) == before_rows
    assert not TenancyEvent.objects.exists()
    assert _balance(tenancy) == Decimal("100.00")


def test_permission_reason_and_amounts_are_checked():
    tenancy = TenancyFactory(start_date=date(2027, 3, 1))
    support = user_with_role(Role.SUPPORT_WORKER)
    officer = user_with_role(Role.INCOME_OFFICER)
    change = {"tenancy": tenancy, "effective_from": date(2027, 5, 3)}
    with pytest.raises(PermissionDenied):
        tenancy_charges_change(by=support, charges=[ChargeSpec(RENT, Decimal("1.00"))], reason="x", **change)
    with pytest.raises(ValidationError, match="Give the reason"):
        tenancy_charges_change(by=officer, charges=[ChargeSpec(RENT, Decimal("1.00"))], reason=" ", **change)
    with pytest.raises(ValidationError, match="cannot be less than"):
        tenancy_charges_change(by=officer, charges=[ChargeSpec(RENT, Decimal("-1.00"))], reason="x", **change)
    with pytest.raises(ValidationError, match="given twice"):
        tenancy_charges_change(
            by=officer, charges=[ChargeSpec(RENT, Decimal("1")), ChargeSpec(RENT, Decimal("2"))], reason="x", **change
        )
    with pytest.raises(ValidationError, match="fractions of a penny"):
        tenancy_charges_change(by=officer, charges=[ChargeSpec(RENT, Decimal("1.001"))], reason="x", **change)


def test_setting_some_amounts_keeps_the_other_charges_rows_as_they_are(officer):
    from lifecycle.charges import tenancy_charges_amounts_set

    tenancy = TenancyFactory(start_date=date(2027, 3, 1))
    service = Charge.objects.create(
        tenancy=tenancy,
        charge_type=ChargeType.ELIGIBLE_SERVICE,
        amount=Decimal("8.00"),
        effective_from=date(2027, 3, 1),
    )
    result = tenancy_charges_amounts_set(
        by=officer,
        tenancy=tenancy,
        effective_from=date(2027, 5, 3),
        amounts={RENT: Decimal("0.00"), ChargeType.SUPPORT: Decimal("12.00")},
        reason="Rent now paid by the council; support charge added",
    )
    assert result.after == [
        ChargeSpec(ChargeType.ELIGIBLE_SERVICE, Decimal("8.00"), True),
        ChargeSpec(ChargeType.SUPPORT, Decimal("12.00"), False),
    ]
    service.refresh_from_db()
    assert service.effective_to is None  # unchanged: the same row carries on, with no history written for it
    assert service.history.count() == 1
    assert _rows(tenancy) == [
        (ChargeType.ELIGIBLE_SERVICE, Decimal("8.00"), date(2027, 3, 1), None),
        (RENT, Decimal("100.00"), date(2027, 3, 1), date(2027, 5, 2)),
        (ChargeType.SUPPORT, Decimal("12.00"), date(2027, 5, 3), None),
    ]
