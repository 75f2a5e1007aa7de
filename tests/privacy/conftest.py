from decimal import Decimal

import pytest

from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def schedule(db):
    """The shipped retention schedule (its data migration adds it; a transactional test's flush removes it)."""
    from privacy.schedule import retention_rules_install

    retention_rules_install()


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
