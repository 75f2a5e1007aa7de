"""The quarterly rent statements (legal-spec R-PAP-12, R-STM-01): the last 13 weeks for every current tenancy and every
former tenancy with a balance, one statement per rent account, made once per account and quarter however often the
run is repeated, and however many workers make the same account's at once (a lock per statement and a unique key).
Rendered by Celery in chunks, so the run grows with worker processes; a run that timed out or died is resumed by
running it again, which makes only what is missing."""

from collections import Counter
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from documents.constants import DeliveryState
from documents.models import Document
from documents.services import document_email, document_key_lock
from incomeapp.roles import staff_require
from rentaccounts.constants import AccountKind
from rentaccounts.models import Account, StatementRun

from .statements import account_statement, statement_document_make

STATEMENT_WEEKS = 13
CHUNK = 50  # statements per Celery task


def statement_period(period_end: date) -> tuple[date, date]:
    """The 13 weeks (91 days) ending on `period_end`."""
    return period_end - timedelta(weeks=STATEMENT_WEEKS) + timedelta(days=1), period_end


def statement_run_label(period_end: date) -> str:
    return f"statements:{period_end.isoformat()}"


def statement_run_accounts(period_end: date) -> list[int]:
    """Rent accounts of tenancies that were live at some time in the period, and of former tenancies that ended
    before it and still have a balance (owing or in credit)."""
    start, end = statement_period(period_end)
    live = Q(tenancy__start_date__lte=end) & (Q(tenancy__end_date__isnull=True) | Q(tenancy__end_date__gte=start))
    former_with_balance = Q(tenancy__end_date__lt=start) & ~Q(balance=0)
    return list(
        Account.objects.filter(kind=AccountKind.RENT)
        .filter(live | former_with_balance)
        .order_by("id")
        .values_list("id", flat=True)
    )


def statement_key(account_id: int, period_end: date) -> str:
    """A quarterly statement's subject and idempotency key: one per account and period."""
    return f"statement:{account_id}:{period_end.isoformat()}"


def statements_make(*, account_ids: list[int], period_end: date) -> dict:
    """Makes (once) and delivers each account's statement: emailed when every named tenant chose email, otherwise
    posted to the lead tenant's address (the forwarding address once the tenancy has ended). A former tenant with no
    forwarding address and no email gets none; the run lists them so someone can trace them.

    Each account's statement is made and sent in its own transaction, holding the lock on its key: a second worker
    given the same account (a resumed run beside the first one's chunks still in the queue) waits, then finds it made
    and sent. A worker that dies mid-statement leaves nothing behind; running the run again makes it."""
    counts: Counter = Counter()
    no_address: list[str] = []
    accounts = Account.objects.filter(pk__in=account_ids).select_related("tenancy__property__scheme__provider")
    for account in accounts.order_by("id"):
        with transaction.atomic():
            outcome = _statement_make_once(account, period_end)
        if outcome is None:
            no_address.append(account.tenancy.payment_reference)
            continue
        made, document = outcome
        counts["made" if made else "already_made"] += 1
        counts["pages"] += document.pages if made else 0
        counts[document.delivery_state] += 1
    return {**counts, "no_address": no_address}


def _statement_make_once(account: Account, period_end: date) -> tuple[bool, Document] | None:
    """(made now, the document), or None when there is nowhere to send it."""
    start, end = statement_period(period_end)
    key = statement_key(account.pk, end)
    document_key_lock(key)
    tenancy = account.tenancy
    people = tenancy.named_tenants()
    names = " and ".join(person.full_name for person in people)
    by_email = bool(people) and all(person.wants_email for person in people)
    document = Document.objects.filter(idempotency_key=key).first()
    made = document is None
    if made:
        home = tenancy.property.address_lines if tenancy.is_live_on(end) else None
        address = people[0].postal_lines(home) if people else []
        if not address and not by_email:
            return None
        statement = account_statement(account=account, date_from=start, date_to=end)
        document = statement_document_make(
            statement,
            subject_key=key,
            idempotency_key=key,
            made_by_run=statement_run_label(period_end),
            recipient={"name": names, "address_lines": address},
            delivery_state=DeliveryState.TO_EMAIL if by_email else DeliveryState.TO_PRINT,
        )
    if document.delivery_state == DeliveryState.TO_EMAIL:
        document_email(
            document=document,
            to=[person.email for person in people],
            greeting=f"Dear {names}",
            landlord=tenancy.property.scheme.provider.letterhead,
        )
    return made, document


def statement_results_add(results: list[dict]) -> dict:
    """The chunks' results as one summary."""
    total: Counter = Counter()
    no_address: list[str] = []
    for result in results:
        no_address += result.get("no_address", [])
        total.update({key: value for key, value in result.items() if key != "no_address"})
    summary = {
        key: total.get(key, 0) for key in ("made", "already_made", "pages", *(state.value for state in DeliveryState))
    }
    return {**summary, "no_address": sorted(no_address)}


def statement_run_start(*, period_end: date, started_by) -> StatementRun:
    """A statement run started from the browser: the accounts handed to the Celery workers in chunks once the run is
    saved; each chunk reports to the run (`statement_run_chunk_done`), so its page can show progress. Safe to start
    again for the same period: only the statements not yet made are made."""
    staff_require(started_by, "rentaccounts.add_statementrun", "start statement runs")
    from rentaccounts.tasks import make_statements  # the tasks module imports these services

    account_ids = statement_run_accounts(period_end)
    chunks = [account_ids[start : start + CHUNK] for start in range(0, len(account_ids), CHUNK)]
    run = StatementRun.objects.create(
        period_end=period_end,
        started_by=started_by,
        accounts_total=len(account_ids),
        chunks_total=len(chunks),
        finished_at=None if chunks else timezone.now(),
    )

    def send(run_id=run.pk):
        for number, chunk in enumerate(chunks):
            make_statements.delay(chunk, period_end.isoformat(), run_id=run_id, chunk=number)

    transaction.on_commit(send)
    return run


def statement_run_chunk_done(*, run_id: int, chunk: int, accounts: int, result: dict) -> StatementRun:
    """Records a chunk's result on its run, once (a chunk run twice counts once); the last one finishes the run."""
    with transaction.atomic():
        run = StatementRun.objects.select_for_update().get(pk=run_id)
        if str(chunk) not in run.results:
            run.results[str(chunk)] = {**result, "accounts": accounts}
            if len(run.results) >= run.chunks_total:
                run.finished_at = timezone.now()
            run.save(update_fields=["results", "finished_at", "updated_at"])
    return run


def statement_run_progress(run: StatementRun) -> dict:
    """What the run's page shows: accounts done of the total, the percentage, whether it is finished, and (from the
    chunks done so far) how many statements were made, posted, emailed or failed, and who has no address."""
    chunks = list(run.results.values())
    done = sum(chunk.get("accounts", 0) for chunk in chunks)
    failed_chunks = [chunk for chunk in chunks if chunk.get("error")]
    return {
        "accounts_done": done,
        "accounts_total": run.accounts_total,
        "percent": round(100 * done / run.accounts_total) if run.accounts_total else 100,
        "finished": run.finished_at is not None,
        "accounts_failed": sum(chunk.get("accounts", 0) for chunk in failed_chunks),
        "label": statement_run_label(run.period_end),
        **statement_results_add([chunk for chunk in chunks if not chunk.get("error")]),
    }
