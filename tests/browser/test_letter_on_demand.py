"""An officer opens a case, sends a letter the policy did not ask for yet, sees it in the diary with its state and
opens its PDF; at desktop and phone widths, with axe on every page."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from arrears.services import policies_install_shipped
from documents.models import Document
from documents.services import templates_install_shipped
from incomeapp.constants import Role
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import case_opened_by_review, tenancy_on_patch_of, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")  # noqa: S108  (screenshots to look at; nothing reads them back)


def test_send_a_letter_on_demand_and_open_its_pdf(page, live_server, settings, tmp_path, law):
    settings.MEDIA_ROOT = tmp_path
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    policies_install_shipped()
    templates_install_shipped()
    officer = user_with_role(Role.INCOME_OFFICER)
    tenancy = tenancy_on_patch_of(officer, payment_reference="RW881001")
    case = case_opened_by_review(tenancy, owed="450.00", days_ago=20)
    sign_in(page, live_server, officer.username)

    page.goto(f"{live_server.url}/worklist/cases/{case.pk}/")
    expect(page.get_by_role("heading", level=2, name="Next step")).to_be_visible()
    expect(page.locator("#next-step")).to_contain_text("Owes £450.00")
    assert_accessible(page, phone=True)

    page.locator(".govuk-details__summary-text", has_text="Send a letter").click()
    letter = page.locator("#letter-action form")
    letter.get_by_role("button", name="Send letter").click()  # none chosen: the page says what to do
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose which letter to send")
    assert page.title().startswith("Error: ")
    assert_accessible(page, phone=True)

    page.locator("#letter-action form").get_by_label("Your rent account: we need to hear from you").check()
    page.locator("#letter-action form").get_by_role("button", name="Send letter").click()
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Letter “Your rent account: we need to hear from you” made")
    document = Document.objects.get(reference="RW881001", template_version__template__key="final_warning")
    expect(banner.get_by_role("link", name=f"the letter to {document.recipient_name} (PDF)")).to_be_visible()
    entry = page.locator(".moj-timeline__item", has_text="Letter: Your rent account: we need to hear from you")
    expect(entry).to_contain_text("To print")  # the state the tenancy's documents list shows
    page.screenshot(path=str(SHOTS / "b-letter-sent-1280.png"), full_page=True)
    assert_accessible(page, phone=True)

    banner.get_by_role("link", name="See it in the diary").click()
    expect(entry).to_be_in_viewport()
    href = entry.get_by_role("link", name=f"to {document.recipient_name} (PDF)").get_attribute("href")
    pdf = page.request.get(f"{live_server.url}{href}")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF") and len(pdf.body()) > 1000

    page.get_by_role("link", name="Tenancy", exact=True).click()
    documents = page.locator("table", has=page.locator("caption", has_text="Documents made for this tenancy"))
    expect(documents.locator("tr", has_text="we need to hear from you")).to_contain_text("To print")
    assert_accessible(page, phone=True)
