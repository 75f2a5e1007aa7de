"""The rent change letters: the merge values of a tenancy's letter (`rent_change_letter_values`) and the letters
made in batches, one per named tenant, each made once (`rent_change_letters_make`)."""

import logging
from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from documents.models import Document
from incomeapp.money import ZERO, format_money
from lifecycle.charges import CHARGE_LABELS, CHARGE_ORDER, PERIOD_PHRASES
from lifecycle.constants import RentChangeStatus
from lifecycle.models import RentChangeRun
from tenancies.models import Tenancy
from tenancies.selectors import weekly_equivalent

from .applying import _charges_on
from .progress import LETTER_TEMPLATE, _letter_tenancy_ids, run_label

logger = logging.getLogger(__name__)


def _charges_text(by_type: dict[str, list], period: str) -> tuple[str, Decimal]:
    total = ZERO
    lines = []
    for charge_type in sorted(by_type, key=lambda t: CHARGE_ORDER.get(t, 99)):
        amount = sum((c.amount for c in by_type[charge_type]), ZERO)
        if amount == ZERO:
            continue
        total += amount
        lines.append(f"{CHARGE_LABELS[charge_type]}: {format_money(amount)} {period}")
    return ("\n".join(lines) or "No charges"), total


def rent_change_letter_values(*, run: RentChangeRun, tenancy: Tenancy, people: list) -> dict[str, str]:
    """The merge values of a tenancy's rent change letter (all but tenant_name, which is per letter): the charges the
    day before the change and from it, each charge's change, the totals and the difference."""
    charges = list(tenancy.charges.all())
    day = run.effective_from
    period = PERIOD_PHRASES.get(tenancy.rent_period, "a period")
    before_by_type = _charges_on(charges, day - timedelta(days=1)) if day > tenancy.start_date else {}
    after_by_type = _charges_on(charges, day)
    before_text, before_total = _charges_text(before_by_type, period)
    after_text, after_total = _charges_text(after_by_type, period)
    changes = []
    for charge_type in sorted(set(before_by_type) | set(after_by_type), key=lambda t: CHARGE_ORDER.get(t, 99)):
        old = sum((c.amount for c in before_by_type.get(charge_type, [])), ZERO)
        new = sum((c.amount for c in after_by_type.get(charge_type, [])), ZERO)
        if old != new:
            direction = "up" if new > old else "down"
            changes.append(
                f"{CHARGE_LABELS[charge_type]}: {format_money(old)} {period} now, {format_money(new)} {period} from "
                f"{day:%-d %B %Y} ({direction} {format_money(abs(new - old))})"
            )
    difference = after_total - before_total
    if difference > 0:
        total_change = f"an increase of {format_money(difference)} {period}"
    elif difference < 0:
        total_change = f"a decrease of {format_money(-difference)} {period}"
    else:
        total_change = "no change to the total"
    provider = tenancy.property.scheme.provider
    patch = tenancy.property.patch
    officer = patch.officer if patch else None
    return {
        "tenant_names": " and ".join(person.full_name for person in people),
        "address": tenancy.property.one_line_address,
        "payment_reference": tenancy.payment_reference,
        "landlord_name": provider.name,
        "officer_name": (officer.get_full_name() or officer.username) if officer else "The Income Team",
        "officer_phone": (getattr(officer, "phone", "") if officer else "")
        or provider.phone
        or "the number on our website",
        "today": f"{timezone.localdate():%-d %B %Y}",
        "weekly_rent": format_money(weekly_equivalent(after_total, tenancy.rent_period)),
        "rent_change_date": f"{day:%-d %B %Y}",
        "charges_before": before_text,
        "charges_after": after_text,
        "charge_changes": "\n".join(changes) or "No single charge changes.",
        "total_before": f"{format_money(before_total)} {period}",
        "total_after": f"{format_money(after_total)} {period}",
        "total_change": total_change,
    }


def rent_change_letters_make(*, run_id: int, tenancy_ids: list[int]) -> Counter:
    """The run's letters for these tenancies: one per named tenant, through the product's letters path (made once,
    found again by its subject key; waiting to be printed, or emailed to a tenant who chose email). Only tenancies
    whose lines are all applied get letters."""
    from lifecycle.signup import named_tenant_letters_make

    run = RentChangeRun.objects.select_related("decided_by").get(pk=run_id)
    counts: Counter = Counter()
    if run.status != RentChangeStatus.APPROVED:
        counts["not_approved"] += 1
        return counts
    label = run_label(run)
    ready = set(_letter_tenancy_ids(run, among=list(tenancy_ids)))
    tenancies = (
        Tenancy.objects.filter(pk__in=ready)
        .select_related("property__scheme__provider", "property__patch__officer")
        .order_by("pk")
    )
    made_before = set(
        Document.objects.filter(made_by_run=label, subject_key__startswith=f"{label}:").values_list(
            "subject_key", flat=True
        )
    )
    for tenancy in tenancies:
        people = tenancy.named_tenants()
        subject_key = f"{label}:{tenancy.pk}"
        missing = [person for person in people if f"{subject_key}:person:{person.pk}" not in made_before]
        counts["already_made"] += len(people) - len(missing)
        if not missing:
            continue
        try:
            named_tenant_letters_make(
                tenancy=tenancy,
                people=missing,
                template_key=LETTER_TEMPLATE,
                values=rent_change_letter_values(run=run, tenancy=tenancy, people=people),
                subject_key=subject_key,
                made_by=run.decided_by,
                run_label=label,
            )
        except ValidationError as error:
            logger.error("Rent change %s: letters for tenancy %s not made: %s", run.pk, tenancy.pk, error.messages[0])
            counts["failed"] += len(missing)
            continue
        counts["made"] += len(missing)
    return counts
