import json
from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from arrears.models import ArrearsPolicyVersion
from arrears.review import review_run


class Command(BaseCommand):
    help = "Reviews every account owing or with an open case: recommendations with reasons, cases, automatic letters."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=date.fromisoformat, help="Review date, YYYY-MM-DD (default today).")
        parser.add_argument("--dry-run", action="store_true", help="Change nothing; report what would happen.")
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")
        parser.add_argument(
            "--compare",
            metavar="NAME[@VERSION]",
            help="With --dry-run: also evaluate with this policy version (default: its newest); report what changes.",
        )

    def handle(self, *args, **options):
        as_of = options["as_of"] or timezone.localdate()
        compare = self._version(options["compare"]) if options.get("compare") else None
        try:
            run, summary = review_run(as_of=as_of, dry_run=options["dry_run"], compare=compare)
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
        if compare is not None:
            changed = len(summary.changed_cases)
            said = "1 case changes" if changed == 1 else f"{changed} cases change"
            self.stdout.write(f"Under {summary.compared_with} instead of the live version, {said}:")
            for change, count in summary.changes.most_common():
                self.stdout.write(f"  {count:>7}  {change}")
        if not options["dry_run"]:
            self.stdout.write(
                f"Letters queued: {summary.letters_queued}. Texts and emails queued: {summary.messages_queued}. "
                f"Cases opened: {summary.cases_opened}, "
                f"closed: {summary.cases_closed}."
            )

    def _version(self, given: str) -> ArrearsPolicyVersion:
        name, _, number = given.partition("@")
        versions = ArrearsPolicyVersion.objects.select_related("policy").filter(policy__name=name)
        version = (
            versions.filter(number=int(number)).first() if number.isdigit() else versions.order_by("-number").first()
        )
        if version is None:
            raise CommandError(f"There is no policy version '{given}'. See `python manage.py arrears_policy list`.")
        return version
