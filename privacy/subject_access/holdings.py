"""The tenancies a person was named on, and the days they were named on each: what a subject access export counts as
theirs (a successor or someone who joined later gets only their own time; a joint tenant the whole tenancy)."""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from tenancies.models import Tenancy, TenancyTenant


@dataclass(frozen=True)
class Holding:
    """One tenancy the person was named on, and the days they were named on it (None: from the start, or still)."""

    tenancy: Tenancy
    is_lead: bool
    joined_on: date | None
    left_on: date | None

    def covers(self, day: date | datetime | None) -> bool:
        if day is None:
            return True
        if isinstance(day, datetime):
            day = timezone.localtime(day).date()
        return (self.joined_on is None or day >= self.joined_on) and (self.left_on is None or day <= self.left_on)

    def overlaps(self, start: date | None, end: date | None) -> bool:
        return (self.left_on is None or start is None or start <= self.left_on) and (
            self.joined_on is None or end is None or end >= self.joined_on
        )


def _holdings(person_ids: list[int]) -> list[Holding]:
    rows = (
        TenancyTenant.every_row.filter(person_id__in=person_ids)
        .select_related("tenancy__property")
        .order_by("tenancy__start_date", "tenancy_id")
    )
    seen: dict[int, Holding] = {}
    for row in rows:
        holding = Holding(tenancy=row.tenancy, is_lead=row.is_lead, joined_on=row.joined_on, left_on=row.left_on)
        earlier = seen.get(row.tenancy_id)
        if earlier is None or holding.left_on is None:
            seen[row.tenancy_id] = holding
    return list(seen.values())
