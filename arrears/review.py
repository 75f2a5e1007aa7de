"""The arrears review: facts for every account in scope, the policy engine, stored recommendations with their reasons,
cases opened and closed, and automatic letters queued once per case, stage and week.

One review runs at a time (a PostgreSQL advisory lock). Work is done in chunks, each its own transaction, so a review
that dies keeps what it finished; running it again for the same date resumes the same run and does the rest. A dry run
writes nothing and reports what would happen.
"""

from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from rentaccounts.charging import monday_of
from rentaccounts.services import staff_require

from .constants import CaseStatus, ContactKind, ContactOutcome, PolicyVersionStatus, ReviewStatus
from .engine import Recommendation as Result
from .engine import evaluate
from .models import ArrearsCase, ArrearsPolicy, ArrearsPolicyVersion, Contact, LetterRequest, Recommendation, ReviewRun
from .review_facts import accounts_in_scope, facts_for_accounts

REVIEW_LOCK = 7_340_001  # advisory lock key: one review at a time


@dataclass
class ReviewSummary:
    as_of: date
    accounts: int = 0
    actions: Counter = field(default_factory=Counter)
    letters_queued: int = 0
    cases_opened: int = 0
    cases_closed: int = 0
    cases: list[dict] = field(default_factory=list)  # dry run: each case that would be on the worklist

    def as_dict(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "accounts": self.accounts,
            "actions": dict(sorted(self.actions.items())),
            "letters_queued": self.letters_queued,
            "cases_opened": self.cases_opened,
            "cases_closed": self.cases_closed,
            **({"cases": self.cases} if self.cases else {}),
        }


class PolicyChooser:
    """The live policy version for an account: scheme policy, else tenure policy, else the default."""

    def __init__(self):
        live = {
            v.policy_id: v
            for v in ArrearsPolicyVersion.objects.filter(status=PolicyVersionStatus.LIVE).select_related("policy")
        }
        if not live:
            raise ValidationError("No arrears policy is live. Run `python manage.py arrears_policy install` first.")
        self.default = None
        self.by_scheme, self.by_tenure = {}, {}
        for policy in ArrearsPolicy.objects.filter(id__in=live).prefetch_related("schemes"):
            version = live[policy.pk]
            if policy.is_default:
                self.default = version
            for scheme in policy.schemes.all():
                self.by_scheme[scheme.pk] = version
            for tenure in policy.tenure_types or []:
                self.by_tenure[tenure] = version
        if self.default is None:
            raise ValidationError("No arrears policy is marked as the default. Mark one in the policy settings.")

    def version_for(self, facts: dict) -> ArrearsPolicyVersion:
        return self.by_scheme.get(facts["_scheme"]) or self.by_tenure.get(facts["tenure_type"]) or self.default


@contextmanager
def _one_review_at_a_time():
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [REVIEW_LOCK])
        if not cursor.fetchone()[0]:
            raise ValidationError("An arrears review is already running. Wait for it to finish, then try again.")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [REVIEW_LOCK])


def _chunk_size() -> int:
    return 5000 if connection.vendor == "postgresql" else 400


def review_run(
    *,
    as_of: date,
    started_by=None,
    dry_run: bool = False,
    account_ids: list[int] | None = None,
    scope: str = "all",
) -> tuple[ReviewRun | None, ReviewSummary]:
    """Reviews every account owing or with an open case (or just `account_ids`). Returns the run and its summary."""
    staff_require(started_by, "arrears.add_reviewrun", "start an arrears review")
    chooser = PolicyChooser()
    summary = ReviewSummary(as_of=as_of)
    with _one_review_at_a_time():
        run = None
        if not dry_run:
            run = (
                ReviewRun.objects.filter(
                    as_of=as_of, scope=scope, status__in=[ReviewStatus.RUNNING, ReviewStatus.FAILED]
                )
                .order_by("-id")
                .first()
            )
            if run is None:
                run = ReviewRun.objects.create(as_of=as_of, scope=scope, started_by=started_by)
            run.status, run.error = ReviewStatus.RUNNING, ""
            run.save(update_fields=["status", "error"])
        ids = accounts_in_scope(account_ids=account_ids)
        done = set(run.recommendations.values_list("account_id", flat=True)) if run else set()
        try:
            for start in range(0, len(ids), _chunk_size()):
                chunk = [i for i in ids[start : start + _chunk_size()] if i not in done]
                if chunk:
                    _review_chunk(run, chunk, as_of, chooser, summary, dry_run)
                if run:
                    ReviewRun.objects.filter(pk=run.pk).update(accounts_done=min(len(ids), start + _chunk_size()))
        except Exception as error:
            if run:
                ReviewRun.objects.filter(pk=run.pk).update(
                    status=ReviewStatus.FAILED, error=f"Stopped part way: {error}. Run it again to finish the rest."
                )
            raise
        summary.accounts = len(ids)
        if run:
            _finish(run, summary)
    return run, summary


def _review_chunk(run, chunk, as_of, chooser, summary, dry_run) -> None:
    facts = facts_for_accounts(account_ids=chunk, as_of=as_of)
    with transaction.atomic():
        for account_id, case_facts in facts.items():
            version = chooser.version_for(case_facts)
            inputs = {k: v for k, v in case_facts.items() if not k.startswith("_")}
            result = evaluate(version.document, inputs, version=version.number)
            summary.actions[result.action] += 1
            if dry_run:
                if result.mode != "none":
                    summary.cases.append(
                        {"account": account_id, "action": result.action, "reason": "; ".join(result.reasons)}
                    )
                continue
            case = _case_open_or_close(case_facts, result, as_of, summary)
            recommendation = Recommendation.objects.create(
                run=run,
                account_id=account_id,
                case=case,
                policy_version=version,
                action=result.action,
                label=result.label,
                mode=result.mode,
                letter=result.letter,
                severity=result.severity,
                rule=result.rule,
                reasons=result.reasons,
                blocked_by=result.blocked_by,
                facts=_jsonable(inputs),
                balance=inputs["balance"],
                arrears_weeks=_weeks(inputs),
            )
            if case and result.mode == "automatic" and result.letter:
                summary.letters_queued += _letter_queue(case, result, recommendation, as_of)


def _weeks(inputs: dict):
    from .facts import facts_derive

    return facts_derive(inputs)["arrears_weeks"].max(-999999).min(999999)


def _case_open_or_close(facts: dict, result: Result, as_of: date, summary: ReviewSummary) -> ArrearsCase | None:
    """A case opens when an account owes and the policy recommends something; it closes when nothing is owed and no
    legal step is pending (no court date ahead, no eviction date)."""
    case: ArrearsCase | None = facts["_case"]
    owing = facts["balance"] > 0
    if case is None and owing and result.mode != "none":
        summary.cases_opened += 1
        return ArrearsCase.objects.create(
            account_id=_account_id(facts), opened_on=as_of, officer_id=facts["_patch_officer"]
        )
    if case is not None and not owing and not case.eviction_date and not (case.court_date and case.court_date > as_of):
        case.status, case.closed_on = CaseStatus.CLOSED, as_of
        case.save(update_fields=["status", "closed_on", "updated_at"])
        summary.cases_closed += 1
    return case


def _account_id(facts: dict) -> int:
    return facts["_account_id"]


def _letter_queue(case: ArrearsCase, result: Result, recommendation: Recommendation, as_of: date) -> int:
    """Queues the letter once per case, letter and week; the contact is recorded with it, so the ladder moves on."""
    week = monday_of(as_of)
    if LetterRequest.objects.filter(case=case, letter=result.letter, week_commencing=week).exists():
        return 0
    try:
        with transaction.atomic():
            contact = Contact.objects.create(
                case=case,
                kind=ContactKind.LETTER,
                code=result.letter,
                outcome=ContactOutcome.QUEUED,
                occurred_on=as_of,
                notes=f"{result.label} (automatic, weekly review)",
            )
            LetterRequest.objects.create(
                case=case, letter=result.letter, week_commencing=week, recommendation=recommendation, contact=contact
            )
    except IntegrityError:  # a concurrent review queued it first
        return 0
    return 1


def _jsonable(inputs: dict) -> dict:
    return {
        k: (v.isoformat() if isinstance(v, date) else str(v) if v is not None and not isinstance(v, bool) else v)
        for k, v in inputs.items()
    }


def _finish(run: ReviewRun, summary: ReviewSummary) -> None:
    stored = Counter(run.recommendations.values_list("action", flat=True))
    run.summary = {**summary.as_dict(), "actions": dict(sorted(stored.items()))}
    run.status = ReviewStatus.COMPLETED
    run.finished_at = timezone.now()
    run.accounts_done = summary.accounts
    run.save(update_fields=["summary", "status", "finished_at", "accounts_done"])
