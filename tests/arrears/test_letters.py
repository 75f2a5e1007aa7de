"""Queued letters become PDFs: one per named tenant, never twice, and a failure is reviewed, not lost."""

import io
from datetime import timedelta
from decimal import Decimal

import pypdf
import pytest
from django.utils import timezone

from arrears.constants import ContactKind, ContactOutcome
from arrears.letters import letter_requests_render
from arrears.models import ArrearsCase, Contact, LetterRequest, Recommendation
from arrears.review import review_run
from arrears.services import policies_install_shipped
from documents.models import Document
from documents.services import templates_install_shipped
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tenancies.models import TenancyTenant
from tests.factories import PersonFactory, TenancyFactory

pytestmark = pytest.mark.django_db


def _owing_joint_tenancy_called_last_week() -> ArrearsCase:
    tenancy = TenancyFactory(payment_reference="RW333001")
    TenancyTenant.objects.create(
        tenancy=tenancy, person=PersonFactory(first_name="Sam", last_name="Joint"), is_lead=False
    )
    account = account_get_or_create(tenancy=tenancy)
    today = timezone.localdate()
    transactions_post(
        postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("250.00"), today - timedelta(days=9), "d")]
    )
    case = ArrearsCase.objects.create(account=account, opened_on=today)
    Contact.objects.create(case=case, kind=ContactKind.CALL, outcome=ContactOutcome.NO_ANSWER, occurred_on=today)
    return case


@pytest.fixture
def queued(settings, tmp_path):
    """A joint tenancy owing £250 whose reminder the review has just queued (a call was made first)."""
    settings.MEDIA_ROOT = tmp_path
    policies_install_shipped()
    case = _owing_joint_tenancy_called_last_week()
    review_run(as_of=timezone.localdate())
    return LetterRequest.objects.get(case=case)


def test_running_the_same_review_twice_makes_no_second_document(settings, tmp_path, django_capture_on_commit_callbacks):
    """The review hands its letters to Celery once its chunk commits (here in-process); running it again that day or
    later that week makes no second document."""
    settings.MEDIA_ROOT = tmp_path
    policies_install_shipped()
    templates_install_shipped()
    _owing_joint_tenancy_called_last_week()
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        review_run(as_of=today)
    assert Document.objects.filter(reference="RW333001").count() == 2
    for day in (today, today + timedelta(days=1)):
        with django_capture_on_commit_callbacks(execute=True):
            review_run(as_of=day)
    assert Document.objects.filter(reference="RW333001").count() == 2


def test_a_joint_tenancy_gets_one_letter_per_named_tenant_with_the_right_figures(queued):
    templates_install_shipped()
    assert letter_requests_render(request_ids=[queued.pk], run_label="review:1") == {"sent": 1}
    documents = list(Document.objects.filter(reference="RW333001").order_by("id"))
    people = [row.person.full_name for row in queued.case.account.tenancy.tenancy_tenants.order_by("-is_lead", "id")]
    assert [d.recipient_name for d in documents] == people and len(people) == 2
    for document, name in zip(documents, people, strict=True):
        text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(document.pdf.read())).pages)
        assert f"Dear {name}," in text and "£250.00 behind" in text and "RW333001" in text
    queued.contact.refresh_from_db()
    assert queued.contact.outcome == ContactOutcome.SENT


def test_rendering_again_makes_no_second_document(queued):
    templates_install_shipped()
    letter_requests_render(request_ids=[queued.pk])
    Contact.objects.filter(pk=queued.contact_id).update(outcome=ContactOutcome.QUEUED)  # as if the task were retried
    letter_requests_render(request_ids=[queued.pk])
    assert Document.objects.filter(reference="RW333001").count() == 2  # two tenants, once each


def test_a_letter_that_cannot_be_made_fails_visibly_and_the_case_asks_for_a_review(queued):
    assert letter_requests_render(request_ids=[queued.pk]) == {"failed": 1}  # no templates installed
    queued.contact.refresh_from_db()
    assert "There is no letter template called 'reminder_1'" in queued.contact.notes
    review_run(as_of=timezone.localdate() + timedelta(days=1))
    latest = Recommendation.objects.filter(case=queued.case).latest("id")
    assert latest.action == "review_failed_letter"


def test_the_tenancy_page_lists_its_letters_and_serves_each_pdf(client, queued):
    from incomeapp.constants import Role
    from tests.factories import user_with_role

    templates_install_shipped()
    letter_requests_render(request_ids=[queued.pk])
    client.force_login(user_with_role(Role.INCOME_OFFICER))
    html = client.get("/tenancies/RW333001/").content.decode()
    assert "Your rent account: can we help?" in html and "To print" in html
    document = Document.objects.filter(reference="RW333001").first()
    response = client.get(f"/documents/{document.pk}/")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    from tests.factories import support_worker_for

    client.force_login(support_worker_for(queued.case.account.tenancy))  # one who supports its scheme
    assert client.get(f"/documents/{document.pk}/").status_code == 403
    assert "Your rent account: can we help?" not in client.get("/tenancies/RW333001/").content.decode()


def test_a_runs_letters_print_as_one_pdf_once(queued, tmp_path):
    from django.core.management import CommandError, call_command

    templates_install_shipped()
    letter_requests_render(request_ids=[queued.pk], run_label="review:99")
    target = tmp_path / "batch.pdf"
    call_command("print_batch", "--run", "review:99", "--output", str(target))
    merged = pypdf.PdfReader(str(target))
    assert len(merged.pages) == sum(d.pages for d in Document.objects.filter(made_by_run="review:99")) == 2
    assert set(Document.objects.values_list("delivery_state", flat=True)) == {"printed"}
    with pytest.raises(CommandError, match="Nothing from review:99 is waiting to be printed"):
        call_command("print_batch", "--run", "review:99", "--output", str(target))


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_a_tenant_who_chose_email_gets_the_letter_by_email_and_the_other_by_post(queued, mailoutbox):
    from tenancies.constants import ContactChannel

    joint = queued.case.account.tenancy.tenancy_tenants.get(is_lead=False).person
    joint.preferred_contact, joint.email = ContactChannel.EMAIL, "sam.joint@example.org"
    joint.save()
    templates_install_shipped()
    assert letter_requests_render(request_ids=[queued.pk], run_label="review:5") == {"sent": 1}
    states = dict(Document.objects.filter(reference="RW333001").values_list("recipient_name", "delivery_state"))
    assert states == {
        queued.case.account.tenancy.tenancy_tenants.get(is_lead=True).person.full_name: "to_print",
        joint.full_name: "emailed",
    }
    [message] = mailoutbox
    assert message.to == ["sam.joint@example.org"] and "RW333001" in message.subject
    assert f"Dear {joint.full_name}," in message.body and "attached as a PDF" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert mimetype == "application/pdf" and filename.startswith("RW333001-letter-")
    assert f"Dear {joint.full_name}," in _pdf_text(content) and "£250.00 behind" in _pdf_text(content)
    # A retried task sends nothing twice.
    Contact.objects.filter(pk=queued.contact_id).update(outcome=ContactOutcome.QUEUED)
    letter_requests_render(request_ids=[queued.pk], run_label="review:5")
    assert len(mailoutbox) == 1


def test_an_email_the_server_refuses_is_recorded_and_brings_the_failed_letter_review(queued, settings, mailoutbox):
    from tenancies.constants import ContactChannel

    settings.EMAIL_BACKEND = "tests.mail_backends.RefusingEmailBackend"
    lead = queued.case.account.tenancy.tenancy_tenants.get(is_lead=True).person
    lead.preferred_contact, lead.email = ContactChannel.EMAIL, "lead@example.org"
    lead.save()
    templates_install_shipped()
    assert letter_requests_render(request_ids=[queued.pk]) == {"failed": 1}
    document = Document.objects.get(recipient_name=lead.full_name)
    assert document.delivery_state == "failed" and "The email to lead@example.org failed" in document.delivery_note
    queued.contact.refresh_from_db()
    assert "Not sent: The email to lead@example.org failed" in queued.contact.notes
    assert "Print and post it." in queued.contact.notes
    review_run(as_of=timezone.localdate() + timedelta(days=1))
    assert Recommendation.objects.filter(case=queued.case).latest("id").action == "review_failed_letter"


def test_letters_go_to_a_correspondence_address_and_a_former_tenant_without_one_is_not_written_to_the_old_home(queued):
    lead = queued.case.account.tenancy.tenancy_tenants.get(is_lead=True).person
    lead.correspondence_address = "c/o Hope Hostel\n2 Mill Lane\nBristol\nBS2 9ZZ"
    lead.save()
    templates_install_shipped()
    letter_requests_render(request_ids=[queued.pk])
    text = _pdf_text(Document.objects.get(recipient_name=lead.full_name).pdf.read())
    assert "c/o Hope Hostel" in text and "BS2 9ZZ" in text

    tenancy = queued.case.account.tenancy
    tenancy.end_date = timezone.localdate() - timedelta(days=1)
    tenancy.save()
    Document.objects.all().delete()
    Contact.objects.filter(pk=queued.contact_id).update(outcome=ContactOutcome.QUEUED)
    assert letter_requests_render(request_ids=[queued.pk]) == {"failed": 1}
    queued.contact.refresh_from_db()
    joint = tenancy.tenancy_tenants.get(is_lead=False).person
    assert f"no address to post to: {joint.full_name} has left the home" in queued.contact.notes


def test_the_printing_page_makes_a_runs_batch_in_one_click_and_keeps_it(client, queued):
    from documents.models import PrintBatch
    from incomeapp.constants import Role
    from tests.factories import user_with_role

    templates_install_shipped()
    letter_requests_render(request_ids=[queued.pk], run_label="review:7")
    officer = user_with_role(Role.INCOME_OFFICER)
    client.force_login(officer)
    html = client.get("/documents/printing/").content.decode()
    assert "Arrears review 7" in html and "Make print batch" in html
    response = client.post("/documents/printing/", {"run": "review:7"}, follow=True)
    html = response.content.decode()
    assert "is ready: 2 documents, 2 pages" in html and "Nothing is waiting to be printed." in html
    batch = PrintBatch.objects.get()
    assert batch.made_by == officer and batch.documents.count() == 2
    download = client.get(f"/documents/printing/{batch.pk}/")
    assert len(pypdf.PdfReader(io.BytesIO(b"".join(download.streaming_content))).pages) == 2
    # Clicking again (a second tab, a double click) makes no second batch.
    again = client.post("/documents/printing/", {"run": "review:7"}, follow=True).content.decode()
    assert "Nothing from Arrears review 7 is waiting to be printed any more." in again
    assert PrintBatch.objects.count() == 1
    client.force_login(user_with_role(Role.SUPPORT_WORKER))
    assert client.get("/documents/printing/").status_code == 403


def test_an_officer_sends_the_recommended_letter_once_a_week_recorded_as_their_contact(queued):
    from django.core.exceptions import ValidationError

    from arrears.services import letter_send
    from incomeapp.constants import Role
    from tests.factories import user_with_role

    case, officer = queued.case, user_with_role(Role.INCOME_OFFICER)
    recommendation = case.latest_recommendation
    # The review queued it this morning.
    with pytest.raises(ValidationError, match="already sent to this case this week"):
        letter_send(case=case, sent_by=officer)
    Recommendation.objects.filter(pk=recommendation.pk).update(letter="final_warning", mode="officer")
    case.refresh_from_db()
    request = letter_send(case=case, sent_by=officer)
    assert (request.letter, request.week_commencing) == ("final_warning", queued.week_commencing)
    assert request.contact.recorded_by == officer and request.contact.notes == recommendation.label
    with pytest.raises(ValidationError, match="already sent to this case this week"):
        letter_send(case=case, sent_by=officer)
    assert LetterRequest.objects.filter(case=case).count() == 2
    case.refresh_from_db()  # sending re-reviewed the case: it points at a new recommendation
    Recommendation.objects.filter(pk=case.latest_recommendation_id).update(letter="nosp_warning", mode="approval")
    case.refresh_from_db()
    with pytest.raises(ValidationError, match="needs approval first"):
        letter_send(case=case, sent_by=officer)
