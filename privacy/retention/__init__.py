"""Former tenants' personal data past the retention schedule (legal-spec §10: R-DP-01, R-DP-02, R-DP-03): found by
`retention_review`, anonymised by `retention_apply` (the `apply_retention` command).

The clock. A person's clock starts on the latest of: the day each tenancy they were named on ended (or the day they
stopped being a named tenant of it), the last ledger line on the accounts of those that ended (final settlement or
write-off; a payment also acknowledges the debt) and the day any legal case on them closed. A category is due when its
rule's period has passed since then.

Who is never touched (R-DP-02, "longer while a debt or claim is live"): a person named now on a current tenancy, and a
person any of whose ended tenancies has an account not at £0.00 (owed either way: arrears to recover or a credit to
refund), an open arrears case, a legal case not closed, a Breathing Space not ended, a live agreement or an adjustment,
refund or write-off awaiting a decision. A tenancy someone left while it continued (succession, assignment) counts
from the day they left, and what happens on it afterwards (its balance, its cases) is the remaining tenants'. People
on no tenancy are not former tenants and are left alone. A merged duplicate record goes with the record it was merged
into.

What changes. Person-level data (their own record, its change history and duplicate records merged into it; contacts
recorded with them; their name and addresses where they appear in their tenancies' events, notices, documents'
addressees and change reasons) is anonymised as soon as they are due. Tenancy-level data (notes that belong to the
tenancy rather than to one tenant, the stored PDFs, the forwarding address) is anonymised once every person ever named
on that former tenancy is done for the category, so a joint tenant's data is never lost early. The ledger is never
touched: every transaction, balance and figure stays, and the reconciliation stays at zero.

Idempotent: each (person, category) is done once (`Anonymisation`, unique); running again finds nothing to do.

The parts: `review` (finding who is due, and who is left alone and why) and `anonymising` (what changes, and
`retention_apply`).
"""

from .anonymising import (
    ANONYMISE_PERMISSION,
    ANONYMISED,
    ANONYMISED_FIRST_NAME,
    REMOVED,
    retention_apply,
)
from .review import RetentionDue, RetentionReview, person_is_anonymised, retention_review

__all__ = [
    "ANONYMISED",
    "ANONYMISED_FIRST_NAME",
    "ANONYMISE_PERMISSION",
    "REMOVED",
    "RetentionDue",
    "RetentionReview",
    "person_is_anonymised",
    "retention_apply",
    "retention_review",
]
