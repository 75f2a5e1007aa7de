"""The change itself: `tenancy_charges_change` (the whole set of charges) and `tenancy_charges_amounts_set` (only
the types that change), one transaction each, with the true-up of periods already charged and the event."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from arrears import services as arrears
from incomeapp.money import format_money
from incomeapp.roles import staff_require
from lifecycle.models import RentChangeLine
from rentaccounts.services.tenancy_charges import rent_run_reached, tenancy_charges_true_up
from tenancies.constants import CHARGE_LABELS, TenancyEventKind
from tenancies.models import Charge, Tenancy, TenancyEvent
from tenancies.selectors import charges_in_effect
from tenancies.specs import ChargeSpec

from .checks import (
    _dates_problem,
    _normalised,
    _opening_balance_date,
    _rent_run_problem,
    _specs,
    _unchanged,
    charges_specs_check,
)
from .results import COUNTS_AS_RENT_BY_DEFAULT, PERIOD_PHRASES, ChargeChangeResult

# A period already charged can run this far past the Monday of the last week the rent run posted (a monthly period
# starting on the Sunday of that week): a change from a later date touches nothing posted, so no true-up is needed.
_POSTED_REACH = timedelta(days=6 + 31)


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
