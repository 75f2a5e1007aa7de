"""The KPIs of `kpis.py` computed as of a date from the ledger, the stored recommendations and the casework records:
one fact row per rent account, then sums overall and by scheme, patch, officer, tenure and payment method. The same
function writes the weekly snapshot and rebuilds a past week, so a rebuild equals the snapshot taken that week (as long
as nothing was posted back into that week since)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q, Sum

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
from courts.constants import OUTRIGHT, CourtOutcome, EvictionOutcome
from courts.models import Eviction, Hearing, Notice
from incomeapp.constants import Role
from incomeapp.models import User
from incomeapp.money import ZERO, to_money
from rentaccounts.charging import weekly_equivalent
from rentaccounts.constants import RECEIPT_TYPES, AccountKind, TransactionType
from rentaccounts.models import Account, DirectDebitMandate, Transaction
from tenancies.models import Charge

from .kpis import KPIS

DIMENSIONS = ("scheme", "patch", "officer", "tenure", "payment_method")
ORDERS = (*OUTRIGHT, CourtOutcome.SUSPENDED, CourtOutcome.POSTPONED)


def financial_year_start(day: date) -> date:
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def _money(value) -> Decimal:
    """A database sum as exact money (SQLite sums as floating point; PostgreSQL returns NUMERIC)."""
    if value is None:
        return ZERO
    return value if isinstance(value, Decimal) else to_money(f"{value:.2f}")


@dataclass
class AccountFacts:
    account_id: int
    tenancy_id: int
    payment_reference: str
    current: bool
    balance: Decimal
    weekly_rent: Decimal
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


def _window_sums(accounts, on: date, year_start: date, year_ago: date) -> dict[str, dict[int, Decimal]]:
    """Per account, in one pass over the ledger from the earlier of 1 April and 52 weeks ago: what was posted after the
    date (to take the balance back to it), the rent and charges debited in the 52 weeks and in the financial year (rent-
    free weeks debit nothing), receipts and write-offs in the year; then the few reversals of receipts or write-offs."""
    charged = Q(transaction_type__in=[TransactionType.RENT_DEBIT, TransactionType.CHARGE_DEBIT])
    this_year = Q(effective_date__gte=year_start, effective_date__lte=on)
    names = ("later", "rent_52w", "due_year", "received", "written_off")
    sums: dict[str, dict[int, Decimal]] = {name: {} for name in names}
    rows = (
        Transaction.objects.filter(account__in=accounts, effective_date__gte=min(year_start, year_ago))
        .values("account_id")
        .annotate(
            later=Sum("amount", filter=Q(effective_date__gt=on)),
            rent_52w=Sum("amount", filter=charged & Q(effective_date__gte=year_ago, effective_date__lte=on)),
            due_year=Sum("amount", filter=charged & this_year),
            received=Sum("amount", filter=Q(transaction_type__in=RECEIPT_TYPES) & this_year),
            written_off=Sum("amount", filter=Q(transaction_type=TransactionType.WRITE_OFF) & this_year),
        )
    )
    for row in rows:
        for name in names:
            if row[name] is not None:
                sums[name][row["account_id"]] = _money(row[name])
    reversals = (
        Transaction.objects.filter(
            account__in=accounts,
            transaction_type=TransactionType.REVERSAL,
            effective_date__gte=year_start,
            effective_date__lte=on,
            reverses__transaction_type__in=[*RECEIPT_TYPES, TransactionType.WRITE_OFF],
        )
        .values("account_id", "reverses__transaction_type")
        .annotate(total=Sum("amount"))
    )
    for row in reversals:
        name = "written_off" if row["reverses__transaction_type"] == TransactionType.WRITE_OFF else "received"
        sums[name][row["account_id"]] = sums[name].get(row["account_id"], ZERO) + _money(row["total"])
    return sums


def account_facts(on: date) -> list[AccountFacts]:
    """One row per rent account of a tenancy that had started by the date."""
    accounts = Account.objects.filter(kind=AccountKind.RENT, tenancy__start_date__lte=on)
    rows = list(
        accounts.values(
            "id",
            "balance",
            "tenancy_id",
            "tenancy__payment_reference",
            "tenancy__end_date",
            "tenancy__tenure_type",
            "tenancy__payment_method",
            "tenancy__rent_period",
            "tenancy__property__scheme__name",
            "tenancy__property__patch__name",
        )
    )
    year_start = financial_year_start(on)
    year_ago = on - timedelta(days=363)
    sums = _window_sums(accounts, on, year_start, year_ago)
    later, rent_52w, due_year = sums["later"], sums["rent_52w"], sums["due_year"]
    received, written_off = sums["received"], sums["written_off"]
    weekly = defaultdict(lambda: ZERO)
    for charge in (
        Charge.objects.filter(counts_as_rent=True, effective_from__lte=on)
        .exclude(effective_to__lt=on)
        .values("tenancy_id", "amount", "tenancy__rent_period")
    ):
        weekly[charge["tenancy_id"]] += weekly_equivalent(charge["amount"], charge["tenancy__rent_period"])
    run = (
        ReviewRun.objects.filter(as_of__lte=on, scope="all", dry_run=False, status="completed")
        .order_by("-as_of", "-id")
        .first()
    )
    technical = {}
    if run is not None:
        for account_id, facts in Recommendation.objects.filter(run=run).values_list("account_id", "facts"):
            technical[account_id] = Decimal(str(facts.get("technical_arrears") or "0"))
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
    for row in rows:
        account_id, tenancy_id = row["id"], row["tenancy_id"]
        ended = row["tenancy__end_date"]
        facts.append(
            AccountFacts(
                account_id=account_id,
                tenancy_id=tenancy_id,
                payment_reference=row["tenancy__payment_reference"],
                current=ended is None or ended >= on,
                balance=row["balance"] - later.get(account_id, ZERO),
                weekly_rent=weekly[tenancy_id],
                rent_debit_52w=rent_52w.get(account_id, ZERO),
                due_this_year=due_year.get(account_id, ZERO),
                received_this_year=-received.get(account_id, ZERO),
                written_off_this_year=-written_off.get(account_id, ZERO),
                technical_arrears=technical.get(account_id, ZERO),
                direct_debit=tenancy_id in dd,
                on_uc=tenancy_id in uc,
                uc_apa=tenancy_id in apa,
                groups={
                    "scheme": row["tenancy__property__scheme__name"] or "No scheme",
                    "patch": row["tenancy__property__patch__name"] or "No patch",
                    "officer": officers.get(account_id) or ("Unassigned" if account_id in officers else "No case"),
                    "tenure": row["tenancy__tenure_type"],
                    "payment_method": row["tenancy__payment_method"],
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


def _from_facts(facts: list[AccountFacts]) -> dict[str, Measure]:
    current = [f for f in facts if f.current]
    former = [f for f in facts if not f.current]
    rent_debit = sum((f.rent_debit_52w for f in facts), ZERO)
    arrears = sum((f.arrears for f in current), ZERO)
    technical = sum((min(f.arrears, f.technical_arrears) for f in current), ZERO)
    owing = [f for f in current if f.arrears > 0]
    uc = [f for f in current if f.on_uc]
    over_7 = [f for f in current if f.weekly_rent > 0 and f.balance > 7 * f.weekly_rent]
    return {
        "current_arrears_pct": _percent(arrears, rent_debit),
        "current_arrears_net_pct": _percent(arrears - technical, rent_debit),
        "collection_pct": _percent(
            sum((f.received_this_year for f in facts), ZERO), sum((f.due_this_year for f in facts), ZERO)
        ),
        "former_arrears_pct": _percent(sum((f.arrears for f in former), ZERO), rent_debit),
        "write_offs_pct": _percent(sum((f.written_off_this_year for f in facts), ZERO), rent_debit),
        "direct_debit_pct": _percent(Decimal(sum(f.direct_debit for f in current)), Decimal(len(current))),
        "average_arrears": Measure(arrears, Decimal(len(owing))),
        "over_7_weeks_pct": _percent(Decimal(len(over_7)), Decimal(len(current))),
        "uc_tenants": Measure(Decimal(len(uc)), None),
        "uc_average_arrears": Measure(sum((f.arrears for f in uc), ZERO), Decimal(len(uc))),
        "uc_with_apa": Measure(Decimal(sum(f.uc_apa for f in uc)), None),
    }


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
    grouped: dict[tuple, list[AccountFacts]] = defaultdict(list)
    for fact in facts:
        grouped[("all", "All")].append(fact)
        for dimension, group in fact.groups.items():
            grouped[(dimension, group)].append(fact)
    measures: dict[str, dict[tuple, Measure]] = defaultdict(dict)
    for group_key, members in grouped.items():
        for kpi_key, measure in _from_facts(members).items():
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
