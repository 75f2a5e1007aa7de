import json

from django.core.management.base import BaseCommand, CommandError

from rentaccounts.models import Account, Transaction
from rentaccounts.selectors import balance_differences


class Command(BaseCommand):
    help = "Recomputes every account's balance from its transactions and reports any difference from the cached one."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args, **options):
        differences = balance_differences()
        summary = {
            "accounts": Account.objects.count(),
            "transactions": Transaction.objects.count(),
            "differences": len(differences),
            "accounts_with_differences": [
                {"account": account_id, "cached": str(cached), "ledger": str(ledger)}
                for account_id, cached, ledger in differences[:100]
            ],
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary, indent=2))
        else:
            self.stdout.write(
                f"Checked {summary['accounts']} accounts and {summary['transactions']} transactions: "
                f"{summary['differences']} differences."
            )
            for row in summary["accounts_with_differences"]:
                self.stdout.write(f"  account {row['account']}: cached {row['cached']}, ledger {row['ledger']}")
        if differences:
            raise CommandError(f"{len(differences)} account balances differ from their ledgers.")
