from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from incomeapp.constants import Role
from incomeapp.models import User

DEMO_PASSWORD = "rentwise-demo"  # noqa: S105 (published on purpose: debug-only demo accounts)

# username, first name, last name, role, delegated authority limit
DEMO_USERS = [
    ("officer", "Olivia", "Okafor", Role.INCOME_OFFICER, Decimal("0.00")),
    ("senior", "Sam", "Patel", Role.SENIOR_INCOME_OFFICER, Decimal("500.00")),
    ("manager", "Morgan", "Evans", Role.INCOME_MANAGER, Decimal("5000.00")),
    # A second manager, so a demo can show maker and checker (one prepares a rent change, the other approves it).
    ("manager2", "Riley", "Shah", Role.INCOME_MANAGER, Decimal("5000.00")),
    ("support", "Jamie", "Clarke", Role.SUPPORT_WORKER, Decimal("0.00")),
    ("sysadmin", "Alex", "Murray", Role.SYSTEM_ADMINISTRATOR, Decimal("0.00")),
]


class Command(BaseCommand):
    help = (
        "Creates one demo user per role (and a second Income Manager, for maker and checker), printed with their "
        "passwords. Refused unless DJANGO_DEBUG is on."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo users have a published password, so they are only made with DJANGO_DEBUG=true.")
        with transaction.atomic():
            for username, first_name, last_name, role, limit in DEMO_USERS:
                group = Group.objects.filter(name=role.value).first()
                if group is None:
                    raise CommandError("The roles do not exist yet: run `python manage.py setup_roles` first.")
                user, created = User.objects.get_or_create(
                    username=username,
                    defaults={
                        "first_name": first_name,
                        "last_name": last_name,
                        "email": f"{username}@rentwise.invalid",
                        "job_title": role.label,
                        "delegated_authority_limit": limit,
                    },
                )
                if created:
                    user.set_password(DEMO_PASSWORD)
                    user.save(update_fields=["password"])
                user.groups.set([group])
        self.stdout.write("Demo sign-ins (username / password / role):")
        for username, _, _, role, _ in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {DEMO_PASSWORD}   {role.label}")
