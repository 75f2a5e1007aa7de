"""Breathing Space in the browser (legal-spec §6, issue 15): an officer records a standard moratorium on a case whose
NOSP lapses inside it, sees the notice's new last day for proceedings and why (R-BS-14), cannot issue the claim
(R-BS-13) nor send an arrears letter (R-BS-11) while it lasts, and can issue the claim once its early end is recorded;
axe passes on every page.

Dates come from the spec, not the code: a standard moratorium's last day is its start + 60 days (R-BS-01), and a
deadline that falls inside one moves to 8 weeks after that day (R-BS-14). The NOSP was served about 50 weeks ago, so
its statutory last day for proceedings (12 months after the date in the notice) is a few weeks from today."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arrears.models import ArrearsCase, LetterRequest, Recommendation
from arrears.review import review_run
from arrears.services import policies_install_shipped
from courts.claims import claim_pack_make, gate_override, legal_case_decide, legal_case_open
from courts.models import LegalCase
from courts.services import notice_serve
from incomeapp.constants import Role
from tenancies.constants import TenureType
from tests.browser.conftest import assert_accessible, date_fill, sign_in
from tests.factories import PersonFactory, TenancyFactory, rent_debited_weekly, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _long(day) -> str:
    return f"{day:%-d %B %Y}"


def test_r_bs_14_r_bs_13_r_bs_11_an_officer_records_a_breathing_space_and_the_notice_claim_and_letters_follow_it(
    page, live_server, law, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()
    served_on = today - timedelta(days=350)
    starts_on = today - timedelta(days=1)  # the Insolvency Service's start date: yesterday

    # A secure tenancy owing 8 weeks' rent, all of it due before the NOSP was served (so none is new arrears).
    tenancy = TenancyFactory(
        payment_reference="RW790015",
        tenure_type=TenureType.SECURE,
        lead_tenant=PersonFactory(first_name="Ada", last_name="Lead"),
    )
    account = rent_debited_weekly(tenancy, weeks_ago=range(1, 9), back_from=served_on)
    officer = user_with_role(Role.INCOME_OFFICER, first_name="Olivia", last_name="Okafor")
    case = ArrearsCase.objects.create(account=account, opened_on=served_on - timedelta(weeks=8), officer=officer)
    notice = notice_serve(
        tenancy=tenancy,
        notice_code="secure-nosp",
        served_on=served_on,
        method="hand",
        signatory="Priya Shah, Income Manager",
        proof_of_service="Handed to Ada Lead at the door by Olivia Okafor.",
        served_by=officer,
    )
    case.refresh_from_db()
    original = notice.lapses_on
    moratorium_ends = starts_on + timedelta(days=60)  # R-BS-01
    moved = moratorium_ends + timedelta(weeks=8)  # R-BS-14
    assert case.nosp_expires_on == original
    assert starts_on <= original <= moratorium_ends, "the scenario needs the lapse date inside the moratorium"

    # A claim ready to issue: checklist overridden by a manager, approved by a senior, the pack made.
    legal_case = legal_case_open(notice=notice, opened_by=officer)
    gate_override(legal_case=legal_case, overridden_by=user_with_role(Role.INCOME_MANAGER),
                  reason="Legal advised issuing now; the tenant has not engaged for months.")  # fmt: skip
    legal_case_decide(legal_case=legal_case, approved=True, notes="",
                      decided_by=user_with_role(Role.SENIOR_INCOME_OFFICER))  # fmt: skip
    claim_pack_make(legal_case=legal_case, made_by=officer)

    # The case's recommended step is a letter the officer sends by hand.
    policies_install_shipped()
    review_run(as_of=today)
    case.refresh_from_db()
    Recommendation.objects.filter(pk=case.latest_recommendation_id).update(letter="final_warning", mode="officer")
    letters_before = LetterRequest.objects.filter(case=case).count()

    sign_in(page, live_server, officer.username)
    case_url = f"{live_server.url}/worklist/cases/{case.pk}/"
    # A second tab, opened before the Breathing Space is recorded, still offers the letter.
    stale = page.context.new_page()
    stale.goto(case_url)
    send = "#next-step form[action$='/letters/'] button"  # the next step's button sends the recommended letter
    expect(stale.locator(send)).to_be_visible()

    # 1. Record a standard Breathing Space through the case page's form.
    page.goto(case_url)
    expect(page.get_by_text("No Breathing Space is in force.")).to_be_visible()
    page.locator(".govuk-details__summary-text", has_text="Record Breathing Space").click()
    form = page.locator("form[action$='/breathing-space/']")
    form.get_by_label("Standard").check()
    form.get_by_label("Insolvency Service reference").fill("BS-15001")
    date_fill(form.get_by_role("group", name="Start date"), starts_on)
    date_fill(form.get_by_role("group", name="Date we were told"), today)
    form.get_by_label("Debt adviser's name").fill("Sam Adviser")
    form.get_by_label("Debt advice organisation").fill("StepChange")
    form.get_by_role("button", name="Record Breathing Space").click()
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Breathing Space recorded.")
    expect(banner).to_contain_text(
        f"Arrears letters and legal steps on the moratorium debt of £800.00 are held until {_long(moratorium_ends)}"
    )
    assert_accessible(page)

    # 2. The notice's new last day for proceedings, and why, on the case page ...
    reason = (
        f"moved from {original:%-d %B %Y}: it fell inside the Breathing Space of {starts_on:%-d %B %Y} to "
        f"{moratorium_ends:%-d %B %Y}, so it is 8 weeks after that ends"
    )
    served_row = page.locator(".govuk-summary-list__row", has_text="Notice served")
    expect(served_row.locator("s")).to_have_text(f"was {_long(original)}")
    expect(served_row).to_contain_text(f"was {_long(original)} now {_long(moved)}")
    expect(served_row).to_contain_text(reason[0].upper() + reason[1:])
    # ... the letter is no longer offered on a fresh page ...
    expect(page.locator(send)).to_have_count(0)
    expect(page.locator("#letter-action")).to_contain_text("No letter can be sent while the Breathing Space")

    # ... and on the notice's page.
    page.goto(f"{live_server.url}/legal/notices/{notice.pk}/")
    lapse = page.locator("#notice-lapse")
    expect(lapse).to_contain_text(f"{moved:%A %-d %B %Y}")
    expect(lapse).to_contain_text(f"The notice itself gives {original:%A %-d %B %Y}; {reason}.")
    assert_accessible(page)

    # 3. The claim cannot be issued while it lasts (R-BS-13).
    page.get_by_role("link", name="Carry on with the possession claim").click()
    expect(page.get_by_role("heading", name="Possession claim", exact=True)).to_be_visible()
    # Said up front, before anyone tries.
    expect(page.locator(".govuk-warning-text", has_text="Hearings and orders")).to_contain_text("Hearings and orders")
    page.locator(".govuk-details__summary-text", has_text="Record the claim as issued").click()
    date_fill(page.get_by_role("group", name="Date the court issued the claim"), today)
    page.get_by_label("County Court hearing centre").fill("Bristol County Court")
    page.get_by_label("Claim number").fill("K00BS015")
    page.get_by_role("button", name="Record the claim").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("issuing a possession claim is not allowed while it lasts")
    expect(summary).to_contain_text(f"began on {starts_on:%-d %B %Y}")
    expect(page.get_by_label("County Court hearing centre")).to_have_value("Bristol County Court")
    assert page.title().startswith("Error: ")
    expect(page.locator(summary.locator("a").first.get_attribute("href"))).to_have_count(1)
    assert_accessible(page)
    assert LegalCase.objects.get(pk=legal_case.pk).claim_issued_on is None

    # 4. Nor can the arrears letter be sent, even from the page opened before it was recorded (R-BS-11).
    stale.locator(send).click()
    refused = stale.locator(".govuk-notification-banner")
    expect(refused).to_contain_text("No letter can be sent while the Breathing Space that began on")
    expect(refused).to_contain_text("Talk to their debt adviser instead.")
    assert_accessible(stale)
    assert LetterRequest.objects.filter(case=case).count() == letters_before

    # 5. Once it ends (the adviser ended it early, yesterday), the claim may be issued.
    page.goto(case_url)
    page.locator(".govuk-details__summary-text", has_text="Record an early end or cancellation").click()
    end_form = page.locator("form[action$='/breathing-space/end/']")
    end_form.get_by_label("Ended early by the debt adviser").check()
    date_fill(end_form.get_by_role("group", name="Date it ended"), starts_on)
    end_form.get_by_role("button", name="Record the end").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("may start again")
    expect(page.locator(".govuk-summary-list__row", has_text="Notice served")).to_contain_text(
        f"lapses {_long(original)}"
    )
    assert_accessible(page)
    page.goto(f"{live_server.url}/legal/cases/{legal_case.pk}/")
    expect(page.locator(".govuk-warning-text", has_text="Hearings and orders")).to_have_count(0)
    page.locator(".govuk-details__summary-text", has_text="Record the claim as issued").click()
    date_fill(page.get_by_role("group", name="Date the court issued the claim"), today)
    page.get_by_label("County Court hearing centre").fill("Bristol County Court")
    page.get_by_role("button", name="Record the claim").click()
    expect(page.get_by_text("The claim is recorded as issued.")).to_be_visible()
    assert LegalCase.objects.get(pk=legal_case.pk).claim_issued_on == today
    # The only console error is the 400 status of the refused claim form's page, which is how every refused form
    # answers here.
    assert [p for p in page.console_problems if "status of 400" not in p] == []
