"""The arrears pages for officers: the worklist and the case page with its forms.

The views are in four parts:

- `worklist`: "My cases this week" (open cases by priority, with tabs and filters, and the ended tenancies' accounts)
  and reassigning the cases it shows.
- `case_page`: the case page (the recommendation and what held it back, contacts, agreements, benefits, the balance
  chart, the Breathing Space panel and the notice's moved lapse date) and `case_form_view`, which makes the view of
  each of its forms.
- `case_forms`: the case page's forms for contacts, agreements, pauses, referrals, vulnerability reviews, benefit
  claims and direct payment requests, and sending the recommended letter.
- `breathing_space`: recording a Breathing Space and what happens to it (its end, the end of crisis treatment, a
  review asked for and its outcome, agents told).
"""

from .breathing_space import (
    breathing_space_add,
    breathing_space_agent_told,
    breathing_space_end,
    breathing_space_review_outcome,
    breathing_space_review_request,
    breathing_space_treatment_end,
)
from .case_forms import (
    agreement_add,
    benefit_claim_save,
    contact_add,
    direct_payment_request_add,
    letter_send_view,
    pause_add,
    referral_add,
    vulnerability_review_add,
)
from .case_page import breathing_space_panel, case, held_back_lines, nosp_lapse_moved
from .worklist import index, reassign

__all__ = [
    "agreement_add",
    "benefit_claim_save",
    "breathing_space_add",
    "breathing_space_agent_told",
    "breathing_space_end",
    "breathing_space_panel",
    "breathing_space_review_outcome",
    "breathing_space_review_request",
    "breathing_space_treatment_end",
    "case",
    "contact_add",
    "direct_payment_request_add",
    "held_back_lines",
    "index",
    "letter_send_view",
    "nosp_lapse_moved",
    "pause_add",
    "reassign",
    "referral_add",
    "vulnerability_review_add",
]
