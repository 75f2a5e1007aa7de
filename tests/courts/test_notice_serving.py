"""Serving a notice: refused during Breathing Space and with nothing owed; the PDF names every joint tenant with the
grounds, figures and dates; the milestone reaches the arrears case; the protocol copy is recorded."""

import io
from datetime import timedelta
from decimal import Decimal

import pypdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from arrears.models import ArrearsCase, BreathingSpace, Contact
from courts.models import Notice
from courts.services import notice_protocol_copy_record, notice_serve
from documents.models import Document
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tenancies.constants import TenureType
from tests.courts.possession import joint_secure_tenancy
from tests.documents.pngs import ink, pdf_pages_as_png
from tests.factories import TenancyFactory, rent_debited_weekly, user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("law")]


@pytest.fixture
def owing(settings, tmp_path):
    """A joint secure tenancy (weekly, from Monday 1 April 2024) owing 6 weeks' rent and a £45 repair recharge."""
    settings.MEDIA_ROOT = tmp_path
    tenancy = joint_secure_tenancy("RW950001")
    account = rent_debited_weekly(tenancy, weeks_ago=range(6))
    repair_on = timezone.localdate() - timedelta(days=1)
    transactions_post(postings=[Posting(account.pk, TransactionType.RECHARGE, Decimal("45.00"), repair_on, "repair")])
    return tenancy


def _serve(tenancy, officer, **overrides):
    values = {
        "tenancy": tenancy,
        "notice_code": "secure-nosp",
        "served_on": timezone.localdate(),
        "method": "hand",
        "signatory": "Priya Shah, Income Manager",
        "proof_of_service": "Handed to Ada Lead at the door at 10:15 by Olivia Okafor.",
        "served_by": officer,
    }
    return notice_serve(**{**values, **overrides})


def test_a_served_nosp_names_both_tenants_with_the_grounds_figures_and_dates(owing):
    officer = user_with_role(Role.INCOME_OFFICER)
    notice = _serve(owing, officer)
    assert notice.rent_arrears == Decimal("600.00") and notice.balance == Decimal("645.00")
    documents = list(Document.objects.filter(subject_key__startswith=f"notice:{notice.pk}:").order_by("id"))
    assert [d.recipient_name for d in documents] == ["Ada Lead", "Ben Joint"] and {d.kind for d in documents} == {
        "notice"
    }
    pdf = documents[1].pdf.read()
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    pages = pdf_pages_as_png(pdf, "notice")
    assert ink(pages[0], (0.6, 0.05, 0.92, 0.2)) > 0.01 and all(ink(p, (0.94, 0.0, 1.0, 1.0)) == 0 for p in pages)
    for expected in (
        "Ada Lead, Ben Joint",
        "Rent lawfully due from the tenant has not been paid",
        "£600.00",
        "£45.00 that is not rent",
        f"{notice.earliest_proceedings_on:%-d %B %Y}",
        f"{notice.lapses_on:%-d %B %Y}",
        "Priya Shah, Income Manager",
        "Your home is at risk",
    ):
        assert expected in " ".join(text.split()), expected
    case = ArrearsCase.objects.get(account__tenancy=owing)
    assert case.nosp_served_on == notice.deemed_served_on and case.nosp_expires_on == notice.lapses_on
    assert Contact.objects.filter(case=case, notes__startswith="NOSP served (handed to the tenant)").exists()
    assert case.history.count() >= 2  # the change is in the case's history


def test_no_notice_during_breathing_space_nor_with_nothing_owed_nor_by_a_support_worker(owing):
    officer = user_with_role(Role.INCOME_OFFICER)
    BreathingSpace.objects.create(
        tenancy=owing, kind="standard", starts_on=timezone.localdate() - timedelta(days=3),
        ends_on=timezone.localdate() + timedelta(days=57), debt_covered=Decimal("500.00"),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="a notice on rent-arrears grounds served now would be void"):
        _serve(owing, officer)
    BreathingSpace.objects.all().delete()
    with pytest.raises(PermissionDenied):
        _serve(owing, user_with_role(Role.SUPPORT_WORKER))
    with pytest.raises(ValidationError, match="cannot be in the future"):
        _serve(owing, officer, served_on=timezone.localdate() + timedelta(days=1))
    with pytest.raises(ValidationError, match="not one this tenancy can be given"):
        _serve(owing, officer, notice_code="s21")
    clear = TenancyFactory(payment_reference="RW950002", tenure_type=TenureType.SECURE)
    account_get_or_create(tenancy=clear)
    with pytest.raises(ValidationError, match="No rent lawfully due is unpaid"):
        _serve(clear, officer)
    assert Notice.objects.count() == 0 and Document.objects.count() == 0


def test_the_protocol_copy_is_recorded_after_service(owing):
    officer = user_with_role(Role.INCOME_OFFICER)
    notice = _serve(owing, officer)
    with pytest.raises(ValidationError, match="on or after service"):
        notice_protocol_copy_record(notice=notice, sent_on=notice.served_on - timedelta(days=1), recorded_by=officer)
    notice_protocol_copy_record(notice=notice, sent_on=notice.served_on, recorded_by=officer)
    assert Notice.objects.get().protocol_copy_sent_on == notice.served_on


def test_the_legal_pages_serve_a_notice_and_show_its_record(client, owing):
    officer = user_with_role(Role.INCOME_OFFICER)
    client.force_login(officer)
    today = timezone.localdate()
    query = {"payment_reference": "RW950001", "served_on_0": today.day, "served_on_1": today.month,
             "served_on_2": today.year, "method": "hand"}  # fmt: skip
    html = client.get("/legal/", query).content.decode()
    link = f"/legal/tenancies/RW950001/notices/?notice=secure-nosp&amp;served_on={today.isoformat()}&amp;method=hand"
    assert f'href="{link}">Record this NOSP as served' in html
    url = "/legal/tenancies/RW950001/notices/"
    form_page = client.get(url, {"notice": "secure-nosp", "served_on": today.isoformat(), "method": "hand"})
    assert f'name="served_on_0" value="{today.day}"' in form_page.content.decode()
    answers = {"serve": "1", "notice_code": "secure-nosp", "served_on_0": today.day, "served_on_1": today.month,
               "served_on_2": today.year, "method": "hand"}  # fmt: skip
    refused = client.post(url, answers)
    assert refused.status_code == 400 and "<title>Error: " in refused.content.decode()
    assert "Enter the name and role of the person who signed the notice" in refused.content.decode()
    answers |= {"signatory": "Priya Shah, Income Manager", "proof_of_service": "By hand, 10:15, O. Okafor."}
    check = client.post(url, answers).content.decode()
    assert "Check before you record the notice" in check and "Nothing has been saved yet" in check
    assert Notice.objects.count() == 0
    response = client.post(url, {**answers, "confirm": "1"}, follow=True)
    html = response.content.decode()
    assert f"NOSP recorded as served on {today:%-d %B %Y}" in html
    assert "Ada Lead, Ben Joint" in html and "Not sent yet" in html
    notice = Notice.objects.get()
    sent = client.post(
        f"/legal/notices/{notice.pk}/",
        {"protocol": "1", "sent_on_0": today.day, "sent_on_1": today.month, "sent_on_2": today.year},
        follow=True,
    ).content.decode()
    assert "a copy of the pre-action protocol was sent" in sent and f"Sent on {today:%-d %B %Y}" in sent


def test_the_serve_form_accepts_only_a_date_it_can_use_and_names_the_earliest(client, owing):
    """No date field that accepts a value it then refuses: a future date, a date before the tenancy began and a date
    that does not exist are errors on the form, each saying which dates will do."""
    client.force_login(user_with_role(Role.INCOME_OFFICER))
    today = timezone.localdate()
    url = "/legal/tenancies/RW950001/notices/"
    answers = {"serve": "1", "notice_code": "secure-nosp", "method": "hand", "signatory": "P Shah",
               "proof_of_service": "By hand."}  # fmt: skip

    def posted(day):
        return client.post(url, {**answers, "served_on_0": day.day, "served_on_1": day.month, "served_on_2": day.year})

    tomorrow = posted(today + timedelta(days=1))
    assert tomorrow.status_code == 400
    assert f"The date of service must be today ({today:%-d %B %Y}) or earlier" in tomorrow.content.decode()
    early = posted(owing.start_date - timedelta(days=1)).content.decode()
    assert "The date of service must be 1 April 2024 or later (the day the tenancy began)" in early
    assert 'href="#id_served_on_0"' in early and "<title>Error: " in early
    page = client.get(url).content.decode()
    assert "A date from 1 April 2024 (the day the tenancy began) to today" in page
    assert f'name="served_on_0" value="{today.day}"' in page  # defaults to a date it will accept
    assert Notice.objects.count() == 0


def test_serving_while_an_agreement_is_kept_needs_the_warning_acknowledged(client, owing):
    from arrears.constants import AgreementFrequency
    from arrears.models import Agreement
    from courts.serving import serve_cautions

    officer = user_with_role(Role.INCOME_OFFICER)
    today = timezone.localdate()
    case = ArrearsCase.objects.create(account=account_get_or_create(tenancy=owing), opened_on=today)
    assert serve_cautions(tenancy=owing) == []
    Agreement.objects.create(
        case=case, frequency=AgreementFrequency.WEEKLY, amount=Decimal("10.00"), starts_on=today,
        starting_balance=Decimal("645.00"),
    )  # fmt: skip
    assert "An agreement to pay is being kept: £10.00 weekly" in serve_cautions(tenancy=owing)[0]
    client.force_login(officer)
    url = "/legal/tenancies/RW950001/notices/"
    answers = {"serve": "1", "notice_code": "secure-nosp", "method": "hand", "signatory": "P Shah",
               "proof_of_service": "By hand.", "served_on_0": today.day, "served_on_1": today.month,
               "served_on_2": today.year}  # fmt: skip
    check = client.post(url, answers).content.decode()
    assert "Before you serve" in check and "An agreement to pay is being kept" in check
    unacknowledged = client.post(url, {**answers, "confirm": "1"})
    assert unacknowledged.status_code == 400 and Notice.objects.count() == 0
    html = unacknowledged.content.decode()
    assert "<title>Error: " in html and "Confirm you have read the warning" in html
    served = client.post(url, {**answers, "confirm": "1", "acknowledged": "on"})
    assert served.status_code == 302 and Notice.objects.count() == 1
