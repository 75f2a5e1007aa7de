"""Officer follow-through and the exception report (issue 7 §4-5): what the review asked people to do and whether they
did it, pauses and their age, breached agreements nobody has contacted, and the schemes, officers and cases outside
target or outside policy."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Max

from arrears.constants import AgreementState, CaseStatus
from arrears.models import Agreement, ArrearsCase, Contact, Pause, Recommendation
from arrears.selectors import full_reviews
from incomeapp.workingdays import add_working_days

from .kpis import BY_KEY
from .models import KpiSnapshot
from .selectors import rag, targets

PERSON_MODES = ("officer", "approval")  # steps the policy leaves to a person
FOLLOW_UP_WORKING_DAYS = 5
NO_CONTACT_DAYS = 28
EXCEPTION_WEEKS = 8


@dataclass
class OfficerFollowThrough:
    officer: str
    asked: int = 0
    done_in_time: int = 0
    overdue: int = 0
    pauses: Counter = field(default_factory=Counter)  # by age band
    breached_not_contacted: int = 0

    @property
    def pause_bands(self) -> list[tuple[str, int]]:
        return [
            (band, self.pauses[band])
            for band in ("under 4 weeks", "4 to 8 weeks", "over 8 weeks")
            if band in self.pauses
        ]

    @property
    def done_pct(self):
        return round(100 * self.done_in_time / self.asked, 1) if self.asked else None


def _officer(case) -> str:
    return case.officer.username if case.officer_id else "Unassigned"


def follow_through(today: date) -> list[OfficerFollowThrough]:
    """Per officer: of the person steps the last full review recommended at least 5 working days ago, how many had a
    contact within 5 working days; the person steps still without one (overdue); open pauses by age; breached
    agreements with no contact since the breach."""
    rows: dict[str, OfficerFollowThrough] = defaultdict(lambda: OfficerFollowThrough(officer=""))
    cutoff = today
    runs = full_reviews()
    run = next((r for r in runs[:10] if add_working_days(r.as_of, FOLLOW_UP_WORKING_DAYS) <= cutoff), None)
    if run is not None:
        due = add_working_days(run.as_of, FOLLOW_UP_WORKING_DAYS)
        recommended = Recommendation.objects.filter(run=run, mode__in=PERSON_MODES, case__isnull=False).select_related(
            "case__officer"
        )
        cases = {rec.case_id: rec.case for rec in recommended}
        contacts = defaultdict(list)
        for case_id, occurred_on in Contact.objects.filter(case_id__in=cases, occurred_on__gte=run.as_of).values_list(
            "case_id", "occurred_on"
        ):
            contacts[case_id].append(occurred_on)
        for case_id, case in cases.items():
            row = rows[_officer(case)]
            row.asked += 1
            days = contacts.get(case_id, [])
            if any(day <= due for day in days):
                row.done_in_time += 1
            elif not days:
                row.overdue += 1
    for pause in Pause.objects.filter(ends_on__gte=today, case__status=CaseStatus.OPEN).select_related("case__officer"):
        age = (today - pause.created_at.date()).days
        band = "under 4 weeks" if age < 28 else "4 to 8 weeks" if age < 56 else "over 8 weeks"
        rows[_officer(pause.case)].pauses[band] += 1
    last_contact = dict(
        Contact.objects.values("case_id").annotate(last=Max("occurred_on")).values_list("case_id", "last")
    )
    for agreement in Agreement.objects.filter(state=AgreementState.BREACHED).select_related("case__officer"):
        breached_on = agreement.state_changes.filter(state=AgreementState.BREACHED).aggregate(on=Max("on"))["on"]
        contacted = last_contact.get(agreement.case_id)
        if breached_on and (contacted is None or contacted < breached_on):
            rows[_officer(agreement.case)].breached_not_contacted += 1
    for name, row in rows.items():
        row.officer = name
    return sorted(rows.values(), key=lambda row: row.officer)


@dataclass
class OffTarget:
    dimension: str
    group: str
    kpi: str
    value: object
    target: object
    status: str


def groups_outside_target(week_ending: date) -> list[OffTarget]:
    """Schemes and officers whose figure is off target this week."""
    goal = targets()
    found = []
    for row in KpiSnapshot.objects.filter(week_ending=week_ending, dimension__in=["scheme", "officer"]).order_by(
        "dimension", "group", "kpi"
    ):
        kpi = BY_KEY.get(row.kpi)
        if kpi is None or kpi.better is None or goal.get(row.kpi) is None:
            continue
        status = rag(kpi, row.value, goal[row.kpi])
        if status == "off_target":
            found.append(OffTarget(row.dimension, row.group, kpi.name, row.value, goal[row.kpi], status))
    return found


def cases_outside_policy(today: date) -> list[dict]:
    """Open cases more than 8 weeks in arrears with no contact in the last 28 days (income-management §4)."""
    since = today - timedelta(days=NO_CONTACT_DAYS)
    last_contact = dict(
        Contact.objects.values("case_id").annotate(last=Max("occurred_on")).values_list("case_id", "last")
    )
    rows = []
    for case in ArrearsCase.objects.filter(
        status=CaseStatus.OPEN, latest_recommendation__arrears_weeks__gt=EXCEPTION_WEEKS
    ).select_related("latest_recommendation", "officer", "account__tenancy"):
        contacted = last_contact.get(case.pk)
        if contacted is None or contacted < since:
            rows.append(
                {
                    "case": case,
                    "reference": case.account.tenancy.payment_reference,
                    "weeks": case.latest_recommendation.arrears_weeks,
                    "balance": case.latest_recommendation.balance,
                    "last_contact": contacted,
                    "officer": _officer(case),
                }
            )
    return sorted(rows, key=lambda row: row["weeks"], reverse=True)
