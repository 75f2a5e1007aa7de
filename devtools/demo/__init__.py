"""Demo data: two landlords, several schemes and tenures, and two years of realistic account history to today.

Everything a landlord would enter comes through the front door, the services behind the screens, as the system
(`by=None`): providers, patches, schemes and their rent-free weeks, homes and their weekly charge schedules
(`tenancies.services_homes`); people (`tenancies.services_people.person_create`); tenancies
(`lifecycle.signup.tenancy_sign_up`, with their direct debits and benefit claims, no letters); each April's rent rise
(`lifecycle.charges.tenancy_charges_change`); and the leavers (`lifecycle.ending.tenancy_end`). Only then does the
ledger history run: a rent run for every week of the two years, and the payments. The order matters: the services
refuse a back-dated change before the last rent run, so the structure and the lifecycle events come first.

Deterministic (fixed seeds), so every demo looks the same; loaded once (a second run sees it and stops).
Payment profiles: regular direct debit or standing order payers, Housing Benefit (4-weekly in arrears), Universal
Credit managed payments (monthly, some with deductions towards arrears), late and irregular payers (some over 8 weeks
in arrears), a few in credit, and former tenancies that left owing.

The parts: `homes` (the landlords, schemes, patches, homes and their charges), `signups` (the people and tenancies,
rent rises and leavers), `payments` (each payment profile's postings) and `seed` (`demo_seed`, which runs them in that
order and then the rent runs, and `demo_loaded`).
"""

from .homes import DEMO_PROVIDER, RENT_INCREASES_PER_MILLE, rent_rise_dates
from .seed import demo_loaded, demo_seed

__all__ = ["DEMO_PROVIDER", "RENT_INCREASES_PER_MILLE", "demo_loaded", "demo_seed", "rent_rise_dates"]
