from django.core.management.base import BaseCommand

from incomeapp.roles import roles_setup


class Command(BaseCommand):
    help = "Creates the staff roles as groups with exactly the permissions in incomeapp/roles.py. Safe to repeat."

    def handle(self, *args, **options):
        summary = roles_setup()
        if options["verbosity"] > 0:
            for role, count in summary.items():
                self.stdout.write(f"{role}: {count} permissions")
            self.stdout.write(self.style.SUCCESS("Roles are set up."))
