"""What every homes write shares: checking input into plain-English problems by field, the one transaction each
write runs in, and adding, changing or retiring a provider, scheme, patch or home (`_record_create`, `_record_update`,
`_record_retire`: each kind's service checks its permission, then hands over its own checks)."""

from collections.abc import Callable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models, transaction


def _writing():
    """The transaction each service writes in. Input is checked before it opens, so nothing raised inside is a
    refusal to recover from; without a savepoint a caller's surrounding transaction (a page, a data load) is used as
    is, and a database error inside rolls that whole transaction back, which is what the all-or-nothing load wants."""
    return transaction.atomic(savepoint=False)


def _day(value: date) -> str:
    return f"{value:%-d %B %Y}"


def _by(obj: models.Model, by, reason: str = "") -> None:
    """Who to name in the history row (the page's user is picked up anyway; a command or task names none)."""
    if by is not None:
        obj._history_user = by
    if reason:
        obj._change_reason = reason


# --- checking input ------------------------------------------------------------------------------------------------


class _Checks:
    """Collects plain-English problems by field, raised together so a form or a load row shows all of them at once."""

    def __init__(self, model: type[models.Model], labels: dict[str, str]):
        self.model = model
        self.labels = labels
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def text(self, values: dict, field: str, *, required: bool = False) -> str:
        """A text field, stripped, within the model field's length; blank refused when `required`."""
        raw = values[field]
        if raw is None:
            raw = ""
        if not isinstance(raw, str):
            raw = str(raw)
        value = raw.strip()
        label = self.labels.get(field, field.replace("_", " "))
        max_length = self.model._meta.get_field(field).max_length
        if required and not value:
            self.add(field, f"Enter the {label}")
        elif max_length and len(value) > max_length:
            self.add(field, f"The {label} must be {max_length} characters or fewer (it has {len(value)})")
        values[field] = value
        return value

    def unique_text(self, values: dict, field: str, record: models.Model | None, clash: str) -> None:
        """A required text field (a name, a code) that no other record has, in any case; `clash` is the problem when
        one does, with {} for the value."""
        value = self.text(values, field, required=True)
        others = self.model.objects.filter(**{f"{field}__iexact": value})
        if record is not None:
            others = others.exclude(pk=record.pk)
        if value and (record is None or value != getattr(record, field)) and others.exists():
            self.add(field, clash.format(value))

    def choice(self, values: dict, field: str, choices: type[models.TextChoices]) -> None:
        value = values[field]
        if value not in choices.values:
            label = self.labels.get(field, field.replace("_", " "))
            allowed = ", ".join(f"{v} ({lbl})" for v, lbl in choices.choices)
            self.add(field, f"Choose the {label}: '{value}' is not one of {allowed}")

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _unknown(kind: str, changes: dict, allowed: set[str]) -> None:
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"{kind}_update() cannot change {', '.join(sorted(unknown))}; it changes {sorted(allowed)}")


def _differences(obj: models.Model, changes: dict) -> dict:
    """The changes that differ from what is stored; a related record is compared by its id (no query)."""
    changed = {}
    for name, value in changes.items():
        field = obj._meta.get_field(name)
        if field.is_relation:
            if getattr(obj, field.attname) != (value.pk if value is not None else None):
                changed[name] = value
        elif getattr(obj, name) != value:
            changed[name] = value
    return changed


def _save_changes(obj: models.Model, changed: dict, by, reason: str = "") -> None:
    for name, value in changed.items():
        setattr(obj, name, value)
    _by(obj, by, reason)
    with _writing():
        obj.save(update_fields=[*changed, "updated_at"])


def _not_retired(checks: _Checks, field: str, obj, what: str) -> None:
    if obj is not None and obj.retired_on is not None:
        checks.add(field, f"{obj} was retired on {_day(obj.retired_on)}, so no new {what} can use it. Choose another.")


def _refuse_while_in_use(in_it: models.Manager, *, holder: str, noun: str, next_step: str) -> None:
    """Retiring is refused while records in it (`noun`: home, scheme, unit) are still in use; `next_step` says what to
    do with them first."""
    in_use = in_it.filter(retired_on__isnull=True).count()
    if in_use:
        raise ValidationError(f"{holder} still has {in_use} {noun}{'s' if in_use != 1 else ''} in use. {next_step}")


def _retired_on_change(changes: dict) -> date | bool | None:
    """`retired_on` in an update: None brings a retired record back into use; a date goes through the retire checks."""
    return changes.pop("retired_on", False)


# --- adding, changing and retiring a record -------------------------------------------------------------------------


def _record_create(model: type[models.Model], values: dict, *, by) -> models.Model:
    """A new provider, scheme, patch or home from its checked values, once the caller's permission is checked."""
    record = model(**values)
    _by(record, by)
    with _writing():
        record.save()
    return record


def _record_update(
    record: models.Model,
    changes: dict,
    *,
    by,
    kind: str,
    fields: set[str],
    checked: Callable[[dict, models.Model], dict],
    retire_checks: Callable[[models.Model, date], None],
) -> bool:
    """A provider's, scheme's, patch's or home's update, once the caller's permission is checked: `changes` checked by
    `checked`, and only what differs from what is stored saved. `retired_on` among them retires the record from that
    day (after `retire_checks`) or, as None, brings it back into use. True when something changed."""
    retired_on = _retired_on_change(changes)
    _unknown(kind, changes, fields)
    changed = _differences(record, checked(changes, record))
    if retired_on is not False:
        if retired_on is not None:
            retire_checks(record, retired_on)
        if record.retired_on != retired_on:
            changed["retired_on"] = retired_on
    if not changed:
        return False
    _save_changes(record, changed, by)
    return True


def _record_retire(record: models.Model, on: date, *, by, retire_checks: Callable[[models.Model, date], None]) -> None:
    """Retires a provider, scheme, patch or home from `on`, once the caller's permission is checked; nothing is
    written when it is already retired from that day."""
    if record.retired_on == on:
        return
    retire_checks(record, on)
    _save_changes(record, {"retired_on": on}, by, reason=f"Retired on {_day(on)}")
