from django.core.management.base import BaseCommand, CommandError

from documents.services import print_batch_make


class Command(BaseCommand):
    help = "Writes one PDF of every document a run made that is waiting to be printed, and marks them printed."

    def add_arguments(self, parser):
        parser.add_argument("--run", required=True, help="The run, for example review:34 (see the documents' record).")
        parser.add_argument("--output", required=True, help="The PDF file to write (the batch is also kept).")

    def handle(self, *args, **options):
        batch = print_batch_make(run_label=options["run"])
        if batch is None:
            raise CommandError(f"Nothing from {options['run']} is waiting to be printed.")
        with batch.pdf.open("rb") as pdf, open(options["output"], "wb") as out:
            out.write(pdf.read())
        self.stdout.write(
            f"Wrote {batch.documents_count} documents ({batch.pages} pages) to {options['output']}; "
            f"they are marked printed (print batch {batch.pk})."
        )
