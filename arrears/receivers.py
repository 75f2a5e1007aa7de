def re_review_after_import(sender, *, batch_id: int, account_ids: list[int], **kwargs) -> None:
    """The accounts a payment import touched are re-reviewed by the worker once the import commits."""
    from .services import re_review

    re_review(account_ids=account_ids, reason=f"import:{batch_id}", queue=True)


def re_review_after_posting(sender, *, account_ids: list[int], reason: str, **kwargs) -> None:
    """Money posted that can change a recommendation (rentaccounts.signals.ledger_changed)."""
    from .services import re_review

    re_review(account_ids=account_ids, reason=reason)
