"""A rent run for a week already posted, with nothing it reads changed since, posts nothing without reading the charges
again (PostgreSQL's triggers count the changes); any change to what it reads makes the next run read them all and
post what is now due. A payment, a tenancy's status or a home's address are not such changes."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rentaccounts.constants import TransactionType
from rentaccounts.models import ChargingChange, RentRun, Transaction
from rentaccounts.services import Posting, account_get_or_create, rent_debits_post, transactions_post
from tenancies.constants import TenancyStatus
from tenancies.models import Charge, Property, RentFreeWeek, Tenancy
from tests.factories import TenancyFactory

MON = date(2026, 11, 30)


@pytest.fixture
def posted_week(db):
    if connection.vendor != "postgresql":
        pytest.skip("the count of charging changes is kept by PostgreSQL triggers; elsewhere every run reads it all")
    tenancies = [TenancyFactory(start_date=date(2024, 4, 1)) for _ in range(3)]
    RentFreeWeek.objects.create(scheme=tenancies[2].property.scheme, week_commencing=MON)
    first = rent_debits_post(week_commencing=MON)
    assert (first.posted_count, first.checked_only) == (2, False)
    settled = rent_debits_post(week_commencing=MON)  # the first run made the rent accounts, a change it counted
    assert settled.posted_count == 0
    return tenancies


def _run_again() -> tuple[RentRun, str]:
    with CaptureQueriesContext(connection) as queries:
        run = rent_debits_post(week_commencing=MON)
    return run, " ".join(query["sql"] for query in queries.captured_queries)


def test_a_week_already_posted_with_nothing_changed_is_checked_without_reading_the_charges(posted_week):
    run, sql = _run_again()

    assert (run.checked_only, run.posted_count, run.finished_at is not None) == (True, 0, True)
    assert "tenancies_charge" not in sql and "rentaccounts_transaction" not in sql
    assert Transaction.objects.filter(transaction_type=TransactionType.RENT_DEBIT).count() == 2


def test_payments_and_changes_the_run_does_not_read_leave_the_week_checked_only(posted_week):
    account = account_get_or_create(tenancy=posted_week[0])
    transactions_post(postings=[Posting(account.pk, TransactionType.PAYMENT, Decimal("-50.00"), MON, "pay:1")])
    Tenancy.objects.filter(pk=posted_week[1].pk).update(status=TenancyStatus.FORMER)
    Property.objects.filter(pk=posted_week[1].property_id).update(address_line_1="2 New Street")

    run, _ = _run_again()

    assert run.checked_only


def _new_tenancy(tenancies):
    TenancyFactory(start_date=MON + timedelta(days=2))


def _rent_free_week_removed(tenancies):
    RentFreeWeek.objects.filter(scheme=tenancies[2].property.scheme).delete()


def _start_moved_by_a_bulk_update(tenancies):
    later = TenancyFactory(start_date=MON + timedelta(days=14))
    rent_debits_post(week_commencing=MON)  # reads the new tenancy (nothing due yet) and records the new count
    Tenancy.objects.filter(pk=later.pk).update(start_date=MON)
    Charge.objects.filter(tenancy=later).update(effective_from=MON)


def _home_moved_to_a_rent_free_scheme(tenancies):
    Property.objects.filter(pk=tenancies[0].property_id).update(scheme=tenancies[2].property.scheme)


CHANGES = {
    "a tenancy signed up after the run": (_new_tenancy, 1),
    "a rent-free week removed": (_rent_free_week_removed, 1),
    "a start date moved by a bulk update (no save)": (_start_moved_by_a_bulk_update, 1),
    "a home moved to a scheme with the week rent-free": (_home_moved_to_a_rent_free_scheme, 0),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_to_what_the_run_reads_makes_the_next_run_read_it_all_and_post_what_is_due(posted_week, change):
    make_change, newly_due = CHANGES[change]
    make_change(posted_week)
    before = Transaction.objects.count()
    counted = ChargingChange.objects.count()

    run, sql = _run_again()

    assert not run.checked_only and "tenancies_charge" in sql
    assert run.posted_count == newly_due == Transaction.objects.count() - before
    assert run.charging_changes == counted
    _run_again()  # reads once more if the run made a rent account (a change it counts)
    settled, _ = _run_again()
    assert settled.checked_only and settled.posted_count == 0
