"""Complaint pages: recording from a tenancy's or a person's page (the error summary keeps what was typed), the
complaint's timeline with overdue working days, a manager's actions with banners that say what they did, the
managers' open list, the case page's warning of an open complaint about arrears action, and the subject access
export."""

import io
import json
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from arrears.models import ArrearsCase
from complaints.constants import ComplaintAbout
from complaints.models import Complaint
from complaints.services import complaint_record, current_stage
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tests.factories import TenancyFactory, dmy, user_with_role

pytestmark = pytest.mark.django_db

TODAY = date(2027, 3, 1)


@pytest.fixture
def tenancy():
    return TenancyFactory(payment_reference="RW990001")


def text(response) -> str:
    return " ".join(response.content.decode().split())


@time_machine.travel(TODAY)
def test_record_from_the_tenancy_page_keeps_what_was_typed_and_says_the_due_dates(client, officer, tenancy):
    client.force_login(officer)
    page = text(client.get(reverse("tenancies:detail", args=[tenancy.payment_reference])))
    record_url = reverse("complaints:record_tenancy", args=[tenancy.payment_reference])
    assert "No complaints have been recorded about tenancy RW990001" in page
    assert record_url in page

    person = tenancy.named_tenants()[0]
    typed = {
        "person": person.pk,
        "about": ComplaintAbout.STAFF,
        "summary": "Rude on the phone",
        **dmy(date(2027, 3, 2), "received_on"),
    }
    answer = client.post(record_url, typed)
    assert answer.status_code == 400
    body = text(answer)
    assert "There is a problem" in body
    assert "The date the complaint was received must be today or in the past" in body
    assert "Rude on the phone" in body
    assert Complaint.objects.count() == 0

    answer = client.post(record_url, typed | dmy(date(2027, 2, 24), "received_on"), follow=True)
    complaint = Complaint.objects.get()
    assert (complaint.person, complaint.tenancy, complaint.recorded_by) == (person, tenancy, officer)
    assert (
        f"Complaint recorded at stage 1 for {person.full_name}, received on 24 February 2027: acknowledge it by "
        "3 March 2027 and respond by 17 March 2027." in text(answer)
    )
    page = text(client.get(reverse("tenancies:detail", args=[tenancy.payment_reference])))
    assert f"Complaint {complaint.pk}" in page and "Acknowledgement by 3 March 2027" in page


@time_machine.travel(TODAY)
def test_record_from_the_person_page(client, officer, tenancy):
    client.force_login(officer)
    person = tenancy.named_tenants()[0]
    page = text(client.get(reverse("people:detail", args=[person.pk])))
    record_url = reverse("complaints:record_person", args=[person.pk])
    assert "Complaints" in page and record_url in page
    answer = client.post(
        record_url,
        {
            "tenancy": "none",
            "about": ComplaintAbout.OTHER,
            "summary": "Parking",
            **dmy(date(2027, 2, 26), "received_on"),
        },
    )
    assert answer.status_code == 302
    assert Complaint.objects.get().tenancy is None
    assert "Acknowledgement by 5 March 2027" in text(client.get(reverse("people:detail", args=[person.pk])))


@time_machine.travel(TODAY)
def test_the_complaint_page_shows_overdue_working_days_and_a_managers_actions(client, officer, manager, tenancy):
    complaint = complaint_record(
        person=tenancy.named_tenants()[0], tenancy=tenancy, about=ComplaintAbout.RENT_ACCOUNT, summary="Wrong charge",
        received_on=date(2027, 2, 1), by=officer,
    )  # fmt: skip
    client.force_login(officer)
    page = text(client.get(reverse("complaints:complaint", args=[complaint.pk])))
    assert "The acknowledgement was due by 8 February 2027: overdue by 15 working days." in page
    assert "Record the acknowledgement" not in page  # officers record; managers answer
    assert client.get(reverse("complaints:acknowledge", args=[complaint.pk])).status_code == 403
    assert client.get(reverse("complaints:index")).status_code == 403

    client.force_login(manager)
    page = text(client.get(reverse("complaints:complaint", args=[complaint.pk])))
    assert reverse("complaints:acknowledge", args=[complaint.pk]) in page
    answer = client.post(
        reverse("complaints:acknowledge", args=[complaint.pk]), dmy(date(2027, 2, 10), "acknowledged_on"), follow=True
    )
    assert (
        "Stage 1 acknowledged on 10 February 2027. The response is now due by 24 February 2027, 10 working days "
        "after the acknowledgement." in text(answer)
    )
    answer = client.post(
        reverse("complaints:extend", args=[complaint.pk]),
        {**dmy(date(2027, 3, 11), "extended_to"), "reason": "Checking the ledger"},
    )
    assert answer.status_code == 400
    assert "the latest date is 10 March 2027" in text(answer)
    assert "Checking the ledger" in text(answer)
    answer = client.post(
        reverse("complaints:extend", args=[complaint.pk]),
        {**dmy(date(2027, 3, 10), "extended_to"), "reason": "Checking the ledger"},
        follow=True,
    )
    assert "now due by 10 March 2027 (it was 24 February 2027)" in text(answer)
    answer = client.post(
        reverse("complaints:respond", args=[complaint.pk]),
        {**dmy(date(2027, 3, 1), "responded_on"), "outcome": "upheld", "response_summary": "Charge reversed"},
        follow=True,
    )
    assert "The complaint is closed and off the open list" in text(answer)
    answer = client.post(
        reverse("complaints:escalate", args=[complaint.pk]), dmy(date(2027, 3, 1), "requested_on"), follow=True
    )
    assert "Escalated to stage 2 from 1 March 2027: acknowledge it by 8 March 2027" in text(answer)
    answer = client.post(
        reverse("complaints:refer", args=[complaint.pk]), dmy(date(2027, 3, 1), "referred_on"), follow=True
    )
    assert "referred to the Housing Ombudsman on 1 March 2027" in text(answer)
    assert "With the Ombudsman" in text(client.get(reverse("complaints:index")))


@time_machine.travel(TODAY)
def test_the_managers_list_filters_by_stage(client, officer, manager, tenancy):
    complaint_record(
        person=tenancy.named_tenants()[0], tenancy=tenancy, about="other", summary="s", received_on=date(2027, 2, 1),
        by=officer,
    )  # fmt: skip
    client.force_login(manager)
    page = text(client.get(reverse("complaints:index")))
    assert "Overdue by 15 working days" in page and "1 open complaint is overdue" in page
    assert "Stage 1 (1)" in page and "Stage 2 (0)" in page
    assert "No open complaints at this stage" in text(client.get(reverse("complaints:index") + "?stage=stage_2"))
    assert "Complaints" in page  # the navigation link


@time_machine.travel(TODAY)
def test_the_case_page_warns_of_an_open_complaint_about_arrears_action(client, officer, law, tenancy):
    account = account_get_or_create(tenancy=tenancy)
    transactions_post(
        postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("300.00"), TODAY - timedelta(days=7), "r")]
    )
    case = ArrearsCase.objects.create(account=account, opened_on=TODAY, officer=officer)
    other = complaint_record(
        person=tenancy.named_tenants()[0], tenancy=tenancy, about=ComplaintAbout.STAFF, summary="s",
        received_on=date(2027, 2, 25), by=officer,
    )  # fmt: skip
    client.force_login(officer)
    page = text(client.get(reverse("arrears:case", args=[case.pk])))
    assert "Open complaint about arrears action" not in page
    complaint = complaint_record(
        person=tenancy.named_tenants()[0], tenancy=tenancy, about=ComplaintAbout.ARREARS_ACTION,
        summary="Too many letters", received_on=date(2027, 2, 1), by=officer,
    )  # fmt: skip
    page = text(client.get(reverse("arrears:case", args=[case.pk])))
    assert (
        f"Open complaint about arrears action from {complaint.person.full_name}, received 1 February 2027, at stage 1: "
        "acknowledgement due by 8 February 2027, overdue by 15 working days." in page
    )
    assert reverse("complaints:complaint", args=[complaint.pk]) in page
    assert reverse("complaints:complaint", args=[other.pk]) not in page
    assert current_stage(complaint).respond_by == date(2027, 2, 22)


@time_machine.travel(TODAY)
def test_the_subject_access_export_includes_complaints(officer, tenancy, settings, tmp_path):
    from privacy.subject_access.export import subject_access_export_make

    settings.MEDIA_ROOT = tmp_path
    person = tenancy.named_tenants()[0]
    complaint_record(
        person=person, tenancy=tenancy, about="other", summary="The lift", received_on=date(2027, 2, 1), by=officer
    )
    admin = user_with_role(Role.INCOME_MANAGER, is_superuser=True)
    result = subject_access_export_make(person=person, by=admin)
    with zipfile.ZipFile(io.BytesIO(result.content)) as archive:
        complaints = json.loads(archive.read("complaints.json"))
        assert "complaints.json" in archive.read("README.txt").decode()
    assert complaints[0]["summary"] == "The lift"
    assert complaints[0]["stages"][0]["acknowledge_by"] == "2027-02-08"
