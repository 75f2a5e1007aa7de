"""Signals for apps above the ledger (which it must not import): they subscribe in their AppConfig.ready()."""

from django.dispatch import Signal

# Sent after a payment import finishes, inside its transaction, with `batch_id` and `account_ids` (the accounts it
# posted to). The arrears app re-reviews those accounts once the transaction commits, so no worklist is stale.
payments_imported = Signal()

# Sent by transactions_post when money is posted that can change an arrears recommendation (a reversal, an approved
# adjustment, a payment allocated from suspense, a charge true-up, a sign-up's first charges), with `account_ids` and
# `reason`. The arrears app re-reviews those accounts (arrears.services.re_review).
ledger_changed = Signal()

# Sent by rentaccounts.services.invoices.invoice_raise when a recharge or sundry debt is raised, inside its
# transaction, with `invoice_id` and `letters` ([(tenant's name, document id or None)]). The arrears app records the
# invoice letter in the tenancy's arrears case diary, if it has an open case.
invoice_raised = Signal()
