from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from incomeapp.constants import Role
from rentaccounts.account_checks import account_check_resolve, account_checks_find
from rentaccounts.constants import AccountKind, CheckKind, CheckStatus, MandateStatus, TransactionType
from rentaccounts.direct_debits import (
    direct_debit_mandate_cancel,
    direct_debit_mandate_create,
    direct_debit_returns_import,
)
from rentaccounts.models import Account, AccountCheck, Transaction
from rentaccounts.selectors import balance_differences
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tenancies.constants import PaymentMethod
from tests.factories import TenancyFactory, user_with_role

pytestmark = pytest.mark.django_db
RETURNS = (Path(__file__).resolve().parents[2] / "docs" / "samples" / "direct-debit-returns.csv").read_bytes()


@pytest.fixture
def officer():
    return user_with_role(Role.INCOME_OFFICER)


@pytest.fixture
def paying_by_dd(officer):
    tenancy = TenancyFactory(payment_reference="RW000001")
    mandate = direct_debit_mandate_create(
        tenancy=tenancy, reference="dd-rw000001", collection_day=23, start_date=date(2026, 1, 23), user=officer
    )
    account = account_get_or_create(tenancy=tenancy)
    transactions_post(
        postings=[
            Posting(
                account.pk,
                TransactionType.PAYMENT,
                Decimal("-100.00"),
                date(2026, 11, 23),
                "dd:1",
                payment_method=PaymentMethod.DIRECT_DEBIT,
            )
        ]
    )
    return mandate


def test_a_returned_direct_debit_is_reversed_with_its_reason_once(officer, paying_by_dd):
    outcomes = direct_debit_returns_import(content=RETURNS, user=officer)
    assert [(o.outcome, o.mandate_reference) for o in outcomes] == [
        ("returned", "DD-RW000001"),
        ("not matched", "DD-RW000099"),
    ]
    assert outcomes[1].detail == "No mandate has the reference DD-RW000099."
    reversal = Transaction.objects.get(transaction_type=TransactionType.REVERSAL)
    assert reversal.description == "Direct debit returned unpaid: refer to payer"
    assert Account.objects.get(kind=AccountKind.RENT).balance == Decimal("0.00")
    again = direct_debit_returns_import(content=RETURNS, user=officer)
    assert again[0].outcome == "already returned"
    assert Transaction.objects.filter(transaction_type=TransactionType.REVERSAL).count() == 1
    assert balance_differences() == []


def test_a_return_file_with_wrong_columns_is_refused(officer):
    with pytest.raises(ValidationError, match="not a direct debit return file"):
        direct_debit_returns_import(content=b"a,b\n1,2\n", user=officer)


def test_cancelling_a_mandate_keeps_its_history(officer, paying_by_dd):
    with pytest.raises(ValidationError, match="already has an active direct debit"):
        direct_debit_mandate_create(
            tenancy=paying_by_dd.tenancy, reference="DD-2", collection_day=1, start_date=date(2026, 12, 1), user=officer
        )
    direct_debit_mandate_cancel(
        mandate=paying_by_dd,
        cancelled_on=date(2026, 11, 30),
        new_payment_method=PaymentMethod.STANDING_ORDER,
        user=officer,
    )
    paying_by_dd.refresh_from_db()
    assert paying_by_dd.status == MandateStatus.CANCELLED
    assert paying_by_dd.tenancy.payment_method == PaymentMethod.STANDING_ORDER
    assert paying_by_dd.history.count() == 2


@pytest.fixture
def suspicious_account():
    account = account_get_or_create(tenancy=TenancyFactory())
    hb = {"transaction_type": TransactionType.HOUSING_BENEFIT, "payment_method": PaymentMethod.HOUSING_BENEFIT}
    transactions_post(
        postings=[
            Posting(
                account.pk, TransactionType.PAYMENT, Decimal("-50.00"), date(2026, 11, 2), "a", payment_method="card"
            ),
            Posting(
                account.pk, TransactionType.PAYMENT, Decimal("-50.00"), date(2026, 11, 2), "b", payment_method="card"
            ),
            Posting(
                account.pk,
                amount=Decimal("-400.00"),
                effective_date=date(2026, 10, 1),
                idempotency_key="hb1",
                period_start=date(2026, 8, 31),
                period_end=date(2026, 9, 27),
                **hb,
            ),
            Posting(
                account.pk,
                amount=Decimal("-400.00"),
                effective_date=date(2026, 10, 29),
                idempotency_key="hb2",
                period_start=date(2026, 9, 21),
                period_end=date(2026, 10, 18),
                **hb,
            ),
        ]
    )
    return account


def test_duplicates_and_overlapping_benefit_periods_are_raised_once(suspicious_account):
    assert account_checks_find(since=date(2026, 9, 1)) == 2
    assert account_checks_find(since=date(2026, 9, 1)) == 0
    kinds = sorted(AccountCheck.objects.values_list("kind", flat=True))
    assert kinds == [CheckKind.DUPLICATE_PAYMENT, CheckKind.OVERLAPPING_PERIODS]
    duplicate = AccountCheck.objects.get(kind=CheckKind.DUPLICATE_PAYMENT)
    assert duplicate.detail == "2 × Payment of £50.00 on 02/11/2026"


def test_resolving_a_check_by_reversal(suspicious_account):
    account_checks_find(since=date(2026, 9, 1))
    check = AccountCheck.objects.get(kind=CheckKind.DUPLICATE_PAYMENT)
    senior = user_with_role(Role.SENIOR_INCOME_OFFICER)
    with pytest.raises(PermissionDenied):
        account_check_resolve(check=check, user=user_with_role(Role.INCOME_OFFICER), genuine=True, note="fine")
    with pytest.raises(ValidationError, match="Choose which"):
        account_check_resolve(check=check, user=senior, genuine=False, note="Card charged twice")
    second = check.transactions.order_by("id").last()
    account_check_resolve(check=check, user=senior, genuine=False, note="Card charged twice", reverse=second)
    check.refresh_from_db()
    assert check.status == CheckStatus.CORRECTED
    suspicious_account.refresh_from_db()
    assert suspicious_account.balance == Decimal("-850.00")
    # Once reversed, the pair is no longer a suspicion.
    assert account_checks_find(since=date(2026, 9, 1)) == 0


def test_direct_debit_and_check_pages(client, paying_by_dd, suspicious_account):
    officer = user_with_role(Role.INCOME_OFFICER)
    client.force_login(officer)
    page = client.get("/payments/direct-debits/").content.decode()
    assert "DD-RW000001" in page
    upload = SimpleUploadedFile("returns.csv", RETURNS, content_type="text/csv")
    result = client.post("/payments/direct-debits/", {"returns": "", "return_file": upload}).content.decode()
    assert "Reversed on RW000001: refer to payer." in result
    assert client.get("/approvals/checks/").status_code == 403
    client.force_login(user_with_role(Role.SENIOR_INCOME_OFFICER))
    account_checks_find(since=date(2026, 9, 1))
    queue = client.get("/approvals/checks/").content.decode()
    assert "Possible duplicate payment" in queue
    check = AccountCheck.objects.get(kind=CheckKind.OVERLAPPING_PERIODS)
    client.post(f"/approvals/checks/{check.pk}/", {"outcome": "genuine", "note": "Two separate claims, confirmed"})
    assert AccountCheck.objects.get(pk=check.pk).status == CheckStatus.CONFIRMED_GENUINE
