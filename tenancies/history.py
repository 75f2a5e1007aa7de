"""Who changed what and when, in plain words: the history shown on the person, tenancy and property pages.

`history_entries(obj=..., viewer=request.user)` reads the django-simple-history rows the models already keep (and, for a
tenancy, its charges' rows and its TenancyEvents; for a property, its charge schedule's rows) and turns them into a
list of `HistoryEntry`, newest first. The page includes `tenancies/includes/history.html` with `history_entries` set.

Who: the user's name, or "the system" for writes with no user; writes with no user whose reason starts with
`DATA_LOAD_REASON` ("Data load") read "data load". Vulnerability and health notes show as "changed" without their
values unless the viewer has `incomeapp.view_sensitive_notes`.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import models

from incomeapp.money import format_money

from .constants import ChargeType, EndReason, LicenceBasis, PaymentMethod, RentPeriod, TenureType
from .models import Charge, Person, Property, PropertyCharge, Tenancy, TenancyEvent

DATA_LOAD_REASON = "Data load"
SENSITIVE_PERMISSION = "incomeapp.view_sensitive_notes"
SENSITIVE_FIELDS = {(Person, "vulnerability_notes"), (Person, "health_notes")}
_SKIPPED_FIELDS = {"id", "created_at", "updated_at"}
_BLANK = "(blank)"

# The rows of other models shown in an object's history: (model, the foreign key to the object, a label).
RELATED_HISTORIES: dict[type[models.Model], list[tuple[type[models.Model], str, str]]] = {
    Tenancy: [(Charge, "tenancy", "Charge")],
    Property: [(PropertyCharge, "property", "Home's charge")],
}


@dataclass
class Change:
    label: str
    old: str
    new: str
    hidden: bool = False  # a sensitive field the viewer may not read: shown as "changed"


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    title: str
    reason: str = ""
    changes: list[Change] = field(default_factory=list)
    details: list[tuple[str, str]] = field(default_factory=list)
    effective_date: date | None = None


def history_who(user, reason: str = "") -> str:
    if user is not None:
        return user.get_full_name() or user.get_username()
    return "data load" if (reason or "").startswith(DATA_LOAD_REASON) else "the system"


def _plain(value, model_field, related_names: dict) -> str:
    """A stored value in plain words: choices by their label, dates as 27/03/2025, money as £1,234.50, yes/no."""
    if value is None or value == "":
        return _BLANK
    if model_field.is_relation:
        return related_names.get((model_field.related_model, value), f"record {value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return f"{value:%-d %B %Y at %H:%M}"
    if isinstance(value, date):
        return f"{value:%-d %B %Y}"
    if isinstance(value, Decimal) and model_field.get_internal_type() == "DecimalField" and value.as_tuple()[2] == -2:
        return format_money(value)
    return str(value)


def _tracked_fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.name not in _SKIPPED_FIELDS]


def _label(model_field) -> str:
    text = str(model_field.verbose_name)
    return text[:1].upper() + text[1:] if not text.isupper() else text


def _related_names(records: list, fields: list[models.Field]) -> dict:
    """Names of the records foreign keys point at, fetched once per model (no query per history row)."""
    wanted: dict[type, set] = {}
    for f in fields:
        if f.is_relation:
            for record in records:
                value = getattr(record, f.attname)
                if value is not None:
                    wanted.setdefault(f.related_model, set()).add(value)
    names = {}
    for model, ids in wanted.items():
        queryset = model._default_manager.filter(pk__in=ids)
        if model is Tenancy:
            queryset = queryset.only("id", "payment_reference")
            names.update({(model, obj.pk): obj.payment_reference for obj in queryset})
            continue
        if model is Property:
            queryset = queryset.only("id", "unit_label", "address_line_1", "address_line_2", "town", "postcode")
        names.update({(model, obj.pk): str(obj) for obj in queryset})
    return names


def _describe(instance) -> str:
    """A related row in words: a charge as "Rent £98.50 from 01/04/2024 to 30/03/2025"; anything else by its str."""
    if hasattr(instance, "charge_type") and hasattr(instance, "amount") and hasattr(instance, "effective_from"):
        amount = format_money(instance.amount)
        text = f"{instance.get_charge_type_display()} {amount} from {instance.effective_from:%-d %B %Y}"
        return text + (f" to {instance.effective_to:%-d %B %Y}" if instance.effective_to else "")
    return str(instance)


def _entries_from_records(records: list, model, subject: str, may_see_sensitive: bool) -> list[HistoryEntry]:
    """`records`: one object's historical rows, oldest first."""
    fields = _tracked_fields(model)
    names = _related_names(records, fields)
    entries = []
    previous = None
    for record in records:
        reason = record.history_change_reason or ""
        who = history_who(record.history_user, reason)
        if record.history_type == "+" or previous is None:
            if record.history_type != "+":  # the record was made before its history was kept
                title = f"{subject} first recorded: {_describe(record.instance)}" if subject else "History starts"
            elif subject:
                title = f"{subject} added: {_describe(record.instance)}"
            else:
                title = "Record created"
            entries.append(HistoryEntry(when=record.history_date, who=who, title=title, reason=reason))
        elif record.history_type == "-":
            title = f"{subject} removed: {_describe(record.instance)}" if subject else "Record deleted"
            entries.append(HistoryEntry(when=record.history_date, who=who, title=title, reason=reason))
        else:
            changes = []
            for f in fields:
                old, new = getattr(previous, f.attname), getattr(record, f.attname)
                if old == new:
                    continue
                if (model, f.name) in SENSITIVE_FIELDS and not may_see_sensitive:
                    changes.append(Change(label=_label(f), old="", new="", hidden=True))
                else:
                    changes.append(Change(label=_label(f), old=_plain(old, f, names), new=_plain(new, f, names)))
            if changes or reason:
                title = f"{subject} changed: {_describe(record.instance)}" if subject else "Details changed"
                entries.append(
                    HistoryEntry(when=record.history_date, who=who, title=title, reason=reason, changes=changes)
                )
        previous = record
    return entries


def _object_history(model, filters: dict, subject: str, may_see_sensitive: bool) -> list[HistoryEntry]:
    """All the historical rows of `model` matching `filters` (one query), diffed object by object."""
    rows = model.history.filter(**filters).select_related("history_user").order_by("id", "history_date", "history_id")
    by_object: dict[int, list] = {}
    for row in rows:
        by_object.setdefault(row.id, []).append(row)
    entries = []
    for records in by_object.values():
        entries.extend(_entries_from_records(records, model, subject, may_see_sensitive))
    return entries


# Codes stored in an event's figures, shown as their labels; keys holding record ids are not for people to read.
_CODE_LABELS = {
    choice.value: choice.label
    for choices in (TenureType, RentPeriod, PaymentMethod, LicenceBasis, EndReason, ChargeType)
    for choice in choices
}
_INTERNAL_KEYS = {"letters", "people_removed", "people_added", "transactions", "documents"}


def _detail_value(value) -> str:
    text = str(value)
    if text in _CODE_LABELS:
        return _CODE_LABELS[text]
    try:
        return f"{date.fromisoformat(text):%-d %B %Y}" if len(text) == 10 else text
    except ValueError:
        return text


def _detail_items(detail) -> list[tuple[str, str]]:
    """An event's recorded figures and names, where they are plain values (nested structures and record ids are left
    out; codes read as their labels, dates as 4 December 2026)."""
    items = []
    if not isinstance(detail, dict):
        return items
    for key, value in detail.items():
        if key in _INTERNAL_KEYS or str(key).endswith("_id") or str(key).endswith("_ids"):
            continue
        if isinstance(value, (list, tuple)) and all(isinstance(v, (str, int, float)) for v in value):
            value = ", ".join(_detail_value(v) for v in value)
        if isinstance(value, bool):
            value = "Yes" if value else "No"
        if isinstance(value, (str, int, float)) and str(value) != "":
            label = str(key).replace("_", " ")
            items.append((label[:1].upper() + label[1:], _detail_value(value)))
    return items


def _event_entries(tenancy: Tenancy) -> list[HistoryEntry]:
    events = TenancyEvent.objects.filter(tenancy=tenancy).select_related("recorded_by", "related_tenancy")
    entries = []
    for event in events:
        title = f"{event.get_kind_display()}, effective {event.effective_date:%-d %B %Y}"
        if event.related_tenancy_id:
            title += f" (with tenancy {event.related_tenancy.payment_reference})"
        entries.append(
            HistoryEntry(
                when=event.recorded_at,
                who=history_who(event.recorded_by, event.reason),
                title=title,
                reason=event.reason,
                details=_detail_items(event.detail),
                effective_date=event.effective_date,
            )
        )
    return entries


def history_entries(*, obj: models.Model, viewer=None, limit: int | None = None) -> list[HistoryEntry]:
    """Who changed what and when for `obj` (a person, tenancy, property or any model with simple-history), with the
    reason where one was given, newest first. A tenancy includes its charges and its events (sign-up, charge changes,
    successions, assignments, transfers, ends); a property includes its own charge schedule. `viewer`: the user the
    page is for (sensitive notes' values are shown only when they may see them; None shows no sensitive values)."""
    model = type(obj)
    may_see_sensitive = viewer is not None and viewer.has_perm(SENSITIVE_PERMISSION)
    entries = _object_history(model, {"id": obj.pk}, "", may_see_sensitive)
    for related_model, fk_name, label in RELATED_HISTORIES.get(model, []):
        entries.extend(_object_history(related_model, {f"{fk_name}_id": obj.pk}, label, may_see_sensitive))
    if model is Tenancy:
        entries.extend(_event_entries(obj))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit] if limit else entries
