"""Direct debit mandates with their history, and bank return files posted as reversals (once)."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from incomeapp.constants import Role
from rentaccounts.constants import AccountKind, MandateStatus, TransactionType
from rentaccounts.models import Account, DirectDebitMandate, Transaction
from rentaccounts.selectors import balance_differences
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from rentaccounts.services.direct_debits import (
    direct_debit_mandate_cancel,
    direct_debit_mandate_create,
    direct_debit_returns_import,
)
from tenancies.constants import PaymentMethod
from tests.factories import TenancyFactory, user_with_role

pytestmark = pytest.mark.django_db
RETURNS = (Path(__file__).resolve().parents[2] / "docs" / "samples" / "direct-debit-returns.csv").read_bytes()
HEADER = b"mandate_reference,collection_date,amount,reason_code\n"


@pytest.fixture
def officer():
    return user_with_role(Role.INCOME_OFFICER)


def _collect(account, amount, key, on=date(2026, 11, 23), **extra):
    transactions_post(
        postings=[
            Posting(
                account.pk,
                TransactionType.PAYMENT,
                Decimal(amount),
                on,
                key,
                payment_method=PaymentMethod.DIRECT_DEBIT,
                **extra,
            )
        ]
    )


@pytest.fixture
def paying_by_dd(officer):
    tenancy = TenancyFactory(payment_reference="RW900001", payment_method=PaymentMethod.STANDING_ORDER)
    mandate = direct_debit_mandate_create(
        tenancy=tenancy,
        reference="dd-rw000001",
        collection_day=23,
        start_date=date(2026, 1, 23),
        amount=Decimal("100.00"),
        user=officer,
    )
    account = account_get_or_create(tenancy=tenancy)
    transactions_post(
        postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("100.00"), date(2026, 11, 16), "r")]
    )
    _collect(account, "-100.00", "dd:1")
    return mandate


def _rent_balance(reference="RW900001") -> Decimal:
    return Account.objects.get(tenancy__payment_reference=reference, kind=AccountKind.RENT).balance


def test_setting_up_a_mandate_makes_the_tenancy_pay_by_direct_debit(paying_by_dd):
    assert (paying_by_dd.reference, paying_by_dd.status, paying_by_dd.amount) == (
        "DD-RW000001",
        MandateStatus.ACTIVE,
        Decimal("100.00"),
    )
    paying_by_dd.tenancy.refresh_from_db()
    assert paying_by_dd.tenancy.payment_method == PaymentMethod.DIRECT_DEBIT


def test_a_returned_direct_debit_is_reversed_with_its_reason_and_the_balance_goes_back_up(officer, paying_by_dd):
    assert _rent_balance() == Decimal("0.00")
    report = direct_debit_returns_import(content=RETURNS, file_name="ARUDD-2026-11-24.csv", user=officer)
    assert report.file_name == "ARUDD-2026-11-24.csv"
    assert [(o.row_number, o.outcome, o.mandate_reference) for o in report.rows] == [
        (2, "returned", "DD-RW000001"),
        (3, "not matched", "DD-RW000099"),
    ]
    assert (report.returned, report.already_returned, report.not_matched) == (1, 0, 1)
    assert report.rows[0].detail == "Reversed on RW900001: refer to payer."
    reversal = Transaction.objects.get(transaction_type=TransactionType.REVERSAL)
    assert reversal.description == "Direct debit returned unpaid: refer to payer"
    assert (reversal.amount, reversal.reverses.idempotency_key, reversal.posted_by) == (
        Decimal("100.00"),
        "dd:1",
        officer,
    )
    assert _rent_balance() == Decimal("100.00")
    assert balance_differences() == []


def test_a_second_import_of_the_same_file_reverses_nothing_more(officer, paying_by_dd):
    direct_debit_returns_import(content=RETURNS, file_name="returns.csv", user=officer)
    again = direct_debit_returns_import(content=RETURNS, file_name="returns.csv", user=officer)
    assert [o.outcome for o in again.rows] == ["already returned", "not matched"]
    assert again.rows[0].detail == "The collection on 23 November 2026 was already reversed."
    assert Transaction.objects.filter(transaction_type=TransactionType.REVERSAL).count() == 1
    assert _rent_balance() == Decimal("100.00")
    assert balance_differences() == []


def test_rows_that_cannot_be_matched_are_reported_and_post_nothing(officer, paying_by_dd):
    content = HEADER + (
        b"DD-RW000099,23/11/2026,85.00,B\n"  # no such mandate
        b"DD-RW000001,23/11/2026,99.00,0\n"  # wrong amount
        b"DD-RW000001,24/11/2026,100.00,0\n"  # wrong date
        b"DD-RW000001,not a date,100.00,0\n"
        b"DD-RW000001,23/11/2026,ten pounds,0\n"
    )
    report = direct_debit_returns_import(content=content, file_name="returns.csv", user=officer)
    assert [o.outcome for o in report.rows] == ["not matched"] * 5
    assert [o.detail for o in report.rows] == [
        "No mandate has the reference DD-RW000099.",
        "No direct debit of £99.00 on 23 November 2026 on RW900001.",
        "No direct debit of £100.00 on 24 November 2026 on RW900001.",
        "'not a date' is not a date; use DD/MM/YYYY. Correct the row and import the file again.",
        "'ten pounds' is not an amount of money; enter pounds and pence, like 12.50. Correct the row and import the "
        "file again.",
    ]
    assert not Transaction.objects.filter(transaction_type=TransactionType.REVERSAL).exists()
    assert _rent_balance() == Decimal("0.00")


def test_an_unknown_reason_code_is_still_posted_with_the_code(officer, paying_by_dd):
    report = direct_debit_returns_import(
        content=HEADER + b"DD-RW000001,23/11/2026,100.00,Z\n", file_name="r.csv", user=officer
    )
    assert report.returned == 1
    reversal = Transaction.objects.get(transaction_type=TransactionType.REVERSAL)
    assert reversal.description == "Direct debit returned unpaid: bank reason code Z"


def test_a_collection_split_across_accounts_is_reversed_in_full(officer):
    tenancy = TenancyFactory(payment_reference="RW900005")
    direct_debit_mandate_create(
        tenancy=tenancy, reference="DD-5", collection_day=1, start_date=date(2026, 1, 1), user=officer
    )
    rent = account_get_or_create(tenancy=tenancy)
    costs = account_get_or_create(tenancy=tenancy, kind=AccountKind.COURT_COSTS)
    # One collection of £100 cleared £40 of court costs first and £60 of rent (same file row, so same reference).
    _collect(costs, "-40.00", "import:bank:77:court_costs", on=date(2026, 11, 2), external_reference="77")
    _collect(rent, "-60.00", "import:bank:77", on=date(2026, 11, 2), external_reference="77")
    _collect(rent, "-100.00", "other", on=date(2026, 11, 2), external_reference="78")
    report = direct_debit_returns_import(
        content=HEADER + b"DD-5,02/11/2026,100.00,1\n", file_name="r.csv", user=officer
    )
    assert report.returned == 1
    reversed_keys = set(
        Transaction.objects.filter(transaction_type=TransactionType.REVERSAL).values_list(
            "reverses__idempotency_key", flat=True
        )
    )
    # The first collection matching the amount (by its lines' sum) is the one reversed: the split one.
    assert reversed_keys == {"import:bank:77:court_costs", "import:bank:77"}
    rent.refresh_from_db()
    costs.refresh_from_db()
    # Rent keeps only the other £100 collection; the court costs are owed again.
    assert (rent.balance, costs.balance) == (Decimal("-100.00"), Decimal("0.00"))


def test_a_file_that_is_not_a_return_file_is_refused(officer):
    with pytest.raises(ValidationError, match="columns mandate_reference, collection_date, amount, reason_code"):
        direct_debit_returns_import(content=b"a,b\n1,2\n", file_name="payments.csv", user=officer)
    with pytest.raises(ValidationError, match="not a CSV text file"):
        direct_debit_returns_import(content=b"\xff\xfe\x00\x01", file_name="returns.xlsx", user=officer)


def test_only_staff_who_may_change_mandates_import_returns():
    with pytest.raises(PermissionDenied):
        direct_debit_returns_import(content=RETURNS, file_name="r.csv", user=user_with_role(Role.SUPPORT_WORKER))


def test_one_active_mandate_per_tenancy_and_references_are_unique(officer, paying_by_dd):
    with pytest.raises(ValidationError, match="already has an active direct debit"):
        direct_debit_mandate_create(
            tenancy=paying_by_dd.tenancy, reference="DD-2", collection_day=1, start_date=date(2026, 12, 1), user=officer
        )
    with pytest.raises(ValidationError, match="reference DD-RW000001 already exists"):
        direct_debit_mandate_create(
            tenancy=TenancyFactory(),
            reference=" dd-rw000001 ",
            collection_day=1,
            start_date=date(2026, 12, 1),
            user=officer,
        )
    with pytest.raises(ValidationError, match="from 1 to 28"):
        direct_debit_mandate_create(
            tenancy=TenancyFactory(), reference="DD-3", collection_day=31, start_date=date(2026, 12, 1), user=officer
        )


def test_cancelling_a_mandate_keeps_its_history_and_records_the_new_method(officer, paying_by_dd):
    with pytest.raises(ValidationError, match="how the tenant will pay"):
        direct_debit_mandate_cancel(
            mandate=paying_by_dd, cancelled_on=date(2026, 11, 30), new_payment_method="", user=officer
        )
    direct_debit_mandate_cancel(
        mandate=paying_by_dd,
        cancelled_on=date(2026, 11, 30),
        new_payment_method=PaymentMethod.STANDING_ORDER,
        user=officer,
    )
    paying_by_dd.refresh_from_db()
    assert (paying_by_dd.status, paying_by_dd.cancelled_on) == (MandateStatus.CANCELLED, date(2026, 11, 30))
    assert paying_by_dd.tenancy.payment_method == PaymentMethod.STANDING_ORDER
    assert [h.status for h in paying_by_dd.history.order_by("history_date")] == [
        MandateStatus.ACTIVE,
        MandateStatus.CANCELLED,
    ]
    with pytest.raises(ValidationError, match="already cancelled"):
        direct_debit_mandate_cancel(
            mandate=paying_by_dd, cancelled_on=date(2026, 12, 1), new_payment_method=PaymentMethod.CARD, user=officer
        )
    # The record stays for take-up over time, and a new mandate can now be set up.
    direct_debit_mandate_create(
        tenancy=paying_by_dd.tenancy, reference="DD-NEW", collection_day=1, start_date=date(2027, 1, 1), user=officer
    )
    assert DirectDebitMandate.objects.filter(tenancy=paying_by_dd.tenancy).count() == 2


def test_the_direct_debit_page(client, officer, paying_by_dd):
    client.force_login(officer)
    page = client.get("/payments/direct-debits/").content.decode()
    assert "DD-RW000001" in page and "£100.00" in page
    upload = SimpleUploadedFile("ARUDD.csv", RETURNS, content_type="text/csv")
    result = client.post("/payments/direct-debits/", {"returns": "", "return_file": upload}).content.decode()
    assert "Return file ARUDD.csv" in result
    assert "1 returned and reversed, 0 already returned before, 1 not matched." in result
    assert "Reversed on RW900001: refer to payer." in result
    assert "No mandate has the reference DD-RW000099." in result

    refused = client.post(f"/payments/direct-debits/{paying_by_dd.pk}/cancel/", {"new_payment_method": "direct_debit"})
    assert refused.status_code == 200  # the page again, with the error summary pointing at the row's choice
    page = refused.content.decode()
    assert "<title>Error: " in page and f'href="#method-{paying_by_dd.pk}"' in page
    assert "Choose how the tenant will pay instead" in page
    assert DirectDebitMandate.objects.get(pk=paying_by_dd.pk).status == MandateStatus.ACTIVE
    client.post(f"/payments/direct-debits/{paying_by_dd.pk}/cancel/", {"new_payment_method": "card"})
    paying_by_dd.refresh_from_db()
    assert paying_by_dd.status == MandateStatus.CANCELLED
    assert paying_by_dd.tenancy.payment_method == PaymentMethod.CARD

    set_up = client.post(
        "/payments/direct-debits/",
        {
            "set_up": "",
            "payment_reference": "rw900001",
            "reference": "DD-AGAIN",
            "collection_day": "29",
            "amount": "",
            "start_date_0": "1",
            "start_date_1": "12",
            "start_date_2": "2026",
        },
    ).content.decode()
    assert "Enter a collection day from 1 to 28" in set_up
