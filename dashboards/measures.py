"""The KPIs of `kpis.py` computed as of a date from the ledger, the stored recommendations and the casework records:
one fact row per rent account, then sums overall and by scheme, patch, officer, tenure and payment method. A past week
is rebuilt from the ledger alone; the weekly snapshot builds its week from the previous week's stored sums and the
ledger rows since, by the same rules (`_sum_rules`), and a test shows the two agree. A rebuild equals the snapshot
taken that week as long as nothing was posted back into that week since."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Q, Sum
from django.db.models.fields.json import KeyTextTransform

from arrears.constants import AgreementState
from arrears.models import (
    Agreement,
    AgreementStateChange,
    ArrearsCase,
    BenefitClaim,
    BreathingSpace,
    DirectPaymentRequest,
    Recommendation,
    ReviewRun,
)
from arrears.selectors import tenancy_weeks_basis
from courts.constants import OUTRIGHT, CourtOutcome, EvictionOutcome
from courts.models import Eviction, Hearing, Notice
from incomeapp.constants import Role
from incomeapp.models import User
from incomeapp.money import ZERO, money_from_sum
from rentaccounts.constants import RECEIPT_TYPES, AccountKind, TransactionType
from rentaccounts.models import Account, DirectDebitMandate, Transaction
from tenancies.constants import WeeksBasis
from tenancies.selectors import WeeklyRent, weekly_rent

from .kpis import KPIS
from .models import KpiAccountWeek, KpiWeek

DIMENSIONS = ("scheme", "patch", "officer", "tenure", "payment_method")
ORDERS = (*OUTRIGHT, CourtOutcome.SUSPENDED, CourtOutcome.POSTPONED)


def financial_year_start(day: date) -> date:
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


@dataclass
class AccountFacts:
    account_id: int
    tenancy_id: int
    payment_reference: str
    current: bool
    balance: Decimal
    weekly_rent: Decimal  # on the tenancy's weeks basis
    weeks_basis: str
    rent_debit_52w: Decimal
    due_this_year: Decimal
    received_this_year: Decimal
    written_off_this_year: Decimal
    technical_arrears: Decimal
    direct_debit: bool
    on_uc: bool
    uc_apa: bool
    groups: dict = field(default_factory=dict)

    @property
    def arrears(self) -> Decimal:
        return max(self.balance, ZERO)


CHARGED = (TransactionType.RENT_DEBIT, TransactionType.CHARGE_DEBIT)
NO_SUMS = (ZERO, ZERO, ZERO, ZERO)
TXN, ACCOUNT_WEEK = Transaction._meta.db_table, KpiAccountWeek._meta.db_table


def _sum_rules(on: date) -> list[tuple[str, str, str, list]]:
    """Which ledger rows count for which of an account's sums as of the date, once for the full pass and the weekly
    build alike: (sum, the amount it adds, SQL condition, its parameters). Rent and charges debited in the 52 weeks to
    the date (rent-free weeks debit nothing) and in the financial year to it; received and written off in the year,
    as positive amounts."""
    year_start, year_ago = financial_year_start(on), on - timedelta(days=363)
    charged, receipts = ", ".join(["%s"] * len(CHARGED)), ", ".join(["%s"] * len(RECEIPT_TYPES))
    between = "effective_date BETWEEN %s AND %s"
    return [
        ("rent_52w", "amount", f"transaction_type IN ({charged}) AND {between}", [*CHARGED, year_ago, on]),
        ("due", "amount", f"transaction_type IN ({charged}) AND {between}", [*CHARGED, year_start, on]),
        ("received", "-amount", f"transaction_type IN ({receipts}) AND {between}", [*RECEIPT_TYPES, year_start, on]),
        ("written_off", "-amount", f"transaction_type = %s AND {between}", [TransactionType.WRITE_OFF, year_start, on]),
    ]


def _ledger_totals(on: date, where: str) -> tuple[str, list]:
    """The sums per account over the ledger rows matching `where` (its parameters go after these): for a year of
    rows, where summing with FILTER skips the rows a sum does not count."""
    rules = _sum_rules(on)
    columns = ", ".join(f"SUM({amount}) FILTER (WHERE {condition}) AS {name}" for name, amount, condition, _ in rules)
    sql = f"SELECT account_id, {columns}, 0 AS held FROM {TXN} WHERE {where} GROUP BY account_id"  # noqa: S608
    return sql, [value for *_, params in rules for value in params]


def _ledger_parts(on: date, where: str) -> tuple[str, list]:
    """Each ledger row's part in the sums, row by row, for the rows matching `where`: for the weekly build's few rows,
    added up with the previous week's in one grouping."""
    rules = _sum_rules(on)
    columns = ", ".join(f"CASE WHEN {condition} THEN {amount} END AS {name}" for name, amount, condition, _ in rules)
    sql = f"SELECT account_id, {columns}, 0 AS held FROM {TXN} WHERE {where}"  # noqa: S608
    return sql, [value for *_, params in rules for value in params]


def _sums_fetch(parts: str, params: list) -> tuple[dict[int, list[Decimal]], set[int]]:
    """Adds up the parts per account in the database: each account's sums, and the accounts a previous week held."""
    sums: dict[int, list[Decimal]] = {}
    held = set()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT account_id, SUM(rent_52w), SUM(due), SUM(received), SUM(written_off), SUM(held)
                FROM ({parts}) AS parts GROUP BY account_id""",  # noqa: S608  (built from the SQL above)
            params,
        )
        for account_id, rent_52w, due, received, written_off, in_previous in cursor.fetchall():
            sums[account_id] = [
                money_from_sum(rent_52w),
                money_from_sum(due),
                money_from_sum(received),
                money_from_sum(written_off),
            ]
            if in_previous:
                held.add(account_id)
    return sums, held


def _reversals_net(totals: dict[int, list[Decimal]], rows, on: date) -> None:
    """Takes the reversals of receipts and write-offs among the rows given, dated in the year, off what was received
    and written off."""
    reversals = (
        rows.filter(
            effective_date__gte=financial_year_start(on),
            effective_date__lte=on,
            transaction_type=TransactionType.REVERSAL,
            reverses__transaction_type__in=[*RECEIPT_TYPES, TransactionType.WRITE_OFF],
        )
        .values("account_id", "reverses__transaction_type")
        .annotate(total=Sum("amount"))
    )
    for row in reversals:
        column = 3 if row["reverses__transaction_type"] == TransactionType.WRITE_OFF else 2
        totals.setdefault(row["account_id"], list(NO_SUMS))[column] -= money_from_sum(row["total"])


def _sums_in_full(on: date, account_ids: set[int] | None = None) -> dict[int, list[Decimal]]:
    """From the ledger alone: every row from the earlier of 1 April and 52 weeks back, of every account or of those
    given. (Every account rather than a join to the rent accounts: the join cost more than the rows it saves.)"""
    since = min(financial_year_start(on), on - timedelta(days=363))
    where, where_params = "effective_date >= %s AND effective_date <= %s", [since, on]
    rows = Transaction.objects.filter(effective_date__gte=since, effective_date__lte=on)
    if account_ids is not None:
        ids = sorted(account_ids)
        where += f" AND account_id IN ({', '.join(['%s'] * len(ids))})"
        where_params += ids
        rows = rows.filter(account_id__in=ids)
    totals, params = _ledger_totals(on, where)
    sums, _ = _sums_fetch(totals, params + where_params)
    _reversals_net(sums, rows, on)
    return sums


def _sums_from_previous(on: date, previous: KpiWeek, account_ids: set[int]) -> dict[int, list[Decimal]]:
    """The week's sums from the previous week's stored ones, reading about two weeks of ledger rather than a year:
    the rows posted since that snapshot (whatever their dates), the rows it already held that are dated in the new
    week, and the charges of the week that leaves the 52 (taken off). The year's sums start again in the week with
    1 April in it. One statement whose parts each read an index, added up by the database; the few reversals of
    receipts and write-offs are read apart. Accounts the previous week did not hold (new tenancies) are summed in
    full."""
    last_week, high_water = previous.week_ending, previous.ledger_high_water
    if on - last_week != timedelta(days=7):
        raise ValueError("A week is built only from the week before it.")
    carry = 1 if financial_year_start(last_week) == financial_year_start(on) else 0
    posted_since, posted_since_params = _ledger_parts(on, "id > %s")
    dated_in_week, dated_in_week_params = _ledger_parts(on, "id <= %s AND effective_date > %s AND effective_date <= %s")
    charged = ", ".join(["%s"] * len(CHARGED))
    parts = f"""SELECT account_id, rent_debit_52w AS rent_52w, due_this_year * %s AS due,
                received_this_year * %s AS received, written_off_this_year * %s AS written_off, 1 AS held
            FROM {ACCOUNT_WEEK} WHERE week_ending = %s
          UNION ALL {posted_since}
          UNION ALL {dated_in_week}
          UNION ALL SELECT account_id, -amount, 0, 0, 0, 0 FROM {TXN}
            WHERE id <= %s AND transaction_type IN ({charged}) AND effective_date >= %s AND effective_date < %s"""  # noqa: S608
    params = [
        carry, carry, carry, last_week,
        *posted_since_params, high_water,
        *dated_in_week_params, high_water, last_week, on,
        high_water, *CHARGED, last_week - timedelta(days=363), on - timedelta(days=363),
    ]  # fmt: skip
    sums, held = _sums_fetch(parts, params)
    _reversals_net(sums, Transaction.objects.filter(Q(id__gt=high_water) | Q(effective_date__gt=last_week)), on)
    new_accounts = account_ids - held
    if new_accounts:
        in_full = _sums_in_full(on, new_accounts)
        for account_id in new_accounts:
            sums[account_id] = in_full.get(account_id, list(NO_SUMS))
    return sums


def _later(on: date) -> dict[int, Decimal]:
    """What each account has posted dated after the date, to take its balance back to the date."""
    rows = Transaction.objects.filter(effective_date__gt=on).values("account_id").annotate(total=Sum("amount"))
    return {row["account_id"]: money_from_sum(row["total"]) for row in rows}


def account_facts(on: date, previous: KpiWeek | None = None) -> list[AccountFacts]:
    """One row per rent account of a tenancy that had started by the date. With the previous week's snapshot the
    ledger sums are built from it (the weekly snapshot); without, from the ledger alone (a rebuild); the two agree."""
    accounts = Account.objects.filter(kind=AccountKind.RENT, tenancy__start_date__lte=on)
    rows = list(
        accounts.values_list(
            "id",
            "tenancy_id",
            "balance",
            "tenancy__payment_reference",
            "tenancy__end_date",
            "tenancy__property__scheme__name",
            "tenancy__property__patch__name",
            "tenancy__tenure_type",
            "tenancy__payment_method",
        )
    )
    sums = _sums_in_full(on) if previous is None else _sums_from_previous(on, previous, {row[0] for row in rows})
    later = _later(on)
    weekly = weekly_rent(on=on)  # on each tenancy's weeks basis, as on the worklist, the account page and statements
    basis = tenancy_weeks_basis()
    run = (
        ReviewRun.objects.filter(as_of__lte=on, scope="all", dry_run=False, status="completed")
        .order_by("-as_of", "-id")
        .first()
    )
    technical = {}
    if run is not None:
        for account_id, amount in Recommendation.objects.filter(run=run).values_list(
            "account_id", KeyTextTransform("technical_arrears", "facts")
        ):
            technical[account_id] = Decimal(str(amount or "0"))
    dd = set(
        DirectDebitMandate.objects.filter(start_date__lte=on)
        .filter(Q(cancelled_on__isnull=True) | Q(cancelled_on__gt=on))
        .values_list("tenancy_id", flat=True)
    )
    uc = set(
        BenefitClaim.objects.filter(benefit="uc", started_on__lte=on, status__in=["pending", "in_payment"]).values_list(
            "tenancy_id", flat=True
        )
    )
    apa = set(
        DirectPaymentRequest.objects.filter(
            kind__in=["managed_payment", "third_party_deduction"],
            status__in=["approved", "active"],
            requested_on__lte=on,
        ).values_list("tenancy_id", flat=True)
    )
    officers = dict(
        ArrearsCase.objects.filter(opened_on__lte=on)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on))
        .values_list("account_id", "officer__username")
    )
    facts = []
    for account_id, tenancy_id, balance, reference, ended, scheme, patch, tenure, payment_method in rows:
        rent_52w, due, received, written_off = sums.get(account_id, NO_SUMS)
        facts.append(
            AccountFacts(
                account_id=account_id,
                tenancy_id=tenancy_id,
                payment_reference=reference,
                current=ended is None or ended >= on,
                balance=balance - later.get(account_id, ZERO),
                weekly_rent=weekly.get(tenancy_id, WeeklyRent()).on_basis(basis.get(tenancy_id, WeeksBasis.RENT)),
                weeks_basis=basis.get(tenancy_id, WeeksBasis.RENT),
                rent_debit_52w=rent_52w,
                due_this_year=due,
                received_this_year=received,
                written_off_this_year=written_off,
                technical_arrears=technical.get(account_id, ZERO),
                direct_debit=tenancy_id in dd,
                on_uc=tenancy_id in uc,
                uc_apa=tenancy_id in apa,
                groups={
                    "scheme": scheme or "No scheme",
                    "patch": patch or "No patch",
                    "officer": officers.get(account_id) or ("Unassigned" if account_id in officers else "No case"),
                    "tenure": tenure,
                    "payment_method": payment_method,
                },
            )
        )
    return facts


@dataclass
class Measure:
    numerator: Decimal
    denominator: Decimal | None  # None for a count

    @property
    def value(self) -> Decimal:
        if self.denominator is None:
            return self.numerator
        if not self.denominator:
            return ZERO
        return (self.numerator / self.denominator).quantize(Decimal("0.01"))


def _percent(numerator: Decimal, denominator: Decimal) -> Measure:
    return Measure(numerator * 100, denominator)


# What one account adds to each sum the KPIs are made of (counts are 1 or 0).
TOTALS = (
    "rent_debit", "received", "due", "written_off", "current", "arrears", "technical", "owing", "former_arrears",
    "direct_debit", "over_7", "uc", "uc_arrears", "uc_apa",
)  # fmt: skip
ONE, NOTHING = Decimal(1), ZERO


def _contribution(f: AccountFacts) -> tuple[Decimal, ...]:
    arrears = f.arrears
    if not f.current:
        return (f.rent_debit_52w, f.received_this_year, f.due_this_year, f.written_off_this_year,
                NOTHING, NOTHING, NOTHING, NOTHING, arrears, NOTHING, NOTHING, NOTHING, NOTHING, NOTHING)  # fmt: skip
    over_7 = f.weekly_rent > 0 and f.balance > 7 * f.weekly_rent
    return (
        f.rent_debit_52w, f.received_this_year, f.due_this_year, f.written_off_this_year,
        ONE, arrears, min(arrears, f.technical_arrears), ONE if arrears > 0 else NOTHING, NOTHING,
        ONE if f.direct_debit else NOTHING, ONE if over_7 else NOTHING, ONE if f.on_uc else NOTHING,
        arrears if f.on_uc else NOTHING, ONE if f.on_uc and f.uc_apa else NOTHING,
    )  # fmt: skip


def _from_totals(totals) -> dict[str, Measure]:
    t = dict(zip(TOTALS, totals, strict=True))
    return {
        "current_arrears_pct": _percent(t["arrears"], t["rent_debit"]),
        "current_arrears_net_pct": _percent(t["arrears"] - t["technical"], t["rent_debit"]),
        "collection_pct": _percent(t["received"], t["due"]),
        "former_arrears_pct": _percent(t["former_arrears"], t["rent_debit"]),
        "write_offs_pct": _percent(t["written_off"], t["rent_debit"]),
        "direct_debit_pct": _percent(t["direct_debit"], t["current"]),
        "average_arrears": Measure(t["arrears"], t["owing"]),
        "over_7_weeks_pct": _percent(t["over_7"], t["current"]),
        "uc_tenants": Measure(t["uc"], None),
        "uc_average_arrears": Measure(t["uc_arrears"], t["uc"]),
        "uc_with_apa": Measure(t["uc_apa"], None),
    }


def _column_sums(rows) -> list[Decimal]:
    return [sum(column, ZERO) for column in zip(*rows, strict=True)] if rows else [ZERO] * len(TOTALS)


def _counts(on: date, tenancy_groups: dict[int, dict]) -> dict[str, dict[tuple, Decimal]]:
    """Counts from the casework records, by (dimension, group) with ("all", "All") for the total."""
    week_start = on - timedelta(days=6)
    sources = {
        "nosps_served": Notice.objects.filter(served_on__gte=week_start, served_on__lte=on).values_list(
            "tenancy_id", flat=True
        ),
        "possession_orders": Hearing.objects.filter(
            hearing_on__gte=week_start, hearing_on__lte=on, outcome__in=ORDERS
        ).values_list("legal_case__tenancy_id", flat=True),
        "evictions": Eviction.objects.filter(
            outcome_on__gte=week_start,
            outcome_on__lte=on,
            outcome__in=[EvictionOutcome.EVICTED, EvictionOutcome.LEFT],
        ).values_list("tenancy_id", flat=True),
        "agreements_live": Agreement.objects.filter(state=AgreementState.LIVE, starts_on__lte=on).values_list(
            "case__account__tenancy_id", flat=True
        ),
        "agreements_breached": AgreementStateChange.objects.filter(
            state=AgreementState.BREACHED, on__gte=week_start, on__lte=on
        ).values_list("agreement__case__account__tenancy_id", flat=True),
        "breathing_space": BreathingSpace.objects.filter(starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .values_list("tenancy_id", flat=True)
        .distinct(),
    }
    counts = {}
    for key, tenancy_ids in sources.items():
        totals: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
        for tenancy_id in tenancy_ids:
            totals[("all", "All")] += 1
            for dimension, group in tenancy_groups.get(tenancy_id, {}).items():
                totals[(dimension, group)] += 1
        counts[key] = totals
    return counts


def kpi_measures(on: date, facts: list[AccountFacts] | None = None) -> dict[str, dict[tuple, Measure]]:
    """Every KPI as of the date: {kpi key: {(dimension, group): Measure}}, ("all", "All") being the headline."""
    facts = account_facts(on) if facts is None else facts
    # Each account's contribution once; summed first by its combination of groups (a few thousand at most), then
    # rolled up to each group and to the whole: one pass over the accounts, however many breakdowns.
    by_combination: dict[tuple, list[tuple]] = defaultdict(list)
    for fact in facts:
        by_combination[tuple(fact.groups[d] for d in DIMENSIONS)].append(_contribution(fact))
    combined = {combination: _column_sums(rows) for combination, rows in by_combination.items()}
    grouped: dict[tuple, list[list[Decimal]]] = defaultdict(list)
    grouped[("all", "All")] = []  # a headline even before any account exists (a landlord yet to load its data)
    for combination, totals in combined.items():
        grouped[("all", "All")].append(totals)
        for dimension, group in zip(DIMENSIONS, combination, strict=True):
            grouped[(dimension, group)].append(totals)
    measures: dict[str, dict[tuple, Measure]] = defaultdict(dict)
    for group_key, parts in grouped.items():
        for kpi_key, measure in _from_totals(_column_sums(parts)).items():
            measures[kpi_key][group_key] = measure
    tenancy_groups = {fact.tenancy_id: fact.groups for fact in facts}
    for kpi_key, totals in _counts(on, tenancy_groups).items():
        measures[kpi_key] = {group_key: Measure(total, None) for group_key, total in totals.items()}
        measures[kpi_key].setdefault(("all", "All"), Measure(ZERO, None))
    open_cases = (
        ArrearsCase.objects.filter(opened_on__lte=on).filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on)).count()
    )
    officers = User.objects.filter(is_active=True, groups__name=Role.INCOME_OFFICER).count()
    measures["cases_per_officer"] = {("all", "All"): Measure(Decimal(open_cases), Decimal(officers))}
    missing = {kpi.key for kpi in KPIS} - set(measures)
    if missing:
        raise RuntimeError(f"KPIs defined without a measure: {', '.join(sorted(missing))}")
    return dict(measures)
