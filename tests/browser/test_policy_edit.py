"""An Income Manager changes a threshold of an arrears policy in the browser (correcting a typing slip first), sees
the new draft version and what it changes, previews its effect on this week's cases, and publishes it; at 1280 pixels,
each page also checked at 375 (axe at both widths, and no sideways scrolling)."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arrears.constants import ContactKind, ContactOutcome
from arrears.models import ArrearsCase, ArrearsPolicyVersion, Contact
from arrears.services import policies_install_shipped
from documents.services import templates_install_shipped
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.test_letter_templates import nav_to
from tests.factories import TenancyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots")  # noqa: S108  (screenshots to look at; nothing reads them back)
POLICY = "Supportive default (contact first)"
STEP = "Send a friendly reminder and offer help"


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"e-{name}-1280.png", full_page=True)


def test_manager_edits_a_policy_threshold_previews_its_effect_and_publishes_it(page, live_server):
    page.set_viewport_size({"width": 1280, "height": 900})
    policies_install_shipped()
    templates_install_shipped()
    # Owes £150 (about 1.5 weeks' rent) and was spoken to: the live policy reminds; from 3 weeks' rent it would not.
    account = account_get_or_create(tenancy=TenancyFactory(payment_reference="RW555001"))
    today = timezone.localdate()
    transactions_post(
        postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("150.00"), today - timedelta(days=9), "d")]
    )
    case = ArrearsCase.objects.create(account=account, opened_on=today)
    Contact.objects.create(case=case, kind=ContactKind.CALL, outcome=ContactOutcome.SPOKE, occurred_on=today)
    manager = user_with_role(Role.INCOME_MANAGER)
    sign_in(page, live_server, manager.username)

    nav_to(page, "Worklist")
    page.get_by_role("link", name="Arrears reviews and policies").click()
    page.get_by_role("link", name="See and change the policies' steps, thresholds and letters").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Arrears policies")
    assert_accessible(page, phone=True)

    page.get_by_role("link", name=f"Version 1 of {POLICY}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Version 1")
    assert_accessible(page, phone=True)
    shot(page, "policy-version")

    page.get_by_role("link", name=f"Change step 9: {STEP}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Change step 9: {STEP}")
    assert_accessible(page, phone=True)
    weeks = page.get_by_label("Real arrears at least (weeks of rent)")
    expect(weeks).to_have_value("1")
    weeks.fill("three")
    page.get_by_role("button", name="Save as a new draft version").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Real arrears at least (weeks of rent): enter a number, like 2 or 2.5")
    expect(page).to_have_title(f"Error: Change step 9 of {POLICY} – Rentwise")
    expect(page.get_by_label("Real arrears at least (weeks of rent)")).to_have_value("three")  # kept as typed
    assert_accessible(page, phone=True)
    shot(page, "policy-step-error")
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Real arrears at least (weeks of rent)")).to_be_focused()

    page.get_by_label("Real arrears at least (weeks of rent)").fill("3")
    page.get_by_role("button", name="Save as a new draft version").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Draft version 2")
    expect(page.get_by_text(f"Saved as draft version 2 of {POLICY}.")).to_be_visible()
    expect(
        page.get_by_role("listitem").filter(
            has_text=f"{STEP}: Real arrears at least (weeks of rent) changes from 1 to 3."
        )
    ).to_be_visible()
    assert ArrearsPolicyVersion.objects.get(policy__name="rentwise-default", number=2).status == "draft"
    assert_accessible(page, phone=True)
    shot(page, "policy-draft")

    page.get_by_role("button", name="Preview its effect on this week's cases").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Preview as of")
    expect(page.get_by_role("heading", name="What would change under version 2")).to_be_visible()
    expect(page.get_by_text("RW555001")).to_be_visible()
    assert_accessible(page, phone=True)
    shot(page, "policy-preview")

    page.get_by_role("link", name="Back to reviews and policies").click()
    page.get_by_role("link", name="See and change the policies' steps, thresholds and letters").click()
    page.get_by_role("link", name=f"Version 2 of {POLICY}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Draft version 2")
    expect(page.get_by_role("link", name="Preview as of")).to_be_visible()  # the preview is listed with its draft
    page.get_by_role("button", name="Publish version 2").click()
    expect(page.get_by_text(f"Version 2 of {POLICY} is now live.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Version 2")
    assert_accessible(page, phone=True)
    versions = ArrearsPolicyVersion.objects.filter(policy__name="rentwise-default").order_by("number")
    assert [(v.number, v.status) for v in versions] == [(1, "retired"), (2, "live")]
    assert versions[1].published_by == manager
    assert [problem for problem in page.console_problems if "status of 400" not in problem] == []
