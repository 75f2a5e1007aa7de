"""Writes for providers: the registered providers and councils that are the landlord on letters and notices."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from incomeapp.constants import Jurisdiction
from incomeapp.roles import staff_require
from tenancies.constants import LandlordType
from tenancies.models import Provider

from .records import _Checks, _record_create, _record_retire, _record_update, _refuse_while_in_use

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
        checks.unique_text(
            values, "name", provider, "There is already a provider called {}. Give this one a different name."
        )
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
    return _record_create(Provider, values, by=by)


def provider_update(*, by, provider: Provider, **changes) -> bool:
    staff_require(by, "tenancies.change_provider", "change a provider")
    return _record_update(
        provider,
        changes,
        by=by,
        kind="provider",
        fields=PROVIDER_FIELDS,
        checked=_provider_checked,
        retire_checks=_provider_retire_checks,
    )


def _provider_retire_checks(provider: Provider, on: date) -> None:
    _refuse_while_in_use(
        provider.schemes,
        holder=str(provider),
        noun="scheme",
        next_step="Retire them, or move them to another provider, first.",
    )


def provider_retire(*, by, provider: Provider, on: date) -> None:
    """Stops a provider being offered for new schemes. Refused while any of its schemes is still in use."""
    staff_require(by, "tenancies.change_provider", "retire a provider")
    _record_retire(provider, on, by=by, retire_checks=_provider_retire_checks)
