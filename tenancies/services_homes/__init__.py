"""Writes for homes: providers, schemes and their rent calendars, patches, properties and their charge schedules.

Managers only (`incomeapp.roles.HOMES_AND_RENTS`); `by=None` is the system (the data load, demo data). Every function
checks its input first and only then writes, in one transaction: a refusal (a ValidationError with plain-English
messages, keyed by field where there is one) never leaves half a change behind, and never spoils a caller's own
transaction, so the data load can call these thousands of times inside one transaction at no cost of savepoints.
`*_update` returns True when something changed and writes nothing (no history row) when nothing did.

Nothing a tenancy or ledger row points at is deleted: providers, schemes, patches and homes are retired on a date and
drop out of the choices offered for new work (`retired_on__isnull=True`), while history keeps them.

In parts: `records` (checking input, the one transaction each write runs in, and changing or retiring any of these
records), `providers`, `schemes` (with their rent-free weeks), `patches`, `properties` (homes, and their postcodes) and
`charges` (a home's charge schedule). Every name is here too, as callers have always imported them from here.
"""

from .charges import COUNTS_AS_RENT_BY_DEFAULT, property_charges_set
from .patches import PATCH_FIELDS, PATCH_LABELS, WORKLIST_PERMISSION, patch_create, patch_retire, patch_update
from .properties import (
    MAX_BEDROOMS,
    POSTCODE,
    PROPERTY_FIELDS,
    PROPERTY_LABELS,
    postcode_normalise,
    property_create,
    property_retire,
    property_update,
)
from .providers import PROVIDER_FIELDS, PROVIDER_LABELS, provider_create, provider_retire, provider_update
from .schemes import (
    SCHEME_FIELDS,
    SCHEME_LABELS,
    scheme_create,
    scheme_rent_free_weeks_set,
    scheme_retire,
    scheme_update,
)

__all__ = [
    "COUNTS_AS_RENT_BY_DEFAULT",
    "MAX_BEDROOMS",
    "PATCH_FIELDS",
    "PATCH_LABELS",
    "POSTCODE",
    "PROPERTY_FIELDS",
    "PROPERTY_LABELS",
    "PROVIDER_FIELDS",
    "PROVIDER_LABELS",
    "SCHEME_FIELDS",
    "SCHEME_LABELS",
    "WORKLIST_PERMISSION",
    "patch_create",
    "patch_retire",
    "patch_update",
    "postcode_normalise",
    "property_charges_set",
    "property_create",
    "property_retire",
    "property_update",
    "provider_create",
    "provider_retire",
    "provider_update",
    "scheme_create",
    "scheme_rent_free_weeks_set",
    "scheme_retire",
    "scheme_update",
]
