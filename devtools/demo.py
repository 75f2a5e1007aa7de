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
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from faker import Faker

from arrears.constants import Benefit, BreathingSpaceKind, ClaimStatus
from arrears.services import breathing_space_record
from incomeapp.money import ZERO, apportion, to_money
from lifecycle.charges import tenancy_charges_change
from lifecycle.ending import tenancy_end
from lifecycle.signup import sign_up_charges_default, tenancy_sign_up
from rentaccounts.charging import monday_of
from rentaccounts.constants import AccountKind, TransactionType
from rentaccounts.models import Account
from rentaccounts.services import Posting, rent_debits_post, transactions_post
from tenancies.constants import (
    LICENCE_TENURES,
    ChargeType,
    ContactChannel,
    EndReason,
    LandlordType,
    LicenceBasis,
    PaymentMethod,
    RentPeriod,
    SchemeType,
    TenancyEventKind,
    TenancyStatus,
    TenureType,
)
from tenancies.models import Person, Property, Provider, StaffScope, Tenancy
from tenancies.selectors import weekly_equivalent
from tenancies.selectors_homes import rent_year_start
from tenancies.services_homes import (
    patch_create,
    property_charges_set,
    property_create,
    provider_create,
    scheme_create,
    scheme_rent_free_weeks_set,
)
from tenancies.services_people import person_create
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


def demo_loaded() -> bool:
    return Provider.objects.filter(name=DEMO_PROVIDER).exists()


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
        phone=f"07700 9{rng.randint(0, 99999):05d}" if rng.random() < 0.8 else "",
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


def _payments(rng: random.Random, demo: DemoTenancy, history_start: date, today: date) -> list[Posting]:
    tenancy = demo.tenancy
    account_id = tenancy.accounts.get(kind=AccountKind.RENT).pk
    charges = list(tenancy.charges.all())
    profile = demo.profile
    first = max(history_start, tenancy.start_date)
    last = min(today, tenancy.end_date) if tenancy.end_date else today
    postings: list[Posting] = []

    rent_free = set(tenancy.property.scheme.rent_free_weeks.values_list("week_commencing", flat=True))

    def weekly_due(on: date) -> Decimal:
        """All charges in effect on the day, as a weekly figure: what a tenant who keeps up pays."""
        if tenancy.rent_period != RentPeriod.MONTHLY and monday_of(on) in rent_free:
            return ZERO
        in_effect = [c for c in charges if c.effective_from <= on and (c.effective_to is None or c.effective_to >= on)]
        return weekly_equivalent(sum((c.amount for c in in_effect), ZERO), tenancy.rent_period)

    def pay(on: date, amount: Decimal, kind=TransactionType.PAYMENT, method="", **extra):
        if amount > 0 and on <= today:
            key = f"demo:{tenancy.payment_reference}:{len(postings)}"
            postings.append(Posting(account_id, kind, -amount, on, key, payment_method=method, **extra))

    # Direct debits and standing orders are collected on the day rent is due; others pay later in the week.
    day = first if profile in ("regular", "in_credit") else first + timedelta(days=3)
    if profile in ("regular", "in_credit", "late", "leaver"):
        monthly = tenancy.rent_period == RentPeriod.MONTHLY
        percent = {"regular": 100, "in_credit": 105, "late": 100, "leaver": 85}[profile]
        stop = last - timedelta(days=rng.randint(30, 90)) if profile == "leaver" else last
        weeks = 0
        while day <= stop:
            amount = apportion(apportion(weekly_due(day), 52, 12) if monthly else weekly_due(day), percent, 100)
            if profile == "late" and rng.random() < 0.12:
                amount = ZERO  # a missed payment
            elif profile == "late" and weeks % 13 == 12 and rng.random() < 0.5:
                amount *= 2  # catching up after a reminder
            pay(day, amount, method=tenancy.payment_method)
            day = _next_month(day) if monthly else day + timedelta(days=7)
            weeks += 1
    elif profile == "housing_benefit":
        while day + timedelta(days=28) <= last:
            period_end = day + timedelta(days=27)
            due = weekly_due(day) * 4
            benefit = apportion(due, demo.benefit_share, 100)
            pay(
                period_end + timedelta(days=2),
                benefit,
                TransactionType.HOUSING_BENEFIT,
                PaymentMethod.HOUSING_BENEFIT,
                period_start=day,
                period_end=period_end,
            )
            if rng.random() < 0.85:
                pay(period_end + timedelta(days=3), due - benefit, method=PaymentMethod.CARD)
            day += timedelta(days=28)
    else:  # Universal Credit: monthly in arrears, some with a deduction towards arrears
        deduction = to_money(rng.choice(["0.00", "0.00", "18.40", "27.55"]))
        while day + timedelta(days=35) <= last:
            period_end = day + timedelta(days=30)
            paid_on = period_end + timedelta(days=7)
            uc = {"period_start": day, "period_end": period_end}
            housing_costs = apportion(weekly_due(day), 52, 12)
            pay(paid_on, housing_costs, TransactionType.UC_MANAGED_PAYMENT, PaymentMethod.UNIVERSAL_CREDIT, **uc)
            pay(paid_on, deduction, TransactionType.UC_DEDUCTION, PaymentMethod.UNIVERSAL_CREDIT, **uc)
            day += timedelta(days=31)
    return postings


def _next_month(day: date) -> date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.replace(year=year, month=month, day=min(day.day, 28))


def demo_seed(*, tenancies: int = 300, today: date) -> dict:
    """Builds the demo once (see the module's docstring). Returns what it made."""
    rng = random.Random(2026)
    fake = Faker("en_GB")
    fake.seed_instance(2026)
    history_start = monday_of(today - timedelta(weeks=104))
    made = _front_door(rng, fake, tenancies, history_start, today)
    week = history_start
    debits = 0
    while week <= today:
        debits += rent_debits_post(week_commencing=week).posted_count
        week += timedelta(days=7)
    postings = [posting for demo in made.tenancies for posting in _payments(rng, demo, history_start, today)]
    result = transactions_post(postings=postings)
    breathing_space = _breathing_space(made, today)
    return {
        "tenancies": len(made.tenancies),
        "people": made.people,
        "homes": made.homes,
        "rent_changes": made.rent_changes,
        "ended": made.ended,
        "debits": debits,
        "credits": result.posted,
        "breathing_space": breathing_space,
    }


def _breathing_space(made: Made, today: date) -> str:
    """One standard Breathing Space, told to us today by a debt adviser, on the current tenancy owing most: so a
    newcomer sees the case page's panel, the held debt and the holds (docs/legal-rules.md). Returns its reference."""
    account = (
        Account.objects.filter(
            kind=AccountKind.RENT,
            tenancy_id__in=[demo.tenancy.pk for demo in made.tenancies],
            tenancy__status=TenancyStatus.CURRENT,
            balance__gt=0,
        )
        .select_related("tenancy")
        .order_by("-balance", "id")
        .first()
    )
    if account is None:
        return ""
    tenancy = account.tenancy
    breathing_space_record(
        tenancy=tenancy,
        kind=BreathingSpaceKind.STANDARD,
        starts_on=today - timedelta(days=10),
        notified_on=today - timedelta(days=9),
        debtor=tenancy.named_tenants()[0],
        reference="BS-DEMO-0001",
        adviser_name="Sam Adviser",
        adviser_organisation="StepChange Debt Charity",
        adviser_contact="0800 138 1111",
        recorded_by=None,
    )
    return tenancy.payment_reference
