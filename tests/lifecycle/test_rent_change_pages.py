"""The pages: a tenancy's 'Change charges' (form, check, done) and rent change runs (prepare, preview, send, decide)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from documents.models import Document
from documents.services import templates_install_shipped
from incomeapp.constants import Role
from lifecycle.constants import RentChangeStatus
from lifecycle.models import RentChangeRun
from rentaccounts.charging import monday_of
from rentaccounts.services import rent_debits_post
from tenancies.constants import ChargeType, TenancyEventKind, TenancyStatus
from tenancies.models import Charge, TenancyEvent
from tests.factories import PropertyFactory, SchemeFactory, TenancyFactory, dmy, support_worker_for, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def test_change_charges_is_offered_only_to_those_who_may_and_only_for_current_tenancies(client):
    tenancy = TenancyFactory(payment_reference="RW200001")
    former = TenancyFactory(payment_reference="RW200002", end_date=date(2025, 1, 5), status=TenancyStatus.FORMER)
    link = reverse("lifecycle:charges_change", args=["RW200001"])
    client.force_login(user_with_role(Role.INCOME_OFFICER))
    assert link in client.get(reverse("tenancies:detail", args=[tenancy.payment_reference])).content.decode()
    page = client.get(reverse("tenancies:detail", args=[former.payment_reference])).content.decode()
    assert "Change charges" not in page
    client.force_login(support_worker_for(tenancy))  # one who supports its scheme, so the page opens
    assert link not in client.get(reverse("tenancies:detail", args=[tenancy.payment_reference])).content.decode()
    assert client.get(link).status_code == 403


def test_an_officer_changes_one_tenancys_charges_from_a_week_already_charged(client):
    today = timezone.localdate()
    monday = monday_of(today)
    tenancy = TenancyFactory(payment_reference="RW200003", start_date=monday - timedelta(weeks=8))
    rent_debits_post(week_commencing=monday)
    officer = user_with_role(Role.INCOME_OFFICER)
    client.force_login(officer)
    url = reverse("lifecycle:charges_change", args=["RW200003"])

    form_page = client.get(url)
    assert form_page.status_code == 200
    assert 'value="100.00"' in form_page.content.decode()
    assert f"back to {monday:%A %-d %B %Y}" in form_page.content.decode()

    posted = {
        **dmy(monday - timedelta(days=1), "effective_from"),
        "amount_rent": "107.00",
        "counts_as_rent": ["rent"],
        "reason": "Rent set wrongly",
    }
    refused = client.post(url, posted)
    assert f"the earliest date allowed is {monday:%A %-d %B %Y}" in refused.content.decode()
    assert "govuk-error-summary" in refused.content.decode()

    unchanged = client.post(url, {**posted, "amount_rent": "100.00", **dmy(monday, "effective_from")})
    assert "These are already the charges from" in unchanged.content.decode()

    # Thursday of the week charged: 3 days at £100.00 (£42.86) and 4 at £107.00 (£61.14) is £4.00 more.
    thursday = monday + timedelta(days=3)
    answers = client.post(url, {**posted, **dmy(thursday, "effective_from")})
    assert answers.status_code == 302 and answers["Location"].endswith("/charges/change/check/")
    check = client.get(answers["Location"])
    html = check.content.decode()
    assert "Check the new charges" in html and "£107.00" in html and "£4.00" in html
    assert not TenancyEvent.objects.exists()  # nothing yet

    done = client.post(answers["Location"], follow=True)
    assert done.redirect_chain[-1][0] == reverse("tenancies:detail", args=["RW200003"])
    [banner] = _messages(done)
    assert banner.startswith(f"Charges for RW200003 changed from {thursday:%-d %B %Y}: £107.00 a week (was £100.00).")
    assert "£4.00 was posted" in banner
    assert TenancyEvent.objects.get(tenancy=tenancy).kind == TenancyEventKind.CHARGE_CHANGE
    assert tenancy.accounts.get().balance == Decimal("104.00")


@pytest.fixture
def scheme():
    scheme = SchemeFactory(name="Harbour Court")
    TenancyFactory(payment_reference="RW300001", property=PropertyFactory(scheme=scheme, uprn="300000001"))
    TenancyFactory(payment_reference="RW300002", property=PropertyFactory(scheme=scheme, uprn="300000002"))
    return scheme


def _effective() -> date:
    return monday_of(timezone.localdate()) + timedelta(weeks=8)


def test_a_manager_prepares_a_percentage_change_and_a_second_manager_approves_it(
    client, scheme, django_capture_on_commit_callbacks
):
    templates_install_shipped()
    preparer, approver = user_with_role(Role.INCOME_MANAGER), user_with_role(Role.INCOME_MANAGER)
    client.force_login(preparer)
    assert client.get(reverse("lifecycle:rent_changes")).status_code == 200
    form = client.get(reverse("lifecycle:rent_change_prepare_rule"))
    assert form.status_code == 200 and "Harbour Court" in form.content.decode()

    data = {
        "name": "April rent change",
        **dmy(_effective(), "effective_from"),
        "notice_weeks": "4",
        "schemes": [str(scheme.pk)],
        "charge_types": ["rent"],
        "percentage": "2.7%",
        "weekly_cap": "",
    }
    prepared = client.post(reverse("lifecycle:rent_change_prepare_rule"), data, follow=True)
    run = RentChangeRun.objects.get()
    assert prepared.redirect_chain[-1][0] == reverse("lifecycle:rent_change", args=[run.pk])
    assert _messages(prepared)[0].startswith("Prepared: 2 charges of 2 tenancies and 0 homes would change.")
    html = prepared.content.decode()
    assert "£102.70" in html and "£2.70" in html and "2, one to each named tenant" in html
    assert "Send for approval" in html

    client.post(reverse("lifecycle:rent_change_submit", args=[run.pk]))
    page = client.get(reverse("lifecycle:rent_change", args=[run.pk])).content.decode()
    assert "You prepared this, so someone else must approve it." in page and ">Approve<" not in page
    refused = client.post(reverse("lifecycle:rent_change_decide", args=[run.pk]), {"approve": "1"})
    assert "someone else must approve" in refused.content.decode()

    client.force_login(approver)
    page = client.get(reverse("lifecycle:rent_change", args=[run.pk])).content.decode()
    assert f"{preparer} prepared this" in page and ">Approve<" in page
    no_reason = client.post(reverse("lifecycle:rent_change_decide", args=[run.pk]), {"reject": "1", "reason": ""})
    assert "Give the reason for rejecting it" in no_reason.content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the Celery tasks, run eagerly once approval commits
        client.post(reverse("lifecycle:rent_change_decide", args=[run.pk]), {"approve": "1", "reason": "Checked"})
    approved = client.get(reverse("lifecycle:rent_change", args=[run.pk]))
    assert _messages(approved)[0].startswith("Approved. The charges of 2 tenancies and 0 homes change from")
    run.refresh_from_db()
    assert (run.status, run.decided_by) == (RentChangeStatus.APPROVED, approver)
    html = approved.content.decode()
    assert "Letters made" in html and "2 of 2" in html
    assert Document.objects.filter(made_by_run=f"rent-change:{run.pk}").count() == 2
    assert Charge.objects.filter(effective_from=run.effective_from, amount=Decimal("102.70")).count() == 2

    again = client.post(reverse("lifecycle:rent_change_decide", args=[run.pk]), {"approve": "1"})
    assert "already approved" in again.content.decode()
    finish = client.post(reverse("lifecycle:rent_change_finish", args=[run.pk]), follow=True)
    assert _messages(finish)[0].startswith("Everything is already done")
    assert Document.objects.filter(made_by_run=f"rent-change:{run.pk}").count() == 2


def test_a_csv_with_a_bad_row_lists_the_problem_and_prepares_nothing(client, scheme):
    client.force_login(user_with_role(Role.INCOME_MANAGER))
    upload = SimpleUploadedFile(
        "new.csv", b"uprn,charge_type,new_weekly_amount\n300000001,rent,104.00\n300000002,rnet,104.00\n", "text/csv"
    )
    data = {"name": "Corrections", **dmy(_effective(), "effective_from"), "notice_weeks": "4"}
    response = client.post(reverse("lifecycle:rent_change_prepare_csv"), {**data, "new_charges": upload})
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "The file has 1 problem, listed below, so nothing was prepared." in html
    assert "Line 3, column charge_type: &#x27;rnet&#x27; is not a charge type." in html
    assert not RentChangeRun.objects.exists()
    example = client.get(reverse("lifecycle:rent_change_csv_template"))
    assert example.content.decode().startswith("uprn,property_reference,payment_reference,tenancy_reference,")


def test_a_date_inside_the_notice_period_is_refused_on_the_form(client, scheme):
    client.force_login(user_with_role(Role.INCOME_MANAGER))
    data = {
        "name": "Too soon",
        **dmy(timezone.localdate() + timedelta(days=7), "effective_from"),
        "notice_weeks": "4",
        "schemes": [str(scheme.pk)],
        "charge_types": ["rent"],
        "percentage": "3",
    }
    response = client.post(reverse("lifecycle:rent_change_prepare_rule"), data)
    assert "govuk-error-summary" in response.content.decode()
    assert "The letters must reach tenants at least 4 weeks before the new charges start" in response.content.decode()
    assert not RentChangeRun.objects.exists()


def test_officers_cannot_prepare_or_approve(client, scheme):
    client.force_login(user_with_role(Role.SENIOR_INCOME_OFFICER))
    assert client.get(reverse("lifecycle:rent_changes")).status_code == 403
    assert client.get(reverse("lifecycle:rent_change_prepare_rule")).status_code == 403
    assert Charge.objects.filter(charge_type=ChargeType.RENT).count() == 2
