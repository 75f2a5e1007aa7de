"""The weekly rent run: every charge due for rent periods starting in a week, posted once (idempotency keys name the
charge and the period), with the accounts a tenancy lacks made first."""

from collections import defaultdict
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from incomeapp.ahead import read_ahead, write_alongside
from rentaccounts.charging import ChargeLine, PeriodCharge, TenancyTerms, charges_due_in_week
from rentaccounts.constants import AccountKind, TransactionType
from rentaccounts.models import Account, ChargingChange, RentRun
from tenancies.constants import CHARGE_LABELS, ChargeType
from tenancies.models import Charge, RentFreeWeek, Tenancy

from .ledger import Posting, transactions_post

RENT_RUN_TENANCIES = 25_000  # tenancies in each of the run's transactions (about 50,000 lines at two charges each)
RENT_RUN_WRITERS = 2  # ranges posted at once, each on its own connection (their accounts never overlap)


def _rent_free_weeks_by_scheme(week_commencing: date, weeks_ahead: int = 5) -> dict[int, frozenset[date]]:
    # Multi-week periods starting this week can contain later rent-free weeks (4-weekly: up to 3 more weeks).
    by_scheme: dict[int, set[date]] = defaultdict(set)
    rows = RentFreeWeek.objects.filter(
        week_commencing__gte=week_commencing, week_commencing__lt=week_commencing + timedelta(weeks=weeks_ahead)
    ).values_list("scheme_id", "week_commencing")
    for scheme_id, monday in rows:
        by_scheme[scheme_id].add(monday)
    return {scheme_id: frozenset(days) for scheme_id, days in by_scheme.items()}


def _live_tenancies(week_commencing: date):
    week_end = week_commencing + timedelta(days=6)
    return Tenancy.objects.filter(start_date__lte=week_end).exclude(end_date__lt=week_commencing)


def rent_debits_due(
    *, week_commencing: date, tenancy_ids: tuple[int, int] | None = None
) -> list[tuple[int, str, PeriodCharge]]:
    """(rent account id, charge type, PeriodCharge) for every charge due for periods starting in the week, for the
    tenancies live in it (with `tenancy_ids`, those whose ids are in that range, first and last included).

    One query for the charges (with the rent account joined), the charging rule applied in memory. A tenancy with no
    rent account yet is left out: the run makes the missing accounts first.
    """
    week_end = week_commencing + timedelta(days=6)
    rent_free = _rent_free_weeks_by_scheme(week_commencing)
    live = _live_tenancies(week_commencing)
    if tenancy_ids is not None:
        live = live.filter(id__range=tenancy_ids)
    charges = (
        Charge.objects.filter(
            tenancy__in=live,
            tenancy__accounts__kind=AccountKind.RENT,
            effective_from__lte=week_end + timedelta(days=31),
        )
        .exclude(effective_to__lt=week_commencing)
        .order_by("tenancy_id", "id")
        .values_list(
            "id",
            "tenancy__accounts__id",
            "charge_type",
            "amount",
            "effective_from",
            "effective_to",
            "tenancy__rent_period",
            "tenancy__start_date",
            "tenancy__end_date",
            "tenancy__property__scheme_id",
        )
    )
    no_rent_free: frozenset[date] = frozenset()
    due = []
    for charge_id, account_id, charge_type, amount, eff_from, eff_to, period, start, end, scheme_id in charges.iterator(
        chunk_size=20000
    ):
        terms = TenancyTerms(period, start, end)
        line = ChargeLine(charge_id, amount, eff_from, eff_to)
        for period_charge in charges_due_in_week(
            terms, [line], week_commencing, rent_free.get(scheme_id, no_rent_free)
        ):
            due.append((account_id, charge_type, period_charge))
    return due


def rent_debit_key(charge_id: int, period_start: date) -> str:
    """The period start comes first, so one week's keys sit together in the ledger's unique index: a rent run then
    writes one run of index pages rather than touching pages all over it."""
    return f"charge:{period_start.isoformat()}:{charge_id}"


def rent_debit_type(charge_type: str | None) -> str:
    """Rent is posted as a rent debit; every other charge (service, support, other) as a charge debit."""
    return TransactionType.RENT_DEBIT if charge_type == ChargeType.RENT else TransactionType.CHARGE_DEBIT


def rent_debit_posting(*, account_id: int, charge_type: str, line: ChargeLine) -> Posting:
    """The debit of one charge for one rent period, keyed (`rent_debit_key`) so that it is posted once."""
    return Posting(
        account_id=account_id,
        transaction_type=rent_debit_type(charge_type),
        amount=line.amount,
        effective_date=line.effective_date,
        idempotency_key=rent_debit_key(line.charge_id, line.period_start),
        description=CHARGE_LABELS[charge_type],
        period_start=line.period_start,
        period_end=line.period_end,
    )


def _charging_changes() -> int | None:
    """How many changes to what the rent run reads have been committed (`ChargingChange`, kept by PostgreSQL
    triggers); None elsewhere (no triggers: the run always reads the charges)."""
    if connection.vendor != "postgresql":
        return None
    return ChargingChange.objects.count()


def rent_debits_post(*, week_commencing: date, started_by=None) -> RentRun:
    """Posts every charge due for rent periods starting in the week, once. Running it again posts nothing more.

    The live tenancies are taken in ranges of ids (RENT_RUN_TENANCIES), each range's lines posted in a transaction of
    their own; on PostgreSQL the next range's charges are read on one connection while two ranges' lines are written
    on two others. A run that dies part way keeps the ranges it finished and is not marked finished; running the week
    again posts only what is missing.

    A week already posted by a run that found the same number of charging changes as there are now is not read
    again: nothing the run reads (charges, tenancies' terms, homes' schemes, rent-free weeks, rent accounts) has
    changed since, so everything due was posted by that run. The run is recorded as checked only."""
    if week_commencing.weekday() != 0:
        raise ValidationError(f"{week_commencing:%-d %B %Y} is not a Monday: rent weeks start on Mondays.")
    changes = _charging_changes()  # read before the charges: a change after this makes the next run read them
    if (
        changes is not None
        and RentRun.objects.filter(
            week_commencing=week_commencing, charging_changes=changes, finished_at__isnull=False
        ).exists()
    ):
        return RentRun.objects.create(
            week_commencing=week_commencing,
            started_by=started_by,
            charging_changes=changes,
            checked_only=True,
            finished_at=timezone.now(),
        )
    _rent_accounts_create_missing(_live_tenancies(week_commencing))
    run = RentRun.objects.create(week_commencing=week_commencing, started_by=started_by, charging_changes=changes)

    def postings_due(ids: tuple[int, int]) -> list[Posting]:
        return [
            rent_debit_posting(account_id=account_id, charge_type=charge_type, line=line)
            for account_id, charge_type, line in rent_debits_due(week_commencing=week_commencing, tenancy_ids=ids)
        ]

    def post(postings: list[Posting]) -> None:
        with transaction.atomic():
            result = transactions_post(postings=postings, posted_by=started_by, rent_run=run)
            RentRun.objects.filter(pk=run.pk).update(
                posted_count=F("posted_count") + result.posted, posted_total=F("posted_total") + result.total
            )

    ranges = read_ahead(_tenancy_ranges(week_commencing), postings_due, name="rent-run-read")
    write_alongside((postings for _, postings in ranges), post, writers=RENT_RUN_WRITERS, name="rent-run-post")
    RentRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    run.refresh_from_db()
    return run


def _tenancy_ranges(week_commencing: date) -> list[tuple[int, int]]:
    """The live tenancies' ids in ranges of RENT_RUN_TENANCIES (first and last id of each)."""
    ids = list(_live_tenancies(week_commencing).order_by("id").values_list("id", flat=True))
    return [
        (ids[start], ids[min(start + RENT_RUN_TENANCIES, len(ids)) - 1])
        for start in range(0, len(ids), RENT_RUN_TENANCIES)
    ]


def _rent_accounts_create_missing(tenancies) -> None:
    missing = tenancies.exclude(accounts__kind=AccountKind.RENT).values_list("id", flat=True)
    Account.objects.bulk_create(
        [Account(tenancy_id=tenancy_id, kind=AccountKind.RENT) for tenancy_id in missing.iterator(chunk_size=10000)],
        batch_size=5000,
        ignore_conflicts=True,
    )
