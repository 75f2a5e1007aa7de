from django.core.management.base import BaseCommand, CommandError

from documents.services import print_batch_make


class Command(BaseCommand):
    help = "Writes one PDF of every letter a run made that is waiting to be printed, and marks them printed."

    def add_arguments(self, parser):
        parser.add_argument("--run", required=True, help="The run, for example review:34 (see the documents' record).")
        parser.add_argument("--output", required=True, help="The PDF file to write.")

    def handle(self, *args, **options):
        pdf, letters = print_batch_make(run_label=options["run"])
        if not letters:
            raise CommandError(f"Nothing from {options['run']} is waiting to be printed.")
        with open(options["output"], "wb") as out:
            out.write(pdf)
        self.stdout.write(f"Wrote {letters} letters to {options['output']}; they are marked printed.")
