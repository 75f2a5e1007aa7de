"""The legal journey in the browser: an officer plans and serves a NOSP, completes the protocol checklist, a senior
approves, and the claim pack is produced; axe passes on every page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arrears.constants import ContactKind, ContactOutcome, ReferralKind
from arrears.models import ArrearsCase, Contact, Referral, VulnerabilityReview
from courts.models import LegalCase
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from rentaccounts.services.statements import statement_send
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PersonFactory, TenancyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_serves_a_nosp_completes_the_gate_a_senior_approves_and_the_pack_is_made(
    page, live_server, law, settings, tmp_path, browser
):
    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()
    served_on = today - timedelta(weeks=5)
    tenancy = TenancyFactory(
        payment_reference="RW780001",
        tenure_type="SECURE",
        lead_tenant=PersonFactory(first_name="Ada", last_name="Lead"),
    )
    account = account_get_or_create(tenancy=tenancy)
    transactions_post(
        postings=[
            Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("100.00"), today - timedelta(weeks=w), f"r{w}")
            for w in range(12)
        ]
    )
    officer = user_with_role(Role.INCOME_OFFICER, first_name="Olivia", last_name="Okafor")
    case = ArrearsCase.objects.create(account=account, opened_on=today - timedelta(weeks=12), officer=officer)
    person = tenancy.tenancy_tenants.get().person
    Contact.objects.create(case=case, person=person, kind=ContactKind.CALL, outcome=ContactOutcome.SPOKE,
                           occurred_on=today - timedelta(weeks=8), recorded_by=officer)  # fmt: skip
    Referral.objects.create(case=case, kind=ReferralKind.DEBT_ADVICE, made_on=today - timedelta(weeks=8))
    Referral.objects.create(case=case, kind=ReferralKind.BENEFITS_ADVICE, made_on=today - timedelta(weeks=8))
    VulnerabilityReview.objects.create(case=case, reviewed_on=today - timedelta(weeks=6), vulnerable=False)
    statement_send(account=account, date_from=today - timedelta(weeks=13), date_to=today, send_by="post",
                   made_by=officer)  # fmt: skip

    sign_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}/legal/?reference={case.account.tenancy.payment_reference}")
    page.get_by_label("Day").fill(f"{served_on.day}")
    page.get_by_label("Month").fill(f"{served_on.month}")
    page.get_by_label("Year").fill(f"{served_on.year}")
    page.get_by_role("button", name="Plan the notice").click()
    expect(page.get_by_role("heading", name="NOSP", exact=True)).to_be_visible()
    page.get_by_role("link", name="Record this NOSP as served").click()
    page.get_by_label("Signed for the landlord by").fill("Priya Shah, Income Manager")
    page.get_by_label("Proof of service").fill("Handed to Ada Lead at the door at 10:15 by Olivia Okafor.")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check before you record the notice")
    page.get_by_role("button", name="Record the notice as served").click()
    expect(page.get_by_text(f"NOSP recorded as served on {served_on:%-d %B %Y}")).to_be_visible()

    page.get_by_role("button", name="Prepare a possession claim").click()
    expect(page.get_by_role("heading", name="Possession claim")).to_be_visible()
    expect(page.get_by_text("No claim pack can be produced until every step below is done.")).to_be_visible()
    assert_accessible(page)

    page.get_by_text("Confirm this was done: An affordable agreement offered").click()
    page.get_by_label("What was done, and when").fill("Offered £5 a week on the call of 10 November; Ada declined.")
    page.get_by_role("button", name="Confirm this step").click()
    expect(page.get_by_text("Step confirmed.")).to_be_visible()
    page.get_by_label("Proportionality and equality assessment").fill(
        "No disability found at review; arrears have grown for 12 weeks despite contact and advice; no less drastic "
        "step remains."
    )
    page.get_by_role("button", name="Save the assessment").click()
    expect(page.get_by_text("Every step is done.")).to_be_visible()
    assert_accessible(page)
    legal_case_url = page.url

    senior = user_with_role(Role.SENIOR_INCOME_OFFICER)
    senior_page = browser.new_page()
    sign_in(senior_page, live_server, senior.username)
    senior_page.goto(legal_case_url)
    senior_page.get_by_label("Approve the claim").check()
    senior_page.get_by_role("button", name="Record the decision").click()
    expect(senior_page.get_by_text("Approved.", exact=True)).to_be_visible()
    assert_accessible(senior_page)
    senior_page.close()

    page.reload()
    page.get_by_role("button", name="Produce the claim pack").click()
    expect(page.get_by_text("The claim pack is ready")).to_be_visible()
    expect(page.get_by_role("link", name="Claim pack, RW780001")).to_be_visible()
    assert_accessible(page)
    assert LegalCase.objects.get().claim_pack is not None
