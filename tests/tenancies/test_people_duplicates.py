"""Likely duplicates: same name and date of birth, same phone (digits, +44 as 0) or same email; set-based queries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenancies.selectors_people import (
    LARGEST_GROUP_PAIRED,
    REASON_EMAIL,
    REASON_NAME_AND_BIRTH,
    REASON_PHONE,
    duplicate_pairs_with_people,
    likely_duplicate_pairs,
    people_by_source_reference,
    person_for_source_reference,
    person_likely_duplicates,
    person_search,
)
from tests.factories import PersonFactory, TenancyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    amira = PersonFactory(
        first_name="Amira", last_name="Okonkwo", date_of_birth=date(1980, 3, 27), phone="07700 900123", email=""
    )
    return {
        "amira": amira,
        # Same name (other case and spacing) and date of birth.
        "amira_again": PersonFactory(first_name="amira ", last_name="OKON KWO", date_of_birth=date(1980, 3, 27)),
        # Same phone, written with +44.
        "phone": PersonFactory(first_name="A", last_name="Okonkwo", phone="+44 (7700) 900-123"),
        # Same name, another date of birth: not a duplicate.
        "namesake": PersonFactory(first_name="Amira", last_name="Okonkwo", date_of_birth=date(1981, 3, 27)),
        # Same email in other case, both unrelated to Amira.
        "dan": PersonFactory(first_name="Dan", last_name="Whitfield", email="Dan@Example.com"),
        "daniel": PersonFactory(first_name="Daniel", last_name="Whitfield", email="dan@example.com "),
        # Already merged into Amira: never offered.
        "merged": PersonFactory(
            first_name="Amira", last_name="Okonkwo", date_of_birth=date(1980, 3, 27), merged_into=amira
        ),
    }


def test_a_person_s_likely_duplicates_with_why(people):
    found = {d.person.pk: d.reasons for d in person_likely_duplicates(person=people["amira"])}
    assert found == {
        people["amira_again"].pk: [REASON_NAME_AND_BIRTH],
        people["phone"].pk: [REASON_PHONE],
    }
    assert {d.person.pk: d.reasons for d in person_likely_duplicates(person=people["dan"])} == {
        people["daniel"].pk: [REASON_EMAIL]
    }
    assert person_likely_duplicates(person=people["namesake"]) == []
    assert person_likely_duplicates(person=people["merged"]) == []


def test_one_pair_matching_on_several_things_lists_every_reason():
    a = PersonFactory(first_name="Jo", last_name="Bloggs", date_of_birth=date(1970, 1, 1), phone="0117 496 0123")
    b = PersonFactory(first_name="JO", last_name="bloggs", date_of_birth=date(1970, 1, 1), phone="01174960123")
    PersonFactory(first_name="Someone", last_name="Else", email="x@example.com")
    pairs, shared = likely_duplicate_pairs()
    assert [(p.first, p.second, p.reasons) for p in pairs] == [(a.pk, b.pk, [REASON_NAME_AND_BIRTH, REASON_PHONE])]
    assert shared == []


def test_the_pairs_list_uses_a_fixed_number_of_queries(people):
    for n in range(30):
        PersonFactory(first_name=f"Twin{n}", last_name="Pair", phone=f"07700 90{n:04d}")
        PersonFactory(first_name=f"Other{n}", last_name="Pair", phone=f"+447700 90{n:04d}")
    with CaptureQueriesContext(connection) as queries:
        pairs, _ = likely_duplicate_pairs()
        page = duplicate_pairs_with_people(pairs[:25])
    assert len(pairs) == 30 + 3  # 30 phone twins, Amira twice (name and phone), Dan and Daniel
    assert len(page) == 25
    assert len(queries.captured_queries) == 5  # three rules, the people of the page, their tenancies


def test_a_detail_shared_by_many_records_is_reported_not_paired():
    for n in range(LARGEST_GROUP_PAIRED + 1):
        PersonFactory(first_name=f"P{n}", last_name="Q", email="none@example.com")
    pairs, shared = likely_duplicate_pairs()
    assert pairs == []
    assert [(s.reason, s.value, s.count) for s in shared] == [
        (REASON_EMAIL, "none@example.com", LARGEST_GROUP_PAIRED + 1)
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("27/03/1980", {"amira", "amira_again"}),
        ("0044 7700 900123", {"amira", "phone"}),
        ("900123", {"amira", "phone"}),
        ("DAN@example.com", {"dan", "daniel"}),
        ("whitf", {"dan", "daniel"}),
        ("dan whit", {"dan", "daniel"}),
        ("amira okonkwo", {"amira", "namesake"}),  # "OKON KWO" does not start with "okonkwo"
    ],
)
def test_search_by_date_of_birth_phone_email_and_name_leaves_merged_records_out(people, query, expected):
    found = set(person_search(query=query).values_list("pk", flat=True))
    names = {name for name, person in people.items() if person.pk in found}
    assert names == expected


def test_search_by_payment_reference(people):
    TenancyFactory(payment_reference="RW424242", lead_tenant=people["dan"])
    assert list(person_search(query="rw424242")) == [people["dan"]]


def test_the_live_record_for_a_source_reference_follows_a_merge():
    kept = PersonFactory(source_reference="")
    PersonFactory(source_reference="HMS-9", merged_into=kept)
    other = PersonFactory(source_reference="HMS-10")
    assert person_for_source_reference("HMS-9") == kept
    assert person_for_source_reference("HMS-11") is None
    assert people_by_source_reference(["HMS-9", "HMS-10", "HMS-11"]) == {"HMS-9": kept, "HMS-10": other}


def test_a_name_and_birth_shared_by_many_records_reads_plainly():
    for _ in range(LARGEST_GROUP_PAIRED + 1):
        PersonFactory(first_name="Test", last_name="Tenant", date_of_birth=date(2000, 1, 1))
    pairs, shared = likely_duplicate_pairs()
    assert pairs == []
    assert [(s.reason, s.value) for s in shared] == [(REASON_NAME_AND_BIRTH, "test tenant, born 1 January 2000")]
