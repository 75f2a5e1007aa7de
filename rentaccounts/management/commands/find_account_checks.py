from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rentaccounts.services.account_checks import account_checks_find


class Command(BaseCommand):
    help = "Finds suspected duplicate or overlapping payments since a date and queues them for review."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="YYYY-MM-DD (default: 90 days ago).")

    def handle(self, *args, **options):
        try:
            since = (
                date.fromisoformat(options["since"]) if options["since"] else timezone.localdate() - timedelta(days=90)
            )
        except ValueError as error:
            raise CommandError("Give --since as a date like 2026-08-24.") from error
        self.stdout.write(f"Raised {account_checks_find(since=since)} new account checks since {since:%d/%m/%Y}.")
