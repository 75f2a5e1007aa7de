"""Court costs awarded by an order: posted once to the tenancy's court costs sub-account when the hearing's outcome is
recorded, and corrected only by a reversal of the old line and a new line (the ledger is append-only). Costs are not
rent: they never go on the rent account, so no notice, serious-arrears figure or rent statement counts them."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from courts.models import Hearing
from incomeapp.money import ZERO, format_money, to_money
from incomeapp.roles import staff_require
from rentaccounts.constants import AccountKind, TransactionType
from rentaccounts.models import Transaction
from rentaccounts.selectors_court_costs import COURT_COSTS_KEY, hearing_costs_lines, hearing_costs_standing
from rentaccounts.services import Posting, account_get_or_create, transaction_post, transaction_reverse


def _posting(hearing: Hearing, amount: Decimal, key: str, on: date, why: str = "") -> Posting:
    legal_case = hearing.legal_case
    account = account_get_or_create(tenancy=legal_case.tenancy, kind=AccountKind.COURT_COSTS)
    claim = f", claim {legal_case.claim_number}" if legal_case.claim_number else ""
    return Posting(
        account_id=account.pk,
        transaction_type=TransactionType.COURT_COSTS,
        amount=amount,
        effective_date=on,
        idempotency_key=key,
        description=f"Court costs awarded at the hearing on {hearing.hearing_on:%-d %B %Y}{claim}{why}"[:255],
        external_reference=legal_case.claim_number[:100],
    )


def court_costs_post(*, hearing: Hearing, posted_by) -> Transaction | None:
    """The costs in the hearing's order, posted once (key `court-costs:hearing:<id>`). Called again, it posts nothing
    and returns the line standing; with no costs awarded it posts nothing."""
    standing = hearing_costs_standing(hearing_id=hearing.pk)
    if standing is not None or hearing_costs_lines(hearing_id=hearing.pk):
        return standing  # already posted (and perhaps corrected since): the correction is the only way to change it
    if not hearing.costs or hearing.costs <= 0:
        return None
    key = COURT_COSTS_KEY.format(hearing_id=hearing.pk)
    return transaction_post(
        posting=_posting(hearing, to_money(hearing.costs), key, hearing.hearing_on), posted_by=posted_by
    )


@transaction.atomic
def hearing_costs_correct(*, hearing: Hearing, costs: Decimal | None, reason: str, corrected_by) -> str:
    """The costs in an order recorded wrongly (or awarded later on the papers): the line standing is reversed and the
    right amount posted as a new line, dated today. Returns what was done, in words, for the officer."""
    staff_require(corrected_by, "courts.change_legalcase", "correct court costs")
    if not hearing.outcome:
        raise ValidationError("Record the hearing's outcome first; the costs are part of it.")
    if not reason.strip():
        raise ValidationError("Say why the costs are being corrected, for example what the order says.")
    new = to_money(costs or ZERO)
    if new < 0:
        raise ValidationError("Costs awarded cannot be less than £0.00.")
    standing = hearing_costs_standing(hearing_id=hearing.pk)
    old = standing.amount if standing is not None else ZERO
    if new == old:
        return f"No change: the costs posted for this order are already {format_money(new)}."
    today = timezone.localdate()
    if standing is not None:
        transaction_reverse(
            original=standing, reason=f"Court costs corrected: {reason.strip()}", posted_by=corrected_by
        )
    if new > 0:
        count = len(hearing_costs_lines(hearing_id=hearing.pk))
        key = f"{COURT_COSTS_KEY.format(hearing_id=hearing.pk)}:correction:{count}"
        transaction_post(posting=_posting(hearing, new, key, today, " (corrected)"), posted_by=corrected_by)
    hearing.costs = new or None
    hearing._change_reason = f"Costs corrected from {format_money(old)} to {format_money(new)}: {reason.strip()}"
    hearing.save(update_fields=["costs"])
    if standing is None:
        return f"Court costs of {format_money(new)} posted to the court costs account."
    if new == 0:
        return f"The court costs of {format_money(old)} were reversed: none are owed for this order."
    return f"The court costs of {format_money(old)} were reversed and {format_money(new)} posted in their place."
