"""`python manage.py import_tenancies DIR_OR_FILE [--dry-run] [--json]`: load, or sync nightly, a landlord's
records from its housing management system (docs/onboarding.md)."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from lifecycle.constants import LoadStatus
from lifecycle.onboarding.services import onboarding_load, tenancy_load_record

_COUNTS = ("created", "updated", "unchanged")


class Command(BaseCommand):
    help = (
        "Loads (or syncs) homes, people, tenancies, charges, opening balances and direct debits from the onboarding "
        "CSV files in a folder, a zip or one CSV file. Every row is checked first; any error and nothing is loaded."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="A folder of onboarding CSV files, a zip of them, or one CSV file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check everything and say what would change; keep nothing."
        )
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")
        parser.add_argument(
            "--no-re-review",
            action="store_true",
            help="Only flag the accounts touched for the next arrears review; do not re-review them now.",
        )

    def handle(self, *args, **options):
        verbose = options["verbosity"] > 1 and not options["json"]

        def progress(*, stage=None, rows_read=None, rows_done=None):
            if verbose and stage is not None and not isinstance(stage, LoadStatus):
                self.stderr.write(f"  {stage}…")

        report = onboarding_load(
            by=None,
            path=options["path"],
            dry_run=options["dry_run"],
            re_review=not options["no_re_review"],
            progress=progress,
        )
        if not options["dry_run"]:
            tenancy_load_record(by=None, file_name=str(options["path"]), report=report)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
        else:
            self._print(report)
        if not report.ok:
            if options["json"]:
                sys.exit(1)
            raise CommandError(f"{report.errors.count} error(s) found: nothing was loaded.")

    def _print(self, report) -> None:
        write = self.stdout.write
        if report.errors:
            write(f"Refused: {report.errors.count} error(s) found, so nothing was loaded. Correct them and run again.")
            for error in report.errors.items:
                write(f"  {error}")
            if report.errors.count > len(report.errors.items):
                write(f"  … and {report.errors.count - len(report.errors.items)} more.")
            return
        heading = "Dry run: nothing was loaded. This is what would happen:" if report.dry_run else "Loaded."
        write(f"{heading} {report.rows_read} rows read in {report.seconds:.1f} s.")
        width = max((len(kind) for kind in report.counts), default=10)
        write(f"  {'file':<{width}}  {'created':>9} {'updated':>9} {'unchanged':>9}")
        for kind, counts in report.counts.items():
            write(f"  {kind:<{width}}  " + " ".join(f"{counts.get(name, 0):>9}" for name in _COUNTS))
        write(
            f"Opening balances: {report.opening_balances_posted} posted, £{report.opening_balances_total:,} "
            f"(the files total £{report.opening_balances_in_files:,})."
        )
        write(f"Accounts flagged for the arrears review: {report.accounts_to_review}.")
        if report.warnings:
            write(f"{report.warnings.count} difference(s) not applied (deal with them on the pages named):")
            for warning in report.warnings.items:
                write(f"  {warning}")
