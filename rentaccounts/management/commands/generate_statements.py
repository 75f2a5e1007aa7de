import json
import time
from datetime import date

from celery import group
from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from incomeapp.celery import app
from incomeapp.management.options import date_option
from rentaccounts.services.statement_run import (
    CHUNK,
    statement_period,
    statement_results_add,
    statement_run_accounts,
    statement_run_label,
)
from rentaccounts.tasks import make_statements


class Command(BaseCommand):
    help = (
        "The quarterly rent statements: the 13 weeks to --period-end for every current tenancy and every former "
        "tenancy with a balance, made by the Celery workers (in this process when no broker is set). Safe to run "
        "again: a run that timed out or stopped is finished by running it again, which makes and sends nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period-end", required=True, help="The statements' last day, YYYY-MM-DD.")
        parser.add_argument(
            "--timeout",
            type=float,
            default=settings.WORKER_WAIT_TIMEOUT,
            help="Seconds to wait for the workers before giving up (the workers carry on); default "
            "WORKER_WAIT_TIMEOUT (%(default)s).",
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        period_end = date_option(options["period_end"], "--period-end", like="2026-09-30")
        if not settings.CELERY_TASK_ALWAYS_EAGER and not app.control.ping(timeout=2.0):
            raise CommandError(
                "No Celery worker answered, so nothing was made. Start one (make worker), or unset CELERY_BROKER_URL "
                "to make the statements in this process."
            )
        started = time.perf_counter()
        account_ids = statement_run_accounts(period_end)
        chunks = [account_ids[i : i + CHUNK] for i in range(0, len(account_ids), CHUNK)]
        pending = group(make_statements.s(chunk, period_end.isoformat()) for chunk in chunks).apply_async()
        try:
            results = pending.get(timeout=options["timeout"])
        except CeleryTimeoutError as error:
            raise CommandError(_timed_out(period_end, options["timeout"], pending, len(account_ids))) from error
        date_from, date_to = statement_period(period_end)
        summary = {
            "run": statement_run_label(period_end),
            "from": date_from.isoformat(),
            "to": date_to.isoformat(),
            "accounts": len(account_ids),
            **statement_results_add(results),
            "seconds": round(time.perf_counter() - started, 1),
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary, indent=2))
            return
        self.stdout.write(
            f"Statements for {date_from:%d/%m/%Y} to {date_to:%d/%m/%Y}: {summary['accounts']} accounts, "
            f"{summary['made']} made ({summary['pages']} pages), {summary['already_made']} made before; "
            f"{summary['to_print']} to print, {summary['emailed']} emailed, {summary['failed']} failed; "
            f"{summary['seconds']} s."
        )
        if summary["no_address"]:
            self.stdout.write(
                "No statement for these former tenancies, which have no forwarding address or email: "
                + ", ".join(summary["no_address"])
            )
        if summary["to_print"]:
            self.stdout.write(f"Print them with: python manage.py print_batch --run {summary['run']} --output FILE")


def _timed_out(period_end: date, timeout: float, pending, accounts: int) -> str:
    """What a person needs when the workers did not finish in time: what is done, that nothing is lost, how to
    resume."""
    from documents.constants import DocumentKind
    from documents.models import Document

    chunks_done = sum(1 for result in pending.results if result.ready())
    made = Document.objects.filter(kind=DocumentKind.STATEMENT, made_by_run=statement_run_label(period_end))
    return (
        f"The workers had not finished the statements after {timeout:g} seconds ({chunks_done} of "
        f"{len(pending.results)} chunks done; {made.count()} of {accounts} statements made so far). Nothing is lost: "
        "what is made is kept, and the workers carry on with the rest if they are running. To finish, run the same "
        f"command again: python manage.py generate_statements --period-end {period_end.isoformat()} "
        "(it makes and sends only what is missing, never a statement twice). If it times out again, check the "
        "workers are running (make worker) or give a longer --timeout."
    )
