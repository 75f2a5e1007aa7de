"""The retention schedule (legal-spec §10: R-DP-01, R-DP-02, R-DP-03) as data, and `apply_retention`: it lists former
tenants' personal data past the schedule, then anonymises it, keeping every ledger figure and the reconciliation at
zero, never touching a current tenant or anyone with money owed, and doing nothing twice."""

from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.forms.models import model_to_dict

from arrears.constants import ContactKind, ContactOutcome
from arrears.models import ArrearsCase, Contact, VulnerabilityReview
from arrears.services import contact_record, vulnerability_review_record
from documents.models import Document
from incomeapp.constants import Role
from lifecycle.ending import tenancy_end
from privacy.constants import RetentionCategory
from privacy.models import Anonymisation, RetentionRule
from privacy.retention import REMOVED, person_is_anonymised
from rentaccounts.constants import TransactionType
from rentaccounts.models import Account, Transaction
from rentaccounts.selectors import balance_differences
from tenancies.constants import EndReason
from tenancies.models import Person, TenancyEvent, TenancyTenant
from tenancies.services_people import person_update
from tests.factories import PersonFactory, TenancyFactory, user_with_role
from tests.privacy.conftest import letter_to, post, spoke_with

pytestmark = pytest.mark.django_db
TODAY = "2026-01-01"


def _former_tenant(officer, first: str, last: str, *, owes: str = "0.00", joint_with=None):
    """A tenant from 2015 whose tenancy ended on 1 April 2018 (leaving a forwarding address), with health notes, a
    contact diary, a vulnerability review and a letter; paid up on 15 April 2018 unless `owes`."""
    person = PersonFactory(
        first_name=first,
        last_name=last,
        date_of_birth=date(1970, 1, 2),
        email=f"{first.lower()}@example.com",
        phone="07700 900456",
        health_notes="Diabetic.",
        vulnerability_notes="Recent bereavement.",
    )
    person_update(by=officer, person=person, support_worker="Sue Support", reason=f"{first} {last} rang us")
    tenancy = TenancyFactory(lead_tenant=person, start_date=date(2015, 4, 6))
    if joint_with is not None:
        TenancyTenant.objects.create(tenancy=tenancy, person=joint_with, is_lead=False)
    account = post(tenancy, "100.00", date(2018, 3, 26))
    case = ArrearsCase.objects.create(account=account, opened_on=date(2018, 3, 27))
    spoke_with(case, person, date(2018, 3, 28), f"{first} promised to pay on Friday.", officer)
    contact_record(
        case=case,
        kind=ContactKind.NOTE,
        outcome=ContactOutcome.SPOKE,
        occurred_on=date(2018, 3, 29),
        notes="Household note about the tenancy.",
        recorded_by=officer,
    )
    vulnerability_review_record(
        case=case, reviewed_on=date(2018, 3, 29), vulnerable=True, adjustments="Call after 10am.", reviewed_by=officer
    )
    letter_to(tenancy, f"{first} {last}")
    tenancy_end(
        by=None,
        tenancy=tenancy,
        last_day=date(2018, 4, 1),
        reason=EndReason.TENANTS_NOTICE,
        forwarding_address="9 New Road\nLeeds\nLS1 1AA",
    )
    account.refresh_from_db()
    post(tenancy, str(Decimal(owes) - account.balance), date(2018, 4, 15), TransactionType.PAYMENT)
    person.refresh_from_db()
    tenancy.refresh_from_db()
    return person


@pytest.fixture
def people(officer):
    fred = _former_tenant(officer, "Fred", "Former")
    dan = _former_tenant(officer, "Dan", "Debtor", owes="50.00")
    cara = PersonFactory(first_name="Cara", last_name="Current", health_notes="Asthma.", phone="07700 900789")
    current = TenancyFactory(lead_tenant=cara, start_date=date(2010, 1, 4))
    post(current, "100.00", date(2018, 3, 26))
    return {"fred": fred, "dan": dan, "cara": cara}


def _ledger() -> dict:
    return {
        row["account_id"]: (row["total"], row["lines"])
        for row in Transaction.objects.values("account_id").annotate(total=Sum("amount"), lines=Count("id"))
    }


def _run(*args) -> str:
    out = StringIO()
    call_command("apply_retention", *args, "--today", TODAY, stdout=out)
    return out.getvalue()


def test_the_schedule_ships_as_data_with_a_period_and_basis_for_each_category():
    rules = {rule.category: rule for rule in RetentionRule.objects.all()}
    assert set(rules) == set(RetentionCategory.values)
    assert rules[RetentionCategory.IDENTITY].period_months == 72
    assert "Limitation Act 1980 s19" in rules[RetentionCategory.IDENTITY].basis
    assert rules[RetentionCategory.SPECIAL_CATEGORY].period_months == 12
    assert rules[RetentionCategory.RENT_ACCOUNT].action == "keep"
    assert all(rule.basis and rule.source and rule.data_held for rule in rules.values())


def test_the_list_shows_what_is_past_the_schedule_with_its_rule_and_dates_and_changes_nothing(people):
    before = _ledger()
    output = _run()
    fred = people["fred"]
    assert f"{fred.pk:<7} Fred Former" in output
    assert "Identity and contact details" in output and "15/04/2018  15/04/2024 (6 years)" in output
    assert "Health and vulnerability" in output and "15/04/2019 (1 year)" in output
    assert "Cara" not in output and "Dan Debtor" not in output
    assert "Left alone: 1 person past the schedule: an account of a tenancy they held is not at £0.00." in output
    assert "Run with --anonymise" in output
    assert not Anonymisation.objects.exists() and _ledger() == before
    assert Person.objects.get(pk=fred.pk).first_name == "Fred"


def test_anonymising_removes_the_former_tenants_personal_data_and_keeps_every_ledger_figure(
    people, django_capture_on_commit_callbacks
):
    fred, dan, cara = people["fred"], people["dan"], people["cara"]
    ledger, balances = _ledger(), dict(Account.objects.values_list("id", "balance"))
    untouched = {person.pk: model_to_dict(person) for person in (dan, cara)}
    tenancy = fred.tenancies.get()
    document = Document.objects.get(reference=tenancy.payment_reference)
    pdf_path = Path(document.pdf.path)
    assert pdf_path.exists()

    with django_capture_on_commit_callbacks(execute=True):
        output = _run("--anonymise")

    assert "Anonymised identity and contact details: 1 person." in output
    # The ledger: every line and figure as it was, and the reconciliation at zero.
    assert _ledger() == ledger and dict(Account.objects.values_list("id", "balance")) == balances
    assert balance_differences() == []
    call_command("reconcile_balances", stdout=StringIO())
    # The person: named no more, anywhere in their record or its history.
    fred.refresh_from_db()
    assert (fred.first_name, fred.last_name) == ("Anonymised", f"person {fred.pk}")
    assert (fred.date_of_birth, fred.email, fred.phone, fred.support_worker) == (None, "", "", "")
    assert (fred.health_notes, fred.vulnerability_notes, fred.correspondence_address) == ("", "", "")
    assert person_is_anonymised(fred)
    for row in fred.history.all():
        assert "Fred" not in f"{row.first_name} {row.history_change_reason}" and row.date_of_birth is None
        assert row.health_notes == "" and "New Road" not in row.correspondence_address
    assert "retention schedule" in fred.history.first().history_change_reason
    # Their tenancy's notes, letters and addresses.
    assert set(Contact.objects.filter(case__account__tenancy=tenancy).values_list("notes", flat=True)) == {REMOVED}
    review = VulnerabilityReview.objects.get(case__account__tenancy=tenancy)
    assert (review.adjustments, review.vulnerable) == (REMOVED, True)
    document.refresh_from_db()
    assert (document.pdf.name, document.recipient_name) == ("", "[anonymised]") and not pdf_path.exists()
    tenancy.refresh_from_db()
    assert tenancy.forwarding_address == "" and tenancy.payment_reference
    for event in TenancyEvent.objects.filter(tenancy=tenancy):
        assert "New Road" not in str(event.detail)
    # A current tenant, and a former tenant who still owes, untouched.
    for person in (dan, cara):
        person.refresh_from_db()
        assert model_to_dict(person) == untouched[person.pk]
    assert Document.objects.get(reference=dan.tenancies.get().payment_reference).pdf.name

    # Idempotent: a second run finds nothing and changes nothing.
    history_rows, done = fred.history.count(), Anonymisation.objects.count()
    assert "nothing anonymised" in _run("--anonymise")
    assert (fred.history.count(), Anonymisation.objects.count(), _ledger()) == (history_rows, done, ledger)


def test_each_category_keeps_its_own_period(people):
    """A year after the account settled only the special category data is past its period."""
    out = StringIO()
    call_command("apply_retention", "--anonymise", "--today", "2019-06-01", stdout=out)
    assert out.getvalue().strip() == "Anonymised health and vulnerability (special category): 1 person."
    fred = Person.objects.get(pk=people["fred"].pk)
    assert (fred.first_name, fred.health_notes, fred.vulnerability_notes) == ("Fred", "", "")
    assert "promised to pay" in Contact.objects.get(person=fred).notes


def test_a_joint_tenants_shared_data_stays_until_every_named_tenant_is_past_the_schedule(officer):
    gina = PersonFactory(first_name="Gina", last_name="Joint")
    fred = _former_tenant(officer, "Fred", "Former", joint_with=gina)
    TenancyFactory(lead_tenant=gina, start_date=date(2019, 1, 7))  # Gina is a current tenant elsewhere now
    _run("--anonymise")
    fred.refresh_from_db()
    assert fred.first_name == "Anonymised"
    shared = fred.tenancies.get()
    assert shared.forwarding_address  # Gina's forwarding address too
    assert Document.objects.get(reference=shared.payment_reference).pdf.name
    household = Contact.objects.filter(case__account__tenancy=shared, person__isnull=True)
    assert "Household note about the tenancy." in household.values_list("notes", flat=True)
    assert Person.objects.get(pk=gina.pk).first_name == "Gina"


def test_a_system_administrator_changes_a_period_in_admin_and_the_schedule_follows(client, people):
    rule = RetentionRule.objects.get(category=RetentionCategory.IDENTITY)
    url = f"/admin/privacy/retentionrule/{rule.pk}/change/"
    client.force_login(user_with_role(Role.INCOME_OFFICER))
    assert client.get(url, follow=True).status_code == 403  # sent to the admin sign-in, which refuses them
    administrator = user_with_role(Role.SYSTEM_ADMINISTRATOR)
    client.force_login(administrator)
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"period_months": "120", "action": "anonymise", "basis": rule.basis, "source": rule.source}
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.period_months == 120 and rule.history.latest().history_user == administrator
    assert "Identity and contact details" not in _run()


def test_anonymising_empties_the_texts_replies_and_complaints_of_a_former_tenant_and_keeps_a_stop(people, law):
    from django.utils import timezone

    from complaints.models import Complaint
    from complaints.services import complaint_record
    from messaging.constants import Channel, SuppressionReason
    from messaging.models import InboundMessage, Suppression
    from messaging.services import Draft, messages_queue

    fred, cara = people["fred"], people["cara"]
    Person.objects.filter(pk=fred.pk).update(mobile="+447700900456", texts_allowed=True)
    case = ArrearsCase.objects.get(account__tenancy=fred.tenancies.get())
    (text,) = messages_queue(
        [Draft(Channel.TEXT, "+447700900456", "Fred Former", "RW1", f"case:{case.pk}", "ret:1", "Fred, please call.")]
    )
    reply = InboundMessage.objects.create(
        provider="notify", provider_ref="r-1", from_address="+447700900456", body="Fred here: STOP",
        received_at=timezone.now(), is_opt_out=True,
    )  # fmt: skip
    for message, inbound, outcome in ((text, None, ContactOutcome.QUEUED), (None, reply, ContactOutcome.REPLIED)):
        Contact.objects.create(
            case=case, person=fred, kind=ContactKind.SMS, outcome=outcome, occurred_on=date(2018, 3, 30),
            message=message, inbound=inbound,
        )  # fmt: skip
    Suppression.objects.create(address="+447700900456", reason=SuppressionReason.OPTED_OUT, inbound=reply)
    complaint = complaint_record(
        by=user_with_role(Role.INCOME_MANAGER), person=fred, tenancy=fred.tenancies.get(), about="arrears_action",
        summary="Fred says the letters upset him.", received_on=date(2022, 6, 1),
    )  # fmt: skip
    cara_complaint = complaint_record(
        by=user_with_role(Role.INCOME_MANAGER), person=cara, tenancy=None, about="other",
        summary="Cara's own complaint.", received_on=date(2022, 6, 1),
    )  # fmt: skip

    _run("--anonymise")

    text.refresh_from_db()
    reply.refresh_from_db()
    fred.refresh_from_db()
    assert (text.body, text.to, text.recipient_name) == (REMOVED, "", "[anonymised]")
    assert (reply.body, reply.from_address) == (REMOVED, "")
    assert (fred.mobile, fred.texts_allowed, fred.consent_recorded_on) == ("", False, None)
    assert Complaint.objects.get(pk=complaint.pk).summary == REMOVED
    assert Complaint.objects.get(pk=cara_complaint.pk).summary == "Cara's own complaint."  # a current tenant's
    # The STOP stays with the number, so whoever has it next is not texted against their wish.
    assert Suppression.objects.filter(address="+447700900456", lifted_at__isnull=True).exists()
