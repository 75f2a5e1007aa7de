"""The figures of an end: the last rent period's charges worked out by day (`final_charges`), what ending (or
correcting the end of) a tenancy did (`EndResult`) and the rent account's balance."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from incomeapp.money import ZERO, apportion, format_money
from lifecycle.charges import CHARGE_LABELS
from rentaccounts.charging import ChargeLine, TenancyTerms, chargeable_days, monday_of, periods_starting_in_week
from rentaccounts.models import Account
from rentaccounts.services import account_get_or_create
from rentaccounts.services.tenancy_charges import ChargeDifference, rent_run_reached
from tenancies.constants import RentPeriod
from tenancies.models import RentFreeWeek, Tenancy, TenancyEvent

from .rules import REASON_LABELS

# ---- the figures -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FinalCharge:
    """One charge for the tenancy's last rent period, worked out by day."""

    charge_type: str
    amount: Decimal  # a whole period's charge
    period_start: date
    period_end: date
    days_charged: int
    days_in_period: int
    due: Decimal
    run_reached: bool  # the rent run has charged this period already (else it charges `due` when it gets there)

    @property
    def label(self) -> str:
        return CHARGE_LABELS.get(self.charge_type, self.charge_type)

    @property
    def is_part(self) -> bool:
        return self.days_charged != self.days_in_period


def balance_left_is(balance: Decimal) -> str:
    """What the balance an ended tenancy leaves behind is, in the words its history records."""
    if balance > ZERO:
        return "former-tenant arrears"
    if balance < ZERO:
        return "a credit to refund or transfer"
    return "nothing owed"


def _period_containing(terms: TenancyTerms, day: date) -> tuple[date, date] | None:
    for weeks_back in range(6):  # a monthly period starts at most 31 days before any of its days
        for start, end in periods_starting_in_week(terms, monday_of(day) - timedelta(weeks=weeks_back)):
            if start <= day <= end:
                return start, end
    return None


def final_charges(*, tenancy: Tenancy, last_day: date) -> list[FinalCharge]:
    """The tenancy's charges for the rent period its last day falls in: days charged of the days in the period (less
    rent-free weeks), and the amount apportioned by day (the same rule the rent run uses)."""
    terms = TenancyTerms(tenancy.rent_period, tenancy.start_date, last_day)
    period = _period_containing(terms, last_day)
    if period is None:
        return []
    start, end = period
    rent_free = frozenset(
        RentFreeWeek.objects.filter(
            scheme_id=tenancy.property.scheme_id, week_commencing__gte=monday_of(start), week_commencing__lte=end
        ).values_list("week_commencing", flat=True)
    )
    apply_rent_free = tenancy.rent_period != RentPeriod.MONTHLY
    reached = rent_run_reached()
    days_in_period = (end - start).days + 1
    lines = []
    for charge in tenancy.charges.order_by("charge_type", "effective_from", "id"):
        if charge.effective_from > last_day or (charge.effective_to is not None and charge.effective_to < start):
            continue
        line = ChargeLine(charge.pk, charge.amount, charge.effective_from, charge.effective_to)
        days = chargeable_days(start, end, terms, line, rent_free, apply_rent_free)
        if days <= 0 or charge.amount == ZERO:
            continue
        due = charge.amount if days == days_in_period else apportion(charge.amount, days, days_in_period)
        lines.append(
            FinalCharge(
                charge.charge_type,
                charge.amount,
                start,
                end,
                days,
                days_in_period,
                due,
                reached is not None and reached >= monday_of(start),
            )
        )
    return lines


@dataclass
class EndResult:
    """What ending (or correcting the end of) a tenancy did, or would do on a dry run."""

    tenancy: Tenancy
    last_day: date
    reason: str
    changed: bool
    balance_before: Decimal = ZERO
    balance: Decimal = ZERO
    final_charges: list[FinalCharge] = field(default_factory=list)
    differences: list[ChargeDifference] = field(default_factory=list)
    mandates_cancelled: list[str] = field(default_factory=list)
    case_closed: int | None = None
    addresses_set: list[str] = field(default_factory=list)
    addresses_kept: list[str] = field(default_factory=list)
    event: TenancyEvent | None = None
    previous_last_day: date | None = None  # a correction: the last day it replaced

    @property
    def reason_label(self) -> str:
        return REASON_LABELS.get(self.reason, self.reason)

    @property
    def correction_total(self) -> Decimal:
        return sum((d.difference for d in self.differences), ZERO)

    @property
    def reversed_total(self) -> Decimal:
        """Charges already posted for days after the last day, taken off (a positive figure)."""
        return -sum((d.difference for d in self.differences if d.difference < 0), ZERO)

    @property
    def added_total(self) -> Decimal:
        return sum((d.difference for d in self.differences if d.difference > 0), ZERO)

    @property
    def still_to_charge(self) -> Decimal:
        """The last period's charges the rent run has not reached yet: it posts them, by day, when it runs."""
        return sum((c.due for c in self.final_charges if not c.run_reached), ZERO)

    @property
    def final_total(self) -> Decimal:
        return sum((c.due for c in self.final_charges), ZERO)

    @property
    def former_tenant_arrears(self) -> Decimal:
        return self.balance if self.balance > ZERO else ZERO

    @property
    def credit(self) -> Decimal:
        return -self.balance if self.balance < ZERO else ZERO

    @property
    def summary(self) -> str:
        """What happened, in a few sentences, for the success banner."""
        reference = self.tenancy.payment_reference
        if not self.changed:
            return f"Nothing changed: {reference} already ended on {self.last_day:%-d %B %Y} ({self.reason_label})."
        if self.previous_last_day is not None:
            text = (
                f"The end of {reference} is corrected: its last day is {self.last_day:%-d %B %Y} ({self.reason_label})."
            )
        else:
            text = (
                f"{reference} ended on {self.last_day:%-d %B %Y} ({self.reason_label}). Charges stopped after that day."
            )
        if self.reversed_total:
            text += f" {format_money(self.reversed_total)} of charges already posted for later days was reversed."
        if self.added_total:
            text += f" {format_money(self.added_total)} was charged for days now inside the tenancy."
        if self.balance > ZERO:
            text += f" The balance of {format_money(self.balance)} is now former-tenant arrears."
        elif self.balance < ZERO:
            text += f" The account is {format_money(self.credit)} in credit: ask for a refund or a transfer."
        else:
            text += " Nothing is owed."
        if self.case_closed:
            text += " The arrears case was closed."
        if self.mandates_cancelled:
            text += f" Direct debit {', '.join(self.mandates_cancelled)} cancelled."
        return text


def _rent_balance(tenancy: Tenancy) -> Decimal:
    return Account.objects.filter(pk=account_get_or_create(tenancy=tenancy).pk).values_list("balance", flat=True)[0]
