"""person_merge: every row pointing at the duplicate moves (found generically); the duplicate stays, marked merged."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from arrears.constants import ContactKind, ContactOutcome
from arrears.models import ArrearsCase, Contact
from documents.models import Document
from incomeapp.constants import Role
from rentaccounts.services import account_get_or_create
from tenancies.history import history_entries
from tenancies.models import Person, TenancyTenant
from tenancies.selectors_people import likely_duplicate_pairs, person_search
from tenancies.services_people import person_merge
from tests.factories import PersonFactory, TenancyFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    keep = PersonFactory(first_name="Amira", last_name="Okonkwo", date_of_birth=date(1980, 3, 27), phone="")
    duplicate = PersonFactory(
        first_name="Amira", last_name="Okonkwo", date_of_birth=date(1980, 3, 27), phone="07700 900123"
    )
    return keep, duplicate


def test_a_merge_moves_tenancies_contacts_and_documents_and_keeps_the_duplicate(officer, pair):
    keep, duplicate = pair
    own = TenancyFactory(payment_reference="RW000001", lead_tenant=keep)
    former = TenancyFactory(payment_reference="RW000002", lead_tenant=duplicate, status="former")
    case = ArrearsCase.objects.create(account=account_get_or_create(tenancy=former), opened_on=date(2025, 1, 6))
    contact = Contact.objects.create(
        case=case, person=duplicate, kind=ContactKind.CALL, outcome=ContactOutcome.SPOKE, occurred_on=date(2025, 1, 7)
    )
    letter = Document.objects.create(
        kind="letter",
        reference="RW000002",
        subject_key=f"case:{case.pk}",
        recipient_name=duplicate.full_name,
        title="Arrears letter",
        pdf="documents/letter.pdf",
        sha256="0" * 64,
    )
    earlier = PersonFactory(first_name="A.", last_name="Okonkwo", merged_into=duplicate)

    kept = person_merge(
        by=officer, keep=keep, duplicate=duplicate, reason="Same person: checked on a call",
        values={"phone": "07700 900123"},
    )  # fmt: skip

    assert kept == keep
    assert set(keep.tenancies.values_list("payment_reference", flat=True)) == {"RW000001", "RW000002"}
    assert not duplicate.tenancy_tenants.exists()
    contact.refresh_from_db()
    assert contact.person == keep
    # Documents are filed by payment reference: they follow the tenancy the kept record now holds.
    references = keep.tenancies.values_list("payment_reference", flat=True)
    assert list(Document.objects.filter(reference__in=references)) == [letter]
    # A record merged into the duplicate earlier now points at the kept record (no chains).
    earlier.refresh_from_db()
    assert earlier.merged_into == keep

    duplicate.refresh_from_db()
    keep.refresh_from_db()
    assert duplicate.merged_into == keep  # kept, not deleted
    assert keep.phone == "07700 900123"
    assert own.tenancy_tenants.get().person == keep
    assert kept.merge_moved == {"tenancy": 1, "contact": 1, "record merged in earlier": 1}

    # Merged records drop out of searches and duplicate lists.
    assert list(person_search(query="okonkwo")) == [keep]
    assert likely_duplicate_pairs() == ([], [])

    # Both histories say what happened and why.
    kept_entry = history_entries(obj=keep, viewer=officer)[0]
    assert kept_entry.who == "Priya Shah"
    assert kept_entry.reason == f"Merged in record {duplicate.pk} (Amira Okonkwo): Same person: checked on a call"
    assert [(c.label, c.old, c.new) for c in kept_entry.changes] == [("Phone", "(blank)", "07700 900123")]
    dup_entry = history_entries(obj=duplicate, viewer=officer)[0]
    assert dup_entry.reason == f"Merged into record {keep.pk} (Amira Okonkwo): Same person: checked on a call"
    assert [(c.label, c.new) for c in dup_entry.changes] == [("Merged into", "Amira Okonkwo")]


def test_both_named_on_one_tenancy_leaves_one_row_and_keeps_the_lead(officer, pair):
    keep, duplicate = pair
    tenancy = TenancyFactory(lead_tenant=duplicate)
    TenancyTenant.objects.create(tenancy=tenancy, person=keep, is_lead=False)
    person_merge(by=officer, keep=keep, duplicate=duplicate, reason="Entered twice at sign-up")
    rows = list(tenancy.tenancy_tenants.all())
    assert [(row.person, row.is_lead) for row in rows] == [(keep, True)]


def test_a_merge_is_refused_into_itself_into_a_merged_record_or_without_a_reason(officer, pair):
    keep, duplicate = pair
    with pytest.raises(ValidationError, match="cannot be merged into itself"):
        person_merge(by=officer, keep=keep, duplicate=keep, reason="Same")
    with pytest.raises(ValidationError, match="Enter why"):
        person_merge(by=officer, keep=keep, duplicate=duplicate, reason="  ")
    with pytest.raises(ValidationError, match="500 characters or fewer"):
        person_merge(by=officer, keep=keep, duplicate=duplicate, reason="x" * 501)
    gone = PersonFactory(merged_into=keep)
    with pytest.raises(ValidationError, match="already merged into another one, so nothing can be merged into it"):
        person_merge(by=officer, keep=gone, duplicate=duplicate, reason="Same")
    with pytest.raises(ValidationError, match="already merged into another one"):
        person_merge(by=officer, keep=duplicate, duplicate=gone, reason="Same")
    assert Person.objects.get(pk=duplicate.pk).merged_into is None


def test_a_support_worker_may_not_merge(pair):
    keep, duplicate = pair
    with pytest.raises(PermissionDenied):
        person_merge(by=user_with_role(Role.SUPPORT_WORKER), keep=keep, duplicate=duplicate, reason="Same")


def test_the_duplicate_s_source_reference_goes_to_a_kept_record_without_one(officer, pair):
    keep, duplicate = pair
    duplicate.source_reference = "HMS-77"
    duplicate.save()
    person_merge(by=officer, keep=keep, duplicate=duplicate, reason="Same")
    keep.refresh_from_db()
    assert keep.source_reference == "HMS-77"
