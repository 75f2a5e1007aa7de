"""Writes for properties (homes): a house, a flat, or a unit in a building, with its address, scheme and patch."""

import re
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q

from incomeapp.roles import staff_require
from tenancies.models import Patch, Property, Scheme

from .records import _Checks, _day, _not_retired, _record_create, _record_retire, _record_update, _refuse_while_in_use

POSTCODE = re.compile(r"^(GIR 0AA|[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2})$")
MAX_BEDROOMS = 30

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
    return _record_create(Property, values, by=by)


def property_update(*, by, property: Property, **changes) -> bool:
    staff_require(by, "tenancies.change_property", "change a home")
    return _record_update(
        property,
        changes,
        by=by,
        kind="property",
        fields=PROPERTY_FIELDS,
        checked=_property_checked,
        retire_checks=_property_retire_checks,
    )


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
    _refuse_while_in_use(home.units, holder="This building", noun="unit", next_step="Retire them first.")


def property_retire(*, by, property: Property, on: date) -> None:
    """Takes a home out of use from `on` (it stops counting as void that day). Refused while a tenancy runs on or after
    that day, or while units of the building are still in use."""
    staff_require(by, "tenancies.change_property", "retire a home")
    _record_retire(property, on, by=by, retire_checks=_property_retire_checks)
