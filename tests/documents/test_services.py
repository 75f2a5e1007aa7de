"""Template versions are checked before they are kept; a letter is stored once with its SHA-256 and its version."""

import hashlib
import io

import pypdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from documents.models import Document
from documents.services import letter_make, template_version_create, template_version_current
from incomeapp.constants import Role
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db
LANDLORD = {"name": "Harbour Homes", "address_lines": ["1 Quay Street", "Bristol", "BS1 4AA"]}
RECIPIENT = {"name": "Mr Tom Hale", "address_lines": ["4 Mill Lane", "Bristol", "BS2 9XY"]}
VALUES = {"tenant_name": "Mr Tom Hale", "balance": "£250.00", "officer_name": "Olu Officer", "payment_reference": "RW1"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_manager_keeps_versions_and_an_unknown_field_is_refused():
    manager = user_with_role(Role.INCOME_MANAGER)
    first = template_version_create(
        key="reminder_1",
        subject="About your rent",
        body="Dear {{ tenant_name }},\n\nYou owe {{ balance }}.",
        created_by=manager,
    )
    with pytest.raises(ValidationError, match=r"The template uses \{\{ balanse \}\}, which is not a merge field"):
        template_version_create(key="reminder_1", subject="x", body="You owe {{ balanse }}.", created_by=manager)
    second = template_version_create(
        key="reminder_1", subject="About your rent", body="Hello {{ tenant_name }}.", created_by=manager
    )
    assert (first.number, second.number, template_version_current("reminder_1")) == (1, 2, second)
    with pytest.raises(PermissionDenied):
        template_version_create(key="reminder_1", subject="x", body="y", created_by=user_with_role(Role.INCOME_OFFICER))


def test_a_letter_is_stored_with_its_hash_version_and_merged_figures():
    version = template_version_create(
        key="reminder_1",
        subject="About your rent account {{ payment_reference }}",
        body="Dear {{ tenant_name }},\n\nYour account shows {{ balance }} owing.\n\n{{ officer_name }}",
        created_by=None,
    )
    document = letter_make(
        version=version,
        values=VALUES,
        landlord=LANDLORD,
        recipient=RECIPIENT,
        reference="RW1",
        subject_key="case:1",
        made_by_run="review:7",
    )
    stored = document.pdf.read()
    assert hashlib.sha256(stored).hexdigest() == document.sha256
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(stored)).pages)
    assert "Dear Mr Tom Hale," in text and "£250.00 owing" in text and "About your rent account RW1" in text
    assert (document.title, document.template_version, document.made_by_run) == (
        "About your rent account RW1",
        version,
        "review:7",
    )
    template_version_create(key="reminder_1", subject="New", body="New text", created_by=None)
    document.refresh_from_db()
    assert document.template_version == version  # a sent document keeps the version it used


def test_a_missing_merge_value_is_a_plain_error_and_nothing_is_stored():
    version = template_version_create(
        key="agreement", subject="Your agreement", body="You agreed {{ agreement_amount }}.", created_by=None
    )
    with pytest.raises(ValidationError, match="No value for agreement_amount"):
        letter_make(
            version=version, values={}, landlord=LANDLORD, recipient=RECIPIENT, reference="RW1", subject_key="case:1"
        )
    assert not Document.objects.exists()


def test_every_letter_the_shipped_policies_name_has_a_plain_english_default():
    from arrears.services import SHIPPED_POLICIES, policy_read
    from documents.merge_fields import fields_used
    from documents.services import SHIPPED_TEMPLATES, templates_install_shipped

    named = {
        rule["outcome"]["letter"]
        for path in SHIPPED_POLICIES.glob("*.yaml")
        for rule in policy_read(path.read_text())["rules"]
        if rule["outcome"].get("letter")
    }
    shipped = {path.stem for path in SHIPPED_TEMPLATES.glob("*.txt")}
    assert named - shipped == set()
    assert templates_install_shipped() == [f"{key}: installed" for key in sorted(shipped)]
    assert templates_install_shipped() == [f"{key}: kept as it is" for key in sorted(shipped)]
    for key in shipped:
        version = template_version_current(key)
        assert "tenant_name" in fields_used(version.body) and version.subject


def test_a_manager_previews_a_template_on_a_case_and_saves_a_new_version(client):
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from arrears.models import ArrearsCase
    from arrears.review import review_run
    from arrears.services import policies_install_shipped
    from documents.services import templates_install_shipped
    from rentaccounts.constants import TransactionType
    from rentaccounts.services import Posting, account_get_or_create, transactions_post
    from tests.factories import TenancyFactory

    policies_install_shipped()
    templates_install_shipped()
    account = account_get_or_create(tenancy=TenancyFactory(payment_reference="RW222001"))
    transactions_post(
        postings=[
            Posting(
                account.pk, TransactionType.RENT_DEBIT, Decimal("250.00"), timezone.localdate() - timedelta(days=9), "d"
            )
        ]
    )
    review_run(as_of=timezone.localdate())
    assert ArrearsCase.objects.filter(account=account).exists()
    client.force_login(user_with_role(Role.INCOME_MANAGER))
    url = "/documents/templates/reminder_1/"
    body = "Dear {{ tenant_name }},\n\nYou owe {{ balance }}."
    preview = client.post(url, {"subject": "Rent", "body": body, "case_reference": "rw222001", "preview": "Preview"})
    html = preview.content.decode()
    assert preview.status_code == 200 and "You owe £250.00." in html and "Preview of the letter" in html
    bad = client.post(url, {"subject": "Rent", "body": "Dear {{ tennant }}", "save": "Save"})
    assert bad.status_code == 400 and "which is not a merge field" in bad.content.decode()
    saved = client.post(url, {"subject": "Rent", "body": body, "save": "Save"})
    # Saved as draft version 2: letters keep using version 1 until it is published.
    assert saved.status_code == 302 and saved["Location"] == "/documents/templates/reminder_1/versions/2/"
    assert template_version_current("reminder_1").number == 1
    client.force_login(user_with_role(Role.INCOME_OFFICER))
    assert client.get(url).status_code == 403


def test_print_runs_read_as_people_say_them():
    from documents.views import run_label_display

    assert run_label_display("review:34") == "Arrears review 34"
    assert run_label_display("rent-change:7") == "Rent change 7"
    assert run_label_display("Sign-up letters") == "Sign-up letters"
