"""The one place tests make records."""

from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
import faker
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from incomeapp.constants import Role
from incomeapp.models import User
from incomeapp.roles import roles_setup
from tenancies.constants import ChargeType, LandlordType, LicenceBasis, RentPeriod, SchemeType, TenureType
from tenancies.models import (
    Charge,
    Patch,
    Person,
    Property,
    Provider,
    Scheme,
    StaffScope,
    Tenancy,
    TenancyTenant,
)

TEST_PASSWORD = "correct-horse-battery-staple"

_FAKE_GB = faker.Faker("en_GB")


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.LazyFunction(lambda: _FAKE_GB.last_name().replace("'", ""))  # as PersonFactory's
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password(TEST_PASSWORD)


def user_with_role(role: Role, **fields) -> User:
    if not Group.objects.filter(name=role.value).exists():
        roles_setup()
    user = UserFactory(**fields)
    user.groups.add(Group.objects.get(name=role.value))
    return user


def support_worker_for(*tenancies: Tenancy, **fields) -> User:
    """A Housing or Support Worker who supports the schemes of these tenancies (with no scheme they see none)."""
    user = user_with_role(Role.SUPPORT_WORKER, **fields)
    for scheme_id in {tenancy.property.scheme_id for tenancy in tenancies}:
        StaffScope.objects.create(user=user, scheme_id=scheme_id)
    return user


class ProviderFactory(DjangoModelFactory[Provider]):
    class Meta:
        model = Provider
        django_get_or_create = ("name",)

    name = "Riverside Homes"
    landlord_type = LandlordType.PRIVATE_REGISTERED_PROVIDER
    address = "Riverside Homes\n1 Quay Street\nBristol\nBS1 4DJ"


class SchemeFactory(DjangoModelFactory[Scheme]):
    class Meta:
        model = Scheme

    code = factory.Sequence(lambda n: f"SCH{n:03d}")
    name = factory.Sequence(lambda n: f"Scheme {n}")
    scheme_type = SchemeType.GENERAL_NEEDS
    provider = factory.SubFactory(ProviderFactory)


class PatchFactory(DjangoModelFactory[Patch]):
    class Meta:
        model = Patch

    name = factory.Sequence(lambda n: f"Patch {n}")


class PropertyFactory(DjangoModelFactory[Property]):
    class Meta:
        model = Property

    uprn = factory.Sequence(lambda n: f"{100000000 + n}")
    # Faker's street address is sometimes two lines ("Studio 0\nMartin Square"); a home's first line is one.
    address_line_1 = factory.LazyFunction(lambda: _FAKE_GB.street_address().replace("\n", ", "))
    town = factory.Faker("city", locale="en_GB")
    postcode = factory.Faker("postcode", locale="en_GB")
    scheme = factory.SubFactory(SchemeFactory)
    patch = factory.SubFactory(PatchFactory)


class PersonFactory(DjangoModelFactory[Person]):
    class Meta:
        model = Person

    first_name = factory.Faker("first_name", locale="en_GB")
    # Without apostrophes: a test that looks for the name in a page would otherwise fail one run in many on
    # "O&#x27;Donnell" (HTML escaping is tested on purpose where it matters, with a name chosen for it).
    last_name = factory.LazyFunction(lambda: _FAKE_GB.last_name().replace("'", ""))


class TenancyFactory(DjangoModelFactory[Tenancy]):
    """A weekly tenancy with one lead tenant and (by default) £100.00 rent from its start."""

    class Meta:
        model = Tenancy
        skip_postgeneration_save = True

    payment_reference = factory.Sequence(lambda n: f"RW{n:06d}")
    property = factory.SubFactory(PropertyFactory)
    tenure_type = TenureType.ASSURED
    start_date = date(2024, 4, 1)
    rent_period = RentPeriod.WEEKLY
    licence_basis = factory.LazyAttribute(
        lambda o: LicenceBasis.SUPPORT_LINKED if o.tenure_type in (TenureType.LICENCE, TenureType.EXCL_LICENCE) else ""
    )

    @factory.post_generation
    def lead_tenant(self, create, extracted, **kwargs):
        if create:
            TenancyTenant.objects.create(tenancy=self, person=extracted or PersonFactory(), is_lead=True)

    @factory.post_generation
    def weekly_rent(self, create, extracted, **kwargs):
        if create and extracted is not False:
            Charge.objects.create(
                tenancy=self,
                charge_type=ChargeType.RENT,
                amount=extracted or Decimal("100.00"),
                effective_from=self.start_date,
            )


@contextmanager
def signals_caught(signal):
    """Every sending of `signal` inside the block, as its keyword arguments."""
    sent: list[dict] = []

    def receiver(sender, **kwargs):
        sent.append(kwargs)

    signal.connect(receiver, weak=False)
    try:
        yield sent
    finally:
        signal.disconnect(receiver)


def london_noon(day: date) -> datetime:
    """Midday in London on the day: where a test stops the clock (time-machine) so that day is `localdate()`."""
    return datetime.combine(day, time(12), tzinfo=ZoneInfo("Europe/London"))


def dmy(day: date, prefix: str) -> dict:
    """A date as the day, month and year boxes of the date field `prefix` post it."""
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


def rent_debited_weekly(tenancy: Tenancy, *, weeks_ago: range, back_from: date | None = None, amount: str = "100.00"):
    """A rent debit of `amount` on the tenancy's rent account for each week in `weeks_ago`, counted back from
    `back_from` (today unless given; week 0 is that day), posted through the ledger's own service.

    Returns the rent account."""
    from datetime import timedelta

    from django.utils import timezone

    from rentaccounts.constants import TransactionType
    from rentaccounts.services import Posting, account_get_or_create, transactions_post

    account = account_get_or_create(tenancy=tenancy)
    back_from = back_from or timezone.localdate()
    days = [back_from - timedelta(weeks=w) for w in weeks_ago]
    transactions_post(
        postings=[
            Posting(account.pk, TransactionType.RENT_DEBIT, Decimal(amount), day, f"weekly-rent:{account.pk}:{day}")
            for day in days
        ]
    )
    return account


def case_opened_by_review(tenancy: Tenancy, *, owed: str, days_ago: int):
    """Rent of `owed` that fell due `days_ago` days ago on the tenancy, then today's arrears review: returns the arrears
    case the review opens."""
    from datetime import timedelta

    from django.utils import timezone

    from arrears.models import ArrearsCase
    from arrears.review import review_run
    from rentaccounts.constants import TransactionType
    from rentaccounts.services import Posting, account_get_or_create, transactions_post

    account = account_get_or_create(tenancy=tenancy)
    today = timezone.localdate()
    due_on = today - timedelta(days=days_ago)
    transactions_post(
        postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal(owed), due_on, f"rent-owed:{account.pk}")]
    )
    review_run(as_of=today)
    return ArrearsCase.objects.get(account=account)


def tenancy_on_patch_of(officer: User, **fields) -> Tenancy:
    """A tenancy of a home on a patch the officer looks after, so the arrears case it may have is theirs."""
    return TenancyFactory(property=PropertyFactory(patch=PatchFactory(officer=officer)), **fields)
