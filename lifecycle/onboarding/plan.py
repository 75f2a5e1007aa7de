"""What a load would do: every row compared with the other files and the database, and sorted into what to create,
what to update and what is unchanged, with every error that stops the load and every difference it will not apply.

Reads the database (a handful of set-based queries, however many rows) and writes nothing.

Rules (docs/onboarding.md says the same for the landlord's data team):
- Rows are matched by the source system's reference. A provider, scheme or patch made in Rentwise without one is
  matched by its name (provider, patch) or code (scheme) and takes the file's reference; a tenancy made in Rentwise
  without one is matched by its payment reference.
- A column left out of a file is left alone in Rentwise; a column sent is your system's to keep: Rentwise's value is
  replaced by the file's.
- Nothing is deleted by a sync. Homes, schemes, patches and providers are retired by a `retired_on` date; tenancies end
  by an `end_date`.
- Differences a sync will not apply on its own (a tenancy's start date, home, rent period or named tenants; a changed
  opening balance) are reported as warnings for a person to deal with on the tenancy's page; they do not stop the load.
"""

from datetime import date

from .formats import ErrorList, ParsedFile
from .plan_core import (  # noqa: F401 (the names the loader and tests use)
    PERSON_FIELDS,
    ChargeSet,
    Item,
    NewTenancy,
    Plan,
    PlannerCore,
    opening_balance_key,
)
from .plan_homes import HomesPlanning
from .plan_tenancies import TenancyPlanning


class Planner(HomesPlanning, TenancyPlanning, PlannerCore):
    """Checks the parsed files against each other and the database, and works out the plan."""

    # -- the whole plan ------------------------------------------------------------------------------------------

    def run(self) -> Plan:
        self._providers()
        self._schemes()
        self._rent_free_weeks()
        self._patches()
        self._properties()
        self._property_charges()
        self._people()
        self._tenancies()
        return self.plan


def plan_make(files: dict[str, ParsedFile], errors: ErrorList, today: date | None = None) -> Plan:
    return Planner(files, errors, today).run()
