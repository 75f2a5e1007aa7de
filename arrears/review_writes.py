"""The arrears review's writes for a chunk: recommendations written in bulk (by COPY on PostgreSQL) with their
priority and facts, each case pointed at its newest recommendation, the automatic letters queued, and a resumed run's
waiting letters handed on. `arrears.review` calls these (and tests replace them there to stop a review part way)."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

import orjson
from django.db import connection

from rentaccounts.charging import monday_of

from .constants import ContactOutcome
from .engine import message_keys, weeks_basis
from .models import ArrearsCase, LetterRequest, Recommendation, ReviewRun
from .priority import priority
from .services import letters_queue, letters_render_after_commit
from .services.messages import case_messages_queue
from .signals import recommendations_changed

_RECOMMENDATION_COLUMNS = (
    "id",
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
_JSON_COLUMNS = frozenset({"reasons", "blocked_by", "facts", "priority_parts"})
_WEEKS_LIMIT = Decimal("9999999.9")


def _recommendation_row(run_id: int, account_id: int, case_id, inputs: dict, version, result, as_of: date) -> tuple:
    """One recommendation as a row of `_RECOMMENDATION_COLUMNS`, its id not yet given (plain values: tens of
    thousands of model objects cost more than writing them)."""
    score, parts = priority(
        mode=result.mode,
        severity=result.severity,
        arrears_weeks=result.arrears_weeks,
        last_contact=inputs["last_contact_date"],
        agreement_state=inputs["agreement_state"],
        as_of=as_of,
    )
    return (
        None,
        run_id,
        account_id,
        case_id,
        version.pk,
        result.action,
        result.label,
        result.mode,
        result.letter,
        result.message,
        result.severity,
        result.rule,
        result.reasons,
        result.blocked_by,
        inputs,
        inputs["balance"],
        max(min(result.arrears_weeks, _WEEKS_LIMIT), -_WEEKS_LIMIT),
        weeks_basis(version.document),
        min(score, 32767),
        parts,
    )


_ACCOUNT, _CASE, _ACTION, _MODE, _LETTER, _MESSAGE = (
    _RECOMMENDATION_COLUMNS.index(name) for name in ("account_id", "case_id", "action", "mode", "letter", "message")
)


def _recommendations(rows: list[tuple]) -> list[Recommendation]:
    return [Recommendation(**dict(zip(_RECOMMENDATION_COLUMNS, row, strict=True))) for row in rows]


def _recommendations_write(rows: list[tuple]) -> list[tuple]:
    """Writes the rows and returns them with their ids. On PostgreSQL the ids are taken from the table's sequence in
    one query and the rows written by COPY (bulk_create's arrays of long JSON texts cost more than the review itself),
    so nothing need be read back, their JSON made by orjson (the standard library's encoder was a tenth of the
    review); elsewhere in bulk."""
    if connection.vendor != "postgresql":
        for recommendation in (recommendations := _recommendations(rows)):
            recommendation.facts = _jsonable(recommendation.facts)
        Recommendation.objects.bulk_create(recommendations, batch_size=500)
        return [(recommendation.pk, *row[1:]) for recommendation, row in zip(recommendations, rows, strict=True)]
    table = Recommendation._meta.db_table
    json_at = [index for index, column in enumerate(_RECOMMENDATION_COLUMNS) if column in _JSON_COLUMNS]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)",  # noqa: S608
            [len(rows)],
        )
        rows = [
            (recommendation_id, *row[1:]) for (recommendation_id,), row in zip(cursor.fetchall(), rows, strict=True)
        ]
        with cursor.copy(f"COPY {table} ({', '.join(_RECOMMENDATION_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                values = list(row)
                for index in json_at:  # amounts and numbers as text, dates as ISO text: as `_jsonable` says them
                    values[index] = orjson.dumps(values[index], default=str).decode()
                copy.write_row(values)
    return rows


def _letters_hand_on(run: ReviewRun) -> None:
    """Resuming a run: the letters it queued that are still waiting (the process died before handing them to Celery,
    or their render died) are handed on now rather than at the next sweep. A render already under way skips them."""
    waiting = list(
        LetterRequest.objects.filter(recommendation__run=run, contact__outcome=ContactOutcome.QUEUED)
        .order_by("id")
        .values_list("id", flat=True)
    )
    letters_render_after_commit(waiting, f"review:{run.pk}")


def _cases_point_at_latest(rows: list[tuple], read: list) -> None:
    """Each case points at its newest recommendation (just written), so the worklist is one query. On PostgreSQL one
    UPDATE from the (case, recommendation) pairs; elsewhere in bulk. Cases whose action changed are announced
    (`recommendations_changed`, for webhooks). `read`: the open cases as their facts were read (`OpenCase`), with the
    recommendation each pointed at and its action; a case that another review pointed elsewhere since is looked up
    again, so the change announced is always from what the case pointed at just before."""
    latest = {row[_CASE]: (row[0], row[_ACTION]) for row in rows if row[_CASE] is not None}
    if not latest:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"""UPDATE {ArrearsCase._meta.db_table} AS c SET latest_recommendation_id = chunk.recommendation_id
                    FROM unnest(%s::bigint[], %s::bigint[]) AS chunk(case_id, recommendation_id),
                         {ArrearsCase._meta.db_table} AS old
                    WHERE c.id = chunk.case_id AND old.id = chunk.case_id
                    RETURNING c.id, old.latest_recommendation_id""",  # noqa: S608
                [list(latest), [recommendation_id for recommendation_id, _ in latest.values()]],
            )
            pointed = cursor.fetchall()
        known = {case.pk: (case.latest_recommendation_id, case.latest_action) for case in read}
        moved = {r for case_id, r in pointed if r is not None and known.get(case_id, (None, None))[0] != r}
        actions = dict(Recommendation.objects.filter(id__any=moved).values_list("id", "action")) if moved else {}
        before = []
        for case_id, r in pointed:
            seen, action = known.get(case_id, (None, None))
            before.append((case_id, action if seen == r else actions.get(r)))
    else:
        before = list(ArrearsCase.objects.filter(pk__in=latest).values_list("pk", "latest_recommendation__action"))
        ArrearsCase.objects.bulk_update(
            [ArrearsCase(pk=case_id, latest_recommendation_id=r) for case_id, (r, _) in latest.items()],
            ["latest_recommendation"],
            batch_size=500,
        )
    changed = {
        case_id: previous for case_id, previous in before if previous is not None and previous != latest[case_id][1]
    }
    if changed:
        recommendations_changed.send(sender=ArrearsCase, previous_actions=changed)


def _letters_queue(rows: list[tuple], cases: dict[int, int], as_of: date, run_id: int) -> list[int]:
    """The review's automatic letters, queued once per case, letter and week (`letters_queue`)."""
    wanted = _recommendations([r for r in rows if r[_MODE] == "automatic" and r[_LETTER] and r[_ACCOUNT] in cases])
    if not wanted:
        return []
    queued = letters_queue(recommendations=wanted, case_ids=cases, on=as_of, run_label=f"review:{run_id}")
    return [request.pk for request in queued]


def _messages_queue(rows: list[tuple], cases: dict[int, int], as_of: date, run_id: int) -> list:
    """The review's automatic texts and emails (a step's `message`), once per case, step and week, to each named tenant
    who can get one (`case_messages_queue`: its rules decide who). The diary contact carries the rule's key as its
    code, so the ladder moves on as it does after a letter. Returns the contacts made."""
    wanted = _recommendations([r for r in rows if r[_MODE] == "automatic" and r[_MESSAGE] and r[_ACCOUNT] in cases])
    if not wanted:
        return []
    by_case = {
        case.pk: case
        for case in ArrearsCase.objects.filter(pk__any=[cases[r.account_id] for r in wanted]).select_related(
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
    """The input facts as stored with a recommendation: dates as ISO text, amounts and numbers as text."""
    return {
        k: (v.isoformat() if isinstance(v, date) else str(v) if v is not None and not isinstance(v, bool) else v)
        for k, v in inputs.items()
    }
