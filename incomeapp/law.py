"""Effective-dated legal figures (LawThreshold): the value in force on a date, or a clear error when none is."""

from datetime import date
from decimal import Decimal

from .models import LawThreshold

# The figures the product ships with (legal-spec §7), each with its source. A change in the law is a new row with a
# later effective date (in Admin, or here plus a migration that calls law_thresholds_install).
LAW_THRESHOLDS = [
    (
        "uc_managed_payment_arrears_months",
        Decimal("2"),
        "months",
        date(2013, 4, 29),
        "A managed payment to landlord may be requested when UC arrears equal or exceed this many months' rent.",
        "R-UC-02: gov.uk Alternative Payment Arrangements guidance; UC and Universal Credit (Claims and Payments) "
        "Regulations 2013; as cited in legal-spec §7.1.",
    ),
    (
        "uc_third_party_deduction_min_percent",
        Decimal("10"),
        "percent",
        date(2013, 4, 29),
        "Lowest third-party deduction for rent arrears, as a share of the UC standard allowance.",
        "R-UC-04: SI 2013/380 Sch 6 para 7.",
    ),
    (
        "uc_third_party_deduction_max_percent",
        Decimal("20"),
        "percent",
        date(2013, 4, 29),
        "Highest third-party deduction for rent arrears, as a share of the UC standard allowance.",
        "R-UC-04: SI 2013/380 Sch 6 para 7.",
    ),
    (
        "uc_request_objection_window_days",
        Decimal("7"),
        "days",
        date(2025, 1, 1),
        "Days the claimant has to object after DWP tells them of a landlord's managed-payment or deduction request.",
        "R-UC-05: Roberts v SSWP [2025] EWHC 51 (Admin); interim DWP policy (7 days for reasons). [B] for a lawyer to "
        "confirm.",
    ),
    (
        "hb_direct_payment_arrears_weeks",
        Decimal("8"),
        "weeks",
        date(2006, 3, 6),
        "Housing Benefit must be paid to the landlord when the claimant owes this many weeks' rent or more.",
        "R-HB-02: Housing Benefit Regulations 2006 reg 95(1)(b).",
    ),
    (
        "deemed_service_post_working_days",
        Decimal("2"),
        "working days",
        date(2021, 10, 1),
        "A notice sent by first class post is taken as served this many working days after posting.",
        "[B] By analogy with CPR 6.26 (second business day after posting), the cautious reading for notice dates; "
        "legal-spec R-SEC-04 asks for a buffer for deemed service by post. For a lawyer to confirm.",
    ),
    (
        "deemed_service_left_working_days",
        Decimal("1"),
        "working days",
        date(2021, 10, 1),
        "A notice left at or put through the door of the home is taken as served this many working days later.",
        "[B] By analogy with CPR 6.26 (delivered after 4.30pm or not on a business day: the next business day); the "
        "cautious reading whatever the time of day. For a lawyer to confirm.",
    ),
]


def law_thresholds_install(model=LawThreshold) -> int:
    """Adds the shipped thresholds that are missing (safe to repeat). `model` lets a migration pass its own."""
    added = 0
    for key, value, unit, effective_from, meaning, source in LAW_THRESHOLDS:
        _, created = model.objects.get_or_create(
            key=key,
            effective_from=effective_from,
            defaults={"value": value, "unit": unit, "meaning": meaning, "source": source},
        )
        added += created
    return added


class NoThreshold(LookupError):
    pass


def threshold(key: str, on: date) -> Decimal:
    row = (
        LawThreshold.objects.filter(key=key, effective_from__lte=on)
        .exclude(effective_to__lt=on)
        .order_by("-effective_from")
        .first()
    )
    if row is None:
        raise NoThreshold(f"No '{key}' is in force on {on:%d/%m/%Y}. Add it under Admin > Law thresholds.")
    return row.value
