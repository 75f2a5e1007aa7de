def re_review_after_import(sender, *, batch_id: int, account_ids: list[int], **kwargs) -> None:
    """The accounts a payment import touched are re-reviewed by the worker once the import commits."""
    from .services import re_review

    re_review(account_ids=account_ids, reason=f"import:{batch_id}", queue=True)


def re_review_after_posting(sender, *, account_ids: list[int], reason: str, **kwargs) -> None:
    """Money posted that can change a recommendation (rentaccounts.signals.ledger_changed)."""
    from .services import re_review

    re_review(account_ids=account_ids, reason=reason)


INVOICE_SENT = "invoice_sent"  # the diary code of an invoice letter (a recharge or a sundry debt; docs/debts.md)


def invoice_letter_to_diary(sender, *, invoice_id: int, letters: list, **kwargs) -> None:
    """An invoice raised (rentaccounts.signals.invoice_raised) goes in the diary of the tenancy's open arrears case.
    On a case working that debt's own account it is a letter (the first step of its ladder); on the rent arrears case
    it is a note only, so it never counts as a rent arrears letter, a contact for the pre-action protocol or a step of
    the rent ladder."""
    from django.utils import timezone

    from incomeapp.money import format_money
    from rentaccounts.constants import AccountKind
    from rentaccounts.models import Invoice

    from .constants import CaseStatus, ContactKind, ContactOutcome
    from .models import ArrearsCase, Contact
    from .services import case_re_review

    invoice = Invoice.objects.select_related("account", "raised_by").get(pk=invoice_id)
    open_cases = ArrearsCase.objects.filter(status=CaseStatus.OPEN, account__tenancy_id=invoice.account.tenancy_id)
    own = open_cases.filter(account=invoice.account).first()
    case = own or open_cases.filter(account__kind=AccountKind.RENT).first()
    if case is None:
        return
    made = [name for name, document_id in letters if document_id]
    missed = [name for name, document_id in letters if not document_id]
    notes = (
        f"Invoice {invoice.number} for {format_money(invoice.amount)} raised on the "
        f"{invoice.account.get_kind_display().lower()} account: {invoice.description}. Not rent: the rent arrears are "
        "unchanged."
    )
    if made:
        notes += f" Invoice letter made for {' and '.join(made)}."
    if missed:
        notes += f" No letter could be made for {' and '.join(missed)}."
    Contact.objects.create(
        case=case,
        kind=ContactKind.LETTER if own else ContactKind.NOTE,
        code=INVOICE_SENT,
        outcome=(ContactOutcome.SENT if made else ContactOutcome.FAILED) if own else ContactOutcome.NOTE,
        occurred_on=timezone.localdate(),
        recorded_by=invoice.raised_by,
        notes=notes,
    )
    if own:
        case_re_review(case)
