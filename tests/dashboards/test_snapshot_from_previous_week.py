"""The weekly snapshot is built from the previous week's stored account sums and the ledger rows since; it must equal
a rebuild of the same week from the ledger alone, whatever was posted in between: rows dated back into earlier weeks
(inside and outside the 52 and the financial year), reversals, rows dated after the week, a new tenancy whose rent in
advance was paid before it began, the week leaving the 52, and 1 April, when the year's sums start again."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from dashboards.models import KpiAccountWeek, KpiSnapshot, KpiWeek
from dashboards.services import kpi_snapshot_take
from rentaccounts.models import Account, Transaction
from rentaccounts.services import Posting, transaction_reverse, transactions_post
from tests.factories import london_noon

from .test_kpis import HB, PAID, RENT, WRITE_OFF, _tenancy

pytestmark = pytest.mark.django_db

ACCOUNT_COLUMNS = [
    field.attname for field in KpiAccountWeek._meta.concrete_fields if field.name not in ("id", "week_ending")
]


def _week(week_ending):
    figures = sorted(
        KpiSnapshot.objects.filter(week_ending=week_ending).values_list(
            "kpi", "dimension", "group", "numerator", "denominator", "value"
        )
    )
    accounts = KpiAccountWeek.objects.filter(week_ending=week_ending).order_by("account_id")
    return figures, list(accounts.values_list(*ACCOUNT_COLUMNS))


def _post(account, lines, tag):
    result = transactions_post(
        postings=[Posting(account.pk, kind, Decimal(amount), day, f"{tag}:{account.pk}:{n}")
                  for n, (kind, amount, day) in enumerate(lines)]
    )  # fmt: skip
    assert result.posted == len(lines)


def _account(reference):
    return Account.objects.get(tenancy__payment_reference=reference)


@pytest.mark.parametrize(
    "week_ending",
    [date(2026, 11, 29), date(2026, 4, 5)],
    ids=["a week in the year", "the week with 1 April in it"],
)
def test_a_week_built_from_the_one_before_equals_a_rebuild_from_the_ledger(estate, week_ending):
    last_week = week_ending - timedelta(days=7)
    scheme = _account("RWK00001").tenancy.property.scheme
    # G's first week of rent leaves the 52 weeks between the two snapshots; its second stays.
    _, g = _tenancy("RWK00007", scheme, start_date=last_week - timedelta(days=363))
    _post(g, [(RENT, 95, last_week - timedelta(days=363)), (RENT, 95, last_week - timedelta(days=356)),
              (RENT, 95, last_week - timedelta(days=6))], "g")  # fmt: skip
    # F begins in the new week; its rent in advance was paid before it began and before last week's snapshot.
    _, f = _tenancy("RWK00006", scheme, start_date=week_ending - timedelta(days=4))
    _post(f, [(PAID, -250, last_week - timedelta(days=2))], "advance")
    kpi_snapshot_take(week_ending=last_week, from_previous_week=True)
    assert KpiWeek.objects.get(week_ending=last_week).built_from == KpiWeek.BuiltFrom.LEDGER

    b, e = _account("RWK00002"), _account("RWK00005")
    transactions = [
        (RENT, 100, week_ending - timedelta(days=6)),  # dated in the new week
        (HB, -60, week_ending - timedelta(days=6)),
        (PAID, -75, last_week - timedelta(days=40)),  # dated back into an earlier week of this year
        (RENT, 30, week_ending - timedelta(days=300)),  # dated back into the 52 weeks, before 1 April
        (WRITE_OFF, -20, week_ending - timedelta(days=200)),
        (PAID, -500, week_ending + timedelta(days=1)),  # dated after the week: off the balance, in no sum
    ]
    for account in (b, e):
        _post(account, transactions, "since")
        paid = Transaction.objects.filter(account=account, transaction_type=PAID).order_by("effective_date").first()
        transaction_reverse(original=paid, reason="Bounced", on=week_ending - timedelta(days=1))
    _post(e, [(RENT, 100, week_ending - timedelta(days=370))], "before")  # before the 52 weeks: only the balance
    _post(f, [(RENT, 120, week_ending - timedelta(days=4))], "since")

    kpi_snapshot_take(week_ending=week_ending, from_previous_week=True)
    assert KpiWeek.objects.get(week_ending=week_ending).built_from == KpiWeek.BuiltFrom.PREVIOUS_WEEK
    built = _week(week_ending)
    call_command("kpi_snapshot", "--week-ending", week_ending.isoformat())
    assert KpiWeek.objects.get(week_ending=week_ending).built_from == KpiWeek.BuiltFrom.LEDGER
    rebuilt = _week(week_ending)
    assert len(built[1]) == len(rebuilt[1]) >= 3
    assert built == rebuilt
    # And the figures moved as the postings say: G's debit leaving the 52 weeks takes £95 off its rent debit.
    g_row = KpiAccountWeek.objects.get(week_ending=week_ending, account=g)
    assert g_row.rent_debit_52w == Decimal("190.00")
    f_row = KpiAccountWeek.objects.get(week_ending=week_ending, account=f)
    in_the_year = week_ending.month != 4  # the rent in advance was paid in March, in the year before
    assert f_row.balance == Decimal("-130.00")
    assert f_row.received_this_year == (Decimal("250.00") if in_the_year else Decimal("0.00"))


def test_a_week_without_the_one_before_is_built_from_the_ledger(estate):
    kpi_snapshot_take(week_ending=date(2026, 11, 15))
    kpi_snapshot_take(week_ending=date(2026, 11, 29), from_previous_week=True)
    assert KpiWeek.objects.get(week_ending=date(2026, 11, 29)).built_from == KpiWeek.BuiltFrom.LEDGER


def test_the_monday_task_builds_each_week_from_the_one_before(estate, time_machine):
    from dashboards.tasks import weekly_kpi_snapshot

    for monday in (date(2026, 11, 23), date(2026, 11, 30)):
        time_machine.move_to(london_noon(monday), tick=False)
        assert weekly_kpi_snapshot()["week_ending"] == (monday - timedelta(days=1)).isoformat()
    weeks = dict(KpiWeek.objects.values_list("week_ending", "built_from"))
    assert weeks == {
        date(2026, 11, 22): KpiWeek.BuiltFrom.LEDGER,
        date(2026, 11, 29): KpiWeek.BuiltFrom.PREVIOUS_WEEK,
    }
    assert KpiWeek.objects.get(week_ending=date(2026, 11, 29)).ledger_high_water == Transaction.objects.latest("id").id
