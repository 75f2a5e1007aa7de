"""Writes for a home's charge schedule: the weekly charges a home is let at, from a date."""

from collections import Counter
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.utils import bulk_create_with_history

from incomeapp.money import MoneyError, to_money
from incomeapp.roles import staff_require
from tenancies.constants import ChargeType
from tenancies.models import Property, PropertyCharge
from tenancies.selectors import charges_in_effect
from tenancies.specs import ChargeSpec

from .records import _by, _day, _writing

COUNTS_AS_RENT_BY_DEFAULT = frozenset({ChargeType.RENT, ChargeType.ELIGIBLE_SERVICE})


def _charge_specs_checked(charges: list[ChargeSpec]) -> list[tuple[str, object, bool]]:
    problems = []
    specs = []
    for spec in charges:
        label = ChargeType(spec.charge_type).label if spec.charge_type in ChargeType.values else spec.charge_type
        if spec.charge_type not in ChargeType.values:
            problems.append(f"'{spec.charge_type}' is not a charge type: use one of {', '.join(ChargeType.values)}")
            continue
        try:
            amount = to_money(spec.amount)
        except (MoneyError, TypeError) as error:
            problems.append(f"{label}: {error}")
            continue
        if amount < 0:
            problems.append(f"{label}: a charge cannot be negative (it is {amount})")
            continue
        specs.append((spec.charge_type, amount, bool(spec.counts_as_rent)))
    repeated = [kind for kind, count in Counter(kind for kind, _, _ in specs).items() if count > 1]
    for kind in repeated:
        problems.append(f"{ChargeType(kind).label} is given more than once: give each charge once, as its weekly total")
    if problems:
        raise ValidationError({"charges": problems})
    return specs


def _protected_from_deletion(rows: list[PropertyCharge]) -> bool:
    """Whether anything (a rent change line, say) points at one of these rows and so stops it being removed."""
    for relation in PropertyCharge._meta.related_objects:
        if (
            relation.on_delete is models.PROTECT
            and relation.related_model._default_manager.filter(**{f"{relation.field.name}__in": rows}).exists()
        ):
            return True
    return False


def property_charges_set(*, by, property: Property, effective_from: date, charges: list[ChargeSpec]) -> bool:
    """A home's weekly charge schedule from `effective_from`: the charges in effect the day before end then, and these
    apply until the next change already scheduled (if any). Charges already set from the same day are replaced. The
    same charges as already in effect that day: nothing is written and False is returned.

    A new home's first schedule is three queries (read, insert, history)."""
    staff_require(by, "tenancies.add_propertycharge", "set a home's charges")
    specs = _charge_specs_checked(charges)
    if property.retired_on is not None and effective_from >= property.retired_on:
        raise ValidationError(
            {
                "effective_from": f"This home was retired on {_day(property.retired_on)}; charges cannot start "
                "after that."
            }
        )
    rows = list(PropertyCharge.objects.filter(property=property))
    in_effect = charges_in_effect(rows, effective_from)
    if sorted((r.charge_type, r.amount, r.counts_as_rent) for r in in_effect) == sorted(specs):
        return False
    later = [row.effective_from for row in rows if row.effective_from > effective_from]
    ends_on = min(later) - timedelta(days=1) if later else None
    same_day = {}
    for row in in_effect:
        if row.effective_from == effective_from:
            same_day.setdefault(row.charge_type, []).append(row)
    to_end = [row for row in in_effect if row.effective_from < effective_from]
    to_change, to_create = [], []
    for kind, amount, counts_as_rent in specs:
        if same_day.get(kind):
            row = same_day[kind].pop()
            row.amount, row.counts_as_rent, row.effective_to = amount, counts_as_rent, ends_on
            to_change.append(row)
        else:
            to_create.append(
                PropertyCharge(
                    property=property,
                    charge_type=kind,
                    amount=amount,
                    counts_as_rent=counts_as_rent,
                    effective_from=effective_from,
                    effective_to=ends_on,
                )
            )
    to_delete = [row for leftover in same_day.values() for row in leftover]
    if to_delete and _protected_from_deletion(to_delete):
        raise ValidationError(
            {
                "effective_from": f"Charges set from {_day(effective_from)} by a rent change run cannot be removed. "
                "Set the new charges from a later date."
            }
        )
    reason = f"Charges from {_day(effective_from)}"
    with _writing():
        for row in to_end:
            row.effective_to = effective_from - timedelta(days=1)
            _by(row, by, reason)
            row.save(update_fields=["effective_to", "updated_at"])
        for row in to_change:
            _by(row, by, reason)
            row.save(update_fields=["amount", "counts_as_rent", "effective_to", "updated_at"])
        for row in to_delete:
            _by(row, by, reason)
            row.delete()
        for row in to_create:
            _by(row, by, reason)
        if to_create:
            bulk_create_with_history(to_create, PropertyCharge, default_change_reason=reason)
    return True
