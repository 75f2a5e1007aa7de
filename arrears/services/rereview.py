"""Re-review: the one way a change that can change a recommendation asks for a fresh one.

A payment, a contact, an agreement, a hold, a Breathing Space, a benefit claim, a legal step, an import or a tenancy
change each call `re_review` from the service that made the change (never from a view). A few accounts (an officer's
action) are reviewed at once, inside the caller's transaction, so the page that follows shows the new recommendation;
a failure there is logged and leaves the change itself standing (the weekly review catches up). Many accounts (an
import, a data load) are handed to the Celery worker once the change has committed, in chunks.
"""

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from arrears.constants import PolicyVersionStatus
from arrears.models import ArrearsCase, ArrearsPolicyVersion
from rentaccounts.selectors import rent_account_ids

logger = logging.getLogger(__name__)

AT_ONCE_AT_MOST = 20  # accounts reviewed in the caller's transaction; more are queued for the worker
QUEUED_CHUNK = 5000


def re_review(*, account_ids: Iterable[int], reason: str, queue: bool = False) -> None:
    """Asks for the accounts' recommendations to be made again because of `reason` (kept as the review's scope, for
    example "case:42" or "import:7"; at most 20 characters). `queue`: always hand them to the worker (a job that
    already runs in the background, such as an import, need not wait for the review)."""
    ids = sorted({account_id for account_id in account_ids if account_id is not None})
    if not ids:
        return
    if not ArrearsPolicyVersion.objects.filter(status=PolicyVersionStatus.LIVE).exists():
        logger.warning("No arrears policy is live, so %d accounts were not re-reviewed after %s.", len(ids), reason)
        return
    if not queue and len(ids) <= AT_ONCE_AT_MOST:
        from arrears.review import review_run

        try:
            with transaction.atomic():  # a savepoint: a failed review never undoes the change that asked for it
                review_run(as_of=timezone.localdate(), account_ids=ids, scope=reason[:20])
        except Exception:
            logger.exception("Re-review after %s failed; the weekly review will pick the accounts up.", reason)
        return
    from arrears.tasks import re_review_accounts

    for start in range(0, len(ids), QUEUED_CHUNK):
        chunk = ids[start : start + QUEUED_CHUNK]
        transaction.on_commit(lambda chunk=chunk: re_review_accounts.delay(account_ids=chunk, scope=reason[:20]))


def case_re_review(case: ArrearsCase) -> None:
    """After a change to one case (a contact, an agreement, a pause, a letter, a legal step)."""
    re_review(account_ids=[case.account_id], reason=f"case:{case.pk}")


def tenancy_re_review(tenancy, reason: str) -> None:
    """After a change to a tenancy that its rent account's recommendation reads (a benefit claim, a Breathing
    Space, a tenancy change)."""
    re_review(account_ids=rent_account_ids(tenancy_ids=[tenancy.pk]), reason=reason)
