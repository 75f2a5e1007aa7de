import time

from django.core.management.base import BaseCommand

from dashboards.services import kpi_snapshot_take, last_sunday
from incomeapp.management.options import date_option


class Command(BaseCommand):
    help = "Takes (or rebuilds) the KPI snapshot for the week ending on a date, from the ledger and the records."

    def add_arguments(self, parser):
        parser.add_argument(
            "--week-ending", help="The week's last day (a Sunday), YYYY-MM-DD; by default the Sunday just gone."
        )

    def handle(self, *args, **options):
        week_ending = date_option(options["week_ending"], "--week-ending", like="2026-11-29", default=last_sunday())
        started = time.perf_counter()
        rows = kpi_snapshot_take(week_ending=week_ending)
        self.stdout.write(f"KPI snapshot for the week ending {week_ending:%d/%m/%Y}: {rows} figures in "
                          f"{time.perf_counter() - started:.1f} s.")  # fmt: skip
