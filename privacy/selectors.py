"""Reads for the privacy pages."""

from django.db.models import Q, QuerySet

from incomeapp.models import User
from tenancies.models import Person

from .models import SpecialCategoryAccess, SubjectAccessExport


def special_category_accesses(
    *, viewed_by_id: int | None = None, person_id: int | None = None, category: str = ""
) -> QuerySet[SpecialCategoryAccess]:
    """The access log, newest first, filtered by staff member, person (record number) and category."""
    rows = SpecialCategoryAccess.objects.select_related("viewed_by")
    if viewed_by_id is not None:
        rows = rows.filter(viewed_by_id=viewed_by_id)
    if person_id is not None:
        # The record and any duplicate merged into it: views of the duplicate were views of the same person.
        rows = rows.filter(person_record__in=records_of(person_id))
    if category:
        # Whole codes only: "health" must not match "mental_health_crisis".
        rows = rows.filter(
            Q(categories=category)
            | Q(categories__startswith=f"{category},")
            | Q(categories__endswith=f",{category}")
            | Q(categories__contains=f",{category},")
        )
    return rows.order_by("-viewed_at", "-id")


def records_of(person_id: int) -> set[int]:
    """A person's record number and those of every duplicate record merged into it (however many merges deep)."""
    found = {person_id}
    frontier = set(found)
    while frontier:
        frontier = set(Person.objects.filter(merged_into_id__in=frontier).values_list("id", flat=True)) - found
        found |= frontier
    return found


def with_people(rows: list) -> list:
    """Sets `.person` on each log row (None if the record is gone), one query for the page."""
    people = Person.objects.in_bulk({row.person_record for row in rows})
    for row in rows:
        row.person = people.get(row.person_record)
    return rows


def access_log_staff() -> QuerySet[User]:
    """Everyone who appears in the access log, for the filter."""
    return User.objects.filter(pk__in=SpecialCategoryAccess.objects.values("viewed_by_id")).order_by(
        "first_name", "last_name", "username"
    )


def subject_access_exports_recent(*, limit: int = 50) -> list[SubjectAccessExport]:
    return with_people(list(SubjectAccessExport.objects.select_related("made_by").order_by("-made_at", "-id")[:limit]))
