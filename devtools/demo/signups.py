"""The demo tenancies, signed up through the front door as the system (`by=None`): a home each (rooms in shared
buildings for the supported schemes), its people (`tenancies.services_people.person_create`), the tenancy with its
direct debit and benefit claim (`lifecycle.signup.tenancy_sign_up`, no letters), each April's rent rise
(`lifecycle.charges.tenancy_charges_change`) and the leavers (`lifecycle.ending.tenancy_end`). Each tenancy gets a
payment profile (`PROFILES`), which its payments follow."""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from faker import Faker

from arrears.constants import Benefit, ClaimStatus
from incomeapp.money import ZERO, apportion
from lifecycle.charges import tenancy_charges_change
from lifecycle.ending import tenancy_end
from lifecycle.signup import sign_up_charges_default, tenancy_sign_up
from tenancies.constants import (
    LICENCE_TENURES,
    ContactChannel,
    EndReason,
    LicenceBasis,
    PaymentMethod,
    RentPeriod,
    SchemeType,
    TenancyEventKind,
)
from tenancies.models import Person, Property, Tenancy
from tenancies.selectors import weekly_equivalent
from tenancies.services_homes import property_create
from tenancies.services_people import person_create
from tenancies.specs import ChargeSpec

from .homes import SCHEMES, SchemePlan, _home_charges, _one_line, _structure, rent_rise_dates

PROFILES = (
    ("regular", 44),
    ("housing_benefit", 18),
    ("universal_credit", 18),
    ("late", 12),
    ("in_credit", 4),
    ("leaver", 4),
)
END_REASONS = (EndReason.TENANTS_NOTICE, EndReason.TENANTS_NOTICE, EndReason.ABANDONMENT, EndReason.EVICTION)


@dataclass
class DemoTenancy:
    """One demo tenancy as planned and then made: its home's weekly charges today, how its tenant pays."""

    tenancy: Tenancy
    profile: str
    benefit_share: int = 100  # per cent of the charges Housing Benefit pays
    end: date | None = None
    end_reason: str = ""


@dataclass
class Made:
    tenancies: list[DemoTenancy] = field(default_factory=list)
    people: int = 0
    homes: int = 0
    rent_changes: int = 0
    ended: int = 0


def _person(rng: random.Random, fake: Faker, surname: str | None = None) -> Person:
    channel = rng.choice(
        [ContactChannel.LETTER, ContactChannel.LETTER, ContactChannel.PHONE, ContactChannel.SMS, ContactChannel.EMAIL]
    )
    first = fake.first_name()
    last = surname or fake.last_name()
    adjustments = rng.choice(
        [
            "",
            "",
            "",
            "",
            "",
            "Large print letters",
            "Easy read letters",
            "Call after 11am",
            "Interpreter: Polish",
            "Text before visiting",
        ]
    )
    return person_create(
        by=None,
        title=rng.choice(["", "Mr", "Ms", "Mrs", "Mx"]),
        first_name=first,
        last_name=last,
        date_of_birth=date(rng.randint(1948, 2005), rng.randint(1, 12), rng.randint(1, 28)),
        email=f"{first}.{last}@example.org".lower().replace(" ", "") if channel == ContactChannel.EMAIL else "",
        phone=(phone := f"07700 9{rng.randint(0, 99999):05d}" if rng.random() < 0.8 else ""),
        # Most tenants give a mobile; about three in five agree to texts about their account (docs/messaging.md).
        # Decided from the number, so the demo's other random choices stay as they were.
        mobile=phone,
        texts_allowed=bool(phone) and (channel == ContactChannel.SMS or int(phone[-1]) < 6),
        emails_allowed=channel == ContactChannel.EMAIL,
        preferred_contact=channel,
        preferred_language="Polish" if adjustments == "Interpreter: Polish" else "English",
        communication_adjustments=adjustments,
        support_worker="Sam Ellery, Harbour support team, 0117 496 0456" if rng.random() < 0.15 else "",
        vulnerability_notes="Mental-health support in place; contact through support worker first."
        if rng.random() < 0.08
        else "",
    )


def _period(rng: random.Random, plan: SchemePlan, profile: str) -> str:
    period = RentPeriod.WEEKLY
    roll = rng.random()
    if plan.scheme_type == SchemeType.GENERAL_NEEDS and roll < 0.1:
        period = RentPeriod.MONTHLY
    elif roll < 0.14:
        period = RentPeriod.FORTNIGHTLY
    elif roll < 0.17:
        period = RentPeriod.FOUR_WEEKLY
    if profile == "universal_credit" and rng.random() < 0.5:
        period = RentPeriod.MONTHLY
    return period


def _method(rng: random.Random, profile: str) -> str:
    return {
        "regular": lambda: rng.choice(
            [PaymentMethod.DIRECT_DEBIT, PaymentMethod.DIRECT_DEBIT, PaymentMethod.STANDING_ORDER]
        ),
        "housing_benefit": lambda: PaymentMethod.HOUSING_BENEFIT,
        "universal_credit": lambda: PaymentMethod.UNIVERSAL_CREDIT,
        "late": lambda: rng.choice([PaymentMethod.ALLPAY, PaymentMethod.CARD, PaymentMethod.CASH]),
        "in_credit": lambda: PaymentMethod.STANDING_ORDER,
        "leaver": lambda: rng.choice([PaymentMethod.CARD, PaymentMethod.BANK_TRANSFER]),
    }[profile]()


def _benefit_claim(profile: str, share: int, charges: list[ChargeSpec], period: str, start: date) -> dict | None:
    """The claim a benefit payer made, recorded at sign-up (so waiting for it is technical arrears, not real)."""
    if profile not in ("housing_benefit", "universal_credit"):
        return None
    eligible = weekly_equivalent(sum((c.amount for c in charges if c.counts_as_rent), ZERO), period)
    return {
        "benefit": Benefit.HOUSING_BENEFIT if profile == "housing_benefit" else Benefit.UNIVERSAL_CREDIT,
        "status": ClaimStatus.IN_PAYMENT,
        "weekly_amount": apportion(eligible, share, 100),
        "paid_to_landlord": True,
        "evidence_complete": True,
        "started_on": start,
    }


@transaction.atomic
def _front_door(rng: random.Random, fake: Faker, count: int, history_start: date, today: date) -> Made:
    """Everything a landlord enters, through the services, before any rent run."""
    schemes, patches = _structure(history_start, today)
    rises = rent_rise_dates(today)
    made = Made()
    profile_names = [name for name, weight in PROFILES for _ in range(weight)]
    buildings: dict[str, Property] = {}
    for n in range(count):
        plan = SCHEMES[n % len(SCHEMES)] if n % 3 else SCHEMES[0]
        scheme, patch = schemes[plan.code], patches[plan.patch]
        parent = None
        if plan.rooms:
            building_key = f"{plan.code}{n // 12}"
            if building_key not in buildings:
                buildings[building_key] = property_create(
                    by=None,
                    uprn=str(10000000000 + n),
                    address_line_1=_one_line(fake.street_address()),
                    town="Bristol",
                    postcode=fake.postcode(),
                    scheme=scheme,
                    patch=patch,
                )
                made.homes += 1
            parent = buildings[building_key]
        home = property_create(
            by=None,
            uprn=str(20000000000 + n),
            parent=parent,
            unit_label=f"Room {n % 12 + 1}" if parent else (f"Flat {rng.randint(1, 24)}" if rng.random() < 0.4 else ""),
            address_line_1=parent.address_line_1 if parent else _one_line(fake.street_address()),
            town=parent.town if parent else rng.choice(["Bristol", "Bristol", "Riverside", "Portishead"]),
            postcode=parent.postcode if parent else fake.postcode(),
            scheme=scheme,
            patch=patch,
            bedrooms=1 if parent else rng.choice([1, 1, 2, 2, 2, 3, 3, 4]),
        )
        made.homes += 1
        # Every 25th tenancy has left owing, so even a small demo shows former tenant arrears.
        profile = "leaver" if n % 25 == 7 else profile_names[rng.randrange(len(profile_names))]
        period = _period(rng, plan, profile)
        starts_in_window = rng.random() < 0.18
        start = (
            history_start + timedelta(days=rng.randint(7, 500))
            if starts_in_window
            else date(rng.randint(2012, history_start.year - 1), rng.randint(1, 12), rng.randint(1, 28))
        )
        _home_charges(home, plan, rng, start, rises)
        end = None
        if profile == "leaver":
            end = min(today - timedelta(days=rng.randint(14, 300)), max(start, history_start) + timedelta(days=200))
            end = max(end, start + timedelta(days=90))  # a stay of three months at least, and over before today
            end = min(end, today - timedelta(days=14))
        method = _method(rng, profile)
        tenure = rng.choice(plan.tenures)
        people = [_person(rng, fake)]
        if plan.scheme_type == SchemeType.GENERAL_NEEDS and rng.random() < 0.18:
            people.append(_person(rng, fake, surname=people[0].last_name if rng.random() < 0.6 else None))
        made.people += len(people)
        share = 100 if rng.random() < 0.6 else 80
        charges = sign_up_charges_default(property=home, rent_period=period, on=start)
        mandate = None
        if method == PaymentMethod.DIRECT_DEBIT:
            mandate = {"reference": f"HH-DD-{n + 1:06d}", "collection_day": min(start.day, 28), "start_date": start}
        signed = tenancy_sign_up(
            by=None,
            property=home,
            tenure_type=tenure,
            start_date=start,
            tenants=people,
            rent_period=period,
            charges=charges,
            payment_method=method,
            licence_basis=LicenceBasis.SUPPORT_LINKED if tenure in LICENCE_TENURES else "",
            payment_reference=f"RW{n + 1:06d}",
            mandate=mandate,
            benefit_claim=_benefit_claim(profile, share, charges, period, start),
            send_letters=False,
        )
        tenancy = signed.tenancy
        for rise in rises:
            if rise > start and (end is None or rise <= end):
                tenancy_charges_change(
                    by=None,
                    tenancy=tenancy,
                    effective_from=rise,
                    charges=sign_up_charges_default(property=home, rent_period=period, on=rise),
                    reason=f"Annual rent change from {rise:%-d %B %Y}",
                    event_kind=TenancyEventKind.RENT_CHANGE,
                )
                made.rent_changes += 1
        demo = DemoTenancy(tenancy=tenancy, profile=profile, benefit_share=share, end=end)
        if end is not None:
            demo.end_reason = rng.choice(END_REASONS)
            tenancy_end(
                by=None,
                tenancy=tenancy,
                last_day=end,
                reason=demo.end_reason,
                forwarding_address=_forwarding(fake) if demo.end_reason == EndReason.TENANTS_NOTICE else "",
            )
            demo.tenancy.refresh_from_db()
            made.ended += 1
        made.tenancies.append(demo)
    return made


def _forwarding(fake: Faker) -> str:
    return f"{_one_line(fake.street_address())}\nBristol\n{fake.postcode()}"
