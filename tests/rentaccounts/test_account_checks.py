"""Suspected duplicate payments and overlapping benefit periods: found set-based, raised once, resolved by a senior."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from incomeapp.constants import Role
from rentaccounts.constants import CheckKind, CheckStatus, TransactionType
from rentaccounts.models import AccountCheck, Transaction
from rentaccounts.selectors import balance_differences
from rentaccounts.services import Posting, account_get_or_create, transaction_reverse, transactions_post
from rentaccounts.services.account_checks import account_check_resolve, account_checks_find
from rentaccounts.tasks import find_account_checks
from tenancies.constants import PaymentMethod
from tests.factories import TenancyFactory, user_with_role

pytestmark = pytest.mark.django_db
SINCE = date(2026, 9, 1)
HB = {"transaction_type": TransactionType.HOUSING_BENEFIT, "payment_method": PaymentMethod.HOUSING_BENEFIT}


def _card(account, key, amount="-50.00", on=date(2026, 11, 2), method=PaymentMethod.CARD):
    return Posting(account.pk, TransactionType.PAYMENT, Decimal(amount), on, key, payment_method=method)


def _hb(account, key, paid_on, start, end, amount="-400.00"):
    return Posting(
        account.pk,
        amount=Decimal(amount),
        effective_date=paid_on,
        idempotency_key=key,
        period_start=start,
        period_end=end,
        **HB,
    )


@pytest.fixture
def suspicious_account():
    account = account_get_or_create(tenancy=TenancyFactory())
    transactions_post(
        postings=[
            _card(account, "a"),
            _card(account, "b"),
            _hb(account, "hb1", date(2026, 10, 1), date(2026, 8, 31), date(2026, 9, 27)),
            _hb(account, "hb2", date(2026, 10, 29), date(2026, 9, 21), date(2026, 10, 18)),
        ]
    )
    return account


@pytest.fixture
def innocent_account():
    """Near misses: nothing here is a suspicion."""
    account = account_get_or_create(tenancy=TenancyFactory())
    transactions_post(
        postings=[
            _card(account, "c1"),
            _card(account, "c2", amount="-50.01"),  # another amount
            _card(account, "c3", on=date(2026, 11, 3)),  # another day
            _card(account, "c4", method=PaymentMethod.ALLPAY),  # another source
            _card(account, "c5", on=date(2026, 8, 1)),
            _card(account, "c6", on=date(2026, 8, 1)),  # a pair from before the date asked about
            # HB for consecutive four-week periods: back to back, not overlapping.
            _hb(account, "h1", date(2026, 10, 1), date(2026, 8, 31), date(2026, 9, 27)),
            _hb(account, "h2", date(2026, 10, 29), date(2026, 9, 28), date(2026, 10, 25)),
        ]
    )
    # An identical pair, one already reversed: already dealt with.
    transactions_post(postings=[_card(account, "d1", amount="-20.00"), _card(account, "d2", amount="-20.00")])
    transaction_reverse(original=Transaction.objects.get(idempotency_key="d2"), reason="Posted twice")
    return account


def test_duplicates_and_overlapping_hb_periods_are_found_once(suspicious_account, innocent_account):
    assert account_checks_find(since=SINCE) == 2
    assert account_checks_find(since=SINCE) == 0
    checks = {check.kind: check for check in AccountCheck.objects.all()}
    assert set(checks) == {CheckKind.DUPLICATE_PAYMENT, CheckKind.OVERLAPPING_PERIODS}
    duplicate, overlap = checks[CheckKind.DUPLICATE_PAYMENT], checks[CheckKind.OVERLAPPING_PERIODS]
    assert duplicate.account == suspicious_account and overlap.account == suspicious_account
    assert duplicate.detail == "2 × Payment of £50.00 on 2 November 2026"
    assert (
        overlap.detail == "Housing Benefit for 31 August 2026–27 September 2026 and 21 September 2026–18 October 2026"
    )
    assert sorted(duplicate.transactions.values_list("idempotency_key", flat=True)) == ["a", "b"]
    assert sorted(overlap.transactions.values_list("idempotency_key", flat=True)) == ["hb1", "hb2"]
    assert duplicate.status == CheckStatus.OPEN
    assert duplicate.history.count() == 1


def test_a_third_identical_payment_raises_a_new_check_for_all_three(suspicious_account):
    account_checks_find(since=SINCE)
    transactions_post(postings=[_card(suspicious_account, "c")])
    assert account_checks_find(since=SINCE) == 1
    latest = AccountCheck.objects.filter(kind=CheckKind.DUPLICATE_PAYMENT).order_by("-id").first()
    assert latest.detail == "3 × Payment of £50.00 on 2 November 2026"


def test_an_overlap_with_an_older_award_is_found(suspicious_account):
    # hb1 was paid before the date asked about; hb2, paid after, still overlaps it.
    account_checks_find(since=date(2026, 10, 15))
    overlap = AccountCheck.objects.get(kind=CheckKind.OVERLAPPING_PERIODS)
    assert sorted(overlap.transactions.values_list("idempotency_key", flat=True)) == ["hb1", "hb2"]


def test_the_command_and_the_nightly_task(suspicious_account):
    out = StringIO()
    call_command("find_account_checks", "--since", "2026-09-01", stdout=out)
    assert out.getvalue().strip() == "Raised 2 new account checks since 01/09/2026."
    assert find_account_checks.apply().get() == 0  # the nightly run finds nothing new


def test_resolving_a_check_as_genuine_posts_nothing(suspicious_account):
    account_checks_find(since=SINCE)
    check = AccountCheck.objects.get(kind=CheckKind.OVERLAPPING_PERIODS)
    senior = user_with_role(Role.SENIOR_INCOME_OFFICER)
    account_check_resolve(check=check, user=senior, outcome="genuine", note="Two separate claims, confirmed with HB")
    check.refresh_from_db()
    assert (check.status, check.resolved_by, check.resolution_note) == (
        CheckStatus.CONFIRMED_GENUINE,
        senior,
        "Two separate claims, confirmed with HB",
    )
    assert not Transaction.objects.filter(transaction_type=TransactionType.REVERSAL).exists()
    with pytest.raises(ValidationError, match="already been resolved"):
        account_check_resolve(check=check, user=senior, outcome="genuine", note="Again")
    # Resolved suspicions are not raised again.
    assert account_checks_find(since=SINCE) == 0


def test_resolving_a_check_by_reversal(suspicious_account):
    account_checks_find(since=SINCE)
    check = AccountCheck.objects.get(kind=CheckKind.DUPLICATE_PAYMENT)
    senior = user_with_role(Role.SENIOR_INCOME_OFFICER)
    with pytest.raises(PermissionDenied):
        account_check_resolve(check=check, user=user_with_role(Role.INCOME_OFFICER), outcome="genuine", note="fine")
    with pytest.raises(ValidationError, match="Choose which"):
        account_check_resolve(check=check, user=senior, outcome="corrected", note="Card charged twice")
    with pytest.raises(ValidationError, match="Choose which"):
        unrelated = Transaction.objects.get(idempotency_key="hb1")
        account_check_resolve(
            check=check, user=senior, outcome="corrected", note="Card charged twice", reverse_transaction=unrelated
        )
    with pytest.raises(ValidationError, match="Say what you found"):
        account_check_resolve(check=check, user=senior, outcome="genuine", note=" ")
    second = check.transactions.order_by("id").last()
    account_check_resolve(
        check=check, user=senior, outcome="corrected", note="Card charged twice", reverse_transaction=second
    )
    check.refresh_from_db()
    assert check.status == CheckStatus.CORRECTED
    reversal = Transaction.objects.get(transaction_type=TransactionType.REVERSAL)
    assert (reversal.reverses, reversal.amount, reversal.description) == (
        second,
        Decimal("50.00"),
        "Account check: Card charged twice",
    )
    suspicious_account.refresh_from_db()
    assert suspicious_account.balance == Decimal("-850.00")
    assert balance_differences() == []
    # Once reversed, the pair is no longer a suspicion.
    assert account_checks_find(since=SINCE) == 0


def test_the_checks_queue_and_resolve_page(client, suspicious_account):
    account_checks_find(since=SINCE)
    client.force_login(user_with_role(Role.INCOME_OFFICER))
    assert client.get("/approvals/checks/").status_code == 403
    client.force_login(user_with_role(Role.SENIOR_INCOME_OFFICER))
    queue = client.get("/approvals/checks/").content.decode()
    assert "Possible duplicate payment" in queue and "Benefit payments for overlapping periods" in queue
    duplicate = AccountCheck.objects.get(kind=CheckKind.DUPLICATE_PAYMENT)
    missing = client.post(f"/approvals/checks/{duplicate.pk}/", {"outcome": "corrected", "note": "Twice"})
    assert "Choose the payment that was posted in error" in missing.content.decode()
    second = duplicate.transactions.order_by("id").last()
    response = client.post(
        f"/approvals/checks/{duplicate.pk}/", {"outcome": "corrected", "reverse": str(second.pk), "note": "Twice"}
    )
    assert response.status_code == 302
    assert AccountCheck.objects.get(pk=duplicate.pk).status == CheckStatus.CORRECTED
    assert "reversed on" in client.get(f"/approvals/checks/{duplicate.pk}/").content.decode()
    overlap = AccountCheck.objects.get(kind=CheckKind.OVERLAPPING_PERIODS)
    client.post(f"/approvals/checks/{overlap.pk}/", {"outcome": "genuine", "note": "Two separate claims, confirmed"})
    assert AccountCheck.objects.get(pk=overlap.pk).status == CheckStatus.CONFIRMED_GENUINE
    assert "There are no checks to review." in client.get("/approvals/checks/").content.decode()
