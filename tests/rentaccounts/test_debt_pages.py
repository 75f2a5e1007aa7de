"""The limitation date and insolvency banners on the account, arrears case and person pages, and the pages that record
a written acknowledgment, an order and its discharge."""

from datetime import date
from decimal import Decimal
from html import escape

import pytest
import time_machine
from django.urls import reverse

from arrears.models import ArrearsCase
from incomeapp.constants import Role
from rentaccounts.constants import InsolvencyKind, TransactionType
from rentaccounts.models import DebtAcknowledgment, InsolvencyOrder
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.factories import TenancyFactory, dmy, london_noon, support_worker_for, user_with_role

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(london_noon(TODAY), tick=False):
        yield


@pytest.fixture
def account():
    account = account_get_or_create(tenancy=TenancyFactory(payment_reference="RW000555", start_date=date(2019, 4, 1)))
    transactions_post(
        postings=[
            Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("120.00"), date(2019, 4, 1), "old"),
            Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("1120.00"), date(2025, 3, 3), "before"),
            Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("100.00"), date(2026, 5, 4), "after"),
        ]
    )
    return account


@pytest.fixture
def officer(client):
    user = user_with_role(Role.INCOME_OFFICER)
    client.force_login(user)
    return user


def account_page(client, account):
    return client.get(reverse("accounts:detail", args=[account.tenancy.payment_reference])).content.decode()


def test_the_account_page_says_what_is_out_of_time_and_until_when_the_rest_can_be_recovered(client, account, officer):
    page = account_page(client, account)
    assert "£120.00 is out of time" in page
    assert "within six years of 1 April 2019" in page
    assert "recoverable by action until <strong>3 March 2031</strong>" in page
    assert "Record a written acknowledgment of the debt" in page


def test_recording_an_acknowledgment_moves_the_date_on_the_page(client, account, officer):
    url = reverse("debts:acknowledgment_add", args=[account.pk])
    response = client.post(url, dmy(date(2026, 3, 2), "acknowledged_on"))
    assert "Say what the tenant signed or wrote" in response.content.decode()
    response = client.post(
        url,
        {
            **dmy(date(2026, 3, 2), "acknowledged_on"),
            "description": "Signed letter",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Acknowledgment of 2 March 2026 recorded" in page
    assert "recoverable by action until <strong>2 March 2032</strong>" in page
    assert "£120.00 is out of time" in page  # not revived
    assert DebtAcknowledgment.objects.get().recorded_by == officer


def test_an_order_shows_on_the_account_the_case_and_the_person(client, account, officer):
    person = account.tenancy.tenants.get()
    response = client.post(
        reverse("debts:order_add", args=[person.pk]),
        {
            "kind": InsolvencyKind.DEBT_RELIEF_ORDER,
            **dmy(date(2026, 5, 1), "made_on"),
            "reference": "DRO-123",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Debt relief order made 1 May 2026 recorded" in page
    assert "Bankruptcy and debt relief orders" in page
    assert "DRO-123" in page
    assert "£1,240.00 on" in page
    banner = "Debt relief order made 1 May 2026 (" + escape(person.full_name)  # an O'Donnell is escaped in HTML
    expected = "covers £1,240.00 owed before that date: do not ask for it. Debts after that date can be recovered."
    page = account_page(client, account)
    assert banner in page and expected in page
    case = ArrearsCase.objects.create(account=account, opened_on=date(2026, 5, 5))
    page = client.get(reverse("arrears:case", args=[case.pk])).content.decode()
    assert expected in page


def test_the_discharge_is_recorded_and_the_account_says_the_debt_is_released(client, account, officer):
    person = account.tenancy.tenants.get()
    order = InsolvencyOrder.objects.create(person=person, kind=InsolvencyKind.BANKRUPTCY, made_on=date(2025, 5, 1))
    response = client.post(
        reverse("debts:order_discharge", args=[order.pk]),
        dmy(date(2026, 5, 1), "discharged_on"),
        follow=True,
    )
    assert "Discharge on 1 May 2026 recorded" in response.content.decode()
    page = account_page(client, account)
    assert "Bankruptcy order made 1 May 2025" in page
    assert "was discharged on 1 May 2026: the £1,240.00 owed before it was made is released" in page


def test_a_support_worker_sees_no_order_and_cannot_record_one(client, account):
    person = account.tenancy.tenants.get()
    InsolvencyOrder.objects.create(person=person, kind=InsolvencyKind.BANKRUPTCY, made_on=date(2026, 5, 1))
    client.force_login(support_worker_for(account.tenancy))
    assert "Bankruptcy order made" not in account_page(client, account)
    page = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "Bankruptcy and debt relief orders" not in page
    assert client.get(reverse("debts:order_add", args=[person.pk])).status_code == 403
    assert client.get(reverse("debts:acknowledgment_add", args=[account.pk])).status_code == 403


def test_no_panel_on_an_account_with_nothing_owed(client, officer):
    account = account_get_or_create(tenancy=TenancyFactory())
    page = account_page(client, account)
    assert 'id="debt-position"' not in page
