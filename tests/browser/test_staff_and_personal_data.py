"""Staff changes and personal data as their users do them: a System Administrator gives an officer a senior's role,
which waits for an Income Manager; the manager finds it from Approvals and approves it. An Income Manager reads a
person's vulnerability notes, sees that reading in the special-category access log, opens the retention schedule and
makes a subject access export."""

import io
import zipfile
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from incomeapp.constants import Role
from incomeapp.models import StaffChangeRequest
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PersonFactory, TenancyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_role_that_can_move_money_waits_for_a_second_person(page, live_server):
    admin = user_with_role(Role.SYSTEM_ADMINISTRATOR, first_name="Sam", last_name="Admin")
    officer = user_with_role(Role.INCOME_OFFICER, first_name="Olu", last_name="Officer")
    manager = user_with_role(Role.INCOME_MANAGER, delegated_authority_limit=Decimal("5000.00"))

    sign_in(page, live_server, admin.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff accounts and roles")
    assert_accessible(page)
    page.get_by_role("link", name="Olu Officer").click()
    assert_accessible(page)
    page.get_by_role("link", name="Change roles").click()
    expect(page.get_by_label("Income Officer", exact=True)).to_be_checked()
    page.get_by_label("Income Officer", exact=True).uncheck()
    page.get_by_label("Senior Income Officer").check()
    page.get_by_role("button", name="Change roles").click()
    # The reason is required: a GOV.UK error summary, the ticked box kept.
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the reason for the change")
    assert page.title().startswith("Error:")
    expect(page.get_by_label("Senior Income Officer")).to_be_checked()
    assert_accessible(page)
    page.get_by_label("Why are you making this change?").fill("Promoted to senior officer from 1 December")
    page.get_by_role("button", name="Change roles").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Sent for approval")
    officer.refresh_from_db()
    assert officer.role_names == [Role.INCOME_OFFICER.value], "nothing changes before a second person approves"
    # The asker cannot approve it.
    change = StaffChangeRequest.objects.get(target=officer)
    page.goto(f"{live_server.url}/staff/changes/{change.pk}/")
    expect(page.get_by_role("button", name="Approve and make the change")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, manager.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Approvals").click()
    page.get_by_role("link", name="Staff changes: 1 waiting for a second administrator").click()
    assert_accessible(page)
    page.get_by_role("link", name="Olu Officer").first.click()
    expect(page.get_by_text("Promoted to senior officer from 1 December")).to_be_visible()
    page.get_by_label("Reason").fill("Agreed at the team meeting")
    page.get_by_role("button", name="Approve and make the change").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Approved. The change to Olu Officer has been made."
    )
    assert_accessible(page)
    officer.refresh_from_db()
    assert officer.role_names == [Role.SENIOR_INCOME_OFFICER.value]


def test_a_manager_reviews_who_read_health_notes_and_makes_a_subject_access_export(
    page, live_server, settings, tmp_path
):
    from privacy.schedule import retention_rules_install

    settings.MEDIA_ROOT = tmp_path
    retention_rules_install()  # its data migration adds it; a transactional test's flush removes it
    manager = user_with_role(Role.INCOME_MANAGER, first_name="Mo", last_name="Manager")
    notes = "Hearing loss: write, do not call."
    person = PersonFactory(first_name="Ada", last_name="Tenant", vulnerability_notes=notes)
    TenancyFactory(lead_tenant=person, payment_reference="RW900055")

    sign_in(page, live_server, manager.username)
    page.goto(f"{live_server.url}/people/{person.pk}/")
    expect(page.get_by_text(notes)).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Personal data").click()
    assert_accessible(page)
    page.get_by_role("link", name="Special-category access log").click()
    expect(page.locator("table tbody tr").first).to_contain_text("Ada Tenant")
    expect(page.locator("table tbody tr").first).to_contain_text("Mo Manager")
    assert_accessible(page)
    page.go_back()
    page.get_by_role("link", name="Retention schedule").click()
    expect(page.get_by_text("Health and vulnerability (special category data)")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/people/{person.pk}/")
    page.get_by_role("button", name="Make a subject access export").click()
    assert_accessible(page)
    page.get_by_label("The request (optional)").fill("Letter of 1 December")
    with page.expect_download() as download:
        page.get_by_role("button", name="Make the export").click()
    content = download.value.path().read_bytes()
    export = zipfile.ZipFile(io.BytesIO(content))
    assert "README.txt" in export.namelist()
    assert notes in export.read("person.json").decode()
    assert "RW900055" in export.read("tenancies.json").decode()
