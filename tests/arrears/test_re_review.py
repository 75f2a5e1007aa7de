"""Re-review is a service (issue 19): the change that can alter a recommendation asks for one itself, through
arrears.services.re_review; a view never does, and a failed review never undoes the change."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from arrears import review as review_module
from arrears.constants import ContactKind, ContactOutcome
from arrears.models import ArrearsCase, Contact, Recommendation
from arrears.review import review_run
from arrears.services import contact_record, policies_install_shipped, re_review
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.models import Account
from rentaccounts.services import Posting, account_get_or_create, transaction_reverse, transactions_post
from tests.arrears.conftest import tenancy_in_patch_of
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    policies_install_shipped()
    officer = user_with_role(Role.INCOME_OFFICER)
    tenancy = tenancy_in_patch_of(officer)
    account = account_get_or_create(tenancy=tenancy)
    day = timezone.localdate() - timedelta(days=21)
    transactions_post(postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("250.00"), day, "owed")])
    review_run(as_of=timezone.localdate())
    return ArrearsCase.objects.select_related("latest_recommendation").get(account=account)


def test_a_contact_recorded_through_the_service_moves_the_recommendation_on(case):
    assert case.latest_recommendation.action == "contact_before_send_reminder_1"
    contact_record(
        case=case,
        kind=ContactKind.CALL,
        outcome=ContactOutcome.NO_ANSWER,
        occurred_on=timezone.localdate(),
        recorded_by=user_with_role(Role.INCOME_OFFICER),
    )
    case.refresh_from_db()
    assert case.latest_recommendation.action == "send_reminder_1"  # the call was tried: the reminder is next
    assert case.latest_recommendation.run.scope == f"case:{case.pk}"


def test_a_reversal_posted_in_the_ledger_is_re_reviewed_through_the_arrears_app(case):
    account = case.account
    payment = Posting(account.pk, TransactionType.PAYMENT, Decimal("-250.00"), timezone.localdate(), "paid")
    transactions_post(postings=[payment])  # no review reason: the weekly review would see it
    assert Recommendation.objects.filter(account=account).count() == 1
    from rentaccounts.models import Transaction

    transaction_reverse(original=Transaction.objects.get(idempotency_key="paid"), reason="Bounced")
    newest = Recommendation.objects.filter(account=account).latest("id")
    assert newest.run.scope == "reversal" and newest.balance == Decimal("250.00")


def test_a_failed_re_review_leaves_the_change_standing(case, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("the review broke")

    monkeypatch.setattr(review_module, "review_run", broken)
    contact_record(
        case=case,
        kind=ContactKind.CALL,
        outcome=ContactOutcome.SPOKE,
        occurred_on=timezone.localdate(),
        recorded_by=user_with_role(Role.INCOME_OFFICER),
    )
    assert Contact.objects.filter(case=case, kind=ContactKind.CALL).exists()
    assert "Re-review after case:" in caplog.text


def test_many_accounts_are_queued_for_the_worker_once_the_change_commits(case, django_capture_on_commit_callbacks):
    ids = list(Account.objects.values_list("pk", flat=True)) + list(range(10**6, 10**6 + 30))
    with django_capture_on_commit_callbacks() as callbacks:
        re_review(account_ids=ids, reason="import:1")
    assert len(callbacks) == 1  # 31 accounts: more than are reviewed at once, one chunk for the worker
    assert Recommendation.objects.filter(account=case.account).count() == 1  # nothing reviewed in the request
