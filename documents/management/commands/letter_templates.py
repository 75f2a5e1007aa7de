from django.core.management.base import BaseCommand

from documents.services import templates_install_shipped


class Command(BaseCommand):
    help = "install: adds the shipped plain-English letter templates where a template has no version yet."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["install"])

    def handle(self, *args, **options):
        for line in templates_install_shipped():
            self.stdout.write(line)
