"""The rent change run: a percentage with a weekly cap worked out by hand, a CSV with a bad row, the notice rule, maker
and checker, and approval that changes the charges and sends one letter per named tenant, once."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pypdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from documents.models import Document
from documents.services import templates_install_shipped
from incomeapp.constants import Role
from lifecycle.constants import RentChangeStatus
from lifecycle.models import RentChangeLine, RentChangeRun
from lifecycle.rent_change import (
    rent_change_default_date,
    rent_change_run_approve,
    rent_change_run_dispatch,
    rent_change_run_figures,
    rent_change_run_prepare_csv,
    rent_change_run_prepare_rule,
    rent_change_run_progress,
    rent_change_run_reject,
    rent_change_run_submit,
    run_label,
)
from rentaccounts.charging import monday_of
from tenancies.constants import ChargeType, RentPeriod, TenancyEventKind, TenancyStatus
from tenancies.models import Charge, PropertyCharge, TenancyEvent, TenancyTenant
from tests.factories import PersonFactory, PropertyFactory, SchemeFactory, TenancyFactory, user_with_role

pytestmark = pytest.mark.django_db

RENT, SERVICE, SUPPORT = ChargeType.RENT, ChargeType.ELIGIBLE_SERVICE, ChargeType.SUPPORT


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def managers():
    return user_with_role(Role.INCOME_MANAGER), user_with_role(Role.INCOME_MANAGER)


def _effective() -> date:
    """A Monday comfortably outside the 4 weeks' notice, whatever day the tests run."""
    return monday_of(timezone.localdate()) + timedelta(weeks=10)


def _charge(tenancy, charge_type, amount, counts_as_rent=True):
    return Charge.objects.create(
        tenancy=tenancy,
        charge_type=charge_type,
        amount=Decimal(amount),
        counts_as_rent=counts_as_rent,
        effective_from=tenancy.start_date,
    )


@pytest.fixture
def scheme_with_tenancies():
    """Scheme A: a joint weekly tenancy (rent £100.00, service £10.00), a monthly one (rent £433.33 a month), a weekly
    one (rent £50.00 and a £20.00 support charge), a former tenancy and a void home (its own rent £95.00 a week).
    Scheme B: a tenancy the run must not touch."""
    scheme, other = SchemeFactory(), SchemeFactory()
    joint = TenancyFactory(payment_reference="RW100001", property=PropertyFactory(scheme=scheme))
    TenancyTenant.objects.create(tenancy=joint, person=PersonFactory())
    _charge(joint, SERVICE, "10.00")
    monthly = TenancyFactory(
        payment_reference="RW100002",
        property=PropertyFactory(scheme=scheme),
        rent_period=RentPeriod.MONTHLY,
        weekly_rent=Decimal("433.33"),
    )
    small = TenancyFactory(
        payment_reference="RW100003", property=PropertyFactory(scheme=scheme), weekly_rent=Decimal("50.00")
    )
    _charge(small, SUPPORT, "20.00", counts_as_rent=False)
    TenancyFactory(
        payment_reference="RW100004",
        property=PropertyFactory(scheme=scheme),
        end_date=date(2025, 3, 30),
        status=TenancyStatus.FORMER,
    )
    void = PropertyFactory(scheme=scheme, uprn="200000099")
    PropertyCharge.objects.create(
        property=void, charge_type=RENT, amount=Decimal("95.00"), effective_from=date(2024, 4, 1)
    )
    elsewhere = TenancyFactory(payment_reference="RW100005", property=PropertyFactory(scheme=other))
    return {"scheme": scheme, "joint": joint, "monthly": monthly, "small": small, "void": void, "elsewhere": elsewhere}


def _prepare_rule(preparer, data, **changes):
    arguments = {
        "by": preparer,
        "name": "April rent change",
        "effective_from": _effective(),
        "schemes": [data["scheme"]],
        "percentage": Decimal("7.7"),
        "weekly_cap": Decimal("5.00"),
        "charge_types": [RENT, SERVICE],
    } | changes
    return rent_change_run_prepare_rule(**arguments)


def _lines(run) -> set[tuple]:
    return {
        (
            line.tenancy.payment_reference if line.tenancy else line.property.uprn,
            line.charge_type,
            line.old_amount,
            line.new_amount,
        )
        for line in run.lines.select_related("tenancy", "property")
    }


def test_the_default_date_is_the_first_monday_of_april_after_today():
    assert rent_change_default_date(date(2026, 12, 4)) == date(2027, 4, 5)
    assert rent_change_default_date(date(2027, 4, 5)) == date(2028, 4, 3)
    assert rent_change_default_date(date(2027, 1, 1)) == date(2027, 4, 5)


def test_a_percentage_with_a_weekly_cap_worked_by_hand(managers, scheme_with_tenancies):
    data = scheme_with_tenancies
    run = _prepare_rule(managers[0], data)
    assert run.status == RentChangeStatus.DRAFT
    # Joint: rent 7.7% of £100.00 is £7.70, capped at £5.00; service 7.7% of £10.00 is £0.77.
    # Monthly: 7.7% of £433.33 is £33.37, capped at £5.00 a week as a month (5 × 52 ÷ 12 = £21.67): £455.00.
    # Small: 7.7% of £50.00 is £3.85, under the cap; its support charge is not a chosen type.
    # Void home: 7.7% of £95.00 is £7.32, capped at £5.00. The former tenancy and scheme B are left alone.
    assert _lines(run) == {
        ("RW100001", RENT, Decimal("100.00"), Decimal("105.00")),
        ("RW100001", SERVICE, Decimal("10.00"), Decimal("10.77")),
        ("RW100002", RENT, Decimal("433.33"), Decimal("455.00")),
        ("RW100003", RENT, Decimal("50.00"), Decimal("53.85")),
        ("200000099", RENT, Decimal("95.00"), Decimal("100.00")),
    }
    figures = rent_change_run_figures(run)
    assert (figures.tenancies, figures.tenancy_lines, figures.homes, figures.letters) == (3, 4, 1, 4)
    # Weekly: £110.00 + £433.33 × 12 ÷ 52 (£100.00) + £50.00 = £260.00 before; £115.77 + £105.00 + £53.85 after.
    assert (figures.weekly_before, figures.weekly_after) == (Decimal("260.00"), Decimal("274.62"))
    # Nothing has changed yet.
    assert not TenancyEvent.objects.exists()
    assert Charge.objects.filter(effective_from=run.effective_from).count() == 0


def test_a_csv_with_one_bad_row_prepares_nothing_and_names_the_row(managers, scheme_with_tenancies):
    content = (
        "uprn,payment_reference,charge_type,new_weekly_amount\n"
        "200000099,,rent,101.00\n"
        ",RW100001,rent,12x\n"
        ",RW100009,rent,90.00\n"
    )
    with pytest.raises(ValidationError) as refused:
        rent_change_run_prepare_csv(
            by=managers[0], name="Corrections", effective_from=_effective(), content=content, file_name="new.csv"
        )
    assert refused.value.messages == [
        "Line 3, column new_weekly_amount: '12x' is not an amount of money; enter pounds and pence, like 12.50."
    ]
    assert not RentChangeRun.objects.exists() and not RentChangeLine.objects.exists()
    # With that row right, the unknown reference is the only problem left.
    with pytest.raises(ValidationError) as refused:
        rent_change_run_prepare_csv(
            by=managers[0],
            name="Corrections",
            effective_from=_effective(),
            content=content.replace("12x", "112.00"),
        )
    assert refused.value.messages == [
        "Line 4, column payment_reference: no tenancy has the payment reference 'RW100009'."
    ]
    assert not RentChangeRun.objects.exists()


def test_a_csv_by_home_changes_the_home_and_its_tenancy_in_its_rent_period(managers, scheme_with_tenancies):
    data = scheme_with_tenancies
    content = (
        "uprn,payment_reference,charge_type,new_weekly_amount\n"
        f"{data['monthly'].property.uprn},,Rent,110.00\n"
        "200000099,,rent,101.00\n"
        ",rw100003,water,2.50\n"
    )
    run = rent_change_run_prepare_csv(
        by=managers[0], name="Corrections", effective_from=_effective(), content=content, file_name="new.csv"
    )
    # The monthly tenancy's £110.00 a week is £476.67 a month (110 × 52 ÷ 12); its home had no schedule of its own.
    assert _lines(run) == {
        ("RW100002", RENT, Decimal("433.33"), Decimal("476.67")),
        (data["monthly"].property.uprn, RENT, Decimal("0.00"), Decimal("110.00")),
        ("200000099", RENT, Decimal("95.00"), Decimal("101.00")),
        ("RW100003", ChargeType.WATER, Decimal("0.00"), Decimal("2.50")),
    }
    assert run.source_file_name == "new.csv"


def test_a_date_closer_than_the_notice_period_is_refused(managers, scheme_with_tenancies):
    with pytest.raises(ValidationError) as refused:
        _prepare_rule(managers[0], scheme_with_tenancies, effective_from=date(2026, 12, 21), today=date(2026, 12, 4))
    assert refused.value.messages[0] == (
        "The letters must reach tenants at least 4 weeks before the new charges start, so the date cannot be earlier "
        "than Friday 1 January 2027. Choose that date or later."
    )
    run = _prepare_rule(managers[0], scheme_with_tenancies, effective_from=date(2027, 1, 4), today=date(2026, 12, 4))
    # Left too long: the same date is too close to send for approval, or to approve, a few weeks later.
    with pytest.raises(ValidationError, match="cannot be earlier than"):
        rent_change_run_submit(by=managers[0], run=run, today=date(2026, 12, 10))
    rent_change_run_submit(by=managers[0], run=run, today=date(2026, 12, 4))
    with pytest.raises(ValidationError, match="It is too late to approve"):
        rent_change_run_approve(by=managers[1], run=run, today=date(2026, 12, 10))


def test_the_preparer_cannot_approve_and_an_officer_cannot_prepare(managers, scheme_with_tenancies):
    preparer, _ = managers
    with pytest.raises(PermissionDenied):
        _prepare_rule(user_with_role(Role.SENIOR_INCOME_OFFICER), scheme_with_tenancies)
    run = _prepare_rule(preparer, scheme_with_tenancies)
    rent_change_run_submit(by=preparer, run=run)
    with pytest.raises(ValidationError, match="You prepared this rent change, so someone else must approve"):
        rent_change_run_approve(by=preparer, run=run)
    # The database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        RentChangeRun.objects.filter(pk=run.pk).update(decided_by=preparer)
    run.refresh_from_db()
    assert run.status == RentChangeStatus.AWAITING_APPROVAL


def test_approval_applies_the_charges_and_sends_one_letter_per_named_tenant_once(
    managers, scheme_with_tenancies, django_capture_on_commit_callbacks
):
    data = scheme_with_tenancies
    templates_install_shipped()
    preparer, approver = managers
    run = _prepare_rule(preparer, data)
    rent_change_run_submit(by=preparer, run=run)
    assert not TenancyEvent.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        rent_change_run_approve(by=approver, run=run, reason="Checked against the rent policy")
    run.refresh_from_db()
    assert (run.status, run.decided_by, run.prepared_by) == (RentChangeStatus.APPROVED, approver, preparer)
    assert run.applied_at is not None
    day = run.effective_from

    joint = data["joint"]
    in_effect = {
        (c.charge_type, c.amount) for c in joint.charges.filter(effective_from__lte=day).exclude(effective_to__lt=day)
    }
    assert in_effect == {(RENT, Decimal("105.00")), (SERVICE, Decimal("10.77"))}
    assert joint.charges.get(charge_type=RENT, effective_to=day - timedelta(days=1)).amount == Decimal("100.00")
    event = TenancyEvent.objects.get(tenancy=joint)
    assert (event.kind, event.effective_date, event.recorded_by) == (TenancyEventKind.RENT_CHANGE, day, approver)
    assert event.detail["rent_change_run"] == run.pk
    # The support charge stays as it was; the home's own schedule moved; the other scheme did not.
    small_support = data["small"].charges.get(charge_type=SUPPORT)
    assert (small_support.amount, small_support.effective_to) == (Decimal("20.00"), None)
    assert PropertyCharge.objects.get(property=data["void"], effective_from=day).amount == Decimal("100.00")
    assert data["elsewhere"].charges.count() == 1
    assert not TenancyEvent.objects.filter(tenancy=data["elsewhere"]).exists()

    letters = Document.objects.filter(made_by_run=run_label(run))
    assert letters.count() == 4
    assert sorted(letters.values_list("reference", flat=True)) == ["RW100001", "RW100001", "RW100002", "RW100003"]
    joint_names = {person.full_name for person in joint.named_tenants()}
    assert set(letters.filter(reference="RW100001").values_list("recipient_name", flat=True)) == joint_names
    text = pypdf.PdfReader(io.BytesIO(letters.get(reference="RW100003").pdf.read())).pages[0].extract_text()
    assert "Rent: £50.00 a week" in text and "Rent: £53.85 a week" in text
    assert "an increase of £3.85 a week" in text
    assert f"{day:%-d %B %Y}" in text
    progress = rent_change_run_progress(run)
    assert (progress.lines_applied, progress.lines_pending, progress.letters_made, progress.letters_pending) == (
        5,
        0,
        4,
        0,
    )

    # Approving again is refused and changes nothing; handing the run to Celery again sends nothing more.
    charges, events = Charge.objects.count(), TenancyEvent.objects.count()
    with pytest.raises(ValidationError, match="already approved"):
        rent_change_run_approve(by=approver, run=run)
    assert rent_change_run_dispatch(run=run) == {"tenancy_chunks": 0, "home_chunks": 0, "letter_batches": 0}
    assert (Charge.objects.count(), TenancyEvent.objects.count(), letters.count()) == (charges, events, 4)
    call_command("reconcile_balances")


def test_a_rejected_run_changes_nothing(managers, scheme_with_tenancies):
    preparer, checker = managers
    run = _prepare_rule(preparer, scheme_with_tenancies)
    rent_change_run_submit(by=preparer, run=run)
    with pytest.raises(ValidationError, match="Give the reason"):
        rent_change_run_reject(by=checker, run=run, reason="")
    rent_change_run_reject(by=checker, run=run, reason="The cap should be £4.00")
    run.refresh_from_db()
    assert (run.status, run.decision_reason) == (RentChangeStatus.REJECTED, "The cap should be £4.00")
    with pytest.raises(ValidationError, match="nothing to decide"):
        rent_change_run_approve(by=checker, run=run)
    assert not TenancyEvent.objects.exists()


def test_a_tenancy_ended_before_the_date_is_left_alone_and_a_lost_letter_is_made_once_more(
    managers, scheme_with_tenancies, django_capture_on_commit_callbacks, mailoutbox
):
    data = scheme_with_tenancies
    preparer, approver = managers
    second = data["joint"].named_tenants()[1]
    second.preferred_contact, second.email = "email", "second@example.org"
    second.save()
    run = _prepare_rule(preparer, data)
    rent_change_run_submit(by=preparer, run=run)
    small = data["small"]
    small.end_date, small.status = run.effective_from - timedelta(days=10), TenancyStatus.FORMER
    small.save()
    with django_capture_on_commit_callbacks(execute=True):
        rent_change_run_approve(by=approver, run=run)
    run.refresh_from_db()
    assert run.applied_at is not None
    progress = rent_change_run_progress(run)
    assert (progress.lines, progress.lines_applied, progress.lines_not_applicable) == (5, 4, 1)
    assert not TenancyEvent.objects.filter(tenancy=small).exists()
    letters = Document.objects.filter(made_by_run=run_label(run))
    assert sorted(letters.values_list("reference", flat=True)) == ["RW100001", "RW100001", "RW100002"]
    emailed = letters.get(recipient_name=second.full_name)
    assert emailed.delivery_state == "emailed" and mailoutbox[0].to == ["second@example.org"]

    # A batch that failed: its letter is missing. Handing the run on again makes that one letter and nothing else.
    letters.filter(reference="RW100002").delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert rent_change_run_dispatch(run=run) == {"tenancy_chunks": 0, "home_chunks": 0, "letter_batches": 1}
    assert letters.count() == 3 and len(mailoutbox) == 1
    assert rent_change_run_dispatch(run=run)["letter_batches"] == 0
