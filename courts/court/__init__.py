"""The court stage: the claim issued, hearings (with the CPR 55.5 warnings), outcomes and orders (their terms become a
court agreement the arrears engine monitors daily; mandatory-ground limits enforced), warrants (N325 / N325A with the
statement of payments, the six-year check, Breathing Space, approval by someone else) and evictions, including an
excluded licence's without a court. Milestones reach the arrears case through the arrears app's service.

The court stage is in four parts:

- `hearings`: the claim issued, hearings, their outcomes and orders (an order on terms becomes a court agreement), a
  claim that ends outside a hearing, and the date for possession fixed after a postponed order.
- `serious_arrears`: the serious-arrears ground (Ground 8 or RHW20) worked out again on the hearing date, the figures
  the claim page shows, and why an outright order on a mandatory ground cannot be recorded (R-AST-01).
- `warrants`: whether a warrant may be asked for, asking for one (N325 or N325A with the statement of payments), its
  approval chain and the application.
- `evictions`: booking an eviction (on a warrant, or on an excluded licence's notice) and its outcome.
"""

from .costs import court_costs_post, hearing_costs_correct
from .evictions import eviction_book, eviction_outcome_record
from .hearings import (
    ENDED_OUTSIDE_A_HEARING,
    claim_end_record,
    claim_issue_record,
    hearing_outcome_record,
    hearing_record,
    possession_date_fixed_record,
)
from .serious_arrears import (
    discretionary_grounds,
    mandatory_ground_refusal,
    serious_arrears_at,
    serious_arrears_summary,
)
from .warrants import (
    court_agreement_broken,
    warrant_applied_record,
    warrant_approvals_outstanding,
    warrant_decide,
    warrant_position,
    warrant_request,
)

__all__ = [
    "ENDED_OUTSIDE_A_HEARING",
    "claim_end_record",
    "claim_issue_record",
    "court_agreement_broken",
    "court_costs_post",
    "discretionary_grounds",
    "eviction_book",
    "eviction_outcome_record",
    "hearing_costs_correct",
    "hearing_outcome_record",
    "hearing_record",
    "mandatory_ground_refusal",
    "possession_date_fixed_record",
    "serious_arrears_at",
    "serious_arrears_summary",
    "warrant_applied_record",
    "warrant_approvals_outstanding",
    "warrant_decide",
    "warrant_position",
    "warrant_request",
]
