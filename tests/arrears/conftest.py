from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from arrears.engine import evaluate
from arrears.models import ArrearsCase
from arrears.review import review_run
from arrears.services import SHIPPED_POLICIES, policy_read
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.factories import PatchFactory, PropertyFactory, TenancyFactory, user_with_role

TODAY = date(2026, 11, 30)  # a Monday


@pytest.fixture(scope="session")
def shipped():
    return {path.stem: policy_read(path.read_text()) for path in SHIPPED_POLICIES.glob("*.yaml")}


def facts(**given) -> dict:
    """Input facts for a case reviewed on TODAY; anything not given is not recorded."""
    from arrears.facts import facts_read

    return facts_read(
        {"as_of": TODAY.isoformat(), **{k: (v.isoformat() if isinstance(v, date) else v) for k, v in given.items()}}
    )


@pytest.fixture
def classify(shipped):
    def run(policy: str, **given):
        return evaluate(shipped[policy], facts(**given))

    return run


@pytest.fixture
def officer(db):
    return user_with_role(Role.INCOME_OFFICER, first_name="Olu", last_name="Officer")


def tenancy_in_patch_of(officer, **fields):
    """A tenancy whose home is in the patch `officer` works."""
    return TenancyFactory(property=PropertyFactory(patch=PatchFactory(officer=officer)), **fields)


def case_owing_a_fortnights_rent(tenancy) -> ArrearsCase:
    """The arrears case today's review opens for the tenancy once its rent account owes £250.00 due 14 days ago."""
    account = account_get_or_create(tenancy=tenancy)
    today = timezone.localdate()
    transactions_post(
        postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("250.00"), today - timedelta(days=14), "d")]
    )
    review_run(as_of=today)
    return ArrearsCase.objects.get(account=account)
