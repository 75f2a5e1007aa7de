"""Technical arrears from HB and UC timing, and the direct-payment alerts at the legal thresholds."""

from datetime import date
from decimal import Decimal

from arrears.benefits import ClaimTerms, direct_payment_alerts, expected_benefit

D = Decimal
HB = ClaimTerms("hb", "in_payment", D("100.00"), True, date(2026, 1, 5))
UC = ClaimTerms("uc", "in_payment", D("92.31"), True, date(2026, 1, 5))


def test_hb_due_since_the_last_period_paid_is_expected():
    # Paid up to Sunday 15/11; review Monday 30/11: 15 days due, not yet received.
    assert expected_benefit(HB, paid_up_to=date(2026, 11, 15), as_of=date(2026, 11, 30)) == D("214.29")
    assert expected_benefit(HB, paid_up_to=date(2026, 11, 30), as_of=date(2026, 11, 30)) == D("0.00")


def test_a_claim_that_stopped_paying_cannot_hide_arrears_beyond_a_cycle_and_a_week():
    assert expected_benefit(HB, paid_up_to=date(2026, 6, 1), as_of=date(2026, 11, 30)) == D("500.00")  # 5 weeks
    assert expected_benefit(UC, paid_up_to=date(2026, 6, 1), as_of=date(2026, 11, 30)) == D("553.86")  # 6 weeks


def test_nothing_is_expected_unless_in_payment_to_the_landlord():
    suspended = ClaimTerms("hb", "suspended", D("100.00"), True, date(2026, 1, 5))
    to_tenant = ClaimTerms("uc", "in_payment", D("100.00"), False, date(2026, 1, 5))
    assert expected_benefit(suspended, paid_up_to=None, as_of=date(2026, 11, 30)) == 0
    assert expected_benefit(to_tenant, paid_up_to=None, as_of=date(2026, 11, 30)) == 0


def test_managed_payment_alert_at_two_months_rent_for_uc():
    common = {"weekly_rent": D("100.00"), "requested": set(), "uc_months": D("2"), "hb_weeks": D("8")}
    two_months = D("866.67")  # 100 × 52 × 2 ÷ 12, rounded once
    assert direct_payment_alerts(claims=[UC], arrears=two_months - D("0.01"), **common) == []
    alerts = direct_payment_alerts(claims=[UC], arrears=two_months, **common)
    assert alerts == [
        "Arrears of £866.67 are at least 2 months' rent (£866.67): ask DWP for a managed payment to landlord, and a "
        "deduction towards the arrears if it is affordable."
    ]
    assert direct_payment_alerts(claims=[UC], arrears=two_months, **{**common, "requested": {"managed_payment"}}) == []


def test_hb_direct_payment_alert_at_eight_weeks_when_paid_to_the_tenant():
    to_tenant = ClaimTerms("hb", "in_payment", D("100.00"), False, date(2026, 1, 5))
    common = {"weekly_rent": D("100.00"), "requested": set(), "uc_months": D("2"), "hb_weeks": D("8")}
    assert direct_payment_alerts(claims=[to_tenant], arrears=D("799.99"), **common) == []
    assert "reg 95" in direct_payment_alerts(claims=[to_tenant], arrears=D("800.00"), **common)[0]
    assert direct_payment_alerts(claims=[HB], arrears=D("900.00"), **common) == []  # already paid to the landlord


# ---- on a real ledger ------------------------------------------------------------------------------------------------

import pytest  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from django.utils import timezone  # noqa: E402

from arrears.models import ArrearsCase, Recommendation  # noqa: E402
from arrears.review import review_run  # noqa: E402
from arrears.services import (  # noqa: E402
    benefit_claim_record,
    direct_payment_request_record,
    direct_payment_request_update,
    policies_install_shipped,
)
from incomeapp.constants import Role  # noqa: E402
from rentaccounts.constants import TransactionType  # noqa: E402
from rentaccounts.services import Posting, account_get_or_create, transactions_post  # noqa: E402
from tests.factories import TenancyFactory, user_with_role  # noqa: E402


@pytest.fixture
def hb_tenancy(db, law):
    """£100 a week, fully covered by HB paid to us 4-weekly in arrears; the last credit covered up to 3 weeks ago."""
    from datetime import timedelta

    policies_install_shipped()
    tenancy = TenancyFactory(payment_reference="RW444001")
    account = account_get_or_create(tenancy=tenancy)
    today = timezone.localdate()
    paid_to = today - timedelta(days=21)
    transactions_post(
        postings=[
            Posting(account.pk, TransactionType.RENT_DEBIT, D("300.00"), today - timedelta(days=20), "rent"),
            Posting(
                account.pk,
                TransactionType.HOUSING_BENEFIT,
                D("-400.00"),
                paid_to,
                "hb",
                period_start=paid_to - timedelta(days=27),
                period_end=paid_to,
            ),
            Posting(account.pk, TransactionType.RENT_DEBIT, D("400.00"), paid_to - timedelta(days=27), "rent-before"),
        ]
    )
    account.refresh_from_db()
    return tenancy, account


def test_arrears_that_hb_will_clear_are_kept_off_the_worklist(hb_tenancy):
    tenancy, account = hb_tenancy
    officer = user_with_role(Role.INCOME_OFFICER)
    review_run(as_of=timezone.localdate())
    assert Recommendation.objects.get(account=account).action == "contact_before_send_reminder_1"  # no claim known
    benefit_claim_record(
        tenancy=tenancy,
        benefit="hb",
        status="in_payment",
        weekly_amount=D("100.00"),
        started_on=date(2025, 1, 6),
        updated_by=officer,
    )
    review_run(as_of=timezone.localdate())
    latest = Recommendation.objects.filter(account=account).latest("id")
    assert (latest.action, latest.mode) == ("technical_arrears_only", "none")
    assert latest.facts["expected_benefit"] == "300.00"


def test_a_complete_pending_claim_holds_legal_steps(hb_tenancy):
    tenancy, _ = hb_tenancy
    officer = user_with_role(Role.INCOME_OFFICER)
    benefit_claim_record(
        tenancy=tenancy,
        benefit="uc",
        status="pending",
        weekly_amount=D("90.00"),
        started_on=date(2026, 11, 1),
        updated_by=officer,
        evidence_complete=True,
    )
    from arrears.review_facts import facts_for_accounts

    facts = facts_for_accounts(account_ids=[tenancy.accounts.get().pk], as_of=timezone.localdate())
    assert next(iter(facts.values()))["benefit_claim_pending"] is True


def test_the_objection_window_comes_from_the_law_table_and_holds_the_decision(hb_tenancy):
    from datetime import timedelta

    tenancy, _ = hb_tenancy
    officer = user_with_role(Role.INCOME_OFFICER)
    today = timezone.localdate()
    request = direct_payment_request_record(
        tenancy=tenancy, kind="managed_payment", requested_on=today - timedelta(days=10), requested_by=officer
    )
    with pytest.raises(ValidationError, match="already recorded"):
        direct_payment_request_record(tenancy=tenancy, kind="managed_payment", requested_on=today, requested_by=officer)
    notified = today - timedelta(days=5)
    direct_payment_request_update(request=request, status="claimant_notified", on=notified, updated_by=officer)
    assert request.objection_window_ends == notified + timedelta(days=7)
    with pytest.raises(ValidationError, match="The claimant can object until"):
        direct_payment_request_update(request=request, status="approved", on=today, updated_by=officer)
    direct_payment_request_update(request=request, status="approved", on=today + timedelta(days=3), updated_by=officer)
    assert request.decided_on == today + timedelta(days=3)


def test_the_case_page_tells_the_officer_to_ask_for_a_managed_payment(client, law):
    policies_install_shipped()
    officer = user_with_role(Role.INCOME_OFFICER)
    tenancy = TenancyFactory(payment_reference="RW444002")
    account = account_get_or_create(tenancy=tenancy)
    transactions_post(postings=[Posting(account.pk, TransactionType.RENT_DEBIT, D("900.00"), date(2026, 9, 7), "r")])
    benefit_claim_record(
        tenancy=tenancy,
        benefit="uc",
        status="in_payment",
        weekly_amount=D("90.00"),
        started_on=date(2026, 1, 5),
        updated_by=officer,
        paid_to_landlord=False,
    )
    review_run(as_of=timezone.localdate())
    client.force_login(officer)
    html = client.get(f"/worklist/cases/{ArrearsCase.objects.get(account=account).pk}/").content.decode()
    assert "Arrears of £900.00 are at least 2 months&#x27; rent (£866.67): ask DWP for a managed payment" in html
