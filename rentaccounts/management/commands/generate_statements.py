import json
import time
from datetime import date

from celery import group
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from incomeapp.celery import app
from rentaccounts.statement_run import (
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
        "tenancy with a balance, made by the Celery workers (in this process when no broker is set). Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period-end", required=True, help="The statements' last day, YYYY-MM-DD.")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        try:
            period_end = date.fromisoformat(options["period_end"])
        except ValueError as error:
            raise CommandError("Give --period-end as a date like 2026-09-30.") from error
        if not settings.CELERY_TASK_ALWAYS_EAGER and not app.control.ping(timeout=2.0):
            raise CommandError(
                "No Celery worker answered, so nothing was made. Start one (make worker), or unset CELERY_BROKER_URL "
                "to make the statements in this process."
            )
        started = time.perf_counter()
        account_ids = statement_run_accounts(period_end)
        chunks = [account_ids[i : i + CHUNK] for i in range(0, len(account_ids), CHUNK)]
        results = group(make_statements.s(chunk, period_end.isoformat()) for chunk in chunks).apply_async().get()
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
