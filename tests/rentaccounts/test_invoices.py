"""Rechargeable repairs and sundry debts: raised on their own accounts with a letter to each named tenant, allocated
by the configured order, and never counted as rent (arrears, weeks of rent, notices and Ground 8, statements,
dashboards)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from arrears.constants import CaseStatus, ContactKind
from arrears.models import ArrearsCase, Contact, Recommendation
from arrears.review import review_run
from arrears.services import policies_install_shipped
from courts.selectors import rent_position
from dashboards.measures import account_facts
from documents.models import Document
from documents.services import templates_install_shipped
from incomeapp.constants import Role
from rentaccounts.constants import AccountKind, InvoiceKind, SundryKind, TransactionType
from rentaccounts.imports.services import import_batch_create, import_batch_process
from rentaccounts.models import Account, Invoice, PaymentAllocationOrder, Transaction
from rentaccounts.selectors import weeks_in_arrears
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from rentaccounts.services.invoices import invoice_raise
from rentaccounts.services.statements import CHARGES, NOT_RENT, account_statement
from tenancies.models import TenancyTenant
from tests.factories import PersonFactory, TenancyFactory, london_noon, user_with_role

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 30)  # a Monday


@pytest.fixture(autouse=True)
def today(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(london_noon(TODAY), tick=False):
        yield TODAY


@pytest.fixture
def officer():
    return user_with_role(Role.INCOME_OFFICER, first_name="Jo", last_name="Officer")


@pytest.fixture
def joint():
    """A joint tenancy (Jo Smith and Sam Smith) owing £450.00 rent."""
    tenancy = TenancyFactory(
        payment_reference="RW700001", lead_tenant=PersonFactory(first_name="Jo", last_name="Smith")
    )
    TenancyTenant.objects.create(tenancy=tenancy, person=PersonFactory(first_name="Sam", last_name="Smith"))
    rent = account_get_or_create(tenancy=tenancy)
    transactions_post(
        postings=[Posting(rent.pk, TransactionType.RENT_DEBIT, Decimal("450.00"), TODAY - timedelta(days=20), "r")]
    )
    return tenancy


def _recharge(tenancy, officer, amount="85.00", **given):
    fields = {
        "tenancy": tenancy,
        "kind": InvoiceKind.RECHARGE,
        "amount": Decimal(amount),
        "description": "Replacing a kitchen door damaged beyond fair wear and tear",
        "dated": TODAY - timedelta(days=3),
        "job_reference": "JOB-4471",
        "raised_by": officer,
    }
    return invoice_raise(**(fields | given))


def _balance(tenancy, kind):
    return Account.objects.get(tenancy=tenancy, kind=kind).balance


def test_a_recharge_posts_one_debit_on_the_repairs_account_and_a_letter_to_each_named_tenant(joint, officer):
    raised = _recharge(joint, officer)

    invoice = raised.invoice
    assert invoice.number == f"RCH-{invoice.pk:06d}"
    assert invoice.account.kind == AccountKind.RECHARGEABLE_REPAIRS
    posted = Transaction.objects.filter(account__tenancy=joint, transaction_type=TransactionType.RECHARGE)
    assert list(posted.values_list("account__kind", "amount")) == [(AccountKind.RECHARGEABLE_REPAIRS, Decimal("85.00"))]
    assert invoice.transaction == posted.get()
    assert posted.get().effective_date == TODAY - timedelta(days=3)
    assert _balance(joint, AccountKind.RECHARGEABLE_REPAIRS) == Decimal("85.00")
    assert _balance(joint, AccountKind.RENT) == Decimal("450.00")

    documents = Document.objects.filter(reference="RW700001", template_version__template__key="recharge_invoice")
    assert sorted(documents.values_list("recipient_name", flat=True)) == ["Jo Smith", "Sam Smith"]
    assert [letter.person_name for letter in raised.letters] == ["Jo Smith", "Sam Smith"]
    assert all(letter.document and letter.document.pdf.read().startswith(b"%PDF") for letter in raised.letters)
    assert documents.first().title == f"Invoice {invoice.number}: £85.00 for a repair, job JOB-4471"


def test_the_letter_says_what_it_is_for_and_that_it_is_not_rent(joint, officer):
    from documents.merge_fields import merge
    from documents.services import template_version_current
    from rentaccounts.services.invoices import invoice_letter_values

    invoice = _recharge(joint, officer).invoice
    version = template_version_current("recharge_invoice")
    text = merge(version.body, {**invoice_letter_values(invoice, joint.named_tenants(), officer), "tenant_name": "X"})
    assert "JOB-4471" in text and "£85.00" in text and invoice.number in text
    assert "This is not rent" in text and "does not change your rent" in text
    assert "pays rent, then court costs, then rechargeable repairs" in text  # the configured order, in words
    assert "debt advice" in text


def test_a_sundry_debt_goes_on_the_sundry_account(joint, officer):
    raised = invoice_raise(
        tenancy=joint,
        kind=InvoiceKind.SUNDRY,
        sundry_kind=SundryKind.GARAGE,
        amount=Decimal("120.50"),
        description="Garage 14 rent arrears, April to June",
        dated=TODAY,
        raised_by=officer,
    )
    assert raised.invoice.number == f"SUN-{raised.invoice.pk:06d}"
    assert raised.invoice.transaction.transaction_type == TransactionType.SUNDRY
    assert _balance(joint, AccountKind.SUNDRY) == Decimal("120.50")
    assert _balance(joint, AccountKind.RENT) == Decimal("450.00")
    document = Document.objects.get(recipient_name="Jo Smith", template_version__template__key="sundry_invoice")
    assert "garage or parking space" in document.title


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        ({"amount": Decimal("0")}, "amount", "The amount must be more than £0.00"),
        ({"amount": Decimal("-5.00")}, "amount", "The amount must be more than £0.00"),
        ({"amount": Decimal("5.001")}, "amount", "Enter the amount in pounds and pence, like 85.50"),
        ({"job_reference": " "}, "job_reference", "Enter the repair job's reference"),
        ({"dated": TODAY + timedelta(days=1)}, "dated", "The date must be today or in the past"),
        ({"description": ""}, "description", "Say what the invoice is for"),
        ({"kind": InvoiceKind.SUNDRY, "job_reference": ""}, "sundry_kind", "Choose what kind of debt this is"),
    ],
)
def test_what_is_wrong_is_said_and_nothing_is_posted(joint, officer, given, field, message):
    with pytest.raises(ValidationError) as raised:
        _recharge(joint, officer, **given)
    assert raised.value.message_dict[field][0].startswith(message)
    assert not Invoice.objects.exists()
    assert not Transaction.objects.filter(transaction_type__in=["recharge", "sundry"]).exists()


def test_only_staff_who_raise_invoices_may(joint):
    with pytest.raises(PermissionDenied):
        _recharge(joint, user_with_role(Role.SUPPORT_WORKER))
    assert not Invoice.objects.exists()


def test_the_same_form_sent_twice_raises_one_invoice_and_one_set_of_letters(joint, officer):
    first = _recharge(joint, officer, request_key="form-1")
    again = _recharge(joint, officer, request_key="form-1")
    assert again.already_raised and again.invoice == first.invoice
    assert [letter.document for letter in again.letters] == [letter.document for letter in first.letters]
    assert Invoice.objects.count() == 1
    assert Transaction.objects.filter(transaction_type=TransactionType.RECHARGE).count() == 1
    assert Document.objects.filter(template_version__template__key="recharge_invoice").count() == 2
    _recharge(joint, officer, request_key="form-2")  # another form: another invoice
    assert _balance(joint, AccountKind.RECHARGEABLE_REPAIRS) == Decimal("170.00")


def test_rent_arrears_and_weeks_of_rent_are_unchanged_by_the_review(joint, officer):
    policies_install_shipped()
    review_run(as_of=TODAY)
    rent = Account.objects.get(tenancy=joint, kind=AccountKind.RENT)
    before = Recommendation.objects.filter(account=rent).latest("id")
    assert (before.balance, before.arrears_weeks) == (Decimal("450.00"), Decimal("4.5"))

    _recharge(joint, officer, amount="300.00")
    review_run(as_of=TODAY)

    after = Recommendation.objects.filter(account=rent).latest("id")
    assert (after.balance, after.arrears_weeks) == (Decimal("450.00"), Decimal("4.5"))
    assert after.action == before.action
    weeks = weeks_in_arrears(tenancy=joint, balance=rent.balance, on=TODAY)
    assert weeks["weeks"] == Decimal("4.5")


def test_the_invoice_is_a_note_in_the_rent_arrears_case_diary_never_a_rent_letter(joint, officer):
    rent = Account.objects.get(tenancy=joint, kind=AccountKind.RENT)
    case = ArrearsCase.objects.create(account=rent, opened_on=TODAY - timedelta(days=10), status=CaseStatus.OPEN)
    invoice = _recharge(joint, officer).invoice

    contact = Contact.objects.get(case=case)
    assert (contact.kind, contact.code) == (ContactKind.NOTE, "invoice_sent")
    assert invoice.number in contact.notes and "Jo Smith and Sam Smith" in contact.notes
    assert "Not rent" in contact.notes


def test_without_an_arrears_case_the_letters_are_the_tenancys_documents(joint, officer):
    _recharge(joint, officer)
    assert not Contact.objects.exists()
    assert Document.objects.filter(reference="RW700001", subject_key__startswith="invoice:").count() == 2


def test_a_notice_and_ground_8_count_the_rent_arrears_only(joint, officer):
    before = rent_position(tenancy=joint, on=TODAY)
    _recharge(joint, officer, amount="900.00")
    after = rent_position(tenancy=joint, on=TODAY)
    assert (after.balance, after.rent_arrears) == (before.balance, before.rent_arrears) == (Decimal("450.00"),) * 2
    assert after.excluded == []


def test_a_rent_statement_shows_no_invoice_in_its_rent_lines(joint, officer):
    rent = Account.objects.get(tenancy=joint, kind=AccountKind.RENT)
    before = account_statement(account=rent, date_from=TODAY - timedelta(weeks=4), date_to=TODAY)
    _recharge(joint, officer)
    after = account_statement(account=rent, date_from=TODAY - timedelta(weeks=4), date_to=TODAY)
    assert after.totals[CHARGES] == before.totals[CHARGES] == Decimal("450.00")
    assert after.closing_balance == Decimal("450.00") and after.weeks_in_arrears == Decimal("4.5")
    assert [line.transaction.transaction_type for line in after.lines] == [TransactionType.RENT_DEBIT]

    repairs = Account.objects.get(tenancy=joint, kind=AccountKind.RECHARGEABLE_REPAIRS)
    statement = account_statement(account=repairs, date_from=TODAY - timedelta(weeks=4), date_to=TODAY)
    assert statement.totals[CHARGES] == 0 and statement.totals[NOT_RENT] == Decimal("85.00")
    assert statement.weeks_in_arrears is None  # a repairs balance is never "weeks of rent"


def test_a_recharge_found_on_a_rent_account_is_never_a_rent_line(joint):
    """Data loaded from an old system may hold a recharge on the rent account: still not rent."""
    rent = Account.objects.get(tenancy=joint, kind=AccountKind.RENT)
    transactions_post(postings=[Posting(rent.pk, TransactionType.RECHARGE, Decimal("60.00"), TODAY, "old")])
    statement = account_statement(account=rent, date_from=TODAY - timedelta(weeks=4), date_to=TODAY)
    assert statement.totals[CHARGES] == Decimal("450.00")
    assert statement.totals[NOT_RENT] == Decimal("60.00")
    assert rent_position(tenancy=joint, on=TODAY).rent_arrears == Decimal("450.00")


def test_the_dashboards_count_rent_accounts_only(joint, officer):
    def facts():
        return [(row.account_id, row.arrears) for row in account_facts(TODAY) if row.tenancy_id == joint.pk]

    before = facts()
    _recharge(joint, officer, amount="500.00")
    assert facts() == before
    assert [account_id for account_id, _ in before] == [Account.objects.get(tenancy=joint, kind="rent").pk]


def _pay(amount: str, transaction_id: str):
    line = f"RW700001,{TODAY:%d/%m/%Y},{amount},card,{transaction_id}\n".encode()
    batch = import_batch_create(
        file_name=f"{transaction_id}.csv",
        content=b"payment_reference,date,amount,method,transaction_id\n" + line,
        format="generic-csv",
        uploaded_by=None,
    )
    return import_batch_process(batch_id=batch.pk)


def test_a_payment_pays_rent_first_then_the_invoice_in_the_default_order(joint, officer):
    invoice_raise(
        tenancy=joint,
        kind=InvoiceKind.SUNDRY,
        sundry_kind=SundryKind.KEYS,
        amount=Decimal("50.00"),
        description="Two replacement door fobs",
        dated=TODAY,
        raised_by=officer,
    )
    _pay("470.00", "T-1")
    assert _balance(joint, AccountKind.RENT) == Decimal("0.00")
    assert _balance(joint, AccountKind.SUNDRY) == Decimal("30.00")
    _pay("100.00", "T-2")  # the rest of the debt, then money in hand on the rent account
    assert _balance(joint, AccountKind.SUNDRY) == Decimal("0.00")
    assert _balance(joint, AccountKind.RENT) == Decimal("-70.00")


def test_a_configured_order_can_put_the_invoice_first(joint, officer):
    for position, kind in enumerate([AccountKind.RECHARGEABLE_REPAIRS, AccountKind.RENT], start=1):
        PaymentAllocationOrder.objects.create(kind=kind, position=position)
    _recharge(joint, officer)
    _pay("100.00", "T-1")
    assert _balance(joint, AccountKind.RECHARGEABLE_REPAIRS) == Decimal("0.00")
    assert _balance(joint, AccountKind.RENT) == Decimal("435.00")


def test_the_account_page_lists_each_account_and_its_invoices_and_says_they_are_not_rent(client, joint, officer):
    _recharge(joint, officer)
    client.force_login(officer)
    page = client.get(reverse("accounts:detail", args=["RW700001"])).content.decode()
    assert "Raise a recharge" in page and "Raise a sundry debt" in page
    assert "not counted in the rent arrears, the weeks of rent, a notice, the serious-arrears ground" in page
    assert "£450.00" in page and "4.5 weeks of rent" in page
    repairs = client.get(reverse("accounts:detail_kind", args=["RW700001", "rechargeable_repairs"])).content.decode()
    assert "RCH-" in repairs and "JOB-4471" in repairs and "£85.00" in repairs


def test_an_officer_raises_a_recharge_from_the_page_and_is_told_what_it_did(client, joint, officer):
    templates_install_shipped()
    client.force_login(officer)
    url = reverse("accounts:recharge", args=["RW700001"])
    form = client.get(url)
    assert form.status_code == 200
    key = form.context["form"].initial["request_key"]
    data = {
        "request_key": key,
        "job_reference": "JOB-4471",
        "description": "New kitchen door",
        "amount": "85",
        "dated_0": "27",
        "dated_1": "11",
        "dated_2": "2026",
    }
    refused = client.post(url, {**data, "amount": "0"})
    assert "The amount must be more than £0.00" in refused.content.decode()
    done = client.post(url, data, follow=True)
    text = done.content.decode()
    invoice = Invoice.objects.get()
    assert f"Invoice {invoice.number} for £85.00 raised on the rechargeable repairs account." in text
    assert "An invoice letter was made for Jo Smith" in text and "Sam Smith" in text
    assert "The rent account and its arrears are unchanged" in text
    client.post(url, data)  # sent again (back button, double click): nothing more
    assert Invoice.objects.count() == 1


def test_a_support_worker_cannot_open_the_raise_page(client, joint):
    from tests.factories import support_worker_for

    client.force_login(support_worker_for(joint))
    assert client.get(reverse("accounts:recharge", args=["RW700001"])).status_code == 403


def test_a_payment_allocated_from_suspense_follows_the_same_order(joint, officer):
    from rentaccounts.imports.services import suspense_item_allocate
    from rentaccounts.models import SuspenseItem

    _recharge(joint, officer, amount="50.00")
    line = f"ZZ999999,{TODAY:%d/%m/%Y},470.00,card,T-9\n".encode()
    batch = import_batch_create(
        file_name="unknown.csv",
        content=b"payment_reference,date,amount,method,transaction_id\n" + line,
        format="generic-csv",
        uploaded_by=None,
    )
    import_batch_process(batch_id=batch.pk)
    item = SuspenseItem.objects.get()
    suspense_item_allocate(item=item, tenancy=joint, user=officer)
    assert _balance(joint, AccountKind.RENT) == Decimal("0.00")
    assert _balance(joint, AccountKind.RECHARGEABLE_REPAIRS) == Decimal("30.00")
    item.refresh_from_db()
    assert item.transaction.amount == Decimal("-450.00")  # the first leg: rent, first in the default order
    assert Transaction.objects.filter(idempotency_key__startswith=f"suspense:{item.pk}").count() == 2


def test_on_a_case_working_the_debts_own_account_the_invoice_is_a_letter_of_its_ladder(joint, officer):
    from arrears.constants import ContactOutcome, Ladder

    _recharge(joint, officer)
    repairs = Account.objects.get(tenancy=joint, kind=AccountKind.RECHARGEABLE_REPAIRS)
    case = ArrearsCase.objects.create(account=repairs, opened_on=TODAY, ladder=Ladder.SUNDRY)
    second = _recharge(joint, officer, amount="40.00", job_reference="JOB-5000").invoice

    contact = Contact.objects.get(case=case)
    assert (contact.kind, contact.code, contact.outcome) == (ContactKind.LETTER, "invoice_sent", ContactOutcome.SENT)
    assert second.number in contact.notes
