"""`{{ amount|ledger:"debit" }}`: the one way every screen shows ledger money (docs/ledger.md, "Money on screens").

The ledger stores debits positive and credits negative; people never see that sign. Every amount shows as a positive
£ figure whose side is said in words or by its column:

- "debit" / "credit": the amount in a Debit or a Credit column (blank in the other), e.g. a £60.00 receipt shows
  £60.00 under Credit;
- "received": a payment or other credit as the positive sum received (£60.00), whichever sign it is stored with;
- "balance": "£120.00 in arrears", "£30.00 in credit" or "£0.00";
- "change": an adjustment or a line standing alone, "£25.00 debit" or "£60.00 credit".
"""

from decimal import Decimal

from django import template

from incomeapp.money import format_money, to_money

register = template.Library()

KINDS = ("debit", "credit", "received", "balance", "change")


@register.filter(name="ledger")
def ledger(amount, kind: str = "balance") -> str:
    if kind not in KINDS:
        raise template.TemplateSyntaxError(f"ledger filter: kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if amount is None or amount == "":
        return ""
    amount = to_money(Decimal(str(amount)))
    size = format_money(abs(amount))
    if kind == "debit":
        return size if amount > 0 else ""
    if kind == "credit":
        return size if amount < 0 else ""
    if kind == "received":
        return size
    if kind == "change":
        return f"{size} debit" if amount > 0 else f"{size} credit" if amount < 0 else size
    return f"{size} in arrears" if amount > 0 else f"{size} in credit" if amount < 0 else size
