"""Effective-dated legal figures (LawThreshold): the value in force on a date, or a clear error when none is. Also
`shipped_rows_install`, which adds the rows of the rules an app ships as data (complaint handling, prescribed forms)."""

from collections.abc import Iterable
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
    *(
        (key, Decimal(value), unit, date(2021, 5, 4), meaning, source)
        for key, value, unit, meaning, source in (
            (
                "breathing_space_standard_days",
                "60",
                "days",
                "A standard Breathing Space is expected to end this many days after it starts.",
                "R-BS-01: SI 2020/1311 (Debt Respite Scheme), in force 4 May 2021; gov.uk creditor guidance. The spec "
                "gives the end as start + 60 days (legal-spec §6.4), the cautious reading.",
            ),
            (
                "breathing_space_crisis_after_treatment_days",
                "30",
                "days",
                "A mental health crisis Breathing Space ends this many days after the crisis treatment ends.",
                "R-BS-02: SI 2020/1311; gov.uk creditor guidance.",
            ),
            (
                "breathing_space_review_request_days",
                "20",
                "days",
                "A creditor may ask the debt adviser for a review within this many days of the moratorium starting.",
                "R-BS-22: SI 2020/1311 reg 17; time limits cannot be extended (Kaye v Lees [2022] EWHC 3326 (KB)).",
            ),
            (
                "breathing_space_midway_review_day",
                "30",
                "days",
                "The debt adviser reviews a standard Breathing Space around this many days after it starts.",
                "R-BS-22: Shelter 'Standard breathing space'; the exact window (28-35 days) is [B], for a lawyer to "
                "confirm.",
            ),
            (
                "breathing_space_deadline_extension_weeks",
                "8",
                "weeks",
                "A deadline for a step on the moratorium debt that falls during the moratorium moves to this many "
                "weeks after it ends.",
                "R-BS-14: Shelter Legal 'Breathing space and landlord notices in possession proceedings'.",
            ),
            (
                "breathing_space_standard_repeat_months",
                "12",
                "months",
                "Only one standard Breathing Space is allowed in this many months.",
                "R-BS-01: gov.uk creditor guidance; Shelter 'Standard breathing space' (once a year).",
            ),
        )
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


def shipped_rows_install(model, rows: Iterable[dict], *, keys: tuple[str, ...]) -> int:
    """Adds the shipped rows that are missing, each found by its `keys` (its other fields are its values), and says
    how many were added. Safe to repeat: a row already there is left as it is. A data migration passes its own model."""
    added = 0
    for row in rows:
        _, created = model.objects.get_or_create(
            **{key: row[key] for key in keys},
            defaults={field: value for field, value in row.items() if field not in keys},
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
        raise NoThreshold(f"No '{key}' is in force on {on:%-d %B %Y}. Add it under Admin > Law thresholds.")
    return row.value
