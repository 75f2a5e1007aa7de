"""Complaints in the browser (issue 17): an Income Officer records a complaint about arrears action from the page of a
tenancy with an open arrears case (a date in the future first: the GOV.UK error summary keeps what was typed) and
sees when the acknowledgement and the response are due; the case page warns of the open complaint; an Income Manager
opens Complaints from the navigation, finds it in the open list by due date, acknowledges it (the response date is
worked out again from the acknowledgement), records the response with its outcome, and the complaint closes. At
desktop and phone widths, with axe on every page and screenshots (at desktop width) to look at."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arrears.services import policies_install_shipped
from complaints.models import Complaint
from complaints.services import current_stage
from incomeapp.constants import Role
from tests.browser.conftest import PHONE_WIDTH, assert_accessible, date_fill, sign_in
from tests.factories import PersonFactory, case_opened_by_review, tenancy_on_patch_of, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-b2")  # noqa: S108  (screenshots to look at; nothing reads them back)


def _long(day) -> str:
    return f"{day:%-d %B %Y}"


def _shot(page, name: str) -> None:
    """A screenshot to look at (1280 px wide), after checking the page does not scroll sideways at a phone's 375 px
    wide nor at 1280."""
    for width in (PHONE_WIDTH, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{page.url} is wider than {width} px"
    page.screenshot(path=SHOTS / f"{name}-1280.png", full_page=True)


def test_an_officer_records_a_complaint_about_arrears_action_and_a_manager_acknowledges_and_closes_it(
    page, live_server, law
):
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    policies_install_shipped()
    officer = user_with_role(Role.INCOME_OFFICER, first_name="Jo", last_name="Officer")
    manager = user_with_role(Role.INCOME_MANAGER, first_name="Mo", last_name="Manager")
    ada = PersonFactory(first_name="Ada", last_name="Lovel")
    tenancy = tenancy_on_patch_of(officer, payment_reference="RW884017", lead_tenant=ada)
    case = case_opened_by_review(tenancy, owed="600.00", days_ago=30)
    today = timezone.localdate()
    received_on = today - timedelta(days=7)
    acknowledged_on = received_on + timedelta(days=1)  # well before it was due: the response comes due sooner

    # The officer records it from the tenancy's page.
    sign_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}/tenancies/{tenancy.payment_reference}/")
    section = page.locator("#complaints")
    expect(section).to_have_text("Complaints")
    expect(page.get_by_text("No complaints have been recorded about tenancy RW884017")).to_be_visible()
    assert_accessible(page, phone=True)
    page.get_by_role("button", name="Record a complaint").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a complaint")
    assert_accessible(page, phone=True)
    _shot(page, "1-record")

    # A date in the future: the error summary links to the date, and everything typed is still there.
    page.get_by_label("Ada Lovel").check()
    page.get_by_label("Arrears action").check()
    summary = "They sent the second letter while I was in hospital. I want it taken off my record."
    page.get_by_label("What the complaint says").fill(summary)
    received = page.get_by_role("group", name="Date the complaint was received")
    date_fill(received, today + timedelta(days=3))
    page.get_by_role("button", name="Record the complaint").click()
    errors = page.locator(".govuk-error-summary")
    expect(errors).to_contain_text("There is a problem")
    expect(errors).to_contain_text("must be today or in the past")
    expect(page.get_by_label("Ada Lovel")).to_be_checked()
    expect(page.get_by_label("Arrears action")).to_be_checked()
    expect(page.get_by_label("What the complaint says")).to_have_value(summary)
    expect(received.get_by_label("Day")).to_have_value(str((today + timedelta(days=3)).day))
    assert Complaint.objects.count() == 0
    assert_accessible(page, phone=True)
    _shot(page, "2-record-future-date")
    errors.get_by_role("link").first.click()  # the summary's link takes the keyboard to the date
    expect(received.get_by_label("Day")).to_be_focused()

    date_fill(received, received_on)
    page.get_by_role("button", name="Record the complaint").click()
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Complaint recorded at stage 1 for Ada Lovel")
    complaint = Complaint.objects.get()
    stage = current_stage(complaint)
    expect(banner).to_contain_text(
        f"acknowledge it by {_long(stage.acknowledge_by)} and respond by {_long(stage.respond_by)}"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Complaint from Ada Lovel")
    expect(page.locator(".moj-timeline")).to_contain_text(_long(stage.acknowledge_by))
    expect(page.locator(".moj-timeline")).to_contain_text(_long(stage.respond_by))
    expect(banner).to_contain_text("an arrears case on tenancy RW884017 shows a warning about it")
    expect(page.get_by_role("link", name="Record the acknowledgement")).to_have_count(0)  # a manager's action
    expect(page.get_by_text("An Income Manager acknowledges and answers complaints")).to_be_visible()
    assert_accessible(page, phone=True)
    _shot(page, "3-complaint-recorded")

    # Back where the officer came from, the tenancy's Complaints section lists it.
    page.get_by_role("link", name="Back to tenancy RW884017").click()
    listed = page.get_by_role("table", name="Complaints about tenancy RW884017, newest first").get_by_role("row")
    expect(listed.filter(has_text=f"Complaint {complaint.pk}")).to_contain_text(
        f"Acknowledgement by {_long(stage.acknowledge_by)}"
    )
    assert_accessible(page, phone=True)
    page.locator("#complaints").scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "3b-tenancy-panel-1280.png")

    # The arrears case page warns of the open complaint.
    page.goto(f"{live_server.url}/worklist/cases/{case.pk}/")
    warning = page.locator(".govuk-warning-text").filter(has_text="Open complaint about arrears action")
    expect(warning).to_contain_text("Ada Lovel")
    expect(warning).to_contain_text(f"due by {_long(stage.acknowledge_by)}")
    assert_accessible(page, phone=True)
    _shot(page, "4-case-warning")
    page.get_by_role("button", name="Sign out").click()

    # The manager finds it under Complaints in the navigation.
    sign_in(page, live_server, manager.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Complaints").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open complaints")
    row = page.get_by_role("row").filter(has_text="Ada Lovel")
    expect(row).to_contain_text("Arrears action")
    expect(row).to_contain_text(f"Acknowledgement by {_long(stage.acknowledge_by)}")
    assert_accessible(page, phone=True)
    _shot(page, "5-open-list")
    row.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Complaint from Ada Lovel")
    assert_accessible(page, phone=True)

    # The acknowledgement: the response date is worked out again from it.
    page.get_by_role("button", name="Record the acknowledgement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the acknowledgement")
    expect(page.get_by_text(f"The acknowledgement is due by {_long(stage.acknowledge_by)}")).to_be_visible()
    assert_accessible(page, phone=True)
    _shot(page, "6-acknowledge")
    date_fill(page.get_by_role("group", name="Date the complaint was acknowledged"), acknowledged_on)
    page.keyboard.press("Enter")  # sent from the keyboard, from the year box
    expect(banner).to_contain_text(f"acknowledged on {_long(acknowledged_on)}")
    latest_response = stage.respond_by
    stage.refresh_from_db()
    assert stage.acknowledged_on == acknowledged_on
    assert stage.respond_by < latest_response  # counted again from the acknowledgement
    expect(banner).to_contain_text(f"The response is now due by {_long(stage.respond_by)}")
    expect(page.locator(".moj-timeline")).to_contain_text(f"acknowledged {_long(acknowledged_on)}")
    assert_accessible(page, phone=True)
    _shot(page, "7-acknowledged")

    # The response closes it: now the main button.
    respond = page.get_by_role("button", name="Record the response")
    expect(respond).not_to_have_class("govuk-button govuk-button--secondary")
    expect(page.get_by_role("button", name="Extend the time to respond")).to_have_class(
        "govuk-button govuk-button--secondary"
    )
    respond.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the response")
    assert_accessible(page, phone=True)
    date_fill(page.get_by_role("group", name="Date of the response"), today)
    page.get_by_label("Partly upheld").check()
    page.get_by_label("Summary of the response").fill("The letter should have waited. Removed from the record.")
    _shot(page, "8-respond")
    page.get_by_role("button", name="Record the response").click()
    expect(banner).to_contain_text("The complaint is closed and off the open list.")
    complaint.refresh_from_db()
    assert complaint.closed_on == today
    expect(page.locator(".govuk-caption-l")).to_contain_text(f"closed {_long(today)}")
    expect(page.locator(".moj-timeline")).to_contain_text("Partly upheld")
    expect(page.get_by_text("Nothing is owed now.")).to_be_visible()
    expect(page.get_by_role("button", name="Escalate to stage 2")).to_have_class("govuk-button govuk-button--secondary")
    assert_accessible(page, phone=True)
    _shot(page, "9-closed")

    page.get_by_role("link", name="Back to open complaints").click()
    expect(page.get_by_text("No open complaints.")).to_be_visible()
    assert_accessible(page, phone=True)
