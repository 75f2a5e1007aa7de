from django.core.management.base import BaseCommand

from messaging.services_shipped import message_templates_install_shipped


class Command(BaseCommand):
    help = "install: adds the shipped text message and email templates (published) where a template has no version yet."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["install"])

    def handle(self, *args, **options):
        for line in message_templates_install_shipped():
            self.stdout.write(line)
