"""The rent change run: the annual rent change (or any change to many tenancies' charges at once).

A manager prepares a run, by a rule (a percentage, optionally capped per week per charge, for chosen charge types in
chosen schemes) or from a CSV file of new weekly charges per home or per tenancy. Preparing writes a line for every
charge that changes (old, new, difference) of every tenancy live on the date, and of every home's own weekly schedule
(`PropertyCharge`, what the next tenancy is offered). Nothing else changes until a second person approves it.

On approval, Celery applies the lines in chunks (`tenancy_charges_change` for each tenancy, `property_charges_set` for
each home) and then makes the letters, one per named tenant, in batches of 25. Each step is safe to repeat: a line
applied points at the charge it made, a letter is found again by its subject key, and an approved run cannot be
approved again. The date must leave the notice period: the letters go out on the day of approval, which must be no
later than `notice_weeks` before the new charges start.
"""

import csv
import io
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from documents.constants import DeliveryState
from documents.models import Document
from documents.services import template_version_current
from incomeapp.money import ZERO, MoneyError, apportion, format_money, parse_money
from incomeapp.roles import staff_require
from rentaccounts.charging import weekly_to_period
from tenancies.constants import ChargeType, TenancyEventKind, TenancyStatus
from tenancies.models import Charge, Property, PropertyCharge, Scheme, Tenancy, TenancyTenant
from tenancies.selectors import weekly_equivalent
from tenancies.selectors_homes import rent_year_end, rent_year_start
from tenancies.services_homes import property_charges_set
from tenancies.specs import ChargeSpec

from .charges import CHARGE_LABELS, CHARGE_ORDER, COUNTS_AS_RENT_BY_DEFAULT, PERIOD_PHRASES, tenancy_charges_amounts_set
from .constants import RentChangeBasis, RentChangeStatus
from .models import RentChangeLine, RentChangeRun

logger = logging.getLogger(__name__)

LETTER_TEMPLATE = "rent_change_letter"
APPLY_CHUNK = 200  # tenancies (or homes) per Celery task that changes charges
LETTER_BATCH = 25  # tenancies per Celery task that makes letters: cheap to retry, enough to keep a worker busy
_LOOKUP_CHUNK = 10_000

# The CSV of new charges: one reference column per row (which one says what the row is for), the charge and its amount.
CSV_REFERENCE_COLUMNS = {
    "uprn": "the home's UPRN",
    "property_reference": "the home's reference in the housing management system",
    "payment_reference": "the tenancy's payment reference",
    "tenancy_reference": "the tenancy's reference in the housing management system",
}
CSV_COLUMNS = (*CSV_REFERENCE_COLUMNS, "charge_type", "new_weekly_amount")
MAX_CSV_PROBLEMS = 200


# ---- dates and the notice rule -------------------------------------------------------------------------------------


def notice_weeks_default() -> int:
    return int(getattr(settings, "RENT_CHANGE_NOTICE_WEEKS", 4))


def rent_change_default_date(today: date) -> date:
    """The first Monday of April after today (rent years in social housing start then)."""
    this_year = rent_year_start(today)
    return rent_year_end(this_year) + timedelta(days=1)


def letters_due_by(run: RentChangeRun) -> date:
    """The last day the letters can go out: the notice period before the new charges start."""
    return run.effective_from - timedelta(weeks=run.notice_weeks)


def notice_problem(*, effective_from: date, notice_weeks: int, today: date) -> str | None:
    """Why the date is too close to give the tenants their notice, or None."""
    if today + timedelta(weeks=notice_weeks) <= effective_from:
        return None
    earliest = today + timedelta(weeks=notice_weeks)
    return (
        f"The letters must reach tenants at least {notice_weeks} weeks before the new charges start, so the date "
        f"cannot be earlier than {earliest:%A %-d %B %Y}. Choose that date or later."
    )


def _run_fields_check(*, name: str, effective_from: date, notice_weeks: int, today: date) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("Give the rent change a name, for example 'April 2027 rent change'.")
    if not 1 <= notice_weeks <= 52:
        raise ValidationError("The notice period must be between 1 and 52 weeks.")
    problem = notice_problem(effective_from=effective_from, notice_weeks=notice_weeks, today=today)
    if problem:
        raise ValidationError(problem)
    return name


# ---- amounts ---------------------------------------------------------------------------------------------------------


def rule_new_amount(old: Decimal, *, percentage: Decimal, cap: Decimal | None) -> Decimal:
    """`old` raised by `percentage` (rounded half up to the penny), the rise no more than `cap` (same period)."""
    rise = apportion(old, percentage, 100)
    if cap is not None and rise > cap:
        rise = cap
    return old + rise


# ---- preparing -------------------------------------------------------------------------------------------------------


def _live_on(day: date) -> Q:
    """Tenancies current and live on `day` (the rent change applies to them)."""
    return Q(status=TenancyStatus.CURRENT, start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def _run_create(*, by, name, effective_from, notice_weeks, basis, **fields) -> RentChangeRun:
    run = RentChangeRun(
        name=name,
        effective_from=effective_from,
        notice_weeks=notice_weeks,
        basis=basis,
        prepared_by=by,
        **fields,
    )
    run._history_user = by
    run.save()
    return run


def _preparer_check(by) -> None:
    staff_require(by, "lifecycle.add_rentchangerun", "prepare rent changes")
    if by is None:
        raise ValidationError("A rent change is prepared by a person, so that a second person can check it.")


@transaction.atomic
def rent_change_run_prepare_rule(
    *,
    by,
    name: str,
    effective_from: date,
    schemes: list[Scheme],
    percentage: Decimal,
    charge_types: list[str],
    weekly_cap: Decimal | None = None,
    notice_weeks: int | None = None,
    today: date | None = None,
) -> RentChangeRun:
    """A draft run raising the chosen charges of every tenancy live on the date in the schemes, and of each home's own
    weekly schedule, by `percentage` (each charge's rise at most `weekly_cap` a week). Refused when nothing changes."""
    _preparer_check(by)
    today = today or timezone.localdate()
    notice_weeks = notice_weeks_default() if notice_weeks is None else notice_weeks
    name = _run_fields_check(name=name, effective_from=effective_from, notice_weeks=notice_weeks, today=today)
    if not schemes:
        raise ValidationError("Choose at least one scheme.")
    types = [t for t in ChargeType.values if t in set(charge_types or [])]
    if not types:
        raise ValidationError("Choose at least one charge type to change.")
    try:
        percentage = Decimal(percentage)
    except (InvalidOperation, TypeError) as error:
        raise ValidationError("Enter the percentage as a number, like 2.7.") from error
    if percentage != percentage.quantize(Decimal("0.001")) or not Decimal("-100") < percentage <= Decimal("100"):
        raise ValidationError("Enter a percentage between -99.999 and 100, with up to 3 decimal places, like 2.7.")
    if percentage == 0:
        raise ValidationError("A change of 0% changes nothing. Enter the percentage rise, like 2.7.")
    if weekly_cap is not None and weekly_cap <= ZERO:
        raise ValidationError("The weekly cap must be more than £0.00, or left empty for no cap.")

    run = _run_create(
        by=by,
        name=name,
        effective_from=effective_from,
        notice_weeks=notice_weeks,
        basis=RentChangeBasis.PERCENTAGE,
        percentage=percentage,
        weekly_cap=weekly_cap,
        charge_types=types,
    )
    run.schemes.set(schemes)
    day = effective_from
    tenancy_rows = (
        Charge.objects.in_effect(day)
        .filter(charge_type__in=types)
        .filter(tenancy__in=Tenancy.objects.filter(_live_on(day), property__scheme__in=schemes))
        .values_list("tenancy_id", "tenancy__property_id", "charge_type", "amount", "tenancy__rent_period")
    )
    old: dict[tuple[int, int, str], Decimal] = defaultdict(lambda: ZERO)
    periods: dict[int, str] = {}
    for tenancy_id, property_id, charge_type, amount, rent_period in tenancy_rows.iterator(chunk_size=20_000):
        old[(tenancy_id, property_id, charge_type)] += amount
        periods[tenancy_id] = rent_period
    lines = []
    for (tenancy_id, property_id, charge_type), amount in old.items():
        cap = weekly_to_period(weekly_cap, periods[tenancy_id]) if weekly_cap is not None else None
        new = rule_new_amount(amount, percentage=percentage, cap=cap)
        if new != amount:
            lines.append(_line(run, tenancy_id, property_id, charge_type, amount, new))
    home_rows = (
        PropertyCharge.objects.in_effect(day)
        .filter(charge_type__in=types, property__scheme__in=schemes)
        .filter(Q(property__retired_on__isnull=True) | Q(property__retired_on__gt=day))
        .values_list("property_id", "charge_type", "amount")
    )
    home_old: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for property_id, charge_type, amount in home_rows.iterator(chunk_size=20_000):
        home_old[(property_id, charge_type)] += amount
    for (property_id, charge_type), amount in home_old.items():
        new = rule_new_amount(amount, percentage=percentage, cap=weekly_cap)
        if new != amount:
            lines.append(_line(run, None, property_id, charge_type, amount, new))
    if not lines:
        raise ValidationError(
            f"No charge would change: no tenancy or home in the schemes chosen has those charges on "
            f"{effective_from:%-d %B %Y}."
        )
    RentChangeLine.objects.bulk_create(lines, batch_size=5000)
    return run


def _line(run, tenancy_id, property_id, charge_type, old, new) -> RentChangeLine:
    return RentChangeLine(
        run=run, tenancy_id=tenancy_id, property_id=property_id, charge_type=charge_type, old_amount=old, new_amount=new
    )


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


def _chunks(items: list, size: int = _LOOKUP_CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _lookup(model, field: str, values: set[str], extra: Q | None = None) -> dict[str, list[int]]:
    found: dict[str, list[int]] = defaultdict(list)
    for chunk in _chunks(sorted(values)):
        queryset = model.objects.filter(**{f"{field}__in": chunk})
        if extra is not None:
            queryset = queryset.filter(extra)
        for value, pk in queryset.values_list(field, "pk"):
            found[value].append(pk)
    return found


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
    tenancy_old: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for chunk in _chunks(sorted({tenancy_id for tenancy_id, _ in tenancy_new})):
        for tenancy_id, charge_type, amount in (
            Charge.objects.in_effect(day)
            .filter(tenancy_id__in=chunk)
            .values_list("tenancy_id", "charge_type", "amount")
        ):
            tenancy_old[(tenancy_id, charge_type)] += amount
    home_old: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for chunk in _chunks(sorted({property_id for property_id, _ in home_new})):
        for property_id, charge_type, amount in (
            PropertyCharge.objects.in_effect(day)
            .filter(property_id__in=chunk)
            .values_list("property_id", "charge_type", "amount")
        ):
            home_old[(property_id, charge_type)] += amount
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


# ---- what a run shows ------------------------------------------------------------------------------------------------


@dataclass
class RunFigures:
    tenancies: int
    tenancy_lines: int
    homes: int
    home_lines: int
    letters: int
    weekly_before: Decimal
    weekly_after: Decimal

    @property
    def weekly_difference(self) -> Decimal:
        return self.weekly_after - self.weekly_before


def rent_change_run_figures(run: RentChangeRun) -> RunFigures:
    """Counts and totals for the preview: tenancies and homes changed, the letters it will send (one per named
    tenant), and the weekly total charged before and after (monthly and multi-week periods as weekly equivalents)."""
    tenancy_lines = run.lines.filter(tenancy__isnull=False)
    before, after = ZERO, ZERO
    for row in tenancy_lines.values("tenancy__rent_period").annotate(old=Sum("old_amount"), new=Sum("new_amount")):
        before += weekly_equivalent(row["old"], row["tenancy__rent_period"])
        after += weekly_equivalent(row["new"], row["tenancy__rent_period"])
    counts = tenancy_lines.aggregate(lines=Count("id"), tenancies=Count("tenancy", distinct=True))
    home_counts = run.lines.filter(tenancy__isnull=True).aggregate(
        lines=Count("id"), homes=Count("property", distinct=True)
    )
    letters = TenancyTenant.objects.filter(tenancy_id__in=tenancy_lines.values("tenancy_id")).count()
    return RunFigures(
        tenancies=counts["tenancies"],
        tenancy_lines=counts["lines"],
        homes=home_counts["homes"],
        home_lines=home_counts["lines"],
        letters=letters,
        weekly_before=before,
        weekly_after=after,
    )


def run_label(run: RentChangeRun) -> str:
    """The documents' `made_by_run` for the run's letters (and its print batch)."""
    return f"rent-change:{run.pk}"


def _pending_lines(run: RentChangeRun):
    """Lines not yet applied, leaving out those that can no longer apply (the tenancy ended, or the home was retired,
    before the date)."""
    day = run.effective_from
    return (
        run.lines.filter(applied_charge__isnull=True, applied_property_charge__isnull=True)
        .exclude(Q(tenancy__isnull=False) & (Q(tenancy__end_date__lt=day) | Q(tenancy__start_date__gt=day)))
        .exclude(Q(tenancy__isnull=True) & Q(property__retired_on__lte=day))
    )


@dataclass
class RunProgress:
    lines: int
    lines_applied: int
    lines_not_applicable: int
    letters_expected: int
    letters_made: int
    letters_emailed: int
    letters_to_print: int
    template_missing: bool

    @property
    def lines_pending(self) -> int:
        return self.lines - self.lines_applied - self.lines_not_applicable

    @property
    def letters_pending(self) -> int:
        return max(self.letters_expected - self.letters_made, 0)

    @property
    def finished(self) -> bool:
        return self.lines_pending == 0 and self.letters_pending == 0


def rent_change_run_progress(run: RentChangeRun) -> RunProgress:
    lines = run.lines.count()
    applied = run.lines.filter(Q(applied_charge__isnull=False) | Q(applied_property_charge__isnull=False)).count()
    pending = _pending_lines(run).count()
    documents = Document.objects.filter(made_by_run=run_label(run))
    states = Counter(documents.values_list("delivery_state", flat=True))
    applied_tenancies = _letter_tenancy_ids(run)
    return RunProgress(
        lines=lines,
        lines_applied=applied,
        lines_not_applicable=lines - applied - pending,
        letters_expected=TenancyTenant.objects.filter(tenancy_id__in=applied_tenancies).count(),
        letters_made=sum(states.values()),
        letters_emailed=states.get(DeliveryState.EMAILED, 0),
        letters_to_print=states.get(DeliveryState.TO_PRINT, 0),
        template_missing=template_version_current(LETTER_TEMPLATE) is None,
    )


def _letter_tenancy_ids(run: RentChangeRun, among: list[int] | None = None) -> list[int]:
    """Tenancies whose lines are all applied: they get letters."""
    lines = run.lines.filter(tenancy__isnull=False)
    if among is not None:
        lines = lines.filter(tenancy_id__in=among)
    rows = lines.values("tenancy_id").annotate(total=Count("id"), applied=Count("applied_charge"))
    return sorted(row["tenancy_id"] for row in rows if row["total"] == row["applied"])


# ---- submitting and deciding -----------------------------------------------------------------------------------------


def _locked(run: RentChangeRun) -> RentChangeRun:
    return RentChangeRun.objects.select_for_update().get(pk=run.pk)


@transaction.atomic
def rent_change_run_submit(*, by, run: RentChangeRun, today: date | None = None) -> RentChangeRun:
    """Sends a draft for approval by someone else. The date is checked against the notice period again."""
    staff_require(by, "lifecycle.add_rentchangerun", "send rent changes for approval")
    run = _locked(run)
    if run.status != RentChangeStatus.DRAFT:
        raise ValidationError(f"This rent change is {run.get_status_display().lower()}, so it cannot be sent again.")
    problem = notice_problem(
        effective_from=run.effective_from, notice_weeks=run.notice_weeks, today=today or timezone.localdate()
    )
    if problem:
        raise ValidationError(f"{problem} Prepare it again with a later date.")
    run._history_user = by
    run.status, run.submitted_at = RentChangeStatus.AWAITING_APPROVAL, timezone.now()
    run.save(update_fields=["status", "submitted_at", "updated_at"])
    return run


@transaction.atomic
def rent_change_run_cancel(*, by, run: RentChangeRun) -> RentChangeRun:
    staff_require(by, "lifecycle.change_rentchangerun", "cancel rent changes")
    run = _locked(run)
    if run.status not in (RentChangeStatus.DRAFT, RentChangeStatus.AWAITING_APPROVAL):
        raise ValidationError(f"This rent change is {run.get_status_display().lower()}, so it cannot be cancelled.")
    run._history_user = by
    run.status = RentChangeStatus.CANCELLED
    run.save(update_fields=["status", "updated_at"])
    return run


def _decision_check(by, run: RentChangeRun) -> None:
    staff_require(by, "lifecycle.approve_rentchangerun", "approve or reject rent changes")
    if by is None:
        raise ValidationError("A rent change is approved or rejected by a person.")
    if run.status == RentChangeStatus.APPROVED:
        who = run.decided_by.get_full_name() or run.decided_by.get_username()
        raise ValidationError(
            f"This rent change was already approved by {who} on {timezone.localtime(run.decided_at):%-d %B %Y}. "
            "Nothing was changed again and no letter was sent again."
        )
    if run.status != RentChangeStatus.AWAITING_APPROVAL:
        raise ValidationError(f"This rent change is {run.get_status_display().lower()}: there is nothing to decide.")
    if run.prepared_by_id == by.pk:
        raise ValidationError("You prepared this rent change, so someone else must approve or reject it.")


@transaction.atomic
def rent_change_run_approve(*, by, run: RentChangeRun, reason: str = "", today: date | None = None) -> RentChangeRun:
    """Approves a run prepared by someone else. The charges change and the letters are made by Celery once this
    commits (in chunks; the run's page shows progress). Approving again is refused and changes nothing."""
    run = _locked(run)
    _decision_check(by, run)
    problem = notice_problem(
        effective_from=run.effective_from, notice_weeks=run.notice_weeks, today=today or timezone.localdate()
    )
    if problem:
        raise ValidationError(
            f"It is too late to approve this rent change: {problem[0].lower()}{problem[1:]} Reject it and prepare it "
            "again with a later date."
        )
    run._history_user = by
    run.status, run.decided_by, run.decided_at = RentChangeStatus.APPROVED, by, timezone.now()
    run.decision_reason = (reason or "").strip()
    run.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"])
    transaction.on_commit(lambda: rent_change_run_dispatch(run=run))
    return run


@transaction.atomic
def rent_change_run_reject(*, by, run: RentChangeRun, reason: str) -> RentChangeRun:
    run = _locked(run)
    _decision_check(by, run)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give the reason for rejecting it, so the person who prepared it knows what to change.")
    run._history_user = by
    run.status, run.decided_by, run.decided_at, run.decision_reason = (
        RentChangeStatus.REJECTED,
        by,
        timezone.now(),
        reason,
    )
    run.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"])
    return run


# ---- applying and the letters ----------------------------------------------------------------------------------------


def rent_change_run_dispatch(*, run: RentChangeRun) -> dict:
    """Hands an approved run's outstanding work to Celery: the lines not applied yet in chunks, and the letters not
    made yet in batches. Safe to call again (the page's "Finish applying" does): done work is skipped."""
    from .tasks import rent_change_apply, rent_change_letters

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
    from .tasks import rent_change_letters

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


def _charges_text(by_type: dict[str, list], period: str) -> tuple[str, Decimal]:
    total = ZERO
    lines = []
    for charge_type in sorted(by_type, key=lambda t: CHARGE_ORDER.get(t, 99)):
        amount = sum((c.amount for c in by_type[charge_type]), ZERO)
        if amount == ZERO:
            continue
        total += amount
        lines.append(f"{CHARGE_LABELS[charge_type]}: {format_money(amount)} {period}")
    return ("\n".join(lines) or "No charges"), total


def rent_change_letter_values(*, run: RentChangeRun, tenancy: Tenancy, people: list) -> dict[str, str]:
    """The merge values of a tenancy's rent change letter (all but tenant_name, which is per letter): the charges the
    day before the change and from it, each charge's change, the totals and the difference."""
    charges = list(tenancy.charges.all())
    day = run.effective_from
    period = PERIOD_PHRASES.get(tenancy.rent_period, "a period")
    before_by_type = _charges_on(charges, day - timedelta(days=1)) if day > tenancy.start_date else {}
    after_by_type = _charges_on(charges, day)
    before_text, before_total = _charges_text(before_by_type, period)
    after_text, after_total = _charges_text(after_by_type, period)
    changes = []
    for charge_type in sorted(set(before_by_type) | set(after_by_type), key=lambda t: CHARGE_ORDER.get(t, 99)):
        old = sum((c.amount for c in before_by_type.get(charge_type, [])), ZERO)
        new = sum((c.amount for c in after_by_type.get(charge_type, [])), ZERO)
        if old != new:
            direction = "up" if new > old else "down"
            changes.append(
                f"{CHARGE_LABELS[charge_type]}: {format_money(old)} {period} now, {format_money(new)} {period} from "
                f"{day:%-d %B %Y} ({direction} {format_money(abs(new - old))})"
            )
    difference = after_total - before_total
    if difference > 0:
        total_change = f"an increase of {format_money(difference)} {period}"
    elif difference < 0:
        total_change = f"a decrease of {format_money(-difference)} {period}"
    else:
        total_change = "no change to the total"
    provider = tenancy.property.scheme.provider
    patch = tenancy.property.patch
    officer = patch.officer if patch else None
    return {
        "tenant_names": " and ".join(person.full_name for person in people),
        "address": tenancy.property.one_line_address,
        "payment_reference": tenancy.payment_reference,
        "landlord_name": provider.name,
        "officer_name": (officer.get_full_name() or officer.username) if officer else "The Income Team",
        "officer_phone": (getattr(officer, "phone", "") if officer else "")
        or provider.phone
        or "the number on our website",
        "today": f"{timezone.localdate():%-d %B %Y}",
        "weekly_rent": format_money(weekly_equivalent(after_total, tenancy.rent_period)),
        "rent_change_date": f"{day:%-d %B %Y}",
        "charges_before": before_text,
        "charges_after": after_text,
        "charge_changes": "\n".join(changes) or "No single charge changes.",
        "total_before": f"{format_money(before_total)} {period}",
        "total_after": f"{format_money(after_total)} {period}",
        "total_change": total_change,
    }


def rent_change_letters_make(*, run_id: int, tenancy_ids: list[int]) -> Counter:
    """The run's letters for these tenancies: one per named tenant, through the product's letters path (made once,
    found again by its subject key; waiting to be printed, or emailed to a tenant who chose email). Only tenancies
    whose lines are all applied get letters."""
    from .signup import named_tenant_letters_make

    run = RentChangeRun.objects.select_related("decided_by").get(pk=run_id)
    counts: Counter = Counter()
    if run.status != RentChangeStatus.APPROVED:
        counts["not_approved"] += 1
        return counts
    label = run_label(run)
    ready = set(_letter_tenancy_ids(run, among=list(tenancy_ids)))
    tenancies = (
        Tenancy.objects.filter(pk__in=ready)
        .select_related("property__scheme__provider", "property__patch__officer")
        .order_by("pk")
    )
    made_before = set(
        Document.objects.filter(made_by_run=label, subject_key__startswith=f"{label}:").values_list(
            "subject_key", flat=True
        )
    )
    for tenancy in tenancies:
        people = tenancy.named_tenants()
        subject_key = f"{label}:{tenancy.pk}"
        missing = [person for person in people if f"{subject_key}:person:{person.pk}" not in made_before]
        counts["already_made"] += len(people) - len(missing)
        if not missing:
            continue
        try:
            named_tenant_letters_make(
                tenancy=tenancy,
                people=missing,
                template_key=LETTER_TEMPLATE,
                values=rent_change_letter_values(run=run, tenancy=tenancy, people=people),
                subject_key=subject_key,
                made_by=run.decided_by,
                run_label=label,
            )
        except ValidationError as error:
            logger.error("Rent change %s: letters for tenancy %s not made: %s", run.pk, tenancy.pk, error.messages[0])
            counts["failed"] += len(missing)
            continue
        counts["made"] += len(missing)
    return counts
