"""Writes for homes: providers, schemes and their rent calendars, patches, properties and their charge schedules.

Managers only (`incomeapp.roles.HOMES_AND_RENTS`); `by=None` is the system (the data load, demo data). Every function
checks its input first and only then writes, in one transaction: a refusal (a ValidationError with plain-English
messages, keyed by field where there is one) never leaves half a change behind, and never spoils a caller's own
transaction, so the data load can call these thousands of times inside one transaction at no cost of savepoints.
`*_update` returns True when something changed and writes nothing (no history row) when nothing did.

Nothing a tenancy or ledger row points at is deleted: providers, schemes, patches and homes are retired on a date and
drop out of the choices offered for new work (`retired_on__isnull=True`), while history keeps them.
"""

import re
from collections import Counter
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from incomeapp.constants import Jurisdiction
from incomeapp.money import MoneyError, to_money
from incomeapp.roles import staff_require

from .constants import ChargeType, LandlordType, SchemeType
from .models import Patch, Property, PropertyCharge, Provider, RentFreeWeek, Scheme, Tenancy
from .selectors import charges_in_effect
from .selectors_homes import rent_year_end, rent_year_start
from .specs import ChargeSpec

POSTCODE = re.compile(r"^(GIR 0AA|[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2})$")
WORKLIST_PERMISSION = "incomeapp.use_worklist"
MAX_BEDROOMS = 30


def _writing():
    """The transaction each service writes in. Input is checked before it opens, so nothing raised inside is a
    refusal to recover from; without a savepoint a caller's surrounding transaction (a page, a data load) is used as
    is, and a database error inside rolls that whole transaction back, which is what the all-or-nothing load wants."""
    return transaction.atomic(savepoint=False)


def _day(value: date) -> str:
    return f"{value:%d/%m/%Y}"


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


def _retired_on_change(changes: dict) -> date | bool | None:
    """`retired_on` in an update: None brings a retired record back into use; a date goes through the retire checks."""
    return changes.pop("retired_on", False)


# --- providers -----------------------------------------------------------------------------------------------------

PROVIDER_LABELS = {
    "name": "provider's name",
    "landlord_type": "landlord type",
    "address": "landlord's address",
    "phone": "phone number",
    "email": "email address",
    "jurisdiction": "country (England or Wales)",
    "source_reference": "source reference",
}
PROVIDER_FIELDS = set(PROVIDER_LABELS)


def _provider_checked(values: dict, provider: Provider | None) -> dict:
    checks = _Checks(Provider, PROVIDER_LABELS)
    if "name" in values:
        name = checks.text(values, "name", required=True)
        clash = Provider.objects.filter(name__iexact=name)
        if provider is not None:
            clash = clash.exclude(pk=provider.pk)
        if name and (provider is None or name != provider.name) and clash.exists():
            checks.add("name", f"There is already a provider called {name}. Give this one a different name.")
    if "address" in values:
        address = values["address"] if values["address"] is not None else ""
        values["address"] = "\n".join(line.strip() for line in address.strip().splitlines() if line.strip())
        if not values["address"]:
            checks.add("address", "Enter the landlord's address, as it should appear on letters")
    for field in ("phone", "source_reference"):
        if field in values:
            checks.text(values, field)
    if "email" in values:
        email = checks.text(values, "email")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                checks.add("email", "Enter the email address in the right format, like income@example.org")
    if "landlord_type" in values:
        checks.choice(values, "landlord_type", LandlordType)
    if "jurisdiction" in values:
        checks.choice(values, "jurisdiction", Jurisdiction)
    checks.raise_any()
    return values


def provider_create(
    *,
    by,
    name: str,
    landlord_type: str,
    address: str,
    jurisdiction: str = Jurisdiction.ENGLAND,
    phone: str = "",
    email: str = "",
    source_reference: str = "",
) -> Provider:
    """A registered provider or council: the landlord on letters and notices."""
    staff_require(by, "tenancies.add_provider", "add a provider")
    values = _provider_checked(
        {
            "name": name,
            "landlord_type": landlord_type,
            "address": address,
            "jurisdiction": jurisdiction,
            "phone": phone,
            "email": email,
            "source_reference": source_reference,
        },
        None,
    )
    provider = Provider(**values)
    _by(provider, by)
    with _writing():
        provider.save()
    return provider


def provider_update(*, by, provider: Provider, **changes) -> bool:
    staff_require(by, "tenancies.change_provider", "change a provider")
    retired_on = _retired_on_change(changes)
    _unknown("provider", changes, PROVIDER_FIELDS)
    changed = _differences(provider, _provider_checked(changes, provider))
    if retired_on is not False:
        if retired_on is not None:
            _provider_retire_checks(provider)
        if provider.retired_on != retired_on:
            changed["retired_on"] = retired_on
    if not changed:
        return False
    _save_changes(provider, changed, by)
    return True


def _provider_retire_checks(provider: Provider) -> None:
    in_use = provider.schemes.filter(retired_on__isnull=True).count()
    if in_use:
        raise ValidationError(
            f"{provider} still has {in_use} scheme{'s' if in_use != 1 else ''} in use. Retire them, or move them to "
            "another provider, first."
        )


def provider_retire(*, by, provider: Provider, on: date) -> None:
    """Stops a provider being offered for new schemes. Refused while any of its schemes is still in use."""
    staff_require(by, "tenancies.change_provider", "retire a provider")
    if provider.retired_on == on:
        return
    _provider_retire_checks(provider)
    _save_changes(provider, {"retired_on": on}, by, reason=f"Retired on {_day(on)}")


# --- schemes and their rent calendars -------------------------------------------------------------------------------

SCHEME_LABELS = {
    "code": "scheme code",
    "name": "scheme name",
    "scheme_type": "scheme type",
    "provider": "provider",
    "source_reference": "source reference",
}
SCHEME_FIELDS = set(SCHEME_LABELS)


def _scheme_checked(values: dict, scheme: Scheme | None) -> dict:
    checks = _Checks(Scheme, SCHEME_LABELS)
    if "code" in values:
        code = checks.text(values, "code", required=True)
        clash = Scheme.objects.filter(code__iexact=code)
        if scheme is not None:
            clash = clash.exclude(pk=scheme.pk)
        if code and (scheme is None or code != scheme.code) and clash.exists():
            checks.add("code", f"Another scheme already has the code {code}. Give this one a different code.")
    if "name" in values:
        checks.text(values, "name", required=True)
    if "source_reference" in values:
        checks.text(values, "source_reference")
    if "scheme_type" in values:
        checks.choice(values, "scheme_type", SchemeType)
    if "provider" in values:
        provider = values["provider"]
        if provider is None:
            checks.add("provider", "Choose the provider that owns the scheme")
        elif scheme is None or scheme.provider_id != provider.pk:
            _not_retired(checks, "provider", provider, "scheme")
    checks.raise_any()
    return values


def scheme_create(
    *, by, code: str, name: str, scheme_type: str, provider: Provider, source_reference: str = ""
) -> Scheme:
    staff_require(by, "tenancies.add_scheme", "add a scheme")
    values = _scheme_checked(
        {
            "code": code,
            "name": name,
            "scheme_type": scheme_type,
            "provider": provider,
            "source_reference": source_reference,
        },
        None,
    )
    scheme = Scheme(**values)
    _by(scheme, by)
    with _writing():
        scheme.save()
    return scheme


def scheme_update(*, by, scheme: Scheme, **changes) -> bool:
    staff_require(by, "tenancies.change_scheme", "change a scheme")
    retired_on = _retired_on_change(changes)
    _unknown("scheme", changes, SCHEME_FIELDS)
    changed = _differences(scheme, _scheme_checked(changes, scheme))
    if retired_on is not False:
        if retired_on is not None:
            _scheme_retire_checks(scheme)
        if scheme.retired_on != retired_on:
            changed["retired_on"] = retired_on
    if not changed:
        return False
    _save_changes(scheme, changed, by)
    return True


def _scheme_retire_checks(scheme: Scheme) -> None:
    in_use = scheme.properties.filter(retired_on__isnull=True).count()
    if in_use:
        raise ValidationError(
            f"{scheme} still has {in_use} home{'s' if in_use != 1 else ''} in use. Retire them, or move them to "
            "another scheme, first."
        )


def scheme_retire(*, by, scheme: Scheme, on: date) -> None:
    """Stops a scheme being offered for new homes. Refused while any of its homes is still in use."""
    staff_require(by, "tenancies.change_scheme", "retire a scheme")
    if scheme.retired_on == on:
        return
    _scheme_retire_checks(scheme)
    _save_changes(scheme, {"retired_on": on}, by, reason=f"Retired on {_day(on)}")


def scheme_rent_free_weeks_set(*, by, scheme: Scheme, year_starting: date, weeks: list[date]) -> bool:
    """The rent-free weeks of one rent year (first Monday of April to the day before the next one), each given by its
    Monday; weeks of that year not listed become rent weeks again. A week that has started cannot be changed once a
    tenancy in the scheme was live in it (its rent has been charged, or not, already). No change: False."""
    staff_require(by, "tenancies.change_scheme", "change a scheme's rent-free weeks")
    start = rent_year_start(year_starting)
    if start != year_starting:
        raise ValidationError(
            {
                "year_starting": f"A rent year starts on the first Monday of April: the rent year around "
                f"{_day(year_starting)} starts on {_day(start)}."
            }
        )
    end = rent_year_end(start)
    wanted = set()
    problems = []
    for week in weeks:
        if week.weekday() != 0:
            problems.append(f"{_day(week)} is a {week:%A}: give the Monday each rent-free week starts on")
        elif not start <= week <= end:
            problems.append(f"The week commencing {_day(week)} is not in the rent year {_day(start)} to {_day(end)}")
        else:
            wanted.add(week)
    weeks_in_year = ((end - start).days + 1) // 7
    if len(wanted) >= weeks_in_year:
        problems.append(f"A rent year of {weeks_in_year} weeks needs at least one week with rent")
    if problems:
        raise ValidationError({"weeks": problems})
    current = set(
        scheme.rent_free_weeks.filter(week_commencing__range=(start, end)).values_list("week_commencing", flat=True)
    )
    if current == wanted:
        return False
    changed = current ^ wanted
    started = sorted(week for week in changed if week <= timezone.localdate())
    if started:
        charged = Q()
        for week in started:
            charged |= Q(start_date__lte=week + timedelta(days=6)) & (Q(end_date__isnull=True) | Q(end_date__gte=week))
        if Tenancy.objects.filter(charged, property__scheme=scheme).exists():
            raise ValidationError(
                {
                    "weeks": [
                        "Tenancies in this scheme have already been charged for the week commencing "
                        + ", ".join(_day(week) for week in started)
                        + ". Only weeks that have not started can be made rent-free or charged again."
                    ]
                }
            )
    added, removed = sorted(wanted - current), sorted(current - wanted)
    reason = f"Rent-free weeks for the rent year from {_day(start)}: " + (
        ", ".join(_day(week) for week in sorted(wanted)) or "none"
    )
    _by(scheme, by, reason)
    with _writing():
        if removed:
            scheme.rent_free_weeks.filter(week_commencing__in=removed).delete()
        RentFreeWeek.objects.bulk_create([RentFreeWeek(scheme=scheme, week_commencing=week) for week in added])
        # The calendar has no history of its own: a row in the scheme's history says who changed it, when, and to what.
        scheme.save(update_fields=["updated_at"])
    return True


# --- patches -------------------------------------------------------------------------------------------------------

PATCH_LABELS = {"name": "patch name", "officer": "officer", "source_reference": "source reference"}
PATCH_FIELDS = set(PATCH_LABELS)


def _patch_checked(values: dict, patch: Patch | None) -> dict:
    checks = _Checks(Patch, PATCH_LABELS)
    if "name" in values:
        name = checks.text(values, "name", required=True)
        clash = Patch.objects.filter(name__iexact=name)
        if patch is not None:
            clash = clash.exclude(pk=patch.pk)
        if name and (patch is None or name != patch.name) and clash.exists():
            checks.add("name", f"There is already a patch called {name}. Give this one a different name.")
    if "source_reference" in values:
        checks.text(values, "source_reference")
    officer = values.get("officer")
    if officer is not None and (patch is None or patch.officer_id != officer.pk):
        if not officer.is_active:
            checks.add("officer", f"{officer} cannot work a patch: their account is switched off.")
        elif not officer.has_perm(WORKLIST_PERMISSION):
            checks.add(
                "officer", f"{officer} cannot work a patch: their role has no arrears worklist. Choose an officer."
            )
    checks.raise_any()
    return values


def patch_create(*, by, name: str, officer=None, source_reference: str = "") -> Patch:
    """A group of homes worked by one income officer (who must be active and hold the arrears worklist)."""
    staff_require(by, "tenancies.add_patch", "add a patch")
    values = _patch_checked({"name": name, "officer": officer, "source_reference": source_reference}, None)
    patch = Patch(**values)
    _by(patch, by)
    with _writing():
        patch.save()
    return patch


def patch_update(*, by, patch: Patch, **changes) -> bool:
    staff_require(by, "tenancies.change_patch", "change a patch")
    retired_on = _retired_on_change(changes)
    _unknown("patch", changes, PATCH_FIELDS)
    changed = _differences(patch, _patch_checked(changes, patch))
    if retired_on is not False:
        if retired_on is not None:
            _patch_retire_checks(patch)
        if patch.retired_on != retired_on:
            changed["retired_on"] = retired_on
    if not changed:
        return False
    _save_changes(patch, changed, by)
    return True


def _patch_retire_checks(patch: Patch) -> None:
    in_use = patch.properties.filter(retired_on__isnull=True).count()
    if in_use:
        raise ValidationError(
            f"{patch} still has {in_use} home{'s' if in_use != 1 else ''} in use. Move them to another patch first."
        )


def patch_retire(*, by, patch: Patch, on: date) -> None:
    """Stops a patch being offered for homes. Refused while homes in use are still in it."""
    staff_require(by, "tenancies.change_patch", "retire a patch")
    if patch.retired_on == on:
        return
    _patch_retire_checks(patch)
    _save_changes(patch, {"retired_on": on}, by, reason=f"Retired on {_day(on)}")


# --- properties ----------------------------------------------------------------------------------------------------

PROPERTY_LABELS = {
    "address_line_1": "first line of the address",
    "address_line_2": "second line of the address",
    "town": "town or city",
    "postcode": "postcode",
    "scheme": "scheme",
    "patch": "patch",
    "uprn": "UPRN",
    "bedrooms": "number of bedrooms",
    "unit_label": "unit label",
    "parent": "building",
    "source_reference": "source reference",
}
PROPERTY_FIELDS = set(PROPERTY_LABELS)


def postcode_normalise(text: str) -> str:
    """'bs16ty' and ' BS1  6TY' both become 'BS1 6TY' (the inward code is always the last three characters)."""
    compact = re.sub(r"\s+", "", text or "").upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def _property_checked(values: dict, home: Property | None) -> dict:
    checks = _Checks(Property, PROPERTY_LABELS)
    for field, required in (
        ("address_line_1", True),
        ("address_line_2", False),
        ("town", True),
        ("unit_label", False),
        ("source_reference", False),
    ):
        if field in values:
            checks.text(values, field, required=required)
    if "postcode" in values:
        typed = (values["postcode"] or "").strip()
        values["postcode"] = postcode_normalise(typed)
        if not values["postcode"]:
            checks.add("postcode", "Enter the postcode")
        elif not POSTCODE.match(values["postcode"]):
            checks.add("postcode", f"{typed} is not a postcode. Enter a real postcode, like BS1 6TY")
    if "uprn" in values:
        uprn = checks.text(values, "uprn")
        if uprn and not uprn.isdigit():
            checks.add("uprn", "A UPRN is a number of up to 12 digits, like 100120012345")
    if "bedrooms" in values:
        bedrooms = values["bedrooms"]
        if bedrooms is not None and (isinstance(bedrooms, bool) or not isinstance(bedrooms, int)):
            checks.add("bedrooms", "Give the number of bedrooms as a whole number, like 2 (0 for a studio)")
        elif bedrooms is not None and not 0 <= bedrooms <= MAX_BEDROOMS:
            checks.add("bedrooms", f"Give the number of bedrooms from 0 (a studio) to {MAX_BEDROOMS}")
    if "scheme" in values:
        scheme = values["scheme"]
        if scheme is None:
            checks.add("scheme", "Choose the scheme the home belongs to")
        elif home is None or home.scheme_id != scheme.pk:
            _not_retired(checks, "scheme", scheme, "home")
    if values.get("patch") is not None and (home is None or home.patch_id != values["patch"].pk):
        _not_retired(checks, "patch", values["patch"], "home")
    parent = values.get("parent")
    if parent is not None and (home is None or home.parent_id != parent.pk):
        _not_retired(checks, "parent", parent, "unit")
        if home is not None and home.pk is not None:
            ancestor, seen = parent, 0
            while ancestor is not None and seen < 50:
                if ancestor.pk == home.pk:
                    checks.add("parent", "A home cannot be part of itself or of one of its own units")
                    break
                ancestor, seen = ancestor.parent, seen + 1
    checks.raise_any()
    return values


def property_create(
    *,
    by,
    address_line_1: str,
    town: str,
    postcode: str,
    scheme: Scheme,
    patch: Patch | None = None,
    uprn: str = "",
    bedrooms: int | None = None,
    unit_label: str = "",
    address_line_2: str = "",
    parent: Property | None = None,
    source_reference: str = "",
) -> Property:
    """A home: a house, a flat, or a unit (a room or flat) in a building (`parent`). Two queries: the home and its
    history row."""
    staff_require(by, "tenancies.add_property", "add a home")
    values = _property_checked(
        {
            "address_line_1": address_line_1,
            "address_line_2": address_line_2,
            "town": town,
            "postcode": postcode,
            "scheme": scheme,
            "patch": patch,
            "uprn": uprn,
            "bedrooms": bedrooms,
            "unit_label": unit_label,
            "parent": parent,
            "source_reference": source_reference,
        },
        None,
    )
    home = Property(**values)
    _by(home, by)
    with _writing():
        home.save()
    return home


def property_update(*, by, property: Property, **changes) -> bool:
    staff_require(by, "tenancies.change_property", "change a home")
    retired_on = _retired_on_change(changes)
    _unknown("property", changes, PROPERTY_FIELDS)
    changed = _differences(property, _property_checked(changes, property))
    if retired_on is not False:
        if retired_on is not None:
            _property_retire_checks(property, retired_on)
        if property.retired_on != retired_on:
            changed["retired_on"] = retired_on
    if not changed:
        return False
    _save_changes(property, changed, by)
    return True


def _property_retire_checks(home: Property, on: date) -> None:
    tenancy = home.tenancies.filter(Q(end_date__isnull=True) | Q(end_date__gte=on)).order_by("-start_date").first()
    if tenancy is not None and tenancy.end_date is None:
        raise ValidationError(
            f"This home has a current tenancy ({tenancy.payment_reference}), so it cannot be retired. End the "
            "tenancy first, then retire the home from the day after it ends."
        )
    if tenancy is not None:
        raise ValidationError(
            f"A tenancy of this home ({tenancy.payment_reference}) runs until {_day(tenancy.end_date)}. Retire the "
            f"home from {_day(tenancy.end_date + timedelta(days=1))} or later."
        )
    units = home.units.filter(retired_on__isnull=True).count()
    if units:
        raise ValidationError(
            f"This building still has {units} unit{'s' if units != 1 else ''} in use. Retire them first."
        )


def property_retire(*, by, property: Property, on: date) -> None:
    """Takes a home out of use from `on` (it stops counting as void that day). Refused while a tenancy runs on or after
    that day, or while units of the building are still in use."""
    staff_require(by, "tenancies.change_property", "retire a home")
    if property.retired_on == on:
        return
    _property_retire_checks(property, on)
    _save_changes(property, {"retired_on": on}, by, reason=f"Retired on {_day(on)}")


# --- a home's charge schedule --------------------------------------------------------------------------------------

COUNTS_AS_RENT_BY_DEFAULT = frozenset({ChargeType.RENT, ChargeType.ELIGIBLE_SERVICE})


def _charge_specs_checked(charges: list[ChargeSpec]) -> list[tuple[str, object, bool]]:
    problems = []
    specs = []
    for spec in charges:
        label = ChargeType(spec.charge_type).label if spec.charge_type in ChargeType.values else spec.charge_type
        if spec.charge_type not in ChargeType.values:
            problems.append(f"'{spec.charge_type}' is not a charge type: use one of {', '.join(ChargeType.values)}")
            continue
        try:
            amount = to_money(spec.amount)
        except (MoneyError, TypeError) as error:
            problems.append(f"{label}: {error}")
            continue
        if amount < 0:
            problems.append(f"{label}: a charge cannot be negative (it is {amount})")
            continue
        specs.append((spec.charge_type, amount, bool(spec.counts_as_rent)))
    repeated = [kind for kind, count in Counter(kind for kind, _, _ in specs).items() if count > 1]
    for kind in repeated:
        problems.append(f"{ChargeType(kind).label} is given more than once: give each charge once, as its weekly total")
    if problems:
        raise ValidationError({"charges": problems})
    return specs


def _protected_from_deletion(rows: list[PropertyCharge]) -> bool:
    """Whether anything (a rent change line, say) points at one of these rows and so stops it being removed."""
    for relation in PropertyCharge._meta.related_objects:
        if (
            relation.on_delete is models.PROTECT
            and relation.related_model._default_manager.filter(**{f"{relation.field.name}__in": rows}).exists()
        ):
            return True
    return False


def property_charges_set(*, by, property: Property, effective_from: date, charges: list[ChargeSpec]) -> bool:
    """A home's weekly charge schedule from `effective_from`: the charges in effect the day before end then, and these
    apply until the next change already scheduled (if any). Charges already set from the same day are replaced. The
    same charges as already in effect that day: nothing is written and False is returned.

    A new home's first schedule is three queries (read, insert, history)."""
    staff_require(by, "tenancies.add_propertycharge", "set a home's charges")
    specs = _charge_specs_checked(charges)
    if property.retired_on is not None and effective_from >= property.retired_on:
        raise ValidationError(
            {
                "effective_from": f"This home was retired on {_day(property.retired_on)}; charges cannot start "
                "after that."
            }
        )
    rows = list(PropertyCharge.objects.filter(property=property))
    in_effect = charges_in_effect(rows, effective_from)
    if sorted((r.charge_type, r.amount, r.counts_as_rent) for r in in_effect) == sorted(specs):
        return False
    later = [row.effective_from for row in rows if row.effective_from > effective_from]
    ends_on = min(later) - timedelta(days=1) if later else None
    same_day = {}
    for row in in_effect:
        if row.effective_from == effective_from:
            same_day.setdefault(row.charge_type, []).append(row)
    to_end = [row for row in in_effect if row.effective_from < effective_from]
    to_change, to_create = [], []
    for kind, amount, counts_as_rent in specs:
        if same_day.get(kind):
            row = same_day[kind].pop()
            row.amount, row.counts_as_rent, row.effective_to = amount, counts_as_rent, ends_on
            to_change.append(row)
        else:
            to_create.append(
                PropertyCharge(
                    property=property,
                    charge_type=kind,
                    amount=amount,
                    counts_as_rent=counts_as_rent,
                    effective_from=effective_from,
                    effective_to=ends_on,
                )
            )
    to_delete = [row for leftover in same_day.values() for row in leftover]
    if to_delete and _protected_from_deletion(to_delete):
        raise ValidationError(
            {
                "effective_from": f"Charges set from {_day(effective_from)} by a rent change run cannot be removed. "
                "Set the new charges from a later date."
            }
        )
    reason = f"Charges from {_day(effective_from)}"
    with _writing():
        for row in to_end:
            row.effective_to = effective_from - timedelta(days=1)
            _by(row, by, reason)
            row.save(update_fields=["effective_to", "updated_at"])
        for row in to_change:
            _by(row, by, reason)
            row.save(update_fields=["amount", "counts_as_rent", "effective_to", "updated_at"])
        for row in to_delete:
            _by(row, by, reason)
            row.delete()
        for row in to_create:
            _by(row, by, reason)
        if to_create:
            bulk_create_with_history(to_create, PropertyCharge, default_change_reason=reason)
    return True
