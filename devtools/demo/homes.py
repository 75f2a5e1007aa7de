"""The demo landlords as entered through the front door: two providers, their patches (with the demo officers),
the schemes and their rent-free weeks, and each home's weekly charge schedule from its tenancy's start, up each April
(`tenancies.services_homes`)."""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model

from incomeapp.money import apportion, to_money
from rentaccounts.charging import monday_of
from tenancies.constants import ChargeType, LandlordType, SchemeType, TenureType
from tenancies.models import Property, StaffScope
from tenancies.selectors_homes import rent_year_start
from tenancies.services_homes import (
    patch_create,
    property_charges_set,
    provider_create,
    scheme_create,
    scheme_rent_free_weeks_set,
)
from tenancies.specs import ChargeSpec

DEMO_PROVIDER = "Harbour Housing Trust"
RENT_INCREASES_PER_MILLE = (1027, 1048)  # rent rises each April of the two years shown: 2.7% then 4.8%


@dataclass(frozen=True)
class SchemePlan:
    code: str
    name: str
    scheme_type: str
    provider: str
    tenures: tuple[str, ...]
    rent_range: tuple[int, int]
    service_range: tuple[int, int]
    support_range: tuple[int, int] | None
    rooms: bool
    patch: str


SCHEMES = (
    SchemePlan(
        "HGN",
        "Harbour general needs",
        SchemeType.GENERAL_NEEDS,
        DEMO_PROVIDER,
        (TenureType.ASSURED, TenureType.ASSURED, TenureType.ASSURED, TenureType.AST),
        (92, 138),
        (4, 18),
        None,
        False,
        "Harbour North",
    ),
    SchemePlan(
        "QSS",
        "Quay Street shared houses",
        SchemeType.SUPPORTED,
        DEMO_PROVIDER,
        (TenureType.LICENCE, TenureType.AST),
        (88, 110),
        (18, 32),
        (25, 45),
        True,
        "Supported housing",
    ),
    SchemePlan(
        "MLM",
        "Marsh Lane mental-health service",
        SchemeType.SUPPORTED,
        DEMO_PROVIDER,
        (TenureType.AST, TenureType.LICENCE),
        (95, 120),
        (20, 35),
        (30, 60),
        True,
        "Supported housing",
    ),
    SchemePlan(
        "HTA",
        "Harbour temporary accommodation",
        SchemeType.TEMPORARY,
        DEMO_PROVIDER,
        (TenureType.EXCL_LICENCE,),
        (110, 150),
        (10, 20),
        None,
        True,
        "Supported housing",
    ),
    SchemePlan(
        "RBC",
        "Riverside Borough homes",
        SchemeType.GENERAL_NEEDS,
        "Riverside Borough Council",
        (TenureType.SECURE, TenureType.SECURE, TenureType.SECURE, TenureType.INTRO),
        (85, 125),
        (3, 12),
        None,
        False,
        "Riverside South",
    ),
)
PROVIDERS = {
    DEMO_PROVIDER: {
        "landlord_type": LandlordType.PRIVATE_REGISTERED_PROVIDER,
        "address": "Harbour Housing Trust\n2 Wapping Wharf\nBristol\nBS1 6UD",
        "phone": "0117 496 0123",
        "email": "income@harbourhousing.example",
    },
    "Riverside Borough Council": {
        "landlord_type": LandlordType.LOCAL_AUTHORITY,
        "address": "Riverside Borough Council\nCivic Centre\nRiverside\nRV1 1AA",
    },
}
PATCHES = (("Harbour North", "officer"), ("Supported housing", "senior"), ("Riverside South", "officer"))
RENT_FREE_SCHEMES = ("HGN", "RBC")  # general-needs tenants have two rent-free weeks at Christmas (50-week year)


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return to_money(Decimal(rng.randint(low * 100, high * 100)) / 100)


def rent_rise_dates(today: date) -> list[date]:
    """The first Monday of April in each of the last two rent years (when rents go up), up to today."""
    return [
        start
        for start in (rent_year_start(date(year, 4, 30)) for year in (today.year - 1, today.year))
        if start <= today
    ]


def _one_line(text: str) -> str:
    return ", ".join(part.strip() for part in text.splitlines() if part.strip())


def _structure(history_start: date, today: date) -> tuple[dict, dict]:
    """Providers, patches (with the demo officers, when they exist), schemes and their rent-free weeks."""
    User = get_user_model()
    officers = {user.username: user for user in User.objects.filter(username__in=["officer", "senior"])}
    providers = {name: provider_create(by=None, name=name, **details) for name, details in PROVIDERS.items()}
    patches = {name: patch_create(by=None, name=name, officer=officers.get(officer)) for name, officer in PATCHES}
    schemes = {
        plan.code: scheme_create(
            by=None, code=plan.code, name=plan.name, scheme_type=plan.scheme_type, provider=providers[plan.provider]
        )
        for plan in SCHEMES
    }
    # The demo support worker supports the supported-housing schemes, and sees only their tenancies (docs/security.md:
    # a support worker with no scope sees none). Made as Admin's "Tenancies seen" rows are.
    support = User.objects.filter(username="support").first()
    if support is not None:
        for plan in SCHEMES:
            if plan.scheme_type == SchemeType.SUPPORTED:
                StaffScope.objects.get_or_create(user=support, scheme=schemes[plan.code])
    # Christmas week and the week after, in each rent year from the history's start to next Christmas.
    for code in RENT_FREE_SCHEMES:
        for year in range(history_start.year, today.year + 1):
            christmas_week = monday_of(date(year, 12, 25))
            scheme_rent_free_weeks_set(
                by=None,
                scheme=schemes[code],
                year_starting=rent_year_start(christmas_week),
                weeks=[christmas_week, christmas_week + timedelta(days=7)],
            )
    return schemes, patches


def _weekly_before(weekly_now: Decimal, rises_to_come: int) -> Decimal:
    """Today's weekly amount worked back through the April rises still to come after a day."""
    weekly = weekly_now
    if rises_to_come:
        for per_mille in reversed(RENT_INCREASES_PER_MILLE[-rises_to_come:]):
            weekly = apportion(weekly, 1000, per_mille)
    return weekly


def _home_charges(home: Property, plan: SchemePlan, rng: random.Random, start: date, rises: list[date]) -> None:
    """The home's weekly charge schedule: rent and service charge (rent for possession purposes) and any support
    charge (not rent), from the tenancy's start, up each April. Today's amounts are drawn; earlier ones worked back."""
    today_amounts = [(ChargeType.RENT, _money(rng, *plan.rent_range), True)]
    today_amounts.append((ChargeType.ELIGIBLE_SERVICE, _money(rng, *plan.service_range), True))
    if plan.support_range:
        today_amounts.append((ChargeType.SUPPORT, _money(rng, *plan.support_range), False))
    boundaries = [start] + [day for day in rises if day > start]
    for index, day in enumerate(boundaries):
        to_come = len(boundaries) - 1 - index
        property_charges_set(
            by=None,
            property=home,
            effective_from=day,
            charges=[
                ChargeSpec(kind, _weekly_before(amount, to_come), counts) for kind, amount, counts in today_amounts
            ],
        )
