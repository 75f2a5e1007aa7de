"""Demo data: two landlords, several schemes and tenures, and two years of realistic account history to today.

Deterministic (fixed seeds), so every demo looks the same; loaded once (a second run sees it and stops).
Payment profiles: regular direct debit or standing order payers, Housing Benefit (4-weekly in arrears), Universal
Credit managed payments (monthly, some with deductions towards arrears), late and irregular payers (some over 8 weeks
in arrears), a few in credit, and former tenancies that left owing. Repayment agreements arrive with the arrears engine.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from faker import Faker

from incomeapp.money import ZERO, apportion, to_money
from tenancies.constants import (
    LICENCE_TENURES,
    ChargeType,
    ContactChannel,
    LandlordType,
    LicenceBasis,
    PaymentMethod,
    RentPeriod,
    SchemeType,
    TenancyStatus,
    TenureType,
)
from tenancies.models import (
    Charge,
    Patch,
    Person,
    Property,
    Provider,
    RentFreeWeek,
    Scheme,
    Tenancy,
    TenancyTenant,
)

from .charging import monday_of, weekly_equivalent
from .constants import AccountKind, TransactionType
from .models import Account
from .services import Posting, rent_debits_post, transactions_post

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
PROFILES = (
    ("regular", 44),
    ("housing_benefit", 18),
    ("universal_credit", 18),
    ("late", 12),
    ("in_credit", 4),
    ("leaver", 4),
)


def demo_loaded() -> bool:
    return Provider.objects.filter(name=DEMO_PROVIDER).exists()


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return to_money(Decimal(rng.randint(low * 100, high * 100)) / 100)


def _rent_year_starts(today: date) -> list[date]:
    """The first Monday of April in each of the last two rent years (when rents go up)."""
    starts = []
    for year in (today.year - 1, today.year):
        first = date(year, 4, 1)
        starts.append(first + timedelta(days=(7 - first.weekday()) % 7))
    return [start for start in starts if start <= today]


@transaction.atomic
def _build_structure(rng: random.Random, fake: Faker, tenancies: int, history_start: date, today: date) -> list[dict]:
    User = get_user_model()
    officers = {u.username: u for u in User.objects.filter(username__in=["officer", "senior"])}
    providers = {
        DEMO_PROVIDER: Provider.objects.create(
            name=DEMO_PROVIDER,
            landlord_type=LandlordType.PRIVATE_REGISTERED_PROVIDER,
            address="Harbour Housing Trust\n2 Wapping Wharf\nBristol\nBS1 6UD",
            phone="0117 496 0123",
            email="income@harbourhousing.example",
        ),
        "Riverside Borough Council": Provider.objects.create(
            name="Riverside Borough Council",
            landlord_type=LandlordType.LOCAL_AUTHORITY,
            address="Riverside Borough Council\nCivic Centre\nRiverside\nRV1 1AA",
        ),
    }
    patches = {
        "Harbour North": Patch.objects.create(name="Harbour North", officer=officers.get("officer")),
        "Supported housing": Patch.objects.create(name="Supported housing", officer=officers.get("senior")),
        "Riverside South": Patch.objects.create(name="Riverside South", officer=officers.get("officer")),
    }
    schemes = {}
    for plan in SCHEMES:
        schemes[plan.code] = Scheme.objects.create(
            code=plan.code, name=plan.name, scheme_type=plan.scheme_type, provider=providers[plan.provider]
        )
    # General-needs tenants have two rent-free weeks at Christmas (a 50-week collection year).
    for code in ("HGN", "RBC"):
        for year in range(history_start.year, today.year + 1):
            christmas_week = monday_of(date(year, 12, 25))
            for monday in (christmas_week, christmas_week + timedelta(days=7)):
                RentFreeWeek.objects.get_or_create(scheme=schemes[code], week_commencing=monday)

    plans = []
    profile_names = [name for name, weight in PROFILES for _ in range(weight)]
    buildings: dict[str, Property] = {}
    for n in range(tenancies):
        plan = SCHEMES[n % len(SCHEMES)] if n % 3 else SCHEMES[0]
        scheme = schemes[plan.code]
        parent = None
        if plan.rooms:
            building_key = f"{plan.code}{n // 12}"
            if building_key not in buildings:
                buildings[building_key] = Property.objects.create(
                    uprn=str(10000000000 + n),
                    address_line_1=fake.street_address(),
                    town="Bristol",
                    postcode=fake.postcode(),
                    scheme=scheme,
                    patch=patches[plan.patch],
                )
            parent = buildings[building_key]
        home = Property.objects.create(
            uprn=str(20000000000 + n),
            parent=parent,
            unit_label=f"Room {n % 12 + 1}" if parent else (f"Flat {rng.randint(1, 24)}" if rng.random() < 0.4 else ""),
            address_line_1=parent.address_line_1 if parent else fake.street_address(),
            town=parent.town if parent else rng.choice(["Bristol", "Bristol", "Riverside", "Portishead"]),
            postcode=parent.postcode if parent else fake.postcode(),
            scheme=scheme,
            patch=patches[plan.patch],
        )
        # Every 25th tenancy has left owing, so even a small demo shows former tenant arrears.
        profile = "leaver" if n % 25 == 7 else profile_names[rng.randrange(len(profile_names))]
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
        starts_in_window = rng.random() < 0.18
        start = (
            history_start + timedelta(days=rng.randint(7, 500))
            if starts_in_window
            else date(rng.randint(2012, history_start.year - 1), rng.randint(1, 12), rng.randint(1, 28))
        )
        end = None
        if profile == "leaver":
            end = min(today - timedelta(days=rng.randint(14, 300)), max(start, history_start) + timedelta(days=200))
        method = {
            "regular": rng.choice(
                [PaymentMethod.DIRECT_DEBIT, PaymentMethod.DIRECT_DEBIT, PaymentMethod.STANDING_ORDER]
            ),
            "housing_benefit": PaymentMethod.HOUSING_BENEFIT,
            "universal_credit": PaymentMethod.UNIVERSAL_CREDIT,
            "late": rng.choice([PaymentMethod.ALLPAY, PaymentMethod.CARD, PaymentMethod.CASH]),
            "in_credit": PaymentMethod.STANDING_ORDER,
            "leaver": rng.choice([PaymentMethod.CARD, PaymentMethod.BANK_TRANSFER]),
        }[profile]
        tenure = rng.choice(plan.tenures)
        tenancy = Tenancy.objects.create(
            payment_reference=f"RW{n + 1:06d}",
            property=home,
            tenure_type=tenure,
            licence_basis=LicenceBasis.SUPPORT_LINKED if tenure in LICENCE_TENURES else "",
            start_date=start,
            end_date=end,
            rent_period=period,
            status=TenancyStatus.FORMER if end else TenancyStatus.CURRENT,
            payment_method=method,
        )
        people = [_person(rng, fake)]
        if plan.scheme_type == SchemeType.GENERAL_NEEDS and rng.random() < 0.18:
            people.append(_person(rng, fake, surname=people[0].last_name if rng.random() < 0.6 else None))
        for index, person in enumerate(people):
            TenancyTenant.objects.create(tenancy=tenancy, person=person, is_lead=index == 0)
        weekly_rent = _money(rng, *plan.rent_range)
        weekly_service = _money(rng, *plan.service_range)
        weekly_support = _money(rng, *plan.support_range) if plan.support_range else None
        _charges(tenancy, weekly_rent, weekly_service, weekly_support, today)
        Account.objects.create(tenancy=tenancy, kind=AccountKind.RENT)
        plans.append({"tenancy": tenancy, "profile": profile})
    return plans


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
    return Person.objects.create(
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


def _charges(tenancy: Tenancy, weekly_rent: Decimal, service: Decimal, support: Decimal | None, today: date) -> None:
    """Rent and service charges (rent for possession purposes) and any support charge (not rent), up each April.

    The amounts given are today's; earlier lines are worked back through each April's increase.
    """
    increases = _rent_year_starts(today)
    boundaries = [tenancy.start_date] + [day for day in increases if day > tenancy.start_date]
    lines = [(ChargeType.RENT, weekly_rent, True), (ChargeType.ELIGIBLE_SERVICE, service, True)]
    if support is not None:
        lines.append((ChargeType.SUPPORT, support, False))
    for charge_type, weekly_now, counts in lines:
        for index, start in enumerate(boundaries):
            later = len(boundaries) - 1 - index  # increases still to come after this line
            weekly = weekly_now
            for per_mille in reversed(RENT_INCREASES_PER_MILLE[len(RENT_INCREASES_PER_MILLE) - later :]):
                weekly = apportion(weekly, 1000, per_mille)
            Charge.objects.create(
                tenancy=tenancy,
                charge_type=charge_type,
                amount=_per_period(weekly, tenancy.rent_period),
                counts_as_rent=counts,
                effective_from=start,
                effective_to=boundaries[index + 1] - timedelta(days=1) if index + 1 < len(boundaries) else None,
            )


def _per_period(weekly: Decimal, period: str) -> Decimal:
    if period == RentPeriod.MONTHLY:
        return apportion(weekly, 52, 12)
    return weekly * {RentPeriod.WEEKLY: 1, RentPeriod.FORTNIGHTLY: 2, RentPeriod.FOUR_WEEKLY: 4}[RentPeriod(period)]


def _payments(rng: random.Random, plan: dict, history_start: date, today: date) -> list[Posting]:
    tenancy: Tenancy = plan["tenancy"]
    account_id = tenancy.accounts.get(kind=AccountKind.RENT).pk
    charges = list(tenancy.charges.all())
    profile = plan["profile"]
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
        covered = 100 if rng.random() < 0.6 else 80  # per cent of the charges Housing Benefit pays
        while day + timedelta(days=28) <= last:
            period_end = day + timedelta(days=27)
            due = weekly_due(day) * 4
            benefit = apportion(due, covered, 100)
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
    """Builds the demo once. Returns what it made."""
    rng = random.Random(2026)
    fake = Faker("en_GB")
    fake.seed_instance(2026)
    history_start = monday_of(today - timedelta(weeks=104))
    plans = _build_structure(rng, fake, tenancies, history_start, today)
    week = history_start
    debits = 0
    while week <= today:
        debits += rent_debits_post(week_commencing=week).posted_count
        week += timedelta(days=7)
    postings = [posting for plan in plans for posting in _payments(rng, plan, history_start, today)]
    result = transactions_post(postings=postings)
    return {"tenancies": len(plans), "debits": debits, "credits": result.posted}
