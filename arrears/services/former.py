"""An ended tenancy leaves the current tenants' worklist: its open arrears case is closed with a plain diary note, and
what it still owes is former-tenant arrears (listed on the worklist's "Former tenant arrears" tab, not worked through
the current-tenant ladder of letters and notices).

Called by the lifecycle app when a tenancy ends (it sits above arrears) and by the weekly review for any ended tenancy
whose case is still open (a tenancy loaded as already ended, say)."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from arrears.constants import CaseStatus, ContactKind, ContactOutcome
from arrears.models import ArrearsCase, Contact
from arrears.signals import cases_changed
from incomeapp.money import ZERO, format_money
from incomeapp.roles import staff_require

ENDED_WITH_ARREARS = "Tenancy ended: the balance is now former-tenant arrears"
# One at a time each case keeps its own history row; the review closes many at once with one UPDATE, as it does for
# cases it closes when nothing is owed.
_ONE_BY_ONE = 50


def ended_case_note(balance) -> str:
    if balance > ZERO:
        return f"{ENDED_WITH_ARREARS} ({format_money(balance)})."
    if balance < ZERO:
        return f"Tenancy ended with {format_money(-balance)} in credit: the case is closed."
    return "Tenancy ended with nothing owed: the case is closed."


@transaction.atomic
def cases_close_tenancy_ended(*, case_ids: list[int], on: date, closed_by=None) -> list[int]:
    """Closes the open cases given, each with a diary note saying the tenancy ended and where its balance now sits.
    Returns the ids closed (already closed ones are left alone, so calling again changes nothing)."""
    staff_require(closed_by, "arrears.add_contact", "close arrears cases when a tenancy ends")
    cases = list(
        ArrearsCase.objects.select_for_update()
        .filter(pk__in=case_ids, status=CaseStatus.OPEN)
        .select_related("account")
        .order_by("pk")
    )
    if not cases:
        return []
    Contact.objects.bulk_create(
        [
            Contact(
                case=case,
                kind=ContactKind.NOTE,
                outcome=ContactOutcome.NOTE,
                occurred_on=on,
                notes=ended_case_note(case.account.balance),
                recorded_by=closed_by,
            )
            for case in cases
        ]
    )
    if len(cases) <= _ONE_BY_ONE:
        for case in cases:
            case.status, case.closed_on = CaseStatus.CLOSED, on
            case._history_user = closed_by
            case._change_reason = ENDED_WITH_ARREARS if case.account.balance > ZERO else "Tenancy ended"
            case.save(update_fields=["status", "closed_on", "updated_at"])
    else:
        ArrearsCase.objects.filter(pk__in=[case.pk for case in cases]).update(
            status=CaseStatus.CLOSED, closed_on=on, updated_at=timezone.now()
        )
    cases_changed.send(sender=ArrearsCase, opened=[], closed=[case.pk for case in cases])
    return [case.pk for case in cases]


def case_close_for_account(*, account, on: date, closed_by=None) -> int | None:
    """The open case of one rent account closed because its tenancy ended (None when it had none)."""
    case_id = ArrearsCase.objects.filter(account=account, status=CaseStatus.OPEN).values_list("pk", flat=True).first()
    if case_id is None:
        return None
    closed = cases_close_tenancy_ended(case_ids=[case_id], on=on, closed_by=closed_by)
    return closed[0] if closed else None
