"""What a run shows: its counts and weekly totals before and after (`rent_change_run_figures`), how far applying
it and making its letters have got (`rent_change_run_progress`), and the lines and letters still to do."""

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from documents.constants import DeliveryState
from documents.models import Document
from documents.services import template_version_current
from incomeapp.money import ZERO
from lifecycle.models import RentChangeRun
from tenancies.models import TenancyTenant
from tenancies.selectors import weekly_equivalent

LETTER_TEMPLATE = "rent_change_letter"


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
