"""Evaluates one case's facts against a policy, for policy authors to test a policy before switching it on."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from arrears.engine import evaluate
from arrears.facts import FactsError, facts_read
from arrears.selectors import policy_version_current
from arrears.services import policy_read


class Command(BaseCommand):
    help = "Classifies one case: --facts FILE.json --policy NAME|FILE [--json]. Facts: docs/arrears-policy.md."

    def add_arguments(self, parser):
        parser.add_argument("--facts", required=True, help="A JSON file of input facts.")
        parser.add_argument("--policy", required=True, help="A stored policy's name, or a policy YAML file.")
        parser.add_argument("--json", action="store_true", help="Print the recommendation as JSON.")

    def handle(self, *args, **options):
        facts_path = Path(options["facts"])
        if not facts_path.is_file():
            raise CommandError(f"There is no facts file {facts_path}.")
        try:
            facts = facts_read(json.loads(facts_path.read_text(encoding="utf-8")))
        except json.JSONDecodeError as error:
            raise CommandError(f"{facts_path} is not valid JSON: {error}") from error
        except FactsError as error:
            raise CommandError(str(error)) from error
        document, number = self._policy(options["policy"])
        recommendation = evaluate(document, facts, version=number)
        if options["json"]:
            self.stdout.write(json.dumps(recommendation.as_dict(), indent=2, ensure_ascii=False))
            return
        self.stdout.write(f"{recommendation.label} ({recommendation.action}, {recommendation.mode})")
        self.stdout.write(f"Rule: {recommendation.rule or '(none)'} in {document['name']}")
        for reason in recommendation.reasons:
            self.stdout.write(f"  because {reason}")
        for blocker in recommendation.blocked_by:
            self.stdout.write(f"  held back: {blocker}")

    def _policy(self, given: str) -> tuple[dict, int | None]:
        path = Path(given)
        if path.suffix in (".yaml", ".yml", ".json") and path.is_file():
            try:
                return policy_read(path.read_text(encoding="utf-8")), None
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
        version = policy_version_current(name=given)
        if version is None:
            raise CommandError(
                f"There is no policy called '{given}' (and no such file). "
                "Run `python manage.py arrears_policy list` to see the policies."
            )
        return version.document, version.number
