"""A manager edits a letter template, previews it on a real case, and saves a new version; axe passes."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arrears.review import review_run
from arrears.services import policies_install_shipped
from documents.services import template_version_current, templates_install_shipped
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import TenancyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_edits_previews_and_saves_a_template(page, live_server):
    policies_install_shipped()
    templates_install_shipped()
    account = account_get_or_create(tenancy=TenancyFactory(payment_reference="RW111001"))
    transactions_post(
        postings=[
            Posting(
                account.pk, TransactionType.RENT_DEBIT, Decimal("250.00"), timezone.localdate() - timedelta(days=9), "d"
            )
        ]
    )
    review_run(as_of=timezone.localdate())
    manager = user_with_role(Role.INCOME_MANAGER)
    sign_in(page, live_server, manager.username)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Letters").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Letter templates")
    assert_accessible(page)

    page.get_by_role("link", name="Your rent account: can we help?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your rent account: can we help?")
    assert_accessible(page)

    page.get_by_label("Letter text").fill("Dear {{ tenant_name }},\n\nYour account shows {{ balanse }} owing.")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("{{ balanse }}, which is not a merge field")
    assert_accessible(page)

    page.get_by_label("Letter text").fill("Dear {{ tenant_name }},\n\nYour account shows {{ balance }} owing.")
    page.get_by_label("Preview on the case with payment reference").fill("RW111001")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_label("Preview of the letter")).to_contain_text("Your account shows £250.00 owing.")
    assert_accessible(page)

    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_text("Saved as version 2. Letters made from now on use it.")).to_be_visible()
    assert template_version_current("reminder_1").body.endswith("{{ balance }} owing.")
    assert_accessible(page)
