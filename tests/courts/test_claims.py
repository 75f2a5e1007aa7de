"""The pre-action protocol gate, the approval chain and the claim pack: no pack while the gate fails (unless a manager
overrides it with a reason), never approved by the person who prepared it, and a schedule that matches the ledger to
the penny."""

import io
import re
from datetime import timedelta
from decimal import Decimal

import pypdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from arrears.constants import ContactKind, ContactOutcome, ReferralKind
from arrears.models import ArrearsCase, BenefitClaim, BreathingSpace, Contact, Referral, VulnerabilityReview
from courts.claims import (
    approvals_outstanding,
    claim_pack_make,
    gate,
    gate_confirm,
    gate_override,
    legal_case_decide,
    legal_case_open,
    legal_case_update,
)
from courts.protocol import gate_passes
from courts.services import notice_serve
from incomeapp.constants import Role
from rentaccounts.constants import TransactionType
from rentaccounts.selectors import sum_amounts
from rentaccounts.services import Posting, account_get_or_create, transactions_post
from rentaccounts.services.statements import statement_send
from tests.courts.possession import joint_secure_tenancy
from tests.factories import user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("law")]


@pytest.fixture
def served(settings, tmp_path):
    """A joint secure tenancy, 12 weeks behind with some payments, whose NOSP was served 5 weeks ago."""
    settings.MEDIA_ROOT = tmp_path
    officer = user_with_role(Role.INCOME_OFFICER)
    tenancy = joint_secure_tenancy("RW960001")
    account = account_get_or_create(tenancy=tenancy)
    today = timezone.localdate()
    postings = []
    for week in range(20):
        monday = today - timedelta(weeks=20 - week)
        postings.append(Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("100.00"), monday, f"r{week}"))
        if week % 3 == 0:
            postings.append(Posting(account.pk, TransactionType.PAYMENT, Decimal("-65.50"), monday, f"p{week}"))
    transactions_post(postings=postings)
    notice = notice_serve(
        tenancy=tenancy, notice_code="secure-nosp", served_on=today - timedelta(weeks=5), method="hand",
        signatory="Priya Shah, Income Manager", proof_of_service="By hand to Ada Lead, 10:15.", served_by=officer,
    )  # fmt: skip
    return {"tenancy": tenancy, "notice": notice, "officer": officer, "account": account}


def _complete_the_record(served):
    tenancy, officer = served["tenancy"], served["officer"]
    case = ArrearsCase.objects.get(account__tenancy=tenancy)
    today = timezone.localdate()
    for row in tenancy.tenancy_tenants.all():
        Contact.objects.create(case=case, person=row.person, kind=ContactKind.CALL, outcome=ContactOutcome.SPOKE,
                               occurred_on=today - timedelta(days=20), recorded_by=officer)  # fmt: skip
    statement_send(account=served["account"], date_from=today - timedelta(weeks=13), date_to=today, send_by="post",
                   made_by=officer)  # fmt: skip
    Referral.objects.create(case=case, kind=ReferralKind.DEBT_ADVICE, made_on=today - timedelta(days=30))
    Referral.objects.create(case=case, kind=ReferralKind.BENEFITS_ADVICE, made_on=today - timedelta(days=30))
    VulnerabilityReview.objects.create(case=case, reviewed_on=today - timedelta(days=10), vulnerable=False)


def test_the_gate_lists_what_is_missing_and_no_claim_pack_is_produced_while_it_fails(served):
    legal_case = legal_case_open(notice=served["notice"], opened_by=served["officer"])
    failing = {item.key for item in gate(legal_case) if not item.passed}
    assert failing == {
        "contact_each_tenant", "statements", "benefit_help", "debt_advice", "agreement_offered", "vulnerability",
        "assessment",
    }  # fmt: skip
    with pytest.raises(ValidationError, match="the protocol checklist is not complete"):
        claim_pack_make(legal_case=legal_case, made_by=served["officer"])
    assert legal_case.claim_pack is None


def test_officer_confirmations_an_assessment_and_a_seniors_approval_produce_the_pack(served):
    officer = served["officer"]
    _complete_the_record(served)
    legal_case = legal_case_open(notice=served["notice"], opened_by=officer)
    with pytest.raises(ValidationError, match="Say what was done"):
        gate_confirm(legal_case=legal_case, key="agreement_offered", note="yes", confirmed_by=officer)
    with pytest.raises(ValidationError, match="cannot be confirmed by hand"):
        gate_confirm(
            legal_case=legal_case, key="breathing_space", note="There is none, honestly.", confirmed_by=officer
        )
    gate_confirm(legal_case=legal_case, key="agreement_offered",
                 note="Offered £5 a week on the call of 10 November; Ada said she could not manage it.",
                 confirmed_by=officer)  # fmt: skip
    legal_case_update(legal_case=legal_case, updated_by=officer, part3_letter_on=None,
                      assessment="No disability or vulnerability found at review; arrears have grown for 20 weeks "
                      "despite contact; no less drastic step remains.")  # fmt: skip
    assert gate_passes(gate(legal_case))
    with pytest.raises(ValidationError, match="still needs approval by a Senior Income Officer"):
        claim_pack_make(legal_case=legal_case, made_by=officer)
    with pytest.raises(PermissionDenied, match="You do not have permission to approve possession claims"):
        legal_case_decide(legal_case=legal_case, approved=True, notes="", decided_by=officer)
    senior = user_with_role(Role.SENIOR_INCOME_OFFICER)
    legal_case_decide(legal_case=legal_case, approved=True, notes="Proportionate.", decided_by=senior)
    document = claim_pack_make(legal_case=legal_case, made_by=officer)
    legal_case.refresh_from_db()
    assert legal_case.status == "approved" and legal_case.claim_pack == document and document.kind == "claim_pack"

    reader = pypdf.PdfReader(io.BytesIO(document.pdf.read()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    account = served["account"]
    today = timezone.localdate()
    balance = sum_amounts(account.transactions.all())
    for expected in (
        "Ada Lead, Ben Joint", "Daily rate of rent £14.29", f"Rent arrears today £{balance:,.2f}",
        f"served {served['notice'].served_on:%-d %B %Y}", "Priya Shah, Income Manager",
        "Approved internally by", f"Balance on {today:%-d %B %Y}: £{balance:,.2f}", "Notice of seeking possession",
    ):  # fmt: skip
        assert expected in flat, expected
    # The schedule: every line's running balance read back from the PDF equals the ledger's sum to that line.
    schedule = text.split("4. Arrears schedule", 1)[1].split("5. Service of the notice", 1)[0]
    printed = [Decimal(m.replace(",", "")) for m in re.findall(r"£(-?[\d,]+\.\d\d)\s*$", schedule, re.MULTILINE)]
    lines = list(account.transactions.order_by("effective_date", "id"))
    running, expected_balances = Decimal("0.00"), [Decimal("0.00")]
    for line in lines:
        running += line.amount
        expected_balances.append(running)
    assert printed[: len(expected_balances)] == expected_balances


def _claim_for_a_two_step_approval(served, settings):
    """A claim prepared in full by the officer, awaiting a Senior Income Officer and then an Income Manager."""
    settings.LEGAL_CLAIM_APPROVAL_CHAIN = ["Senior Income Officer", "Income Manager"]
    officer = served["officer"]
    _complete_the_record(served)
    legal_case = legal_case_open(notice=served["notice"], opened_by=officer)
    gate_confirm(legal_case=legal_case, key="agreement_offered", note="Offered £5 a week; refused on 10/11.",
                 confirmed_by=officer)  # fmt: skip
    legal_case_update(
        legal_case=legal_case, updated_by=officer, assessment="Proportionate: reasons.", part3_letter_on=None
    )
    return legal_case


def test_nobody_approves_a_claim_they_prepared(served):
    senior = user_with_role(Role.SENIOR_INCOME_OFFICER)
    legal_case = legal_case_open(notice=served["notice"], opened_by=senior)
    with pytest.raises(PermissionDenied, match="You prepared this claim, so someone else must approve it"):
        legal_case_decide(legal_case=legal_case, approved=True, notes="", decided_by=senior)


def test_a_refusal_needs_a_reason_and_a_two_step_chain_needs_two_people(served, settings):
    legal_case = _claim_for_a_two_step_approval(served, settings)
    manager = user_with_role(Role.INCOME_MANAGER)
    with pytest.raises(ValidationError, match="Say why"):
        legal_case_decide(legal_case=legal_case, approved=False, notes=" ", decided_by=manager)
    legal_case_decide(legal_case=legal_case, approved=True, notes="", decided_by=manager)  # a manager may do step 1
    with pytest.raises(PermissionDenied, match="already approved"):
        legal_case_decide(legal_case=legal_case, approved=True, notes="", decided_by=manager)
    with pytest.raises(PermissionDenied, match="needs a Income Manager"):
        legal_case_decide(
            legal_case=legal_case, approved=True, notes="", decided_by=user_with_role(Role.SENIOR_INCOME_OFFICER)
        )
    legal_case_decide(legal_case=legal_case, approved=True, notes="", decided_by=user_with_role(Role.INCOME_MANAGER))
    assert claim_pack_make(legal_case=legal_case, made_by=served["officer"]).pages >= 3


def test_sending_a_claim_back_keeps_every_earlier_approval_in_the_audit_trail(served, settings):
    """Issue 21 (no one alone): a refusal restarts the chain, but the approvals given before it stay on record, marked
    as no longer counted, with a history row saying who sent it back and why; nothing is deleted."""
    from courts.models import LegalApproval

    legal_case = _claim_for_a_two_step_approval(served, settings)
    senior = user_with_role(Role.SENIOR_INCOME_OFFICER)
    first = legal_case_decide(legal_case=legal_case, approved=True, notes="", decided_by=senior)
    manager = user_with_role(Role.INCOME_MANAGER)
    legal_case_decide(legal_case=legal_case, approved=False, notes="The statement is out of date.", decided_by=manager)
    first.refresh_from_db()
    assert first.superseded and first.approved
    assert LegalApproval.objects.filter(legal_case=legal_case).count() == 2
    assert first.history.first().history_change_reason == (
        f"Sent back by {manager.get_username()}: The statement is out of date."
    )
    assert approvals_outstanding(legal_case) == ["Senior Income Officer", "Income Manager"]
    # The same senior may approve again once the case is put right: their earlier approval no longer counts.
    legal_case_decide(legal_case=legal_case, approved=True, notes="", decided_by=senior)
    assert approvals_outstanding(legal_case) == ["Income Manager"]


def test_a_manager_may_override_the_gate_with_a_reason_and_an_officer_may_not(served):
    officer = served["officer"]
    legal_case = legal_case_open(notice=served["notice"], opened_by=officer)
    with pytest.raises(PermissionDenied):
        gate_override(legal_case=legal_case, reason="We need to go ahead now for good reasons.", overridden_by=officer)
    manager = user_with_role(Role.INCOME_MANAGER)
    with pytest.raises(ValidationError, match="Give the reason"):
        gate_override(legal_case=legal_case, reason="urgent", overridden_by=manager)
    gate_override(legal_case=legal_case, overridden_by=manager,
                  reason="Tenants have refused every contact for six months; legal advised issuing now.")  # fmt: skip
    legal_case_decide(
        legal_case=legal_case, approved=True, notes="", decided_by=user_with_role(Role.SENIOR_INCOME_OFFICER)
    )
    document = claim_pack_make(legal_case=legal_case, made_by=officer)
    full = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(document.pdf.read())).pages).split())
    assert "Going ahead with the checklist incomplete" in full and "refused every contact" in full


def test_the_record_can_stop_a_claim_benefit_claim_kept_agreement_breathing_space_part3(served):
    officer = served["officer"]
    tenancy = served["tenancy"]
    legal_case = legal_case_open(notice=served["notice"], opened_by=officer)
    today = timezone.localdate()
    BenefitClaim.objects.create(tenancy=tenancy, benefit="uc", status="pending", evidence_complete=True,
                                weekly_amount=Decimal("90.00"), started_on=today - timedelta(days=10))  # fmt: skip
    BreathingSpace.objects.create(tenancy=tenancy, kind="standard", starts_on=today - timedelta(days=2),
                                  ends_on=today + timedelta(days=58), debt_covered=Decimal("1000.00"))  # fmt: skip
    status = {item.key: item.status for item in gate(legal_case)}
    assert status["no_pending_claim"] == status["breathing_space"] == "not_met"
    assert status["dwp_request"] == "not_met" and "part3_letter" not in status  # Ground 1 is discretionary
    with pytest.raises(ValidationError, match="already has an open legal case"):
        legal_case_open(notice=served["notice"], opened_by=officer)
