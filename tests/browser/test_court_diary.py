"""After the claim pack: an officer records the claim as issued and a hearing, sees it in the court diary, then
records an outright order; axe passes on every page."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arrears.models import ArrearsCase
from courts.models import Hearing
from incomeapp.constants import Role
from tests.browser.conftest import assert_accessible, date_fill, sign_in
from tests.courts.possession import claim_pack_made, notice_served_by_hand
from tests.factories import TenancyFactory, rent_debited_weekly, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_records_the_claim_and_hearing_and_sees_the_diary(page, live_server, law, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()
    tenancy = TenancyFactory(payment_reference="RW790001", tenure_type="SECURE")
    account = rent_debited_weekly(tenancy, weeks_ago=range(16))
    officer = user_with_role(Role.INCOME_OFFICER)
    notice = notice_served_by_hand(tenancy, "secure-nosp", today - timedelta(weeks=10), officer)
    ArrearsCase.objects.filter(account=account).update(officer=officer)
    legal_case = claim_pack_made(notice, officer)

    sign_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}/legal/cases/{legal_case.pk}/")
    page.get_by_text("Record the claim as issued").click()
    issue = page.locator("form", has=page.get_by_role("button", name="Record the claim"))
    date_fill(issue, today - timedelta(weeks=4))
    issue.get_by_label("County Court hearing centre").fill("Bristol County Court")
    issue.get_by_label("Claim number").fill("K00BS123")
    page.get_by_role("button", name="Record the claim").click()
    expect(page.get_by_text("The claim is recorded as issued.")).to_be_visible()
    assert_accessible(page)

    page.get_by_text("Add a hearing").click()
    hearing_form = page.locator("form", has=page.get_by_role("button", name="Add the hearing"))
    date_fill(hearing_form.get_by_role("group", name="Hearing date"), today)
    page.get_by_role("button", name="Add the hearing").click()
    expect(page.get_by_text("Hearing added.")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/legal/")
    page.get_by_role("link", name="Court diary: hearings and evictions").click()
    expect(page.get_by_role("heading", name="Court diary")).to_be_visible()
    expect(page.get_by_role("link", name="RW790001")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="RW790001").click()
    page.locator("summary", has_text="Record the outcome").click()
    page.get_by_label("Outcome").select_option("outright_possession_on_date")
    outcome = page.locator("form", has=page.get_by_role("button", name="Record the outcome"))
    date_fill(outcome.get_by_role("group", name="Date for possession in the order"), today + timedelta(days=28))
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.get_by_text("Outcome recorded; the arrears case has it.")).to_be_visible()
    expect(
        page.get_by_text("No warrant yet: A warrant cannot be issued before the date for possession")
    ).to_be_visible()
    assert_accessible(page)
    assert Hearing.objects.get().outcome == "outright_possession_on_date"
