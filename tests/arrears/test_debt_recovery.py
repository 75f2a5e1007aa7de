"""Recovering a former tenant's debt: a trace result moves the address and the ladder; a debt is referred to a debt
collection agency once, never while a Breathing Space holds it; the export file sends each referral once; the agency's
return file posts each collection once, reports bad rows and closes referrals; the money claim pack has the amount and
the 30 days."""

import csv
import io
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from arrears.constants import BreathingSpaceKind, ContactKind, Ladder, ReferralStatus
from arrears.models import ArrearsCase, Contact, DebtAgencyExport, DebtAgencyReferral, DebtAgencyReturn
from arrears.next_step import next_step
from arrears.services import breathing_space_record
from arrears.services.agency_files import agency_export_make, agency_return_import, referral_reference
from arrears.services.money_claim import money_claim_pack_make
from arrears.services.recovery import agency_referral_make, trace_record
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.models import Transaction
from rentaccounts.selectors import balance_differences
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tenancies.constants import PaymentMethod, TenancyStatus
from tests.factories import PersonFactory, TenancyFactory, user_with_role

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 30)
AGENCY = "Northway Collections"


@pytest.fixture(autouse=True)
def today(settings, tmp_path):
    settings.DEBT_AGENCIES = [AGENCY, "Second Agency Ltd"]
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(date(2026, 11, 30), tick=False):
        yield


@pytest.fixture
def manager():
    return user_with_role(Role.INCOME_MANAGER, first_name="Mina", last_name="Manager")


def former_case(reference="RW900001", owed="640.00", **people) -> ArrearsCase:
    """An ended tenancy owing `owed`, on the former tenants' ladder."""
    tenancy = TenancyFactory(
        payment_reference=reference,
        start_date=date(2023, 4, 3),
        end_date=date(2026, 6, 28),
        status=TenancyStatus.FORMER,
        forwarding_address="c/o 4 Mill Lane\nLeeds\nLS1 4AB",
        **people,
    )
    account = account_get_or_create(tenancy=tenancy)
    transactions_post(
        postings=[
            Posting(account.pk, TransactionType.RENT_DEBIT, Decimal(owed), date(2026, 6, 22), f"{reference}:rent"),
        ]
    )
    return ArrearsCase.objects.create(account=account, ladder=Ladder.FORMER, opened_on=date(2026, 7, 1))


def referred_and_sent(case, officer, manager) -> DebtAgencyReferral:
    referral = agency_referral_make(case=case, referred_by=officer, agency=AGENCY)
    agency_export_make(agency=AGENCY, made_by=manager)
    referral.refresh_from_db()
    return referral


def return_file(*rows) -> bytes:
    handle = io.StringIO()
    writer = csv.writer(handle)
    writer.writerow(["our_reference", "agency_reference", "amount_collected", "collected_on", "status", "note"])
    writer.writerows(rows)
    return handle.getvalue().encode()


# ---- tracing ---------------------------------------------------------------------------------------------------------


def test_a_trace_that_finds_the_tenant_moves_their_address_and_the_ladder(officer):
    case = former_case()
    tenant = case.account.tenancy.named_tenants()[0]

    result = trace_record(
        case=case,
        found=True,
        person=tenant,
        new_address="12 New Street\nYork\nYO1 7HH",
        traced_on=TODAY,
        how="Trace report 5531",
        recorded_by=officer,
    )

    tenant.refresh_from_db()
    assert tenant.correspondence_address == "12 New Street\nYork\nYO1 7HH"
    assert tenant.postal_lines(None) == ["12 New Street", "York", "YO1 7HH"]
    assert result.address_updated
    note = Contact.objects.get(case=case)
    assert (note.code, note.kind, note.person) == ("trace_found", ContactKind.NOTE, tenant)
    assert "12 New Street, York, YO1 7HH" in note.notes and "Trace report 5531" in note.notes


def test_a_trace_that_finds_nobody_is_noted_for_the_ladder(officer):
    case = former_case()

    trace_record(case=case, found=False, traced_on=TODAY, recorded_by=officer)

    note = Contact.objects.get(case=case)
    assert note.code == "trace_not_found"
    assert note.notes == "Trace found no new address."
    assert case.account.tenancy.named_tenants()[0].correspondence_address == ""


def test_a_trace_found_needs_the_tenant_and_the_address(officer):
    case = former_case()
    with pytest.raises(ValidationError, match="address the tenant was traced to"):
        trace_record(
            case=case, found=True, person=case.account.tenancy.named_tenants()[0], traced_on=TODAY, recorded_by=officer
        )
    assert not Contact.objects.exists()


# ---- referral --------------------------------------------------------------------------------------------------------


def test_a_debt_is_referred_once_for_what_can_be_recovered(officer):
    case = former_case(owed="640.00")

    referral = agency_referral_make(case=case, referred_by=officer, agency=AGENCY)

    assert (referral.amount_referred, referral.status, referral.agency) == (
        Decimal("640.00"),
        ReferralStatus.REFERRED,
        AGENCY,
    )
    assert Contact.objects.get(case=case).code == "referred_to_agency"
    with pytest.raises(ValidationError, match="cannot be referred twice"):
        agency_referral_make(case=case, referred_by=officer, agency="Second Agency Ltd")
    assert DebtAgencyReferral.objects.count() == 1


def test_no_referral_while_a_breathing_space_holds_the_debt(officer, law):
    case = former_case()
    breathing_space_record(
        tenancy=case.account.tenancy,
        kind=BreathingSpaceKind.STANDARD,
        starts_on=TODAY - timedelta(days=3),
        recorded_by=officer,
    )

    with pytest.raises(ValidationError, match="Breathing Space"):
        agency_referral_make(case=case, referred_by=officer, agency=AGENCY)
    assert not DebtAgencyReferral.objects.exists()
    assert not Contact.objects.filter(code="referred_to_agency").exists()


def test_the_case_page_button_opens_each_recovery_form():
    for action, form in [
        ("trace_former_tenant", "trace"),
        ("refer_to_agency", "agency"),
        ("prepare_money_claim", "money_claim"),
    ]:
        step = next_step(SimpleNamespace(mode="manual", label="Refer", letter="", action=action))
        assert (step.kind, step.form) == ("form", form)


# ---- export file -----------------------------------------------------------------------------------------------------


def test_the_export_file_lists_each_referral_once(officer, manager):
    lead = PersonFactory(first_name="Ada", last_name="Okafor", date_of_birth=date(1980, 2, 14))
    case = former_case(lead_tenant=lead)
    lead.correspondence_address = "12 New Street\nYork"
    lead.save()
    other = former_case(reference="RW900002", owed="75.50")
    first = agency_referral_make(case=case, referred_by=officer, agency=AGENCY)
    agency_referral_make(case=other, referred_by=officer, agency=AGENCY)

    export = agency_export_make(agency=AGENCY, made_by=manager)

    rows = list(csv.DictReader(io.StringIO(bytes(export.content).decode())))
    assert [row["our_reference"] for row in rows] == [f"RW900001-{first.pk}", f"RW900002-{first.pk + 1}"]
    row = rows[0]
    assert row["debtor_1_name"] == "Ada Okafor"
    assert row["debtor_1_date_of_birth"] == "1980-02-14"
    assert row["amount_referred"] == "640.00"
    assert row["tenancy_end_date"] == "2026-06-28"
    assert row["debt_kind"] == "Former tenants' arrears"
    assert row["forwarding_address"] == "12 New Street, York"
    assert row["last_known_address"] == case.account.tenancy.property.one_line_address
    assert set(DebtAgencyReferral.objects.values_list("status", flat=True)) == {ReferralStatus.SENT}
    with pytest.raises(ValidationError, match="nothing to export"):
        agency_export_make(agency=AGENCY, made_by=manager)
    assert DebtAgencyExport.objects.count() == 1


def test_a_name_that_looks_like_a_formula_is_written_as_text(officer, manager):
    case = former_case(lead_tenant=PersonFactory(first_name="=HYPERLINK(1)", last_name="X"))
    agency_referral_make(case=case, referred_by=officer, agency=AGENCY)
    content = bytes(agency_export_make(agency=AGENCY, made_by=manager).content).decode()
    assert "'=HYPERLINK(1) X" in content


def test_only_a_manager_makes_the_export_file(officer):
    agency_referral_make(case=former_case(), referred_by=officer, agency=AGENCY)
    with pytest.raises(Exception, match="permission"):
        agency_export_make(agency=AGENCY, made_by=officer)


# ---- return file -----------------------------------------------------------------------------------------------------


def test_a_return_file_posts_each_collection_once_and_closes_what_the_agency_returned(officer, manager):
    paid_case, part_case = former_case(owed="640.00"), former_case(reference="RW900002", owed="300.00")
    paid, part = referred_and_sent(paid_case, officer, manager), referred_and_sent(part_case, officer, manager)
    content = return_file(
        [referral_reference(paid), "NW-1", "640.00", "2026-11-20", "paid", ""],
        [referral_reference(part), "NW-2", "40.00", "25/11/2026", "collecting", ""],
        ["RW999999-999", "NW-3", "10.00", "2026-11-20", "collecting", ""],
        [referral_reference(part), "NW-2", "ten pounds", "2026-11-20", "collecting", ""],
    )

    imported = agency_return_import(agency=AGENCY, file_name="return.csv", content=content, imported_by=manager)

    assert (imported.rows_read, imported.rows_posted, imported.total_collected) == (4, 2, Decimal("680.00"))
    payments = Transaction.objects.filter(payment_method=PaymentMethod.DEBT_AGENCY).order_by("amount")
    assert [(t.account_id, t.amount, t.transaction_type) for t in payments] == [
        (paid_case.account_id, Decimal("-640.00"), TransactionType.PAYMENT),
        (part_case.account_id, Decimal("-40.00"), TransactionType.PAYMENT),
    ]
    paid_case.account.refresh_from_db()
    part_case.account.refresh_from_db()
    assert (paid_case.account.balance, part_case.account.balance) == (Decimal("0.00"), Decimal("260.00"))
    assert balance_differences() == []
    paid.refresh_from_db()
    part.refresh_from_db()
    assert (paid.status, paid.closed_on, paid.collected) == (ReferralStatus.PAID, date(2026, 11, 20), Decimal("640"))
    assert (part.status, part.collected) == (ReferralStatus.SENT, Decimal("40.00"))
    assert Contact.objects.get(case=paid_case, code="agency_returned").notes.startswith(f"{AGENCY} paid in full")
    problems = imported.report["problems"]
    assert [p["row"] for p in problems] == [4, 5]
    assert "is not a debt we referred" in problems[0]["problem"]
    assert "not an amount of money" in problems[1]["problem"]

    with pytest.raises(ValidationError, match="already imported"):
        agency_return_import(agency=AGENCY, file_name="again.csv", content=content, imported_by=manager)
    again = agency_return_import(
        agency=AGENCY,
        file_name="next.csv",
        content=return_file(
            [referral_reference(part), "NW-2", "40.00", "2026-11-25", "collecting", "repeated"],
            [referral_reference(part), "NW-2", "260.00", "2026-11-28", "returned", "Debtor abroad"],
        ),
        imported_by=manager,
    )
    assert (again.rows_posted, again.total_collected, again.report["already_posted"]) == (1, Decimal("260.00"), [2])
    part.refresh_from_db()
    part_case.account.refresh_from_db()
    assert part_case.account.balance == Decimal("0.00")
    assert (part.status, part.collected, part.closed_reason) == (
        ReferralStatus.RETURNED,
        Decimal("300.00"),
        f"{AGENCY}: returned uncollected (Debtor abroad)",
    )
    assert Transaction.objects.filter(payment_method=PaymentMethod.DEBT_AGENCY).count() == 3
    assert balance_differences() == []


def test_a_return_file_without_the_columns_is_refused_and_kept_nowhere(manager):
    with pytest.raises(ValidationError, match="lacks agency_reference"):
        agency_return_import(
            agency=AGENCY, file_name="x.csv", content=b"our_reference,amount_collected\n", imported_by=manager
        )
    assert not DebtAgencyReturn.objects.exists()


def test_a_row_for_another_agency_posts_nothing(officer, manager):
    referral = referred_and_sent(former_case(), officer, manager)
    imported = agency_return_import(
        agency="Second Agency Ltd",
        file_name="r.csv",
        content=return_file([referral_reference(referral), "S-1", "50.00", "2026-11-20", "collecting", ""]),
        imported_by=manager,
    )
    assert imported.rows_posted == 0
    assert f"was referred to {AGENCY}" in imported.report["problems"][0]["problem"]


# ---- money claim pack ------------------------------------------------------------------------------------------------


def test_the_money_claim_pack_has_the_amount_and_the_thirty_days(officer):
    case = former_case(owed="1234.56")

    document = money_claim_pack_make(case=case, made_by=officer)

    text = subprocess.run(
        ["pdftotext", "-layout", document.pdf.path, "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "£1,234.56" in text
    assert "30 days" in text
    assert "Pre-Action Protocol for Debt Claims" in text
    assert "Reply Form" in text and "Information Sheet" in text
    assert "National Debtline" in text
    assert "No interest or other charges" in text
    assert "Money Claim Online works out the fee" in text
    assert "£___" not in text and "[fee]" not in text.lower()
    assert "30 December 2026" in text  # the reply date: 30 days from 30 November
    note = Contact.objects.get(case=case, code="money_claim_pack")
    assert f"Document {document.pk}" in note.notes


def test_no_money_claim_pack_while_a_breathing_space_holds_the_debt(officer, law):
    case = former_case()
    breathing_space_record(
        tenancy=case.account.tenancy, kind=BreathingSpaceKind.STANDARD, starts_on=TODAY, recorded_by=officer
    )
    with pytest.raises(ValidationError, match="Breathing Space"):
        money_claim_pack_make(case=case, made_by=officer)


# ---- pages -----------------------------------------------------------------------------------------------------------


def test_officer_refers_from_the_case_page_and_manager_imports_the_return(client, officer, manager):
    case = former_case()
    client.force_login(officer)
    page = client.get(f"/worklist/cases/{case.pk}/?open=agency").content.decode()
    assert 'id="agency-action" open' in page

    response = client.post(f"/worklist/cases/{case.pk}/debt-agency/", {"agency": AGENCY}, follow=True)
    assert "Referred £640.00 to Northway Collections" in response.content.decode()
    assert client.get("/worklist/debt-agency/").status_code == 403

    client.force_login(manager)
    listing = client.get("/worklist/debt-agency/").content.decode()
    assert "Waiting to be sent: 1, £640.00 in all" in listing
    made = client.post("/worklist/debt-agency/export/", {"agency": AGENCY}, follow=True).content.decode()
    assert "1 referral marked sent" in made
    export = DebtAgencyExport.objects.get()
    download = client.get(f"/worklist/debt-agency/exports/{export.pk}/")
    assert download["Content-Disposition"].startswith('attachment; filename="referrals-northway-collections-')
    referral = DebtAgencyReferral.objects.get()
    upload = SimpleUploadedFile(
        "return.csv", return_file([referral_reference(referral), "NW-9", "100.00", "2026-11-29", "collecting", ""])
    )
    result = client.post("/worklist/debt-agency/returns/", {"agency": AGENCY, "return_file": upload}, follow=True)
    html = result.content.decode()
    assert "Return file imported: 1 payment posted, £100.00 in all." in html
    assert "Payments posted" in html and referral_reference(referral) in html


def test_officer_records_a_trace_and_makes_the_pack_from_the_case_page(client, officer):
    case = former_case()
    tenant = case.account.tenancy.named_tenants()[0]
    client.force_login(officer)
    dated = {"traced_on_0": 30, "traced_on_1": 11, "traced_on_2": 2026}

    refused = client.post(f"/worklist/cases/{case.pk}/trace/", {"found": "yes", **dated})
    assert refused.status_code == 400
    assert "Choose which named tenant was traced" in refused.content.decode()

    done = client.post(
        f"/worklist/cases/{case.pk}/trace/",
        {"found": "yes", "traced_person": tenant.pk, "new_address": "3 Quay Road\nHull", **dated},
        follow=True,
    ).content.decode()
    assert "Trace result recorded: the tenant&#x27;s correspondence address is updated" in done
    tenant.refresh_from_db()
    assert tenant.correspondence_address == "3 Quay Road\nHull"

    made = client.post(f"/worklist/cases/{case.pk}/money-claim/", {}, follow=True).content.decode()
    assert "Money claim pack made" in made and "Money claim pack, RW900001, 30 November 2026 (PDF)" in made


def test_a_sundry_debt_is_referred_and_collected_on_its_own_account(officer, manager):
    from rentaccounts.constants import AccountKind

    tenancy = TenancyFactory(payment_reference="RW900050")
    sundry = account_get_or_create(tenancy=tenancy, kind=AccountKind.RECHARGEABLE_REPAIRS)
    transactions_post(
        postings=[Posting(sundry.pk, TransactionType.RECHARGE, Decimal("185.00"), date(2026, 9, 1), "recharge:1")]
    )
    case = ArrearsCase.objects.create(account=sundry, ladder=Ladder.SUNDRY, opened_on=date(2026, 10, 1))
    referral = referred_and_sent(case, officer, manager)
    assert referral.amount_referred == Decimal("185.00")
    pack = money_claim_pack_make(case=case, made_by=officer)
    text = subprocess.run(["pdftotext", pack.pdf.path, "-"], capture_output=True, text=True, check=True).stdout
    assert "£185.00" in text and "rechargeable repairs and sundry debts" in text

    agency_return_import(
        agency=AGENCY,
        file_name="r.csv",
        content=return_file([referral_reference(referral), "NW-5", "185.00", "2026-11-29", "paid", ""]),
        imported_by=manager,
    )

    sundry.refresh_from_db()
    assert sundry.balance == Decimal("0.00")
    assert not Transaction.objects.filter(account__tenancy=tenancy, account__kind=AccountKind.RENT).exists()


def test_after_the_referral_is_closed_a_repeat_is_already_posted_and_new_money_is_questioned(officer, manager):
    referral = referred_and_sent(former_case(owed="640.00"), officer, manager)
    paid_row = [referral_reference(referral), "NW-1", "600.00", "2026-11-20", "paid", ""]
    agency_return_import(agency=AGENCY, file_name="1.csv", content=return_file(paid_row), imported_by=manager)

    later = agency_return_import(
        agency=AGENCY,
        file_name="2.csv",
        content=return_file(paid_row, [referral_reference(referral), "NW-1", "40.00", "2026-11-27", "paid", ""]),
        imported_by=manager,
    )

    assert (later.rows_posted, later.report["already_posted"]) == (0, [2])
    assert later.report["problems"] == [
        {
            "row": 3,
            "reference": referral_reference(referral),
            "problem": f"{referral_reference(referral)} was already closed (20 November 2026): ask the agency about "
            "this money.",
        }
    ]
    assert Transaction.objects.filter(payment_method=PaymentMethod.DEBT_AGENCY).count() == 1
    assert Contact.objects.filter(code="agency_returned").count() == 1
