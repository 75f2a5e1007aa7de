"""Preparing a run from a CSV file of new weekly charges per home or per tenancy: every row checked first, with its
line, column and what is wrong, and nothing prepared while any row has a problem."""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from incomeapp.money import ZERO, MoneyError, parse_money
from lifecycle.charges import CHARGE_LABELS
from lifecycle.constants import RentChangeBasis
from lifecycle.models import RentChangeLine, RentChangeRun
from rentaccounts.charging import weekly_to_period
from tenancies.constants import ChargeType
from tenancies.models import Charge, Property, PropertyCharge, Tenancy

from .preparing import _chunks, _line, _live_on, _preparer_check, _run_create, _run_fields_check, notice_weeks_default

# The CSV of new charges: one reference column per row (which one says what the row is for), the charge and its amount.
CSV_REFERENCE_COLUMNS = {
    "uprn": "the home's UPRN",
    "property_reference": "the home's reference in the housing management system",
    "payment_reference": "the tenancy's payment reference",
    "tenancy_reference": "the tenancy's reference in the housing management system",
}
CSV_COLUMNS = (*CSV_REFERENCE_COLUMNS, "charge_type", "new_weekly_amount")
MAX_CSV_PROBLEMS = 200


@dataclass(frozen=True)
class _CsvRow:
    line: int
    column: str  # the reference column used
    reference: str
    charge_type: str
    weekly: Decimal


def _charge_type_from(text: str) -> str | None:
    wanted = text.strip().casefold()
    for choice in ChargeType:
        if wanted in (choice.value, choice.label.casefold()):
            return choice.value
    return None


def _csv_rows(content: bytes | str, problems: list[str]) -> list[_CsvRow]:
    """The file's rows, each checked on its own (columns, reference, charge type, amount)."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            problems.append("The file is not UTF-8 text. Save it as 'CSV UTF-8' and upload it again.")
            return []
    reader = csv.reader(io.StringIO(content))
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        problems.append("The file is empty. The first line must name the columns: " + ", ".join(CSV_COLUMNS) + ".")
        return []
    columns = [cell.strip().lower().replace(" ", "_") for cell in header]
    unknown = [c for c in columns if c and c not in CSV_COLUMNS]
    if unknown:
        problems.append(
            f"Line 1: {', '.join(repr(c) for c in unknown)} "
            f"{'is not a column' if len(unknown) == 1 else 'are not columns'} this file can have. "
            f"The columns are: {', '.join(CSV_COLUMNS)}."
        )
    for required in ("charge_type", "new_weekly_amount"):
        if required not in columns:
            problems.append(f"Line 1: the column '{required}' is missing.")
    if not any(c in CSV_REFERENCE_COLUMNS for c in columns):
        problems.append(
            "Line 1: there is no column saying which home or tenancy each row is for. Add one of: "
            + ", ".join(CSV_REFERENCE_COLUMNS)
            + "."
        )
    if problems:
        return []
    rows = []
    for line_number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        values = {column: (cells[i].strip() if i < len(cells) else "") for i, column in enumerate(columns) if column}
        given = [c for c in CSV_REFERENCE_COLUMNS if values.get(c)]
        if len(given) != 1:
            what = "none is given" if not given else f"{' and '.join(given)} are all given"
            problems.append(
                f"Line {line_number}: give exactly one of {', '.join(c for c in CSV_REFERENCE_COLUMNS if c in columns)}"
                f" ({what})."
            )
            continue
        charge_type = _charge_type_from(values.get("charge_type", ""))
        if charge_type is None:
            problems.append(
                f"Line {line_number}, column charge_type: '{values.get('charge_type', '')}' is not a charge type. "
                f"Use one of: {', '.join(ChargeType.values)}."
            )
            continue
        try:
            weekly = parse_money(values.get("new_weekly_amount", ""))
        except MoneyError as error:
            problems.append(f"Line {line_number}, column new_weekly_amount: {error}")
            continue
        if weekly < ZERO:
            problems.append(
                f"Line {line_number}, column new_weekly_amount: a charge cannot be less than £0.00 "
                "(give £0.00 to stop it)."
            )
            continue
        reference = values[given[0]]
        if given[0] == "payment_reference":
            reference = reference.upper()
        rows.append(_CsvRow(line_number, given[0], reference, charge_type, weekly))
    return rows


def _lookup(model, field: str, values: set[str], extra: Q | None = None) -> dict[str, list[int]]:
    found: dict[str, list[int]] = defaultdict(list)
    for chunk in _chunks(sorted(values)):
        queryset = model.objects.filter(**{f"{field}__in": chunk})
        if extra is not None:
            queryset = queryset.filter(extra)
        for value, pk in queryset.values_list(field, "pk"):
            found[value].append(pk)
    return found


def _charged_on(model, owner_field: str, owner_ids: set[int], day: date) -> dict[tuple[int, str], Decimal]:
    """What each owner (a tenancy's or a home's charges, by `owner_field`) is charged of each type on `day`:
    (owner id, charge type) → the amounts summed; £0.00 for one not charged."""
    charged: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for chunk in _chunks(sorted(owner_ids)):
        for owner_id, charge_type, amount in (
            model.objects.in_effect(day)
            .filter(**{f"{owner_field}__in": chunk})
            .values_list(owner_field, "charge_type", "amount")
        ):
            charged[(owner_id, charge_type)] += amount
    return charged


@transaction.atomic
def rent_change_run_prepare_csv(
    *,
    by,
    name: str,
    effective_from: date,
    content: bytes | str,
    file_name: str = "",
    notice_weeks: int | None = None,
    today: date | None = None,
) -> RentChangeRun:
    """A draft run from a CSV of new weekly charges (columns in CSV_COLUMNS; docs/rent-changes.md). A row for a home
    changes its own schedule and the tenancy live in it on the date; a row for a tenancy changes that tenancy only.
    Every row is checked first: any problem (with its line, column and what is wrong) and nothing is prepared."""
    _preparer_check(by)
    today = today or timezone.localdate()
    notice_weeks = notice_weeks_default() if notice_weeks is None else notice_weeks
    name = _run_fields_check(name=name, effective_from=effective_from, notice_weeks=notice_weeks, today=today)
    day = effective_from
    problems: list[str] = []
    rows = _csv_rows(content, problems)
    if problems:
        raise ValidationError(problems[:MAX_CSV_PROBLEMS])
    if not rows:
        raise ValidationError("The file has no rows of charges under its header line.")

    by_column: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        by_column[row.column].add(row.reference)
    live_homes = Q(retired_on__isnull=True) | Q(retired_on__gt=day)
    homes = {
        "uprn": _lookup(Property, "uprn", by_column["uprn"]),
        "property_reference": _lookup(Property, "source_reference", by_column["property_reference"]),
    }
    tenancies = {
        "payment_reference": _lookup(Tenancy, "payment_reference", by_column["payment_reference"]),
        "tenancy_reference": _lookup(Tenancy, "source_reference", by_column["tenancy_reference"]),
    }
    property_ids = {pk for found in homes.values() for pks in found.values() for pk in pks}
    retired = set()
    for chunk in _chunks(sorted(property_ids)):
        retired |= set(Property.objects.filter(pk__in=chunk).exclude(live_homes).values_list("pk", flat=True))
    tenancy_ids = {pk for found in tenancies.values() for pks in found.values() for pk in pks}
    # The tenancies live in the homes named, and every tenancy named: their period and whether they are live.
    tenancy_info: dict[int, tuple[int, str, bool, str]] = {}
    homes_tenancies: dict[int, list[int]] = defaultdict(list)
    for chunk in _chunks(sorted(property_ids)):
        for pk, property_id, period, reference in (
            Tenancy.objects.filter(_live_on(day), property_id__in=chunk)
            .values_list("pk", "property_id", "rent_period", "payment_reference")
            .iterator()
        ):
            homes_tenancies[property_id].append(pk)
            tenancy_info[pk] = (property_id, period, True, reference)
    live_q = _live_on(day)
    for chunk in _chunks(sorted(tenancy_ids - set(tenancy_info))):
        for pk, property_id, period, reference in Tenancy.objects.filter(pk__in=chunk).values_list(
            "pk", "property_id", "rent_period", "payment_reference"
        ):
            tenancy_info[pk] = (property_id, period, False, reference)
        for pk in Tenancy.objects.filter(live_q, pk__in=chunk).values_list("pk", flat=True):
            property_id, period, _, reference = tenancy_info[pk]
            tenancy_info[pk] = (property_id, period, True, reference)

    # What each row sets, checked against the others.
    tenancy_new: dict[tuple[int, str], tuple[Decimal, int]] = {}
    home_new: dict[tuple[int, str], tuple[Decimal, int]] = {}
    for row in rows:
        where = f"Line {row.line}, column {row.column}"
        label = CHARGE_LABELS[row.charge_type].lower()
        if row.column in homes:
            found = homes[row.column].get(row.reference, [])
            if not found:
                what = "UPRN" if row.column == "uprn" else "reference"
                problems.append(f"{where}: no home has the {what} '{row.reference}'.")
                continue
            if len(found) > 1:
                problems.append(
                    f"{where}: {len(found)} homes have '{row.reference}'. Use property_reference or "
                    "payment_reference for this row instead."
                )
                continue
            property_id = found[0]
            if property_id in retired:
                problems.append(f"{where}: the home '{row.reference}' is retired before the new charges start.")
                continue
            previous = home_new.get((property_id, row.charge_type))
            if previous:
                problems.append(f"{where}: the {label} of this home is already set on line {previous[1]}.")
                continue
            home_new[(property_id, row.charge_type)] = (row.weekly, row.line)
            targets = homes_tenancies.get(property_id, [])
        else:
            found = tenancies[row.column].get(row.reference, [])
            if not found:
                what = "payment reference" if row.column == "payment_reference" else "reference"
                problems.append(f"{where}: no tenancy has the {what} '{row.reference}'.")
                continue
            if len(found) > 1:
                problems.append(f"{where}: {len(found)} tenancies have '{row.reference}'. Use payment_reference.")
                continue
            if not tenancy_info[found[0]][2]:
                problems.append(
                    f"{where}: tenancy '{row.reference}' is not a current tenancy on {day:%-d %B %Y} (it has ended "
                    "or not started), so its charges cannot change from then."
                )
                continue
            targets = found
        for tenancy_id in targets:
            previous = tenancy_new.get((tenancy_id, row.charge_type))
            if previous:
                problems.append(
                    f"{where}: the {label} of tenancy {tenancy_info[tenancy_id][3]} is already set on line "
                    f"{previous[1]}."
                )
                continue
            tenancy_new[(tenancy_id, row.charge_type)] = (row.weekly, row.line)
        if len(problems) >= MAX_CSV_PROBLEMS:
            break
    if problems:
        raise ValidationError(problems[:MAX_CSV_PROBLEMS])

    run = _run_create(
        by=by,
        name=name,
        effective_from=effective_from,
        notice_weeks=notice_weeks,
        basis=RentChangeBasis.CSV,
        source_file_name=(file_name or "")[:255],
    )
    tenancy_old = _charged_on(Charge, "tenancy_id", {tenancy_id for tenancy_id, _ in tenancy_new}, day)
    home_old = _charged_on(PropertyCharge, "property_id", {property_id for property_id, _ in home_new}, day)
    lines = []
    for (tenancy_id, charge_type), (weekly, _) in tenancy_new.items():
        property_id, period, _, _ = tenancy_info[tenancy_id]
        old, new = tenancy_old[(tenancy_id, charge_type)], weekly_to_period(weekly, period)
        if new != old:
            lines.append(_line(run, tenancy_id, property_id, charge_type, old, new))
    for (property_id, charge_type), (weekly, _) in home_new.items():
        old = home_old[(property_id, charge_type)]
        if weekly != old:
            lines.append(_line(run, None, property_id, charge_type, old, weekly))
    if not lines:
        raise ValidationError(
            f"Every charge in the file is already set from {effective_from:%-d %B %Y}, so nothing would change."
        )
    RentChangeLine.objects.bulk_create(lines, batch_size=5000)
    return run
