import json
from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from arrears.review import review_run


class Command(BaseCommand):
    help = "Reviews every account owing or with an open case: recommendations with reasons, cases, automatic letters."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=date.fromisoformat, help="Review date, YYYY-MM-DD (default today).")
        parser.add_argument("--dry-run", action="store_true", help="Change nothing; report what would happen.")
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")

    def handle(self, *args, **options):
        as_of = options["as_of"] or timezone.localdate()
        try:
            run, summary = review_run(as_of=as_of, dry_run=options["dry_run"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        result = summary.as_dict()
        if run:
            result["run"] = run.pk
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2))
            return
        said = "Would review" if options["dry_run"] else "Reviewed"
        self.stdout.write(f"{said} {summary.accounts} accounts as of {as_of:%d/%m/%Y}.")
        for action, count in sorted(summary.actions.items(), key=lambda item: -item[1]):
            self.stdout.write(f"  {count:>7}  {action}")
        if not options["dry_run"]:
            self.stdout.write(
                f"Letters queued: {summary.letters_queued}. Cases opened: {summary.cases_opened}, "
                f"closed: {summary.cases_closed}."
            )
