from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from privacy.constants import Blocker, RetentionCategory
from privacy.models import RetentionRule
from privacy.retention import retention_apply, retention_review


class Command(BaseCommand):
    help = (
        "Former tenants' personal data past the retention schedule (legal-spec §10). --list (the default) only lists "
        "it, with the rule and the dates; --anonymise anonymises it. The ledger is never changed."
    )

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--list", action="store_true", help="List what is past the schedule (the default).")
        mode.add_argument("--anonymise", action="store_true", help="Anonymise what is past the schedule.")
        parser.add_argument("--today", help="Work as if today were this date (YYYY-MM-DD); for checks and tests.")

    def handle(self, *args, **options):
        try:
            today = date.fromisoformat(options["today"]) if options["today"] else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--today {options['today']!r} is not a date; give it as YYYY-MM-DD.") from error
        if not RetentionRule.objects.exists():
            raise CommandError("There is no retention schedule: run `manage.py migrate privacy` to install it.")
        if options["anonymise"]:
            counts = retention_apply(today=today)
            if not counts:
                self.stdout.write(f"Nothing past the retention schedule on {today:%d/%m/%Y}: nothing anonymised.")
            for category, people in counts.items():
                label = RetentionCategory(category).label
                self.stdout.write(f"Anonymised {label.lower()}: {people} {'person' if people == 1 else 'people'}.")
            return
        review = retention_review(today=today)
        rules = {rule.category: rule for rule in RetentionRule.objects.all()}
        if review.due:
            self.stdout.write(f"Past the retention schedule on {today:%d/%m/%Y}:")
            self.stdout.write(f"{'Record':<7} {'Name':<31} {'Category':<33} {'Clock from':<10}  Due")
            for item in review.due:
                rule = rules[item.category]
                self.stdout.write(
                    f"{item.person_id:<7} {item.name[:31]:<31} {rule.title[:33]:<33} "
                    f"{item.clock_started_on:%d/%m/%Y}  {item.due_on:%d/%m/%Y} ({rule.period_description})"
                )
            people = len({item.person_id for item in review.due})
            self.stdout.write(
                f"{len(review.due)} categories of {people} {'person' if people == 1 else 'people'}. "
                "Run with --anonymise to anonymise them."
            )
        else:
            self.stdout.write(f"Nothing past the retention schedule on {today:%d/%m/%Y}.")
        for reason, count in sorted(review.held.items()):
            self.stdout.write(
                f"Left alone: {count} {'person' if count == 1 else 'people'} past the schedule: "
                f"{Blocker(reason).label.lower()}."
            )
