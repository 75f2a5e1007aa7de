"""Signing up a new tenancy: what it makes, what it refuses, the first part period by day, a migrated tenancy's opening
balance (once), the letters (one per named tenant) and the benefit claim that makes the first weeks technical arrears.

Dates are fixed weeks in November 2026 (before the day these tests were written), each worked out by hand."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pypdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from documents.models import Document
from incomeapp.constants import Role
from lifecycle.signup import (
    first_period,
    first_period_after,
    opening_balance_key,
    sign_up_charges_default,
    tenancy_sign_up,
    weekly_to_period,
)
from rentaccounts.constants import AccountKind, MandateStatus, TransactionType
from rentaccounts.models import Account, DirectDebitMandate, Transaction
from rentaccounts.services import rent_debits_post
from tenancies.constants import (
    ChargeType,
    LicenceBasis,
    PaymentMethod,
    RentPeriod,
    TenancyEventKind,
    TenancyStatus,
    TenureType,
)
from tenancies.models import Charge, PropertyCharge, TenancyEvent
from tenancies.references import payment_reference_problem
from tenancies.specs import ChargeSpec
from tests.factories import PersonFactory, PropertyFactory, TenancyFactory, user_with_role

pytestmark = pytest.mark.django_db

D = Decimal
MON = date(2026, 11, 2)  # a Monday
THU = date(2026, 11, 5)
RENT = [ChargeSpec(ChargeType.RENT, D("100.00"))]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def officer(db):
    return user_with_role(Role.INCOME_OFFICER)


@pytest.fixture
def home(db):
    """A home offering rent of £100.00 and an eligible service charge of £5.00 a week."""
    home = PropertyFactory(address_line_1="12 Mill Lane", town="Bristol", postcode="BS3 4QT")
    PropertyCharge.objects.create(
        property=home, charge_type=ChargeType.RENT, amount=D("100.00"), effective_from=date(2026, 4, 6)
    )
    PropertyCharge.objects.create(
        property=home, charge_type=ChargeType.ELIGIBLE_SERVICE, amount=D("5.00"), effective_from=date(2026, 4, 6)
    )
    return home


def sign_up(by, home, **overrides):
    values = {
        "by": by,
        "property": home,
        "tenure_type": TenureType.ASSURED,
        "start_date": THU,
        "tenants": [PersonFactory()],
        "rent_period": RentPeriod.WEEKLY,
        "charges": RENT,
        "payment_method": PaymentMethod.BANK_TRANSFER,
    }
    return tenancy_sign_up(**{**values, **overrides})


def balance(tenancy) -> Decimal:
    return Account.objects.get(tenancy=tenancy, kind=AccountKind.RENT).balance


def pdf_text(document: Document) -> str:
    with document.pdf.open("rb") as pdf:
        return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.read())).pages)


def test_a_joint_tenancy_is_signed_up_with_the_homes_charges_and_a_letter_to_each_tenant(officer, home):
    rent_debits_post(week_commencing=MON)
    ann, bob = PersonFactory(first_name="Ann", last_name="Okafor"), PersonFactory(first_name="Bob", last_name="Okafor")
    charges = sign_up_charges_default(property=home, rent_period=RentPeriod.WEEKLY, on=THU)
    assert charges == [ChargeSpec("rent", D("100.00")), ChargeSpec("eligible_service", D("5.00"))]

    result = sign_up(officer, home, tenants=[ann, bob], charges=charges)

    tenancy = result.tenancy
    assert tenancy.status == TenancyStatus.CURRENT and tenancy.start_date == THU
    assert payment_reference_problem(tenancy.payment_reference) is None and len(tenancy.payment_reference) == 10
    assert [(row.person, row.is_lead) for row in tenancy.tenancy_tenants.order_by("-is_lead", "id")] == [
        (ann, True),
        (bob, False),
    ]
    assert sorted((c.charge_type, c.amount, c.effective_from) for c in Charge.objects.filter(tenancy=tenancy)) == [
        ("eligible_service", D("5.00"), THU),
        ("rent", D("100.00"), THU),
    ]
    # Thursday to Sunday: 4 of 7 days of each charge, posted now because the week was already run.
    assert sorted(t.amount for t in result.first_charges) == [D("2.86"), D("57.14")]
    assert balance(tenancy) == D("60.00")
    assert result.first_period.total == D("60.00")
    assert result.first_period.description == (
        "£60.00 for Thursday 5 November to Sunday 8 November 2026 (4 of 7 days of £105.00 a week)"
    )
    assert [letter.recipient_name for letter in result.letters] == [ann.full_name, bob.full_name]
    event = TenancyEvent.objects.get(tenancy=tenancy, kind=TenancyEventKind.SIGN_UP)
    assert event.recorded_by == officer
    assert event.detail["period_total"] == "105.00"
    assert [t["lead"] for t in event.detail["tenants"]] == [True, False]
    assert event.detail["letters"] == [letter.pk for letter in result.letters]
    assert tenancy.history.first().history_user == officer
    call_command("reconcile_balances")


def test_sign_up_on_a_thursday_after_the_run_posts_four_sevenths_of_the_week_and_the_run_adds_nothing(officer, home):
    rent_debits_post(week_commencing=MON)
    result = sign_up(officer, home)
    assert [(t.amount, t.period_start, t.period_end, t.effective_date) for t in result.first_charges] == [
        (D("57.14"), MON, MON + timedelta(days=6), THU)
    ]
    assert result.first_charges[0].transaction_type == TransactionType.RENT_DEBIT
    assert rent_debits_post(week_commencing=MON).posted_count == 0
    rent_debits_post(week_commencing=MON + timedelta(weeks=1))
    assert balance(result.tenancy) == D("157.14")
    call_command("reconcile_balances")


def test_before_the_run_nothing_is_posted_and_the_run_charges_the_part_week_by_day(officer, home):
    result = sign_up(officer, home)
    assert result.first_charges == [] and balance(result.tenancy) == D("0.00")
    assert result.first_period.total == D("57.14")  # shown on the check page and in the letter all the same
    rent_debits_post(week_commencing=MON)
    assert balance(result.tenancy) == D("57.14")


def test_a_monthly_tenancy_gets_the_homes_weekly_charges_as_monthly_and_a_part_month_by_day(officer, home):
    assert weekly_to_period(D("100.00"), RentPeriod.MONTHLY) == D("433.33")  # 100 × 52 ÷ 12
    assert weekly_to_period(D("100.00"), RentPeriod.FOUR_WEEKLY) == D("400.00")
    charges = sign_up_charges_default(property=home, rent_period=RentPeriod.MONTHLY, on=THU)
    assert [c.amount for c in charges] == [D("433.33"), D("21.67")]
    # From 20 November, the monthly period runs to 19 December: a whole first period, charged on the day.
    first = first_period(start_date=date(2026, 11, 20), rent_period=RentPeriod.MONTHLY, charges=charges)
    assert (first.period_start, first.period_end, first.total) == (date(2026, 11, 20), date(2026, 12, 19), D("455.00"))
    assert not first.is_part_period


def test_a_licence_must_record_its_basis(officer, home):
    with pytest.raises(ValidationError) as error:
        sign_up(officer, home, tenure_type=TenureType.LICENCE)
    assert error.value.messages == [
        "A licence must record why it is a licence and not a tenancy. Choose the licence basis."
    ]
    with pytest.raises(
        ValidationError,
        match=r"Leave it out for this tenure \(Assured tenancy\)",
    ):
        sign_up(officer, home, licence_basis=LicenceBasis.HOSTEL)
    tenancy = sign_up(officer, home, tenure_type=TenureType.LICENCE, licence_basis=LicenceBasis.HOSTEL).tenancy
    assert (tenancy.tenure_type, tenancy.licence_basis) == (TenureType.LICENCE, LicenceBasis.HOSTEL)


def test_a_home_with_a_current_tenancy_is_refused_with_the_reason(officer, home):
    current = TenancyFactory(property=home, payment_reference="RW700001", start_date=date(2025, 1, 6))
    with pytest.raises(ValidationError) as error:
        sign_up(officer, home)
    assert error.value.code == "occupied"
    assert "already has a tenancy on or after 5 November 2026: RW700001" in error.value.messages[0]
    assert "end that tenancy first" in error.value.messages[0]
    # Ending after the new start still blocks it; ending before the start frees the home.
    current.end_date, current.status = date(2026, 11, 10), TenancyStatus.FORMER
    current.save()
    with pytest.raises(ValidationError, match="until 10 November 2026"):
        sign_up(officer, home)
    current.end_date = date(2026, 11, 4)
    current.save()
    assert sign_up(officer, home).tenancy.property == home


def test_a_retired_home_too_late_a_start_and_no_tenant_are_refused_together(officer, home, settings):
    settings.SIGN_UP_MAX_DAYS_AHEAD = 10
    home.retired_on = date(2026, 10, 1)
    home.save()
    too_late = timezone.localdate() + timedelta(days=11)
    with pytest.raises(ValidationError) as error:
        sign_up(officer, home, start_date=too_late, tenants=[], charges=[])
    messages = error.value.messages
    assert messages[0].endswith("was retired on 1 October 2026, so it cannot be let.")
    assert messages[1].startswith("The start date can be at most 10 days from today")
    assert "Add at least one named tenant." in messages
    assert "Enter at least one charge above £0.00, usually the rent." in messages


def test_a_merged_person_or_the_same_person_twice_is_refused(officer, home):
    kept = PersonFactory(first_name="Cara", last_name="Lee")
    duplicate = PersonFactory(first_name="Cara", last_name="Lee", merged_into=kept)
    with pytest.raises(ValidationError, match=r"merged into another record \(Cara Lee\). Name that one."):
        sign_up(officer, home, tenants=[duplicate])
    with pytest.raises(ValidationError, match="Cara Lee is named twice"):
        sign_up(officer, home, tenants=[kept, kept])


def test_the_opening_balance_is_posted_once_and_only_later_periods_are_charged(officer, home):
    for week in (MON, MON + timedelta(weeks=1), MON + timedelta(weeks=2)):
        rent_debits_post(week_commencing=week)
    common = {
        "start_date": date(2019, 6, 3),
        "opening_balance": D("250.00"),
        "opening_balance_date": date(2026, 11, 11),  # a Wednesday: the week of 9 November is in the balance
        "source_reference": "HMS-T-1001",
        "send_letters": False,
    }
    result = sign_up(officer, home, **common)
    tenancy = result.tenancy
    assert result.opening_balance.idempotency_key == opening_balance_key(tenancy)
    assert result.opening_balance.effective_date == date(2026, 11, 11)
    assert result.opening_balance.transaction_type == TransactionType.ADJUSTMENT
    assert Charge.objects.get(tenancy=tenancy).effective_from == date(2026, 11, 16)
    assert [(t.period_start, t.amount) for t in result.first_charges] == [(date(2026, 11, 16), D("100.00"))]
    assert balance(tenancy) == D("350.00")

    again = sign_up(officer, home, **common)
    assert again.already_signed_up and again.tenancy == tenancy and again.opening_balance == result.opening_balance
    assert Transaction.objects.filter(idempotency_key=opening_balance_key(tenancy)).count() == 1
    assert balance(tenancy) == D("350.00")
    # The rent run, again and onwards, charges nothing the balance covers.
    assert rent_debits_post(week_commencing=MON + timedelta(weeks=1)).posted_count == 0
    rent_debits_post(week_commencing=MON + timedelta(weeks=3))
    assert balance(tenancy) == D("450.00")
    call_command("reconcile_balances")

    with pytest.raises(ValidationError, match="already signed up as"):
        sign_up(officer, home, **{**common, "start_date": date(2019, 6, 10)})


def test_an_opening_balance_needs_its_date_on_or_after_the_start_and_not_ahead(officer, home):
    with pytest.raises(ValidationError, match="Give the date of the opening balance"):
        sign_up(officer, home, opening_balance=D("10.00"))
    with pytest.raises(ValidationError, match="is before the tenancy starts"):
        sign_up(officer, home, opening_balance=D("10.00"), opening_balance_date=date(2026, 11, 1))
    with pytest.raises(ValidationError, match="is in the future"):
        sign_up(officer, home, opening_balance=D("10.00"), opening_balance_date=timezone.localdate() + timedelta(1))


def test_first_period_after_counts_periods_from_the_start(officer):
    assert first_period_after(start_date=date(2019, 6, 3), rent_period="weekly", day=date(2026, 11, 11)) == date(
        2026, 11, 16
    )
    assert first_period_after(start_date=date(2019, 6, 3), rent_period="weekly", day=date(2026, 11, 15)) == date(
        2026, 11, 16
    )
    # Fortnightly from Monday 3 June 2019: periods start every other Monday, 9 and 23 November 2026.
    assert first_period_after(start_date=date(2019, 6, 3), rent_period="fortnightly", day=date(2026, 11, 11)) == date(
        2026, 11, 23
    )
    assert first_period_after(start_date=date(2019, 6, 15), rent_period="monthly", day=date(2026, 11, 15)) == date(
        2026, 12, 15
    )


def test_one_letter_per_named_tenant_with_the_rent_breakdown_and_first_payment(officer, home):
    rent_debits_post(week_commencing=MON)
    ann = PersonFactory(first_name="Ann", last_name="Okafor")
    bob = PersonFactory(first_name="Bob", last_name="Okafor", correspondence_address="Flat 2\n9 High Street\nBath")
    charges = sign_up_charges_default(property=home, rent_period=RentPeriod.WEEKLY, on=THU)
    result = sign_up(officer, home, tenants=[ann, bob], charges=charges)
    reference = result.tenancy.payment_reference
    assert len(result.letters) == 2
    assert {d.subject_key for d in result.letters} == {
        f"sign-up:{result.tenancy.pk}:person:{ann.pk}",
        f"sign-up:{result.tenancy.pk}:person:{bob.pk}",
    }
    assert all(d.reference == reference and d.template_version.template.key == "sign_up_letter" for d in result.letters)
    assert all(d.made_by_run == "Sign-up letters" and d.delivery_state == "to_print" for d in result.letters)
    text = " ".join(pdf_text(result.letters[0]).split())
    assert "Dear Ann Okafor" in text
    assert f"Your payment reference is {reference}" in text
    assert "Rent: £100.00 a week" in text
    assert "Service charge (eligible for benefit): £5.00 a week" in text
    assert "Total: £105.00 a week" in text
    assert "£60.00 for Thursday 5 November to Sunday 8 November 2026" in text
    assert "After that £105.00 a week, due every Monday." in text
    assert "9 High Street" in " ".join(pdf_text(result.letters[1]).split())  # Bob's own address
    assert sign_up(officer, PropertyFactory(), send_letters=False).letters == []


def test_a_direct_debit_mandate_is_set_up_and_named_in_the_letter(officer, home):
    result = sign_up(
        officer,
        home,
        payment_method=PaymentMethod.DIRECT_DEBIT,
        mandate={"reference": "ddm-5501", "collection_day": 1, "start_date": date(2026, 12, 1)},
    )
    mandate = DirectDebitMandate.objects.get(tenancy=result.tenancy)
    assert (mandate.reference, mandate.collection_day, mandate.status) == ("DDM-5501", 1, MandateStatus.ACTIVE)
    assert "By direct debit: we will collect your rent on the 1st of each month" in " ".join(
        pdf_text(result.letters[0]).split()
    )
    with pytest.raises(ValidationError, match="not paying by direct debit"):
        sign_up(
            officer,
            PropertyFactory(),
            mandate={"reference": "DDM-9", "collection_day": 1, "start_date": date(2026, 12, 1)},
        )


def test_a_given_payment_reference_is_checked_and_must_be_free(officer, home):
    with pytest.raises(ValidationError, match="RW12345670 is not a valid payment reference"):
        sign_up(officer, home, payment_reference="rw12345670")
    TenancyFactory(payment_reference="RW12345674")
    with pytest.raises(ValidationError, match="RW12345674 is already used by another tenancy"):
        sign_up(officer, home, payment_reference="RW12345674")
    # A landlord's own reference from its old system is kept as it is.
    assert sign_up(officer, home, payment_reference="HB-004512").tenancy.payment_reference == "HB-004512"


def test_the_service_refuses_someone_without_the_permission_and_the_system_may(home):
    support_worker = user_with_role(Role.SUPPORT_WORKER)
    with pytest.raises(PermissionDenied, match="You do not have permission to sign up tenancies"):
        sign_up(support_worker, home)
    result = sign_up(None, home, send_letters=False)  # the data load and the demo data
    assert result.tenancy.pk and result.letters == []


# ---- the benefit claim: technical arrears, not real ones ------------------------------------------------------------


@pytest.fixture
def four_weeks_run(db, law):
    from arrears.services import policies_install_shipped

    policies_install_shipped()
    for week in range(4):
        rent_debits_post(week_commencing=MON + timedelta(weeks=week))


def _recommendation(tenancy, as_of):
    from arrears.models import Recommendation
    from arrears.review import review_run

    review_run(as_of=as_of)
    return Recommendation.objects.filter(account__tenancy=tenancy).latest("id")


def test_uc_in_payment_recorded_at_sign_up_makes_the_first_weeks_technical_arrears(officer, home, four_weeks_run):
    claim = {"benefit": "uc", "status": "in_payment", "weekly_amount": D("100.00")}
    with_claim = sign_up(officer, home, start_date=MON, benefit_claim=claim).tenancy
    without = sign_up(officer, PropertyFactory(), start_date=MON).tenancy
    assert balance(with_claim) == balance(without) == D("400.00")  # four weeks charged, nothing paid yet

    sunday = MON + timedelta(days=27)  # 28 days of UC housing costs due and not yet paid: £400.00
    with_claim_rec = _recommendation(with_claim, sunday)
    assert with_claim_rec.facts["expected_benefit"] == "400.00"  # all £400.00 is technical arrears
    assert with_claim_rec.arrears_weeks == D("0.00")  # weeks of real arrears
    assert (with_claim_rec.action, with_claim_rec.mode) == ("technical_arrears_only", "none")
    without_rec = _recommendation(without, sunday)
    assert without_rec.facts["expected_benefit"] == "0.00"
    assert without_rec.arrears_weeks == D("4.00")
    assert without_rec.action != "technical_arrears_only"

    from arrears.models import BenefitClaim

    recorded = BenefitClaim.objects.get(tenancy=with_claim)
    assert (recorded.benefit, recorded.status, recorded.started_on, recorded.updated_by) == (
        "uc",
        "in_payment",
        MON,
        officer,
    )


def test_a_pending_claim_with_its_evidence_is_recorded_as_pending(officer, home, four_weeks_run):
    from arrears.review_facts import facts_for_accounts

    claim = {"benefit": "hb", "status": "pending", "weekly_amount": D("95.00"), "evidence_complete": True}
    tenancy = sign_up(officer, home, start_date=MON, benefit_claim=claim).tenancy
    account = Account.objects.get(tenancy=tenancy)
    facts = facts_for_accounts(account_ids=[account.pk], as_of=MON + timedelta(days=27))[account.pk]
    assert facts["benefit_claim_pending"] is True
    with pytest.raises(ValidationError, match="Choose the benefit claimed"):
        sign_up(officer, PropertyFactory(), benefit_claim={"benefit": "jsa", "status": "pending"})


def test_a_tenant_who_chose_email_gets_the_letter_by_email_once_the_sign_up_is_saved(
    officer, home, django_capture_on_commit_callbacks, mailoutbox
):
    cara = PersonFactory(first_name="Cara", last_name="Lee", preferred_contact="email", email="cara@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        result = sign_up(officer, home, tenants=[cara])
        assert mailoutbox == []  # nothing leaves before the sign-up is committed
    letter = Document.objects.get(pk=result.letters[0].pk)
    assert letter.delivery_state == "emailed"
    assert [message.to for message in mailoutbox] == [["cara@example.org"]]
    assert mailoutbox[0].attachments[0][2] == "application/pdf"
