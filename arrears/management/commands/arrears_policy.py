from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from arrears.models import ArrearsPolicy, ArrearsPolicyVersion
from arrears.selectors import policy_export
from arrears.services import policies_install_shipped, policy_import, policy_version_publish


class Command(BaseCommand):
    help = "Arrears policies as YAML: import FILE [--publish], export NAME [--output FILE], install, list."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        importing = sub.add_parser("import", help="Import a policy file as a new draft version.")
        importing.add_argument("file")
        importing.add_argument("--publish", action="store_true", help="Make the imported version live.")
        exporting = sub.add_parser("export", help="Print (or write) the YAML of a policy's current version.")
        exporting.add_argument("name")
        exporting.add_argument("--output", help="Write to this file instead of printing.")
        sub.add_parser("install", help="Import the shipped policies; publish those with no live version.")
        sub.add_parser("list", help="Policies with their versions.")

    def handle(self, *args, **options):
        action = options["action"]
        try:
            if action == "import":
                self._import(Path(options["file"]), options["publish"])
            elif action == "export":
                text = policy_export(name=options["name"])
                if options.get("output"):
                    Path(options["output"]).write_text(text, encoding="utf-8")
                    self.stdout.write(f"Wrote {options['output']}.")
                else:
                    self.stdout.write(text, ending="")
            elif action == "install":
                for line in policies_install_shipped():
                    self.stdout.write(line)
            else:
                for policy in ArrearsPolicy.objects.prefetch_related("versions").order_by("name"):
                    versions = ", ".join(f"v{v.number} {v.status}" for v in policy.versions.all())
                    default = " (default)" if policy.is_default else ""
                    self.stdout.write(f"{policy.name}{default}: {policy.title} [{versions}]")
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        except ArrearsPolicyVersion.DoesNotExist as error:
            raise CommandError(str(error)) from error

    def _import(self, path: Path, publish: bool) -> None:
        if not path.is_file():
            raise CommandError(f"There is no file {path}.")
        version, created = policy_import(text=path.read_text(encoding="utf-8"))
        said = f"imported as version {version.number}" if created else f"unchanged (version {version.number})"
        if publish:
            policy_version_publish(version=version)
            said += ", now live"
        self.stdout.write(f"{version.policy.name}: {said}.")
