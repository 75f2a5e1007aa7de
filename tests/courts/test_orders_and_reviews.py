"""Hard limits on possession claims and orders (issue 15, items 5, 6, 7 and 9), from the legal spec's text and dates:

- R-INT-03: on an introductory tenancy's s128 notice, a review asked for within 14 days must be decided, upheld and
  notified before the date in the notice, and no claim goes ahead while the tenant may still ask: no override, role or
  approval lifts it;
- R-LIC-01 / R-LIC-02: a licence's notice to quit takes effect at least 4 weeks after service on a period boundary; an
  excluded licence is ended by its notice, so no possession claim can be opened on it;
- R-AST-01 (§12.4): Ground 8 must be met at service and at the hearing: weekly rent £100, arrears £800 at service
  (met), £790 at the hearing (not met): an outright order on the mandatory ground is refused, the discretionary
  grounds remain;
- R-SEC-06 / §4.3: an order's terms become a court agreement with the order's own first payment date and conditions;
  a claim struck out, stayed or withdrawn is closed with its date and leaves the court stage."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone

from arrears.constants import AgreementState, AgreementType
from arrears.models import Agreement, ArrearsCase
from arrears.selectors import worklist
from courts.claims import claim_pack_make, gate_override, legal_case_decide, legal_case_open
from courts.constants import CourtOutcome
from courts.court import claim_issue_record, hearing_outcome_record, hearing_record
from courts.models import LegalCase
from courts.planner import notice_plan
from courts.services import intro_review_record
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.services import Posting, transactions_post
from tenancies.constants import RentPeriod, TenureType
from tests.courts.possession import claim_heard, claim_pack_made, notice_served_by_hand
from tests.factories import TenancyFactory, rent_debited_weekly, user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("law", "media")]

D = Decimal


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _tenancy(reference, tenure, *, weeks=16, last_debit=None, **fields):
    """A tenancy owing `weeks` weekly debits of £100.00, the newest on `last_debit` (default today)."""
    tenancy = TenancyFactory(payment_reference=reference, tenure_type=tenure, **fields)
    return tenancy, rent_debited_weekly(tenancy, weeks_ago=range(weeks), back_from=last_debit)


def _override(legal_case):
    gate_override(legal_case=legal_case, overridden_by=user_with_role(Role.INCOME_MANAGER),
                  reason="Legal advised issuing now; the tenants have not engaged for months.")  # fmt: skip


# ---- R-INT-02 / R-INT-03: introductory tenancies ------------------------------------------------------------------


@pytest.fixture
def intro():
    tenancy, _ = _tenancy("RW950001", TenureType.INTRO)
    officer = user_with_role(Role.INCOME_OFFICER)
    served = timezone.localdate() - timedelta(weeks=6)
    notice = notice_served_by_hand(tenancy, "intro-s128", served, officer)
    legal_case = legal_case_open(notice=notice, opened_by=officer)
    return {"notice": notice, "case": legal_case, "officer": officer, "served": served}


def test_r_int_03_an_undecided_review_blocks_approval_and_the_pack_even_after_an_income_managers_override(intro):
    notice, legal_case, officer = intro["notice"], intro["case"], intro["officer"]
    intro_review_record(notice=notice, requested_on=intro["served"] + timedelta(days=3), decision_on=None,
                        upheld=None, recorded_by=officer)  # fmt: skip
    legal_case.notice.refresh_from_db()
    _override(legal_case)
    manager = user_with_role(Role.INCOME_MANAGER)
    with pytest.raises(
        ValidationError, match=r"asked for a review on .*no claim can go ahead .*the date in the notice\. Record"
    ):
        legal_case_decide(legal_case=legal_case, approved=True, notes="", decided_by=manager)
    with pytest.raises(ValidationError, match=r"no claim can go ahead until it is decided"):
        claim_pack_make(legal_case=legal_case, made_by=manager)
    legal_case.refresh_from_db()
    assert legal_case.claim_pack is None and not legal_case.approvals.exists()


def test_r_int_03_no_claim_while_the_tenant_may_still_ask_for_a_review(media):
    tenancy, _ = _tenancy("RW950002", TenureType.INTRO)
    officer = user_with_role(Role.INCOME_OFFICER)
    served = timezone.localdate() - timedelta(days=5)  # 14 days beginning with service: the window is open
    notice = notice_served_by_hand(tenancy, "intro-s128", served, officer)
    legal_case = legal_case_open(notice=notice, opened_by=officer)  # preparing may start
    _override(legal_case)
    with pytest.raises(ValidationError, match=f"may ask for a review .* until {notice.review_by:%-d %B %Y}"):
        legal_case_decide(
            legal_case=legal_case, approved=True, notes="", decided_by=user_with_role(Role.INCOME_MANAGER)
        )


def test_r_int_03_a_claim_cannot_be_issued_when_the_review_was_not_upheld_or_was_notified_on_the_date(intro):
    notice, legal_case, officer = intro["notice"], intro["case"], intro["officer"]
    asked = intro["served"] + timedelta(days=3)
    intro_review_record(notice=notice, requested_on=asked, decision_on=intro["served"] + timedelta(days=20),
                        upheld=True, recorded_by=officer)  # fmt: skip
    legal_case.notice.refresh_from_db()
    _override(legal_case)
    legal_case_decide(legal_case=legal_case, approved=True, notes="", decided_by=user_with_role(Role.INCOME_MANAGER))
    claim_pack_make(legal_case=legal_case, made_by=officer)
    today = timezone.localdate()
    assert today > notice.earliest_proceedings_on  # the date in the notice has passed

    intro_review_record(notice=notice, requested_on=asked, decision_on=intro["served"] + timedelta(days=20),
                        upheld=False, recorded_by=officer)  # fmt: skip
    legal_case.notice.refresh_from_db()
    with pytest.raises(ValidationError, match=r"did not uphold .*no claim can follow"):
        claim_issue_record(legal_case=legal_case, issued_on=today, court_name="Bristol", claim_number="K1",
                           recorded_by=user_with_role(Role.INCOME_MANAGER))  # fmt: skip
    # "before the date specified in the notice" (s129(6)): a decision notified on that date is too late.
    intro_review_record(notice=notice, requested_on=asked, decision_on=notice.earliest_proceedings_on, upheld=True,
                        recorded_by=officer)  # fmt: skip
    legal_case.notice.refresh_from_db()
    with pytest.raises(ValidationError, match=r"not before .*the date in the notice.*Serve a new notice"):
        claim_issue_record(legal_case=legal_case, issued_on=today, court_name="Bristol", claim_number="K1",
                           recorded_by=officer)  # fmt: skip
    assert LegalCase.objects.get(pk=legal_case.pk).claim_issued_on is None


def test_r_int_02_a_claim_is_issued_only_after_the_date_in_the_notice_once_the_review_is_upheld(intro):
    notice, legal_case, officer = intro["notice"], intro["case"], intro["officer"]
    intro_review_record(notice=notice, requested_on=intro["served"] + timedelta(days=3),
                        decision_on=intro["served"] + timedelta(days=20), upheld=True, recorded_by=officer)  # fmt: skip
    legal_case.notice.refresh_from_db()
    _override(legal_case)
    legal_case_decide(legal_case=legal_case, approved=True, notes="", decided_by=user_with_role(Role.INCOME_MANAGER))
    claim_pack_make(legal_case=legal_case, made_by=officer)
    with pytest.raises(ValidationError, match="Proceedings may not begin until after"):
        claim_issue_record(legal_case=legal_case, issued_on=notice.earliest_proceedings_on, court_name="Bristol",
                           claim_number="K1", recorded_by=officer)  # fmt: skip
    claim_issue_record(legal_case=legal_case, issued_on=notice.earliest_proceedings_on + timedelta(days=1),
                       court_name="Bristol", claim_number="K1", recorded_by=officer)  # fmt: skip


# ---- R-LIC-01 / R-LIC-02: licences --------------------------------------------------------------------------------


def test_r_lic_02_no_possession_claim_can_be_opened_on_an_excluded_licence():
    tenancy, _ = _tenancy("RW950003", TenureType.EXCL_LICENCE)
    notice = notice_served_by_hand(tenancy, "excluded-licence", timezone.localdate() - timedelta(weeks=6),
                    user_with_role(Role.INCOME_OFFICER))  # fmt: skip
    with pytest.raises(ValidationError, match=r"no court order is needed"):
        legal_case_open(notice=notice, opened_by=user_with_role(Role.INCOME_MANAGER))
    assert not LegalCase.objects.filter(tenancy=tenancy).exists()


def test_r_lic_01_a_weekly_licence_notice_to_quit_takes_effect_after_4_weeks_on_a_period_boundary():
    # A weekly licence beginning on a Monday, served on Wednesday 7 January 2026 (the spec's §12.2 dates).
    tenancy, _ = _tenancy("RW950004", TenureType.LICENCE, start_date=date(2024, 4, 1), last_debit=date(2026, 1, 5))
    served = date(2026, 1, 7)
    option = next(o for o in notice_plan(tenancy=tenancy, served_on=served).options if o.spec.code == "licence-ntq")
    takes_effect = option.earliest_proceedings
    assert takes_effect >= served + timedelta(weeks=4)
    days_into_period = (takes_effect - tenancy.start_date).days % 7
    assert days_into_period in (0, 6)  # the first (Monday) or last (Sunday) day of a weekly period
    assert takes_effect in (date(2026, 2, 8), date(2026, 2, 9))
    assert option.spec.court_order_needed and "court" in option.spec.prescribed_information.lower()


def test_r_lic_01_a_monthly_licence_notice_to_quit_runs_a_whole_period_and_ends_on_a_boundary():
    tenancy, _ = _tenancy("RW950005", TenureType.LICENCE, start_date=date(2024, 4, 15), rent_period=RentPeriod.MONTHLY,
                          last_debit=date(2026, 1, 15))  # fmt: skip
    served = date(2026, 1, 20)
    option = next(o for o in notice_plan(tenancy=tenancy, served_on=served).options if o.spec.code == "licence-ntq")
    takes_effect = option.earliest_proceedings
    assert takes_effect >= served + timedelta(weeks=4) and takes_effect >= served + relativedelta(months=1)
    assert takes_effect.day in (15, 14)  # the first day of a monthly period (the 15th) or the last (the 14th)
    assert takes_effect <= date(2026, 3, 15)


# ---- R-AST-01: Ground 8 at the hearing ------------------------------------------------------------------------------


def _assured_claim(reference, *, paid_after_service: str | None):
    """An assured tenancy (housing association, Form 3): weekly rent £100 and 8 weeks unpaid (£800) when the section 8
    notice was served 6 weeks ago; `paid_after_service` paid since; claim issued and heard yesterday."""
    today = timezone.localdate()
    served = today - timedelta(weeks=6)
    tenancy, account = _tenancy(reference, TenureType.ASSURED, weeks=8, last_debit=served)
    officer = user_with_role(Role.INCOME_OFFICER)
    notice = notice_served_by_hand(tenancy, "assured-s8", served, officer)
    if paid_after_service:
        transactions_post(postings=[Posting(account.pk, TransactionType.PAYMENT, -D(paid_after_service),
                                            served + timedelta(days=7), f"{reference}:paid")])  # fmt: skip
    legal_case = claim_pack_made(notice, officer, approver_role=Role.INCOME_MANAGER)
    hearing = claim_heard(legal_case, officer, issued_on=today - timedelta(days=20),
                          hearing_on=today - timedelta(days=1), claim_number="K8")  # fmt: skip
    return {"notice": notice, "case": legal_case, "hearing": hearing, "officer": officer, "account": account}


def test_r_ast_01_ground_8_met_at_service_but_not_at_the_hearing_refuses_an_outright_mandatory_order(client):
    claim = _assured_claim("RW950006", paid_after_service="10.00")
    notice, hearing, officer = claim["notice"], claim["hearing"], claim["officer"]
    at_service = next(item for item in notice.serious_arrears if item["ground"] == "HA1988-8")
    assert at_service["met"] and D(at_service["counted"]) == D("800.00")

    client.force_login(officer)  # the page shows the figures before the officer chooses
    page = " ".join(client.get(f"/legal/cases/{claim['case'].pk}/").content.decode().split())
    for expected in ("£790.00", "£800.00", "Not met: £10.00 short", "Proceed on Ground 10 and Ground 11 only"):
        assert expected in page, expected

    with pytest.raises(ValidationError) as refused:
        hearing_outcome_record(hearing=hearing, outcome=CourtOutcome.OUTRIGHT_FORTHWITH, mandatory_ground=True,
                               recorded_by=officer)  # fmt: skip
    message = refused.value.messages[0]
    assert (
        f"Ground 8 is not met at the hearing on {hearing.hearing_on:%-d %B %Y}: rent arrears £790.00 against a "
        "threshold of £800.00 (8 weeks' rent at £100.00 a week), £10.00 short." in message
    )
    assert "proceed on Ground 10 and Ground 11 only" in message
    hearing.refresh_from_db()
    assert hearing.outcome == ""

    possession_on = hearing.hearing_on + timedelta(days=28)
    hearing_outcome_record(hearing=hearing, outcome=CourtOutcome.OUTRIGHT_ON_DATE, possession_on=possession_on,
                           mandatory_ground=False, recorded_by=officer)  # fmt: skip
    hearing.refresh_from_db()
    assert hearing.outcome == CourtOutcome.OUTRIGHT_ON_DATE and not hearing.mandatory_ground
    figures = hearing.ground8_at_hearing
    assert (figures["met"], figures["counted"], figures["threshold"], figures["margin"]) == (
        False, "790.00", "800.00", "-10.00",
    )  # fmt: skip


def test_r_ast_01_ground_8_met_at_service_and_at_the_hearing_allows_the_outright_mandatory_order():
    claim = _assured_claim("RW950007", paid_after_service=None)
    hearing = claim["hearing"]
    hearing_outcome_record(hearing=hearing, outcome=CourtOutcome.OUTRIGHT_FORTHWITH, mandatory_ground=True,
                           recorded_by=claim["officer"])  # fmt: skip
    hearing.refresh_from_db()
    assert hearing.mandatory_ground and hearing.ground8_at_hearing["met"] is True
    assert hearing.ground8_at_hearing["counted"] == "800.00"


def test_r_ast_01_a_suspended_order_on_the_discretionary_grounds_is_allowed_when_ground_8_fails():
    claim = _assured_claim("RW950008", paid_after_service="10.00")
    hearing_outcome_record(hearing=claim["hearing"], outcome=CourtOutcome.SUSPENDED, terms_amount=D("5.00"),
                           recorded_by=claim["officer"])  # fmt: skip
    assert Agreement.objects.filter(case__account=claim["account"], agreement_type=AgreementType.COURT).exists()


def _secure_claim_heard_today(reference, claim_number):
    """A secure tenancy owing 16 weeks' rent, its NOSP served 10 weeks ago, the claim issued 4 weeks ago and heard
    today."""
    tenancy, account = _tenancy(reference, TenureType.SECURE)
    officer = user_with_role(Role.INCOME_OFFICER)
    today = timezone.localdate()
    notice = notice_served_by_hand(tenancy, "secure-nosp", today - timedelta(weeks=10), officer)
    legal_case = claim_pack_made(notice, officer, approver_role=Role.INCOME_MANAGER)
    hearing = claim_heard(
        legal_case, officer, issued_on=today - timedelta(weeks=4), hearing_on=today, claim_number=claim_number
    )
    return {"case": legal_case, "hearing": hearing, "officer": officer, "account": account}


def test_a_notice_with_no_mandatory_ground_cannot_carry_an_outright_mandatory_order(settings):
    claim = _secure_claim_heard_today("RW950009", "K9")
    hearing, officer = claim["hearing"], claim["officer"]
    with pytest.raises(ValidationError, match="gives no mandatory ground: record the order the court made on Ground 1"):
        hearing_outcome_record(hearing=hearing, outcome=CourtOutcome.OUTRIGHT_FORTHWITH, mandatory_ground=True,
                               recorded_by=officer)  # fmt: skip


# ---- R-SEC-06 and §4.3: orders as agreements; claims that end ------------------------------------------------------


@pytest.fixture
def secure_claim():
    return _secure_claim_heard_today("RW950010", "K10")


def test_r_sec_06_a_suspended_order_becomes_a_court_agreement_with_its_own_first_payment_date_and_terms(secure_claim):
    hearing, officer = secure_claim["hearing"], secure_claim["officer"]
    first = hearing.hearing_on + timedelta(days=10)
    with pytest.raises(ValidationError, match="cannot be due before the hearing"):
        hearing_outcome_record(hearing=hearing, outcome=CourtOutcome.SUSPENDED, terms_amount=D("12.50"),
                               terms_first_payment_on=hearing.hearing_on - timedelta(days=1),
                               recorded_by=officer)  # fmt: skip
    hearing_outcome_record(hearing=hearing, outcome=CourtOutcome.SUSPENDED, terms_amount=D("12.50"),
                           terms="Suspended while the defendant pays the rent plus £12.50 a week.",
                           terms_first_payment_on=first, recorded_by=officer)  # fmt: skip
    hearing.refresh_from_db()
    assert hearing.terms_first_payment_on == first
    agreement = Agreement.objects.get(case__account=secure_claim["account"], agreement_type=AgreementType.COURT)
    assert (agreement.first_due_on, agreement.amount, agreement.starts_on) == (first, D("12.50"), hearing.hearing_on)
    assert agreement.terms == "Suspended while the defendant pays the rent plus £12.50 a week."


@pytest.mark.parametrize("outcome", [CourtOutcome.STRUCK_OUT, CourtOutcome.STAYED, CourtOutcome.WITHDRAWN,
                                     CourtOutcome.DISMISSED])  # fmt: skip
def test_a_claim_that_ends_is_closed_with_its_date_and_leaves_the_court_stage(secure_claim, outcome):
    hearing, officer, account = secure_claim["hearing"], secure_claim["officer"], secure_claim["account"]
    today = timezone.localdate()
    case = ArrearsCase.objects.get(account=account)
    assert case.court_date == today and case in worklist(tab="court", as_of=today)
    hearing_outcome_record(hearing=hearing, outcome=outcome, recorded_by=officer)
    legal_case = LegalCase.objects.get(pk=secure_claim["case"].pk)
    assert legal_case.status == LegalCase.Status.CLOSED and legal_case.closed_on == hearing.hearing_on
    assert legal_case.closed_reason == f"{CourtOutcome(outcome).label} on {hearing.hearing_on:%-d %B %Y}"
    case.refresh_from_db()
    assert (case.court_date, case.court_outcome) == (None, "")
    assert case not in worklist(tab="court", as_of=today)


def test_an_adjournment_on_terms_ends_with_the_claim_struck_out_later(secure_claim):
    hearing, officer, account = secure_claim["hearing"], secure_claim["officer"], secure_claim["account"]
    hearing_outcome_record(hearing=hearing, outcome=CourtOutcome.ADJOURNED_ON_TERMS, terms_amount=D("5.00"),
                           recorded_by=officer)  # fmt: skip
    agreement = Agreement.objects.get(case__account=account, agreement_type=AgreementType.COURT)
    assert agreement.state == AgreementState.LIVE
    later, _ = hearing_record(legal_case=secure_claim["case"], hearing_on=hearing.hearing_on, papers_served_on=None,
                              recorded_by=officer)  # fmt: skip
    hearing_outcome_record(hearing=later, outcome=CourtOutcome.STRUCK_OUT, recorded_by=officer)
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.CANCELLED
    assert agreement.state_changes.last().note.startswith("Claim struck out on")


def test_the_outcome_form_takes_the_orders_first_payment_date_and_shows_a_refusal_with_its_figures(client):
    claim = _assured_claim("RW950011", paid_after_service="10.00")
    hearing, officer = claim["hearing"], claim["officer"]
    client.force_login(officer)
    url = f"/legal/cases/{claim['case'].pk}/"
    base = {"record_outcome": "1", "hearing_id": hearing.pk}
    page = client.post(url, {**base, "outcome": CourtOutcome.OUTRIGHT_FORTHWITH, "mandatory_ground": "on"})
    assert page.status_code == 400
    text = " ".join(page.content.decode().split())
    assert "rent arrears £790.00 against a threshold of £800.00" in text and "£10.00 short" in text
    first = hearing.hearing_on + timedelta(days=7)
    page = client.post(url, {**base, "outcome": CourtOutcome.SUSPENDED, "terms_amount": "7.50",
                             "terms_first_payment_on_0": first.day, "terms_first_payment_on_1": first.month,
                             "terms_first_payment_on_2": first.year}, follow=True)  # fmt: skip
    assert "Outcome recorded" in page.content.decode()
    agreement = Agreement.objects.get(case__account=claim["account"], agreement_type=AgreementType.COURT)
    assert (agreement.first_due_on, agreement.amount) == (first, D("7.50"))
    assert f"the first payment due {first:%-d %B %Y}" in " ".join(page.content.decode().split())


@pytest.mark.parametrize("outcome", [CourtOutcome.WITHDRAWN, CourtOutcome.STAYED, CourtOutcome.STRUCK_OUT])
def test_a_claim_withdrawn_stayed_or_struck_out_between_hearings_is_closed_with_its_date(secure_claim, outcome):
    from courts.court import claim_end_record

    officer, account, legal_case = secure_claim["officer"], secure_claim["account"], secure_claim["case"]
    legal_case.refresh_from_db()
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="cannot be in the future"):
        claim_end_record(
            legal_case=legal_case, outcome=outcome, ended_on=today + timedelta(days=1), recorded_by=officer
        )
    with pytest.raises(ValidationError, match="cannot end before"):
        claim_end_record(
            legal_case=legal_case,
            outcome=outcome,
            ended_on=legal_case.claim_issued_on - timedelta(days=1),
            recorded_by=officer,
        )
    with pytest.raises(ValidationError, match="withdrawn, stayed or struck out"):
        claim_end_record(legal_case=legal_case, outcome=CourtOutcome.DISMISSED, ended_on=today, recorded_by=officer)
    claim_end_record(legal_case=legal_case, outcome=outcome, ended_on=today, recorded_by=officer)
    legal_case.refresh_from_db()
    assert legal_case.status == LegalCase.Status.CLOSED and legal_case.closed_on == today
    assert legal_case.closed_reason == f"{CourtOutcome(outcome).label} on {today:%-d %B %Y}"
    case = ArrearsCase.objects.get(account=account)
    assert (case.court_date, case.court_outcome) == (None, "")
    assert case not in worklist(tab="court", as_of=today)
    with pytest.raises(ValidationError, match="already ended"):
        claim_end_record(legal_case=legal_case, outcome=outcome, ended_on=today, recorded_by=officer)


def test_the_claim_page_records_a_claim_withdrawn_without_a_hearing_and_explains_a_missing_choice(secure_claim, client):
    officer, legal_case = secure_claim["officer"], secure_claim["case"]
    today = timezone.localdate()
    client.force_login(officer)
    url = f"/legal/cases/{legal_case.pk}/"
    dated = {"ended_on_0": today.day, "ended_on_1": today.month, "ended_on_2": today.year}
    page = client.post(url, {"claim_end": "1", **dated})
    assert page.status_code == 400
    text = " ".join(page.content.decode().split())
    assert "govuk-error-summary" in text and "Choose how the claim ended" in text
    assert f'value="{today.day}"' in text  # what was typed is kept
    page = client.post(url, {"claim_end": "1", "outcome": "withdrawn", **dated}, follow=True)
    text = " ".join(page.content.decode().split())
    assert "the claim has ended and the arrears case has left the court stage" in text
    assert LegalCase.objects.get(pk=legal_case.pk).status == LegalCase.Status.CLOSED
