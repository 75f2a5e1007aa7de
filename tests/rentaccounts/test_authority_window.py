"""Delegated authority covers what one person approves for one tenancy's accounts within a window, not each request:
two £400 write-offs on one account are not under a £500 limit."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from incomeapp.constants import Role
from rentaccounts.constants import AccountKind, RequestKind, RequestStatus, TransactionType, WriteOffReason
from rentaccounts.models import AdjustmentRequest
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from rentaccounts.services.approvals import adjustment_request_approve, adjustment_request_create
from tests.factories import TenancyFactory, user_with_role
from tests.rentaccounts.conftest import senior_income_officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "officer": user_with_role(Role.INCOME_OFFICER),
        "senior": senior_income_officer(),
        "other_senior": senior_income_officer(),
    }


def _owing(amount="1000.00", tenancy=None, kind=AccountKind.RENT):
    account = account_get_or_create(tenancy=tenancy or TenancyFactory(), kind=kind)
    transactions_post(
        postings=[
            Posting(account.pk, TransactionType.RENT_DEBIT, Decimal(amount), date(2026, 11, 2), f"r:{account.pk}")
        ]
    )
    account.refresh_from_db()
    return account


def _ask(people, account, amount="-400.00", kind=RequestKind.WRITE_OFF):
    write_off = {"write_off_reason": WriteOffReason.UNECONOMIC, "evidence": "Tracing cost more than the debt"}
    return adjustment_request_create(
        kind=kind,
        account=account,
        amount=Decimal(amount),
        reason="Uncollectable",
        requested_by=people["officer"],
        **(write_off if kind == RequestKind.WRITE_OFF else {}),
    )


def _approve(request, approver):
    return adjustment_request_approve(request=request, approver=approver, reason="Agreed")


def test_two_write_offs_of_400_on_one_account_are_not_under_a_500_limit_but_on_two_accounts_they_are(people):
    account = _owing()
    _approve(_ask(people, account), people["senior"])
    second = _ask(people, account)
    message = (
        r"^Approving this would bring what you have approved for RW\d+ in the last 30 days to £800\.00 "
        r"\(£400\.00 already approved and this £400\.00\), above your delegated authority of £500\.00\. "
        r"Ask someone with a higher limit, such as an Income Manager, to decide it\.$"
    )
    with pytest.raises(PermissionDenied, match=message):
        _approve(second, people["senior"])
    account.refresh_from_db()
    assert account.balance == Decimal("600.00")
    assert AdjustmentRequest.objects.get(pk=second.pk).status == RequestStatus.PENDING
    # Each person's own total: someone else within their authority may approve it.
    _approve(second, people["other_senior"])
    account.refresh_from_db()
    assert account.balance == Decimal("200.00")

    # The same two write-offs on two different tenancies' accounts are each within the limit.
    first_home, second_home = _owing(), _owing()
    _approve(_ask(people, first_home), people["other_senior"])
    _approve(_ask(people, second_home), people["other_senior"])
    assert AdjustmentRequest.objects.filter(status=RequestStatus.APPROVED).count() == 4


def test_every_kind_counts_by_its_size_and_across_a_tenancys_accounts(people):
    rent = _owing()
    sundry = _owing(tenancy=rent.tenancy, kind=AccountKind.SUNDRY)
    # An adjustment that adds £300 and a write-off that takes £300 away: £600 of decisions for one tenancy.
    _approve(_ask(people, rent, amount="300.00", kind=RequestKind.ADJUSTMENT), people["senior"])
    with pytest.raises(PermissionDenied, match=r"to £600\.00 \(£300\.00 already approved and this £300\.00\)"):
        _approve(_ask(people, sundry, amount="-300.00"), people["senior"])


def test_approvals_older_than_the_window_do_not_count_and_the_window_is_a_setting(people, settings):
    account = _owing()
    first = _approve(_ask(people, account), people["senior"])
    AdjustmentRequest.objects.filter(pk=first.pk).update(decided_at=timezone.now() - timedelta(days=31))
    second = _ask(people, account)
    settings.DELEGATED_AUTHORITY_WINDOW_DAYS = 45
    with pytest.raises(PermissionDenied, match=r"in the last 45 days to £800\.00"):
        _approve(second, people["senior"])
    settings.DELEGATED_AUTHORITY_WINDOW_DAYS = 30
    _approve(second, people["senior"])
    account.refresh_from_db()
    assert account.balance == Decimal("200.00")


def test_the_queue_and_the_request_page_say_when_the_window_is_spent(client, people):
    account = _owing()
    _approve(_ask(people, account), people["senior"])
    second = _ask(people, account)
    client.force_login(people["senior"])
    assert "Above your limit" in client.get("/approvals/").content.decode()
    page = client.get(f"/approvals/{second.pk}/").content.decode()
    assert "Approve and post" not in page and "in the last 30 days to £800.00" in page
    refused = client.post(f"/approvals/{second.pk}/decide/", {"approve": "", "reason": "Agreed"}).content.decode()
    assert "govuk-error-summary" in refused and "in the last 30 days to £800.00" in refused
    assert AdjustmentRequest.objects.get(pk=second.pk).status == RequestStatus.PENDING
