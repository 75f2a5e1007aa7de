"""People: add, change and merge the records of tenants and licensees.

Keyword-only services, one transaction each, permission-checked with `staff_require` (`by=None` is the system: the
data load and the demo data). Validation is done here in plain Python (no per-row queries), because the data load calls
`person_create` / `person_update` for every row of people.csv.

History: each write is one django-simple-history row with `by` as its user and the `reason` as its change reason.
Writes with no user should pass a reason starting "Data load" when they come from a load, so the history reads
"data load" rather than "the system" (`tenancies.history.DATA_LOAD_REASON`).
"""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from incomeapp.roles import staff_require
from messaging.addresses import mobile_or_blank, normalise_mobile
from messaging.constants import SuppressionReason
from messaging.services_receipts import suppression_lift

from .constants import ContactChannel
from .models import Person, TenancyTenant

SENSITIVE_FIELDS = ("vulnerability_notes", "health_notes")
SENSITIVE_PERMISSION = "incomeapp.view_sensitive_notes"

# Every field a screen, the data load or a merge may set through these services.
EDITABLE_FIELDS = (
    "title",
    "first_name",
    "last_name",
    "date_of_birth",
    "email",
    "phone",
    "preferred_contact",
    "correspondence_address",
    "preferred_language",
    "communication_adjustments",
    "support_worker",
    "vulnerability_notes",
    "health_notes",
    "source_reference",
    "mobile",
    "texts_allowed",
    "emails_allowed",
)
# Consent to texts and emails: a change records the day (consent_recorded_on); not chosen between in a merge.
CONSENT_FIELDS = ("texts_allowed", "emails_allowed")

_TEXT_FIELDS = tuple(name for name in EDITABLE_FIELDS if name not in ("date_of_birth", *CONSENT_FIELDS))
_MULTILINE_FIELDS = ("correspondence_address", "vulnerability_notes", "health_notes")
_MAX_LENGTHS = {
    field.name: field.max_length
    for field in Person._meta.concrete_fields
    if field.name in EDITABLE_FIELDS and getattr(field, "max_length", None) and field.get_internal_type() == "CharField"
}
_LABELS = {
    "title": "Title",
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email address",
    "phone": "Phone number",
    "mobile": "Mobile number",
    "preferred_language": "Preferred language",
    "communication_adjustments": "Communication needs",
    "support_worker": "Support worker",
    "source_reference": "Reference in the housing management system",
}
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")


def phone_digits(phone: str) -> str:
    """A phone number as digits only, with the UK country code written as a leading 0 (+44 7700 900123, 0044 7700
    900123 and 07700 900123 are the same number). `selectors_people.phone_key` does the same in SQL."""
    compact = _PHONE_SEPARATORS.sub("", phone or "")
    if compact.startswith("+44"):
        compact = "0" + compact[3:]
    elif compact.startswith("0044"):
        compact = "0" + compact[4:]
    return re.sub(r"\D", "", compact)


def _phone_problem(phone: str) -> str | None:
    """UK numbers, checked loosely: digits, spaces, brackets and dashes, 10 or 11 digits starting 0 (or +44)."""
    if re.search(r"[^\d\s\-().+]", phone) or ("+" in phone and not phone.startswith("+")):
        return "Enter a phone number using only numbers, spaces and brackets, like 07700 900123 or 0117 496 0123"
    digits = phone_digits(phone)
    if phone.startswith("+") and not phone.startswith("+44"):
        return None  # an overseas number: accepted as typed
    if not digits.startswith("0") or len(digits) not in (10, 11):
        return "Enter a UK phone number with 10 or 11 digits, like 07700 900123 or 0117 496 0123"
    return None


def person_values_clean(values: dict) -> dict:
    """Trims and checks the given values (only those given). Raises one ValidationError naming every problem. The
    forms call this too, so a screen shows every problem at once."""
    cleaned: dict = {}
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        if name not in EDITABLE_FIELDS:
            raise ValidationError(f"'{name}' is not something that can be changed on a person.")
        if name == "date_of_birth":
            if value in ("", None):
                cleaned[name] = None
            elif not isinstance(value, date):
                errors.setdefault(name, []).append("Enter the date of birth as a date, for example 27 3 1980")
            elif value > date.today():
                errors.setdefault(name, []).append("Date of birth must be today or in the past")
            elif value.year < 1900:
                errors.setdefault(name, []).append("Date of birth must be after 1900")
            else:
                cleaned[name] = value
            continue
        if name in CONSENT_FIELDS:
            cleaned[name] = bool(value)
            continue
        text = "" if value is None else str(value)
        text = text.replace("\r\n", "\n").strip() if name in _MULTILINE_FIELDS else " ".join(text.split())
        limit = _MAX_LENGTHS.get(name)
        if limit and len(text) > limit:
            errors.setdefault(name, []).append(f"{_LABELS.get(name, name)} must be {limit} characters or fewer")
        cleaned[name] = text
    for name, label in (("first_name", "first name"), ("last_name", "last name")):
        if name in cleaned and not cleaned[name]:
            errors.setdefault(name, []).append(f"Enter the person's {label}")
    if cleaned.get("email"):
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            errors.setdefault("email", []).append("Enter an email address in the correct format, like name@example.com")
    if cleaned.get("phone"):
        problem = _phone_problem(cleaned["phone"])
        if problem:
            errors.setdefault("phone", []).append(problem)
    if cleaned.get("mobile"):
        try:
            cleaned["mobile"] = normalise_mobile(cleaned["mobile"])
        except ValidationError as error:
            errors.setdefault("mobile", []).extend(error.messages)
    if "preferred_contact" in cleaned:
        if not cleaned["preferred_contact"]:
            cleaned["preferred_contact"] = ContactChannel.LETTER
        elif cleaned["preferred_contact"] not in ContactChannel.values:
            errors.setdefault("preferred_contact", []).append(
                "Choose how the person prefers to be contacted: letter, email, phone call or text message"
            )
    if "preferred_language" in cleaned and not cleaned["preferred_language"]:
        cleaned["preferred_language"] = "English"
    if errors:
        raise ValidationError(errors)
    return cleaned


# History keeps a change reason as text (SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD); these bound what a
# person types so a history page stays readable.
REASON_LIMIT = 1000
MERGE_REASON_LIMIT = 500


def history_reason(text: str) -> str:
    """A change reason on one line, cut (marked with an ellipsis) past REASON_LIMIT."""
    text = " ".join((text or "").split())
    return text if len(text) <= REASON_LIMIT else text[: REASON_LIMIT - 1] + "…"


def _require_sensitive(by, fields: list[str]) -> None:
    if fields:
        staff_require(by, SENSITIVE_PERMISSION, "record or change vulnerability or health notes")


@transaction.atomic
def person_create(
    *,
    by,
    first_name: str,
    last_name: str,
    title: str = "",
    date_of_birth: date | None = None,
    email: str = "",
    phone: str = "",
    preferred_contact: str = ContactChannel.LETTER,
    correspondence_address: str = "",
    preferred_language: str = "English",
    communication_adjustments: str = "",
    support_worker: str = "",
    vulnerability_notes: str = "",
    health_notes: str = "",
    source_reference: str = "",
    mobile: str = "",
    texts_allowed: bool = False,
    emails_allowed: bool = False,
    mobile_confirmed: bool = False,
    reason: str = "",
) -> Person:
    """Adds a person (a tenant or licensee). Vulnerability and health notes need `incomeapp.view_sensitive_notes`."""
    staff_require(by, "tenancies.add_person", "add people")
    values = person_values_clean(
        {
            "title": title,
            "first_name": first_name,
            "last_name": last_name,
            "date_of_birth": date_of_birth,
            "email": email,
            "phone": phone,
            "preferred_contact": preferred_contact,
            "correspondence_address": correspondence_address,
            "preferred_language": preferred_language,
            "communication_adjustments": communication_adjustments,
            "support_worker": support_worker,
            "vulnerability_notes": vulnerability_notes,
            "health_notes": health_notes,
            "source_reference": source_reference,
            "mobile": mobile,
            "texts_allowed": texts_allowed,
            "emails_allowed": emails_allowed,
        }
    )
    _require_sensitive(by, [name for name in SENSITIVE_FIELDS if values[name]])
    person = Person(**values)
    if texts_allowed or emails_allowed:
        person.consent_recorded_on = timezone.localdate()
    person._history_user = by
    person._change_reason = history_reason(reason)
    person.save()
    return person


@transaction.atomic
def person_update(*, by, person: Person, reason: str = "", mobile_confirmed: bool = False, **changes) -> bool:
    """Changes the given fields of a person. Returns True when something changed; when nothing did, saves nothing and
    writes no history (the nightly sync relies on this). Changing vulnerability or health notes needs
    `incomeapp.view_sensitive_notes`; a merged record cannot be changed (change the record it was merged into).

    Texts and emails: changing consent records the day; changing the mobile number clears its "marked wrong" mark;
    `mobile_confirmed` (the officer checked the number marked wrong and it is right) clears the mark and lifts the
    wrong-number block on it, so texts go to it again."""
    staff_require(by, "tenancies.change_person", "change people's details")
    values = person_values_clean(changes)
    changed = [name for name, value in values.items() if getattr(person, name) != value]
    confirming = bool(mobile_confirmed and person.mobile_wrong_on and "mobile" not in changed and person.mobile)
    if not changed and not confirming:
        return False
    if person.merged_into_id:
        raise ValidationError("This record was merged into another one. Change the record it was merged into.")
    _require_sensitive(by, [name for name in changed if name in SENSITIVE_FIELDS])
    for name in changed:
        setattr(person, name, values[name])
    if any(name in CONSENT_FIELDS for name in changed):
        person.consent_recorded_on = timezone.localdate()
        changed.append("consent_recorded_on")
    if ("mobile" in changed or confirming) and person.mobile_wrong_on:
        person.mobile_wrong_on = None
        changed.append("mobile_wrong_on")
    if confirming:
        suppression_lift(
            address=mobile_or_blank(person.mobile),
            reason=SuppressionReason.WRONG,
            by=by,
            note=f"Checked and confirmed on {person.full_name}'s record.",
        )
    person._history_user = by
    person._change_reason = history_reason(reason or ("Mobile number confirmed as right" if confirming else ""))
    person.save(update_fields=[*changed, "updated_at"])
    return True


# The fields an officer chooses between when merging two records (the rest follow the kept record).
MERGE_FIELDS = tuple(name for name in EDITABLE_FIELDS if name not in ("source_reference", "mobile", *CONSENT_FIELDS))
# Notes fields an officer may keep both of (joined, the kept record's first).
MERGE_JOINABLE_FIELDS = ("communication_adjustments", "vulnerability_notes", "health_notes")


def _is_history_model(model) -> bool:
    """simple-history's historical tables record the past as it was: a merge does not rewrite them."""
    return model._meta.pk.name == "history_id"


def _person_references() -> list[tuple[type, object]]:
    """Every (model, foreign key) that points at Person, from any app, found from the model registry (so `tenancies`
    imports no higher app): arrears contacts, named tenants, records merged into this one, and any added later."""
    found: dict[tuple[str, str], tuple[type, object]] = {}
    for relation in Person._meta.get_fields(include_hidden=True):
        if not relation.is_relation or relation.concrete:
            continue
        if relation.many_to_many:
            through = relation.through
            for fk in through._meta.concrete_fields:
                if fk.is_relation and fk.related_model is Person:
                    found[(through._meta.label, fk.name)] = (through, fk)
            continue
        model = relation.related_model
        if _is_history_model(model):
            continue
        found[(model._meta.label, relation.field.name)] = (model, relation.field)
    return list(found.values())


def _unique_sets_with(model, fk) -> list[tuple[str, ...]]:
    """The unique field sets of `model` that include `fk` (a row moving to the kept person could clash on them)."""
    sets = []
    if fk.unique:
        sets.append((fk.name,))
    for constraint in model._meta.total_unique_constraints:
        if fk.name in constraint.fields:
            sets.append(tuple(constraint.fields))
    for together in model._meta.unique_together:
        if fk.name in together:
            sets.append(tuple(together))
    return sets


def _clashes(model, fk, keep: Person, duplicate: Person, fields: tuple[str, ...]) -> bool:
    """Whether moving the duplicate's rows to the kept person would break the unique field set `fields`."""
    others = [name for name in fields if name != fk.name]
    mine = model._base_manager.filter(**{fk.name: duplicate})
    theirs = model._base_manager.filter(**{fk.name: keep})
    if not others:
        return mine.exists() and theirs.exists()
    return bool(set(mine.values_list(*others)) & set(theirs.values_list(*others)))


def _move_named_tenancies(*, keep: Person, duplicate: Person) -> int:
    """Moves the duplicate's named-tenant rows to the kept person. Where both were named on the same tenancy, one row
    remains (the kept person's) and it is the lead if either was."""
    rows = list(TenancyTenant.every_row.select_for_update().filter(person__in=[keep, duplicate]))
    kept_rows = {row.tenancy_id: row for row in rows if row.person_id == keep.pk}
    moved = 0
    for row in rows:
        if row.person_id != duplicate.pk:
            continue
        both = kept_rows.get(row.tenancy_id)
        if both is None:
            row.person = keep
            row.save(update_fields=["person"])
        else:
            if row.is_lead and not both.is_lead:
                both.is_lead = True
                both.save(update_fields=["is_lead"])
            row.delete()
        moved += 1
    return moved


def _move_references(*, keep: Person, duplicate: Person, reason: str, by) -> dict[str, int]:
    """Repoints every row that points at the duplicate to the kept person; returns how many moved, by model name."""
    moved: dict[str, int] = {}
    for model, fk in _person_references():
        if model is TenancyTenant:
            count = _move_named_tenancies(keep=keep, duplicate=duplicate)
        else:
            rows = model._base_manager.filter(**{fk.name: duplicate})
            if any(_clashes(model, fk, keep, duplicate, fields) for fields in _unique_sets_with(model, fk)):
                raise ValidationError(
                    f"Both records have a {model._meta.verbose_name} that cannot be combined automatically. "
                    "Ask a system administrator to merge them."
                )
            if getattr(model._meta, "simple_history_manager_attribute", None):
                rows = list(rows.select_for_update())
                for row in rows:
                    setattr(row, fk.name, keep)
                    row._history_user = by
                    row._change_reason = reason
                    row.save(update_fields=[fk.name])
                count = len(rows)
            else:
                count = rows.update(**{fk.name: keep})
        if count:
            if model is TenancyTenant:
                name = "tenancy" if count == 1 else "tenancies"
            elif model is Person:
                name = "record merged in earlier" if count == 1 else "records merged in earlier"
            else:
                name = str(model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural)
            moved[name] = count
    return moved


@transaction.atomic
def person_merge(*, by, keep: Person, duplicate: Person, reason: str, values: dict | None = None) -> Person:
    """Merges `duplicate` into `keep`: every named tenancy, contact and other row pointing at the duplicate moves to
    the kept record (found generically from the model registry, so rows in higher apps follow too); where both were
    named on one tenancy one row remains, the lead if either was. `values`: the details the kept record should end up
    with where the two differ (the officer's choices); sensitive notes need `incomeapp.view_sensitive_notes`.

    The duplicate is not deleted: it gets `merged_into` and drops out of searches, choices and duplicates. Both
    records' history says what happened and why. Returns the kept record."""
    staff_require(by, "tenancies.merge_person", "merge people's records")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Enter why these two records are the same person"})
    if len(reason) > MERGE_REASON_LIMIT:
        raise ValidationError({"reason": f"Keep the reason to {MERGE_REASON_LIMIT} characters or fewer"})
    keep, duplicate = (
        Person.objects.select_for_update().get(pk=keep.pk),
        Person.objects.select_for_update().get(pk=duplicate.pk),
    )
    if keep.pk == duplicate.pk:
        raise ValidationError("A record cannot be merged into itself. Choose two different records.")
    if keep.merged_into_id:
        raise ValidationError(
            f"{keep.full_name}'s record was already merged into another one, so nothing can be merged into it. "
            "Merge into the record it was merged into."
        )
    if duplicate.merged_into_id:
        raise ValidationError(f"{duplicate.full_name}'s record was already merged into another one.")
    values = dict(values or {})
    unknown = set(values) - set(MERGE_FIELDS)
    if unknown:
        raise ValidationError(f"These cannot be chosen in a merge: {', '.join(sorted(unknown))}.")
    if not keep.source_reference and duplicate.source_reference:
        values["source_reference"] = duplicate.source_reference

    moved = _move_references(
        keep=keep, duplicate=duplicate, reason=history_reason(f"Merged into record {keep.pk}: {reason}"), by=by
    )
    keep_reason = history_reason(f"Merged in record {duplicate.pk} ({duplicate.full_name}): {reason}")
    if not person_update(by=by, person=keep, reason=keep_reason, **values):
        keep._history_user = by
        keep._change_reason = keep_reason
        keep.save(update_fields=["updated_at"])
    duplicate.merged_into = keep
    duplicate._history_user = by
    duplicate._change_reason = history_reason(f"Merged into record {keep.pk} ({keep.full_name}): {reason}")
    duplicate.save(update_fields=["merged_into", "updated_at"])
    keep.merge_moved = moved
    return keep
