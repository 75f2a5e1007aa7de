"""Subject access export (UK GDPR Art 15, legal-spec §10): everything held about a person as a zip of JSON and their
PDFs; another person's data is not in it; only an income manager may make one, and making one is logged."""

import io
import json
import zipfile
from datetime import date

import pypdf
import pytest
from django.core.exceptions import PermissionDenied

from arrears.constants import ContactKind, ContactOutcome
from arrears.models import ArrearsCase
from arrears.review import review_run
from arrears.services import policies_install_shipped, vulnerability_review_record
from incomeapp.constants import Role
from privacy.models import SpecialCategoryAccess, SubjectAccessExport
from privacy.subject_access import subject_access_export_make
from rentaccounts.constants import TransactionType
from tenancies.models import TenancyTenant
from tenancies.services_people import person_update
from tests.factories import PersonFactory, TenancyFactory, user_with_role
from tests.privacy.conftest import letter_to, post, spoke_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return user_with_role(Role.INCOME_MANAGER, first_name="Mina", last_name="Manager")


@pytest.fixture
def amira(officer, law):
    """Amira, a joint tenant with Jo: a ledger, an arrears case with contacts, a review, letters, a vulnerability
    review and a change in her record's history. Bob, on another tenancy, has his own of each."""
    policies_install_shipped()
    amira = PersonFactory(
        first_name="Amira", last_name="Okonkwo", health_notes="Diabetic.", date_of_birth=date(1980, 3, 27)
    )
    person_update(by=officer, person=amira, phone="07700 900123", reason="Told us by phone")
    tenancy = TenancyFactory(lead_tenant=amira)
    jo = PersonFactory(first_name="Jo", last_name="Jointer")
    TenancyTenant.objects.create(tenancy=tenancy, person=jo, is_lead=False)
    account = post(tenancy, "100.00", date(2024, 4, 1))
    post(tenancy, "-60.00", date(2024, 4, 5), TransactionType.PAYMENT)
    case = ArrearsCase.objects.create(account=account, opened_on=date(2024, 4, 8))
    spoke_with(case, amira, date(2024, 4, 9), "Promised to pay on Friday.", officer)
    spoke_with(case, jo, date(2024, 4, 10), "Jo spoke about their own job.", officer)
    vulnerability_review_record(
        case=case, reviewed_on=date(2024, 4, 10), vulnerable=False, reviewed_by=officer, notes="Managing well."
    )
    review_run(as_of=date(2024, 4, 15), account_ids=[account.pk])
    letter_to(tenancy, "Ms Amira Okonkwo", "Dear Amira,\n\nYour rent account shows £40.00 owing.")
    letter_to(tenancy, "Jo Jointer", "Dear Jo,\n\nA letter for Jo alone.")

    bob = PersonFactory(first_name="Bob", last_name="Bystander", health_notes="Asthma.")
    other = TenancyFactory(lead_tenant=bob)
    other_account = post(other, "250.00", date(2024, 4, 1))
    other_case = ArrearsCase.objects.create(account=other_account, opened_on=date(2024, 4, 8))
    spoke_with(other_case, bob, date(2024, 4, 9), "Bob's own visit.", officer, kind=ContactKind.VISIT)
    letter_to(other, "Mr Bob Bystander", "Dear Bob,\n\nYour account shows £250.00 owing.")
    return amira


def _files(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_export_holds_everything_about_the_person_and_nothing_about_anyone_else(amira, manager):
    result = subject_access_export_make(person=amira, by=manager, request_note="Email of 3 March, ref SAR-112")
    files = _files(result.content)
    tenancy = amira.tenancies.get()
    ledger_name = f"ledger/{tenancy.payment_reference}-rent.json"
    assert {"README.txt", "person.json", "tenancies.json", ledger_name, "contacts.json", "cases.json"} <= set(files)
    assert {"recommendations.json", "agreements.json", "breathing_spaces.json", "legal.json", "audit.json"} <= set(
        files
    )
    assert "subject access request" in files["README.txt"].decode()

    person = json.loads(files["person.json"])
    assert person["details"]["first_name"] == "Amira"
    assert (person["details"]["date_of_birth"], person["details"]["health_notes"]) == ("1980-03-27", "Diabetic.")

    ledger = json.loads(files[ledger_name])
    lines = [(line["effective_date"], line["amount"], line["balance_after"]) for line in ledger["transactions"]]
    assert lines == [("2024-04-01", "100.00", "100.00"), ("2024-04-05", "-60.00", "40.00")]
    assert ledger["balance_now"] == "40.00"

    contacts = json.loads(files["contacts.json"])
    assert [c["notes"] for c in contacts] == ["Promised to pay on Friday."]  # not the one recorded with Jo
    assert contacts[0]["recorded_by"] == "Olu Officer"

    cases = json.loads(files["cases.json"])
    assert cases[0]["vulnerability_reviews"][0]["notes"] == "Managing well."
    assert json.loads(files["recommendations.json"])[0]["reviewed_as_of"] == "2024-04-15"

    index = json.loads(files["documents/index.json"])
    assert [entry["to"] for entry in index] == ["Ms Amira Okonkwo"]  # the letter to Jo alone is Jo's
    pdf = pypdf.PdfReader(io.BytesIO(files[f"documents/{index[0]['file']}"]))
    assert "£40.00 owing" in "".join(page.extract_text() for page in pdf.pages)

    audit = json.loads(files["audit.json"])
    change = next(row for row in audit if row["reason"] == "Told us by phone")
    assert (change["record_type"], change["what"], change["by"]) == ("person", "changed", "Olu Officer")
    assert change["values_after"]["phone"] == "07700 900123"
    assert any(row["record_type"] == "tenancy" and row["what"] == "created" for row in audit)

    everything = b"\n".join(content for name, content in files.items() if not name.endswith(".pdf")).decode()
    for someone_else in ("Bystander", "Asthma", "Bob's own visit", "250.00", "Jo spoke about"):
        assert someone_else not in everything


def test_making_an_export_is_logged_with_who_when_and_for_whom(amira, manager):
    result = subject_access_export_make(person=amira, by=manager, request_note="Ref SAR-112")
    export = SubjectAccessExport.objects.get()
    assert (export.person_record, export.made_by, export.request_note) == (amira.pk, manager, "Ref SAR-112")
    assert export.sha256 == __import__("hashlib").sha256(result.content).hexdigest()
    # The export showed the maker her health notes and a vulnerability review: that is in the access log too.
    access = SpecialCategoryAccess.objects.get(person_record=amira.pk)
    assert (access.viewed_by, access.categories, access.path) == (
        manager,
        "health,vulnerability",
        "subject access export",
    )


def test_only_an_income_manager_may_make_an_export(client, amira, officer, manager):
    with pytest.raises(PermissionDenied):
        subject_access_export_make(person=amira, by=officer)
    client.force_login(officer)
    assert client.get(f"/privacy/people/{amira.pk}/export/").status_code == 403
    assert "subject access export" not in client.get(f"/people/{amira.pk}/").content.decode()
    client.force_login(user_with_role(Role.SYSTEM_ADMINISTRATOR))
    assert client.post(f"/privacy/people/{amira.pk}/export/").status_code == 403
    assert not SubjectAccessExport.objects.exists()

    client.force_login(manager)
    assert "Make a subject access export" in client.get(f"/people/{amira.pk}/").content.decode()
    assert (
        "Subject access export for Amira Okonkwo" in client.get(f"/privacy/people/{amira.pk}/export/").content.decode()
    )
    response = client.post(f"/privacy/people/{amira.pk}/export/", {"request_note": "Ref SAR-112"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f'filename="subject-access-record-{amira.pk}-' in response["Content-Disposition"]
    assert "person.json" in _files(response.content)
    assert SubjectAccessExport.objects.get().made_by == manager
    assert "Ref SAR-112" in client.get("/privacy/").content.decode()


def test_the_export_holds_the_texts_sent_to_the_person_and_their_replies_and_not_another_tenants(amira, manager):
    from django.utils import timezone

    from arrears.models import Contact
    from messaging.constants import Channel, MessageStatus
    from messaging.models import InboundMessage
    from messaging.services import Draft, messages_queue

    case = ArrearsCase.objects.get(account__tenancy__tenancy_tenants__person=amira)
    jo = case.account.tenancy.named_tenants()[1]
    amira.mobile = "07700 900123"
    amira.save()
    to_amira, to_jo = messages_queue(
        [
            Draft(Channel.TEXT, "+447700900123", "Amira", "RW1", f"case:{case.pk}", "sar:1", "Amira, please call us."),
            Draft(Channel.TEXT, "+447700900999", "Jo", "RW1", f"case:{case.pk}", "sar:2", "Jo, a text for Jo alone."),
        ]
    )
    for message, person in ((to_amira, amira), (to_jo, jo)):
        Contact.objects.create(
            case=case,
            person=person,
            kind=ContactKind.SMS,
            outcome=ContactOutcome.QUEUED,
            occurred_on=date(2024, 4, 11),
            message=message,
        )
    InboundMessage.objects.create(
        provider="notify", provider_ref="in-1", from_address="+447700900123", body="I will pay Friday",
        received_at=timezone.now(),
    )  # fmt: skip
    InboundMessage.objects.create(
        provider="notify", provider_ref="in-2", from_address="+447700900999", body="Jo's own reply",
        received_at=timezone.now(),
    )  # fmt: skip

    files = _files(subject_access_export_make(person=amira, by=manager, request_note="Ref SAR-113").content)

    messages = json.loads(files["messages.json"])
    assert [m["body"] for m in messages["sent"]] == ["Amira, please call us."]
    assert messages["sent"][0]["status"] in {s.label for s in MessageStatus}
    assert [r["body"] for r in messages["replies"]] == ["I will pay Friday"]
    assert b"Jo alone" not in files["messages.json"] and b"Jo's own reply" not in files["messages.json"]
