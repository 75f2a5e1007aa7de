from decimal import Decimal
from pathlib import Path

import pytest

from incomeapp.constants import Role
from tests.factories import TenancyFactory, user_with_role

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "generic-payments.csv"
SAMPLE_PAYMENT_REFERENCES = ("RW000001", "RW000002", "RW000003", "RW000004")  # the tenancies the sample file pays


def senior_income_officer():
    return user_with_role(Role.SENIOR_INCOME_OFFICER, delegated_authority_limit=Decimal("500.00"))


def income_manager():
    return user_with_role(Role.INCOME_MANAGER, delegated_authority_limit=Decimal("5000.00"))


@pytest.fixture
def people():
    """The officer who asks, and who decides: a Senior Income Officer up to £500, an Income Manager up to £5,000."""
    return {
        "officer": user_with_role(Role.INCOME_OFFICER),
        "senior": senior_income_officer(),
        "manager": income_manager(),
    }


@pytest.fixture
def officer_client(client):
    """An Income Officer signed in, with the tenancies the sample payment file pays."""
    for reference in SAMPLE_PAYMENT_REFERENCES:
        TenancyFactory(payment_reference=reference)
    client.force_login(user_with_role(Role.INCOME_OFFICER))
    return client


def transactions_post_fails_on_call(monkeypatch, module, call: int, fault: BaseException | None = None):
    """`module`'s posting fails on its `call`th call (counting from 1) with `fault`, or as if the database went away,
    and posts as usual on every other."""
    real, calls = module.transactions_post, []

    def fails_on_that_call(**kwargs):
        calls.append(1)
        if len(calls) == call:
            raise fault or ConnectionError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(module, "transactions_post", fails_on_that_call)
