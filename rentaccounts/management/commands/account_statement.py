import json

from django.core.management.base import BaseCommand, CommandError

from incomeapp.management.options import date_option
from incomeapp.money import format_money
from rentaccounts.constants import AccountKind
from rentaccounts.models import Account
from rentaccounts.services.statements import account_statement, statement_pdf
from tenancies.references import payment_reference_normalise, payment_reference_problem


class Command(BaseCommand):
    help = "Prints a rent statement for one account: opening balance, each line with running balance, totals."

    def add_arguments(self, parser):
        parser.add_argument("payment_reference")
        parser.add_argument("--from", dest="date_from", required=True, help="First day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="date_to", required=True, help="Last day, YYYY-MM-DD.")
        parser.add_argument("--account", default=AccountKind.RENT, choices=AccountKind.values)
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--pdf", metavar="FILE", help="Also write the statement as a PDF to FILE.")

    def handle(self, *args, **options):
        date_from = date_option(options["date_from"], "--from", like="2026-08-24")
        date_to = date_option(options["date_to"], "--to", like="2026-08-24")
        if date_to < date_from:
            raise CommandError("--to must be on or after --from.")
        reference = payment_reference_normalise(options["payment_reference"])
        if problem := payment_reference_problem(reference):
            raise CommandError(problem)
        account = (
            Account.objects.select_related("tenancy__property")
            .filter(tenancy__payment_reference=reference, kind=options["account"])
            .first()
        )
        if account is None:
            raise CommandError(f"No {options['account']} account for payment reference {reference}.")
        statement = account_statement(account=account, date_from=date_from, date_to=date_to)
        if options.get("pdf"):
            with open(options["pdf"], "wb") as pdf:
                pdf.write(statement_pdf(statement))
        if options["json"]:
            self.stdout.write(json.dumps(statement.as_dict(), indent=2))
            return
        data = statement.as_dict()
        self.stdout.write(f"{data['payment_reference']} {', '.join(data['tenants'])}, {', '.join(data['address'])}")
        self.stdout.write(
            f"{date_from:%d/%m/%Y} to {date_to:%d/%m/%Y}. Opening balance {format_money(statement.opening_balance)}"
        )
        for line in statement.lines:
            t = line.transaction
            self.stdout.write(
                f"  {t.effective_date:%d/%m/%Y}  {t.get_transaction_type_display():<40} "
                f"{format_money(t.amount):>12} {format_money(line.running_balance):>12}"
            )
        self.stdout.write(f"Closing balance {format_money(statement.closing_balance)} ({statement.status}).")
