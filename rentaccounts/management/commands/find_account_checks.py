from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from incomeapp.management.options import date_option
from rentaccounts.services.account_checks import account_checks_find


class Command(BaseCommand):
    help = "Finds suspected duplicate or overlapping payments since a date and queues them for review."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="YYYY-MM-DD (default: 90 days ago).")

    def handle(self, *args, **options):
        since = date_option(
            options["since"], "--since", like="2026-08-24", default=timezone.localdate() - timedelta(days=90)
        )
        self.stdout.write(f"Raised {account_checks_find(since=since)} new account checks since {since:%d/%m/%Y}.")
