"""How charges are listed (their order, whether a type counts as rent when nobody says, the phrase for each rent
period) and what a change did: `ChargeChangeResult`, charge by charge and rent period by rent period."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from incomeapp.money import ZERO, format_money
from rentaccounts.services.tenancy_charges import ChargeDifference
from tenancies.constants import CHARGE_LABELS, ChargeType, RentPeriod
from tenancies.models import Charge, Tenancy, TenancyEvent
from tenancies.specs import ChargeSpec

# The order charges are listed in on screens and letters.
CHARGE_ORDER = {choice.value: index for index, choice in enumerate(ChargeType)}
# Whether a charge type counts as rent when nobody says (rent and benefit-eligible service charges do).
COUNTS_AS_RENT_BY_DEFAULT = {ChargeType.RENT: True, ChargeType.ELIGIBLE_SERVICE: True}
PERIOD_PHRASES = {
    RentPeriod.WEEKLY: "a week",
    RentPeriod.FORTNIGHTLY: "a fortnight",
    RentPeriod.FOUR_WEEKLY: "every 4 weeks",
    RentPeriod.MONTHLY: "a month",
}


@dataclass(frozen=True)
class ChargeLineChange:
    """One charge type before and after a change (None where there was or will be no such charge)."""

    charge_type: str
    old: Decimal | None
    new: Decimal | None

    @property
    def label(self) -> str:
        return CHARGE_LABELS.get(self.charge_type, self.charge_type)

    @property
    def difference(self) -> Decimal:
        return (self.new or ZERO) - (self.old or ZERO)


@dataclass
class PeriodPosting:
    period_start: date
    period_end: date
    posted: Decimal
    due: Decimal

    @property
    def difference(self) -> Decimal:
        return self.due - self.posted


@dataclass
class ChargeChangeResult:
    tenancy: Tenancy
    effective_from: date
    changed: bool
    before: list[ChargeSpec]
    after: list[ChargeSpec]
    later_kept: list[tuple[date, ChargeSpec]] = field(default_factory=list)
    differences: list[ChargeDifference] = field(default_factory=list)
    event: TenancyEvent | None = None
    created: list[Charge] = field(default_factory=list)
    # The rows in effect from the date, by charge type (kept or made), and the rows that now end the day before.
    rows_from: dict[str, Charge] = field(default_factory=dict)
    ended: dict[str, Charge] = field(default_factory=dict)

    @property
    def lines(self) -> list[ChargeLineChange]:
        return charge_line_changes(self.before, self.after)

    @property
    def total_before(self) -> Decimal:
        return sum((spec.amount for spec in self.before), ZERO)

    @property
    def total_after(self) -> Decimal:
        return sum((spec.amount for spec in self.after), ZERO)

    @property
    def total_difference(self) -> Decimal:
        return self.total_after - self.total_before

    @property
    def posted_total(self) -> Decimal:
        return sum((d.difference for d in self.differences), ZERO)

    @property
    def posted_by_period(self) -> list[PeriodPosting]:
        """The postings for periods already charged, one line per rent period (every charge of it together)."""
        periods: dict[tuple[date, date], PeriodPosting] = {}
        for d in sorted(self.differences, key=lambda d: d.period_start):
            key = (d.period_start, d.period_end)
            line = periods.setdefault(key, PeriodPosting(d.period_start, d.period_end, ZERO, ZERO))
            line.posted += d.posted
            line.due += d.due
        return list(periods.values())

    @property
    def summary(self) -> str:
        """What changed, in a sentence, for a success banner."""
        if not self.changed:
            return f"Nothing changed: those are already the charges from {self.effective_from:%-d %B %Y}."
        period = PERIOD_PHRASES.get(self.tenancy.rent_period, "a period")
        text = (
            f"Charges for {self.tenancy.payment_reference} changed from {self.effective_from:%-d %B %Y}: "
            f"{format_money(self.total_after)} {period} (was {format_money(self.total_before)})."
        )
        if self.differences:
            text += (
                f" {format_money(self.posted_total)} was posted to the rent account for "
                f"{len(self.posted_by_period)} period(s) already charged."
            )
        return text


def charge_line_changes(before: list[ChargeSpec], after: list[ChargeSpec]) -> list[ChargeLineChange]:
    old = {spec.charge_type: spec.amount for spec in before}
    new = {spec.charge_type: spec.amount for spec in after}
    types = sorted(set(old) | set(new), key=lambda t: CHARGE_ORDER.get(t, 99))
    return [ChargeLineChange(t, old.get(t), new.get(t)) for t in types]
