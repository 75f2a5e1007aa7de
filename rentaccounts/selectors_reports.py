"""Reads for the debt dashboards (issue 16): former tenants' arrears collected and owed, write-offs net of write-ons by
reason, month and officer, and Housing Benefit overpayments by scheme. Each is a handful of aggregate queries on
indexed columns (the ledger's `txn_date_type` index for a period's postings), so a page can compute them as it opens.
The definitions these serve are in `dashboards/kpis.py` (`DEBT_KPIS`) and docs/dashboards.md."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth

from incomeapp.money import ZERO, money_from_sum
from rentaccounts.constants import (
    RECEIPT_TYPES,
    AccountKind,
    OverpaymentLiability,
    OverpaymentStatus,
    TransactionType,
)
from rentaccounts.models import Account, HousingBenefitOverpayment, Transaction
from tenancies.constants import PaymentMethod, TenancyStatus


def ended_tenancies(on: date, prefix: str = "tenancy__") -> Q:
    """Tenancies that have ended by the date: marked former, or past their last day (as the arrears review reads it)."""
    return Q(**{f"{prefix}status": TenancyStatus.FORMER}) | Q(**{f"{prefix}end_date__lt": on})


@dataclass(frozen=True)
class FormerTenantArrears:
    balance: Decimal  # what ended tenancies' rent accounts owe (balances over £0)
    accounts_owing: int
    collected: Decimal  # receipts net of their reversals, dated after the tenancy ended, in the period
    collected_by_agency: Decimal  # of which paid through the debt collection agency


def former_tenant_arrears(*, since: date, until: date) -> FormerTenantArrears:
    """Former tenants' arrears now, and what was collected on them from `since` to `until` (both included). Only
    money received after the tenancy's last day counts as collected from a former tenant: payments while the tenancy
    was live are current rent collection. Reversed receipts (returned payments) are taken off when the reversal is
    dated in the period."""
    owing = Account.objects.filter(ended_tenancies(until), kind=AccountKind.RENT, balance__gt=0).aggregate(
        total=Sum("balance"), accounts=Count("id")
    )
    after_end = Q(account__tenancy__end_date__isnull=True) | Q(effective_date__gt=F("account__tenancy__end_date"))
    in_period = Q(effective_date__gte=since, effective_date__lte=until)
    on_former = Q(ended_tenancies(until, "account__tenancy__"), account__kind=AccountKind.RENT)
    receipts = Q(transaction_type__in=RECEIPT_TYPES) | Q(
        transaction_type=TransactionType.REVERSAL, reverses__transaction_type__in=RECEIPT_TYPES
    )
    agency = Q(payment_method=PaymentMethod.DEBT_AGENCY)
    sums = Transaction.objects.filter(in_period, on_former, after_end, receipts).aggregate(
        collected=Sum("amount"), agency=Sum("amount", filter=agency)
    )
    return FormerTenantArrears(
        balance=money_from_sum(owing["total"]),
        accounts_owing=owing["accounts"],
        collected=-money_from_sum(sums["collected"]),
        collected_by_agency=-money_from_sum(sums["agency"]),
    )


@dataclass
class WriteOffGroup:
    key: object  # a reason code, a month's first day, or an officer's id (None: not recorded)
    written_off: Decimal = ZERO
    written_on: Decimal = ZERO
    count: int = 0  # write-offs in the period (a write-on does not take one away)
    approvers: set = field(default_factory=set)  # officers: who approved them

    @property
    def net(self) -> Decimal:
        return self.written_off - self.written_on


@dataclass(frozen=True)
class WriteOffSummary:
    by_reason: list[WriteOffGroup]
    by_month: list[WriteOffGroup]
    by_officer: list[WriteOffGroup]
    rent_accounts_net: Decimal  # the part on rent accounts (what the Write-offs KPI counts)

    @property
    def written_off(self) -> Decimal:
        return sum((group.written_off for group in self.by_reason), ZERO)

    @property
    def written_on(self) -> Decimal:
        return sum((group.written_on for group in self.by_reason), ZERO)

    @property
    def net(self) -> Decimal:
        return self.written_off - self.written_on


# The write-off request behind a write-off posting, and behind the write-off a write-on (a reversal) reverses.
_OFF, _ON = "adjustment_requests__", "reverses__adjustment_requests__"


def _grouped(rows, by: str, key_of, groups: dict) -> None:
    for row in rows:
        group = groups.setdefault(key_of(row[by]), WriteOffGroup(key_of(row[by])))
        amount = money_from_sum(row["total"])
        if row.get("count") is None:  # write-ons: reversals, posted as debits
            group.written_on += amount
        else:
            group.written_off -= amount
            group.count += row["count"]


def write_offs_summary(*, since: date, until: date, months_since: date) -> WriteOffSummary:
    """Write-offs posted in the period (any debt account), net of the write-ons posted in it, by the write-off's reason
    and by the officer who asked for it (a write-on counts against the write-off it reverses); and by month from
    `months_since` to `until`, each in the month it was posted. Postings with no write-off request behind them (loaded
    from an old system) show under "not recorded"."""
    is_off = Q(transaction_type=TransactionType.WRITE_OFF)
    is_on = Q(transaction_type=TransactionType.REVERSAL, reverses__transaction_type=TransactionType.WRITE_OFF)
    offs, ons = Transaction.objects.filter(is_off), Transaction.objects.filter(is_on)
    period = Q(effective_date__gte=since, effective_date__lte=until)
    by_reason: dict = {}
    by_officer: dict = {}
    by_month: dict = {}
    for prefix, rows in ((_OFF, offs), (_ON, ons)):
        counted = {"count": Count("id")} if prefix == _OFF else {}
        reason, officer, approver = f"{prefix}write_off_reason", f"{prefix}requested_by", f"{prefix}decided_by"
        _grouped(
            rows.filter(period).values(reason).annotate(total=Sum("amount"), **counted), reason, lambda v: v or None,
            by_reason,
        )  # fmt: skip
        for row in rows.filter(period).values(officer, approver).annotate(total=Sum("amount"), **counted):
            _grouped([row], officer, lambda v: v, by_officer)
            if row[approver] is not None and prefix == _OFF:
                by_officer[row[officer]].approvers.add(row[approver])
        _grouped(
            rows.filter(effective_date__gte=months_since, effective_date__lte=until)
            .annotate(month=TruncMonth("effective_date")).values("month").annotate(total=Sum("amount"), **counted),
            "month", lambda v: v, by_month,
        )  # fmt: skip
    rent = Transaction.objects.filter(is_off | is_on, period, account__kind=AccountKind.RENT).aggregate(
        total=Sum("amount")
    )
    return WriteOffSummary(
        by_reason=sorted(by_reason.values(), key=lambda g: (-g.net, str(g.key))),
        by_month=sorted(by_month.values(), key=lambda g: g.key),
        by_officer=sorted(by_officer.values(), key=lambda g: (-g.net, str(g.key))),
        rent_accounts_net=-money_from_sum(rent["total"]),
    )


@dataclass(frozen=True)
class OverpaymentTotals:
    scheme: str
    count: int
    total: Decimal
    recoverable: Decimal  # to be recovered from the tenant
    blameless: Decimal  # the landlord's loss: the tenant owes nothing
    outstanding: Decimal  # recoverable and still being recovered
    recovered: Decimal
    written_off: Decimal

    @property
    def landlord_loss(self) -> Decimal:
        """What the landlord lost: blameless overpayments and recoverable ones written off."""
        return self.blameless + self.written_off


NO_SCHEME = "No scheme"


def hb_overpayments_by_scheme() -> list[OverpaymentTotals]:
    """Every Housing Benefit overpayment recorded, by the scheme of the home it concerns: one grouped query."""
    recoverable = Q(liability=OverpaymentLiability.RECOVERABLE)
    rows = (
        HousingBenefitOverpayment.objects.values(scheme=F("tenancy__property__scheme__name"))
        .annotate(
            count=Count("id"),
            total=Sum("amount"),
            recoverable=Sum("amount", filter=recoverable),
            blameless=Sum("amount", filter=Q(liability=OverpaymentLiability.BLAMELESS)),
            outstanding=Sum("amount", filter=recoverable & Q(status=OverpaymentStatus.OPEN)),
            recovered=Sum("amount", filter=recoverable & Q(status=OverpaymentStatus.RECOVERED)),
            written_off=Sum("amount", filter=recoverable & Q(status=OverpaymentStatus.WRITTEN_OFF)),
        )
        .order_by("scheme")
    )
    return [
        OverpaymentTotals(
            scheme=row["scheme"] or NO_SCHEME,
            count=row["count"],
            **{
                name: money_from_sum(row[name])
                for name in ("total", "recoverable", "blameless", "outstanding", "recovered", "written_off")
            },
        )
        for row in rows
    ]
