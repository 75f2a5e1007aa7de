"""An officer sends a tenant's statement from the account page and prints it from the Printing page; axe passes."""

import io
from datetime import timedelta
from decimal import Decimal

import pypdf
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from documents.models import Document, PrintBatch
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import TenancyFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_sends_a_statement_by_post_and_prints_the_batch(page, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    account = account_get_or_create(tenancy=TenancyFactory(payment_reference="RW222001"))
    today = timezone.localdate()
    transactions_post(
        postings=[
            Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("100.00"), today - timedelta(weeks=3), "r1"),
            Posting(account.pk, TransactionType.PAYMENT, Decimal("-60.00"), today - timedelta(weeks=2), "p1"),
        ]
    )
    officer = user_with_role(Role.INCOME_OFFICER)
    sign_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}/tenancies/RW222001/account/")
    page.get_by_text("Send this statement to the tenants").click()
    page.get_by_label("By post (it joins the next print batch)").check()
    assert_accessible(page)
    page.get_by_role("button", name="Send this statement").click()
    expect(page.get_by_text("It will be posted: it is in the next print batch.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Printing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Printing")
    assert_accessible(page)
    page.get_by_role("button", name="Make print batch of Sent by officers").click()
    expect(page.get_by_text("is ready: 1 documents")).to_be_visible()
    expect(page.get_by_text("Nothing is waiting to be printed.")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Batch").first.click()
    reader = pypdf.PdfReader(io.BytesIO(download.value.path().read_bytes()))
    text = "\n".join(pdf_page.extract_text() for pdf_page in reader.pages)
    assert "Rent statement" in text and "RW222001" in text and "£40.00" in text
    assert Document.objects.get().delivery_state == "printed" and PrintBatch.objects.get().made_by == officer
