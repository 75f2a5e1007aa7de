"""Access to special-category data (health, vulnerability, a mental health crisis Breathing Space; R-DP-03) is logged
whenever a page shows it, and an income manager reviews the log; officers may not."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from arrears.constants import BreathingSpaceKind
from arrears.models import ArrearsCase
from arrears.services import breathing_space_record, policies_install_shipped
from incomeapp.constants import Role
from privacy.models import SpecialCategoryAccess
from tests.factories import PersonFactory, TenancyFactory, UserFactory, user_with_role
from tests.privacy.conftest import post

pytestmark = pytest.mark.django_db


@pytest.fixture
def amira():
    return PersonFactory(
        first_name="Amira", last_name="Okonkwo", vulnerability_notes="Recent bereavement.", health_notes="Diabetic."
    )


def _logged_on_viewing(client, officer, url: str, showing: str) -> tuple:
    """The officer opens `url`, which shows `showing`: the one access-log row written, as (person, categories, view)."""
    client.force_login(officer)
    assert showing in client.get(url).content.decode()
    access = SpecialCategoryAccess.objects.get()
    return access.person_record, access.categories, access.view_name


def test_an_officer_shown_a_persons_sensitive_notes_writes_one_log_row(client, officer, amira):
    client.force_login(officer)
    html = client.get(f"/people/{amira.pk}/").content.decode()
    assert "Diabetic." in html
    access = SpecialCategoryAccess.objects.get()
    assert (access.viewed_by, access.person_record, access.path) == (officer, amira.pk, f"/people/{amira.pk}/")
    assert (access.categories, access.view_name) == ("health,vulnerability", "people:detail")


def test_someone_who_may_not_see_the_notes_writes_nothing(client, amira):
    # Like a Housing or Support Worker: may read people, may not see their notes (and sees every landlord's people).
    clerk = UserFactory()
    clerk.user_permissions.add(Permission.objects.get(codename="view_person", content_type__app_label="tenancies"))
    client.force_login(clerk)
    html = client.get(f"/people/{amira.pk}/").content.decode()
    assert "Amira Okonkwo" in html and "Diabetic." not in html
    assert not SpecialCategoryAccess.objects.exists()


def test_a_person_with_no_notes_writes_nothing(client, officer):
    client.force_login(officer)
    client.get(f"/people/{PersonFactory().pk}/")
    assert not SpecialCategoryAccess.objects.exists()


def test_the_tenancy_page_logs_each_tenants_notes_it_shows(client, officer, amira):
    tenancy = TenancyFactory(lead_tenant=amira)
    assert _logged_on_viewing(client, officer, f"/tenancies/{tenancy.payment_reference}/", "Recent bereavement.") == (
        amira.pk,
        "health,vulnerability",
        "tenancies:detail",
    )


def test_a_mental_health_crisis_breathing_space_on_the_case_page_is_logged_for_its_debtor(client, officer, law):
    policies_install_shipped()
    debtor = PersonFactory(first_name="Dee", last_name="Debtor")
    tenancy = TenancyFactory(lead_tenant=debtor)
    today = timezone.localdate()
    account = post(tenancy, "300.00", today - timedelta(days=30))
    case = ArrearsCase.objects.create(account=account, opened_on=today - timedelta(days=20))
    breathing_space_record(
        tenancy=tenancy,
        kind=BreathingSpaceKind.MENTAL_HEALTH_CRISIS,
        starts_on=today - timedelta(days=5),
        debtor=debtor,
        recorded_by=officer,
    )
    assert _logged_on_viewing(client, officer, f"/worklist/cases/{case.pk}/", "Mental health crisis") == (
        debtor.pk,
        "mental_health_crisis",
        "arrears:case",
    )


def test_an_income_manager_reviews_the_log_by_staff_member_and_person_and_officers_may_not(client, officer, amira):
    someone_else = PersonFactory(first_name="Sam", last_name="Second", health_notes="Asthma.")
    client.force_login(officer)
    client.get(f"/people/{amira.pk}/")
    other_officer = user_with_role(Role.INCOME_OFFICER, first_name="Tia", last_name="Other")
    client.force_login(other_officer)
    client.get(f"/people/{someone_else.pk}/")

    assert client.get("/privacy/access-log/").status_code == 403
    client.force_login(user_with_role(Role.SYSTEM_ADMINISTRATOR))
    assert client.get("/privacy/access-log/").status_code == 403

    client.force_login(user_with_role(Role.INCOME_MANAGER))
    html = client.get("/privacy/access-log/").content.decode()
    assert "Olu Officer" in html and f"Amira Okonkwo (record {amira.pk})" in html and "Health, Vulnerability" in html
    assert "Sam Second" in html
    by_officer = client.get(f"/privacy/access-log/?staff={officer.pk}").content.decode()
    assert "Amira Okonkwo (record" in by_officer and "Sam Second (record" not in by_officer
    by_person = client.get(f"/privacy/access-log/?person={someone_else.pk}").content.decode()
    assert "Sam Second (record" in by_person and "Amira Okonkwo (record" not in by_person
    by_category = client.get("/privacy/access-log/?category=mental_health_crisis").content.decode()
    assert "No views match" in by_category
    assert "Enter a record number" in client.get("/privacy/access-log/?person=Amira").content.decode()
