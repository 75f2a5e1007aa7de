"""Reviews and policies in the browser: preview (with a comparison), start, upload a version, publish."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from arrears.constants import ContactKind, ContactOutcome, ReviewStatus
from arrears.models import ArrearsCase, ArrearsPolicyVersion, Contact, LetterRequest, Recommendation, ReviewRun
from arrears.services import SHIPPED_POLICIES, policies_install_shipped
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.factories import TenancyFactory, user_with_role

pytestmark = pytest.mark.django_db
DRAFT = (
    (SHIPPED_POLICIES / "rentwise-default.yaml")
    .read_text()
    .replace(
        "{greater_of: [10.00, {fact: weekly_rent, times: 1}]}", "{greater_of: [10.00, {fact: weekly_rent, times: 3}]}"
    )
)


@pytest.fixture
def manager(client):
    policies_install_shipped()
    manager = user_with_role(Role.INCOME_MANAGER)
    client.force_login(manager)
    account = account_get_or_create(tenancy=TenancyFactory(payment_reference="RW555001"))
    today = timezone.localdate()
    transactions_post(
        postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("150.00"), today - timedelta(days=9), "d")]
    )
    case = ArrearsCase.objects.create(account=account, opened_on=today)
    Contact.objects.create(case=case, kind=ContactKind.CALL, outcome=ContactOutcome.SPOKE, occurred_on=today)
    return manager


def upload(client, text: str):
    return client.post("/worklist/policies/upload/", {"policy_file": SimpleUploadedFile("p.yaml", text.encode())})


def test_a_manager_uploads_a_draft_previews_the_change_and_publishes_it(
    client, manager, django_capture_on_commit_callbacks
):
    assert upload(client, DRAFT).status_code == 302
    draft = ArrearsPolicyVersion.objects.get(policy__name="rentwise-default", number=2)
    assert draft.status == "draft" and draft.created_by == manager
    assert "Publish version 2" in client.get("/worklist/reviews/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/worklist/reviews/preview/", {"compare": draft.pk})
    preview = ReviewRun.objects.get(dry_run=True)
    assert response["Location"] == f"/worklist/reviews/{preview.pk}/"
    assert preview.status == ReviewStatus.COMPLETED and preview.accounts_total == 1
    assert not Recommendation.objects.exists() and not LetterRequest.objects.exists()  # a preview changes nothing
    html = client.get(response["Location"]).content.decode()
    assert "What would change under version 2" in html
    assert "Send a friendly reminder and offer help → " in html and "RW555001" in html
    assert "send_reminder_1" not in html  # the policy's words, never its keys
    assert client.post(f"/worklist/policies/versions/{draft.pk}/publish/").status_code == 302
    draft.refresh_from_db()
    assert draft.status == "live"
    assert ArrearsPolicyVersion.objects.get(policy__name="rentwise-default", number=1).status == "retired"


def test_a_bad_policy_file_is_refused_with_the_reason(client, manager):
    response = upload(client, DRAFT.replace("fact: real_arrears", "fact: arrears", 1))
    assert response.status_code == 400
    assert "unknown fact &#x27;arrears&#x27;" in response.content.decode()
    assert not ArrearsPolicyVersion.objects.filter(number=2).exists()


def test_a_manager_starts_the_review_from_the_browser(client, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/worklist/reviews/start/").status_code == 302
    run = ReviewRun.objects.get(dry_run=False)
    assert (run.status, run.started_by, run.accounts_total) == (ReviewStatus.COMPLETED, manager, 1)
    assert f"/worklist/reviews/{run.pk}/" in client.get("/worklist/reviews/").content.decode()


def test_an_officer_may_look_but_not_preview_start_upload_or_publish(client, manager):
    client.force_login(user_with_role(Role.INCOME_OFFICER))
    html = client.get("/worklist/reviews/").content.decode()
    assert "Start this week" not in html and "Publish version" not in html
    assert client.post("/worklist/reviews/preview/").status_code == 403
    assert client.post("/worklist/reviews/start/").status_code == 403
    assert upload(client, DRAFT).status_code == 403
    version = ArrearsPolicyVersion.objects.first()
    assert client.post(f"/worklist/policies/versions/{version.pk}/publish/").status_code == 403


def test_a_version_downloads_as_the_yaml_it_was_uploaded_as(client, manager):
    version = ArrearsPolicyVersion.objects.get(policy__name="hackney-2020")
    response = client.get(f"/worklist/policies/versions/{version.pk}/download/")
    assert response["Content-Disposition"] == 'attachment; filename="hackney-2020-v1.yaml"'
    assert response.content.decode() == (SHIPPED_POLICIES / "hackney-2020.yaml").read_text()
