import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from rentaccounts.imports.formats import FORMATS
from rentaccounts.imports.services import import_batch_create, import_batch_process, import_preview, import_summary


class Command(BaseCommand):
    help = (
        "Imports a payment file: matched rows are posted, the rest held in suspense with the reason. "
        "A file is imported once; a repeat is refused and the command exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The payment file (CSV).")
        parser.add_argument("--format", required=True, choices=sorted(FORMATS), help="The file's format.")
        parser.add_argument("--dry-run", action="store_true", help="Report what would happen; change nothing.")
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"There is no file at {path}. Check the path and try again.")
        content = path.read_bytes()
        try:
            if options["dry_run"]:
                summary = import_preview(content=content, format=options["format"]).as_dict()
            else:
                batch = import_batch_create(
                    file_name=path.name, content=content, format=options["format"], uploaded_by=None
                )
                batch = import_batch_process(batch_id=batch.pk)
                if batch.error:
                    raise CommandError(batch.error)
                summary = {"batch": batch.pk, **import_summary(batch).as_dict()}
        except ValidationError as error:
            if options["json"]:
                refused = {"already_imported": error.code == "already_imported", "error": error.messages[0]}
                self.stdout.write(json.dumps(refused, indent=2))
            raise CommandError(error.messages[0]) from error
        summary["dry_run"] = options["dry_run"]
        if options["json"]:
            self.stdout.write(json.dumps(summary, indent=2))
            return
        if summary["already_imported"]:
            self.stdout.write(f"Note: {summary['error']} Importing it would be refused.")
        verb = "Would post" if options["dry_run"] else "Posted"
        self.stdout.write(
            f"Read {summary['rows_read']} rows. {verb} {summary['posted']['count']} (£{summary['posted']['total']}). "
            f"Held in suspense: {summary['suspense']['count']}. Rejected: {summary['rejected']['count']}."
        )
        for heading in ("suspense", "rejected"):
            for reason, count in summary[heading]["reasons"].items():
                self.stdout.write(f"  {heading}: {count} × {reason}")
