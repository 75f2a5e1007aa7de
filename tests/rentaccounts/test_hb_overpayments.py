"""Housing Benefit overpayments a council recovered from us: a deduction from a schedule marked blameless (the concerned
tenant is not charged, the tenant whose Housing Benefit was reduced is credited with it), a recoverable one (charged
once, never counted as rent arrears for a notice, marked recovered or written off), and the pages."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from courts.selectors import rent_position
from incomeapp.constants import Role
from rentaccounts.constants import (
    OverpaymentLiability,
    OverpaymentRecovery,
    OverpaymentStatus,
    RequestKind,
    RequestStatus,
    TransactionType,
)
from rentaccounts.models import AdjustmentRequest, HousingBenefitOverpayment, Transaction
from rentaccounts.selectors import balance_differences
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from rentaccounts.services.hb_overpayments import (
    hb_overpayment_post,
    hb_overpayment_record,
    hb_overpayment_recovered,
    hb_overpayment_written_off,
)
from tests.factories import TenancyFactory, user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("law")]

TODAY = date(2026, 11, 30)  # a Monday


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(date(2026, 11, 30), tick=False):
        yield


def _on_hb(reference: str, schedule: list[str]):
    """A tenancy with £100 rent a week for as many weeks as `schedule` has lines, and Housing Benefit paid to us as
    the council's schedule shows (a line lower than the rent is a deduction the council made)."""
    tenancy = TenancyFactory(payment_reference=reference)
    account = account_get_or_create(tenancy=tenancy)
    weeks = len(schedule)
    postings = []
    for week, paid in enumerate(schedule):
        on = TODAY - timedelta(weeks=weeks - week)
        postings.append(Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("100.00"), on, f"{reference}:r{week}"))
        postings.append(
            Posting(account.pk, TransactionType.HOUSING_BENEFIT, -Decimal(paid), on, f"{reference}:hb{week}")
        )
    transactions_post(postings=postings)
    account.refresh_from_db()
    return tenancy, account


def test_an_overpayment_deducted_from_a_schedule_and_marked_blameless(settings):
    """The council recovers £40 overpaid to a former tenant by cutting another tenant's Housing Benefit line from
    £100 to £60. We accept the loss: the former tenant is not charged; the other tenant is credited with the £40 and
    is not in arrears for it."""
    concerned, concerned_account = _on_hb("RW990001", ["100", "100"])
    other, other_account = _on_hb("RW990002", ["100", "100", "60"])
    assert other_account.balance == Decimal("40.00")  # what the lower schedule line alone would leave
    concerned_lines = concerned_account.transactions.count()
    officer = user_with_role(Role.INCOME_OFFICER)

    overpayment = hb_overpayment_record(
        tenancy=concerned,
        council="Bristol City Council",
        period_start=date(2026, 6, 1),
        period_end=date(2026, 6, 28),
        amount=Decimal("40.00"),
        recovery_method=OverpaymentRecovery.SCHEDULE_DEDUCTION,
        schedule_reference="HB-SCH-4471",
        deducted_from=other,
        liability=OverpaymentLiability.BLAMELESS,
        recorded_by=officer,
    )

    assert overpayment.status == OverpaymentStatus.LANDLORD_LOSS and overpayment.closed_on == TODAY
    concerned_account.refresh_from_db()
    assert concerned_account.transactions.count() == concerned_lines and concerned_account.balance == Decimal("0.00")
    [credit] = other_account.transactions.filter(transaction_type=TransactionType.HB_BLAMELESS_CREDIT)
    assert credit.amount == Decimal("-40.00") and "HB-SCH-4471" in credit.description
    assert "not this tenant's debt" in credit.description
    other_account.refresh_from_db()
    assert other_account.balance == Decimal("0.00")  # as if the council had paid the £100 in full
    assert rent_position(tenancy=other, on=TODAY).rent_arrears == Decimal("0.00")
    assert list(overpayment.transactions.all()) == [credit]
    assert hb_overpayment_post(overpayment=overpayment, on=TODAY) == 0  # a repeat posts nothing
    assert balance_differences() == []


def test_a_recoverable_overpayment_is_charged_once_is_not_rent_for_a_notice_and_is_marked_recovered():
    tenancy, account = _on_hb("RW990003", ["100", "100", "100"])
    arrears_before = rent_position(tenancy=tenancy, on=TODAY).rent_arrears
    officer = user_with_role(Role.INCOME_OFFICER)
    details = {
        "tenancy": tenancy,
        "council": "Bristol City Council",
        "period_start": date(2026, 3, 2),
        "period_end": date(2026, 4, 26),
        "amount": Decimal("250.00"),
        "recovery_method": OverpaymentRecovery.INVOICE,
        "schedule_reference": "INV-88120",
        "liability": OverpaymentLiability.RECOVERABLE,
    }
    with pytest.raises(PermissionDenied):
        hb_overpayment_record(**details, recorded_by=user_with_role(Role.SUPPORT_WORKER))
    overpayment = hb_overpayment_record(**details, recorded_by=officer)

    assert overpayment.status == OverpaymentStatus.OPEN and overpayment.closed_on is None
    [debit] = account.transactions.filter(transaction_type=TransactionType.HB_OVERPAYMENT)
    assert debit.amount == Decimal("250.00") and debit.idempotency_key == f"hb-overpayment:{overpayment.pk}:debit"
    assert (debit.period_start, debit.period_end) == (date(2026, 3, 2), date(2026, 4, 26))
    account.refresh_from_db()
    assert account.balance == Decimal("250.00")  # on the rent account and in its balance

    # Posted once: a repeat posting or the same overpayment recorded again posts nothing.
    assert hb_overpayment_post(overpayment=overpayment, on=TODAY) == 0
    with pytest.raises(ValidationError, match="already recorded"):
        hb_overpayment_record(**details, recorded_by=officer)
    assert Transaction.objects.filter(transaction_type=TransactionType.HB_OVERPAYMENT).count() == 1
    assert HousingBenefitOverpayment.objects.count() == 1

    # Not rent arrears for a notice or the serious-arrears ground.
    position = rent_position(tenancy=tenancy, on=TODAY)
    assert position.balance == Decimal("250.00") and position.rent_arrears == arrears_before == Decimal("0.00")
    assert [item["amount"] for item in position.excluded] == [Decimal("250.00")]

    with pytest.raises(ValidationError, match="future"):
        hb_overpayment_recovered(overpayment=overpayment, on=TODAY + timedelta(days=1), marked_by=officer)
    hb_overpayment_recovered(overpayment=overpayment, on=TODAY, marked_by=officer)
    overpayment.refresh_from_db()
    assert overpayment.status == OverpaymentStatus.RECOVERED and overpayment.closed_on == TODAY
    with pytest.raises(ValidationError, match="already closed"):
        hb_overpayment_recovered(overpayment=overpayment, on=TODAY, marked_by=officer)
    assert balance_differences() == []


def test_a_deduction_from_the_tenants_own_housing_benefit_is_not_rent_arrears_on_a_notice():
    """The council cut this tenant's own Housing Benefit line by £40 for their overpayment, recoverable from them."""
    tenancy, account = _on_hb("RW990004", ["100", "100", "60"])
    assert rent_position(tenancy=tenancy, on=TODAY).rent_arrears == Decimal("40.00")  # the lower line alone
    overpayment = hb_overpayment_record(
        tenancy=tenancy, council="Bristol City Council", period_start=date(2026, 5, 4), period_end=date(2026, 5, 17),
        amount=Decimal("40.00"), recovery_method=OverpaymentRecovery.SCHEDULE_DEDUCTION,
        liability=OverpaymentLiability.RECOVERABLE, recorded_by=user_with_role(Role.INCOME_OFFICER),
    )  # fmt: skip
    assert overpayment.deducted_from == tenancy
    account.refresh_from_db()
    assert account.balance == Decimal("40.00")  # the tenant owes it, once
    kinds = sorted(line.transaction_type for line in overpayment.transactions.all())
    assert kinds == [TransactionType.HB_BLAMELESS_CREDIT, TransactionType.HB_OVERPAYMENT]
    assert rent_position(tenancy=tenancy, on=TODAY).rent_arrears == Decimal("0.00")
    assert balance_differences() == []


def test_a_recoverable_overpayment_is_closed_by_an_approved_write_off():
    tenancy, account = _on_hb("RW990005", ["100"])
    officer = user_with_role(Role.INCOME_OFFICER)
    overpayment = hb_overpayment_record(
        tenancy=tenancy, council="Bath and North East Somerset Council", period_start=date(2025, 1, 6),
        period_end=date(2025, 2, 2), amount=Decimal("120.00"), recovery_method=OverpaymentRecovery.INVOICE,
        liability=OverpaymentLiability.RECOVERABLE, recorded_by=officer,
    )  # fmt: skip
    manager = user_with_role(Role.INCOME_MANAGER)
    pending = AdjustmentRequest.objects.create(kind=RequestKind.WRITE_OFF, account=account, amount=Decimal("-120.00"),
                                               reason="Tenant deceased, no estate.", requested_by=officer)  # fmt: skip
    with pytest.raises(ValidationError, match="approved"):
        hb_overpayment_written_off(overpayment=overpayment, write_off=pending, marked_by=officer)
    small = AdjustmentRequest.objects.create(kind=RequestKind.WRITE_OFF, account=account, amount=Decimal("-20.00"),
                                             reason="Small balance.", requested_by=officer,
                                             status=RequestStatus.APPROVED, decided_by=manager,
                                             decided_at=timezone.now())  # fmt: skip
    with pytest.raises(ValidationError, match="less than the overpayment"):
        hb_overpayment_written_off(overpayment=overpayment, write_off=small, marked_by=officer)
    AdjustmentRequest.objects.filter(pk=pending.pk).update(
        status=RequestStatus.APPROVED, decided_by=manager, decided_at=timezone.now()
    )
    pending.refresh_from_db()
    hb_overpayment_written_off(overpayment=overpayment, write_off=pending, marked_by=officer)
    overpayment.refresh_from_db()
    assert overpayment.status == OverpaymentStatus.WRITTEN_OFF and overpayment.closed_on == TODAY


def test_recorded_from_the_account_page_and_listed_with_filters(client):
    concerned, _ = _on_hb("RW990006", ["100"])
    other, other_account = _on_hb("RW990007", ["70"])
    officer = user_with_role(Role.INCOME_OFFICER)
    client.force_login(officer)
    account_page = client.get(reverse("accounts:detail", args=[concerned.payment_reference])).content.decode()
    add_url = reverse("rentaccounts:hb_overpayment_add", args=[concerned.payment_reference])
    assert add_url in account_page and "Record a Housing Benefit overpayment" in account_page

    bad = client.post(add_url, {"council": "", "amount": "", "recovery_method": "invoice",
                                "deducted_from_reference": other.payment_reference})  # fmt: skip
    page = bad.content.decode()
    assert bad.status_code == 400 and "Enter the council that recovered the overpayment" in page
    assert "Only a deduction from a schedule reduces another tenancy" in page

    form = {"council": "Bristol City Council", "amount": "30.00", "recovery_method": "schedule_deduction",
            "schedule_reference": "HB-SCH-9", "deducted_from_reference": other.payment_reference,
            "liability": "blameless", "period_start_0": "6", "period_start_1": "7", "period_start_2": "2026",
            "period_end_0": "2", "period_end_1": "8", "period_end_2": "2026", "recovered_on_0": "23",
            "recovered_on_1": "11", "recovered_on_2": "2026"}  # fmt: skip
    page = client.post(add_url, form, follow=True).content.decode()
    assert "Overpayment recorded." in page and f"{other.payment_reference} is credited" in page
    other_account.refresh_from_db()
    assert other_account.balance == Decimal("0.00")

    listing = reverse("rentaccounts:hb_overpayments")
    page = client.get(listing).content.decode()
    assert concerned.payment_reference in page and "The landlord&#x27;s loss" in page
    assert concerned.payment_reference not in client.get(listing, {"status": "open"}).content.decode()
    assert concerned.payment_reference not in client.get(listing, {"council": "Leeds"}).content.decode()
    assert concerned.payment_reference in client.get(listing, {"council": "bristol"}).content.decode()
    assert client.get(listing).status_code == 200
    client.force_login(user_with_role(Role.SUPPORT_WORKER))
    assert client.get(listing).status_code == 403
