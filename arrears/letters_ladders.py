"""Merge values of the former tenants' and sundry ladders' letters (`amount_due`, `debt_for`), added to every case
letter's values by arrears.letters.case_letter_values."""

from decimal import Decimal, InvalidOperation

from incomeapp.money import ZERO, format_money
from rentaccounts.constants import AccountKind
from rentaccounts.models import Invoice

from .constants import Ladder

INVOICES_NAMED = 3  # a letter names the newest few unpaid invoices, then says "and N more"


def ladder_letter_values(case, facts: dict) -> dict:
    """What the letter asks for (the recoverable part, never a part out of time or covered by an insolvency order)
    and what the debt is for, in words."""
    balance = case.account.balance
    try:
        due = Decimal(str(facts.get("recoverable_balance"))) if facts.get("recoverable_balance") else balance
    except InvalidOperation:
        due = balance
    due = max(min(due, balance), ZERO)
    tenancy = case.account.tenancy
    if case.ladder == Ladder.SUNDRY or case.account.kind in (AccountKind.RECHARGEABLE_REPAIRS, AccountKind.SUNDRY):
        invoices = list(
            Invoice.objects.filter(account=case.account).order_by("-dated", "-id").values_list("description", "number")
        )
        kind = "rechargeable repairs" if case.account.kind == AccountKind.RECHARGEABLE_REPAIRS else "other charges"
        if invoices:
            named = "; ".join(f"{description} (invoice {number})" for description, number in invoices[:INVOICES_NAMED])
            more = len(invoices) - INVOICES_NAMED
            debt_for = named + (f"; and {more} more invoice{'s' if more != 1 else ''}" if more > 0 else "")
        else:
            debt_for = f"{kind} for {tenancy.property.one_line_address}"
    else:
        debt_for = (
            f"rent and charges for {tenancy.property.one_line_address} that were not paid before the tenancy ended"
        )
    return {"amount_due": format_money(due), "debt_for": debt_for}
