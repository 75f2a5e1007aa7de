"""What every part of ending a tenancy shares: the permission, the reason labels, a dry run that keeps nothing,
tidy addresses and history reasons, and the checks a tenancy must pass before it ends or moves."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tenancies.constants import LICENCE_TENURES, EndReason, PaymentMethod, TenancyStatus
from tenancies.history import DATA_LOAD_REASON
from tenancies.models import Tenancy

END_PERMISSION = "tenancies.end_tenancy"
# How a former tenant pays what is left once their direct debit is cancelled.
AFTER_DIRECT_DEBIT = PaymentMethod.BANK_TRANSFER
REASON_LABELS = dict(EndReason.choices)
ADDRESS_REASON = "Tenancy ended: letters go to the forwarding address"


class _DryRun(Exception):
    """Raised inside a service to roll it back after working out what it would do."""


def _dry_runnable(work, dry_run: bool):
    """Runs `work()` in a transaction; with `dry_run` rolls it back and returns what it worked out."""
    try:
        with transaction.atomic():
            result = work()
            if dry_run:
                raise _DryRun(result)
    except _DryRun as rolled_back:
        return rolled_back.args[0]
    return result


def _address(text: str | None) -> str:
    lines = [line.strip() for line in (text or "").replace("\r\n", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def _loaded(note: str, reason: str) -> str:
    """A history reason; a write by the data load (its note starts "Data load") says so first, so the history reads
    "data load" rather than "the system"."""
    if (note or "").startswith(DATA_LOAD_REASON):
        return f"{note.split(':')[0]}: {reason}"
    return reason


def _names(people) -> str:
    return ", ".join(person.full_name for person in people)


# ---- checks ----------------------------------------------------------------------------------------------------------


def end_problem(*, tenancy: Tenancy, last_day: date, reason: str) -> str | None:
    """What is wrong with ending `tenancy` on `last_day` for `reason`, in plain words (None when nothing is)."""
    if reason not in EndReason.values:
        return "Choose why the tenancy ended."
    if last_day < tenancy.start_date:
        return (
            f"The last day cannot be before the tenancy started on {tenancy.start_date:%-d %B %Y}. "
            f"Enter {tenancy.start_date:%-d %B %Y} or later."
        )
    today = timezone.localdate()
    if last_day > today:
        return (
            f"The last day cannot be in the future. Record the end on or after the tenancy's last day "
            f"(today is {today:%-d %B %Y})."
        )
    if reason == EndReason.LICENCE_ENDED and tenancy.tenure_type not in LICENCE_TENURES:
        return "This is a tenancy, not a licence. Choose another reason, such as the tenant's notice or eviction."
    return None


def _require_current(tenancy: Tenancy, what: str) -> None:
    if tenancy.status != TenancyStatus.CURRENT:
        raise ValidationError(
            f"{tenancy.payment_reference} has already ended"
            + (f" (its last day was {tenancy.end_date:%-d %B %Y})" if tenancy.end_date else "")
            + f", so you cannot record {what} on it."
        )
