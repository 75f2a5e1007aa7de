"""Finding who is due under the retention schedule (`retention_review`): each former tenant's clock, the rules past
their period, and the people left alone because a debt or claim is still live (see the package's docstring)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Max, Q

from arrears.constants import AgreementState, CaseStatus
from arrears.models import Agreement, ArrearsCase, BreathingSpace
from courts.models import LegalCase
from privacy.constants import CATEGORY_ORDER, Blocker, RetentionAction, RetentionCategory
from privacy.models import Anonymisation, RetentionRule
from rentaccounts.constants import RequestStatus
from rentaccounts.models import Account, AdjustmentRequest
from tenancies.constants import TenancyStatus
from tenancies.models import Person, TenancyTenant


@dataclass(frozen=True)
class RetentionDue:
    """One category of one person's data past its period."""

    person_id: int
    name: str
    category: str
    period_months: int
    clock_started_on: date
    due_on: date


@dataclass
class RetentionReview:
    due: list[RetentionDue] = field(default_factory=list)
    held: dict[str, int] = field(default_factory=dict)  # blocker -> people past the schedule left alone for it


def person_is_anonymised(person: Person) -> bool:
    return Anonymisation.objects.filter(person=person, category=RetentionCategory.IDENTITY).exists()


def _tenancy_blockers(today: date) -> dict[int, set[str]]:
    """Tenancy id -> why the people named on it must be left alone (set-based: one query per reason)."""
    blockers: dict[int, set[str]] = defaultdict(set)
    queries = [
        (Blocker.BALANCE, Account.objects.exclude(balance=0).values_list("tenancy_id", flat=True)),
        (
            Blocker.OPEN_CASE,
            ArrearsCase.objects.filter(status=CaseStatus.OPEN).values_list("account__tenancy_id", flat=True),
        ),
        (
            Blocker.LEGAL_CASE,
            LegalCase.objects.exclude(status=LegalCase.Status.CLOSED).values_list("tenancy_id", flat=True),
        ),
        (
            Blocker.BREATHING_SPACE,
            BreathingSpace.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today)).values_list(
                "tenancy_id", flat=True
            ),
        ),
        (
            Blocker.AGREEMENT,
            Agreement.objects.filter(state=AgreementState.LIVE).values_list("case__account__tenancy_id", flat=True),
        ),
        (
            Blocker.PENDING_REQUEST,
            AdjustmentRequest.objects.filter(status=RequestStatus.PENDING).values_list(
                "account__tenancy_id", flat=True
            ),
        ),
    ]
    for reason, tenancy_ids in queries:
        for tenancy_id in tenancy_ids.distinct():
            blockers[tenancy_id].add(str(reason))
    return blockers


def _last_dates() -> dict[int, date]:
    """Tenancy id -> the latest of its accounts' last ledger line and its legal cases' closing."""
    last: dict[int, date] = {}
    moved = Account.objects.values("tenancy_id").annotate(last=Max("transactions__effective_date"))
    closed = LegalCase.objects.filter(closed_on__isnull=False).values("tenancy_id").annotate(last=Max("closed_on"))
    for row in [*moved, *closed]:
        if row["last"] is not None and (row["tenancy_id"] not in last or row["last"] > last[row["tenancy_id"]]):
            last[row["tenancy_id"]] = row["last"]
    return last


def retention_review(*, today: date) -> RetentionReview:
    """Every category of every former tenant's data past the schedule on `today`, with the rule and the dates; and
    how many people past it are left alone, by reason. Reads only."""
    rules = list(
        RetentionRule.objects.filter(action=RetentionAction.ANONYMISE).exclude(category=RetentionCategory.RENT_ACCOUNT)
    )
    review = RetentionReview()
    if not rules:
        return review
    named = TenancyTenant.every_row.filter(person__merged_into__isnull=True).values_list(
        "person_id", "tenancy_id", "left_on", "tenancy__end_date", "tenancy__status"
    )
    # person -> [(tenancy id, the day they stopped holding it, whether it ended (not continued without them))]
    held_by: dict[int, list[tuple[int, date | None, bool]]] = defaultdict(list)
    current: set[int] = set()
    for person_id, tenancy_id, left_on, end_date, status in named.iterator(chunk_size=5000):
        former = status == TenancyStatus.FORMER
        ended = left_on or (end_date if former else None)
        if ended is None:
            current.add(person_id)
        held_by[person_id].append((tenancy_id, ended, former))
    blockers = _tenancy_blockers(today)
    last = _last_dates()
    done = set(Anonymisation.objects.values_list("person_id", "category"))
    due: list[tuple[int, RetentionRule, date, date]] = []
    held: dict[str, int] = defaultdict(int)
    for person_id, holdings in held_by.items():
        if person_id in current:
            continue
        # A tenancy that continued after they left counts from the day they left; its later life is not theirs.
        clock = max(
            max(ended, last.get(tenancy_id, ended)) if former else ended for tenancy_id, ended, former in holdings
        )
        pending = [
            (rule, clock + relativedelta(months=rule.period_months))
            for rule in rules
            if (person_id, rule.category) not in done and clock + relativedelta(months=rule.period_months) <= today
        ]
        if not pending:
            continue
        reasons = set().union(*(blockers.get(tenancy_id, set()) for tenancy_id, _, former in holdings if former))
        if reasons:
            for reason in reasons:
                held[reason] += 1
            continue
        due.extend((person_id, rule, clock, due_on) for rule, due_on in pending)
    names = {
        person.pk: person.full_name
        for person in Person.objects.filter(pk__in={item[0] for item in due}).only(
            "id", "title", "first_name", "last_name"
        )
    }
    order = {category: position for position, category in enumerate(CATEGORY_ORDER)}
    review.due = sorted(
        (
            RetentionDue(
                person_id=person_id,
                name=names.get(person_id, ""),
                category=rule.category,
                period_months=rule.period_months,
                clock_started_on=clock,
                due_on=due_on,
            )
            for person_id, rule, clock, due_on in due
        ),
        key=lambda item: (item.person_id, order.get(item.category, 99)),
    )
    review.held = dict(held)
    return review
