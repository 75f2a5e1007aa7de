"""The people screens: search, add, change, a person's page, duplicates, merge; sensitive notes by role."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied

from incomeapp.constants import Role
from tenancies.models import Person, StaffScope, TenancyTenant
from tenancies.services_people import person_update
from tests.factories import PersonFactory, TenancyFactory, UserFactory, dmy, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def amira():
    return PersonFactory(
        first_name="Amira",
        last_name="Okonkwo",
        date_of_birth=date(1980, 3, 27),
        vulnerability_notes="Recent bereavement.",
        health_notes="Diabetic.",
    )


def _login(client, user):
    client.force_login(user)
    return client


def test_a_support_worker_reads_a_person_without_sensitive_notes_and_cannot_change_them(client, amira):
    support = user_with_role(Role.SUPPORT_WORKER)
    # A support worker sees the people of the schemes they support (tenancies.scoping).
    StaffScope.objects.create(user=support, scheme=TenancyFactory(lead_tenant=amira).property.scheme)
    html = _login(client, support).get(f"/people/{amira.pk}/").content.decode()
    assert "Amira Okonkwo" in html
    assert "Recent bereavement" not in html and "Diabetic" not in html
    assert "Change details" not in html
    assert client.get("/people/add/").status_code == 403
    assert client.get(f"/people/{amira.pk}/change/").status_code == 403
    assert client.post(f"/people/{amira.pk}/change/", {"first_name": "X", "last_name": "Y"}).status_code == 403
    with pytest.raises(PermissionDenied):
        person_update(by=support, person=amira, vulnerability_notes="")


def test_an_officer_sees_the_sensitive_notes(client, officer, amira):
    html = _login(client, officer).get(f"/people/{amira.pk}/").content.decode()
    assert "Recent bereavement." in html and "Diabetic." in html


def test_the_notes_fields_are_neither_shown_to_nor_accepted_from_someone_who_may_not_see_them(client, amira):
    clerk = UserFactory()
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_person", "change_person"], content_type__app_label="tenancies")
    )
    _login(client, clerk)
    html = client.get(f"/people/{amira.pk}/change/").content.decode()
    assert "vulnerability_notes" not in html and "Recent bereavement" not in html
    response = client.post(
        f"/people/{amira.pk}/change/",
        {"first_name": "Amira", "last_name": "Okonkwo-Bello", "preferred_contact": "letter", "vulnerability_notes": ""},
    )
    assert response.status_code == 302
    amira.refresh_from_db()
    assert (amira.last_name, amira.vulnerability_notes) == ("Okonkwo-Bello", "Recent bereavement.")


def test_adding_a_person_shows_errors_keeps_what_was_typed_then_says_what_it_did(client, officer):
    _login(client, officer)
    page = client.get("/people/add/").content.decode()
    assert "Vulnerability notes" in page
    response = client.post(
        "/people/add/",
        {
            "first_name": "Dan",
            "last_name": "",
            "email": "dan@",
            "phone": "07700 900123",
            "preferred_contact": "letter",
            **dmy(date(1990, 1, 2), "date_of_birth"),
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "Enter the person&#x27;s last name" in html
    assert 'value="Dan"' in html and 'value="07700 900123"' in html
    assert not Person.objects.exists()

    response = client.post(
        "/people/add/",
        {
            "first_name": "Dan",
            "last_name": "Whitfield",
            "email": "dan@example.com",
            "phone": "07700 900123",
            "preferred_contact": "email",
            "preferred_language": "Polish",
            **dmy(date(1990, 1, 2), "date_of_birth"),
            "vulnerability_notes": "Hearing loss",
        },
        follow=True,
    )
    dan = Person.objects.get()
    assert (dan.date_of_birth, dan.preferred_language, dan.vulnerability_notes) == (
        date(1990, 1, 2),
        "Polish",
        "Hearing loss",
    )
    assert response.redirect_chain[-1][0] == f"/people/{dan.pk}/"
    assert "Added Dan Whitfield." in response.content.decode()


def test_a_future_date_of_birth_is_refused_beside_the_field(client, officer):
    _login(client, officer)
    html = client.post(
        "/people/add/",
        {"first_name": "A", "last_name": "B", "preferred_contact": "letter", **dmy(date(2999, 1, 1), "date_of_birth")},
    ).content.decode()  # fmt: skip
    assert "Date of birth must be today or in the past" in html
    assert 'href="#id_date_of_birth' in html


def test_changing_says_what_changed(client, officer, amira):
    _login(client, officer)
    response = client.post(
        f"/people/{amira.pk}/change/",
        {
            "first_name": "Amira",
            "last_name": "Okonkwo",
            "phone": "07700 900999",
            "preferred_contact": "letter",
            "preferred_language": "English",
            **dmy(date(1980, 3, 27), "date_of_birth"),
            "vulnerability_notes": "Recent bereavement.",
            "health_notes": "Diabetic.",
        },
        follow=True,
    )
    assert "Saved Amira Okonkwo&#x27;s details: changed phone number." in response.content.decode()


def test_a_person_s_page_lists_every_tenancy_lead_or_joint_current_and_former(client, officer, amira):
    TenancyFactory(payment_reference="RW000010", lead_tenant=amira)
    former = TenancyFactory(payment_reference="RW000011", status="former", end_date=date(2024, 9, 1))
    TenancyTenant.objects.create(tenancy=former, person=amira, is_lead=False)
    html = _login(client, officer).get(f"/people/{amira.pk}/").content.decode()
    assert 'href="/tenancies/RW000010/"' in html and 'href="/tenancies/RW000011/"' in html
    assert "Sole tenant" in html and "Joint tenant" in html
    assert html.index("RW000010") < html.index("RW000011")  # current first


def test_search_page_finds_by_date_of_birth(client, officer, amira):
    html = _login(client, officer).get("/people/", {"q": "27/03/1980"}).content.decode()
    assert f'href="/people/{amira.pk}/"' in html
    assert "1 person match" in html


def test_duplicates_show_on_the_person_page_and_the_list(client, officer, amira):
    twin = PersonFactory(first_name="AMIRA", last_name="okonkwo", date_of_birth=date(1980, 3, 27))
    _login(client, officer)
    html = client.get(f"/people/{amira.pk}/").content.decode()
    assert f"/people/merge/{amira.pk}/{twin.pk}/" in html
    assert "Same name and date of birth" in html
    listing = client.get("/people/duplicates/").content.decode()
    assert "1 likely duplicate pair" in listing
    assert f"/people/merge/{amira.pk}/{twin.pk}/" in listing


def test_merging_through_the_screens_compares_checks_then_merges(client, officer, amira):
    twin = PersonFactory(
        first_name="Amira", last_name="Okonkwo", date_of_birth=date(1980, 3, 27), phone="07700 900123",
        vulnerability_notes="Recent bereavement.", health_notes="Diabetic.",
    )  # fmt: skip
    TenancyFactory(payment_reference="RW000020", lead_tenant=twin)
    _login(client, officer)
    url = f"/people/merge/{amira.pk}/{twin.pk}/"
    html = client.get(url).content.decode()
    assert "The two records side by side" in html and "Different" in html

    answers = {"keep": str(amira.pk), "choose_phone": "second", "reason": "Same person, checked on a call"}
    missing = client.post(url, {"check": "Continue", "reason": "x"}).content.decode()
    assert "Choose which record to keep" in missing

    check = client.post(url, {**answers, "check": "Continue"}).content.decode()
    assert "Check before you merge" in check
    assert "RW000020" in check and "07700 900123" in check
    assert Person.objects.get(pk=twin.pk).merged_into is None  # nothing happened yet

    done = client.post(url, {**answers, "confirm": "1"}, follow=True)
    text = done.content.decode()
    assert done.redirect_chain[-1][0] == f"/people/{amira.pk}/"
    assert f"Merged record {twin.pk} into Amira Okonkwo&#x27;s record. Moved 1 tenancy to this record." in text
    twin.refresh_from_db()
    amira.refresh_from_db()
    assert twin.merged_into == amira and amira.phone == "07700 900123"
    merged_page = client.get(f"/people/{twin.pk}/").content.decode()
    assert "This record was merged into" in merged_page and f'href="/people/{amira.pk}/"' in merged_page
    # Merging again is refused on the page.
    assert "already merged into another one" in client.get(url).content.decode()


def test_the_tenancy_page_links_named_tenants_and_shows_history(client, officer, amira):
    tenancy = TenancyFactory(payment_reference="RW000030", lead_tenant=amira)
    tenancy.payment_method = "direct_debit"
    tenancy._change_reason = "Mandate set up"
    tenancy.save()
    html = _login(client, officer).get("/tenancies/RW000030/").content.decode()
    assert f'href="/people/{amira.pk}/"' in html
    assert 'id="history-heading"' in html
    assert "Bank transfer" in html and "Mandate set up" in html


def test_searching_people_by_one_of_our_references_checks_its_check_digit(client, officer, amira):
    from tenancies.references import payment_reference_for

    good = payment_reference_for(18)  # RW00000182
    TenancyFactory(payment_reference=good, lead_tenant=amira)
    _login(client, officer)
    found = client.get("/people/", {"q": "rw 0000 0182"}).content.decode()
    assert f'href="/people/{amira.pk}/"' in found
    wrong = client.get("/people/", {"q": good[:-1] + "9"}).content.decode()
    assert "govuk-error-summary" in wrong
    assert "is not a valid payment reference: its last digit (the check digit) does not match" in wrong
    assert f'href="/people/{amira.pk}/"' not in wrong
