"""One tenancy's charges changed from a date: the screens' "Change charges", each tenancy of an approved rent change
run, and the nightly sync from the housing management system all come through `tenancy_charges_change`.

The new set of charges applies from `effective_from` until the next change already scheduled for later (an approved
rent change run's April rows, say): those are kept, never silently dropped, and the screens say so, so the person can
change them too. The rows in effect that day are ended the day before; rows starting that same day are replaced. A
date in a week the rent run has already posted is allowed (never earlier than that week's Monday), and the difference
for the periods already charged is posted at once, by day, through
`rentaccounts.services.tenancy_charges.tenancy_charges_true_up`. An unchanged set writes nothing.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from arrears import services as arrears
from incomeapp.money import ZERO, MoneyError, format_money, to_money
from incomeapp.roles import staff_require
from rentaccounts.services.tenancy_charges import ChargeDifference, rent_run_reached, tenancy_charges_true_up
from tenancies.constants import CHARGE_LABELS, ChargeType, RentPeriod, TenancyEventKind
from tenancies.models import Charge, Tenancy, TenancyEvent
from tenancies.selectors import charges_in_effect
from tenancies.specs import ChargeSpec

from .models import RentChangeLine

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
# A period already charged can run this far past the Monday of the last week the rent run posted (a monthly period
# starting on the Sunday of that week): a change from a later date touches nothing posted, so no true-up is needed.
_POSTED_REACH = timedelta(days=6 + 31)


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


def _specs(charges: list[Charge]) -> list[ChargeSpec]:
    """Charge rows as one spec per type (two rows of one type in effect together, which old data can have, are added
    up, as the rent run charges both)."""
    by_type: dict[str, ChargeSpec] = {}
    for c in charges:
        seen = by_type.get(c.charge_type)
        amount = c.amount + (seen.amount if seen else ZERO)
        by_type[c.charge_type] = ChargeSpec(c.charge_type, amount, seen.counts_as_rent if seen else c.counts_as_rent)
    return _normalised(list(by_type.values()))


def _normalised(specs: list[ChargeSpec]) -> list[ChargeSpec]:
    """Zero charges dropped (a charge of £0.00 is no charge), in the usual order."""
    kept = [spec for spec in specs if spec.amount != ZERO]
    return sorted(kept, key=lambda spec: (CHARGE_ORDER.get(spec.charge_type, 99), spec.amount))


def charges_specs_check(charges: list[ChargeSpec]) -> list[ChargeSpec]:
    """The charges as exact amounts in the usual order, or a ValidationError saying what is wrong."""
    checked, seen = [], set()
    for spec in charges:
        if spec.charge_type not in CHARGE_LABELS:
            raise ValidationError(f"'{spec.charge_type}' is not a charge type. Use one of: {', '.join(CHARGE_LABELS)}.")
        label = CHARGE_LABELS[spec.charge_type]
        if spec.charge_type in seen:
            raise ValidationError(f"{label} is given twice. Give each charge once, with its total amount.")
        seen.add(spec.charge_type)
        try:
            amount = to_money(spec.amount)
        except (MoneyError, TypeError) as error:
            raise ValidationError(f"{label}: {error}") from error
        if amount < ZERO:
            raise ValidationError(f"{label} cannot be less than £0.00. To stop a charge, leave it out or set £0.00.")
        checked.append(ChargeSpec(spec.charge_type, amount, bool(spec.counts_as_rent)))
    return _normalised(checked)


def earliest_change_date(tenancy: Tenancy, reached: date | None = None) -> date:
    """The earliest day a tenancy's charges may change from: its start, and never before the Monday of the last week
    the rent run has posted (earlier weeks are closed)."""
    reached = rent_run_reached() if reached is None else reached
    return max(tenancy.start_date, reached) if reached else tenancy.start_date


def _unchanged(charges: list[Charge], effective_from: date, new: list[ChargeSpec], last_day: date | None) -> bool:
    """True when the charges in effect on every day from `effective_from` (to the tenancy's end, or to the next change
    already scheduled) are already `new`."""
    later = [c.effective_from for c in charges if c.effective_from > effective_from]
    until = min(later) if later else None  # a change scheduled for later is kept, so only the days before it count
    days = {effective_from}
    for charge in charges:
        if charge.effective_to is not None and charge.effective_to >= effective_from:
            days.add(charge.effective_to + timedelta(days=1))
    days = {day for day in days if (until is None or day < until) and (last_day is None or day <= last_day)}
    return all(_specs(charges_in_effect(charges, day)) == new for day in days)


def _dates_problem(tenancy: Tenancy, effective_from: date) -> str | None:
    if effective_from < tenancy.start_date:
        return (
            f"The tenancy started on {tenancy.start_date:%-d %B %Y}, so its charges cannot change before then. "
            f"Enter {tenancy.start_date:%-d %B %Y} or later."
        )
    if tenancy.end_date is not None and effective_from > tenancy.end_date:
        return (
            f"This tenancy ended on {tenancy.end_date:%-d %B %Y}, so its charges cannot change after that. "
            f"Enter {tenancy.end_date:%-d %B %Y} or earlier."
        )
    return None


def _rent_run_problem(tenancy: Tenancy, effective_from: date, reached: date | None) -> str | None:
    if reached is not None and effective_from < reached:
        earliest = max(tenancy.start_date, reached)
        return (
            f"The rent run has already charged the weeks before {reached:%-d %B %Y}, so the earliest date allowed is "
            f"{earliest:%A %-d %B %Y}. For an earlier change, ask for an adjustment of the difference."
        )
    return None


def _opening_balance_date(tenancy: Tenancy) -> date | None:
    """A migrated tenancy's opening balance covers its periods up to this day (recorded on its sign-up or load
    event), so those periods are never charged again here."""
    event = (
        TenancyEvent.objects.filter(
            tenancy=tenancy,
            kind__in=(TenancyEventKind.SIGN_UP, TenancyEventKind.LOADED),
            detail__has_key="opening_balance_date",
        )
        .only("detail")
        .first()
    )
    if event is None:
        return None
    try:
        return date.fromisoformat(str(event.detail["opening_balance_date"]))
    except ValueError:
        return None


def _describe(specs: list[ChargeSpec]) -> str:
    return ", ".join(f"{CHARGE_LABELS[s.charge_type]} {format_money(s.amount)}" for s in specs) or "no charges"


def _spec_rows(specs: list[ChargeSpec]) -> list[dict]:
    return [{"charge_type": s.charge_type, "amount": str(s.amount), "counts_as_rent": s.counts_as_rent} for s in specs]


def _by(charge: Charge, by, reason: str) -> None:
    charge._history_user = by
    charge._change_reason = reason[:100]


class _DryRun(Exception):
    """Raised inside the change to roll it back after working out what it would do."""


def tenancy_charges_change(
    *,
    by,
    tenancy: Tenancy,
    effective_from: date,
    charges: list[ChargeSpec],
    reason: str,
    dry_run: bool = False,
    event_kind: str = TenancyEventKind.CHARGE_CHANGE,
    event_detail: dict | None = None,
) -> ChargeChangeResult:
    """Changes a tenancy's charges from `effective_from` to `charges` (each rent period's amount; a type left out or
    set to £0.00 stops). Posts the difference for periods the rent run has already charged, dated today, and records a
    TenancyEvent with the figures before and after and the reason. An unchanged set returns `changed` False and writes
    nothing. With `dry_run` it works everything out (the postings too) and keeps nothing: the check-your-answers page.
    `event_kind` and `event_detail`: the annual rent change records itself as what it is."""
    new = charges_specs_check(charges)
    return _charges_change(
        by=by,
        tenancy=tenancy,
        effective_from=effective_from,
        build=lambda before: new,
        reason=reason,
        dry_run=dry_run,
        event_kind=event_kind,
        event_detail=event_detail,
    )


def tenancy_charges_amounts_set(
    *,
    by,
    tenancy: Tenancy,
    effective_from: date,
    amounts: dict[str, Decimal],
    reason: str,
    dry_run: bool = False,
    event_kind: str = TenancyEventKind.CHARGE_CHANGE,
    event_detail: dict | None = None,
) -> ChargeChangeResult:
    """The same change, given only the charge types that change: the charges in effect on `effective_from` with these
    types set to these amounts (£0.00 stops one; a new type counts as rent when it is rent or an eligible service
    charge). Used by the rent change run, and handy for a sync that sends one charge at a time."""
    given = charges_specs_check([ChargeSpec(t, a) for t, a in amounts.items()])
    checked = {spec.charge_type: spec.amount for spec in given}
    stopped = set(amounts) - set(checked)  # £0.00: the check drops them

    def build(before: list[ChargeSpec]) -> list[ChargeSpec]:
        specs = {spec.charge_type: spec for spec in before}
        for charge_type, amount in checked.items():
            counts = specs[charge_type].counts_as_rent if charge_type in specs else None
            counts = COUNTS_AS_RENT_BY_DEFAULT.get(charge_type, False) if counts is None else counts
            specs[charge_type] = ChargeSpec(charge_type, amount, counts)
        return _normalised([spec for t, spec in specs.items() if t not in stopped])

    return _charges_change(
        by=by,
        tenancy=tenancy,
        effective_from=effective_from,
        build=build,
        reason=reason,
        dry_run=dry_run,
        event_kind=event_kind,
        event_detail=event_detail,
    )


def _charges_change(*, by, tenancy, effective_from, build, reason, dry_run, event_kind, event_detail):
    staff_require(by, "tenancies.add_charge", "change a tenancy's charges")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give the reason for the change: it is kept in the tenancy's history.")
    try:
        with transaction.atomic():
            result = _change(
                by=by,
                tenancy=tenancy,
                effective_from=effective_from,
                build=build,
                reason=reason,
                dry_run=dry_run,
                event_kind=event_kind,
                event_detail=event_detail or {},
            )
            if dry_run:
                raise _DryRun(result)
    except _DryRun as rolled_back:
        return rolled_back.args[0]
    return result


def _change(*, by, tenancy, effective_from, build, reason, dry_run, event_kind, event_detail) -> ChargeChangeResult:
    tenancy = Tenancy.objects.select_for_update(of=("self",)).select_related("property").get(pk=tenancy.pk)
    problem = _dates_problem(tenancy, effective_from)
    if problem:
        raise ValidationError(problem)
    existing = list(tenancy.charges.order_by("effective_from", "id"))
    before = _specs(charges_in_effect(existing, effective_from))
    new = build(before)
    result = ChargeChangeResult(tenancy=tenancy, effective_from=effective_from, changed=False, before=before, after=new)
    if _unchanged(existing, effective_from, new, tenancy.end_date):
        result.after = before
        result.rows_from = {c.charge_type: c for c in charges_in_effect(existing, effective_from)}
        return result
    reached = rent_run_reached()
    problem = _rent_run_problem(tenancy, effective_from, reached)
    if problem:
        raise ValidationError(problem)

    result.changed = True
    wanted = {spec.charge_type: spec for spec in new}
    # A charge in effect that day at the same amount simply carries on (its row is kept, and opened if it ended).
    kept: dict[str, Charge] = {}
    for charge in existing:
        spec = wanted.get(charge.charge_type)
        in_effect = charge.effective_from <= effective_from and (
            charge.effective_to is None or charge.effective_to >= effective_from
        )
        same = spec is not None and (charge.amount, charge.counts_as_rent) == (spec.amount, spec.counts_as_rent)
        if in_effect and same and charge.charge_type not in kept:
            kept[charge.charge_type] = charge
    history_reason = reason[:100]
    # Rows scheduled to start later are kept: each new row runs to the day before its type's next scheduled row.
    next_scheduled: dict[str, date] = {}
    for charge in existing:
        if charge.effective_from > effective_from:
            first = next_scheduled.get(charge.charge_type)
            next_scheduled[charge.charge_type] = min(first, charge.effective_from) if first else charge.effective_from
            result.later_kept.append(
                (charge.effective_from, ChargeSpec(charge.charge_type, charge.amount, charge.counts_as_rent))
            )
    created = [
        Charge(
            tenancy=tenancy,
            charge_type=spec.charge_type,
            amount=spec.amount,
            counts_as_rent=spec.counts_as_rent,
            effective_from=effective_from,
            effective_to=(
                next_scheduled[spec.charge_type] - timedelta(days=1) if spec.charge_type in next_scheduled else None
            ),
        )
        for spec in new
        if spec.charge_type not in kept
    ]
    if created:
        result.created = bulk_create_with_history(
            created, Charge, default_user=by, default_change_reason=history_reason
        )
    result.rows_from = {**kept, **{charge.charge_type: charge for charge in result.created}}
    day_before = effective_from - timedelta(days=1)
    now = timezone.now()
    changed_rows = []
    for charge in existing:
        if kept.get(charge.charge_type) is charge:
            runs_to = next_scheduled.get(charge.charge_type)
            runs_to = runs_to - timedelta(days=1) if runs_to else None
            if charge.effective_to != runs_to:
                charge.effective_to, charge.updated_at = runs_to, now
                changed_rows.append(charge)
        elif charge.effective_from > effective_from:
            continue  # scheduled for later: kept
        elif charge.effective_from == effective_from:
            # A rent change run's line that made this row now points at what replaced it.
            RentChangeLine.objects.filter(applied_charge=charge).update(
                applied_charge=result.rows_from.get(charge.charge_type)
            )
            _by(charge, by, reason)
            charge.delete()
        elif charge.effective_to is None or charge.effective_to >= effective_from:
            charge.effective_to, charge.updated_at = day_before, now
            changed_rows.append(charge)
            result.ended.setdefault(charge.charge_type, charge)
    if changed_rows:
        bulk_update_with_history(
            changed_rows,
            Charge,
            ["effective_to", "updated_at"],
            default_user=by,
            default_change_reason=history_reason,
        )

    if reached is not None and effective_from <= reached + _POSTED_REACH:
        true_up = tenancy_charges_true_up(
            tenancy=tenancy,
            reason=reason,
            affected_from=effective_from,
            not_before=_opening_balance_date(tenancy),
            on=timezone.localdate(),
            posted_by=by,
            dry_run=dry_run,
        )
        result.differences = true_up.differences
        if true_up.differences and not dry_run:
            arrears.tenancy_re_review(tenancy, "charges changed")

    period = PERIOD_PHRASES.get(tenancy.rent_period, "a period")
    detail = {
        # Named so that PostgreSQL's JSON key order (shorter keys first) reads before, afterwards, difference.
        "before": f"{_describe(before)} ({format_money(result.total_before)} {period})",
        "afterwards": f"{_describe(new)} ({format_money(result.total_after)} {period})",
        "difference": f"{format_money(result.total_after - result.total_before)} {period}",
        **event_detail,
        "old_charges": _spec_rows(before),
        "new_charges": _spec_rows(new),
    }
    if result.later_kept:
        detail["later_changes_kept"] = [
            {"from": day.isoformat(), **row}
            for day, row in zip(
                (day for day, _ in result.later_kept), _spec_rows([spec for _, spec in result.later_kept]), strict=True
            )
        ]
    if result.differences:
        detail["posted_for_periods_already_charged"] = format_money(result.posted_total)
        detail["postings"] = [
            {
                "period_start": p.period_start.isoformat(),
                "period_end": p.period_end.isoformat(),
                "charged_before": str(p.posted),
                "due_now": str(p.due),
                "difference": str(p.difference),
            }
            for p in result.posted_by_period
        ]
    result.event = TenancyEvent.objects.create(
        tenancy=tenancy,
        kind=event_kind,
        effective_date=effective_from,
        reason=reason,
        detail=detail,
        recorded_by=by,
    )
    return result
