import time
from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from devtools.dataset import DATASET_PROVIDER, DatasetError, dataset_generate
from tenancies.models import Provider

# Every table of the records and the ledger (their history tables too, which no foreign key reaches); CASCADE empties
# the tables that point at them (arrears, courts, documents, dashboards).
TRUNCATED_APPS = ("tenancies", "rentaccounts")


class Command(BaseCommand):
    help = (
        "Generates a benchmark dataset in PostgreSQL: N weekly tenancies loaded through the onboarding import, with Y "
        "years of debits and payments."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenancies", type=int, default=250_000)
        parser.add_argument("--years", type=int, default=2)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--truncate",
            action="store_true",
            help="Empty every tenancy and ledger table first (benchmark databases only).",
        )
        parser.add_argument(
            "--files",
            metavar="DIR",
            help="Write the onboarding CSV files into DIR and keep them (by default they are written to a temporary "
            "folder and removed).",
        )
        parser.add_argument(
            "--opening-balances",
            action="store_true",
            help="Give each tenancy an opening balance as at the day before the history (about a third owing).",
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("generate_dataset needs PostgreSQL: set DATABASE_URL to a PostgreSQL database.")
        if options["truncate"]:
            tables = [
                model._meta.db_table for label in TRUNCATED_APPS for model in apps.get_app_config(label).get_models()
            ]
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        elif Provider.objects.filter(name=DATASET_PROVIDER).exists():
            raise CommandError("This database already holds a generated dataset. Use --truncate to start again.")
        started = time.monotonic()
        try:
            counts = dataset_generate(
                tenancies=options["tenancies"],
                years=options["years"],
                seed=options["seed"],
                today=timezone.localdate(),
                files_dir=Path(options["files"]) if options["files"] else None,
                opening_balances=options["opening_balances"],
            )
        except DatasetError as error:
            raise CommandError(str(error)) from error
        rows = sum(counts[name] for name in ("tenancies", "charges", "debits", "payments"))
        self.stdout.write(
            f"Generated {counts['tenancies']} tenancies, {counts['charges']} charges, {counts['debits']} debits and "
            f"{counts['payments']} payments ({rows} rows) in {time.monotonic() - started:.1f} s: files "
            f"{counts['files_seconds']} s, onboarding load {counts['load_seconds']} s, ledger history "
            f"{counts['history_seconds']} s."
        )
