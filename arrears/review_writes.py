"""The arrears review's writes for a chunk: recommendations written in bulk (by COPY on PostgreSQL) with their
priority and facts, each case pointed at its newest recommendation, the automatic letters queued, and a resumed run's
waiting letters handed on. `arrears.review` calls these (and tests replace them there to stop a review part way)."""

import json
from collections import defaultdict
from datetime import date

from django.db import connection
from django.db.models import OuterRef, Subquery

from rentaccounts.charging import monday_of

from .constants import ContactOutcome
from .engine import message_keys
from .models import ArrearsCase, LetterRequest, Recommendation, ReviewRun
from .priority import priority
from .services import letters_queue, letters_render_after_commit
from .services.messages import case_messages_queue
from .signals import recommendations_changed


def _priority(result, inputs: dict, as_of: date) -> dict:
    score, parts = priority(
        mode=result.mode,
        severity=result.severity,
        arrears_weeks=result.arrears_weeks,
        last_contact=inputs["last_contact_date"],
        agreement_state=inputs["agreement_state"],
        as_of=as_of,
    )
    return {"priority": min(score, 32767), "priority_parts": parts}


_RECOMMENDATION_COLUMNS = (
    "run_id",
    "account_id",
    "case_id",
    "policy_version_id",
    "action",
    "label",
    "mode",
    "letter",
    "message",
    "severity",
    "rule",
    "reasons",
    "blocked_by",
    "facts",
    "balance",
    "arrears_weeks",
    "weeks_basis",
    "priority",
    "priority_parts",
)


def _recommendations_write(recommendations: list[Recommendation]) -> None:
    """On PostgreSQL by COPY (bulk_create's arrays of long JSON texts cost more than the review itself), else bulk."""
    if connection.vendor != "postgresql":
        Recommendation.objects.bulk_create(recommendations, batch_size=500)
        return
    json_columns = {"reasons", "blocked_by", "facts", "priority_parts"}
    columns = ", ".join(_RECOMMENDATION_COLUMNS)
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {Recommendation._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for recommendation in recommendations:
            copy.write_row(
                [
                    json.dumps(getattr(recommendation, column), ensure_ascii=False)
                    if column in json_columns
                    else getattr(recommendation, column)
                    for column in _RECOMMENDATION_COLUMNS
                ]
            )


def _letters_hand_on(run: ReviewRun) -> None:
    """Resuming a run: the letters it queued that are still waiting (the process died before handing them to Celery,
    or their render died) are handed on now rather than at the next sweep. A render already under way skips them."""
    waiting = list(
        LetterRequest.objects.filter(recommendation__run=run, contact__outcome=ContactOutcome.QUEUED)
        .order_by("id")
        .values_list("id", flat=True)
    )
    letters_render_after_commit(waiting, f"review:{run.pk}")


def _cases_point_at_latest(run: ReviewRun, account_ids: list[int]) -> None:
    """Each case points at its newest recommendation, so the worklist is one query. On PostgreSQL one joined UPDATE
    over the run's (run, account) index; elsewhere a subquery per case. Cases whose action changed are announced
    (`recommendations_changed`, for webhooks)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"""UPDATE {ArrearsCase._meta.db_table} AS c SET latest_recommendation_id = r.id
                    FROM {Recommendation._meta.db_table} AS r, {ArrearsCase._meta.db_table} AS old
                    LEFT JOIN {Recommendation._meta.db_table} AS p ON p.id = old.latest_recommendation_id
                    WHERE r.run_id = %s AND r.account_id = ANY(%s) AND r.case_id = c.id AND old.id = c.id
                    RETURNING c.id, p.action, r.action""",  # noqa: S608
                [run.pk, account_ids],
            )
            rows = cursor.fetchall()
    else:
        cases = ArrearsCase.objects.filter(account_id__in=account_ids, recommendations__run=run)
        before = dict(cases.values_list("pk", "latest_recommendation__action"))
        cases.update(
            latest_recommendation=Subquery(
                Recommendation.objects.filter(run_id=run.pk, case_id=OuterRef("pk")).values("id")[:1]
            )
        )
        after = ArrearsCase.objects.filter(pk__in=before).values_list("pk", "latest_recommendation__action")
        rows = [(pk, before[pk], action) for pk, action in after]
    changed = {case_id: previous for case_id, previous, action in rows if previous is not None and previous != action}
    if changed:
        recommendations_changed.send(sender=ArrearsCase, previous_actions=changed)


def _ids_fetch(wanted: list[Recommendation]) -> None:
    if wanted[0].pk is None:  # written by COPY: fetch the ids
        ids = dict(
            Recommendation.objects.filter(
                run_id=wanted[0].run_id, account_id__in=[r.account_id for r in wanted]
            ).values_list("account_id", "id")
        )
        for r in wanted:
            r.pk = r.id = ids[r.account_id]


def _letters_queue(recommendations: list[Recommendation], cases: dict[int, int], as_of: date, run_id: int) -> list[int]:
    """The review's automatic letters, queued once per case, letter and week (`letters_queue`)."""
    wanted = [r for r in recommendations if r.mode == "automatic" and r.letter and r.account_id in cases]
    if not wanted:
        return []
    _ids_fetch(wanted)
    queued = letters_queue(recommendations=wanted, case_ids=cases, on=as_of, run_label=f"review:{run_id}")
    return [request.pk for request in queued]


def _messages_queue(recommendations: list[Recommendation], cases: dict[int, int], as_of: date, run_id: int) -> list:
    """The review's automatic texts and emails (a step's `message`), once per case, step and week, to each named tenant
    who can get one (`case_messages_queue`: its rules decide who). The diary contact carries the rule's key as its
    code, so the ladder moves on as it does after a letter. Returns the contacts made."""
    wanted = [r for r in recommendations if r.mode == "automatic" and r.message and r.account_id in cases]
    if not wanted:
        return []
    by_case = {
        case.pk: case
        for case in ArrearsCase.objects.filter(pk__in=[cases[r.account_id] for r in wanted]).select_related(
            "account__tenancy__property__scheme__provider", "officer", "latest_recommendation"
        )
    }
    steps: dict[tuple[str, str], list] = defaultdict(list)
    for r in wanted:
        steps[(r.rule or r.action, r.message)].append(by_case[cases[r.account_id]])
    made = []
    week = monday_of(as_of)
    for (code, keys), step_cases in steps.items():
        queued = case_messages_queue(
            cases=step_cases,
            template_keys=message_keys(keys),
            code=code,
            on=as_of,
            idempotency_scope=f"step:{code}:{week.isoformat()}",
            run_label=f"review:{run_id}",
        )
        made += queued.contacts
    return made


def _jsonable(inputs: dict) -> dict:
    return {
        k: (v.isoformat() if isinstance(v, date) else str(v) if v is not None and not isinstance(v, bool) else v)
        for k, v in inputs.items()
    }
