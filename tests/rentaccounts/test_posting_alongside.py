"""The rent run and the payment import post their chunks two at a time on PostgreSQL, each chunk on a connection of its
own (incomeapp.ahead): every line is posted once, every balance agrees with its ledger, and a run that dies part way
keeps the chunks it finished and posts only the rest when run again."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from incomeapp.constants import Role
from rentaccounts.constants import ImportStatus, TransactionType
from rentaccounts.imports import services as import_services
from rentaccounts.imports.services import import_batch_create, import_batch_process
from rentaccounts.models import RentRun, Transaction
from rentaccounts.selectors import balance_differences
from rentaccounts.services import rent_run
from tests.factories import TenancyFactory, user_with_role
from tests.rentaccounts.conftest import transactions_post_fails_on_call

MON = date(2026, 11, 30)

pytestmark = pytest.mark.django_db(transaction=True)  # each writer's connection sees only what is committed


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("elsewhere chunks are posted one after another on one connection")


def _writers_noted(monkeypatch, module) -> set:
    """The database connections (backend pids) that `module`'s postings are written on, filled in as it posts."""
    writers = set()
    real = module.transactions_post

    def noted(**kwargs):
        writers.add(connection.connection.info.backend_pid)
        return real(**kwargs)

    monkeypatch.setattr(module, "transactions_post", noted)
    return writers


def test_the_rent_run_posts_its_ranges_two_at_a_time_each_line_once(monkeypatch):
    monkeypatch.setattr(rent_run, "RENT_RUN_TENANCIES", 2)
    tenancies = [TenancyFactory(start_date=date(2024, 4, 1), weekly_rent=Decimal(100 + n)) for n in range(9)]
    writers = _writers_noted(monkeypatch, rent_run)

    run = rent_run.rent_debits_post(week_commencing=MON)

    assert len(writers) >= 2  # more than one connection wrote
    assert (run.posted_count, run.posted_total) == (9, sum(Decimal(100 + n) for n in range(9)))
    assert run.finished_at is not None
    debits = Transaction.objects.filter(transaction_type=TransactionType.RENT_DEBIT)
    assert sorted(debits.values_list("account__tenancy_id", flat=True)) == sorted(t.pk for t in tenancies)
    assert balance_differences() == []


def test_a_rent_run_that_dies_part_way_keeps_what_it_finished_and_the_next_posts_the_rest(monkeypatch):
    monkeypatch.setattr(rent_run, "RENT_RUN_TENANCIES", 2)
    monkeypatch.setattr(rent_run, "RENT_RUN_WRITERS", 1)  # one range after another, so the failure point is known
    for n in range(7):
        TenancyFactory(start_date=date(2024, 4, 1), weekly_rent=Decimal(100 + n))
    real = rent_run.transactions_post
    transactions_post_fails_on_call(monkeypatch, rent_run, 3)
    with pytest.raises(ConnectionError):
        rent_run.rent_debits_post(week_commencing=MON)
    dead = RentRun.objects.get()
    assert (dead.posted_count, dead.finished_at) == (4, None)  # two ranges of two tenancies
    monkeypatch.setattr(rent_run, "transactions_post", real)

    again = rent_run.rent_debits_post(week_commencing=MON)

    assert not again.checked_only  # a run that did not finish never stands for the week
    assert again.posted_count == 3 and Transaction.objects.count() == 7
    assert balance_differences() == []


def test_an_import_posts_its_chunks_two_at_a_time_each_payment_once(monkeypatch):
    monkeypatch.setattr(import_services, "CHUNK_LINES", 3)  # ends at an account's last line: 8 chunks of 5
    writers = _writers_noted(monkeypatch, import_services)
    references = [f"RW55000{n}" for n in range(8)]
    for reference in references:
        TenancyFactory(payment_reference=reference)
    rows = "".join(f"{references[n % 8]},23/11/2026,{n + 1}.00,card,P-{n}\n" for n in range(40))
    batch = import_batch_create(
        file_name="p.csv",
        content=f"payment_reference,date,amount,method,transaction_id\n{rows}".encode(),
        format="generic-csv",
        uploaded_by=user_with_role(Role.INCOME_OFFICER),
    )

    batch = import_batch_process(batch_id=batch.pk)

    assert (batch.status, batch.rows_posted, batch.rows_done) == (ImportStatus.COMPLETED, 40, 40)
    assert batch.total_posted == sum(Decimal(n + 1) for n in range(40))  # received
    assert len(writers) >= 2
    assert Transaction.objects.filter(import_batch=batch).count() == 40
    assert balance_differences() == []
