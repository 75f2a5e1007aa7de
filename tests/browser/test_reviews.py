"""An Income Manager uploads a draft policy version, previews how this week's cases would change, and publishes it."""

import pytest
from playwright.sync_api import expect

from arrears.services import SHIPPED_POLICIES, policies_install_shipped
from incomeapp.constants import Role
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_uploads_previews_and_publishes_a_policy_version(page, live_server, tmp_path):
    policies_install_shipped()
    manager = user_with_role(Role.INCOME_MANAGER)
    draft = tmp_path / "default-v2.yaml"
    draft.write_text((SHIPPED_POLICIES / "rentwise-default.yaml").read_text().replace("severity: 30", "severity: 35"))
    sign_in(page, live_server, manager.username)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Worklist").click()
    page.get_by_role("link", name="Arrears reviews and policies").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Arrears reviews and policies")
    assert_accessible(page)

    page.get_by_label("Policy file (YAML)").set_input_files(str(draft))
    page.get_by_role("button", name="Upload as a new draft version").click()
    expect(page.get_by_text("Supportive default (contact first): kept as draft version 2.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Also show what would change under").select_option(
        label="Supportive default (contact first), version 2 (draft)"
    )
    page.get_by_role("button", name="Preview this week's review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Preview as of")
    expect(page.get_by_text("A preview changes nothing")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Back to reviews and policies").click()
    page.get_by_role("button", name="Publish version 2 of Supportive default (contact first)").click()
    expect(page.get_by_text("Supportive default (contact first): version 2 is now live.")).to_be_visible()
    assert_accessible(page)


def test_manager_starts_this_weeks_review_and_sees_it_done_in_parts(page, live_server):
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from rentaccounts.constants import TransactionType
    from rentaccounts.services import Posting, account_get_or_create, transactions_post
    from tests.factories import TenancyFactory

    policies_install_shipped()
    account = account_get_or_create(tenancy=TenancyFactory(payment_reference="RW790001"))
    owed = Posting(
        account.pk, TransactionType.RENT_DEBIT, Decimal("400.00"), timezone.localdate() - timedelta(days=21), "d"
    )
    transactions_post(postings=[owed])
    sign_in(page, live_server, user_with_role(Role.INCOME_MANAGER).username)

    page.goto(f"{live_server.url}/worklist/reviews/")
    page.get_by_role("button", name="Start this week's review now").click()
    expect(page.get_by_text("This week's review has started.")).to_be_visible()
    page.get_by_role("link", name=f"Review as of {timezone.localdate():%-d %B %Y}").first.click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Review as of")
    expect(page.get_by_text("Completed")).to_be_visible()
    expect(page.get_by_text("1 of 1 done")).to_be_visible()
    expect(page.get_by_text("The accounts are shared among the background workers in parts.")).to_be_visible()
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert_accessible(page)
