"""The KPIs of `kpis.py` computed as of a date from the ledger, the stored recommendations and the casework records:
one fact row per rent account, then sums overall and by scheme, patch, officer, tenure and payment method. A past week
is rebuilt from the ledger alone; the weekly snapshot builds its week from the previous week's stored sums and the
ledger rows since, by the same rules (`_sum_rules`), and a test shows the two agree. A rebuild equals the snapshot
taken that week as long as nothing was posted back into that week since. The ledger sums themselves are in
`dashboards.ledger_sums`."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q, Sum
from django.db.models.fields.json import KeyTextTransform

from arrears.constants import AgreementState
from arrears.models import (
    Agreement,
    AgreementStateChange,
    ArrearsCase,
    BreathingSpace,
    Recommendation,
)
from arrears.selectors import (
    direct_payment_tenancy_ids,
    full_reviews,
    tenancy_weeks_basis,
    universal_credit_tenancy_ids,
)
from courts.constants import OUTRIGHT, CourtOutcome, EvictionOutcome
from courts.models import Eviction, Hearing, Notice
from incomeapp.constants import Role
from incomeapp.models import User
from incomeapp.money import ZERO, money_from_sum
from rentaccounts.constants import AccountKind
from rentaccounts.models import Account, DirectDebitMandate, Transaction
from tenancies.constants import WeeksBasis
from tenancies.selectors import WeeklyRent, weekly_rent

from .kpis import KPIS
from .ledger_sums import CHARGED, NO_SUMS, _sums_from_previous, _sums_in_full, financial_year_start
from .models import KpiWeek

DIMENSIONS = ("scheme", "patch", "officer", "tenure", "payment_method")
ORDERS = (*OUTRIGHT, CourtOutcome.SUSPENDED, CourtOutcome.POSTPONED)


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
    run = full_reviews(on_or_before=on).first()
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
    uc = universal_credit_tenancy_ids(on=on)
    apa = direct_payment_tenancy_ids(on=on)
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


__all__ = [
    "CHARGED",
    "DIMENSIONS",
    "NO_SUMS",
    "ORDERS",
    "TOTALS",
    "AccountFacts",
    "Measure",
    "account_facts",
    "financial_year_start",
    "kpi_measures",
]
