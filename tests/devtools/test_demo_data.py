"""The demo data: varied and realistic, loaded once, and made through the front door (the services behind the
screens), so it carries what those services record: sign-up events, rent rises, ends, histories, home charges."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command

from arrears.constants import ClaimStatus
from arrears.models import BenefitClaim
from devtools.demo import demo_seed, rent_rise_dates
from incomeapp.money import apportion
from rentaccounts.constants import AccountKind, MandateStatus, TransactionType
from rentaccounts.models import Account, DirectDebitMandate, Transaction
from rentaccounts.selectors import balance_differences
from tenancies.constants import ChargeType, PaymentMethod, RentPeriod, TenancyEventKind, TenancyStatus
from tenancies.models import Charge, Person, PropertyCharge, RentFreeWeek, Scheme, Tenancy, TenancyEvent, TenancyTenant

# The law fixture: the demo records a Breathing Space, which reads the law figures (a flush elsewhere removes them).
pytestmark = [pytest.mark.long, pytest.mark.django_db, pytest.mark.usefixtures("law")]

TODAY = date(2026, 11, 24)


@pytest.fixture(scope="module")
def rises():
    return rent_rise_dates(TODAY)


def test_demo_data_is_varied_realistic_and_loaded_once(capsys):
    made = demo_seed(tenancies=60, today=TODAY)
    assert made["tenancies"] == 60
    assert Scheme.objects.count() == 5
    assert len(set(Tenancy.objects.values_list("tenure_type", flat=True))) >= 5
    assert TenancyTenant.objects.filter(is_lead=False).exists(), "some joint tenancies"
    assert RentFreeWeek.objects.filter(week_commencing=date(2026, 12, 21)).exists()
    kinds = set(Transaction.objects.values_list("transaction_type", flat=True))
    assert {TransactionType.RENT_DEBIT, TransactionType.HOUSING_BENEFIT, TransactionType.UC_MANAGED_PAYMENT} <= kinds
    rent = Account.objects.filter(kind=AccountKind.RENT)
    assert rent.filter(balance__lt=0).exists(), "some in credit"
    assert rent.filter(balance__gt=0).exists(), "some in arrears"
    assert rent.filter(tenancy__status=TenancyStatus.FORMER, balance__gt=0).exists(), "former tenants owing"
    assert balance_differences() == []
    # One Breathing Space, on the current tenancy owing most, so the case page's holds can be seen.
    from arrears.models import BreathingSpace

    space = BreathingSpace.objects.get()
    assert space.tenancy.payment_reference == made["breathing_space"] and space.tenancy.status == TenancyStatus.CURRENT
    assert space.debt_covered > 0 and space.ends_on == TODAY - timedelta(days=10) + timedelta(days=60)

    count = Transaction.objects.count()
    call_command("seed_demo")
    assert "already loaded" in capsys.readouterr().out
    assert Transaction.objects.count() == count


def test_the_demo_comes_through_the_front_door(rises):
    assert rises == [date(2025, 4, 7), date(2026, 4, 6)]  # the first Mondays of April
    made = demo_seed(tenancies=50, today=TODAY)
    tenancies = list(Tenancy.objects.select_related("property"))

    # Every tenancy signed up (its event), every person and home added with a history row of its own.
    signed_up = set(TenancyEvent.objects.filter(kind=TenancyEventKind.SIGN_UP).values_list("tenancy_id", flat=True))
    assert signed_up == {tenancy.pk for tenancy in tenancies}
    assert Person.history.filter(history_type="+").count() == Person.objects.count() == made["people"]
    assert all(tenancy.property.history.filter(history_type="+").exists() for tenancy in tenancies)

    # The leavers were ended by tenancy_end: a reason, an event, their charges stopped on the last day.
    former = [tenancy for tenancy in tenancies if tenancy.status == TenancyStatus.FORMER]
    assert len(former) == made["ended"] >= 2  # every 25th from the 8th, and a few more at random
    for tenancy in former:
        assert tenancy.end_reason and tenancy.end_date < TODAY
        assert TenancyEvent.objects.filter(tenancy=tenancy, kind=TenancyEventKind.ENDED).exists()
        assert not tenancy.charges.filter(effective_to__isnull=True).exists()
        assert not Transaction.objects.filter(
            account__tenancy=tenancy, transaction_type=TransactionType.RENT_DEBIT, period_start__gt=tenancy.end_date
        ).exists()

    # Each April rise was a charge change (an event with the reason); the amounts go up by 2.7% then 4.8%.
    assert TenancyEvent.objects.filter(kind=TenancyEventKind.RENT_CHANGE).count() == made["rent_changes"] > 0
    weekly = next(
        t for t in tenancies if t.rent_period == RentPeriod.WEEKLY and t.start_date < rises[0] and t.end_date is None
    )
    rents = list(weekly.charges.filter(charge_type=ChargeType.RENT).order_by("effective_from"))
    assert [c.effective_from for c in rents] == [weekly.start_date, *rises]
    assert [c.effective_to for c in rents] == [rises[0] - timedelta(days=1), rises[1] - timedelta(days=1), None]
    assert rents[1].amount == apportion(rents[2].amount, 1000, 1048)
    assert rents[0].amount == apportion(rents[1].amount, 1000, 1027)
    # ...and the home's own weekly schedule says the same.
    home_rent = PropertyCharge.objects.get(
        property=weekly.property, charge_type=ChargeType.RENT, effective_to__isnull=True
    )
    assert (home_rent.amount, home_rent.effective_from) == (rents[2].amount, rises[1])
    assert TenancyEvent.objects.filter(
        tenancy=weekly,
        kind=TenancyEventKind.RENT_CHANGE,
        effective_date=rises[1],
        reason="Annual rent change from 6 April 2026",
    ).exists()

    # Direct debit payers have their mandate; benefit payers their claim, in payment to us.
    for tenancy in tenancies:
        if tenancy.payment_method == PaymentMethod.DIRECT_DEBIT and tenancy.end_date is None:
            assert DirectDebitMandate.objects.filter(tenancy=tenancy, status=MandateStatus.ACTIVE).count() == 1
    claims = BenefitClaim.objects.filter(status=ClaimStatus.IN_PAYMENT, paid_to_landlord=True)
    assert (
        claims.count()
        == Tenancy.objects.filter(
            payment_method__in=[PaymentMethod.HOUSING_BENEFIT, PaymentMethod.UNIVERSAL_CREDIT]
        ).count()
        > 0
    )

    # Charges only through the services: every charge row has its history.
    assert Charge.history.filter(history_type="+").count() >= Charge.objects.count()
    assert balance_differences() == []


def test_the_demo_support_worker_sees_only_the_supported_housing_schemes(settings):
    from incomeapp.models import User
    from tenancies.constants import SchemeType
    from tenancies.scoping import scoped

    settings.DEBUG = True
    call_command("setup_roles", verbosity=0)
    call_command("create_demo_users")
    demo_seed(tenancies=40, today=TODAY)
    support = User.objects.get(username="support")
    seen = scoped(Tenancy.objects.all(), support)
    assert seen.exists()
    assert set(seen.values_list("property__scheme__scheme_type", flat=True)) == {SchemeType.SUPPORTED}
    assert seen.count() == Tenancy.objects.filter(property__scheme__scheme_type=SchemeType.SUPPORTED).count()
