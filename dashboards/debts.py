"""The debt figures of issue 16 for the "Former tenants, write-offs and overpayments" page: former tenant arrears
(collected this year, owed, cases by stage), write-offs net of write-ons by reason, month and officer, and Housing
Benefit overpayments by scheme. Worked out as the page opens from a few aggregate queries in the lower apps'
`selectors_reports` (no snapshot: keeping them weekly would need new snapshot columns); defined in
`kpis.DEBT_KPIS`."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model

from arrears.selectors_reports import StageCount, former_cases_by_stage
from incomeapp.money import ZERO
from rentaccounts.constants import WriteOffReason
from rentaccounts.selectors_reports import (
    FormerTenantArrears,
    OverpaymentTotals,
    WriteOffGroup,
    WriteOffSummary,
    former_tenant_arrears,
    hb_overpayments_by_scheme,
    write_offs_summary,
)

from .ledger_sums import financial_year_start
from .models import KpiSnapshot

NO_REASON = "No reason recorded (loaded from an earlier system)"
NOT_RECORDED = "Not recorded"


def twelve_months_start(on: date) -> date:
    """The first day of the month eleven months before the date's: the last 12 months, this one included."""
    months = on.year * 12 + on.month - 1 - 11
    return date(months // 12, months % 12 + 1, 1)


@dataclass
class DebtFigures:
    on: date
    year_start: date
    months_start: date
    former: FormerTenantArrears
    stages: list[StageCount]
    write_offs: WriteOffSummary
    months: list[WriteOffGroup]  # every one of the 12 months, nothing written off included
    overpayments: list[OverpaymentTotals]
    write_offs_pct: Decimal | None  # the Write-offs KPI (K4) from the latest weekly snapshot
    write_offs_pct_week: date | None

    @property
    def stage_cases(self) -> int:
        return sum(stage.cases for stage in self.stages)

    @property
    def overpayments_total(self) -> OverpaymentTotals:
        def total(name: str) -> Decimal:
            return sum((getattr(row, name) for row in self.overpayments), ZERO)

        return OverpaymentTotals(
            scheme="All schemes",
            count=sum(row.count for row in self.overpayments),
            **{n: total(n) for n in ("total", "recoverable", "blameless", "outstanding", "recovered", "written_off")},
        )


def _every_month(start: date, groups: list[WriteOffGroup], on: date) -> list[WriteOffGroup]:
    found = {group.key: group for group in groups}
    months, day = [], start
    while day <= on:
        months.append(found.get(day, WriteOffGroup(day)))
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


def _label(summary: WriteOffSummary) -> None:
    """Plain words for the groups: the reason's label, the officer's name (approvers too)."""
    reasons = dict(WriteOffReason.choices)
    for group in summary.by_reason:
        group.label = reasons.get(group.key, NO_REASON) if group.key else NO_REASON
    ids = {group.key for group in summary.by_officer} | {a for g in summary.by_officer for a in g.approvers}
    users = get_user_model().objects.filter(pk__in=[pk for pk in ids if pk is not None])
    names = {user.pk: user.get_full_name() or user.username for user in users}
    for group in summary.by_officer:
        group.label = names.get(group.key, NOT_RECORDED)
        group.approver_names = sorted(names.get(pk, NOT_RECORDED) for pk in group.approvers)


def debt_figures(on: date) -> DebtFigures:
    year_start, months_start = financial_year_start(on), twelve_months_start(on)
    summary = write_offs_summary(since=year_start, until=on, months_since=months_start)
    _label(summary)
    k4 = (
        KpiSnapshot.objects.filter(kpi="write_offs_pct", dimension="all")
        .order_by("-week_ending")
        .values_list("value", "week_ending")
        .first()
    )
    return DebtFigures(
        on=on,
        year_start=year_start,
        months_start=months_start,
        former=former_tenant_arrears(since=year_start, until=on),
        stages=former_cases_by_stage(),
        write_offs=summary,
        months=_every_month(months_start, summary.by_month, on),
        overpayments=hb_overpayments_by_scheme(),
        write_offs_pct=k4[0] if k4 else None,
        write_offs_pct_week=k4[1] if k4 else None,
    )


def csv_tables(figures: DebtFigures) -> dict[str, tuple[str, list[str], list[list]]]:
    """Each table on the page as (file name, header, rows), for its CSV download."""
    on = figures.on
    write_off_header = ["written_off", "written_on", "net"]

    def amounts(group: WriteOffGroup) -> list:
        return [group.written_off, group.written_on, group.net]

    return {
        "former": (
            f"former-tenant-arrears-{on}.csv",
            ["measure", "value"],
            [
                ["collected_since", figures.year_start],
                ["collected", figures.former.collected],
                ["collected_by_debt_agency", figures.former.collected_by_agency],
                ["balance_owed", figures.former.balance],
                ["accounts_owing", figures.former.accounts_owing],
            ],
        ),
        "stages": (
            f"former-tenant-cases-by-stage-{on}.csv",
            ["stage", "cases", "balance"],
            [[stage.label, stage.cases, stage.balance] for stage in figures.stages],
        ),
        "reasons": (
            f"write-offs-by-reason-{figures.year_start}-to-{on}.csv",
            ["reason", "write_offs", *write_off_header],
            [[g.label, g.count, *amounts(g)] for g in figures.write_offs.by_reason],
        ),
        "months": (
            f"write-offs-by-month-{figures.months_start}-to-{on}.csv",
            ["month", "write_offs", *write_off_header],
            [[f"{g.key:%Y-%m}", g.count, *amounts(g)] for g in figures.months],
        ),
        "officers": (
            f"write-offs-by-officer-{figures.year_start}-to-{on}.csv",
            ["requested_by", "approved_by", "write_offs", *write_off_header],
            [[g.label, "; ".join(g.approver_names), g.count, *amounts(g)] for g in figures.write_offs.by_officer],
        ),
        "overpayments": (
            f"hb-overpayments-by-scheme-{on}.csv",
            [
                "scheme",
                "count",
                "total",
                "recoverable",
                "blameless",
                "outstanding",
                "recovered",
                "written_off",
                "landlord_loss",
            ],
            [
                [
                    r.scheme,
                    r.count,
                    r.total,
                    r.recoverable,
                    r.blameless,
                    r.outstanding,
                    r.recovered,
                    r.written_off,
                    r.landlord_loss,
                ]
                for r in figures.overpayments
            ],
        ),
    }
