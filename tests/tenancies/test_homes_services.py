"""Homes services: providers, schemes and their rent-free weeks, patches, properties and their charge schedules."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext

from incomeapp.constants import Role
from tenancies.constants import ChargeType, LandlordType, SchemeType
from tenancies.models import Property, PropertyCharge, RentFreeWeek
from tenancies.selectors_homes import rent_year_end, rent_year_start, rent_year_weeks
from tenancies.services_homes import (
    patch_create,
    patch_retire,
    patch_update,
    property_charges_set,
    property_create,
    property_retire,
    property_update,
    provider_create,
    provider_retire,
    provider_update,
    scheme_create,
    scheme_rent_free_weeks_set,
    scheme_retire,
    scheme_update,
)
from tenancies.specs import ChargeSpec
from tests.factories import (
    PatchFactory,
    PropertyFactory,
    ProviderFactory,
    SchemeFactory,
    TenancyFactory,
    UserFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db

RENT = ChargeType.RENT
SERVICE = ChargeType.ELIGIBLE_SERVICE


@pytest.fixture
def manager():
    return user_with_role(Role.INCOME_MANAGER)


def _home(**fields):
    values = {"address_line_1": "14 Harbour Road", "town": "Bristol", "postcode": "bs1 6ty", "scheme": SchemeFactory()}
    return property_create(by=None, **(values | fields))


def _charges(home):
    return [
        (c.charge_type, c.amount, c.effective_from, c.effective_to)
        for c in PropertyCharge.objects.filter(property=home).order_by("effective_from", "charge_type")
    ]


# --- providers, schemes, patches -----------------------------------------------------------------------------------


def test_a_manager_creates_and_updates_a_provider_and_history_names_them(manager):
    provider = provider_create(
        by=manager,
        name=" Harbour Housing ",
        landlord_type=LandlordType.PRIVATE_REGISTERED_PROVIDER,
        address="Harbour Housing\n 2 Wapping Wharf \n\nBristol",
        email="income@harbour.example",
    )
    assert provider.name == "Harbour Housing"
    assert provider.address == "Harbour Housing\n2 Wapping Wharf\nBristol"
    assert provider.history.get().history_user == manager

    assert provider_update(by=manager, provider=provider, name="Harbour Housing", phone="") is False
    assert provider.history.count() == 1
    assert provider_update(by=manager, provider=provider, phone="0117 496 0123") is True
    latest = provider.history.latest()
    assert (latest.phone, latest.history_user) == ("0117 496 0123", manager)


def test_provider_checks_are_plain_and_all_at_once(manager):
    ProviderFactory(name="Riverside Homes")
    with pytest.raises(ValidationError) as error:
        provider_create(by=manager, name="riverside homes", landlord_type="charity", address=" ", email="nope")
    messages = error.value.message_dict
    assert messages["name"] == ["There is already a provider called riverside homes. Give this one a different name."]
    assert messages["landlord_type"][0].startswith("Choose the landlord type: 'charity' is not one of")
    assert messages["address"] == ["Enter the landlord's address, as it should appear on letters"]
    assert messages["email"] == ["Enter the email address in the right format, like income@example.org"]


@pytest.mark.parametrize("role", [Role.INCOME_OFFICER, Role.SUPPORT_WORKER, Role.SENIOR_INCOME_OFFICER])
def test_only_managers_may_change_homes(role):
    user = user_with_role(role)
    scheme = SchemeFactory()
    home = PropertyFactory(scheme=scheme)
    attempts = [
        lambda: provider_create(by=user, name="X", landlord_type=LandlordType.OTHER, address="1 Road"),
        lambda: scheme_create(by=user, code="X1", name="X", scheme_type=SchemeType.SUPPORTED, provider=scheme.provider),
        lambda: scheme_update(by=user, scheme=scheme, name="Changed"),
        lambda: scheme_rent_free_weeks_set(by=user, scheme=scheme, year_starting=date(2030, 4, 1), weeks=[]),
        lambda: patch_create(by=user, name="North"),
        lambda: property_create(by=user, address_line_1="1 Road", town="Bristol", postcode="BS1 1AA", scheme=scheme),
        lambda: property_update(by=user, property=home, bedrooms=3),
        lambda: property_charges_set(by=user, property=home, effective_from=date(2026, 4, 6), charges=[]),
        lambda: property_retire(by=user, property=home, on=date(2026, 4, 6)),
        lambda: scheme_retire(by=user, scheme=scheme, on=date(2026, 4, 6)),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    home.refresh_from_db()
    assert home.bedrooms is None and home.retired_on is None


def test_schemes_refuse_a_retired_provider_and_a_repeated_code(manager):
    provider = ProviderFactory()
    scheme = scheme_create(
        by=manager, code="HGN", name="General needs", scheme_type=SchemeType.GENERAL_NEEDS, provider=provider
    )
    provider_update(by=manager, provider=ProviderFactory(name="Old Trust"), retired_on=date(2025, 1, 1))
    old = ProviderFactory(name="Old Trust")
    with pytest.raises(ValidationError) as error:
        scheme_create(by=manager, code="hgn", name="Other", scheme_type=SchemeType.SUPPORTED, provider=old)
    assert error.value.message_dict["code"] == [
        "Another scheme already has the code hgn. Give this one a different code."
    ]
    assert "Old Trust was retired on 1 January 2025" in error.value.message_dict["provider"][0]
    assert scheme_update(by=manager, scheme=scheme, name="General needs", code="HGN") is False
    assert scheme_update(by=manager, scheme=scheme, name="General needs homes") is True


def test_a_patch_officer_must_be_active_and_work_the_worklist(manager):
    officer = user_with_role(Role.INCOME_OFFICER)
    support = user_with_role(Role.SUPPORT_WORKER)
    gone = user_with_role(Role.INCOME_OFFICER, is_active=False)
    patch = patch_create(by=manager, name="Harbour North", officer=officer)
    assert patch.officer == officer
    with pytest.raises(ValidationError, match="their role has no arrears worklist"):
        patch_update(by=manager, patch=patch, officer=support)
    with pytest.raises(ValidationError, match="their account is switched off"):
        patch_create(by=manager, name="South", officer=gone)
    with pytest.raises(ValidationError, match="There is already a patch called harbour north"):
        patch_create(by=manager, name="harbour north")
    assert patch_update(by=manager, patch=patch, officer=officer) is False
    assert patch_update(by=manager, patch=patch, officer=None) is True


def test_unknown_changes_are_a_programming_error(manager):
    with pytest.raises(TypeError, match="cannot change colour"):
        scheme_update(by=manager, scheme=SchemeFactory(), colour="red")


# --- properties ----------------------------------------------------------------------------------------------------


def test_a_home_is_created_in_two_queries_with_its_postcode_tidied():
    scheme, patch = SchemeFactory(), PatchFactory()
    with CaptureQueriesContext(connection) as queries:
        home = property_create(
            by=None,
            address_line_1=" 3 Quay St ",
            town="Bristol",
            postcode="bs14dj",
            scheme=scheme,
            patch=patch,
            uprn="10012345",
            bedrooms=2,
        )
    assert len([q for q in queries if "SAVEPOINT" not in q["sql"]]) == 2
    assert (home.address_line_1, home.postcode, home.history.count()) == ("3 Quay St", "BS1 4DJ", 1)


def test_home_checks_name_every_problem(manager):
    retired_scheme = SchemeFactory(retired_on=date(2025, 1, 1))
    with pytest.raises(ValidationError) as error:
        property_create(
            by=manager,
            address_line_1="",
            town="Bristol",
            postcode="NOT A CODE",
            scheme=retired_scheme,
            uprn="12AB",
            bedrooms=-1,
        )
    messages = error.value.message_dict
    assert messages["address_line_1"] == ["Enter the first line of the address"]
    assert messages["postcode"] == ["NOT A CODE is not a postcode. Enter a real postcode, like BS1 6TY"]
    assert messages["uprn"] == ["A UPRN is a number of up to 12 digits, like 100120012345"]
    assert messages["bedrooms"] == ["Give the number of bedrooms from 0 (a studio) to 30"]
    assert "was retired on 1 January 2025, so no new home can use it" in messages["scheme"][0]
    assert not Property.objects.exists()


def test_updating_a_home_writes_history_only_when_something_changed(manager):
    home = _home()
    assert property_update(by=manager, property=home, postcode="BS1 6TY", address_line_1="14 Harbour Road") is False
    assert home.history.count() == 1
    other = SchemeFactory()
    assert property_update(by=manager, property=home, scheme=other, bedrooms=3) is True
    home.refresh_from_db()
    assert (home.scheme, home.bedrooms, home.history.count()) == (other, 3, 2)
    assert home.history.latest().history_user == manager


def test_a_home_cannot_be_part_of_its_own_unit(manager):
    building = _home()
    flat = _home(unit_label="Flat 1", parent=building)
    with pytest.raises(ValidationError, match="cannot be part of itself"):
        property_update(by=manager, property=building, parent=flat)


# --- retiring, never deleting --------------------------------------------------------------------------------------


def test_a_home_with_a_current_tenancy_cannot_be_retired(manager):
    tenancy = TenancyFactory(payment_reference="RW000777")
    with pytest.raises(ValidationError) as error:
        property_retire(by=manager, property=tenancy.property, on=date(2026, 5, 1))
    assert error.value.messages == [
        "This home has a current tenancy (RW000777), so it cannot be retired. End the tenancy first, then retire the "
        "home from the day after it ends."
    ]
    tenancy.end_date = date(2026, 5, 3)
    tenancy.save()
    with pytest.raises(ValidationError, match=r"runs until 3 May 2026. Retire the home from 4 May 2026 or later"):
        property_retire(by=manager, property=tenancy.property, on=date(2026, 5, 1))
    property_retire(by=manager, property=tenancy.property, on=date(2026, 5, 4))
    tenancy.property.refresh_from_db()
    assert tenancy.property.retired_on == date(2026, 5, 4)
    assert tenancy.property.history.latest().history_change_reason == "Retired on 4 May 2026"
    # Retiring again on the same day changes nothing; the home is still there and can never be deleted.
    property_retire(by=manager, property=tenancy.property, on=date(2026, 5, 4))
    assert tenancy.property.history.count() == 2
    with pytest.raises(ProtectedError):
        tenancy.property.delete()


def test_schemes_providers_and_patches_retire_only_when_empty(manager):
    home = _home(patch=PatchFactory(name="East"))
    scheme, provider, patch = home.scheme, home.scheme.provider, home.patch
    with pytest.raises(ValidationError, match=r"still has 1 home in use\. Retire them, or move them"):
        scheme_retire(by=manager, scheme=scheme, on=date(2026, 1, 1))
    with pytest.raises(ValidationError, match="still has 1 scheme in use"):
        provider_retire(by=manager, provider=provider, on=date(2026, 1, 1))
    with pytest.raises(ValidationError, match=r"still has 1 home in use\. Move them to another patch first"):
        patch_retire(by=manager, patch=patch, on=date(2026, 1, 1))
    property_retire(by=manager, property=home, on=date(2026, 1, 1))
    patch_retire(by=manager, patch=patch, on=date(2026, 1, 1))
    scheme_retire(by=manager, scheme=scheme, on=date(2026, 1, 1))
    provider_retire(by=manager, provider=provider, on=date(2026, 1, 1))
    for record in (home, scheme, provider, patch):
        record.refresh_from_db()
        assert record.retired_on == date(2026, 1, 1)
    # A retired home can be brought back into use.
    assert property_update(by=manager, property=home, retired_on=None) is True


def test_retired_records_drop_out_of_choices_for_new_work(manager):
    live, retired = SchemeFactory(), SchemeFactory(retired_on=date(2025, 1, 1))
    from tenancies.models import Scheme

    assert list(Scheme.objects.filter(retired_on__isnull=True)) == [live]
    with pytest.raises(ValidationError, match="so no new home can use it"):
        _home(scheme=retired)


# --- charge schedules ----------------------------------------------------------------------------------------------


def test_setting_charges_ends_the_old_ones_the_day_before_and_repeats_change_nothing(manager):
    home = _home()
    with CaptureQueriesContext(connection) as queries:
        changed = property_charges_set(
            by=None,
            property=home,
            effective_from=date(2025, 4, 7),
            charges=[ChargeSpec(RENT, Decimal("100.00")), ChargeSpec(SERVICE, Decimal("10"))],
        )
    assert changed is True
    assert len([q for q in queries if "SAVEPOINT" not in q["sql"]]) == 3  # read, insert, history
    assert (
        property_charges_set(
            by=manager,
            property=home,
            effective_from=date(2025, 4, 7),
            charges=[ChargeSpec(SERVICE, Decimal("10.00")), ChargeSpec(RENT, Decimal("100"))],
        )
        is False
    )
    # Same charges in effect on a later day: still nothing to do.
    assert (
        property_charges_set(
            by=manager,
            property=home,
            effective_from=date(2025, 9, 1),
            charges=[ChargeSpec(RENT, Decimal("100")), ChargeSpec(SERVICE, Decimal("10"))],
        )
        is False
    )
    assert (
        property_charges_set(
            by=manager, property=home, effective_from=date(2026, 4, 6), charges=[ChargeSpec(RENT, Decimal("104.50"))]
        )
        is True
    )
    assert _charges(home) == [
        (SERVICE, Decimal("10.00"), date(2025, 4, 7), date(2026, 4, 5)),
        (RENT, Decimal("100.00"), date(2025, 4, 7), date(2026, 4, 5)),
        (RENT, Decimal("104.50"), date(2026, 4, 6), None),
    ]
    new_row = PropertyCharge.objects.get(amount=Decimal("104.50"))
    assert new_row.history.get().history_user == manager
    assert new_row.history.get().history_change_reason == "Charges from 6 April 2026"


def test_charges_set_before_a_scheduled_change_apply_until_it(manager):
    home = _home()
    property_charges_set(
        by=manager, property=home, effective_from=date(2025, 4, 7), charges=[ChargeSpec(RENT, Decimal("100"))]
    )
    property_charges_set(
        by=manager, property=home, effective_from=date(2026, 4, 6), charges=[ChargeSpec(RENT, Decimal("105"))]
    )
    # A correction from 2 March 2026 applies until the April change, which stays.
    property_charges_set(
        by=manager, property=home, effective_from=date(2026, 3, 2), charges=[ChargeSpec(RENT, Decimal("101"))]
    )
    # Set again from the same day: the row from that day is replaced, not doubled.
    property_charges_set(
        by=manager,
        property=home,
        effective_from=date(2026, 3, 2),
        charges=[ChargeSpec(RENT, Decimal("102")), ChargeSpec(SERVICE, Decimal("5"))],
    )
    assert _charges(home) == [
        (RENT, Decimal("100.00"), date(2025, 4, 7), date(2026, 3, 1)),
        (SERVICE, Decimal("5.00"), date(2026, 3, 2), date(2026, 4, 5)),
        (RENT, Decimal("102.00"), date(2026, 3, 2), date(2026, 4, 5)),
        (RENT, Decimal("105.00"), date(2026, 4, 6), None),
    ]


def test_charge_checks(manager):
    home = _home()
    with pytest.raises(ValidationError) as error:
        property_charges_set(
            by=manager,
            property=home,
            effective_from=date(2026, 4, 6),
            charges=[
                ChargeSpec(RENT, Decimal("-1")),
                ChargeSpec("parking", Decimal("5")),
                ChargeSpec(SERVICE, Decimal("1.005")),
                ChargeSpec(SERVICE, Decimal("2")),
                ChargeSpec(SERVICE, Decimal("3")),
            ],
        )
    problems = error.value.message_dict["charges"]
    assert "Rent: a charge cannot be negative (it is -1.00)" in problems
    assert any(p.startswith("'parking' is not a charge type") for p in problems)
    assert any("fractions of a penny" in p for p in problems)
    assert any("given more than once" in p for p in problems)
    assert not PropertyCharge.objects.exists()


# --- the rent calendar ---------------------------------------------------------------------------------------------


def test_rent_years_run_from_the_first_monday_of_april():
    assert rent_year_start(date(2026, 4, 5)) == date(2025, 4, 7)
    assert rent_year_start(date(2026, 4, 6)) == date(2026, 4, 6)
    assert rent_year_end(date(2026, 4, 6)) == date(2027, 4, 4)
    assert rent_year_weeks(date(2026, 4, 6)) == 52
    # 2 April 2029 to 31 March 2030 is 52 weeks; 1 April 2030 to 6 April 2031 has 53 Mondays.
    assert rent_year_weeks(date(2030, 4, 1)) == 53


def test_rent_free_weeks_are_set_per_rent_year(manager):
    scheme = SchemeFactory()
    RentFreeWeek.objects.create(scheme=scheme, week_commencing=date(2030, 12, 23))  # the year before: untouched
    year = date(2031, 4, 7)
    weeks = [date(2031, 12, 22), date(2031, 12, 29)]
    assert scheme_rent_free_weeks_set(by=manager, scheme=scheme, year_starting=year, weeks=weeks) is True
    assert scheme_rent_free_weeks_set(by=manager, scheme=scheme, year_starting=year, weeks=weeks[::-1]) is False
    assert scheme_rent_free_weeks_set(by=manager, scheme=scheme, year_starting=year, weeks=[date(2031, 12, 22)]) is True
    assert list(scheme.rent_free_weeks.values_list("week_commencing", flat=True)) == [
        date(2030, 12, 23),
        date(2031, 12, 22),
    ]
    latest = scheme.history.latest()
    assert latest.history_user == manager
    assert latest.history_change_reason == "Rent-free weeks for the rent year from 7 April 2031: 22 December 2031"


def test_rent_free_weeks_must_be_mondays_in_the_year(manager):
    scheme = SchemeFactory()
    with pytest.raises(ValidationError, match="the rent year around 1 April 2031 starts on 1 April 2030"):
        scheme_rent_free_weeks_set(by=manager, scheme=scheme, year_starting=date(2031, 4, 1), weeks=[])
    with pytest.raises(ValidationError) as error:
        scheme_rent_free_weeks_set(
            by=manager, scheme=scheme, year_starting=date(2031, 4, 7), weeks=[date(2031, 12, 25), date(2032, 4, 5)]
        )
    assert error.value.message_dict["weeks"] == [
        "25 December 2031 is a Thursday: give the Monday each rent-free week starts on",
        "The week commencing 5 April 2032 is not in the rent year 7 April 2031 to 4 April 2032",
    ]


def test_a_week_already_charged_cannot_become_rent_free(manager):
    tenancy = TenancyFactory(start_date=date(2024, 4, 1))
    scheme = tenancy.property.scheme
    with pytest.raises(ValidationError, match="already been charged for the week commencing 23 December 2024"):
        scheme_rent_free_weeks_set(
            by=manager, scheme=scheme, year_starting=date(2024, 4, 1), weeks=[date(2024, 12, 23)]
        )
    # A scheme with nobody in it then (a new scheme being loaded) may have its past calendar set.
    empty = SchemeFactory()
    assert scheme_rent_free_weeks_set(by=None, scheme=empty, year_starting=date(2024, 4, 1), weeks=[date(2024, 12, 23)])


def test_only_managers_see_deleting_nowhere(manager):
    """No service deletes a provider, scheme, patch or home; Admin offers no delete for them either."""
    from django.contrib import admin
    from django.test import RequestFactory

    from tenancies.models import Patch, Provider, Scheme

    request = RequestFactory().get("/")
    request.user = UserFactory(is_superuser=True)
    for model in (Provider, Scheme, Patch):
        assert admin.site._registry[model].has_delete_permission(request) is False
    assert Property not in admin.site._registry


def test_a_nightly_sync_of_unchanged_rows_costs_no_query_but_the_charges_read():
    patch = PatchFactory(name="North")
    home = _home(patch=patch, uprn="100120012345", bedrooms=2)
    property_charges_set(
        by=None, property=home, effective_from=date(2025, 4, 7), charges=[ChargeSpec(RENT, Decimal("90"))]
    )
    scheme, provider = home.scheme, home.scheme.provider
    with CaptureQueriesContext(connection) as queries:
        assert not property_update(
            by=None,
            property=home,
            address_line_1="14 Harbour Road",
            town="Bristol",
            postcode="BS1 6TY",
            scheme=scheme,
            patch=patch,
            uprn="100120012345",
            bedrooms=2,
        )
        assert not scheme_update(by=None, scheme=scheme, code=scheme.code, name=scheme.name, provider=provider)
        assert not provider_update(by=None, provider=provider, name=provider.name, address=provider.address)
        assert not patch_update(by=None, patch=patch, name="North", officer=None)
    assert len(queries) == 0
    with CaptureQueriesContext(connection) as queries:
        assert not property_charges_set(
            by=None, property=home, effective_from=date(2025, 4, 7), charges=[ChargeSpec(RENT, Decimal("90.00"))]
        )
    assert len(queries) == 1
