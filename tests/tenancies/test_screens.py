"""Tenancy search and the tenancy page."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tenancies.models import StaffScope, TenancyTenant
from tests.factories import PersonFactory, PropertyFactory, TenancyFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def joint_tenancy():
    tenancy = TenancyFactory(
        payment_reference="RW123456",
        property=PropertyFactory(address_line_1="14 Harbour Road", town="Bristol", postcode="BS1 6TY"),
        lead_tenant=PersonFactory(first_name="Amira", last_name="Okonkwo", vulnerability_notes="Recent bereavement."),
    )
    TenancyTenant.objects.create(tenancy=tenancy, person=PersonFactory(first_name="Dan", last_name="Whitfield"))
    TenancyFactory(payment_reference="RW999999")
    return tenancy


@pytest.mark.parametrize("query", ["RW1234", "okonkwo", "Whitfield", "harbour road", "BS1 6TY", "amira harbour"])
def test_search_finds_by_reference_name_joint_tenant_and_address(officer_client, joint_tenancy, query):
    html = officer_client.get("/tenancies/", {"q": query}).content.decode()
    assert "/tenancies/RW123456/" in html
    assert "RW999999" not in html


def test_an_empty_search_prompts_and_a_miss_says_so(officer_client, joint_tenancy):
    assert "Enter a name, an address or a payment reference" in officer_client.get("/tenancies/").content.decode()
    html = officer_client.get("/tenancies/", {"q": "Nobody"}).content.decode()
    assert "No tenancy matches “Nobody”" in html


def _pay(account, amount, n, on):
    return Posting(
        account.pk, TransactionType.PAYMENT, Decimal(amount), on, f"test:{account.pk}:{n}", payment_method="card"
    )


def test_tenancy_page_shows_people_charges_and_the_account_summary(officer_client, joint_tenancy):
    account = account_get_or_create(tenancy=joint_tenancy)
    transactions_post(
        postings=[
            Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("350.00"), date(2026, 11, 2), "rent:1"),
            _pay(account, "-100.00", 1, date(2026, 11, 9)),
        ]
    )
    html = officer_client.get("/tenancies/RW123456/").content.decode()
    assert "Amira Okonkwo" in html and "Dan Whitfield" in html
    assert "£250.00" in html
    assert "2.5 weeks of rent (£100.00 a week)" in html  # rent only: no arrears policy is live here
    assert "£100.00 on 9 November 2026 (Payment)" in html
    assert "Recent bereavement." in html


def test_support_workers_do_not_see_sensitive_notes(client, joint_tenancy):
    support = user_with_role(Role.SUPPORT_WORKER)
    StaffScope.objects.create(user=support, scheme=joint_tenancy.property.scheme)  # the scheme they support
    client.force_login(support)
    html = client.get("/tenancies/RW123456/").content.decode()
    assert "Amira Okonkwo" in html
    assert "Recent bereavement." not in html


def test_an_unknown_reference_is_not_found(officer_client):
    assert officer_client.get("/tenancies/NOPE/").status_code == 404


def test_the_tenancy_page_costs_the_same_queries_whatever_the_history(officer_client):
    counts = []
    for size in (10, 500):
        tenancy = TenancyFactory()
        account = account_get_or_create(tenancy=tenancy)
        start = date(2016, 1, 4)
        transactions_post(postings=[_pay(account, "-10.00", n, start + timedelta(weeks=n)) for n in range(size)])
        with CaptureQueriesContext(connection) as queries:
            assert officer_client.get(f"/tenancies/{tenancy.payment_reference}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
