"""R-PAP-10 (legal-spec §3.2): initial contact as soon as reasonably possible, in person or in writing, and "if by
letter, write separately to each named tenant". The protocol gate counts what the protocol counts (issue 15, item 8):
an attempt that reached nobody (an unanswered call, a visit with no answer, a returned letter) is not contact, and
contact is judged per named tenant."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from arrears.constants import ContactKind, ContactOutcome
from arrears.letters import letter_requests_render
from arrears.models import ArrearsCase, Contact, LetterRequest
from arrears.review import review_run
from arrears.services import policies_install_shipped
from courts.claims import gate, legal_case_open
from courts.selectors import tenants_reached
from courts.services import notice_serve
from documents.models import Document
from documents.services import templates_install_shipped
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tenancies.constants import TenureType
from tenancies.models import TenancyTenant
from tests.factories import PersonFactory, TenancyFactory, user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("law", "media")]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _claim(reference: str, *, joint: bool):
    """A secure tenancy (Ada Lead, and Ben Joint when joint) 16 weeks behind, its NOSP served 5 weeks ago, and the
    possession claim being prepared."""
    tenancy = TenancyFactory(payment_reference=reference, tenure_type=TenureType.SECURE,
                             lead_tenant=PersonFactory(first_name="Ada", last_name="Lead"))  # fmt: skip
    if joint:
        TenancyTenant.objects.create(tenancy=tenancy, person=PersonFactory(first_name="Ben", last_name="Joint"))
    account = account_get_or_create(tenancy=tenancy)
    today = timezone.localdate()
    debits = [Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("100.00"), today - timedelta(weeks=w),
                      f"{reference}:{w}") for w in range(16)]  # fmt: skip
    transactions_post(postings=debits)
    officer = user_with_role(Role.INCOME_OFFICER)
    notice = notice_serve(tenancy=tenancy, notice_code="secure-nosp", served_on=today - timedelta(weeks=5),
                          method="hand", signatory="P. Shah", proof_of_service="By hand.",
                          served_by=officer)  # fmt: skip
    legal_case = legal_case_open(notice=notice, opened_by=officer)
    people = {person.first_name: person for person in tenancy.named_tenants()}
    return legal_case, ArrearsCase.objects.get(account=account), people


def _contact(case, person, kind, outcome, days_ago):
    Contact.objects.create(case=case, person=person, kind=kind, outcome=outcome,
                           occurred_on=timezone.localdate() - timedelta(days=days_ago))  # fmt: skip


def _contact_step(legal_case):
    return next(item for item in gate(legal_case) if item.key == "contact_each_tenant")


def test_r_pap_10_an_unanswered_call_a_visit_with_no_answer_and_letters_that_did_not_go_are_not_contact():
    legal_case, case, people = _claim("RW940001", joint=True)
    ada, ben = people["Ada"], people["Ben"]
    _contact(case, ada, ContactKind.CALL, ContactOutcome.NO_ANSWER, 30)
    _contact(case, ada, ContactKind.CALL, ContactOutcome.LEFT_MESSAGE, 29)
    _contact(case, ben, ContactKind.VISIT, ContactOutcome.NO_ANSWER, 28)
    for outcome in (ContactOutcome.QUEUED, ContactOutcome.FAILED, ContactOutcome.WITHHELD):
        _contact(case, ben, ContactKind.LETTER, outcome, 27)
    _contact(case, ada, ContactKind.NOTE, ContactOutcome.NOTE, 26)
    step = _contact_step(legal_case)
    assert step.status == "not_met"
    assert "Nobody has reached Ada Lead, Ben Joint" in step.evidence
    assert "an unanswered call, a visit with no answer or a returned letter is not contact" in step.evidence


def test_r_pap_10_contact_is_judged_per_named_tenant():
    legal_case, case, people = _claim("RW940002", joint=True)
    _contact(case, people["Ada"], ContactKind.CALL, ContactOutcome.SPOKE, 20)
    step = _contact_step(legal_case)
    assert step.status == "not_met" and "Nobody has reached Ben Joint:" in step.evidence  # Ada was reached
    _contact(case, None, ContactKind.VISIT, ContactOutcome.SPOKE, 19)  # with nobody named: reaches neither of two
    assert _contact_step(legal_case).status == "not_met"
    _contact(case, people["Ben"], ContactKind.LETTER, ContactOutcome.SENT, 18)  # written to him separately
    step = _contact_step(legal_case)
    assert step.status == "met" and "each of 2 named tenant(s)" in step.evidence


def test_r_pap_10_for_a_sole_tenant_a_contact_with_nobody_named_is_with_her():
    legal_case, case, _ = _claim("RW940003", joint=False)
    _contact(case, None, ContactKind.CALL, ContactOutcome.NO_ANSWER, 20)
    assert _contact_step(legal_case).status == "not_met"
    _contact(case, None, ContactKind.CALL, ContactOutcome.SPOKE, 19)
    assert _contact_step(legal_case).status == "met"


def test_r_pap_10_a_returned_letter_cancels_the_letter_it_returns():
    legal_case, case, people = _claim("RW940004", joint=True)
    ada, ben = people["Ada"], people["Ben"]
    _contact(case, ada, ContactKind.CALL, ContactOutcome.SPOKE, 40)
    _contact(case, ben, ContactKind.LETTER, ContactOutcome.SENT, 30)
    assert _contact_step(legal_case).status == "met"
    _contact(case, ben, ContactKind.LETTER, ContactOutcome.RETURNED, 25)
    step = _contact_step(legal_case)
    assert step.status == "not_met" and "Nobody has reached Ben Joint:" in step.evidence
    _contact(case, ben, ContactKind.LETTER, ContactOutcome.SENT, 10)  # a second letter, not returned
    assert _contact_step(legal_case).status == "met"


def _letters_sent(reference: str, *, joint: bool):
    """The review queues a reminder after an unanswered call; it is rendered as one letter per named tenant."""
    policies_install_shipped()
    templates_install_shipped()
    tenancy = TenancyFactory(payment_reference=reference)
    if joint:
        TenancyTenant.objects.create(tenancy=tenancy, person=PersonFactory(first_name="Sam", last_name="Joint"))
    account = account_get_or_create(tenancy=tenancy)
    today = timezone.localdate()
    transactions_post(postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("250.00"),
                                        today - timedelta(days=9), f"{reference}:d")])  # fmt: skip
    case = ArrearsCase.objects.create(account=account, opened_on=today)
    Contact.objects.create(case=case, kind=ContactKind.CALL, outcome=ContactOutcome.NO_ANSWER, occurred_on=today)
    review_run(as_of=today)
    request = LetterRequest.objects.get(case=case)
    assert letter_requests_render(request_ids=[request.pk]) == {"sent": 1}
    people = [person.pk for person in tenancy.named_tenants()]
    return case, people, tenancy


def test_r_pap_10_each_tenants_own_letter_counts_for_them_until_it_fails_or_comes_back():
    case, people, tenancy = _letters_sent("RW940005", joint=True)
    cases = ArrearsCase.objects.filter(pk=case.pk)
    lead, joint = people
    assert tenants_reached(person_ids=people, cases=cases, reference=tenancy.payment_reference) == {lead, joint}
    Document.objects.filter(subject_key__endswith=f":person:{joint}").update(delivery_state="failed")
    assert tenants_reached(person_ids=people, cases=cases, reference=tenancy.payment_reference) == {lead}
    Contact.objects.create(case=case, person_id=lead, kind=ContactKind.LETTER, outcome=ContactOutcome.RETURNED,
                           occurred_on=timezone.localdate())  # fmt: skip
    assert tenants_reached(person_ids=people, cases=cases, reference=tenancy.payment_reference) == set()


def test_r_pap_10_a_sole_tenants_letter_is_counted_once_so_one_return_cancels_it():
    case, people, tenancy = _letters_sent("RW940006", joint=False)
    cases = ArrearsCase.objects.filter(pk=case.pk)
    assert tenants_reached(person_ids=people, cases=cases, reference=tenancy.payment_reference) == set(people)
    Contact.objects.create(case=case, kind=ContactKind.LETTER, outcome=ContactOutcome.RETURNED,
                           occurred_on=timezone.localdate())  # fmt: skip
    assert tenants_reached(person_ids=people, cases=cases, reference=tenancy.payment_reference) == set()


def test_r_pap_10_an_officer_records_a_returned_letter_but_never_a_system_status():
    """The officer's contact form offers "Returned undelivered" for letters only, and not the statuses the system gives
    its own letters (queued, withheld), so the gate's evidence is what a person saw happen."""
    from arrears.forms import ContactForm

    offered = dict(ContactForm().fields["outcome"].choices)
    assert "returned" in offered and "queued" not in offered and "withheld" not in offered
    data = {
        "kind": "call",
        "outcome": "returned",
        "person": "someone_else",
        "notes": "Her support worker",
        "occurred_on_0": "1",
        "occurred_on_1": "12",
        "occurred_on_2": "2026",
    }
    form = ContactForm(data)
    assert not form.is_valid()
    assert "Only a letter can come back undelivered" in str(form.errors["outcome"])
    assert ContactForm({**data, "kind": "letter"}).is_valid()
