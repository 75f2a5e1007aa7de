"""Writes for the arrears app, each checking the person's permission itself: policies (import, publish, install),
casework (contacts, agreements, pauses, Breathing Space, referrals, reviews, reassignment, letters), benefits, and the
legal milestones the courts app records here so the weekly review sees them, and the closing of an ended tenancy's
case (its balance is then former-tenant arrears)."""

from .agreements import (
    agreement_cancel,
    agreement_change,
    agreement_create,
    agreement_letter_make,
    agreement_terms,
    agreements_monitor,
)
from .benefits import benefit_claim_record, direct_payment_request_record, direct_payment_request_update
from .breathing_space import (
    BreathingSpaceRecorded,
    MoratoriumHold,
    MoratoriumPosition,
    breathing_space_agent_told_record,
    breathing_space_end_record,
    breathing_space_record,
    breathing_space_review_outcome_record,
    breathing_space_review_request_record,
    breathing_space_treatment_end_record,
    moratorium_hold,
    moratorium_position,
)
from .casework import (
    cases_reassign,
    contact_record,
    letter_send,
    letters_queue,
    letters_render_after_commit,
    pause_create,
    referral_record,
    vulnerability_review_record,
)
from .former import ENDED_WITH_ARREARS, case_close_for_account, cases_close_tenancy_ended
from .legal import legal_milestone_record
from .policies import (
    DEFAULT_POLICY,
    SHIPPED_POLICIES,
    policies_install_shipped,
    policy_import,
    policy_read,
    policy_version_publish,
)
from .rereview import case_re_review, re_review, tenancy_re_review

__all__ = [
    "DEFAULT_POLICY",
    "ENDED_WITH_ARREARS",
    "SHIPPED_POLICIES",
    "BreathingSpaceRecorded",
    "MoratoriumHold",
    "MoratoriumPosition",
    "agreement_cancel",
    "agreement_change",
    "agreement_create",
    "agreement_letter_make",
    "agreement_terms",
    "agreements_monitor",
    "benefit_claim_record",
    "breathing_space_agent_told_record",
    "breathing_space_end_record",
    "breathing_space_record",
    "breathing_space_review_outcome_record",
    "breathing_space_review_request_record",
    "breathing_space_treatment_end_record",
    "case_close_for_account",
    "case_re_review",
    "cases_close_tenancy_ended",
    "cases_reassign",
    "contact_record",
    "direct_payment_request_record",
    "direct_payment_request_update",
    "legal_milestone_record",
    "letter_send",
    "letters_queue",
    "letters_render_after_commit",
    "moratorium_hold",
    "moratorium_position",
    "pause_create",
    "policies_install_shipped",
    "policy_import",
    "policy_read",
    "policy_version_publish",
    "re_review",
    "referral_record",
    "tenancy_re_review",
    "vulnerability_review_record",
]
