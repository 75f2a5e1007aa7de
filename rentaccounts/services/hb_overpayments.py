"""Housing Benefit overpayments a council recovered from us (legal-spec R-HB-03, R-HB-04; docs/debts.md).

Recorded against the tenancy the overpayment concerns, then:

- recoverable from that tenant: one Housing Benefit overpayment debit on its rent account (R-HB-03: the rent for the
  period is unpaid again), tracked until an officer marks it recovered or an approved write-off covers it;
- blameless, the landlord's loss: no debit to that tenant;
- deducted from a Housing Benefit schedule: the tenancy whose Housing Benefit the council reduced (its payment line
  came in lower) is credited with the full deduction, so it never shows as arrears (R-HB-04). When the council reduced
  the concerned tenant's own Housing Benefit, the same credit restores it and the debit above, if recoverable, stands
  for the overpayment, so a notice never counts the deduction as unpaid rent.

The debit is on the rent account and in the balance, but it is not rent for a notice or the serious-arrears ground
(courts.selectors.NOT_RENT): its recovery as rent is open to challenge, and overstated arrears lose a claim."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incomeapp.money import format_money, to_money
from incomeapp.roles import staff_require
from rentaccounts.constants import (
    AccountKind,
    OverpaymentLiability,
    OverpaymentRecovery,
    OverpaymentStatus,
    RequestKind,
    RequestStatus,
    TransactionType,
)
from rentaccounts.models import AdjustmentRequest, HousingBenefitOverpayment, Transaction
from tenancies.models import Tenancy

from .ledger import Posting, account_get_or_create, transactions_post


def _period(overpayment: HousingBenefitOverpayment) -> str:
    return f"{overpayment.period_start:%-d %B %Y} to {overpayment.period_end:%-d %B %Y}"


def _postings(overpayment: HousingBenefitOverpayment, on: date) -> list[Posting]:
    reference = f", schedule {overpayment.schedule_reference}" if overpayment.schedule_reference else ""
    postings = []
    if overpayment.deducted_from_id is not None:
        account = account_get_or_create(tenancy=overpayment.deducted_from, kind=AccountKind.RENT)
        whose = (
            "this tenancy's overpayment"
            if overpayment.deducted_from_id == overpayment.tenancy_id
            else "another tenancy's overpayment (not this tenant's debt)"
        )
        postings.append(
            Posting(
                account_id=account.pk,
                transaction_type=TransactionType.HB_BLAMELESS_CREDIT,
                amount=-overpayment.amount,
                effective_date=on,
                idempotency_key=f"hb-overpayment:{overpayment.pk}:credit",
                description=f"Housing Benefit withheld by {overpayment.council} for {whose}{reference}"[:255],
                external_reference=overpayment.schedule_reference[:100],
            )
        )
    if overpayment.liability == OverpaymentLiability.RECOVERABLE:
        account = account_get_or_create(tenancy=overpayment.tenancy, kind=AccountKind.RENT)
        postings.append(
            Posting(
                account_id=account.pk,
                transaction_type=TransactionType.HB_OVERPAYMENT,
                amount=overpayment.amount,
                effective_date=on,
                idempotency_key=f"hb-overpayment:{overpayment.pk}:debit",
                description=f"Housing Benefit overpaid {_period(overpayment)}, recovered from us by "
                f"{overpayment.council}{reference}"[:255],
                external_reference=overpayment.schedule_reference[:100],
                period_start=overpayment.period_start,
                period_end=overpayment.period_end,
            )
        )
    return postings


def hb_overpayment_post(*, overpayment: HousingBenefitOverpayment, on: date, posted_by=None) -> int:
    """Posts the overpayment's lines (each once, by its key) and links them to it. Returns how many were new."""
    postings = _postings(overpayment, on)
    result = transactions_post(postings=postings, posted_by=posted_by, review_reason="hb-overpayment")
    overpayment.transactions.add(
        *Transaction.objects.filter(idempotency_key__in=[posting.idempotency_key for posting in postings])
    )
    return result.posted


@transaction.atomic
def hb_overpayment_record(
    *,
    tenancy: Tenancy,
    council: str,
    period_start: date,
    period_end: date,
    amount: Decimal,
    recovery_method: str,
    liability: str,
    recorded_by,
    schedule_reference: str = "",
    deducted_from: Tenancy | None = None,
    recovered_on: date | None = None,
) -> HousingBenefitOverpayment:
    """Records an overpayment the council recovered from us on `recovered_on` (default today) and posts its lines."""
    staff_require(recorded_by, "rentaccounts.add_housingbenefitoverpayment", "record Housing Benefit overpayments")
    amount = to_money(amount)
    today = timezone.localdate()
    recovered_on = recovered_on or today
    council = council.strip()
    schedule_reference = schedule_reference.strip()
    if amount <= 0:
        raise ValidationError("Enter the amount the council recovered, more than £0.00.")
    if not council:
        raise ValidationError("Enter the council that recovered the overpayment.")
    if period_end < period_start:
        raise ValidationError("The overpaid period must end on or after the day it starts.")
    if recovered_on > today:
        raise ValidationError("Record the overpayment once the council has recovered it: the date cannot be future.")
    if recovery_method == OverpaymentRecovery.SCHEDULE_DEDUCTION:
        deducted_from = deducted_from or tenancy
    elif deducted_from is not None:
        raise ValidationError("Only a deduction from a Housing Benefit schedule reduces a tenancy's Housing Benefit.")
    duplicate = HousingBenefitOverpayment.objects.filter(
        tenancy=tenancy, council=council, period_start=period_start, period_end=period_end, amount=amount,
        schedule_reference=schedule_reference,
    )  # fmt: skip
    if duplicate.exists():
        raise ValidationError(
            f"This overpayment ({format_money(amount)} for {period_start:%-d %B %Y} to {period_end:%-d %B %Y}) is "
            "already recorded: nothing was posted again."
        )
    overpayment = HousingBenefitOverpayment(
        tenancy=tenancy,
        council=council,
        period_start=period_start,
        period_end=period_end,
        amount=amount,
        recovery_method=recovery_method,
        schedule_reference=schedule_reference,
        deducted_from=deducted_from,
        liability=liability,
        status=OverpaymentStatus.OPEN
        if liability == OverpaymentLiability.RECOVERABLE
        else OverpaymentStatus.LANDLORD_LOSS,
        closed_on=None if liability == OverpaymentLiability.RECOVERABLE else recovered_on,
        recorded_by=recorded_by,
    )
    overpayment.full_clean()
    overpayment.save()
    hb_overpayment_post(overpayment=overpayment, on=recovered_on, posted_by=recorded_by)
    return overpayment


def _open(overpayment: HousingBenefitOverpayment) -> None:
    if overpayment.status != OverpaymentStatus.OPEN:
        raise ValidationError(f"This overpayment is already closed: {overpayment.get_status_display().lower()}.")


@transaction.atomic
def hb_overpayment_recovered(*, overpayment: HousingBenefitOverpayment, on: date, marked_by) -> None:
    """An officer marks a recoverable overpayment recovered from the tenant (paid, or cleared under an agreement)."""
    staff_require(marked_by, "rentaccounts.change_housingbenefitoverpayment", "update Housing Benefit overpayments")
    _open(overpayment)
    if on > timezone.localdate():
        raise ValidationError("The date it was recovered cannot be in the future.")
    overpayment.status = OverpaymentStatus.RECOVERED
    overpayment.closed_on = on
    overpayment._change_reason = f"Recovered from the tenant by {on:%-d %B %Y}"
    overpayment.save(update_fields=["status", "closed_on", "updated_at"])


@transaction.atomic
def hb_overpayment_written_off(
    *, overpayment: HousingBenefitOverpayment, write_off: AdjustmentRequest, marked_by
) -> None:
    """A recoverable overpayment closed by a write-off someone approved (through the write-off approval) on the same
    rent account, for at least its amount."""
    staff_require(marked_by, "rentaccounts.change_housingbenefitoverpayment", "update Housing Benefit overpayments")
    _open(overpayment)
    if (
        write_off.kind != RequestKind.WRITE_OFF
        or write_off.status != RequestStatus.APPROVED
        or write_off.account.tenancy_id != overpayment.tenancy_id
        or write_off.account.kind != AccountKind.RENT
    ):
        raise ValidationError("Choose a write-off on this tenancy's rent account that has been approved.")
    if abs(write_off.amount) < overpayment.amount:
        raise ValidationError(
            f"That write-off ({format_money(abs(write_off.amount))}) is less than the overpayment "
            f"({format_money(overpayment.amount)})."
        )
    overpayment.status = OverpaymentStatus.WRITTEN_OFF
    overpayment.closed_on = (write_off.decided_at or timezone.now()).date()
    overpayment.transactions.add(*write_off.transactions.all())
    overpayment._change_reason = f"Written off under approved request {write_off.pk}"
    overpayment.save(update_fields=["status", "closed_on", "updated_at"])
