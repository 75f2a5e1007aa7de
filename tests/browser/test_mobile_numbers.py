"""Acceptance (issue 17): an officer records a tenant's mobile number and their agreement to texts; a text to it comes
back "permanent failure" (over real HTTP from the local provider server) and the person's page says the number is
wrong until the officer confirms it or changes it; a STOP reply unticks the consent; a manager finds a reply from a
number no tenant has. At desktop width, each page also checked at phone width (axe at both, and no sideways
scrolling)."""

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from incomeapp.constants import Role
from messaging.constants import SuppressionReason
from messaging.models import Suppression
from tenancies.models import Person
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PersonFactory, TenancyFactory, user_with_role
from tests.messaging.conftest import notify_provider, provider_server, sending_any_time, texts_queue  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-b3")  # noqa: S108  (screenshots to look at; nothing reads them back)
TOKEN = "callback-token-for-the-mobile-numbers-test"


@pytest.fixture(autouse=True)
def desktop_width_with_callbacks(page, settings):
    """Each test here: the provider's receipts and replies carry our callback token; the page is desktop width."""
    settings.MESSAGING_CALLBACK_TOKEN = TOKEN
    page.set_viewport_size({"width": 1280, "height": 900})


def _shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}-1280.png", full_page=True)


def _text_fails(live_server, provider, number: str, prefix: str) -> None:
    """A text to `number` goes to the provider, which reports it could never be delivered (a permanent failure)."""
    (message,) = texts_queue(1, prefix=prefix, to=number, recipient_name="Ada Lovel")
    message.refresh_from_db()
    assert message.status == "sent", message.status  # handed to the provider (the sender runs at once in tests)
    response = provider.send_receipt(
        live_server.url + reverse("messaging:notify_receipts"),
        token=TOKEN,
        reference=message.idempotency_key,
        status="permanent-failure",
    )
    assert response.status_code == 200, response.text


def test_an_officer_records_a_mobile_fixes_a_wrong_number_and_sees_a_stop(
    page,
    live_server,
    notify_provider,  # noqa: F811 (the imported fixture)
):
    officer = user_with_role(Role.INCOME_OFFICER, first_name="Jo", last_name="Officer")
    ada = PersonFactory(first_name="Ada", last_name="Lovel", mobile="", texts_allowed=False, emails_allowed=False)
    TenancyFactory(payment_reference="RW884101", lead_tenant=ada)
    today = timezone.localdate()

    # (1) The officer adds a mobile number and the tenant's agreement to texts.
    sign_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}/people/{ada.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Lovel")
    assert_accessible(page, phone=True)
    page.get_by_role("button", name="Change details of Ada Lovel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change Ada Lovel's details")
    assert_accessible(page, phone=True)
    mobile = page.get_by_label("Mobile number for text messages (optional)")
    mobile.fill("0117 496 0123")  # a landline: refused
    page.get_by_label("They agreed to text messages about their account").check()
    page.get_by_role("button", name="Save changes").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("is not a UK mobile number")
    assert page.title().startswith("Error: ")
    expect(mobile).to_have_value("0117 496 0123")  # kept as typed
    expect(page.get_by_label("They agreed to text messages about their account")).to_be_checked()
    _shot(page, "1-mobile-refused")
    assert_accessible(page, phone=True)
    summary.get_by_role("link").first.click()  # the summary's link takes the officer to the field
    expect(mobile).to_be_focused()
    mobile.fill("07700 900456")
    page.get_by_role("button", name="Save changes").click()
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Saved Ada Lovel's details: changed mobile number and agreed to text messages.")
    details = page.locator(".govuk-summary-list").first
    expect(details).to_contain_text("+447700900456")
    expect(details).to_contain_text("Texts: agreed")
    expect(details).to_contain_text(f"{today:%-d %B %Y}")
    _shot(page, "2-mobile-saved")
    assert_accessible(page, phone=True)
    ada.refresh_from_db()
    assert ada.mobile == "+447700900456" and ada.texts_allowed and ada.consent_recorded_on == today

    # (2) A text to it cannot be delivered: the number is marked wrong; the officer confirms it is right.
    _text_fails(live_server, notify_provider, "+447700900456", "first")
    page.reload()
    expect(details).to_contain_text("Marked wrong")
    expect(details).to_contain_text(f"Mobile marked wrong on {today:%-d %B %Y}")
    _shot(page, "3-marked-wrong")
    assert_accessible(page, phone=True)
    page.get_by_role("button", name="This number is right for Ada Lovel").click()
    expect(banner).to_contain_text(
        "Confirmed +447700900456 as Ada Lovel's mobile number: it is no longer marked wrong, "
        "and texts can go to it again."
    )
    expect(details).not_to_contain_text("Marked wrong")
    _shot(page, "4-confirmed")
    assert_accessible(page, phone=True)
    ada.refresh_from_db()
    assert ada.mobile_wrong_on is None
    assert not Suppression.objects.filter(address="+447700900456", lifted_at__isnull=True).exists()

    # Another text fails: this time the officer changes the number, and the mark goes with the old number.
    _text_fails(live_server, notify_provider, "+447700900456", "second")
    page.reload()
    expect(details).to_contain_text("Marked wrong")
    page.get_by_role("button", name="Change details of Ada Lovel").click()
    expect(page.locator(".govuk-warning-text")).to_contain_text("Mobile marked wrong")
    _shot(page, "5-change-form-marked-wrong")
    assert_accessible(page, phone=True)
    mobile.fill("07700 900789")
    page.get_by_role("button", name="Save changes").click()
    expect(banner).to_contain_text("changed mobile number")
    expect(details).to_contain_text("+447700900789")
    expect(details).not_to_contain_text("Marked wrong")
    _shot(page, "6-number-changed")
    assert_accessible(page, phone=True)
    assert Suppression.objects.filter(
        address="+447700900456", reason=SuppressionReason.WRONG, lifted_at__isnull=True
    ).exists()  # the old number stays blocked

    # (3) A text to the new number fails too, and Ada replies STOP from it: she no longer agrees to texts, her page
    # says so, and confirming the number now says that texts still will not go (a STOP is hers to lift).
    _text_fails(live_server, notify_provider, "+447700900789", "third")
    response = notify_provider.send_reply(
        live_server.url + reverse("messaging:notify_replies"), token=TOKEN, source_number="447700900789", message="Stop"
    )
    assert response.status_code == 200, response.text
    assert response.json()["opt_out"] is True
    page.reload()
    expect(details).to_contain_text("Texts: not agreed")
    expect(details).to_contain_text("Marked wrong")
    expect(details).to_contain_text("They replied STOP from this number")
    _shot(page, "7-after-stop")
    assert_accessible(page, phone=True)
    assert not Person.objects.get(pk=ada.pk).texts_allowed
    page.get_by_role("button", name="This number is right for Ada Lovel").focus()  # by keyboard this time
    page.keyboard.press("Enter")
    expect(banner).to_contain_text("no longer marked wrong, but texts still do not go to it, because they replied STOP")
    expect(details).not_to_contain_text("Marked wrong")
    _shot(page, "8-confirmed-after-stop")
    assert_accessible(page, phone=True)
    assert page.console_problems == []


def test_a_manager_sees_a_reply_from_a_number_no_tenant_has(
    page,
    live_server,
    notify_provider,  # noqa: F811 (the imported fixture)
):
    manager = user_with_role(Role.INCOME_MANAGER, first_name="Mo", last_name="Manager")
    TenancyFactory(payment_reference="RW884201", lead_tenant=PersonFactory(mobile="07700 900111", texts_allowed=True))
    response = notify_provider.send_reply(
        live_server.url + reverse("messaging:notify_replies"),
        token=TOKEN,
        source_number="447700900999",
        message="Who is this? I don't rent from you",
    )
    assert response.status_code == 200, response.text

    sign_in(page, live_server, manager.username)
    page.goto(f"{live_server.url}/messaging/replies/unmatched/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Replies from numbers no tenant has")
    row = page.get_by_role("row").filter(has_text="Who is this? I don't rent from you")
    expect(row).to_contain_text("+447700900999")
    expect(row).to_contain_text("No message of ours found")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280  # no sideways scrolling (at 375 px: below)
    expect(page.get_by_role("table")).to_contain_text("1 reply")
    _shot(page, "9-unmatched-replies")
    assert_accessible(page, phone=True)
    assert page.console_problems == []
