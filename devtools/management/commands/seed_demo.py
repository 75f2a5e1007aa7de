import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from devtools.demo import demo_loaded, demo_seed


class Command(BaseCommand):
    help = (
        "Loads demo tenancies with two years of account history, once, through the same services as the screens. "
        "A second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenancies", type=int, default=300)

    def handle(self, *args, **options):
        if demo_loaded():
            self.stdout.write("Demo data is already loaded.")
            return
        started = time.monotonic()
        made = demo_seed(tenancies=options["tenancies"], today=timezone.localdate())
        self.stdout.write(
            f"Loaded {made['tenancies']} demo tenancies ({made['ended']} since ended, {made['rent_changes']} April "
            f"rent rises): {made['debits']} rent and charge debits and {made['credits']} payments and benefit "
            f"credits over two years, in {time.monotonic() - started:.0f} s."
        )
