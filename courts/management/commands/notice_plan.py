import json

from django.core.management.base import BaseCommand, CommandError

from courts.constants import ServiceMethod
from courts.planner import notice_plan
from incomeapp.management.options import date_option
from incomeapp.money import format_money
from tenancies.models import Tenancy
from tenancies.references import payment_reference_normalise, payment_reference_problem


class Command(BaseCommand):
    help = (
        "Plans a possession notice for a tenancy served on a date: the notice and grounds, the earliest date "
        "proceedings may begin, when it lapses, Ground 8 and its margin, and anything stopping it (Breathing Space)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenancy", required=True, metavar="PAYMENT_REF")
        parser.add_argument("--served-on", required=True, help="The date of service, YYYY-MM-DD.")
        parser.add_argument("--method", default=ServiceMethod.HAND, choices=ServiceMethod.values)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        served_on = date_option(options["served_on"], "--served-on", like="2026-11-22")
        reference = payment_reference_normalise(options["tenancy"])
        if problem := payment_reference_problem(reference):
            raise CommandError(problem)
        tenancy = (
            Tenancy.objects.select_related("property__scheme__provider").filter(payment_reference=reference).first()
        )
        if tenancy is None:
            raise CommandError(f"No tenancy has the payment reference {reference}.")
        plan = notice_plan(tenancy=tenancy, served_on=served_on, method=options["method"])
        if options["json"]:
            self.stdout.write(json.dumps(plan.as_dict(), indent=2))
            return
        data = plan.as_dict()
        self.stdout.write(f"{reference} ({data['tenure']}), served {served_on:%d/%m/%Y} ({options['method']}).")
        for line in plan.problems + plan.blocked:
            self.stdout.write(f"  ! {line}")
        position = plan.position
        if position:
            self.stdout.write(
                f"  Balance {format_money(position.balance)}; rent arrears {format_money(position.rent_arrears)}"
            )
        for option in data["notices"]:
            self.stdout.write(f"  {option['notice']} ({option['form']}){'' if option['can_serve'] else ' - NOT NOW'}")
            self.stdout.write(f"    proceedings may begin after {option['earliest_proceedings_date']}")
            if option["lapses_on"]:
                self.stdout.write(f"    lapses on {option['lapses_on']} {option['lapse_note']}".rstrip())
            for test in option["serious_arrears"]:
                verdict = "met" if test["met"] else "not met"
                self.stdout.write(f"    {test['ground']}: {verdict}, margin £{test['margin']} ({test['basis']})")
