"""Breathing Space in the courts app (legal-spec §6, SI 2020/1311), written from the spec's rules and dates:

R-BS-12: no notice on rent-arrears grounds may be served during a moratorium, and one served during it is void (a
section 21 notice is not barred); R-BS-13: no claim, warrant or eviction for the debt while it lasts, whether it is
standard or mental health crisis, and for a joint tenancy where it is one tenant's (R-BS-03); existing proceedings may
go on to a hearing and an order (reg 10(3)); R-BS-14: a deadline falling inside moves to 8 weeks after it ends.

The scenario is the spec's: a weekly secure tenancy from Monday 1 April 2024, a NOSP served by hand on Wednesday
7 January 2026, so proceedings may begin after Monday 9 February 2026 and the notice lapses on Tuesday 9 February 2027.
Moratoria are recorded as rows, and the arrears app's signal is sent as its services send it, with the end set."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from arrears.constants import BreathingSpaceKind
from arrears.models import ArrearsCase, BreathingSpace, Contact
from arrears.signals import breathing_space_changed
from courts.claims import claim_pack_make, gate, gate_override, legal_case_decide, legal_case_open
from courts.constants import CourtOutcome, WarrantStatus
from courts.court import (
    claim_issue_record,
    eviction_book,
    hearing_outcome_record,
    hearing_record,
    warrant_applied_record,
    warrant_decide,
    warrant_position,
    warrant_request,
)
from courts.models import LegalCase, Notice, Warrant
from courts.selectors import notice_lapse
from courts.services import notice_serve
from incomeapp.constants import Role
from tenancies.constants import TenureType
from tests.courts.possession import joint_secure_tenancy
from tests.factories import london_noon, rent_debited_weekly, user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("law")]

STANDARD, CRISIS = BreathingSpaceKind.STANDARD, BreathingSpaceKind.MENTAL_HEALTH_CRISIS
SERVED = date(2026, 1, 7)  # Wednesday
LAPSES = date(2027, 2, 9)  # Tuesday: 12 months after the date in the notice (Monday 9 February 2026)


@pytest.fixture
def today(time_machine):
    """Stops the clock on a day, so every service sees it as today and the spec's dates can be used as they are."""

    def set_today(day: date) -> date:
        time_machine.move_to(london_noon(day), tick=False)
        return day

    return set_today


@pytest.fixture
def tenancy(settings, tmp_path):
    """A joint secure tenancy (Ada Lead and Ben Joint), weekly from Monday 1 April 2024, owing 8 weeks' rent at
    £100.00 by the day of service."""
    settings.MEDIA_ROOT = tmp_path
    tenancy = joint_secure_tenancy("RW915001")
    rent_debited_weekly(tenancy, weeks_ago=range(1, 9), back_from=SERVED)
    return tenancy


@pytest.fixture
def officer():
    return user_with_role(Role.INCOME_OFFICER)


def _serve(tenancy, officer, notice_code="secure-nosp", served_on=SERVED, method="hand"):
    return notice_serve(
        tenancy=tenancy,
        notice_code=notice_code,
        served_on=served_on,
        method=method,
        signatory="Priya Shah, Income Manager",
        proof_of_service="Handed to Ada Lead at the door by Olivia Okafor.",
        served_by=officer,
    )


def _moratorium(tenancy, kind, starts_on, ends_on, debtor=None) -> BreathingSpace:
    """A moratorium as the arrears app records it, then its signal."""
    space = BreathingSpace.objects.create(
        tenancy=tenancy,
        debtor=debtor,
        kind=kind,
        starts_on=starts_on,
        expected_end_on=starts_on + timedelta(days=60) if kind == STANDARD else None,
        ends_on=ends_on,
        debt_covered=Decimal("800.00"),
    )
    breathing_space_changed.send(sender=BreathingSpace, breathing_space=space)
    return space


def _change(space, **fields) -> BreathingSpace:
    """An end recorded or changed (an early end, a crisis treatment end), then the signal."""
    for name, value in fields.items():
        setattr(space, name, value)
    space.save()
    breathing_space_changed.send(sender=BreathingSpace, breathing_space=space)
    return space


def _ended(space, kind, on):
    """Ends the moratorium on `on`: a standard one early, a crisis one 30 days after its treatment ends."""
    if kind == STANDARD:
        return _change(space, ended_on=on, end_reason="ended_early", ends_on=on)
    return _change(space, treatment_ended_on=on - timedelta(days=30), ends_on=on)


def _claim_ready(notice, officer):
    """A legal case opened on the notice, the checklist overridden by a manager, approved: ready for the pack."""
    legal_case = legal_case_open(notice=notice, opened_by=officer)
    gate_override(legal_case=legal_case, overridden_by=user_with_role(Role.INCOME_MANAGER),
                  reason="Legal advised issuing now; the tenants have not engaged for months.")  # fmt: skip
    return legal_case


def _approve(legal_case):
    return legal_case_decide(
        legal_case=legal_case, approved=True, notes="", decided_by=user_with_role(Role.SENIOR_INCOME_OFFICER)
    )


def _claim_pack_made_on_2_march_2026(tenancy, officer, today):
    """The NOSP served on the spec's day, then on Monday 2 March 2026 the claim readied, approved and its pack made."""
    today(SERVED)
    notice = _serve(tenancy, officer)
    today(date(2026, 3, 2))
    legal_case = _claim_ready(notice, officer)
    _approve(legal_case)
    claim_pack_make(legal_case=legal_case, made_by=officer)
    return legal_case


def _issue(legal_case, officer, issued_on):
    return claim_issue_record(
        legal_case=legal_case, issued_on=issued_on, court_name="Bristol County Court", claim_number="K00BS015",
        recorded_by=officer,
    )  # fmt: skip


# R-BS-12: notices.


@pytest.mark.parametrize("kind", [STANDARD, CRISIS])
def test_r_bs_12_a_rent_arrears_notice_served_during_a_moratorium_is_refused(tenancy, officer, today, kind):
    today(SERVED)
    _moratorium(tenancy, kind, date(2026, 1, 5), date(2026, 3, 5) if kind == STANDARD else None)
    with pytest.raises(ValidationError, match=r"serving a notice on rent-arrears grounds") as refused:
        _serve(tenancy, officer)
    assert "would be void" in refused.value.messages[0]
    assert not Notice.objects.filter(tenancy=tenancy).exists()


def test_r_bs_12_a_posted_notice_that_counts_as_served_inside_a_moratorium_is_refused(tenancy, officer, today):
    # Posted on Wednesday 7 January 2026, it counts as served two working days later, Friday 9 January, inside a
    # moratorium that began on Thursday 8 January: cautious, either day inside bars it.
    today(date(2026, 1, 9))
    _moratorium(tenancy, STANDARD, date(2026, 1, 8), date(2026, 3, 8))
    with pytest.raises(ValidationError, match=r"R-BS-12"):
        _serve(tenancy, officer, method="post")


@pytest.mark.parametrize("kind", [STANDARD, CRISIS])
def test_r_bs_12_a_moratorium_recorded_later_covering_the_day_of_service_voids_the_notice(
    tenancy, officer, today, client, kind
):
    today(SERVED)
    notice = _serve(tenancy, officer)
    case = ArrearsCase.objects.get(account__tenancy=tenancy)
    assert (case.nosp_served_on, case.nosp_expires_on) == (SERVED, LAPSES)
    # Told on 20 January of a moratorium (Ben Joint's) that began on Monday 5 January, before the notice was served.
    today(date(2026, 1, 20))
    ben = tenancy.named_tenants()[1]
    _moratorium(tenancy, kind, date(2026, 1, 5), date(2026, 3, 5) if kind == STANDARD else None, debtor=ben)
    notice.refresh_from_db()
    assert notice.voided_on == date(2026, 1, 20)
    assert "5 January 2026" in notice.void_reason and "R-BS-12" in notice.void_reason
    case.refresh_from_db()
    assert case.nosp_served_on is None and case.nosp_expires_on is None
    assert Contact.objects.filter(case=case, notes__contains="is void").exists()

    with pytest.raises(ValidationError, match="The notice is void"):
        legal_case_open(notice=notice, opened_by=officer)
    client.force_login(officer)
    page = " ".join(client.get(reverse("courts:notice", args=[notice.pk])).content.decode().split())
    assert "VOID since 20 January 2026" in page and "R-BS-12" in page and "Prepare a possession claim" not in page


def test_r_bs_12_a_claim_being_prepared_on_a_notice_found_void_is_closed_with_the_reason(tenancy, officer, today):
    today(SERVED)
    notice = _serve(tenancy, officer)
    legal_case = legal_case_open(notice=notice, opened_by=officer)
    today(date(2026, 1, 20))
    _moratorium(tenancy, STANDARD, date(2026, 1, 5), date(2026, 3, 5))
    legal_case.refresh_from_db()
    assert legal_case.status == LegalCase.Status.CLOSED
    assert legal_case.closed_on == date(2026, 1, 20)
    assert legal_case.closed_reason == "The notice of 7 January 2026 is void"


def test_r_bs_12_a_moratorium_that_began_after_service_leaves_the_notice_alone(tenancy, officer, today):
    today(SERVED)
    notice = _serve(tenancy, officer)
    today(date(2026, 1, 20))
    _moratorium(tenancy, STANDARD, date(2026, 1, 8), date(2026, 3, 8))
    notice.refresh_from_db()
    assert notice.voided_on is None and notice.void_reason == ""
    assert ArrearsCase.objects.get(account__tenancy=tenancy).nosp_served_on == SERVED


def test_r_bs_12_a_void_notice_stays_void_when_the_moratorium_later_stops_covering_the_day(tenancy, officer, today):
    today(SERVED)
    notice = _serve(tenancy, officer)
    today(date(2026, 1, 20))
    space = _moratorium(tenancy, STANDARD, date(2026, 1, 5), date(2026, 3, 5))
    _change(space, ended_on=date(2026, 1, 6), end_reason="cancelled", ends_on=date(2026, 1, 6))  # cancelled
    notice.refresh_from_db()
    assert notice.voided_on == date(2026, 1, 20)  # cautious: once found void, kept void


def test_r_bs_12_a_section_21_notice_is_not_barred_nor_voided(tenancy, officer, today):
    tenancy.tenure_type = TenureType.AST
    tenancy.save(update_fields=["tenure_type"])
    today(SERVED)
    _moratorium(tenancy, STANDARD, date(2026, 1, 5), date(2026, 3, 5))
    with pytest.raises(ValidationError, match="R-BS-12"):
        _serve(tenancy, officer, notice_code="assured-s8")
    nrp = _serve(tenancy, officer, notice_code="s21")
    _moratorium(tenancy, CRISIS, date(2026, 1, 6), None)  # another recorded later, covering the day too
    nrp.refresh_from_db()
    assert nrp.voided_on is None


# R-BS-13: claims, warrants, evictions; R-BS-03: joint debtors.


@pytest.mark.parametrize("kind", [STANDARD, CRISIS])
def test_r_bs_13_no_claim_is_issued_during_a_moratorium_and_it_may_be_once_it_ends(tenancy, officer, today, kind):
    legal_case = _claim_pack_made_on_2_march_2026(tenancy, officer, today)
    space = _moratorium(tenancy, kind, date(2026, 3, 3), date(2026, 5, 1) if kind == STANDARD else None)
    today(date(2026, 3, 10))
    with pytest.raises(ValidationError, match=r"issuing a possession claim is not allowed while it lasts"):
        _issue(legal_case, officer, date(2026, 3, 10))
    with pytest.raises(ValidationError, match=r"producing a claim pack"):
        claim_pack_make(legal_case=legal_case, made_by=officer)
    assert {item.key: item.status for item in gate(legal_case)}["breathing_space"] == "not_met"
    _ended(space, kind, date(2026, 5, 1))
    today(date(2026, 5, 4))
    _issue(legal_case, officer, date(2026, 5, 4))
    legal_case.refresh_from_db()
    assert legal_case.claim_issued_on == date(2026, 5, 4)


@pytest.mark.parametrize("kind", [STANDARD, CRISIS])
def test_r_bs_03_r_bs_13_one_joint_tenants_moratorium_holds_a_claim_for_the_tenancy(tenancy, officer, today, kind):
    today(SERVED)
    notice = _serve(tenancy, officer)
    ben = tenancy.named_tenants()[1]
    today(date(2026, 3, 2))
    legal_case = _claim_ready(notice, officer)
    space = _moratorium(tenancy, kind, date(2026, 3, 3), date(2026, 5, 1) if kind == STANDARD else None, debtor=ben)
    today(date(2026, 3, 10))
    with pytest.raises(ValidationError, match=r"approving a possession claim"):
        _approve(legal_case)
    legal_case.status = legal_case.Status.CLOSED
    legal_case.save(update_fields=["status"])
    with pytest.raises(ValidationError, match=r"preparing a possession claim"):
        legal_case_open(notice=notice, opened_by=officer)
    _ended(space, kind, date(2026, 5, 1))
    today(date(2026, 5, 4))
    _approve(_claim_ready(notice, officer))


@pytest.mark.parametrize("kind", [STANDARD, CRISIS])
def test_r_bs_13_the_hearing_goes_on_but_no_warrant_or_eviction_while_a_moratorium_lasts(tenancy, officer, today, kind):
    legal_case = _claim_pack_made_on_2_march_2026(tenancy, officer, today)
    _issue(legal_case, officer, date(2026, 3, 2))
    hearing, _ = hearing_record(legal_case=legal_case, hearing_on=date(2026, 4, 6), papers_served_on=date(2026, 3, 5),
                                recorded_by=officer)  # fmt: skip
    ben = tenancy.named_tenants()[1]
    space = _moratorium(tenancy, kind, date(2026, 3, 20), date(2026, 6, 20) if kind == STANDARD else None, debtor=ben)
    # Existing proceedings may continue to an order (reg 10(3)).
    today(date(2026, 4, 6))
    hearing_outcome_record(hearing=hearing, outcome=CourtOutcome.OUTRIGHT_ON_DATE, possession_on=date(2026, 4, 20),
                           recorded_by=officer)  # fmt: skip
    today(date(2026, 4, 21))
    check = warrant_position(hearing)
    assert not check.allowed and any("" in reason for reason in check.reasons)
    manager = user_with_role(Role.INCOME_MANAGER)
    with pytest.raises(ValidationError, match=r"asking for a warrant"):
        warrant_request(hearing=hearing, reason="No payment since the order; visits unanswered.", requested_by=officer)
    # Warrants at each later step, as if taken before the moratorium began.
    asked = Warrant.objects.create(legal_case=legal_case, hearing=hearing, form="N325", reason="Asked for before.",
                                   requested_by=officer)  # fmt: skip
    with pytest.raises(ValidationError, match=r"approving a warrant"):
        warrant_decide(warrant=asked, approved=True, notes="Every step taken.", decided_by=manager)
    approved = Warrant.objects.create(legal_case=legal_case, hearing=hearing, form="N325", reason="Approved before.",
                                      requested_by=officer, status=WarrantStatus.APPROVED)  # fmt: skip
    with pytest.raises(ValidationError, match=r"applying for a warrant"):
        warrant_applied_record(warrant=approved, applied_on=date(2026, 4, 21), recorded_by=officer)
    applied = Warrant.objects.create(legal_case=legal_case, hearing=hearing, form="N325", reason="Applied before.",
                                     requested_by=officer, status=WarrantStatus.APPLIED,
                                     applied_on=date(2026, 3, 19))  # fmt: skip
    with pytest.raises(ValidationError, match=r"booking an eviction"):
        eviction_book(warrant=applied, scheduled_on=date(2026, 9, 1), recorded_by=officer)  # booked during it

    _ended(space, kind, date(2026, 6, 20))
    today(date(2026, 6, 22))
    assert warrant_position(hearing).allowed
    warrant_decide(warrant=asked, approved=True, notes="Every step taken.", decided_by=manager)
    warrant_applied_record(warrant=approved, applied_on=date(2026, 6, 22), recorded_by=officer)
    eviction = eviction_book(warrant=applied, scheduled_on=date(2026, 7, 15), recorded_by=officer)
    assert eviction.scheduled_on == date(2026, 7, 15)


# R-BS-14: deadlines.


def test_r_bs_14_a_lapse_date_inside_a_standard_moratorium_moves_and_moves_again_when_it_ends_early(
    tenancy, officer, today, client
):
    today(SERVED)
    notice = _serve(tenancy, officer)
    assert notice.lapses_on == LAPSES
    today(date(2027, 1, 20))
    space = _moratorium(tenancy, STANDARD, date(2027, 1, 20), date(2027, 3, 21))
    moved, why = notice_lapse(notice)
    assert moved == date(2027, 5, 16)  # 8 weeks after Sunday 21 March 2027
    assert "moved from 9 February 2027" in why and "8 weeks after that ends" in why
    _change(space, ended_on=date(2027, 2, 28), end_reason="ended_early", ends_on=date(2027, 2, 28))
    assert notice_lapse(notice)[0] == date(2027, 4, 25)  # 8 weeks after Sunday 28 February 2027
    notice.refresh_from_db()
    assert notice.lapses_on == LAPSES and notice.voided_on is None  # the statutory date is kept, never rewritten
    assert ArrearsCase.objects.get(account__tenancy=tenancy).nosp_expires_on == LAPSES

    # After the original date but before the moved one, once the moratorium has ended, a claim may be issued.
    today(date(2027, 4, 20))
    legal_case = _claim_ready(notice, officer)
    _approve(legal_case)
    notice_item = next(item for item in gate(legal_case) if item.key == "notice")
    assert notice_item.passed and "25 April 2027" in notice_item.evidence and "8 weeks after" in notice_item.evidence
    client.force_login(officer)
    page = " ".join(client.get(reverse("courts:notice", args=[notice.pk])).content.decode().split())
    assert "Sunday 25 April 2027" in page and "Tuesday 9 February 2027" in page
    claim_pack_make(legal_case=legal_case, made_by=officer)
    today(date(2027, 4, 26))
    assert "lapsed on 25 April 2027" in next(item for item in gate(legal_case) if item.key == "notice").evidence
    with pytest.raises(ValidationError, match=r"The notice lapsed on 25 April 2027 \(moved from 9 February 2027"):
        _issue(legal_case, officer, date(2027, 4, 26))
    _issue(legal_case, officer, date(2027, 4, 23))


def test_r_bs_14_a_lapse_date_inside_a_crisis_moratorium_is_unknown_until_the_treatment_end_is_recorded(
    tenancy, officer, today
):
    today(SERVED)
    notice = _serve(tenancy, officer)
    today(date(2027, 1, 20))
    space = _moratorium(tenancy, CRISIS, date(2027, 1, 20), None)
    moved, why = notice_lapse(notice)
    assert moved is None and "not yet known" in why and "8 weeks after that ends" in why
    today(date(2027, 2, 15))
    with pytest.raises(ValidationError, match=r"R-BS-13"):
        legal_case_open(notice=notice, opened_by=officer)
    _change(space, treatment_ended_on=date(2027, 3, 1), ends_on=date(2027, 3, 31))
    assert notice_lapse(notice)[0] == date(2027, 5, 26)  # 8 weeks after Wednesday 31 March 2027


def test_r_bs_14_a_section_21_notice_keeps_its_own_date(tenancy, officer, today):
    tenancy.tenure_type = TenureType.AST
    tenancy.save(update_fields=["tenure_type"])
    today(SERVED)
    nrp = _serve(tenancy, officer, notice_code="s21")
    today(date(2026, 7, 1))
    _moratorium(tenancy, STANDARD, date(2026, 6, 1), date(2026, 7, 30))
    assert notice_lapse(nrp) == (nrp.lapses_on, "")  # not a step to enforce the moratorium debt
