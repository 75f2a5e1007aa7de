"""Seeding the demo (`demo_seed`): the front door first (landlords, homes, people, tenancies, rent rises, leavers),
then the ledger history (a rent run for every week of the two years, and the payments), then one Breathing Space."""

import random
from datetime import date, timedelta

from faker import Faker

from arrears.constants import BreathingSpaceKind
from arrears.services import breathing_space_record
from rentaccounts.charging import monday_of
from rentaccounts.constants import AccountKind
from rentaccounts.models import Account
from rentaccounts.services import rent_debits_post, transactions_post
from tenancies.constants import TenancyStatus
from tenancies.models import Provider

from .homes import DEMO_PROVIDER
from .payments import _payments
from .signups import Made, _front_door


def demo_loaded() -> bool:
    return Provider.objects.filter(name=DEMO_PROVIDER).exists()


def demo_seed(*, tenancies: int = 300, today: date) -> dict:
    """Builds the demo once (see the package's docstring). Returns what it made."""
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
