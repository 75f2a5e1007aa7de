"""Successions and assignments: the named tenants change and the tenancy, its account and its balance continue."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incomeapp.roles import staff_require
from tenancies.constants import TenancyEventKind
from tenancies.models import Person, Tenancy, TenancyEvent, TenancyTenant

from .rules import END_PERMISSION, _names, _require_current

# ---- successions and assignments: the named tenants change, the tenancy continues ------------------------------------


@dataclass
class NamedTenantsResult:
    tenancy: Tenancy
    changed: bool
    before: list[Person] = field(default_factory=list)
    after: list[Person] = field(default_factory=list)
    event: TenancyEvent | None = None

    @property
    def removed(self) -> list[Person]:
        return [p for p in self.before if p.pk not in {a.pk for a in self.after}]

    @property
    def added(self) -> list[Person]:
        return [p for p in self.after if p.pk not in {b.pk for b in self.before}]


def _named_tenants_set(tenancy: Tenancy, people: list[Person], on: date) -> None:
    """Makes the tenancy's named tenants exactly `people`, the first the lead. Those who leave keep their row with
    `left_on` (so their page still lists the tenancy they held); those who join get `joined_on`."""
    wanted = [p.pk for p in people]
    TenancyTenant.objects.filter(tenancy=tenancy).exclude(person_id__in=wanted).update(left_on=on, is_lead=False)
    rows = {row.person_id: row for row in TenancyTenant.every_row.filter(tenancy=tenancy)}
    for index, person_id in enumerate(wanted):
        lead = index == 0
        row = rows.get(person_id)
        if row is None:
            TenancyTenant.objects.create(tenancy=tenancy, person_id=person_id, is_lead=lead, joined_on=on)
        elif row.is_lead != lead or row.left_on is not None:
            if row.left_on is not None:
                row.left_on, row.joined_on = None, on
            row.is_lead = lead
            row.save(update_fields=["is_lead", "left_on", "joined_on"])


def _named_tenants_change(*, by, tenancy, on, people, reason, kind, what, extra) -> NamedTenantsResult:
    tenancy = Tenancy.objects.select_for_update().select_related("property").get(pk=tenancy.pk)
    _require_current(tenancy, what)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(f"Give the reason for the {what}: it is kept in the tenancy's history.")
    if on < tenancy.start_date:
        raise ValidationError(
            f"The {what} cannot take effect before the tenancy started on {tenancy.start_date:%-d %B %Y}."
        )
    if on > timezone.localdate():
        raise ValidationError(f"The {what} date cannot be in the future. Record it once it has taken effect.")
    if not people:
        raise ValidationError("Choose at least one named tenant.")
    if len({p.pk for p in people}) != len(people):
        raise ValidationError("Each person can be named once.")
    merged = [p.full_name for p in people if p.merged_into_id]
    if merged:
        raise ValidationError(
            f"{', '.join(merged)} was merged into another record. Choose the record they were merged into."
        )
    before = tenancy.named_tenants()
    result = NamedTenantsResult(tenancy=tenancy, changed=False, before=before, after=list(people))
    if [p.pk for p in before] == [p.pk for p in people]:
        result.after = before
        return result
    result.changed = True
    _named_tenants_set(tenancy, people, on)
    detail = {
        "named_tenants_before": _names(before),
        "named_tenants_after": _names(people),
        **extra,
        "people_removed": [p.pk for p in result.removed],
        "people_added": [p.pk for p in result.added],
    }
    result.event = TenancyEvent.objects.create(
        tenancy=tenancy, kind=kind, effective_date=on, reason=reason, detail=detail, recorded_by=by
    )
    return result


@transaction.atomic
def tenancy_succession(
    *, by, tenancy: Tenancy, on: date, successor: Person, deceased: Person, reason: str
) -> NamedTenantsResult:
    """A named tenant has died and `successor` succeeds: the deceased leaves the named tenants and the successor is
    added (or, already a joint tenant, continues alone: survivorship), the lead where the deceased was. The tenancy,
    its account and its balance continue. Recorded as a SUCCESSION event with the names before and after."""
    staff_require(by, END_PERMISSION, "record successions")
    current = Tenancy.objects.get(pk=tenancy.pk).named_tenants()
    if deceased.pk not in {p.pk for p in current}:
        raise ValidationError(f"{deceased.full_name} is not a named tenant of {tenancy.payment_reference}.")
    if successor.pk == deceased.pk:
        raise ValidationError("The successor must be someone other than the tenant who died.")
    survivorship = successor.pk in {p.pk for p in current}
    remaining = [p for p in current if p.pk not in (deceased.pk, successor.pk)]
    if current[0].pk == deceased.pk:  # the successor takes the lead
        people = [successor, *remaining]
    elif survivorship:
        people = [p for p in current if p.pk != deceased.pk]
    else:
        people = [*[p for p in current if p.pk != deceased.pk], successor]
    return _named_tenants_change(
        by=by,
        tenancy=tenancy,
        on=on,
        people=people,
        reason=reason,
        kind=TenancyEventKind.SUCCESSION,
        what="succession",
        extra={
            "deceased": deceased.full_name,
            "successor": successor.full_name,
            "by_survivorship": survivorship,
        },
    )


@transaction.atomic
def tenancy_assignment(*, by, tenancy: Tenancy, on: date, new_tenants: list[Person], reason: str) -> NamedTenantsResult:
    """The tenancy is assigned: its named tenants become `new_tenants` (lead first). The tenancy, its account and its
    balance continue. Recorded as an ASSIGNMENT event with the names before and after; the same tenants again change
    nothing."""
    staff_require(by, END_PERMISSION, "record assignments")
    return _named_tenants_change(
        by=by,
        tenancy=tenancy,
        on=on,
        people=list(new_tenants),
        reason=reason,
        kind=TenancyEventKind.ASSIGNMENT,
        what="assignment",
        extra={},
    )
