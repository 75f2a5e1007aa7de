"""Previewing the lifecycle's letters (sign-up, rent change) in the letter template editor on a real tenancy.

The documents app asks one registered provider for merge values by payment reference. The arrears app gives a case's
values; this provider, registered after it, adds what the sign-up and rent change letters need, so every shipped
template previews on any tenancy (with a case or without one).
"""

from datetime import date

from django.utils import timezone

from tenancies.models import Tenancy
from tenancies.references import payment_reference_normalise, payment_reference_problem
from tenancies.specs import ChargeSpec

from .models import RentChangeRun
from .rent_change import rent_change_letter_values
from .signup import first_period, sign_up_letter_values

PreviewContext = tuple[dict[str, str], dict, dict]


def lifecycle_preview_context(payment_reference: str, case_context) -> PreviewContext:
    """Merge values for any letter on the tenancy with this payment reference: its open case's (from
    `case_context`, the arrears provider) where it has one, then the sign-up letter's and the rent change letter's."""
    reference = payment_reference_normalise(payment_reference)
    problem = payment_reference_problem(reference)
    if problem:
        raise LookupError(problem)
    tenancy = (
        Tenancy.objects.select_related("property__scheme__provider", "property__patch__officer")
        .filter(payment_reference=reference)
        .first()
    )
    if tenancy is None:
        raise LookupError(f"No tenancy has the payment reference {reference}.")
    try:
        case_values, recipient, landlord = case_context(reference)
    except LookupError:
        case_values, recipient, landlord = {}, None, tenancy.property.scheme.provider.letterhead
    people = tenancy.named_tenants()
    today = timezone.localdate()
    in_effect = [
        c
        for c in tenancy.charges.all()
        if c.effective_from <= today and (c.effective_to is None or c.effective_to >= today)
    ]
    specs = [ChargeSpec(c.charge_type, c.amount, c.counts_as_rent) for c in in_effect]
    values = sign_up_letter_values(
        tenancy=tenancy,
        tenants=people,
        charges=specs,
        first=first_period(start_date=tenancy.start_date, rent_period=tenancy.rent_period, charges=specs),
    )
    values.update(
        rent_change_letter_values(
            run=RentChangeRun(effective_from=_next_change(tenancy, today)), tenancy=tenancy, people=people
        )
    )
    values.update(case_values)
    values.setdefault("tenant_name", people[0].full_name if people else "the tenant")
    if recipient is None:
        recipient = {"name": values["tenant_name"], "address_lines": tenancy.property.address_lines}
    return values, recipient, landlord


def _next_change(tenancy: Tenancy, today: date) -> date:
    """The next day the tenancy's charges change (an approved rent change), or today when none is scheduled."""
    later = tenancy.charges.filter(effective_from__gt=today).order_by("effective_from").first()
    return later.effective_from if later else today
