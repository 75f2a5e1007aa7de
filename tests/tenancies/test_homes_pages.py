"""The Homes screens: lists, the property and scheme pages, forms that keep what was typed, and who may do what."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from dashboards.services import kpi_snapshot_take
from incomeapp.constants import Role
from rentaccounts.services import account_get_or_create
from tenancies.forms_homes import initial_for_property
from tenancies.models import Patch, Property, PropertyCharge, Provider, Scheme
from tenancies.selectors_homes import financial_year_to_date, rent_year_start
from tests.factories import (
    PatchFactory,
    PersonFactory,
    PropertyFactory,
    SchemeFactory,
    TenancyFactory,
    london_noon,
    user_with_role,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 2)  # a Wednesday: the clock is set to it, so no figure moves if the run crosses midnight


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(london_noon(TODAY))


@pytest.fixture
def manager_client(client):
    client.force_login(user_with_role(Role.INCOME_MANAGER, first_name="Maya", last_name="Reid"))
    return client


@pytest.fixture
def home():
    scheme = SchemeFactory(code="HGN", name="Harbour general needs")
    return PropertyFactory(
        address_line_1="14 Harbour Road", town="Bristol", postcode="BS1 6TY", scheme=scheme, uprn="100120012345"
    )


def test_the_homes_list_searches_and_pages(manager_client, home):
    PropertyFactory(address_line_1="2 Quay Street", postcode="BS1 4DJ")
    html = manager_client.get("/homes/").content.decode()
    assert "14 Harbour Road" in html and "2 Quay Street" in html
    assert 'aria-current="page">Homes</a>' in html
    for label in ("Schemes", "Patches", "Providers", "Voids", "Rent changes", "Data loads"):
        assert f">{label}</a>" in html
    html = manager_client.get("/homes/", {"q": "harbour bs1"}).content.decode()
    assert "14 Harbour Road" in html and "2 Quay Street" not in html
    html = manager_client.get("/homes/", {"q": "100120012345"}).content.decode()
    assert "1 home found" in html
    html = manager_client.get("/homes/", {"q": "Nowhere"}).content.decode()
    assert "No home matches that search" in html
    for n in range(30):
        PropertyFactory(address_line_1=f"{n} Long Row", scheme=home.scheme)
    html = manager_client.get("/homes/", {"scheme": home.scheme.pk, "page": 2}).content.decode()
    assert "31 homes found" in html and "Page 2 of 2" in html


def test_the_property_page_shows_tenancies_charges_voids_and_history(manager_client, home):
    PropertyCharge.objects.create(
        property=home, charge_type="rent", amount=Decimal("70.00"), effective_from=TODAY - timedelta(days=100)
    )
    old = TenancyFactory(
        property=home,
        payment_reference="RW100001",
        start_date=TODAY - timedelta(days=100),
        end_date=TODAY - timedelta(days=30),
        status="former",
        lead_tenant=PersonFactory(first_name="Amira", last_name="Okonkwo"),
    )
    TenancyFactory(property=home, payment_reference="RW100002", start_date=TODAY - timedelta(days=2))
    manager_client.post(reverse("homes:property_change", args=[home.pk]), _property_post(home, bedrooms="3"))
    html = manager_client.get(reverse("homes:property", args=[home.pk])).content.decode()
    assert f'href="{reverse("tenancies:detail", args=["RW100001"])}"' in html
    assert "Amira Okonkwo" in html and "RW100002" in html
    assert "£70.00 a week" in html
    # Void from the day after RW100001 ended to the day before RW100002 began: 27 days at £10 a day = £270.00.
    assert "27 days, £270.00 in all" in html
    assert old.end_date + timedelta(days=1) == TODAY - timedelta(days=29)
    assert "Change history" in html and "By Maya Reid" in html and "Bedrooms" in html


def _property_post(home, **overrides):
    """The home's form as it opens, sent back with the fields in `overrides` typed over (a blank patch posts as "")."""
    return initial_for_property(home) | {"patch": home.patch_id or ""} | overrides


def test_adding_a_home_keeps_what_was_typed_when_something_is_wrong(manager_client, home):
    post = _property_post(
        home, address_line_1="7 New Street", postcode="NOT REAL", bedrooms="two", uprn="", building="H999999"
    )
    response = manager_client.post(reverse("homes:property_add"), post)
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html and "<title>Error: Add a home" in html
    assert "Enter the number of bedrooms as a whole number" in html
    assert "No home has the number or UPRN H999999" in html
    assert 'value="7 New Street"' in html and 'value="NOT REAL"' in html
    # The service's own check (the postcode) shows beside its field once the form's checks pass.
    response = manager_client.post(reverse("homes:property_add"), post | {"bedrooms": "2", "building": ""})
    assert "NOT REAL is not a postcode" in response.content.decode()
    response = manager_client.post(
        reverse("homes:property_add"),
        post | {"bedrooms": "2", "building": f"H{home.pk}", "postcode": "bs1 6ty", "unit_label": "Flat 2"},
    )
    flat = Property.objects.get(address_line_1="7 New Street")
    assert response["Location"] == reverse("homes:property", args=[flat.pk])
    assert (flat.parent, flat.postcode, flat.bedrooms) == (home, "BS1 6TY", 2)
    html = manager_client.get(response["Location"]).content.decode()
    assert "Home added: Flat 2, 7 New Street" in html


def test_setting_charges_from_a_date(manager_client, home):
    url = reverse("homes:property_charges", args=[home.pk])
    day = TODAY + timedelta(days=7)
    post = {
        "effective_from_0": day.day,
        "effective_from_1": day.month,
        "effective_from_2": day.year,
        "amount_rent": "£95.50",
        "amount_eligible_service": "4.50",
        "counts_as_rent": ["rent", "eligible_service"],
    }
    response = manager_client.post(url, post)
    assert response.status_code == 302
    assert sorted(
        PropertyCharge.objects.filter(property=home).values_list("charge_type", "amount", "counts_as_rent")
    ) == [
        ("eligible_service", Decimal("4.50"), True),
        ("rent", Decimal("95.50"), True),
    ]
    html = manager_client.get(response["Location"]).content.decode()
    assert f"Charges set from {day:%-d %B %Y}: £100.00 a week" in html
    # Nothing typed: one plain error and nothing written.
    response = manager_client.post(url, {"effective_from_0": "31", "effective_from_1": "2", "effective_from_2": "2027"})
    html = response.content.decode()
    assert "Enter a real date, like 6 4 2026" in html and "Enter at least one weekly charge" in html


def test_a_scheme_with_rent_free_weeks_and_its_page(manager_client):
    provider = Provider.objects.create(
        name="Harbour Housing", landlord_type="private_registered_provider", address="2 Wapping Wharf\nBristol"
    )
    response = manager_client.post(
        reverse("homes:scheme_add"),
        {"code": "HSN", "name": "Harbour supported", "scheme_type": "supported", "provider": provider.pk},
    )
    scheme = Scheme.objects.get(code="HSN")
    assert response["Location"] == reverse("homes:scheme", args=[scheme.pk])
    start = rent_year_start(TODAY)
    next_start = date(start.year + 1, 6, 1)
    url = reverse("homes:scheme_rent_free_weeks", args=[scheme.pk, next_start.year])
    christmas = date(next_start.year, 12, 25)
    monday = christmas - timedelta(days=christmas.weekday())
    html = manager_client.post(
        url,
        {
            "week_0_0": monday.day,
            "week_0_1": monday.month,
            "week_0_2": monday.year,
            "week_1_0": christmas.day,
            "week_1_1": christmas.month,
            "week_1_2": christmas.year,
        },
    ).content.decode()
    assert f"{christmas:%-d %B %Y} is a {christmas:%A}: enter the Monday the week starts on" in html
    response = manager_client.post(url, {"week_0_0": monday.day, "week_0_1": monday.month, "week_0_2": monday.year})
    assert list(scheme.rent_free_weeks.values_list("week_commencing", flat=True)) == [monday]
    html = manager_client.get(response["Location"]).content.decode()
    assert "Rent-free weeks for" in html and "1 rent-free, so" in html
    assert f"{monday:%-d %B %Y}" in html
    assert "Homes in use" in html and "Void rent loss this financial year" in html


def test_a_patch_with_an_officer_chosen_from_active_worklist_staff(manager_client):
    officer = user_with_role(Role.INCOME_OFFICER, first_name="Olu", last_name="Bakare")
    user_with_role(Role.SUPPORT_WORKER, first_name="Sam", last_name="Support")
    user_with_role(Role.INCOME_OFFICER, first_name="Gone", last_name="Away", is_active=False)
    html = manager_client.get(reverse("homes:patch_add")).content.decode()
    assert "Olu Bakare" in html and "Sam Support" not in html and "Gone Away" not in html
    response = manager_client.post(reverse("homes:patch_add"), {"name": "Harbour North", "officer": officer.pk})
    assert Patch.objects.get(name="Harbour North").officer == officer
    assert (
        "Patch added: Harbour North, worked by Olu Bakare" in manager_client.get(response["Location"]).content.decode()
    )


def test_retiring_a_let_home_is_refused_in_plain_words(manager_client):
    tenancy = TenancyFactory(payment_reference="RW200001")
    url = reverse("homes:property_retire", args=[tenancy.property.pk])
    html = manager_client.post(url, {"on_0": TODAY.day, "on_1": TODAY.month, "on_2": TODAY.year}).content.decode()
    assert "This home has a current tenancy (RW200001), so it cannot be retired" in html
    tenancy.property.refresh_from_db()
    assert tenancy.property.retired_on is None


def test_a_retired_home_is_kept_and_can_be_brought_back(manager_client, home):
    url = reverse("homes:property_retire", args=[home.pk])
    response = manager_client.post(url, {"on_0": TODAY.day, "on_1": TODAY.month, "on_2": TODAY.year}, follow=True)
    assert "is retired from" in response.content.decode()
    home.refresh_from_db()
    assert home.retired_on == TODAY
    assert "14 Harbour Road" not in manager_client.get("/homes/").content.decode()
    assert "14 Harbour Road" in manager_client.get("/homes/", {"retired": "on"}).content.decode()
    assert "Bring it back into use" in manager_client.get(url).content.decode()
    manager_client.post(url)
    home.refresh_from_db()
    assert home.retired_on is None


def test_no_page_deletes_a_home_scheme_patch_or_provider(manager_client, home):
    from django.urls import get_resolver

    names = [name for name in get_resolver().reverse_dict if isinstance(name, str)]
    assert not [name for name in names if "delete" in name and name.startswith(("homes", "property", "scheme"))]
    assert manager_client.post(f"/homes/{home.pk}/delete/").status_code == 404
    assert Property.objects.filter(pk=home.pk).exists()


@pytest.mark.parametrize("role", [Role.INCOME_OFFICER, Role.SUPPORT_WORKER])
def test_officers_and_support_workers_cannot_reach_the_create_and_edit_pages(client, role, home):
    client.force_login(user_with_role(role))
    scheme, patch = home.scheme, PatchFactory()
    provider = scheme.provider
    urls = [
        reverse("homes:property_add"),
        reverse("homes:property_change", args=[home.pk]),
        reverse("homes:property_charges", args=[home.pk]),
        reverse("homes:property_retire", args=[home.pk]),
        reverse("homes:scheme_add"),
        reverse("homes:scheme_change", args=[scheme.pk]),
        reverse("homes:scheme_rent_free_weeks", args=[scheme.pk, 2026]),
        reverse("homes:scheme_retire", args=[scheme.pk]),
        reverse("homes:patch_add"),
        reverse("homes:patch_change", args=[patch.pk]),
        reverse("homes:patch_retire", args=[patch.pk]),
        reverse("homes:provider_add"),
        reverse("homes:provider_change", args=[provider.pk]),
        reverse("homes:provider_retire", args=[provider.pk]),
    ]
    # The area is the managers': its lists and pages are refused too.
    urls += [
        reverse("homes:index"),
        reverse("homes:property", args=[home.pk]),
        reverse("homes:voids"),
        reverse("homes:schemes"),
        reverse("homes:scheme", args=[scheme.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "x"}).status_code == 403, url
    home.refresh_from_db()
    assert home.retired_on is None


def test_the_voids_page_sorts_and_filters(manager_client):
    far = SchemeFactory(name="Far scheme")
    for address, weekly, days_void, scheme in (
        ("1 Long Void", "70.00", 70, None),
        ("2 Dear Void", "140.00", 14, None),
        ("3 Other Void", "70.00", 7, far),
    ):
        home = PropertyFactory(address_line_1=address, **({"scheme": scheme} if scheme else {}))
        PropertyCharge.objects.create(
            property=home,
            charge_type="rent",
            amount=Decimal(weekly),
            effective_from=TODAY - timedelta(days=days_void - 1),
        )
    html = manager_client.get(reverse("homes:voids")).content.decode()
    # 1 Long Void: 70 days at £10 = £700.00; 2 Dear Void: 14 days at £20 = £280.00; 3 Other Void: 7 days = £70.00.
    assert html.index("1 Long Void") < html.index("2 Dear Void") < html.index("3 Other Void")
    assert "3 homes, £1,050.00 rent lost in their current voids so far" in html
    html = manager_client.get(reverse("homes:voids"), {"order": "address"}).content.decode()
    assert "<strong>Address</strong>" in html
    html = manager_client.get(reverse("homes:voids"), {"scheme": far.pk}).content.decode()
    assert "3 Other Void" in html and "1 Long Void" not in html


def test_the_schemes_patches_and_providers_lists(manager_client, home):
    PropertyCharge.objects.create(
        property=home, charge_type="rent", amount=Decimal("70.00"), effective_from=TODAY - timedelta(days=1)
    )
    html = manager_client.get(reverse("homes:schemes")).content.decode()
    assert "Harbour general needs" in html and "£20.00" in html  # 2 days void at £10 a day
    assert home.patch.name in manager_client.get(reverse("homes:patches")).content.decode()
    assert home.scheme.provider.name in manager_client.get(reverse("homes:providers")).content.decode()


def test_the_managers_dashboard_shows_voids(manager_client):
    start, _ = financial_year_to_date(TODAY)
    home = PropertyFactory(address_line_1="9 Empty Street")
    # Void from the later of 1 April and 13 days ago: at £7.00 a week, £1.00 a day.
    since = max(start, TODAY - timedelta(days=13))
    PropertyCharge.objects.create(property=home, charge_type="rent", amount=Decimal("7.00"), effective_from=since)
    days = (TODAY - since).days + 1
    html = manager_client.get("/dashboards/").content.decode()
    assert "There are no figures yet" in html and "Homes void now" not in html  # no snapshot: nothing worked out live
    # The dashboard reads the figures kept with the weekly snapshot, as at the week's last day.
    account_get_or_create(tenancy=TenancyFactory(start_date=start))  # a let home too: the KPIs need an account
    kpi_snapshot_take(week_ending=TODAY)
    html = manager_client.get("/dashboards/").content.decode()
    assert "Homes void now" in html and "Void rent loss this year" in html
    assert f"£{days}.00" in html and f"{days} void day" in html
    assert f'href="{reverse("homes:voids")}"' in html
