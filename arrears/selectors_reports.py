"""Reads for the debt dashboards (issue 16): former tenants' open cases by the stage the latest review put them at."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum

from arrears.constants import CaseStatus, Ladder
from arrears.models import ArrearsCase
from incomeapp.money import money_from_sum

NOT_REVIEWED = "Not reviewed yet"


@dataclass(frozen=True)
class StageCount:
    label: str  # the policy's plain words for the step (never its key)
    cases: int
    balance: Decimal


def former_cases_by_stage() -> list[StageCount]:
    """Open cases on the former tenants' ladder, grouped by the step their latest recommendation gave (one grouped
    query on the open cases), most cases first. A case the review has not looked at yet says so."""
    rows = (
        ArrearsCase.objects.filter(status=CaseStatus.OPEN, ladder=Ladder.FORMER)
        .values("latest_recommendation__label")
        .annotate(cases=Count("id"), balance=Sum("account__balance"))
    )
    stages: dict[str, StageCount] = {}
    for row in rows:
        label = (row["latest_recommendation__label"] or "").strip() or NOT_REVIEWED
        before = stages.get(label)
        stages[label] = StageCount(
            label=label,
            cases=row["cases"] + (before.cases if before else 0),
            balance=money_from_sum(row["balance"]) + (before.balance if before else 0),
        )
    return sorted(stages.values(), key=lambda stage: (-stage.cases, stage.label))
