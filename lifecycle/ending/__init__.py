"""Ending a tenancy, and the moves that end one tenancy or change who holds it: transfers, mutual exchanges, successions
and assignments. Each is recorded as what it is (a TenancyEvent of its own kind) and the decisions are written down in
docs/ending-tenancies.md.

Ending (`tenancy_end`): the tenancy gets its last day, reason and forwarding address and becomes former; its charges
stop on the last day; the last part period is apportioned by day and anything already posted for later days is reversed
(`rentaccounts.services.tenancy_charges.tenancy_charges_true_up`); active direct debits are cancelled; the open arrears
case is closed, so a debit balance is now former-tenant arrears and a credit is offered for refund or transfer (a
request someone else approves). Ending again with the same details changes nothing; with different details it is
refused: that is `tenancy_end_correct`.

Every service here is keyword-only, one transaction, checks `tenancies.end_tenancy` (`by=None` is the system: the
nightly load), and `dry_run=True` works everything out, postings included, and keeps nothing (the check-your-answers
pages).

The parts:
- `rules`: the permission, the reason labels, the dry run and the checks before a tenancy ends or moves (`end_problem`).
- `figures`: the last rent period's charges by day (`final_charges`) and what an end did (`EndResult`).
- `end_of_tenancy`: ending a tenancy and correcting its end (`tenancy_end`, `tenancy_end_correct`,
  `tenancy_end_latest`): charges stop, direct debits are cancelled, letters follow the forwarding address.
- `credit`: a credit refunded or transferred, or a whole balance carried to another tenancy (requests someone else
  approves).
- `transfers`: transfers and mutual exchanges, one tenancy ending and another starting (`MoveResult`).
- `successions`: successions and assignments, the named tenants changing while the tenancy continues."""

from .credit import balance_carry_request, credit_refund_request, credit_request_pending, credit_transfer_request
from .end_of_tenancy import tenancy_end, tenancy_end_correct, tenancy_end_latest
from .figures import EndResult, FinalCharge, final_charges
from .rules import ADDRESS_REASON, AFTER_DIRECT_DEBIT, END_PERMISSION, REASON_LABELS, end_problem
from .successions import NamedTenantsResult, tenancy_assignment, tenancy_succession
from .transfers import MoveResult, SignedUp, tenancy_mutual_exchange, tenancy_transfer

__all__ = [
    "ADDRESS_REASON",
    "AFTER_DIRECT_DEBIT",
    "END_PERMISSION",
    "REASON_LABELS",
    "EndResult",
    "FinalCharge",
    "MoveResult",
    "NamedTenantsResult",
    "SignedUp",
    "balance_carry_request",
    "credit_refund_request",
    "credit_request_pending",
    "credit_transfer_request",
    "end_problem",
    "final_charges",
    "tenancy_assignment",
    "tenancy_end",
    "tenancy_end_correct",
    "tenancy_end_latest",
    "tenancy_mutual_exchange",
    "tenancy_succession",
    "tenancy_transfer",
]
