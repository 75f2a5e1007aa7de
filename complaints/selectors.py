"""Reads of the complaints app: what is due next on a complaint and by when, the managers' open list by due date,
a person's or a tenancy's complaints, and the open complaints about arrears action that the case page warns of."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, QuerySet

from incomeapp.workingdays import working_days_between
from tenancies.models import Person, Tenancy
from tenancies.scoping import people_scope_q

from .constants import ComplaintAbout, ComplaintStageKind
from .models import Complaint, ComplaintStage
from .services import complaint_jurisdiction, current_stage


@dataclass(frozen=True)
class Due:
    """The next thing due on a complaint's current stage: "acknowledge" or "respond", by `on`; `overdue_by` working
    days when `on` has passed."""

    what: str
    on: date
    overdue_by: int

    @property
    def label(self) -> str:
        return "Acknowledgement" if self.what == "acknowledge" else "Response"


@dataclass(frozen=True)
class ComplaintRow:
    complaint: Complaint
    stage: ComplaintStage
    due: Due | None

    @property
    def with_ombudsman(self) -> bool:
        return self.stage.stage == ComplaintStageKind.OMBUDSMAN and self.stage.responded_on is None


def stage_due(stage: ComplaintStage, *, today: date, jurisdiction: str) -> Due | None:
    """What the landlord owes next on this stage, or None (answered, or with the Ombudsman)."""
    if stage.responded_on is not None or stage.rule_id is None:
        return None
    if stage.acknowledged_on is None and stage.acknowledge_by is not None:
        what, on = "acknowledge", stage.acknowledge_by
    else:
        what, on = "respond", stage.extended_to or stage.respond_by
    if on is None:
        return None
    overdue = working_days_between(on, today, jurisdiction=jurisdiction) if today > on else 0
    return Due(what, on, overdue)


def _with_stages(queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
    return queryset.select_related("person", "tenancy__property__scheme__provider").prefetch_related(
        Prefetch("stages", queryset=ComplaintStage.objects.select_related("rule", "recorded_by"))
    )


def complaint_row(complaint: Complaint, *, today: date) -> ComplaintRow:
    stage = current_stage(complaint)
    return ComplaintRow(complaint, stage, stage_due(stage, today=today, jurisdiction=complaint_jurisdiction(complaint)))


def complaint_detail(*, pk: int) -> Complaint:
    return _with_stages(Complaint.objects.select_related("recorded_by")).get(pk=pk)


def stage_timeline(complaint: Complaint, *, today: date) -> list[dict]:
    """Each stage, oldest first, with its due dates and whether each was met or is overdue."""
    where = complaint_jurisdiction(complaint)
    rows = []
    for stage in sorted(complaint.stages.all(), key=lambda row: list(ComplaintStageKind.values).index(row.stage)):
        rows.append({"stage": stage, "due": stage_due(stage, today=today, jurisdiction=where)})
    return rows


@dataclass(frozen=True)
class OpenList:
    rows: list[ComplaintRow]
    counts: dict
    overdue: int


def open_complaints(*, user, today: date, stage: str = "") -> OpenList:
    """Open complaints the user may see, overdue first, then by the next due date (acknowledgement or response);
    those with the Ombudsman, which have no landlord deadline, last. `stage` filters by the current stage."""
    queryset = Complaint.objects.filter(closed_on__isnull=True)
    scope = people_scope_q(user, "person__")
    if scope is not None:
        queryset = queryset.filter(scope)
    every = [complaint_row(complaint, today=today) for complaint in _with_stages(queryset)]
    counts = {kind: sum(1 for row in every if row.stage.stage == kind) for kind in ComplaintStageKind.values}
    rows = [row for row in every if not stage or row.stage.stage == stage]
    rows.sort(
        key=lambda row: (
            row.due is None,
            not (row.due and row.due.overdue_by),
            row.due.on if row.due else row.stage.started_on,
            row.complaint.pk,
        )
    )
    return OpenList(rows, counts, sum(1 for row in every if row.due and row.due.overdue_by))


def person_complaints(*, person: Person, today: date) -> list[ComplaintRow]:
    return [complaint_row(c, today=today) for c in _with_stages(Complaint.objects.filter(person=person))]


def tenancy_complaints(*, tenancy: Tenancy, today: date) -> list[ComplaintRow]:
    return [complaint_row(c, today=today) for c in _with_stages(Complaint.objects.filter(tenancy=tenancy))]


def open_arrears_action_complaints(*, tenancy: Tenancy, today: date) -> list[ComplaintRow]:
    """Open complaints about arrears action on this tenancy: the arrears case page shows them as a warning."""
    queryset = Complaint.objects.filter(tenancy=tenancy, about=ComplaintAbout.ARREARS_ACTION, closed_on__isnull=True)
    return [complaint_row(c, today=today) for c in _with_stages(queryset)]
