"""Homes (namespace `homes`): homes, schemes and their rent-free weeks, patches, providers, and voids. Thin views: the
services (`services_homes`) decide and check; the selectors (`selectors_homes`) read. The area is the managers' (the
permission of its navigation item, `tenancies.change_property`); each change also needs its own permission.

In parts: `pages` (what every Homes page shares), `properties` (the homes list, a home's page and its charges),
`retiring` (retiring any of them, or bringing one back), `schemes` (with their rent-free weeks),
`patches_and_providers` and `voids`. Every view is here too, for `urls_homes`.
"""

from .pages import VIEW
from .patches_and_providers import patch_add, patch_change, patches, provider_add, provider_change, providers
from .properties import index, property_add, property_change, property_charges, property_page
from .retiring import RETIRING, retire
from .schemes import scheme_add, scheme_change, scheme_page, scheme_rent_free_weeks, schemes
from .voids import VOID_ORDERS, voids

__all__ = [
    "RETIRING",
    "VIEW",
    "VOID_ORDERS",
    "index",
    "patch_add",
    "patch_change",
    "patches",
    "property_add",
    "property_change",
    "property_charges",
    "property_page",
    "provider_add",
    "provider_change",
    "providers",
    "retire",
    "scheme_add",
    "scheme_change",
    "scheme_page",
    "scheme_rent_free_weeks",
    "schemes",
    "voids",
]
