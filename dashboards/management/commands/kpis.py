import json

from django.core.management.base import BaseCommand

from dashboards.kpis import COUNT, KPIS
from dashboards.measures import kpi_measures
from incomeapp.management.options import date_option


class Command(BaseCommand):
    help = "Prints the headline KPIs as of a date, computed from the ledger and the records."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, help="YYYY-MM-DD")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        as_of = date_option(options["as_of"], "--as-of", like="2026-11-29")
        measures = kpi_measures(as_of)
        headline = {}
        for kpi in KPIS:
            measure = measures[kpi.key][("all", "All")]
            headline[kpi.key] = {
                "name": kpi.name,
                "value": str(int(measure.value)) if kpi.unit == COUNT else str(measure.value),
                "unit": kpi.unit,
                "numerator": str(measure.numerator),
                "denominator": str(measure.denominator) if measure.denominator is not None else None,
            }
        if options["json"]:
            self.stdout.write(json.dumps({"as_of": as_of.isoformat(), "kpis": headline}, indent=2))
            return
        for row in headline.values():
            self.stdout.write(f"{row['name']:<48} {row['value']:>12} {row['unit']}")
