import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from dashboards.services import kpi_snapshot_take, last_sunday


class Command(BaseCommand):
    help = "Takes (or rebuilds) the KPI snapshot for the week ending on a date, from the ledger and the records."

    def add_arguments(self, parser):
        parser.add_argument(
            "--week-ending", help="The week's last day (a Sunday), YYYY-MM-DD; by default the Sunday just gone."
        )

    def handle(self, *args, **options):
        try:
            week_ending = date.fromisoformat(options["week_ending"]) if options["week_ending"] else last_sunday()
        except ValueError as error:
            raise CommandError("Give --week-ending as a date like 2026-11-29.") from error
        started = time.perf_counter()
        rows = kpi_snapshot_take(week_ending=week_ending)
        self.stdout.write(f"KPI snapshot for the week ending {week_ending:%d/%m/%Y}: {rows} figures in "
                          f"{time.perf_counter() - started:.1f} s.")  # fmt: skip
