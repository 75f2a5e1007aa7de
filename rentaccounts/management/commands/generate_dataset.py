import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from rentaccounts.dataset import DATASET_PROVIDER, dataset_generate
from tenancies.models import Provider

TABLES = (
    "rentaccounts_transaction",
    "rentaccounts_account",
    "tenancies_charge",
    "tenancies_tenancytenant",
    "tenancies_tenancy",
    "tenancies_person",
    "tenancies_property",
    "tenancies_patch",
    "tenancies_scheme",
    "tenancies_provider",
)


class Command(BaseCommand):
    help = "Generates a benchmark dataset in PostgreSQL: N weekly tenancies with Y years of debits and payments."

    def add_arguments(self, parser):
        parser.add_argument("--tenancies", type=int, default=250_000)
        parser.add_argument("--years", type=int, default=2)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--truncate",
            action="store_true",
            help="Empty every tenancy and ledger table first (benchmark databases only).",
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("generate_dataset needs PostgreSQL: set DATABASE_URL to a PostgreSQL database.")
        if options["truncate"]:
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        elif Provider.objects.filter(name=DATASET_PROVIDER).exists():
            raise CommandError("This database already holds a generated dataset. Use --truncate to start again.")
        started = time.monotonic()
        counts = dataset_generate(
            tenancies=options["tenancies"], years=options["years"], seed=options["seed"], today=timezone.localdate()
        )
        rows = sum(counts.values())
        self.stdout.write(
            f"Generated {counts['tenancies']} tenancies, {counts['charges']} charges, {counts['debits']} debits and "
            f"{counts['payments']} payments ({rows} rows) in {time.monotonic() - started:.1f} s."
        )
