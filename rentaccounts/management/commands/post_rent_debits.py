import json

from django.core.management.base import BaseCommand, CommandError

from incomeapp.management.options import date_option
from rentaccounts.services import rent_debits_post


class Command(BaseCommand):
    help = "Posts the rent and charge debits due for rent periods starting in a week. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--week-commencing", required=True, help="The Monday of the week, as YYYY-MM-DD.")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        week = date_option(options["week_commencing"], "--week-commencing", like="2026-11-23 (a Monday)")
        if week.weekday() != 0:
            raise CommandError(f"{week:%d/%m/%Y} is a {week:%A}: give the Monday the rent week starts on.")
        run = rent_debits_post(week_commencing=week)
        summary = {"week_commencing": week.isoformat(), "posted": run.posted_count, "total": str(run.posted_total)}
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            self.stdout.write(
                f"Week commencing {week:%d/%m/%Y}: posted {run.posted_count} debits, £{run.posted_total}."
            )
