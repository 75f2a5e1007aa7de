"""Writes for the ledger, in its parts: `ledger` (posting, reversal, payment allocation: every posting goes through
`transactions_post`), `rent_run` (the weekly rent debits), `tenancy_charges` (true-ups when charges change),
`approvals` (adjustments, refunds, transfers and write-offs a second person approves), `account_checks`,
`direct_debits` and `statements` with `statement_run`. The ledger's and the rent run's names are here too, as they
are used everywhere; import the other parts' from their modules."""

from .ledger import (
    DEFAULT_ALLOCATION_ORDER,
    Posting,
    PostingResult,
    account_get_or_create,
    allocation_order,
    payment_split,
    transaction_post,
    transaction_reverse,
    transactions_post,
)
from .rent_run import rent_debit_key, rent_debit_posting, rent_debit_type, rent_debits_due, rent_debits_post

__all__ = [
    "DEFAULT_ALLOCATION_ORDER",
    "Posting",
    "PostingResult",
    "account_get_or_create",
    "allocation_order",
    "payment_split",
    "rent_debit_key",
    "rent_debit_posting",
    "rent_debit_type",
    "rent_debits_due",
    "rent_debits_post",
    "transaction_post",
    "transaction_reverse",
    "transactions_post",
]
