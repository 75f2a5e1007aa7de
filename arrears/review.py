"""The arrears review: facts for every account in scope, the policy engine, stored recommendations with their reasons,
cases opened and closed, and automatic letters queued once per case, stage and week.

One full review runs at a time (a PostgreSQL advisory lock); a re-review of a few accounts (after an import or an
officer's action) does not wait for it. Work is done in chunks, each its own transaction (its cases, recommendations,
letters and the run's counts together), so a review that dies at any point keeps exactly the chunks it finished;
running it again for the same date resumes the same run, does the rest and hands on the letters the dead run queued but
never handed to Celery. A dry run writes nothing and reports what would happen.
"""

from collections import Counter
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from incomeapp.ahead import collector_paused, read_ahead
from incomeapp.money import ZERO
from incomeapp.roles import staff_require

from .constants import CaseStatus, Ladder, ReviewStatus
from .engine import evaluate, weeks_basis
from .models import ArrearsCase, ArrearsPolicyVersion, ReviewRun
from .review_facts import REVIEW_KEYS, accounts_in_scope, facts_for_accounts
from .review_writes import (
    _cases_point_at_latest,
    _letters_hand_on,
    _letters_queue,
    _messages_queue,
    _recommendation_row,
    _recommendations_write,
)
from .selectors import PolicyChooser
from .services import cases_close_tenancy_ended
from .signals import cases_changed

REVIEW_LOCK = 7_340_001  # advisory lock key: one review at a time
CASES_LISTED = 1000  # a dry run's report lists this many cases (and counts them all)


@dataclass
class ReviewSummary:
    as_of: date
    accounts: int = 0
    actions: Counter = field(default_factory=Counter)
    letters_queued: int = 0
    messages_queued: int = 0  # this process's count (a resumed run counts only what it queued itself)
    cases_opened: int = 0
    cases_closed: int = 0
    cases: list[dict] = field(default_factory=list)  # dry run: each case that would be on the worklist
    compared_with: str = ""  # dry run with another policy version: which one
    changes: Counter = field(default_factory=Counter)  # "live action → action under that version": count
    changed_cases: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "accounts": self.accounts,
            "actions": dict(sorted(self.actions.items())),
            "letters_queued": self.letters_queued,
            "cases_opened": self.cases_opened,
            "cases_closed": self.cases_closed,
            **({"cases": self.cases[:CASES_LISTED], "cases_total": len(self.cases)} if self.cases else {}),
            **(
                {
                    "compared_with": self.compared_with,
                    "changes": dict(self.changes.most_common()),
                    "changed_cases": self.changed_cases[:CASES_LISTED],
                    "changed_total": len(self.changed_cases),
                }
                if self.compared_with
                else {}
            ),
        }


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
    return settings.ARREARS_REVIEW_CHUNK or (5000 if connection.vendor == "postgresql" else 400)


def review_run(
    *,
    as_of: date,
    started_by=None,
    dry_run: bool = False,
    account_ids: list[int] | None = None,
    scope: str = "all",
    compare: ArrearsPolicyVersion | None = None,
    preview: ReviewRun | None = None,
) -> tuple[ReviewRun | None, ReviewSummary]:
    """Reviews every account owing or with an open case (or just `account_ids`). Returns the run and its summary.

    With `compare` (a dry run only), cases under that version's policy are also evaluated with `compare` instead of
    the live version, and the summary says how this week's recommendations would change before it goes live.
    `preview` (a dry run started from the browser) is the record that shows its progress and keeps its report."""
    staff_require(started_by, "arrears.add_reviewrun", "start an arrears review")
    if compare is not None and not dry_run:
        raise ValidationError("Comparing with another policy version is a dry run: it changes nothing.")
    chooser = PolicyChooser()
    chooser.compare = compare
    summary = ReviewSummary(as_of=as_of)
    if compare is not None:
        summary.compared_with = f"{compare.policy.name} version {compare.number}"
    with _one_review_at_a_time() if account_ids is None else nullcontext():
        run = None if dry_run else review_run_resume_or_create(as_of=as_of, scope=scope, started_by=started_by)
        ids = accounts_in_scope(account_ids=account_ids, as_of=as_of, former_after_days=chooser.starts_after_days())
        tracker = run or preview
        if tracker:
            ReviewRun.objects.filter(pk=tracker.pk).update(accounts_total=len(ids))
        done = set(run.recommendations.values_list("account_id", flat=True)) if run else set()
        size = _chunk_size()
        chunks = [[i for i in ids[start : start + size] if i not in done] for start in range(0, len(ids), size)]
        reviewed = len(ids) - sum(len(chunk) for chunk in chunks)
        try:
            with collector_paused():
                for chunk, facts in _facts_ahead([c for c in chunks if c], as_of):
                    _review_chunk(run, chunk, as_of, chooser, summary, dry_run, facts)
                    reviewed += len(chunk)
                    if tracker:
                        ReviewRun.objects.filter(pk=tracker.pk).update(accounts_done=min(len(ids), reviewed))
            summary.accounts = len(ids)
            if run:
                _finish(run, summary)
        except Exception as error:
            if tracker:
                ReviewRun.objects.filter(pk=tracker.pk).update(
                    status=ReviewStatus.FAILED, error=f"Stopped part way: {error}. Run it again to finish the rest."
                )
            raise
    return run, summary


def review_run_resume_or_create(*, as_of: date, scope: str, started_by=None) -> ReviewRun:
    """The run for this date and scope: one that stopped part way (running or failed) is resumed, its waiting letters
    handed on; else a new one."""
    run = (
        ReviewRun.objects.filter(as_of=as_of, scope=scope, status__in=[ReviewStatus.RUNNING, ReviewStatus.FAILED])
        .order_by("-id")
        .first()
    )
    if run is None:
        run = ReviewRun.objects.create(as_of=as_of, scope=scope, started_by=started_by)
    else:
        _letters_hand_on(run)
    run.status, run.error = ReviewStatus.RUNNING, ""
    run.save(update_fields=["status", "error"])
    return run


def _facts_ahead(chunks: list[list[int]], as_of: date):
    """(chunk, facts) for each chunk, the next chunk's facts read while this one is classified and written. Safe
    because a chunk's writes touch only its own accounts' cases, contacts and recommendations."""
    return read_ahead(chunks, lambda chunk: facts_for_accounts(account_ids=chunk, as_of=as_of), name="review-facts")


def _review_chunk(run, chunk, as_of, chooser, summary, dry_run, facts) -> None:
    """One chunk: evaluation in memory, then bulk writes in one transaction (cases, recommendations, letters). An
    ended tenancy's rent is never on the current tenants' ladder: its open current-ladder case is closed with a note
    that the balance is now former-tenant arrears, and the former tenants' policy is asked about it instead (once the
    final account has settled: `starts_after_days`), opening a former-ladder case when it recommends something."""
    results = []
    ended_cases, facts = _ladders_sort(facts, chooser.starts_after_days())
    for account_id, case_facts in facts.items():
        version = chooser.version_for(case_facts)
        if version is None:  # no live policy for this ladder: the debt is left as it was before issue 16
            continue
        inputs = _inputs(case_facts, version)
        result = evaluate(version.document, inputs, version=version.number, explain_all=False)
        summary.actions[result.action] += 1
        results.append((account_id, case_facts, inputs, version, result))
        other = chooser.compare
        if other is not None and other.policy_id == version.policy_id and other.pk != version.pk:
            changed = evaluate(other.document, _inputs(case_facts, other), version=other.number, explain_all=False)
            if (changed.action, changed.mode) != (result.action, result.mode):
                summary.changes[f"{result.action} → {changed.action}"] += 1
                summary.changed_cases.append(
                    {
                        "payment_reference": case_facts["_reference"],
                        "now": result.action,
                        "would_be": changed.action,
                        "because": "; ".join(changed.reasons),
                    }
                )
    if dry_run:
        summary.cases += [
            {"account": account_id, "action": result.action, "reason": "; ".join(result.reasons)}
            for account_id, _, _, _, result in results
            if result.mode != "none"
        ]
        return
    with transaction.atomic():
        counted_before = (summary.letters_queued, summary.cases_opened, summary.cases_closed)
        if ended_cases:
            summary.cases_closed += len(cases_close_tenancy_ended(case_ids=ended_cases, on=as_of))
        cases = _cases_open_and_close(results, as_of, summary)
        rows = [
            _recommendation_row(run.pk, account_id, cases.get(account_id), inputs, version, result, as_of)
            for account_id, _, inputs, version, result in results
        ]
        rows = _recommendations_write(rows)
        summary.letters_queued += len(_letters_queue(rows, cases, as_of, run.pk))
        _cases_point_at_latest(rows, [facts["_case"] for _, facts, *_ in results if facts["_case"] is not None])
        summary.messages_queued += len(_messages_queue(rows, cases, as_of, run.pk))
        letters, opened, closed = counted_before
        ReviewRun.objects.filter(pk=run.pk).update(
            letters_queued=F("letters_queued") + summary.letters_queued - letters,
            cases_opened=F("cases_opened") + summary.cases_opened - opened,
            cases_closed=F("cases_closed") + summary.cases_closed - closed,
        )


# The facts that come from an account's open case: a former-ladder case starts with none of the closed case's steps.
_CASE_FACTS = {
    "last_contact_code": None,
    "last_contact_date": None,
    "last_contact_attempt_date": None,
    "last_stage_code": None,
    "last_stage_date": None,
    "last_letter_failed": False,
    "last_letter_returned": False,
    "paid_since_last_stage": False,
    "agreement_state": None,
    "agreement_type": None,
    "agreement_start_date": None,
    "pause_end_date": None,
    "agency_referral_live": False,
    "agency_returned_unpaid": False,
}


def _ladders_sort(facts: dict[int, dict], starts_after_days: int) -> tuple[list[int], dict[int, dict]]:
    """(current-ladder cases to close because the tenancy ended, the facts to evaluate). An ended tenancy's account
    whose case is on the current ladder is evaluated as a former tenant's with no case yet; one still settling its
    final account (ended fewer than `starts_after_days` ago, and no former case yet) is not evaluated this week."""
    to_close, evaluated = [], {}
    for account_id, f in facts.items():
        case = f["_case"]
        if f["_ladder"] == Ladder.FORMER:
            if case is not None and case.ladder == Ladder.CURRENT:
                to_close.append(case.pk)
                f = {**f, **_CASE_FACTS, "_case": None}
                case = None
            settling = f["_days_since_ended"] is not None and f["_days_since_ended"] < starts_after_days
            if case is None and settling:
                continue
        evaluated[account_id] = f
    return to_close, evaluated


def _inputs(case_facts: dict, version: ArrearsPolicyVersion) -> dict:
    """The policy's input facts: the review's own keys (`_case` and the like) left out, and `weekly_rent` on the weeks
    basis the policy names."""
    inputs = case_facts.copy()  # then the review's own keys removed: a ninth of the time of filtering every key
    for key in REVIEW_KEYS:
        del inputs[key]
    if case_facts["_ladder"] != Ladder.CURRENT:
        # Not rent arrears: no weeks of rent (a former tenancy has no rent; a recharge or sundry debt is never rent).
        inputs["weekly_rent"] = ZERO
        if inputs["breathing_space"] and case_facts["_ladder"] == Ladder.SUNDRY:
            inputs["moratorium_debt"] = max(inputs["balance"], ZERO)  # the whole debt held: the cautious reading
        return inputs
    inputs["weekly_rent"] = case_facts["_weekly"].on_basis(weeks_basis(version.document))
    covered = case_facts["_insolvency_covered"]
    if covered > 0:
        # A bankruptcy or debt relief order covers part of a current tenant's arrears: the ladder is asked only about
        # the rest (the order's part cannot be recovered while it lasts, and never by a notice or claim).
        inputs["balance"] = inputs["balance"] - covered
    return inputs


def _cases_open_and_close(results, as_of: date, summary: ReviewSummary) -> dict[int, int]:
    """A case opens when an account owes and the policy recommends something; it closes when nothing is owed and no
    legal step is pending (no court date ahead, no eviction date). Returns the case id by account (open or just
    closed)."""
    cases: dict[int, int] = {}
    to_open, to_close = [], []
    for account_id, facts, _, _, result in results:
        case = facts["_case"]
        owing = facts["balance"] > 0
        if case is None and owing and result.mode != "none":
            to_open.append(
                ArrearsCase(
                    account_id=account_id,
                    opened_on=as_of,
                    officer_id=facts["_patch_officer"],
                    ladder=facts["_ladder"],
                )
            )
        elif case is not None:
            cases[account_id] = case.pk
            if not owing and not case.eviction_date and not (case.court_date and case.court_date > as_of):
                to_close.append(case.pk)
    if to_open:
        # A re-review running beside the weekly one may open the same case first: keep whichever was opened.
        ArrearsCase.objects.bulk_create(to_open, batch_size=1000, ignore_conflicts=True)
        cases.update(
            ArrearsCase.objects.filter(
                account_id__any=[case.account_id for case in to_open], status=CaseStatus.OPEN
            ).values_list("account_id", "id")
        )
    if to_close:
        ArrearsCase.objects.filter(pk__any=to_close).update(
            status=CaseStatus.CLOSED, closed_on=as_of, updated_at=timezone.now()
        )
    summary.cases_opened += len(to_open)
    summary.cases_closed += len(to_close)
    if to_open or to_close:
        cases_changed.send(
            sender=ArrearsCase, opened=[cases[c.account_id] for c in to_open if c.account_id in cases], closed=to_close
        )
    return cases


def _finish(run: ReviewRun, summary: ReviewSummary) -> None:
    """The run's summary from what it stored (every chunk, whichever attempt did it), and its final state."""
    run.refresh_from_db(fields=["letters_queued", "cases_opened", "cases_closed"])
    summary.letters_queued, summary.cases_opened, summary.cases_closed = (
        run.letters_queued,
        run.cases_opened,
        run.cases_closed,
    )
    stored = Counter(run.recommendations.values_list("action", flat=True))
    run.summary = {**summary.as_dict(), "actions": dict(sorted(stored.items()))}
    run.status = ReviewStatus.COMPLETED
    run.finished_at = timezone.now()
    run.accounts_done = run.accounts_total = summary.accounts  # the scope when it finished (a resume may differ)
    run.error = ""
    run.save(update_fields=["summary", "status", "finished_at", "accounts_done", "accounts_total", "error"])


STOPPED = (
    "The review stopped part way: the process running it ended (a restart, or out of memory). Run it again to finish "
    "the rest; nothing it did is done twice."
)


def review_runs_mark_stopped() -> int:
    """For the sweeper: full reviews left "running" by a process that died are marked failed with how to finish them,
    so none says "running" for ever. A running review holds the advisory lock; when the lock is free, no full review
    is running in one process. (Re-reviews of a few accounts take no lock and are left alone; a review in parts is
    looked after by `review_parts_sweep`.) Returns how many were marked."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [REVIEW_LOCK])
        if not cursor.fetchone()[0]:
            return 0
    try:
        return ReviewRun.objects.filter(
            status=ReviewStatus.RUNNING, scope="all", dry_run=False, parts__isnull=True
        ).update(status=ReviewStatus.FAILED, error=STOPPED)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [REVIEW_LOCK])


def review_preview_create(*, as_of: date, started_by, compare: ArrearsPolicyVersion | None = None) -> ReviewRun:
    """A preview (dry run) requested in the browser; it runs in the background (review_preview_run)."""
    staff_require(started_by, "arrears.add_reviewrun", "preview an arrears review")
    return ReviewRun.objects.create(as_of=as_of, scope="preview", dry_run=True, compare=compare, started_by=started_by)


def review_preview_run(*, preview_id: int) -> ReviewRun:
    """Runs a preview and keeps its report on the preview's record; nothing else is written."""
    preview = ReviewRun.objects.select_related("compare__policy").get(pk=preview_id, dry_run=True)
    if preview.status == ReviewStatus.COMPLETED:
        return preview
    _, summary = review_run(as_of=preview.as_of, dry_run=True, compare=preview.compare, preview=preview)
    preview.refresh_from_db()
    preview.summary = summary.as_dict()
    preview.status = ReviewStatus.COMPLETED
    preview.finished_at = timezone.now()
    preview.save(update_fields=["summary", "status", "finished_at"])
    return preview
