"""Housing Benefit and Universal Credit claims, and requests for direct payment to the landlord."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from arrears.models import (
    BenefitClaim,
    DirectPaymentRequest,
)
from incomeapp.law import threshold
from incomeapp.roles import staff_require

from .rereview import tenancy_re_review

# ---- benefits -------------------------------------------------------------------------------------------------------


def benefit_claim_record(
    *,
    tenancy,
    benefit: str,
    status: str,
    weekly_amount: Decimal,
    started_on: date,
    updated_by,
    paid_to_landlord: bool = True,
    evidence_complete: bool = False,
) -> BenefitClaim:
    """Records or updates the tenancy's HB or UC claim (one of each); its history keeps every change."""
    staff_require(updated_by, "arrears.change_benefitclaim", "record benefit claims")
    if weekly_amount < 0:
        raise ValidationError("The weekly amount cannot be below £0.00.")
    claim, _ = BenefitClaim.objects.update_or_create(
        tenancy=tenancy,
        benefit=benefit,
        defaults={
            "status": status,
            "weekly_amount": weekly_amount,
            "started_on": started_on,
            "paid_to_landlord": paid_to_landlord,
            "evidence_complete": evidence_complete,
            "updated_by": updated_by,
        },
    )
    tenancy_re_review(tenancy, "benefit claim")
    return claim


def direct_payment_request_record(*, tenancy, kind: str, requested_on: date, requested_by, notes: str = ""):
    staff_require(requested_by, "arrears.add_directpaymentrequest", "record direct payment requests")
    if requested_on > timezone.localdate():
        raise ValidationError("The request date is in the future. Enter the date it was sent.")
    open_kinds = tenancy.direct_payment_requests.exclude(status__in=["refused"]).values_list("kind", flat=True)
    if kind in open_kinds:
        raise ValidationError("This request is already recorded. Update its progress instead of adding another.")
    return DirectPaymentRequest.objects.create(
        tenancy=tenancy, kind=kind, requested_on=requested_on, notes=notes, requested_by=requested_by
    )


def direct_payment_request_update(*, request: DirectPaymentRequest, status: str, on: date, updated_by):
    """Moves a request on. When DWP has told the claimant, the objection window is dated from the law table."""
    staff_require(updated_by, "arrears.change_directpaymentrequest", "update direct payment requests")
    request.status = status
    if status == "claimant_notified":
        request.claimant_notified_on = on
        days = int(threshold("uc_request_objection_window_days", on))
        request.objection_window_ends = on + timedelta(days=days)
    elif status in ("approved", "refused", "active"):
        if status in ("approved", "active") and request.objection_window_ends and on <= request.objection_window_ends:
            raise ValidationError(
                f"The claimant can object until {request.objection_window_ends:%-d %B %Y}; "
                "record the decision after that."
            )
        request.decided_on = on
    request.save()
    return request
