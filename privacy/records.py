"""Records as plain JSON for a subject access export: money as strings with 2 places, dates as ISO 8601 (times in UK
local time), choices by their labels, staff by their names, files by their stored names."""

from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from incomeapp.models import User
from incomeapp.money import to_money

HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


class Recorder:
    """Turns model instances (and their simple-history rows) into dicts of JSON values; staff names are read once."""

    def __init__(self):
        self._staff: dict[int, str] | None = None

    def staff_name(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        if self._staff is None:
            self._staff = {
                user.pk: user.get_full_name() or user.username
                for user in User.objects.only("id", "username", "first_name", "last_name")
            }
        return self._staff.get(user_id, f"staff member {user_id}")

    def value(self, field: models.Field, value):
        if value is None:
            return None
        if isinstance(value, FieldFile):
            return value.name or None
        if field.is_relation:
            return self.staff_name(value) if field.related_model is User else value
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, Decimal):
            return str(to_money(value)) if field.decimal_places == 2 else str(value)
        if isinstance(value, datetime):
            return timezone.localtime(value).isoformat(timespec="seconds")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, (bytes, memoryview)):
            return None
        return value

    def record(self, obj: models.Model, exclude: tuple[str, ...] = ()) -> dict:
        """Every stored field of `obj` but those in `exclude`; a foreign key by its id (staff by their name)."""
        return {
            field.name: self.value(field, getattr(obj, field.attname))
            for field in obj._meta.concrete_fields
            if field.name not in exclude
        }

    def history_row(self, row) -> dict:
        """One simple-history row: what the record was after the change, who changed it, when and why."""
        values = {
            field.name: self.value(field, getattr(row, field.attname))
            for field in row._meta.concrete_fields
            if not field.name.startswith("history_")
        }
        return {
            "record_type": str(row.instance_type._meta.verbose_name),
            "record_id": row.id,
            "change_id": row.history_id,
            "when": self.value(row._meta.get_field("history_date"), row.history_date),
            "what": HISTORY_TYPES.get(row.history_type, row.history_type),
            "by": self.staff_name(row.history_user_id) or "the system",
            "reason": row.history_change_reason or "",
            "values_after": values,
        }
