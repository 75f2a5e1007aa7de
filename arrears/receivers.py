from django.db import transaction


def re_review_after_import(sender, *, batch_id: int, account_ids: list[int], **kwargs) -> None:
    """Queues a re-review of the accounts a payment import touched, once the import's transaction commits."""
    from .tasks import re_review_accounts

    transaction.on_commit(lambda: re_review_accounts.delay(account_ids=account_ids, scope=f"import:{batch_id}"))
