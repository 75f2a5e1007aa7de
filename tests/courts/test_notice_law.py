"""The notice law (legal-spec §12 rules 1-6 and 11) with the spec's own dates and figures, through the shipped
effective-dated tables and the planner, and each cautious [B] default we chose."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from arrears.models import BreathingSpace
from arrears.moratorium import Moratorium, deadline_moved
from arrears.selectors import moratorium_law
from courts.constants import PeriodBoundary, ServiceMethod
from courts.law import notice_specs
from courts.notice_rules import earliest_proceedings_date, serious_arrears_test
from courts.planner import notice_plan
from incomeapp.constants import Jurisdiction
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from tenancies.constants import LandlordType, RentPeriod, TenureType
from tests.factories import PropertyFactory, ProviderFactory, SchemeFactory, TenancyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("law")]

MONDAY_START = date(2024, 4, 1)  # a Monday: weekly rent periods run Monday to Sunday


def _tenancy(
    tenure=TenureType.SECURE,
    *,
    landlord=LandlordType.LOCAL_AUTHORITY,
    jurisdiction=Jurisdiction.ENGLAND,
    rent_period=RentPeriod.WEEKLY,
    start=MONDAY_START,
    rent=Decimal("100.00"),
    reference="RW900001",
):
    provider = ProviderFactory(name=f"{landlord} {jurisdiction}", landlord_type=landlord, jurisdiction=jurisdiction)
    tenancy = TenancyFactory(
        payment_reference=reference,
        tenure_type=tenure,
        rent_period=rent_period,
        start_date=start,
        weekly_rent=rent,
        property=PropertyFactory(scheme=SchemeFactory(provider=provider)),
    )
    account_get_or_create(tenancy=tenancy)
    return tenancy


def _owe(tenancy, amount: str, on: date, kind=TransactionType.RENT_DEBIT, key="owed"):
    account = tenancy.accounts.get(kind="rent")
    transactions_post(postings=[Posting(account.pk, kind, Decimal(amount), on, f"{key}:{tenancy.pk}")])


def _standard_moratorium(tenancy, starts_on: date, ends_on: date, *, debt_covered: str) -> BreathingSpace:
    """A standard Breathing Space moratorium on the tenancy's debt, recorded as a row."""
    return BreathingSpace.objects.create(
        tenancy=tenancy, kind="standard", starts_on=starts_on, ends_on=ends_on, debt_covered=Decimal(debt_covered)
    )


def _specs(landlord, tenure, served_on, jurisdiction=Jurisdiction.ENGLAND):
    return {
        spec.code: spec
        for spec in notice_specs(
            jurisdiction=jurisdiction, landlord_type=landlord, tenure_type=tenure, served_on=served_on
        )
    }


# Rule 1: effective-dated tables; the two England assured regimes.
def test_a_registered_providers_assured_notice_is_form_3_with_two_weeks_and_ground_8_at_8_weeks():
    spec = _specs(LandlordType.PRIVATE_REGISTERED_PROVIDER, TenureType.ASSURED, date(2026, 11, 22))["assured-s8"]
    grounds = {g.code: g for g in spec.grounds}
    assert (spec.label, spec.regime) == ("Section 8 notice (Form 3)", "SOCIAL_ASSURED_PRE_RRA")
    assert {g.notice_days for g in spec.grounds} == {14}
    assert (grounds["HA1988-8"].threshold_weeks, grounds["HA1988-8"].threshold_months) == (8, 2)
    assert grounds["HA1988-8"].mandatory and not grounds["HA1988-8"].uc_disregard


def test_a_private_landlords_assured_notice_is_form_3a_with_four_weeks_and_ground_8_at_13_weeks_from_may_2026():
    spec = _specs(LandlordType.OTHER, TenureType.ASSURED, date(2026, 11, 22))["assured-s8"]
    grounds = {g.code: g for g in spec.grounds}
    assert (spec.form, spec.regime) == ("Form 3A", "RRA_2025_PHASE1")
    assert {g.notice_days for g in spec.grounds} == {28}
    assert (grounds["HA1988-8"].threshold_weeks, grounds["HA1988-8"].threshold_months) == (13, 3)
    assert grounds["HA1988-8"].uc_disregard
    # The day before Phase 1, a private landlord was still on Form 3; section 21 went with it.
    before = _specs(LandlordType.OTHER, TenureType.AST, date(2026, 4, 30))
    assert before["assured-s8"].form == "Form 3" and "s21" in before
    assert "s21" not in _specs(LandlordType.OTHER, TenureType.AST, date(2026, 5, 1))


def test_social_landlords_keep_section_21_for_starter_tenancies_labelled_nrp():
    """[B] social = local authority or registered provider; 'NRP' is the label of the s21 notice (R-LIC-04)."""
    specs = _specs(LandlordType.LOCAL_AUTHORITY, TenureType.AST, date(2026, 11, 22))
    assert specs["s21"].label == "NRP (section 21, Form 6A)" and specs["assured-s8"].form.startswith("Form 3 ")


def test_notices_before_the_held_rules_are_checked_by_hand():
    tenancy = _tenancy()
    plan = notice_plan(tenancy=tenancy, served_on=date(2021, 6, 1))
    assert plan.options == [] and "check a notice served on 1 June 2021 by hand" in plan.problems[0]


# Rule 2: secure NOSP dates and expiry.
def test_secure_nosp_served_wednesday_7_january_2026_on_a_monday_weekly_tenancy():
    tenancy = _tenancy()
    _owe(tenancy, "400.00", date(2026, 1, 5))
    [option] = notice_plan(tenancy=tenancy, served_on=date(2026, 1, 7)).options
    assert option.spec.label == "NOSP"
    # At least 28 days (4 February) and a period boundary: [B] we take the first day of a period, Monday 9 February.
    assert option.earliest_proceedings == date(2026, 2, 9)
    assert option.lapses_on == date(2027, 2, 9)  # 12 months after the date specified (R-SEC-05)
    # The other house convention lands on the last day of a period, Sunday 8 February.
    sunday = earliest_proceedings_date(
        option.spec.__class__(**{**option.spec.__dict__, "period_boundary": PeriodBoundary.LAST_DAY}),
        deemed_served_on=date(2026, 1, 7),
        tenancy_start=MONDAY_START,
        rent_period="weekly",
        grounds=[],
    )
    assert sunday == date(2026, 2, 8)


def test_secure_nosp_on_a_monthly_tenancy_waits_for_a_whole_period_and_its_boundary():
    tenancy = _tenancy(rent_period=RentPeriod.MONTHLY, start=date(2024, 4, 1), rent=Decimal("433.33"))
    _owe(tenancy, "900.00", date(2026, 1, 1))
    [option] = notice_plan(tenancy=tenancy, served_on=date(2026, 1, 7)).options
    # The longer of 28 days (4 Feb) or a month (7 Feb), then the next period start: 1 March.
    assert option.earliest_proceedings == date(2026, 3, 1)


# Rule 3: section 8 window.
def test_section_8_window_runs_from_the_notice_period_to_12_months_after_service():
    tenancy = _tenancy(TenureType.ASSURED, landlord=LandlordType.PRIVATE_REGISTERED_PROVIDER)
    _owe(tenancy, "800.00", date(2026, 11, 16))
    [option] = notice_plan(tenancy=tenancy, served_on=date(2026, 11, 22)).options
    assert option.earliest_proceedings == date(2026, 12, 6) and option.lapses_on == date(2027, 11, 22)
    private = _tenancy(TenureType.ASSURED, landlord=LandlordType.OTHER, reference="RW900002")
    _owe(private, "800.00", date(2026, 11, 16))
    [option] = notice_plan(tenancy=private, served_on=date(2026, 11, 22)).options
    assert option.earliest_proceedings == date(2026, 12, 20)  # the longest ground's 4 weeks


# Rule 4: Ground 8 with the spec's figures.
def test_ground_8_at_800_pounds_on_100_a_week_is_met_before_the_act_and_not_after_and_fails_at_790():
    pre = {
        g.code: g
        for g in _specs(LandlordType.PRIVATE_REGISTERED_PROVIDER, "ASSURED", date(2026, 11, 22))["assured-s8"].grounds
    }["HA1988-8"]
    rra = {g.code: g for g in _specs(LandlordType.OTHER, "ASSURED", date(2026, 11, 22))["assured-s8"].grounds}[
        "HA1988-8"
    ]
    weekly = {"rent_per_period": Decimal("100.00"), "rent_period": "weekly"}
    at_notice = serious_arrears_test(pre, rent_arrears=Decimal("800.00"), **weekly)
    assert at_notice.met and at_notice.margin == 0 and at_notice.threshold == Decimal("800.00")
    after_act = serious_arrears_test(rra, rent_arrears=Decimal("800.00"), **weekly)
    assert not after_act.met and after_act.margin == Decimal("-500.00")
    at_hearing = serious_arrears_test(pre, rent_arrears=Decimal("790.00"), **weekly)
    assert not at_hearing.met and at_hearing.margin == Decimal("-10.00")
    # Grounds 10 and 11 remain on the notice whatever Ground 8 says.
    codes = [
        g.code
        for g in _specs(LandlordType.PRIVATE_REGISTERED_PROVIDER, "ASSURED", date(2026, 11, 22))["assured-s8"].grounds
    ]
    assert codes == ["HA1988-8", "HA1988-10", "HA1988-11"]
    # Universal Credit awaited is disregarded only under the new regime.
    assert serious_arrears_test(rra, rent_arrears=Decimal("1400"), uc_awaited=Decimal("150"), **weekly).margin == -50
    assert serious_arrears_test(pre, rent_arrears=Decimal("800"), uc_awaited=Decimal("150"), **weekly).met
    # Monthly rent: two months' rent.
    monthly = serious_arrears_test(
        pre, rent_arrears=Decimal("866.66"), rent_per_period=Decimal("433.33"), rent_period="monthly"
    )
    assert monthly.met and monthly.threshold == Decimal("866.66") and "2 months' rent" in monthly.basis


def test_only_rent_lawfully_due_counts_towards_ground_8():
    tenancy = _tenancy(TenureType.ASSURED, landlord=LandlordType.PRIVATE_REGISTERED_PROVIDER)
    for week in range(8):
        _owe(tenancy, "100.00", date(2026, 9, 28) + timedelta(weeks=week), key=f"rent{week}")
    _owe(tenancy, "45.00", date(2026, 11, 20), kind=TransactionType.RECHARGE, key="repair")
    plan = notice_plan(tenancy=tenancy, served_on=date(2026, 11, 22))
    assert plan.position.balance == Decimal("845.00") and plan.position.rent_arrears == Decimal("800.00")
    assert [item["amount"] for item in plan.position.excluded] == [Decimal("45.00")]
    [test] = plan.options[0].serious_arrears
    assert test.met and test.margin == 0
    data = plan.as_dict()
    assert data["rent_arrears"] == "800.00" and data["not_rent_left_out"][0]["amount"] == "45.00"


# Rule 5: introductory tenancies.
def test_an_introductory_tenant_has_14_days_beginning_with_service_to_ask_for_a_review():
    tenancy = _tenancy(TenureType.INTRO, start=date(2026, 1, 5))
    _owe(tenancy, "300.00", date(2026, 2, 23))
    [option] = notice_plan(tenancy=tenancy, served_on=date(2026, 3, 2)).options
    assert option.review_by == date(2026, 3, 15)
    assert option.earliest_proceedings == date(2026, 3, 30)  # 28 days, a Monday: the first day of a period
    assert option.lapses_on is None  # [B] no statutory lapse is held


# Rule 6: licences.
def test_a_licence_notice_to_quit_gives_four_weeks_on_a_period_boundary_with_the_prescribed_information():
    tenancy = _tenancy(TenureType.LICENCE, landlord=LandlordType.PRIVATE_REGISTERED_PROVIDER)
    _owe(tenancy, "200.00", date(2026, 11, 16))
    [option] = notice_plan(tenancy=tenancy, served_on=date(2026, 11, 25)).options
    assert option.earliest_proceedings == date(2026, 12, 28)  # 23 December, then [B] the next period start
    assert option.spec.court_order_needed
    assert "must get an order for possession from the court" in option.spec.prescribed_information


def test_an_excluded_licence_needs_reasonable_notice_of_28_days_and_no_court():
    tenancy = _tenancy(TenureType.EXCL_LICENCE)
    _owe(tenancy, "200.00", date(2026, 11, 16))
    [option] = notice_plan(tenancy=tenancy, served_on=date(2026, 11, 25)).options
    assert option.earliest_proceedings == date(2026, 12, 23) and not option.spec.court_order_needed


# Wales (§11.1).
def test_wales_standard_contracts_get_rhw20_and_secure_contracts_rhw23():
    standard = _tenancy(
        TenureType.AST, landlord=LandlordType.PRIVATE_REGISTERED_PROVIDER, jurisdiction=Jurisdiction.WALES
    )
    _owe(standard, "800.00", date(2026, 11, 16))
    [option] = notice_plan(tenancy=standard, served_on=date(2026, 11, 22)).options
    assert option.spec.form == "RHW20" and option.earliest_proceedings == date(2026, 12, 6)
    assert option.lapses_on == date(2027, 5, 22) and option.serious_arrears[0].met
    secure = _tenancy(TenureType.SECURE, jurisdiction=Jurisdiction.WALES, reference="RW900003")
    _owe(secure, "800.00", date(2026, 11, 16))
    [option] = notice_plan(tenancy=secure, served_on=date(2026, 11, 22)).options
    assert option.spec.form == "RHW23" and option.earliest_proceedings == date(2026, 12, 22)


# Deemed service, a [B] default.
def test_a_posted_notice_counts_as_served_two_working_days_later_and_one_left_at_the_home_one():
    tenancy = _tenancy()
    _owe(tenancy, "400.00", date(2026, 11, 16))
    friday = date(2026, 11, 20)
    assert notice_plan(tenancy=tenancy, served_on=friday, method=ServiceMethod.FIRST_CLASS_POST).deemed_served_on == (
        date(2026, 11, 24)
    )
    assert notice_plan(tenancy=tenancy, served_on=friday, method=ServiceMethod.LEFT_AT_PROPERTY).deemed_served_on == (
        date(2026, 11, 23)
    )
    assert notice_plan(tenancy=tenancy, served_on=friday).deemed_served_on == friday


# Rule 11: Breathing Space.
def test_no_rent_arrears_notice_during_breathing_space_but_a_section_21_may_be_served():
    tenancy = _tenancy(TenureType.AST, landlord=LandlordType.PRIVATE_REGISTERED_PROVIDER)
    _owe(tenancy, "800.00", date(2026, 11, 16))
    _standard_moratorium(tenancy, date(2026, 11, 1), date(2026, 12, 30), debt_covered="700.00")
    plan = notice_plan(tenancy=tenancy, served_on=date(2026, 11, 22))
    barred = {option.spec.code: option.barred for option in plan.options}
    assert barred == {"assured-s8": True, "s21": False}
    assert "a notice on rent-arrears grounds served now would be void" in plan.blocked[0]
    assert notice_plan(tenancy=tenancy, served_on=date(2026, 12, 31)).blocked == []


def test_a_deadline_inside_a_breathing_space_moves_to_8_weeks_after_it_ends():
    law = moratorium_law(date(2026, 11, 1))
    assert deadline_moved(date(2026, 12, 15), [Moratorium(date(2026, 11, 1), date(2026, 12, 31))], law)[0] == (
        date(2027, 2, 25)
    )
    moved, note = deadline_moved(date(2026, 12, 15), [Moratorium(date(2026, 11, 1), None)], law)
    assert moved is None and "not yet known" in note
    assert deadline_moved(date(2027, 3, 1), [Moratorium(date(2026, 11, 1), date(2026, 12, 31))], law)[0] == (
        date(2027, 3, 1)
    )
    # Through the planner: a NOSP lapsing on 9 February 2027 inside a moratorium moves with it.
    tenancy = _tenancy()
    _owe(tenancy, "400.00", date(2026, 1, 5))
    _standard_moratorium(tenancy, date(2027, 1, 20), date(2027, 3, 20), debt_covered="400.00")
    [option] = notice_plan(tenancy=tenancy, served_on=date(2026, 1, 7)).options
    assert option.lapses_on == date(2027, 5, 15) and "moved from 9 February 2027" in option.lapse_note
    assert option.statutory_lapses_on == date(2027, 2, 9)  # what a served notice keeps; the move is worked out later


def test_notice_plan_command_prints_the_plan_as_json(capsys):
    tenancy = _tenancy(TenureType.ASSURED, landlord=LandlordType.PRIVATE_REGISTERED_PROVIDER)
    _owe(tenancy, "800.00", date(2026, 11, 16))
    call_command("notice_plan", "--tenancy", "rw900001", "--served-on", "2026-11-22", "--json")
    data = json.loads(capsys.readouterr().out)
    [notice] = data["notices"]
    assert notice["notice"] == "Section 8 notice (Form 3)" and notice["earliest_proceedings_date"] == "2026-12-06"
    assert notice["serious_arrears"][0] == {
        "ground": "HA1988-8",
        "met": True,
        "rent_arrears": "800.00",
        "disregarded_uc_awaited": "0.00",
        "counted": "800.00",
        "threshold": "800.00",
        "margin": "0.00",
        "basis": "8 weeks' rent at £100.00 a week",
    }
    assert data["can_serve"] and data["tenants"]


def test_the_legal_page_plans_a_notice_and_refuses_bad_input_in_plain_english(client):
    from incomeapp.constants import Role
    from tests.factories import user_with_role

    tenancy = _tenancy(TenureType.ASSURED, landlord=LandlordType.PRIVATE_REGISTERED_PROVIDER)
    _owe(tenancy, "800.00", date(2026, 11, 16))
    client.force_login(user_with_role(Role.INCOME_OFFICER))
    prefilled = client.get("/legal/", {"reference": "RW900001"})
    assert prefilled.status_code == 200 and 'value="RW900001"' in prefilled.content.decode()
    query = {
        "payment_reference": "rw900001",
        "served_on_0": "22",
        "served_on_1": "11",
        "served_on_2": "2026",
        "method": "hand",
    }
    html = client.get("/legal/", query).content.decode()
    assert "Section 8 notice (Form 3)" in html and "Sunday 6 December 2026" in html
    assert "Met" in html and "£800.00 against £800.00 (8 weeks&#x27; rent at £100.00 a week); margin £0.00" in html
    bad = client.get("/legal/", {**query, "payment_reference": "RW999999", "served_on_1": "13"})
    assert bad.status_code == 400
    assert "No tenancy has the payment reference RW999999" in bad.content.decode()
    client.force_login(user_with_role(Role.SUPPORT_WORKER))
    assert client.get("/legal/").status_code == 403


def test_four_weekly_rent_uses_the_weekly_threshold_and_section_21_allows_six_months():
    """[B] defaults: four-weekly rent is rent payable by the week (8 weeks); s21 proceedings within 6 months."""
    ground = {
        g.code: g
        for g in _specs(LandlordType.PRIVATE_REGISTERED_PROVIDER, "ASSURED", date(2026, 11, 22))["assured-s8"].grounds
    }["HA1988-8"]
    test = serious_arrears_test(ground, rent_arrears=Decimal("800.00"), rent_per_period=Decimal("400.00"),
                                rent_period="four_weekly")  # fmt: skip
    assert test.met and test.threshold == Decimal("800.00") and test.basis == "8 weeks' rent at £100.00 a week"
    tenancy = _tenancy(TenureType.AST, landlord=LandlordType.PRIVATE_REGISTERED_PROVIDER)
    _owe(tenancy, "100.00", date(2026, 11, 16))
    s21 = next(o for o in notice_plan(tenancy=tenancy, served_on=date(2026, 11, 22)).options if o.spec.code == "s21")
    assert s21.earliest_proceedings == date(2027, 1, 22) and s21.lapses_on == date(2027, 5, 22)
