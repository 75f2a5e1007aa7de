"""The ending screens: the form, the check page with the figures worked out before anything is saved, the
confirmation with the refund and transfer buttons, the correction, transfers, exchanges, successions, assignments, the
tenancy page's links, and the worklist's former tenant arrears and credits lists."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from incomeapp.constants import Role
from lifecycle.ending import tenancy_end
from rentaccounts.constants import RequestKind, RequestStatus, TransactionType
from rentaccounts.models import AdjustmentRequest
from rentaccounts.services import Posting, account_get_or_create, rent_debits_post, transactions_post
from tenancies.constants import EndReason, TenancyEventKind, TenancyStatus
from tenancies.models import Person, PropertyCharge, Tenancy, TenancyEvent
from tests.factories import (
    PatchFactory,
    PersonFactory,
    PropertyFactory,
    TenancyFactory,
    dmy,
    support_worker_for,
    user_with_role,
)

pytestmark = pytest.mark.django_db

WEEKS = (date(2026, 4, 6), date(2026, 4, 13), date(2026, 4, 20))
TUESDAY = date(2026, 4, 14)


@pytest.fixture
def officer():
    return user_with_role(Role.INCOME_OFFICER, first_name="Olu", last_name="Officer")


@pytest.fixture
def tenancy(officer):
    tenancy = TenancyFactory(
        payment_reference="RW600001",
        start_date=date(2026, 3, 2),
        property=PropertyFactory(patch=PatchFactory(officer=officer)),
    )
    for week in WEEKS:
        rent_debits_post(week_commencing=week)
    return tenancy


@pytest.fixture
def signed_in(client, officer):
    client.force_login(officer)
    return client


END_ANSWERS = {"reason": EndReason.TENANTS_NOTICE, "forwarding_address": "12 New Road\nBristol", "note": "Notice"}


def test_the_tenancy_page_offers_ending_to_officers_only(client, signed_in, tenancy):
    html = signed_in.get("/tenancies/RW600001/").content.decode()
    for label in ("End this tenancy", "Record a transfer", "Record a mutual exchange", "Record a succession"):
        assert label in html
    assert "Correct the end" not in html
    client.force_login(support_worker_for(tenancy))  # one who supports its scheme, so the page opens
    assert "End this tenancy" not in client.get("/tenancies/RW600001/").content.decode()
    assert client.get("/tenancies/RW600001/end/").status_code == 403


def test_the_form_explains_what_is_wrong(signed_in, tenancy):
    html = signed_in.get("/tenancies/RW600001/end/").content.decode()
    assert "End the tenancy" in html
    assert "Last day of the tenancy" in html
    response = signed_in.post("/tenancies/RW600001/end/", {"note": ""})
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Choose why the tenancy ended" in html
    assert "Enter the last day of the tenancy" in html
    response = signed_in.post("/tenancies/RW600001/end/", {**END_ANSWERS, **dmy(date(2026, 3, 1), "last_day")})
    assert "The last day cannot be before the tenancy started on 2 March 2026" in response.content.decode()


def test_the_check_page_shows_the_figures_and_saves_nothing_then_confirming_ends_it(signed_in, tenancy):
    answers = {**END_ANSWERS, **dmy(TUESDAY, "last_day")}
    html = signed_in.post("/tenancies/RW600001/end/", answers).content.decode()
    assert "Check before you end the tenancy" in html
    assert "2 of 7" in html and "£28.57" in html  # the last week by day
    assert "£171.43 of charges for days after the last day will be reversed" in html
    assert "£300.00" in html and "£128.57" in html and "former-tenant arrears" in html
    tenancy.refresh_from_db()
    assert tenancy.status == TenancyStatus.CURRENT
    assert account_get_or_create(tenancy=tenancy).balance == Decimal("300.00")

    # Change my answers: back to the form with the answers kept.
    html = signed_in.post("/tenancies/RW600001/end/", {**answers, "edit": "1"}).content.decode()
    assert "12 New Road" in html and "govuk-error-summary" not in html

    response = signed_in.post("/tenancies/RW600001/end/", {**answers, "confirm": "1"})
    assert response.status_code == 302
    assert response.url == "/tenancies/RW600001/end/done/"
    tenancy.refresh_from_db()
    assert (tenancy.status, tenancy.end_date) == (TenancyStatus.FORMER, TUESDAY)
    html = signed_in.get(response.url).content.decode()
    assert "RW600001 ended on 14 April 2026 (Tenant&#x27;s notice). Charges stopped after that day." in html
    assert "Tenancy ended" in html
    assert "£171.43" in html
    assert "is now former-tenant arrears" in html
    # The tenancy page now offers the correction, not the end.
    html = signed_in.get("/tenancies/RW600001/").content.decode()
    assert "Correct the end" in html and "End this tenancy" not in html


def test_a_credit_can_be_sent_for_refund_from_the_confirmation(signed_in, tenancy, officer):
    account = account_get_or_create(tenancy=tenancy)
    transactions_post(postings=[Posting(account.pk, TransactionType.PAYMENT, Decimal("-350.00"), WEEKS[2], "pay")])
    tenancy_end(by=officer, tenancy=tenancy, last_day=TUESDAY, reason=EndReason.TENANTS_NOTICE)
    html = signed_in.get("/tenancies/RW600001/end/done/").content.decode()
    assert "Request a refund of £221.43" in html
    assert "Transfer £221.43 to another account" in html
    response = signed_in.post("/tenancies/RW600001/end/refund/")
    request = AdjustmentRequest.objects.get()
    assert (request.kind, request.amount, request.requested_by) == (RequestKind.REFUND, Decimal("221.43"), officer)
    assert response.url == f"/approvals/{request.pk}/"
    html = signed_in.get("/tenancies/RW600001/end/done/").content.decode()
    assert "waiting for someone else to approve it" in html
    assert "Request a refund of" not in html


def test_a_credit_can_be_sent_to_another_account(signed_in, tenancy, officer):
    other = TenancyFactory(payment_reference="RW600077")
    account = account_get_or_create(tenancy=tenancy)
    transactions_post(postings=[Posting(account.pk, TransactionType.PAYMENT, Decimal("-150.00"), WEEKS[2], "pay")])
    tenancy_end(by=officer, tenancy=tenancy, last_day=TUESDAY, reason=EndReason.TENANTS_NOTICE)
    html = signed_in.post("/tenancies/RW600001/end/transfer-credit/", {"to_payment_reference": "RW999999"})
    assert "No tenancy has the payment reference RW999999" in html.content.decode()
    response = signed_in.post("/tenancies/RW600001/end/transfer-credit/", {"to_payment_reference": "rw600077"})
    request = AdjustmentRequest.objects.get()
    assert (request.kind, request.amount, request.to_account.tenancy) == (RequestKind.TRANSFER, Decimal("21.43"), other)
    assert response.status_code == 302


def test_correcting_the_end(signed_in, tenancy, officer):
    tenancy_end(by=officer, tenancy=tenancy, last_day=TUESDAY, reason=EndReason.TENANTS_NOTICE)
    assert signed_in.get("/tenancies/RW600001/end/").url == "/tenancies/RW600001/end/correct/"
    html = signed_in.get("/tenancies/RW600001/end/correct/").content.decode()
    assert 'value="14"' in html  # the last day as it is
    answers = {"reason": EndReason.TENANTS_NOTICE, "forwarding_address": "", **dmy(date(2026, 4, 16), "last_day")}
    assert (
        "Say why you are correcting the end"
        in signed_in.post("/tenancies/RW600001/end/correct/", answers).content.decode()
    )
    answers["note"] = "Keys came back on Thursday"
    html = signed_in.post("/tenancies/RW600001/end/correct/", answers).content.decode()
    assert "Check before you correct the end" in html and "(was 14 April 2026)" in html
    assert "£28.57 will be charged for days now inside the tenancy" in html
    signed_in.post("/tenancies/RW600001/end/correct/", {**answers, "confirm": "1"})
    tenancy.refresh_from_db()
    assert tenancy.end_date == date(2026, 4, 16)
    assert TenancyEvent.objects.filter(tenancy=tenancy, kind=TenancyEventKind.END_CORRECTED).count() == 1


def test_a_transfer_through_the_pages(signed_in, tenancy):
    home = PropertyFactory(uprn="200000000001", address_line_1="7 Harbour View")
    PropertyCharge.objects.create(
        property=home, charge_type="rent", amount=Decimal("120.00"), effective_from=date(2026, 1, 5)
    )
    answers = {
        "home": "200000000001",
        "carry_balance": "keep",
        "tenure_type": "",
        "note": "",
        **dmy(date(2026, 4, 15), "start_date"),
    }
    html = signed_in.post("/tenancies/RW600001/transfer/", answers).content.decode()
    assert "Check the transfer" in html
    assert "RW600001 ends on 14 April 2026" in html
    assert "7 Harbour View" in html and "£120.00" in html
    assert "£205.71" in html  # charged at once on the new tenancy: 5/7 of £120.00 and the week of 20 April
    assert "stays on RW600001 as former-tenant arrears" in html
    assert Tenancy.objects.count() == 1
    response = signed_in.post("/tenancies/RW600001/transfer/", {**answers, "confirm": "1"})
    assert response.url == "/tenancies/RW600001/moved/"
    new = Tenancy.objects.exclude(pk=tenancy.pk).get()
    html = signed_in.get(response.url).content.decode()
    assert "Transfer recorded" in html and new.payment_reference in html


def test_the_transfer_form_asks_which_home_when_several_match(signed_in, tenancy):
    PropertyFactory(address_line_1="1 Mill Lane", uprn="300000000001")
    PropertyFactory(address_line_1="2 Mill Lane", uprn="300000000002")
    answers = {"home": "Mill Lane", "carry_balance": "keep", **dmy(date(2026, 4, 15), "start_date")}
    html = signed_in.post("/tenancies/RW600001/transfer/", answers).content.decode()
    assert "More than one home matches" in html and "Type the UPRN" in html


def test_a_mutual_exchange_with_an_incoming_tenant_from_elsewhere(signed_in, tenancy):
    answers = {"first_first_name": "Ada", "first_last_name": "Newcomer", **dmy(date(2026, 4, 15), "on")}
    html = signed_in.post("/tenancies/RW600001/mutual-exchange/", answers).content.decode()
    assert "Check the mutual exchange" in html and "Ada Newcomer" in html
    assert not Person.objects.filter(last_name="Newcomer").exists()  # the preview kept nothing
    signed_in.post("/tenancies/RW600001/mutual-exchange/", {**answers, "confirm": "1"})
    new = Tenancy.objects.exclude(pk=tenancy.pk).get()
    assert [p.full_name for p in new.named_tenants()] == ["Ada Newcomer"]
    tenancy.refresh_from_db()
    assert tenancy.end_reason == EndReason.MUTUAL_EXCHANGE


def test_a_succession_through_the_pages(signed_in, tenancy):
    deceased = tenancy.named_tenants()[0]
    answers = {
        "deceased": str(deceased.pk),
        "successor": "new",
        "first_first_name": "Sam",
        "first_last_name": "Successor",
        "reason": "Spouse living at the home",
        **dmy(TUESDAY, "on"),
    }
    html = signed_in.post("/tenancies/RW600001/succession/", answers).content.decode()
    assert "Check the succession" in html and "Sam Successor" in html
    response = signed_in.post("/tenancies/RW600001/succession/", {**answers, "confirm": "1"})
    assert response.url == "/tenancies/RW600001/"
    assert [p.full_name for p in tenancy.named_tenants()] == ["Sam Successor"]
    html = signed_in.get(response.url).content.decode()
    assert "Succession recorded: the named tenants are now Sam Successor" in html


def test_an_assignment_through_the_pages(signed_in, tenancy):
    existing = PersonFactory(first_name="Ola", last_name="Existing")
    answers = {"existing_person": str(existing.pk), "reason": "Court order", **dmy(TUESDAY, "on")}
    signed_in.post("/tenancies/RW600001/assignment/", {**answers, "confirm": "1"})
    assert tenancy.named_tenants() == [existing]
    html = signed_in.post("/tenancies/RW600001/assignment/", {"reason": "x", **dmy(TUESDAY, "on")}).content.decode()
    assert "Choose who holds the tenancy after the assignment" in html


def test_the_worklist_lists_former_tenant_arrears_and_credits(signed_in, tenancy, officer):
    in_credit = TenancyFactory(payment_reference="RW600002", start_date=date(2026, 3, 2))
    account = account_get_or_create(tenancy=in_credit)
    transactions_post(postings=[Posting(account.pk, TransactionType.PAYMENT, Decimal("-40.00"), WEEKS[0], "pay")])
    tenancy_end(
        by=officer, tenancy=tenancy, last_day=TUESDAY, reason=EndReason.EVICTION, forwarding_address="Unknown hostel"
    )
    tenancy_end(by=officer, tenancy=in_credit, last_day=date(2026, 3, 8), reason=EndReason.DEATH)
    html = signed_in.get("/worklist/?tab=former&officer=").content.decode()
    assert "Former tenant arrears" in html
    assert "RW600001" in html and "£128.57" in html and "Eviction" in html and "Unknown hostel" in html
    assert "Olu Officer" in html
    assert "RW600002" not in html
    html = signed_in.get("/worklist/?tab=credits&officer=").content.decode()
    assert "RW600002" in html and "£40.00" in html and "Not asked for yet" in html
    assert "RW600001" not in html
    assert timezone.localdate() > TUESDAY


def test_the_actions_of_a_former_tenancy(signed_in, tenancy, officer):
    tenancy_end(by=officer, tenancy=tenancy, last_day=TUESDAY, reason=EndReason.TENANTS_NOTICE)
    html = signed_in.get("/tenancies/RW600001/").content.decode()
    assert "Record a succession" not in html
    assert signed_in.get("/tenancies/RW600001/succession/").status_code == 302
    assert AdjustmentRequest.objects.filter(status=RequestStatus.PENDING).count() == 0
