"""The case page leads to the next action and hides no effect: a contact needs what happened and who; whatever an action
sets off is in the banner with a link; the case is re-reviewed before the page returns; any letter that fits the case
can be sent (within the holds), and the diary shows it with its PDF in the same state as the documents list."""

import re
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from arrears.constants import BreathingSpaceKind, ContactKind, ContactOutcome
from arrears.models import Contact, LetterRequest
from arrears.next_step import NextStep, next_step, reason_sentence
from arrears.services import breathing_space_record, contact_record, policies_install_shipped
from documents.models import Document
from documents.services import templates_install_shipped
from tests.arrears.conftest import case_owing_a_fortnights_rent, tenancy_in_patch_of
from tests.factories import dmy

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(officer, law, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    policies_install_shipped()
    templates_install_shipped()
    return case_owing_a_fortnights_rent(tenancy_in_patch_of(officer, payment_reference="RW778001"))


def page(client, case, query: str = "") -> str:
    return client.get(f"/worklist/cases/{case.pk}/{query}").content.decode()


def tenant_pk(case) -> int:
    return case.account.tenancy.named_tenants()[0].pk


# ---- the next step ---------------------------------------------------------------------------------------------------


def test_the_reason_reads_as_a_sentence():
    today = date(2026, 12, 5)
    recommendation = SimpleNamespace(
        balance=Decimal("2295.46"),
        arrears_weeks=Decimal("17.5"),
        weeks_basis="rent",
        facts={"last_contact_attempt_date": "2026-11-14", "last_payment_date": "2026-12-04"},
    )
    assert reason_sentence(recommendation, today) == (
        "Owes £2,295.46, 17.5 weeks of rent; last paid yesterday; last contact 21 days ago."
    )
    recommendation.facts = {"expected_benefit": "95.46"}
    assert reason_sentence(recommendation, today) == (
        "Owes £2,295.46, of which £95.46 is benefit due; the other £2,200.00 is 17.5 weeks of rent; "
        "no payment on record; no contact on record."
    )


def test_each_kind_of_step_has_a_button_that_does_it():
    def step(action, mode="officer", letter="", label="A step"):
        return next_step(SimpleNamespace(action=action, mode=mode, letter=letter, label=label))

    assert step("contact_before_send_reminder_1") == NextStep("form", "Call or visit: record what happened", "contact")
    assert step("send_final_warning", letter="final_warning", label="Send the final warning").kind == "letter"
    assert step("recommend_nosp", mode="approval").kind == "notice"
    assert step("vulnerability_review").form == "vulnerability"
    assert step("agreement_kept", mode="none").kind == "none"


def test_the_button_opens_the_contact_form_and_the_diary_comes_before_the_chart(client, officer, case):
    client.force_login(officer)
    html = page(client, case)
    assert 'href="?open=contact#contact-action"' in html and ">Call or visit: record what happened</a>" in html
    assert "Owes £250.00, 2.5 weeks of rent and charges; no payment on record; no contact on record." in html
    assert html.index('id="next-step"') < html.index('class="moj-timeline"') < html.index("Balance, last 26 weeks")
    assert not re.search(r'id="contact-action" open', html)
    assert re.search(r'id="contact-action" open', page(client, case, "?open=contact"))


# ---- recording a contact ---------------------------------------------------------------------------------------------


def test_a_contact_needs_what_happened_and_who(client, officer, case):
    client.force_login(officer)
    today = timezone.localdate()
    response = client.post(f"/worklist/cases/{case.pk}/contacts/", {"kind": "call", **dmy(today, "occurred_on")})
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: " in html
    assert "Choose what happened" in html and "Choose who you spoke to, or tried to reach" in html
    someone = client.post(
        f"/worklist/cases/{case.pk}/contacts/",
        {"kind": "visit", "outcome": "spoke", "person": "someone_else", **dmy(today, "occurred_on")},
    )
    assert someone.status_code == 400
    assert "Say who you spoke to, or tried to reach, and how they know the tenant" in someone.content.decode()
    assert not Contact.objects.filter(case=case, recorded_by=officer).exists()


def test_the_letters_statuses_are_not_outcomes_a_person_records(client, officer, case):
    client.force_login(officer)
    today = timezone.localdate()
    for outcome in ("queued", "sent", "failed", "withheld", "note"):
        response = client.post(
            f"/worklist/cases/{case.pk}/contacts/",
            {"kind": "call", "outcome": outcome, "person": tenant_pk(case), **dmy(today, "occurred_on")},
        )
        assert response.status_code == 400, outcome
    assert not Contact.objects.filter(case=case, recorded_by=officer).exists()
    offered = set(re.findall(r'name="outcome"[^>]*?value="([a-z_]+)"', page(client, case), re.S))
    assert offered == {"spoke", "no_answer", "left_message", "returned"}
    with pytest.raises(ValidationError, match="Choose what happened"):  # the service refuses too
        contact_record(
            case=case, kind=ContactKind.CALL, outcome=ContactOutcome.SENT, occurred_on=today, recorded_by=officer
        )


def test_recording_a_contact_re_reviews_the_case_and_the_banner_names_the_letter_it_set_off(
    client, officer, case, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    assert case.latest_recommendation.action == "contact_before_send_reminder_1"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/worklist/cases/{case.pk}/contacts/",
            {"kind": "call", "outcome": "spoke", "person": tenant_pk(case), **dmy(timezone.localdate(), "occurred_on")},
            follow=True,
        )
    html = response.content.decode()
    call = Contact.objects.get(case=case, kind=ContactKind.CALL)
    letter = LetterRequest.objects.get(case=case, letter="reminder_1")  # the call unlocked the automatic reminder
    case.refresh_from_db()
    assert case.latest_recommendation.action != "contact_before_send_reminder_1"
    banner = html[html.index("govuk-notification-banner") : html.index('id="next-step"')]
    assert "Contact recorded." in banner and f'href="#diary-contact-{call.pk}"' in banner
    assert "This set off a letter" in banner and f'href="#diary-contact-{letter.contact_id}"' in banner
    assert f"the next step is now “{case.latest_recommendation.label}”" in banner
    assert f'id="diary-contact-{call.pk}"' in html and f'id="diary-contact-{letter.contact_id}"' in html


# ---- letters on demand -----------------------------------------------------------------------------------------------


def test_an_officer_sends_any_letter_that_fits_and_the_banner_links_its_pdf(
    client, officer, case, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    html = page(client, case)
    offered = set(re.findall(r'name="letter" type="radio" value="([a-z_0-9]+)"', html))
    assert {"reminder_1", "reminder_2", "final_warning"} <= offered
    assert "agreement_letter" not in offered and "sign_up_letter" not in offered  # no agreement; not an arrears letter
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/worklist/cases/{case.pk}/letters/", {"letter": "final_warning"}, follow=True)
    html = response.content.decode()
    request = LetterRequest.objects.get(case=case, letter="final_warning")
    assert request.contact.recorded_by == officer
    document = Document.objects.get(subject_key__startswith=f"letter-request:{request.pk}:")
    banner = html[html.index("govuk-notification-banner") : html.index('id="next-step"')]
    assert f"Letter “{document.title}” made" in banner
    assert f'href="/documents/{document.pk}/"' in banner and f'href="#diary-contact-{request.contact_id}"' in banner
    # The diary shows it with its PDF, in the state the tenancy's documents list shows.
    entry = html[html.index(f'id="diary-contact-{request.contact_id}"') :]
    entry = entry[: entry.index("moj-timeline__item", 10)] if "moj-timeline__item" in entry[10:] else entry
    assert f'href="/documents/{document.pk}/"' in entry and ">To print</strong>" in entry
    tenancy_page = client.get(f"/tenancies/{case.account.tenancy.payment_reference}/").content.decode()
    assert f'href="/documents/{document.pk}/"' in tenancy_page and "To print" in tenancy_page
    pdf = client.get(f"/documents/{document.pk}/")
    assert pdf["Content-Type"] == "application/pdf" and b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_no_letter_chosen_or_one_that_does_not_fit_is_explained(client, officer, case):
    client.force_login(officer)
    response = client.post(f"/worklist/cases/{case.pk}/letters/", {"letter": ""})
    html = response.content.decode()
    assert response.status_code == 400 and "<title>Error: " in html
    assert '<a href="#letter-choice">Choose which letter to send</a>' in html
    assert re.search(r'id="letter-action" open', html)
    refused = client.post(f"/worklist/cases/{case.pk}/letters/", {"letter": "sign_up_letter"})
    assert refused.status_code == 400 and "That letter does not fit this case" in refused.content.decode()
    assert not LetterRequest.objects.filter(case=case).exists()


def test_a_letter_on_demand_is_refused_during_a_breathing_space_in_plain_words(client, officer, case):
    breathing_space_record(
        tenancy=case.account.tenancy,
        kind=BreathingSpaceKind.STANDARD,
        starts_on=timezone.localdate() - timedelta(days=1),
        recorded_by=officer,
    )
    client.force_login(officer)
    html = page(client, case)
    assert 'name="letter" type="radio"' not in html  # no form to fill in: the reason instead
    assert "No letter can be sent while the Breathing Space that began on" in html
    response = client.post(f"/worklist/cases/{case.pk}/letters/", {"letter": "reminder_2"})
    html = response.content.decode()
    assert response.status_code == 400
    summary = html[html.index("govuk-error-summary") : html.index("</ul>", html.index("govuk-error-summary"))]
    assert "No letter can be sent while the Breathing Space that began on" in summary
    assert "Talk to their debt adviser instead." in summary and "R-BS" not in summary
    assert not LetterRequest.objects.filter(case=case).exists()
