from decimal import Decimal

import pytest

from arrears.constants import ContactKind, ContactOutcome
from arrears.services import contact_record
from documents.services import letter_make, template_version_create
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.factories import user_with_role

LANDLORD = {"name": "Harbour Homes", "address_lines": ["1 Quay Street", "Bristol", "BS1 4AA"]}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def schedule(db):
    """The shipped retention schedule (its data migration adds it; a transactional test's flush removes it)."""
    from privacy.schedule import retention_rules_install

    retention_rules_install()


@pytest.fixture
def officer():
    return user_with_role(Role.INCOME_OFFICER, first_name="Olu", last_name="Officer")


def letter_to(tenancy, to: str, body: str = "Dear tenant."):
    """A rent reminder made for the tenancy and addressed to `to` at 4 Mill Lane."""
    version = template_version_create(key="reminder_1", subject="About your rent", body=body, created_by=None)
    return letter_make(
        version=version,
        values={},
        landlord=LANDLORD,
        recipient={"name": to, "address_lines": ["4 Mill Lane", "Bristol", "BS2 9XY"]},
        reference=tenancy.payment_reference,
        subject_key="test",
    )


def spoke_with(case, person, on, notes: str, officer, kind=ContactKind.CALL):
    """A contact in the case's diary in which the officer spoke with `person`."""
    return contact_record(
        case=case,
        kind=kind,
        outcome=ContactOutcome.SPOKE,
        occurred_on=on,
        person=person,
        notes=notes,
        recorded_by=officer,
    )


def post(tenancy, amount: str, on, kind=TransactionType.RENT_DEBIT, note: str = ""):
    """One ledger line on the tenancy's rent account, through the ledger's own service."""
    account = account_get_or_create(tenancy=tenancy)
    transactions_post(
        postings=[
            Posting(
                account.pk,
                kind,
                Decimal(amount),
                on,
                f"privacy-test:{account.pk}:{on}:{amount}:{kind}",
                description=note,
            )
        ]
    )
    account.refresh_from_db()
    return account
