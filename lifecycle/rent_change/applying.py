"""Applying an approved run: Celery's chunks of tenancies and homes (`rent_change_run_dispatch`,
`rent_change_run_apply`), each line pointing at the charge it made, so a retry changes nothing."""

import logging
from collections import Counter, defaultdict
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from documents.models import Document
from incomeapp.money import ZERO
from lifecycle.charges import COUNTS_AS_RENT_BY_DEFAULT, tenancy_charges_amounts_set
from lifecycle.constants import RentChangeStatus
from lifecycle.models import RentChangeLine, RentChangeRun
from tenancies.constants import TenancyEventKind
from tenancies.models import Charge, Property, PropertyCharge, Tenancy, TenancyTenant
from tenancies.services_homes import property_charges_set
from tenancies.specs import ChargeSpec

from .preparing import _chunks
from .progress import _letter_tenancy_ids, _pending_lines, run_label

logger = logging.getLogger(__name__)

APPLY_CHUNK = 200  # tenancies (or homes) per Celery task that changes charges
LETTER_BATCH = 25  # tenancies per Celery task that makes letters: cheap to retry, enough to keep a worker busy


# ---- applying --------------------------------------------------------------------------------------------------------


def rent_change_run_dispatch(*, run: RentChangeRun) -> dict:
    """Hands an approved run's outstanding work to Celery: the lines not applied yet in chunks, and the letters not
    made yet in batches. Safe to call again (the page's "Finish applying" does): done work is skipped."""
    from lifecycle.tasks import rent_change_apply, rent_change_letters

    if run.status != RentChangeStatus.APPROVED:
        return {"tenancy_chunks": 0, "home_chunks": 0, "letter_batches": 0}
    pending = _pending_lines(run)
    tenancy_ids = sorted(set(pending.filter(tenancy__isnull=False).values_list("tenancy_id", flat=True)))
    property_ids = sorted(set(pending.filter(tenancy__isnull=True).values_list("property_id", flat=True)))
    tenancy_chunks = list(_chunks(tenancy_ids, APPLY_CHUNK))
    home_chunks = list(_chunks(property_ids, APPLY_CHUNK))
    for chunk in tenancy_chunks:
        rent_change_apply.delay(run.pk, chunk, [])
    for chunk in home_chunks:
        rent_change_apply.delay(run.pk, [], chunk)
    # Tenancies already applied whose letters are not all made (a batch that failed, or a template added late).
    missing = _tenancies_missing_letters(run)
    batches = list(_chunks(missing, LETTER_BATCH))
    for batch in batches:
        rent_change_letters.delay(run.pk, batch)
    if not tenancy_chunks and not home_chunks:
        _finished_mark(run)
    return {"tenancy_chunks": len(tenancy_chunks), "home_chunks": len(home_chunks), "letter_batches": len(batches)}


def _tenancies_missing_letters(run: RentChangeRun) -> list[int]:
    applied = _letter_tenancy_ids(run)
    expected = Counter(
        TenancyTenant.objects.filter(tenancy_id__in=applied).values_list("tenancy_id", flat=True).iterator()
    )
    made = Counter()
    prefix = f"{run_label(run)}:"
    for key in Document.objects.filter(made_by_run=run_label(run)).values_list("subject_key", flat=True).iterator():
        made[int(key[len(prefix) :].split(":")[0])] += 1
    return [tenancy_id for tenancy_id in applied if made[tenancy_id] < expected[tenancy_id]]


def _finished_mark(run: RentChangeRun) -> None:
    if not _pending_lines(run).exists():
        RentChangeRun.objects.filter(pk=run.pk, applied_at__isnull=True).update(applied_at=timezone.now())


def _charges_on(charges: list, day: date) -> dict[str, list]:
    by_type: dict[str, list] = defaultdict(list)
    for charge in charges:
        if charge.effective_from <= day and (charge.effective_to is None or charge.effective_to >= day):
            by_type[charge.charge_type].append(charge)
    return by_type


def _applied_pointer(rows: list, charge_type: str, day: date):
    """The row a line made (in effect on the day), or for a charge the run stopped, the row it ended."""
    on_day = _charges_on(rows, day).get(charge_type)
    if on_day:
        return on_day[0]
    ended = [row for row in rows if row.charge_type == charge_type and row.effective_to == day - timedelta(days=1)]
    return ended[0] if ended else None


def _reason(run: RentChangeRun) -> str:
    return f"Rent change run {run.pk}: {run.name}"


def rent_change_run_apply(*, run_id: int, tenancy_ids: list[int] = (), property_ids: list[int] = ()) -> Counter:
    """Applies an approved run's lines for these tenancies and homes, each in its own transaction, then hands the
    tenancies' letters to Celery. Lines already applied are skipped, so a retry or a second call changes nothing."""
    from lifecycle.tasks import rent_change_letters

    run = RentChangeRun.objects.select_related("decided_by").get(pk=run_id)
    counts: Counter = Counter()
    if run.status != RentChangeStatus.APPROVED:
        counts["not_approved"] += 1
        return counts
    by, reason = run.decided_by, _reason(run)
    pending = _pending_lines(run)
    by_tenancy: dict[int, list[RentChangeLine]] = defaultdict(list)
    for line in pending.filter(tenancy_id__in=list(tenancy_ids)):
        by_tenancy[line.tenancy_id].append(line)
    for tenancy_id, lines in by_tenancy.items():
        try:
            with transaction.atomic():
                counts[_tenancy_apply(run, tenancy_id, lines, by=by, reason=reason)] += 1
        except ValidationError as error:
            logger.warning("Rent change %s: tenancy %s not changed: %s", run.pk, tenancy_id, error.messages[0])
            counts["failed"] += 1
    by_home: dict[int, list[RentChangeLine]] = defaultdict(list)
    for line in pending.filter(tenancy__isnull=True, property_id__in=list(property_ids)):
        by_home[line.property_id].append(line)
    for property_id, lines in by_home.items():
        try:
            with transaction.atomic():
                counts[_home_apply(run, property_id, lines, by=by)] += 1
        except ValidationError as error:
            logger.warning("Rent change %s: home %s not changed: %s", run.pk, property_id, error.messages[0])
            counts["failed"] += 1
    for batch in _chunks(_letter_tenancy_ids(run, among=list(tenancy_ids)), LETTER_BATCH):
        rent_change_letters.delay(run.pk, batch)
    _finished_mark(run)
    return counts


def _tenancy_apply(run, tenancy_id: int, lines: list[RentChangeLine], *, by, reason: str) -> str:
    result = tenancy_charges_amounts_set(
        by=by,
        tenancy=Tenancy(pk=tenancy_id),
        effective_from=run.effective_from,
        amounts={line.charge_type: line.new_amount for line in lines},
        reason=reason,
        event_kind=TenancyEventKind.RENT_CHANGE,
        event_detail={"rent_change_run": run.pk, "rent_change": run.name},
    )
    rows = None
    for line in lines:
        line.applied_charge = result.rows_from.get(line.charge_type) or result.ended.get(line.charge_type)
        if line.applied_charge is None:  # a charge stopped before the run got to it
            rows = rows if rows is not None else list(Charge.objects.filter(tenancy_id=tenancy_id))
            line.applied_charge = _applied_pointer(rows, line.charge_type, run.effective_from)
    RentChangeLine.objects.bulk_update(lines, ["applied_charge"])
    return "changed" if result.changed else "already_so"


def _home_apply(run, property_id: int, lines: list[RentChangeLine], *, by) -> str:
    home = Property.objects.get(pk=property_id)
    rows = list(PropertyCharge.objects.filter(property_id=property_id))
    current = _charges_on(rows, run.effective_from)
    specs = {
        charge_type: ChargeSpec(charge_type, sum((r.amount for r in found), ZERO), found[0].counts_as_rent)
        for charge_type, found in current.items()
    }
    for line in lines:
        counts_as_rent = specs[line.charge_type].counts_as_rent if line.charge_type in specs else None
        if counts_as_rent is None:
            counts_as_rent = COUNTS_AS_RENT_BY_DEFAULT.get(line.charge_type, False)
        specs[line.charge_type] = ChargeSpec(line.charge_type, line.new_amount, counts_as_rent)
    kept = [spec for spec in specs.values() if spec.amount != ZERO]
    changed = property_charges_set(by=by, property=home, effective_from=run.effective_from, charges=kept)
    rows = list(PropertyCharge.objects.filter(property_id=property_id))
    for line in lines:
        line.applied_property_charge = _applied_pointer(rows, line.charge_type, run.effective_from)
    RentChangeLine.objects.bulk_update(lines, ["applied_property_charge"])
    return "home_changed" if changed else "home_already_so"
