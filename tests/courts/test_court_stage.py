"""The court stage end to end in services: claim issued within the notice's window, a hearing with its warnings, a
suspended order whose terms become a court agreement, the N325A warrant with its statement of payments, approval by
someone else, the eviction and its outcome; and an excluded licence's eviction without a court."""

import io
import re
from datetime import timedelta
from decimal import Decimal

import pypdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from arrears.constants import AgreementState, AgreementType
from arrears.models import Agreement, ArrearsCase
from courts.claims import legal_case_open
from courts.constants import CourtOutcome, EvictionOutcome
from courts.court import (
    claim_issue_record,
    eviction_book,
    eviction_outcome_record,
    hearing_outcome_record,
    hearing_record,
    warrant_applied_record,
    warrant_decide,
    warrant_request,
)
from courts.models import LegalCase
from incomeapp.constants import Role
from rentaccounts.selectors import sum_amounts
from tenancies.constants import TenureType
from tests.courts.possession import claim_heard, claim_pack_made, notice_served_by_hand
from tests.factories import TenancyFactory, rent_debited_weekly, user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("law")]


def _owing(reference, tenure=TenureType.SECURE, weeks=16):
    tenancy = TenancyFactory(payment_reference=reference, tenure_type=tenure)
    return tenancy, rent_debited_weekly(tenancy, weeks_ago=range(weeks))


@pytest.fixture
def claim(settings, tmp_path):
    """A secure tenancy whose NOSP was served 10 weeks ago and whose claim pack has been produced."""
    settings.MEDIA_ROOT = tmp_path
    tenancy, account = _owing("RW970001")
    officer = user_with_role(Role.INCOME_OFFICER)
    notice = notice_served_by_hand(tenancy, "secure-nosp", timezone.localdate() - timedelta(weeks=10), officer)
    legal_case = claim_pack_made(notice, officer)
    return {"case": legal_case, "officer": officer, "account": account, "tenancy": tenancy}


def test_a_suspended_order_becomes_a_court_agreement_and_its_breach_leads_to_an_n325a_warrant(claim):
    legal_case, officer, account = claim["case"], claim["officer"], claim["account"]
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="Proceedings may not begin until after"):
        claim_issue_record(legal_case=legal_case, issued_on=legal_case.notice.earliest_proceedings_on,
                           court_name="Bristol", claim_number="K00BS123", recorded_by=officer)  # fmt: skip
    issued = today - timedelta(weeks=4)
    claim_issue_record(legal_case=legal_case, issued_on=issued, court_name="Bristol County Court",
                       claim_number="K00BS123", recorded_by=officer)  # fmt: skip
    hearing, warnings = hearing_record(legal_case=legal_case, hearing_on=issued + timedelta(days=21),
                                       papers_served_on=issued + timedelta(days=2), recorded_by=officer)  # fmt: skip
    assert "21 days after the claim was issued: it should be at least 28" in warnings[0]
    assert "served 19 days before the hearing" in warnings[1]
    case = ArrearsCase.objects.get(account=account)
    assert case.court_date == hearing.hearing_on and case.court_outcome == ""

    with pytest.raises(ValidationError, match="needs the weekly amount"):
        hearing_outcome_record(hearing=hearing, outcome=CourtOutcome.SUSPENDED, recorded_by=officer)
    hearing_outcome_record(hearing=hearing, outcome=CourtOutcome.SUSPENDED, recorded_by=officer,
                           terms_amount=Decimal("10.00"), terms="Current rent plus £10 a week.")  # fmt: skip
    case.refresh_from_db()
    assert case.court_outcome == "suspended_possession"
    agreement = Agreement.objects.get(case=case, state=AgreementState.LIVE)
    assert agreement.agreement_type == AgreementType.COURT and agreement.amount == Decimal("10.00")

    with pytest.raises(ValidationError, match="being kept"):
        warrant_request(hearing=hearing, reason="Payments stopped in October.", requested_by=officer)
    Agreement.objects.filter(pk=agreement.pk).update(state=AgreementState.BREACHED)
    senior = user_with_role(Role.SENIOR_INCOME_OFFICER)
    warrant = warrant_request(
        hearing=hearing, reason="No payment since the order; two visits unanswered.", requested_by=senior
    )
    assert warrant.form == "N325A" and warrant.statement_of_payments is not None
    text = "\n".join(
        p.extract_text() for p in pypdf.PdfReader(io.BytesIO(warrant.statement_of_payments.pdf.read())).pages
    )
    printed = [Decimal(m.replace(",", "")) for m in re.findall(r"£(-?[\d,]+\.\d\d)\s*$", text, re.MULTILINE)]
    since = account.transactions.filter(effective_date__gte=hearing.hearing_on).order_by("effective_date", "id")
    running = sum_amounts(account.transactions.filter(effective_date__lt=hearing.hearing_on))
    expected = [running]
    for line in since:
        running += line.amount
        expected.append(running)
    assert printed[: len(expected)] == expected

    with pytest.raises(PermissionDenied, match="You do not have permission to approve warrants"):
        warrant_decide(warrant=warrant, approved=True, notes="", decided_by=officer)
    with pytest.raises(PermissionDenied, match="someone else must approve"):
        warrant_decide(warrant=warrant, approved=True, notes="", decided_by=senior)
    with pytest.raises(PermissionDenied, match="approved by a Income Manager \\(or someone more senior\\)"):
        warrant_decide(warrant=warrant, approved=True, notes="", decided_by=user_with_role(Role.SENIOR_INCOME_OFFICER))
    warrant_decide(
        warrant=warrant, approved=True, notes="Every step taken.", decided_by=user_with_role(Role.INCOME_MANAGER)
    )
    warrant_applied_record(warrant=warrant, applied_on=today, recorded_by=officer)
    eviction = eviction_book(warrant=warrant, scheduled_on=today + timedelta(days=14), recorded_by=officer)
    case.refresh_from_db()
    assert case.eviction_date == today + timedelta(days=14)
    eviction_outcome_record(eviction=eviction, outcome=EvictionOutcome.EVICTED, on=today, notes="Keys recovered.",
                            recorded_by=officer)  # fmt: skip
    assert LegalCase.objects.get(pk=legal_case.pk).status == LegalCase.Status.CLOSED


def test_mandatory_ground_limits_and_a_dismissal_closes_the_case(claim):
    legal_case, officer = claim["case"], claim["officer"]
    today = timezone.localdate()
    hearing = claim_heard(legal_case, officer, issued_on=today - timedelta(weeks=5),
                          hearing_on=today - timedelta(days=2), claim_number="K1")  # fmt: skip
    with pytest.raises(ValidationError, match="cannot suspend or postpone"):
        hearing_outcome_record(hearing=hearing, outcome=CourtOutcome.SUSPENDED, terms_amount=Decimal("5.00"),
                               mandatory_ground=True, recorded_by=officer)  # fmt: skip
    hearing_outcome_record(hearing=hearing, outcome=CourtOutcome.DISMISSED, recorded_by=officer)
    assert LegalCase.objects.get(pk=legal_case.pk).status == LegalCase.Status.CLOSED


def test_an_excluded_licence_is_ended_without_a_court_once_its_notice_has_run(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    tenancy, _ = _owing("RW970002", tenure=TenureType.EXCL_LICENCE)
    officer = user_with_role(Role.INCOME_OFFICER)
    notice = notice_served_by_hand(tenancy, "excluded-licence", timezone.localdate(), officer, signatory="P. Shah")
    with pytest.raises(ValidationError, match="The notice runs until"):
        eviction_book(notice=notice, scheduled_on=notice.earliest_proceedings_on, recorded_by=officer)
    eviction = eviction_book(notice=notice, scheduled_on=notice.earliest_proceedings_on + timedelta(days=1),
                             recorded_by=officer)  # fmt: skip
    assert eviction.warrant is None
    secure, _ = _owing("RW970003")
    nosp = notice_served_by_hand(secure, "secure-nosp", timezone.localdate(), officer, signatory="P. Shah")
    with pytest.raises(ValidationError, match="needs a court order and a warrant"):
        eviction_book(notice=nosp, scheduled_on=nosp.earliest_proceedings_on + timedelta(days=1), recorded_by=officer)


def test_the_legal_case_page_records_the_court_stage_and_the_diary_lists_what_is_coming(client, claim):
    legal_case, officer = claim["case"], claim["officer"]
    ArrearsCase.objects.filter(account=claim["account"]).update(officer=officer)
    client.force_login(officer)
    today = timezone.localdate()
    issued = today - timedelta(weeks=4)
    url = f"/legal/cases/{legal_case.pk}/"
    page = client.post(url, {"issue": "1", "issued_on_0": issued.day, "issued_on_1": issued.month,
                             "issued_on_2": issued.year, "court_name": "Bristol County Court",
                             "claim_number": "K00BS123"}, follow=True).content.decode()  # fmt: skip
    assert "The claim is recorded as issued." in page and "Claim K00BS123 issued" in page
    hearing_on = today + timedelta(days=7)
    page = client.post(url, {"hearing": "1", "hearing_on_0": hearing_on.day, "hearing_on_1": hearing_on.month,
                             "hearing_on_2": hearing_on.year}, follow=True).content.decode()  # fmt: skip
    assert "Hearing added. Check: The hearing is more than 8 weeks" not in page and "Hearing added." in page
    diary = client.get("/legal/diary/").content.decode()
    assert "RW970001" in diary and "Bristol County Court" in diary
    other = user_with_role(Role.INCOME_OFFICER)
    client.force_login(other)
    assert "RW970001" not in client.get("/legal/diary/").content.decode()
    assert "RW970001" in client.get("/legal/diary/", {"show": "all"}).content.decode()


def test_no_claim_after_the_notice_lapsed(claim):
    from courts.models import Notice

    legal_case, officer = claim["case"], claim["officer"]
    Notice.objects.filter(pk=legal_case.notice_id).update(lapses_on=timezone.localdate() - timedelta(days=1))
    legal_case.notice.refresh_from_db()
    with pytest.raises(ValidationError, match="The notice lapsed on"):
        claim_issue_record(legal_case=legal_case, issued_on=timezone.localdate(), court_name="Bristol",
                           claim_number="K2", recorded_by=officer)  # fmt: skip


def test_an_introductory_review_must_be_decided_and_upheld_before_the_date_in_the_notice(settings, tmp_path):
    from courts.claims import gate
    from courts.services import intro_review_record

    settings.MEDIA_ROOT = tmp_path
    tenancy, _ = _owing("RW970004", tenure=TenureType.INTRO)
    officer = user_with_role(Role.INCOME_OFFICER)
    served = timezone.localdate() - timedelta(weeks=6)
    notice = notice_served_by_hand(tenancy, "intro-s128", served, officer, signatory="P. Shah")
    assert notice.review_by == served + timedelta(days=13)
    legal_case = legal_case_open(notice=notice, opened_by=officer)

    def review_status():
        return next(item for item in gate(legal_case) if item.key == "intro_review")

    assert review_status().status == "not_applicable"  # no review asked for in the 14 days
    intro_review_record(notice=notice, requested_on=served + timedelta(days=3), decision_on=None, upheld=None,
                        recorded_by=officer)  # fmt: skip
    legal_case.notice.refresh_from_db()
    assert review_status().status == "not_met" and "decide it and notify" in review_status().evidence
    late = notice.earliest_proceedings_on + timedelta(days=1)
    intro_review_record(notice=notice, requested_on=served + timedelta(days=3), decision_on=late, upheld=True,
                        recorded_by=officer)  # fmt: skip
    legal_case.notice.refresh_from_db()
    assert review_status().status == "not_met" and "serve a new notice" in review_status().evidence
    intro_review_record(notice=notice, requested_on=served + timedelta(days=3), decision_on=served + timedelta(days=20),
                        upheld=True, recorded_by=officer)  # fmt: skip
    legal_case.notice.refresh_from_db()
    assert review_status().status == "met"
    with pytest.raises(ValidationError, match="Say whether the decision"):
        intro_review_record(notice=notice, requested_on=served, decision_on=served, upheld=None, recorded_by=officer)


def test_a_two_step_warrant_chain_needs_two_different_managers(claim, settings):
    settings.LEGAL_WARRANT_APPROVAL_CHAIN = ["Income Manager", "Income Manager"]
    legal_case, officer = claim["case"], claim["officer"]
    today = timezone.localdate()
    hearing = claim_heard(legal_case, officer, issued_on=today - timedelta(weeks=5),
                          hearing_on=today - timedelta(weeks=1), claim_number="K3")  # fmt: skip
    hearing_outcome_record(hearing=hearing, outcome=CourtOutcome.OUTRIGHT_FORTHWITH, recorded_by=officer)
    warrant = warrant_request(hearing=hearing, reason="Outright order; no contact since.", requested_by=officer)
    assert warrant.form == "N325"
    first, second = user_with_role(Role.INCOME_MANAGER), user_with_role(Role.INCOME_MANAGER)
    warrant = warrant_decide(warrant=warrant, approved=True, notes="", decided_by=first)
    assert warrant.status == "awaiting_approval"
    with pytest.raises(PermissionDenied, match="already approved this warrant"):
        warrant_decide(warrant=warrant, approved=True, notes="", decided_by=first)
    warrant = warrant_decide(warrant=warrant, approved=True, notes="", decided_by=second)
    assert warrant.status == "approved" and warrant.approvals.count() == 2
    assert legal_case.approvals.filter(warrant__isnull=True).count() == 1  # the claim's own approval is apart


def test_two_hearings_awaiting_outcomes_give_the_claim_page_no_repeated_ids(client, claim):
    legal_case = claim["case"]
    today = timezone.localdate()
    LegalCase.objects.filter(pk=legal_case.pk).update(claim_issued_on=today - timedelta(weeks=8))
    for days_ago in (14, 7):  # the first was adjourned without an outcome recorded yet
        legal_case.hearings.create(hearing_on=today - timedelta(days=days_ago))
    client.force_login(claim["officer"])
    page = client.get(f"/legal/cases/{legal_case.pk}/").content.decode()
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert page.count('name="record_outcome"') == 2
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
