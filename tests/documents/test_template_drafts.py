"""Letter templates are edited safely: a draft is used by no letter until it is published, a preview with no case
chosen is the PDF on a sample tenant, and going back to an old version makes a new one (nothing is changed)."""

import io
from datetime import timedelta
from decimal import Decimal

import pypdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from documents.models import LetterTemplateVersion
from documents.services import (
    template_draft_save,
    template_version_create,
    template_version_current,
    template_version_publish,
    template_version_revert,
)
from incomeapp.constants import Role
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db
URL = "/documents/templates/reminder_1/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_a_draft_is_not_used_until_it_is_published_and_who_published_it_is_kept():
    manager = user_with_role(Role.INCOME_MANAGER)
    first = template_version_create(key="reminder_1", subject="Rent", body="Version one.", created_by=None)
    draft = template_draft_save(key="reminder_1", subject="Rent", body="Version two.", created_by=manager)
    assert (draft.number, draft.published_at) == (2, None)
    assert template_version_current("reminder_1") == first
    published = template_version_publish(version=draft, published_by=manager)  # their own draft: allowed
    assert template_version_current("reminder_1") == draft
    assert published.published_by == manager and published.published_at is not None
    with pytest.raises(ValidationError, match="already published"):
        template_version_publish(version=draft, published_by=manager)
    with pytest.raises(PermissionDenied):
        template_draft_save(key="reminder_1", subject="x", body="y", created_by=user_with_role(Role.INCOME_OFFICER))
    other = template_draft_save(key="reminder_1", subject="Rent", body="Three.", created_by=manager)
    with pytest.raises(PermissionDenied):
        template_version_publish(version=other, published_by=user_with_role(Role.INCOME_OFFICER))


def test_revert_makes_a_new_version_equal_to_the_old_one_and_changes_nothing_else():
    manager = user_with_role(Role.INCOME_MANAGER)
    first = template_version_create(key="reminder_1", subject="Old heading", body="Old text.", created_by=None)
    second = template_version_create(key="reminder_1", subject="New heading", body="New text.", created_by=manager)
    reverted = template_version_revert(version=first, reverted_by=manager)
    assert (reverted.number, reverted.subject, reverted.body) == (3, "Old heading", "Old text.")
    assert reverted.reverted_from == first and reverted.created_by == manager and reverted.published_by == manager
    assert template_version_current("reminder_1") == reverted
    assert list(LetterTemplateVersion.objects.values_list("number", "body").order_by("number")) == [
        (1, "Old text."),
        (2, "New text."),
        (3, "Old text."),
    ]
    second.refresh_from_db()
    assert second.body == "New text."  # append-only
    with pytest.raises(ValidationError, match="in use already"):
        template_version_revert(version=reverted, reverted_by=manager)


def test_the_review_letters_use_the_published_version_not_a_newer_draft(law, settings, tmp_path):
    from arrears.constants import ContactOutcome
    from arrears.letters import letter_requests_render
    from documents.models import Document
    from tests.documents.workers import letter_queued

    request = letter_queued(email=False)
    published = template_version_current("reminder_1")
    template_draft_save(
        key="reminder_1", subject="DRAFT heading", body="Draft only {{ tenant_name }}.", created_by=None
    )
    assert letter_requests_render(request_ids=[request.pk]) == {ContactOutcome.SENT: 1}
    document = Document.objects.get(reference="RW440001")
    assert document.template_version == published and "DRAFT" not in document.title


def test_preview_with_no_case_is_the_pdf_on_the_sample_tenant(client):
    template_version_create(
        key="reminder_1", subject="About your rent", body="Dear {{ tenant_name }}.", created_by=None
    )
    client.force_login(user_with_role(Role.INCOME_MANAGER))
    draft_body = "Dear {{ tenant_name }},\n\nYou owe {{ balance }}. Call {{ officer_name }}."
    saved = client.post(URL, {"subject": "Rent for {{ payment_reference }}", "body": draft_body, "save": "Save"})
    assert saved.status_code == 302 and saved["Location"] == f"{URL}versions/2/"
    page = client.get(saved["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "Check draft version 2" in html and "On a sample tenant" in html
    assert "You owe £412.50. Call Jo Officer." in html and "Publish version 2" in html
    pdf = client.get(f"{URL}versions/2/preview.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = _text(pdf.content)
    assert "Dear Sam Sample" in text and "£412.50" in text and "Rent for RW000000" in text
    # The text being written, before it is saved, as a PDF too.
    unsaved = client.post(
        f"{URL}preview.pdf", {"subject": "Hello", "body": "Owed: {{ balance }}", "case_reference": ""}
    )
    assert unsaved["Content-Type"] == "application/pdf" and "Owed: £412.50" in _text(unsaved.content)
    assert template_version_current("reminder_1").number == 1
    published = client.post(f"{URL}versions/2/publish/")
    assert published.status_code == 302 and template_version_current("reminder_1").number == 2
    listing = client.get(URL).content.decode()
    assert "Published version 2" in listing and "In use" in listing and "Replaced" in listing


def test_preview_on_a_case_out_of_reach_or_unknown_says_so(client):
    template_version_create(key="reminder_1", subject="Rent", body="You owe {{ balance }}.", created_by=None)
    client.force_login(user_with_role(Role.INCOME_MANAGER))
    page = client.get(f"{URL}versions/1/", {"case_reference": "RW999999"})
    html = page.content.decode()
    assert page.status_code == 400 and "<title>Error: " in html and "govuk-error-summary" in html
    assert 'href="#id_case_reference"' in html  # the summary links to the field
    assert 'value="RW999999"' in html  # kept as typed
    assert client.get(f"{URL}versions/1/preview.pdf", {"case_reference": "RW999999"}).status_code == 404


def test_an_officer_cannot_publish_or_revert(client):
    template_version_create(key="reminder_1", subject="Rent", body="One.", created_by=None)
    template_version_create(key="reminder_1", subject="Rent", body="Two.", created_by=None)
    client.force_login(user_with_role(Role.INCOME_OFFICER))
    assert client.post(f"{URL}versions/1/revert/").status_code == 403
    assert template_version_current("reminder_1").number == 2


def test_a_case_preview_uses_the_case(client):
    from arrears.review import review_run
    from arrears.services import policies_install_shipped
    from rentaccounts.constants import TransactionType
    from rentaccounts.services import Posting, account_get_or_create, transactions_post
    from tests.factories import TenancyFactory

    policies_install_shipped()
    template_version_create(key="reminder_1", subject="Rent", body="You owe {{ balance }}.", created_by=None)
    account = account_get_or_create(tenancy=TenancyFactory(payment_reference="RW333001"))
    when = timezone.localdate() - timedelta(days=9)
    transactions_post(postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("250.00"), when, "d")])
    review_run(as_of=timezone.localdate())
    client.force_login(user_with_role(Role.INCOME_MANAGER))
    pdf = client.get(f"{URL}versions/1/preview.pdf", {"case_reference": "rw333001"})
    assert pdf.status_code == 200 and "You owe £250.00." in _text(pdf.content)
