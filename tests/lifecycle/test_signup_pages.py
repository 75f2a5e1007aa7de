"""The sign-up pages: the whole flow for a joint tenancy, what each page refuses and why, the check page (payment
reference and first charge before anything is saved), changing an answer, and who may use them. Also every other form
where a payment reference is typed: a wrong check digit is refused with the same plain message."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from documents.models import Document
from incomeapp.constants import Role
from rentaccounts.models import Account, SuspenseItem
from rentaccounts.services import rent_debits_post
from tenancies.constants import ChargeType, TenancyEventKind
from tenancies.models import Person, PropertyCharge, Tenancy, TenancyEvent
from tenancies.references import payment_reference_problem
from tests.factories import PersonFactory, PropertyFactory, TenancyFactory, dmy, user_with_role

pytestmark = pytest.mark.django_db

D = Decimal
MON = date(2026, 11, 2)
THU = date(2026, 11, 5)
BAD = "RW12345670"
BAD_MESSAGE = (
    "RW12345670 is not a valid payment reference: its last digit (the check digit) does not match. Check the "
    "reference on the tenant&#x27;s rent card or letter."
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def officer(db):
    return user_with_role(Role.INCOME_OFFICER, first_name="Olu", last_name="Officer")


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def home(db):
    home = PropertyFactory(address_line_1="12 Mill Lane", town="Bristol", postcode="BS3 4QT", uprn="100120001")
    PropertyCharge.objects.create(
        property=home, charge_type=ChargeType.RENT, amount=D("100.00"), effective_from=date(2026, 4, 6)
    )
    PropertyCharge.objects.create(
        property=home, charge_type=ChargeType.ELIGIBLE_SERVICE, amount=D("5.00"), effective_from=date(2026, 4, 6)
    )
    return home


def _post(client, url, data, follow=False):
    response = client.post(url, data, follow=follow)
    assert response.status_code in (200, 302), response.content.decode()[:3000]
    return response


def _walk_to_check(client, home, existing: Person, *, tenure="ASSURED", start=THU):
    """Answers every question for a joint tenancy: one person on record and one new."""
    assert client.post("/sign-up/", {"action": "new"}).url == "/sign-up/home/"
    html = client.get("/sign-up/home/", {"q": "BS3 4QT"}).content.decode()
    assert "12 Mill Lane" in html and "Choose" in html
    assert _post(client, "/sign-up/home/", {"property": home.pk}).url == "/sign-up/tenure/"
    assert _post(client, "/sign-up/tenure/", {"tenure_type": tenure}).url in (
        "/sign-up/start-date/",
        "/sign-up/licence-basis/",
    )
    if tenure == "LICENCE":
        assert _post(client, "/sign-up/licence-basis/", {"licence_basis": "hostel"}).url == "/sign-up/start-date/"
    assert _post(client, "/sign-up/start-date/", dmy(start, "start_date")).url == "/sign-up/tenants/"
    assert _post(client, "/sign-up/tenants/find/", {"person": existing.pk}).url == "/sign-up/tenants/"
    new = {
        "first_name": "Bob",
        "last_name": "Okafor",
        "preferred_contact": "letter",
        **dmy(date(1990, 3, 27), "date_of_birth"),
    }
    assert _post(client, "/sign-up/tenants/new/", new).url == "/sign-up/tenants/"
    assert _post(client, "/sign-up/tenants/", {"lead": "0"}).url == "/sign-up/rent-period/"
    assert _post(client, "/sign-up/rent-period/", {"rent_period": "weekly"}).url == "/sign-up/charges/"
    html = client.get("/sign-up/charges/").content.decode()
    assert 'value="100.00"' in html and 'value="5.00"' in html  # the home's charges, a week
    charges = {"rent": "100.00", "eligible_service": "5.00"}
    assert _post(client, "/sign-up/charges/", charges).url == "/sign-up/payment/"
    assert _post(client, "/sign-up/payment/", {"payment_method": "direct_debit"}).url == "/sign-up/direct-debit/"
    mandate = {"reference": "ddm-77", "collection_day": "1", "amount": "", **dmy(date(2026, 12, 1), "start_date")}
    assert _post(client, "/sign-up/direct-debit/", mandate).url == "/sign-up/benefit/"
    assert _post(client, "/sign-up/benefit/", {"benefit": "uc"}).url == "/sign-up/benefit-details/"
    claim = {"status": "in_payment", "weekly_amount": "100.00", "paid_to_landlord": "yes"}
    assert _post(client, "/sign-up/benefit-details/", claim).url == "/sign-up/opening-balance/"
    assert _post(client, "/sign-up/opening-balance/", {}).url == "/sign-up/check/"


def test_an_officer_signs_up_a_joint_tenancy_through_every_page(officer_client, officer, home):
    rent_debits_post(week_commencing=MON)
    ann = PersonFactory(first_name="Ann", last_name="Okafor", date_of_birth=date(1988, 5, 1))
    _walk_to_check(officer_client, home, ann)

    html = officer_client.get("/sign-up/check/").content.decode()
    reference = officer_client.session["sign_up"]["payment_reference"]
    assert payment_reference_problem(reference) is None and reference in html
    assert "Ann Okafor (lead tenant)" in html and "Bob Okafor – new record" in html
    assert "£60.00 for Thursday 5 November to Sunday 8 November 2026 (4 of 7 days of £105.00 a week)" in html
    assert "charged as soon as you confirm" in html
    assert "Total: £105.00 a week" in html
    assert not Tenancy.objects.filter(payment_reference=reference).exists()  # nothing saved yet
    assert not Person.objects.filter(first_name="Bob").exists()
    assert officer_client.get("/sign-up/check/").content.decode().count(reference) >= 1  # the same one again

    response = officer_client.post("/sign-up/confirm/")
    assert response.url == f"/sign-up/done/{reference}/"
    tenancy = Tenancy.objects.get(payment_reference=reference)
    assert [p.full_name for p in tenancy.named_tenants()] == ["Ann Okafor", "Bob Okafor"]
    bob = Person.objects.get(first_name="Bob")
    assert bob.date_of_birth == date(1990, 3, 27) and bob.history.first().history_user == officer
    assert Account.objects.get(tenancy=tenancy).balance == D("60.00")
    assert tenancy.direct_debit_mandates.get().reference == "DDM-77"
    assert tenancy.benefit_claims.get().benefit == "uc"
    event = TenancyEvent.objects.get(tenancy=tenancy, kind=TenancyEventKind.SIGN_UP)
    assert event.recorded_by == officer

    done = officer_client.get(response.url)
    html = done.content.decode()
    assert "Tenancy signed up" in html and reference in html
    assert f"Tenancy {reference} signed up at 12 Mill Lane" in html  # the success banner
    assert "£60.00 for Thursday 5 November to Sunday 8 November 2026 (4 of 7 days, worked out by day)" in html
    letters = Document.objects.filter(reference=reference).order_by("id")
    assert [d.recipient_name for d in letters] == ["Ann Okafor", "Bob Okafor"]
    for letter in letters:
        assert f"/documents/{letter.pk}/" in html
    assert f"/tenancies/{reference}/account/" in html
    assert officer_client.session["sign_up"] == {}
    # The letters show on the tenancy page (its documents panel).
    page = officer_client.get(f"/tenancies/{reference}/").content.decode()
    assert page.count("Welcome to your new home") >= 2


def test_a_home_with_a_current_tenancy_is_refused_with_a_link_to_it(officer_client, home):
    TenancyFactory(property=home, payment_reference="RW700001")
    officer_client.post("/sign-up/", {"action": "new"})
    html = officer_client.get("/sign-up/home/", {"q": "Mill Lane"}).content.decode()
    assert "Has a current tenancy" in html and "/tenancies/RW700001/" in html
    assert f'value="{home.pk}"' not in html  # no Choose button
    response = officer_client.post("/sign-up/home/", {"property": home.pk, "q": "Mill Lane"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "has a current tenancy, RW700001. End it before signing up a new one" in html
    assert "View tenancy RW700001" in html


def test_a_home_whose_tenancy_is_ending_can_be_chosen_but_the_start_must_follow_it(officer_client, home):
    TenancyFactory(property=home, payment_reference="RW700002", end_date=timezone.localdate() + timedelta(days=10))
    officer_client.post("/sign-up/", {"action": "new"})
    assert officer_client.post("/sign-up/home/", {"property": home.pk}).status_code == 302
    officer_client.post("/sign-up/tenure/", {"tenure_type": "ASSURED"})
    response = officer_client.post("/sign-up/start-date/", dmy(timezone.localdate() + timedelta(5), "start_date"))
    assert response.status_code == 400
    assert "The home&#x27;s tenancy RW700002 runs until" in response.content.decode()
    later = timezone.localdate() + timedelta(days=11)
    assert officer_client.post("/sign-up/start-date/", dmy(later, "start_date")).url == "/sign-up/tenants/"


def test_a_licence_asks_its_basis_and_a_start_too_far_ahead_is_refused(officer_client, home, settings):
    settings.SIGN_UP_MAX_DAYS_AHEAD = 30
    officer_client.post("/sign-up/", {"action": "new"})
    officer_client.post("/sign-up/home/", {"property": home.pk})
    assert officer_client.post("/sign-up/tenure/", {"tenure_type": "LICENCE"}).url == "/sign-up/licence-basis/"
    response = officer_client.post("/sign-up/licence-basis/", {})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose why this is a licence and not a tenancy" in html and "govuk-error-summary" in html
    officer_client.post("/sign-up/licence-basis/", {"licence_basis": "hostel"})
    too_far = timezone.localdate() + timedelta(days=31)
    response = officer_client.post("/sign-up/start-date/", dmy(too_far, "start_date"))
    assert "(30 days from today)" in response.content.decode()
    # Changing to a tenancy drops the basis; the licence-basis page no longer applies.
    officer_client.post("/sign-up/tenure/", {"tenure_type": "SECURE"})
    assert "licence_basis" not in officer_client.session["sign_up"]


def test_pages_ahead_of_the_answers_send_you_back_and_continue_needs_a_tenant(officer_client, home):
    officer_client.post("/sign-up/", {"action": "new"})
    assert officer_client.get("/sign-up/charges/").url == "/sign-up/home/"
    assert officer_client.get("/sign-up/check/").url == "/sign-up/home/"
    officer_client.post("/sign-up/home/", {"property": home.pk})
    officer_client.post("/sign-up/tenure/", {"tenure_type": "ASSURED"})
    officer_client.post("/sign-up/start-date/", dmy(THU, "start_date"))
    response = officer_client.post("/sign-up/tenants/", {})
    assert response.status_code == 400 and "Add at least one named tenant" in response.content.decode()


def test_changing_an_answer_returns_to_the_check_page_and_refigures_the_charges(officer_client, home):
    _walk_to_check(officer_client, home, PersonFactory(first_name="Ann", last_name="Okafor"))
    officer_client.get("/sign-up/check/")
    reference = officer_client.session["sign_up"]["payment_reference"]
    # A monthly rent: the charges page is asked again (in monthly amounts), then back to the check page.
    response = officer_client.post("/sign-up/rent-period/?change=1", {"rent_period": "monthly"})
    assert response.url == "/sign-up/charges/?change=1"
    assert 'value="433.33"' in officer_client.get("/sign-up/charges/?change=1").content.decode()
    response = officer_client.post("/sign-up/charges/?change=1", {"rent": "433.33", "eligible_service": "21.67"})
    assert response.url == "/sign-up/check/"
    html = officer_client.get("/sign-up/check/").content.decode()
    assert "Total: £455.00 a month" in html
    assert officer_client.session["sign_up"]["payment_reference"] == reference  # the reference shown stays the same
    # No charge at all is refused.
    response = officer_client.post("/sign-up/charges/?change=1", {"rent": "", "eligible_service": "0"})
    assert "Enter at least one charge above £0.00, usually the rent" in response.content.decode()


def test_a_refusal_at_confirm_saves_nothing_not_even_the_new_person(officer_client, home):
    _walk_to_check(officer_client, home, PersonFactory(first_name="Ann", last_name="Okafor"))
    officer_client.get("/sign-up/check/")
    TenancyFactory(property=home, payment_reference="RW700003")  # someone else let the home meanwhile
    response = officer_client.post("/sign-up/confirm/")
    assert response.status_code == 400
    html = response.content.decode()
    assert "The tenancy could not be signed up" in html and "RW700003" in html
    assert not Person.objects.filter(first_name="Bob").exists()
    assert Tenancy.objects.filter(property=home).count() == 1


def test_only_people_who_may_sign_up_see_the_button_and_the_pages(client, officer_client):
    assert "Sign up a new tenancy" in officer_client.get("/tenancies/").content.decode()
    client.force_login(user_with_role(Role.SUPPORT_WORKER))
    assert "Sign up a new tenancy" not in client.get("/tenancies/").content.decode()
    for url in ("/sign-up/", "/sign-up/home/", "/sign-up/check/", "/sign-up/tenants/find/"):
        assert client.get(url).status_code == 403
    assert client.post("/sign-up/confirm/").status_code == 403


# ---- a payment reference with a wrong check digit is refused wherever one is typed -----------------------------------


def test_the_tenancy_search_says_the_check_digit_is_wrong(officer_client):
    html = officer_client.get("/tenancies/", {"q": "rw1234 5670"}).content.decode()
    assert BAD_MESSAGE in html and "govuk-error-summary" in html
    assert "No tenancy matches" not in html


def test_suspense_allocation_refuses_a_wrong_check_digit(officer_client):
    from rentaccounts.imports.services import import_batch_create, import_batch_process

    TenancyFactory(payment_reference="RW12345674")
    content = b"payment_reference,date,amount,transaction_id\nRW99999990,01/11/2026,10.00,T1\n"
    batch = import_batch_create(file_name="p.csv", content=content, format="generic-csv", uploaded_by=None)
    import_batch_process(batch_id=batch.pk)
    item = SuspenseItem.objects.get(batch=batch)
    response = officer_client.post(f"/payments/suspense/{item.pk}/allocate/", {"payment_reference": BAD})
    assert BAD_MESSAGE in response.content.decode()
    item.refresh_from_db()
    assert item.status == "open"


def test_the_payment_import_holds_a_wrong_check_digit_in_suspense_with_the_reason():
    from rentaccounts.imports.services import import_batch_create, import_batch_process

    TenancyFactory(payment_reference="RW12345674")
    content = (
        b"payment_reference,date,amount,transaction_id\n"
        b"RW12345674,01/11/2026,10.00,T1\n"
        b"rw12345670,01/11/2026,20.00,T2\n"
        b"RW000001,01/11/2026,30.00,T3\n"
    )
    batch = import_batch_create(file_name="p.csv", content=content, format="generic-csv", uploaded_by=None)
    batch = import_batch_process(batch_id=batch.pk)
    assert batch.rows_posted == 1
    reasons = dict(SuspenseItem.objects.filter(batch=batch).values_list("payment_reference", "reason"))
    assert reasons["RW12345670"] == BAD_MESSAGE.replace("&#x27;", "'")
    assert reasons["RW000001"] == "No tenancy has the payment reference 'RW000001'."  # another shape: just unmatched


def test_adjustment_and_transfer_requests_refuse_a_wrong_check_digit(officer_client):
    TenancyFactory(payment_reference="RW12345674")
    response = officer_client.post(
        "/approvals/new/",
        {"payment_reference": BAD, "account_kind": "rent", "kind": "adjustment", "amount": "5.00", "reason": "x"},
    )
    assert BAD_MESSAGE in response.content.decode()
    response = officer_client.post(
        "/approvals/new/",
        {
            "payment_reference": "RW12345674",
            "account_kind": "rent",
            "kind": "transfer",
            "amount": "5.00",
            "to_payment_reference": BAD,
            "to_account_kind": "rent",
            "reason": "x",
        },
    )
    html = response.content.decode()
    assert BAD_MESSAGE in html and "Enter the payment reference to transfer to" not in html


def test_direct_debit_set_up_refuses_a_wrong_check_digit(officer_client):
    response = officer_client.post(
        "/payments/direct-debits/",
        {
            "set_up": "1",
            "payment_reference": BAD,
            "reference": "DDM-1",
            "collection_day": "1",
            **dmy(date(2026, 12, 1), "start_date"),
        },
    )
    assert BAD_MESSAGE in response.content.decode()


def test_notice_planning_refuses_a_wrong_check_digit(officer_client):
    html = officer_client.get(
        "/legal/", {"payment_reference": BAD, **dmy(date(2026, 12, 1), "served_on"), "method": "hand"}
    ).content.decode()
    assert BAD_MESSAGE in html


def test_the_letter_preview_refuses_a_wrong_check_digit(client):
    from documents.services import templates_install_shipped

    templates_install_shipped()
    client.force_login(user_with_role(Role.INCOME_MANAGER))
    response = client.post(
        "/documents/templates/reminder_1/",
        {"subject": "About your rent", "body": "Dear {{ tenant_name }}", "case_reference": BAD, "preview": "1"},
    )
    assert BAD_MESSAGE in response.content.decode()


def test_the_commands_refuse_a_wrong_check_digit():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="RW12345670 is not a valid payment reference"):
        call_command("account_statement", BAD, "--from", "2026-01-01", "--to", "2026-02-01")
    with pytest.raises(CommandError, match="RW12345670 is not a valid payment reference"):
        call_command("notice_plan", "--tenancy", BAD, "--served-on", "2026-12-01")


def test_the_lead_can_be_anyone_and_a_tenant_can_be_removed(officer_client, home):
    ann, bob, cy = (PersonFactory(first_name=name, last_name="Okafor") for name in ("Ann", "Bob", "Cy"))
    officer_client.post("/sign-up/", {"action": "new"})
    officer_client.post("/sign-up/home/", {"property": home.pk})
    officer_client.post("/sign-up/tenure/", {"tenure_type": "ASSURED"})
    officer_client.post("/sign-up/start-date/", dmy(THU, "start_date"))
    for person in (ann, bob, cy):
        officer_client.post("/sign-up/tenants/find/", {"person": person.pk})
    officer_client.post("/sign-up/tenants/find/", {"person": ann.pk})  # twice: still named once
    assert [entry["id"] for entry in officer_client.session["sign_up"]["tenants"]] == [ann.pk, bob.pk, cy.pk]
    officer_client.post("/sign-up/tenants/", {"remove": "2"})
    response = officer_client.post("/sign-up/tenants/", {})
    assert response.status_code == 400 and "Choose the lead tenant" in response.content.decode()
    assert officer_client.post("/sign-up/tenants/", {"lead": "1"}).url == "/sign-up/rent-period/"
    assert [entry["id"] for entry in officer_client.session["sign_up"]["tenants"]] == [bob.pk, ann.pk]
