"""Write-off reasons on pages, and the account page's write-offs panel (its own include, so the page keeps one line)."""

from django import template

from rentaccounts.constants import RequestKind, RequestStatus
from rentaccounts.models import AdjustmentRequest
from rentaccounts.services.write_off_rules import reason_label, write_on_allowed

register = template.Library()


@register.filter
def write_off_label(request: AdjustmentRequest) -> str:
    """'gone away and not traced' for a write-off; '' for anything else."""
    return reason_label(request.write_off_reason) if getattr(request, "write_off_reason", "") else ""


@register.filter
def written_off(request: AdjustmentRequest):
    """The sum a write-off took off the debt, as a positive amount."""
    return -request.amount


@register.filter
def can_write_on(request: AdjustmentRequest) -> bool:
    return (
        request.kind == RequestKind.WRITE_OFF
        and request.status == RequestStatus.APPROVED
        and write_on_allowed(write_off=request)
    )


@register.inclusion_tag("rentaccounts/_write_offs_panel.html", takes_context=True)
def write_offs_panel(context, account):
    """The account's approved write-offs, each with its reason and, where it may be, the write-on link."""
    write_offs = list(
        AdjustmentRequest.objects.filter(account=account, kind=RequestKind.WRITE_OFF, status=RequestStatus.APPROVED)
        .select_related("decided_by")
        .prefetch_related("write_ons")
        .order_by("-decided_at")
    )
    return {"write_offs": write_offs, "perms": context.get("perms")}
