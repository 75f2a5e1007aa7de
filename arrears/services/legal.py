"""Legal milestones, recorded here by the courts app (which sits above arrears) so the weekly review reads them from
the case without importing courts: a possession notice served and when it lapses, a court date and outcome, an
eviction date. Each is written to the case (its history keeps the change) and to the contact diary."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from arrears.constants import CaseStatus, ContactKind, ContactOutcome
from arrears.models import ArrearsCase, Contact
from arrears.signals import cases_changed
from incomeapp.roles import staff_require

from .rereview import case_re_review

MILESTONES = ("nosp_served_on", "nosp_expires_on", "court_date", "court_outcome", "eviction_date")


@transaction.atomic
def legal_milestone_record(*, account, recorded_by, note: str, code: str = "", on: date | None = None, **changes):
    """Sets the milestones given on the account's open case (opening one if there is none) and notes it in the
    diary. `code` is the ladder step it completes (for example `send_nosp`), so the policy moves on from it."""
    unknown = set(changes) - set(MILESTONES)
    if unknown:
        raise ValueError(f"Not a legal milestone: {', '.join(sorted(unknown))}.")
    staff_require(recorded_by, "arrears.add_contact", "record legal steps on a case")
    today = on or timezone.localdate()
    case = ArrearsCase.objects.select_for_update().filter(account=account, status=CaseStatus.OPEN).first()
    if case is None:
        case = ArrearsCase.objects.create(account=account, opened_on=today)
        cases_changed.send(sender=ArrearsCase, opened=[case.pk], closed=[])
    for field, value in changes.items():
        setattr(case, field, value)
    case.save(update_fields=list(changes))
    Contact.objects.create(
        case=case,
        kind=ContactKind.NOTE,
        code=code,
        outcome=ContactOutcome.NOTE,
        occurred_on=today,
        notes=note,
        recorded_by=recorded_by,
    )
    case_re_review(case)
    return case
