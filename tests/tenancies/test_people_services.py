"""person_create and person_update: validation in plain English, sensitive notes, and 'unchanged changes nothing'."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incomeapp.constants import Role
from tenancies.models import Person
from tenancies.services_people import person_create, person_update, phone_digits
from tests.factories import PersonFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_create_trims_and_records_who_and_why(officer):
    person = person_create(
        by=officer,
        first_name="  Amira ",
        last_name="Okonkwo",
        date_of_birth=date(1980, 3, 27),
        phone=" 07700  900123 ",
        email="amira@example.com",
        reason="Met at the office",
    )
    person.refresh_from_db()
    assert (person.first_name, person.phone, person.preferred_language) == ("Amira", "07700 900123", "English")
    record = person.history.get()
    assert record.history_type == "+"
    assert record.history_user == officer
    assert record.history_change_reason == "Met at the office"


def test_create_names_every_problem_in_plain_english(officer):
    with pytest.raises(ValidationError) as caught:
        person_create(
            by=officer,
            first_name=" ",
            last_name="",
            date_of_birth=date.today() + timedelta(days=1),
            email="amira@",
            phone="12345",
        )
    errors = caught.value.message_dict
    assert errors["first_name"] == ["Enter the person's first name"]
    assert errors["last_name"] == ["Enter the person's last name"]
    assert errors["date_of_birth"] == ["Date of birth must be today or in the past"]
    assert errors["email"] == ["Enter an email address in the correct format, like name@example.com"]
    assert errors["phone"] == ["Enter a UK phone number with 10 or 11 digits, like 07700 900123 or 0117 496 0123"]
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("07700 900123", "07700900123"),
        ("+44 7700 900123", "07700900123"),
        ("0044 7700 900123", "07700900123"),
        ("(0117) 496-0123", "01174960123"),
    ],
)
def test_uk_phone_numbers_are_checked_loosely(officer, typed, digits):
    person = person_create(by=officer, first_name="A", last_name="B", phone=typed)
    assert phone_digits(person.phone) == digits


def test_letters_in_a_phone_number_are_refused(officer):
    with pytest.raises(ValidationError, match="only numbers, spaces and brackets"):
        person_create(by=officer, first_name="A", last_name="B", phone="07700 CALL ME")


def test_a_support_worker_may_not_add_people():
    with pytest.raises(PermissionDenied):
        person_create(by=user_with_role(Role.SUPPORT_WORKER), first_name="A", last_name="B")


def test_sensitive_notes_need_the_permission():
    # A user who may add and change people but not see sensitive notes (an administrator gave them only those).
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    clerk = UserFactory()
    clerk.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="tenancies", codename__in=["add_person", "change_person"])
    )
    with pytest.raises(PermissionDenied, match="vulnerability or health notes"):
        person_create(by=clerk, first_name="A", last_name="B", health_notes="Diabetic")
    person = person_create(by=clerk, first_name="A", last_name="B")
    with pytest.raises(PermissionDenied):
        person_update(by=clerk, person=person, vulnerability_notes="Bereaved")
    # Sending the same (blank) notes back is not a change, so it is allowed.
    assert person_update(by=clerk, person=person, vulnerability_notes="", first_name="Anne") is True
    # The system (a data load) may record them.
    assert person_update(by=None, person=person, health_notes="Diabetic") is True
    person.refresh_from_db()
    assert person.health_notes == "Diabetic"


def test_update_returns_false_and_writes_nothing_when_nothing_changed(officer):
    person = PersonFactory(
        first_name="Dan", last_name="Whitfield", phone="07700 900123", date_of_birth=date(1990, 1, 2)
    )
    before = person.history.count()
    with CaptureQueriesContext(connection) as queries:
        changed = person_update(
            by=None,
            person=person,
            first_name=" Dan",
            last_name="Whitfield",
            phone="07700 900123",
            date_of_birth=date(1990, 1, 2),
        )
    assert changed is False
    assert person.history.count() == before
    assert not [q for q in queries.captured_queries if q["sql"].startswith(("UPDATE", "INSERT"))]


def test_update_saves_only_what_changed_with_the_reason(officer):
    person = PersonFactory(first_name="Dan", last_name="Whitfield", email="")
    assert person_update(by=officer, person=person, email="DAN@example.com", reason="Told us on the phone") is True
    person.refresh_from_db()
    assert person.email == "DAN@example.com"
    latest = person.history.first()
    assert (latest.history_user, latest.history_change_reason) == (officer, "Told us on the phone")


def test_update_refuses_unknown_fields_and_merged_records(officer):
    person = PersonFactory()
    with pytest.raises(ValidationError, match="not something that can be changed"):
        person_update(by=officer, person=person, merged_into=PersonFactory())
    merged = PersonFactory(merged_into=person)
    with pytest.raises(ValidationError, match="merged into another one"):
        person_update(by=officer, person=merged, first_name="Changed")


def test_create_is_one_insert_and_one_history_row():
    with CaptureQueriesContext(connection) as queries:
        person_create(by=None, first_name="Load", last_name="Row", source_reference="P-1", reason="Data load")
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(writes) == 2  # the person and its history row
    assert len(queries.captured_queries) <= 4  # plus the savepoint around it
