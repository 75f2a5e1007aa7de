"""`make load` step 1: income officers for the load test, each given a share of the open arrears cases.

Only on a generated benchmark dataset (`generate_dataset`): the officers have a password the load script knows, so
the command refuses any other database. Run the weekly review first (`run_arrears_review`), so there are open cases.
"""

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Value
from django.db.models.functions import Mod

from arrears.models import ArrearsCase
from devtools.dataset import DATASET_PROVIDER
from incomeapp.constants import Role
from incomeapp.models import User
from incomeapp.roles import roles_setup
from tenancies.models import Provider

USERNAME_PREFIX = "load-officer-"


def load_officer_username(number: int) -> str:
    return f"{USERNAME_PREFIX}{number:02d}"


class Command(BaseCommand):
    help = (
        "Creates N income officers (load-officer-01 …) with the given password and shares the open arrears cases "
        "among them, round robin by case id. Benchmark datasets only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--officers", type=int, default=50)
        parser.add_argument("--password", required=True, help="Their password (the load script's LOAD_PASSWORD).")

    def handle(self, *args, **options):
        officers_wanted = options["officers"]
        if officers_wanted < 1:
            raise CommandError("--officers must be at least 1.")
        if not Provider.objects.filter(name=DATASET_PROVIDER).exists():
            raise CommandError(
                "This database holds no generated dataset: load-test officers (with a known password) are made only "
                "on a benchmark database (`generate_dataset`)."
            )
        roles_setup()
        group = Group.objects.get(name=Role.INCOME_OFFICER.value)
        officers = []
        with transaction.atomic():
            for number in range(1, officers_wanted + 1):
                officer, _ = User.objects.get_or_create(
                    username=load_officer_username(number),
                    defaults={"first_name": "Load", "last_name": f"Officer {number:02d}", "job_title": "Officer"},
                )
                officer.set_password(options["password"])
                officer.is_active = True
                officer.save(update_fields=["password", "is_active"])
                officer.groups.set([group])
                officers.append(officer)
            # Round robin by id, as a patch split would spread them; one UPDATE per officer.
            open_cases = ArrearsCase.objects.filter(status="open").annotate(bucket=Mod("id", Value(officers_wanted)))
            shares = [open_cases.filter(bucket=index).update(officer=officer) for index, officer in enumerate(officers)]
        # Fresh planner statistics for the cases just reassigned (and the review's new rows), as autovacuum would give
        # them within minutes: with stale ones the worklist's officer filter took 90 ms instead of 0.4 ms.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE arrears_arrearscase, arrears_recommendation")
        if not any(shares):
            raise CommandError("There are no open arrears cases: run `python manage.py run_arrears_review` first.")
        self.stdout.write(
            f"{len(officers)} officers ({load_officer_username(1)} … {load_officer_username(len(officers))}), "
            f"{sum(shares):,} open cases shared: {min(shares):,} to {max(shares):,} each."
        )
