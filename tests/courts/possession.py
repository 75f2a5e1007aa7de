"""Starting points for the court-stage tests: a joint secure tenancy, a notice served by hand, a possession claim
ready to issue, and a claim heard in court."""

from courts.claims import claim_pack_make, gate_override, legal_case_decide, legal_case_open
from courts.court import claim_issue_record, hearing_record
from courts.services import notice_serve
from incomeapp.constants import Role
from tenancies.constants import TenureType
from tenancies.models import TenancyTenant
from tests.factories import PersonFactory, TenancyFactory, user_with_role

OVERRIDE_REASON = "Legal advised issuing now; the tenants have not engaged for months."


def joint_secure_tenancy(payment_reference: str):
    """A secure tenancy held jointly by Ada Lead (the lead tenant) and Ben Joint."""
    tenancy = TenancyFactory(
        payment_reference=payment_reference,
        tenure_type=TenureType.SECURE,
        lead_tenant=PersonFactory(first_name="Ada", last_name="Lead"),
    )
    TenancyTenant.objects.create(tenancy=tenancy, person=PersonFactory(first_name="Ben", last_name="Joint"))
    return tenancy


def notice_served_by_hand(tenancy, notice_code: str, served_on, officer, *, signatory: str = "P. Shah, Income Manager"):
    """The notice served on the tenancy by hand on `served_on`, recorded by the officer."""
    return notice_serve(tenancy=tenancy, notice_code=notice_code, served_on=served_on, method="hand",
                        signatory=signatory, proof_of_service="By hand.", served_by=officer)  # fmt: skip


def claim_pack_made(notice, officer, *, approver_role: Role = Role.SENIOR_INCOME_OFFICER):
    """A legal case on the served notice: opened by the officer, its checklist overridden by an Income Manager,
    approved by someone in `approver_role`, and the claim pack made. Returns the legal case."""
    legal_case = legal_case_open(notice=notice, opened_by=officer)
    gate_override(legal_case=legal_case, overridden_by=user_with_role(Role.INCOME_MANAGER), reason=OVERRIDE_REASON)
    legal_case_decide(legal_case=legal_case, approved=True, notes="", decided_by=user_with_role(approver_role))
    claim_pack_make(legal_case=legal_case, made_by=officer)
    return legal_case


def claim_heard(legal_case, officer, *, issued_on, hearing_on, claim_number: str, court_name: str = "Bristol"):
    """The claim recorded as issued on `issued_on` and its hearing on `hearing_on` (no date for serving the papers).
    Returns the hearing."""
    claim_issue_record(
        legal_case=legal_case,
        issued_on=issued_on,
        court_name=court_name,
        claim_number=claim_number,
        recorded_by=officer,
    )
    hearing, _ = hearing_record(
        legal_case=legal_case, hearing_on=hearing_on, papers_served_on=None, recorded_by=officer
    )
    return hearing
