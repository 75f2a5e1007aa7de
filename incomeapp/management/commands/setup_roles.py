from django.core.management.base import BaseCommand

from incomeapp.roles import roles_setup


class Command(BaseCommand):
    help = "Creates the staff roles as groups with exactly the permissions in incomeapp/roles.py. Safe to repeat."

    def handle(self, *args, **options):
        for role, count in roles_setup().items():
            self.stdout.write(f"{role}: {count} permissions")
        self.stdout.write(self.style.SUCCESS("Roles are set up."))
