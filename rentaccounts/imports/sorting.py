"""Sorting a payment file's lines, with no queries: which are posted, which wait in suspense and which are rejected,
each with its reason; each line's idempotency key; and what an import did or (a dry run) would do, `ImportSummary`.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from incomeapp.money import ZERO
from rentaccounts.imports.formats import ParsedRow
from rentaccounts.models import ImportBatch
from tenancies.references import payment_reference_prefix, payment_reference_problem

ALREADY_POSTED = "Already posted from an earlier file (same transaction id)."
TWICE_IN_FILE = "The same transaction id appears more than once in this file; only the first was posted."
ZERO_AMOUNT = "The amount is £0.00, so there is nothing to post."
UNMATCHED = "No tenancy has the payment reference '{reference}'."
ID_TOO_LONG = "The transaction id is longer than 100 characters; check the file."


@dataclass
class ImportSummary:
    """What an import did (or, for a dry run, would do). `as_dict` is the command's --json output."""

    rows_read: int = 0
    posted: int = 0
    posted_total: Decimal = ZERO
    suspense: Counter = field(default_factory=Counter)
    rejected: Counter = field(default_factory=Counter)
    already_imported: str = ""
    # Dry run only: each payment reference the file would credit, with the net sum credited (positive = a credit).
    credits: dict[str, Decimal] = field(default_factory=dict)

    def as_dict(self) -> dict:
        summary = {
            "rows_read": self.rows_read,
            "posted": {"count": self.posted, "total": str(self.posted_total)},
            "suspense": {"count": sum(self.suspense.values()), "reasons": dict(self.suspense)},
            "rejected": {"count": sum(self.rejected.values()), "reasons": dict(self.rejected)},
            "already_imported": bool(self.already_imported),
        }
        if self.already_imported:
            summary["error"] = self.already_imported
        return summary


def import_summary(batch: ImportBatch) -> ImportSummary:
    return ImportSummary(
        rows_read=batch.rows_read,
        posted=batch.rows_posted,
        posted_total=batch.total_posted,
        suspense=Counter(batch.report.get("suspense_reasons", {})),
        rejected=Counter(batch.report.get("rejected_reasons", {})),
    )


def idempotency_key(format_name: str, row: ParsedRow) -> str:
    return f"import:{format_name}:{row.external_id}"


def _classify(rows: list[ParsedRow], format_name: str, matched: set[str] | dict[str, int]):
    """Splits lines into (to post, to hold in suspense with reason, rejected with reason). Pure: no queries."""
    to_post, to_suspense, rejected = [], [], []
    seen: set[str] = set()
    prefix = payment_reference_prefix()
    for row in rows:
        if row.problem:
            to_suspense.append((row, row.problem))
        elif len(row.external_id) > 100:
            to_suspense.append((row, ID_TOO_LONG))
        elif row.amount == 0:
            rejected.append((row, ZERO_AMOUNT))
        elif reference_problem := payment_reference_problem(row.payment_reference, prefix=prefix):
            # One of our references with a wrong check digit: a slip by the payer, never another tenant's account.
            to_suspense.append((row, reference_problem))
        elif row.payment_reference not in matched:
            to_suspense.append((row, UNMATCHED.format(reference=row.payment_reference or "(blank)")))
        elif row.external_id in seen:
            rejected.append((row, TWICE_IN_FILE))
        else:
            seen.add(row.external_id)
            to_post.append(row)
    return to_post, to_suspense, rejected
