"""Signals the core carries between apps, so a lower app can tell a higher one without importing it.

`special_category_viewed` (legal-spec §10, R-DP-03): a page that shows special-category data (UK GDPR Art 9: health,
vulnerability, a mental health crisis Breathing Space) about people sends it with `user`, `shown` ({person id: sorted
category codes}), `path` and `view_name`. The privacy app keeps the access log; with no receiver nothing happens.
Views call `special_category_shown(request, {person_id: categories})`, which sends only when something was shown.
"""

from collections.abc import Iterable, Mapping

from django.db import models
from django.dispatch import Signal


class SpecialCategory(models.TextChoices):
    HEALTH = "health", "Health"
    VULNERABILITY = "vulnerability", "Vulnerability"
    MENTAL_HEALTH_CRISIS = "mental_health_crisis", "Mental health crisis Breathing Space"


special_category_viewed = Signal()

# The labels the history of a person gives its two notes fields (tenancies.history: the fields' verbose names).
_HISTORY_LABELS = {"Vulnerability notes": SpecialCategory.VULNERABILITY, "Health notes": SpecialCategory.HEALTH}


def special_category_shown(request, shown: Mapping[int, Iterable[str]]) -> None:
    """Tells the access log that `request.user` was just shown these categories about these people (nothing is sent
    when no category was shown)."""
    people = {person_id: sorted(set(categories)) for person_id, categories in shown.items() if categories}
    if not people:
        return
    match = getattr(request, "resolver_match", None)
    special_category_viewed.send(
        sender=None,
        user=request.user,
        shown=people,
        path=request.path,
        view_name=match.view_name if match else "",
    )


def person_notes_categories(person) -> set[str]:
    """The special categories a person's own notes hold (their vulnerability and health notes, when not blank)."""
    categories = set()
    if (getattr(person, "vulnerability_notes", "") or "").strip():
        categories.add(SpecialCategory.VULNERABILITY.value)
    if (getattr(person, "health_notes", "") or "").strip():
        categories.add(SpecialCategory.HEALTH.value)
    return categories


def history_notes_categories(entries) -> set[str]:
    """The special categories a page's history entries show the values of (changes to the notes fields that were
    not hidden from the viewer)."""
    categories = set()
    for entry in entries:
        for change in getattr(entry, "changes", []):
            category = _HISTORY_LABELS.get(change.label)
            if category and not change.hidden and (change.old or change.new):
                categories.add(category.value)
    return categories
