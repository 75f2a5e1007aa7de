"""Court timetable and enforcement rules as plain functions (legal-spec §4): the hearing warnings (CPR 55.5), the
limits on orders made on mandatory grounds (HA 1980 s89), and whether a warrant may be asked for (R-ENF-01, R-BS-13:
never while a Breathing Space protects the debt)."""

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from arrears.moratorium import Moratorium, hold_reason

from .constants import OUTRIGHT, CourtOutcome, WarrantForm

MIN_DAYS_ISSUE_TO_HEARING = 28
STANDARD_MAX_WEEKS_ISSUE_TO_HEARING = 8
MIN_DAYS_SERVICE_BEFORE_HEARING = 21
MANDATORY_POSTPONEMENT_DAYS = 14
EXCEPTIONAL_HARDSHIP_DAYS = 42
PERMISSION_AFTER_YEARS = 6


def hearing_warnings(*, issued_on: date | None, hearing_on: date, papers_served_on: date | None) -> list[str]:
    """R-CRT-02: a hearing not less than 28 days after issue, normally not more than 8 weeks; the claim served not
    less than 21 days before the hearing."""
    warnings = []
    if issued_on is not None:
        days = (hearing_on - issued_on).days
        if days < MIN_DAYS_ISSUE_TO_HEARING:
            warnings.append(
                f"The hearing is {days} days after the claim was issued: it should be at least 28 (CPR 55.5(3))."
            )
        if hearing_on > issued_on + timedelta(weeks=STANDARD_MAX_WEEKS_ISSUE_TO_HEARING):
            warnings.append("The hearing is more than 8 weeks after issue, longer than the standard period.")
    if papers_served_on is not None and (hearing_on - papers_served_on).days < MIN_DAYS_SERVICE_BEFORE_HEARING:
        warnings.append(
            f"The claim papers were served {(hearing_on - papers_served_on).days} days before the hearing: they must "
            "be served at least 21 days before it (CPR 55.5(3)(c))."
        )
    return warnings


def order_problems(
    *, outcome: str, made_on: date, possession_on: date | None, mandatory_ground: bool, exceptional_hardship: bool
) -> list[str]:
    """What is wrong with an order as recorded. On a mandatory ground the court must order possession, postponed by
    at most 14 days (42 for exceptional hardship); it cannot suspend or postpone on terms (legal-spec §4.3)."""
    problems = []
    if outcome == CourtOutcome.OUTRIGHT_ON_DATE and possession_on is None:
        problems.append("An outright order on a date needs the date for possession.")
    if possession_on is not None and possession_on < made_on:
        problems.append("The date for possession cannot be before the order was made.")
    if mandatory_ground:
        if outcome in (CourtOutcome.SUSPENDED, CourtOutcome.POSTPONED, CourtOutcome.STAY_OF_EXECUTION):
            problems.append(
                "On a mandatory ground the court cannot suspend or postpone possession on terms (HA 1980 s89): check "
                "the order, or record that the mandatory ground was not made out."
            )
        if outcome in OUTRIGHT and possession_on is not None:
            limit = EXCEPTIONAL_HARDSHIP_DAYS if exceptional_hardship else MANDATORY_POSTPONEMENT_DAYS
            if (possession_on - made_on).days > limit:
                problems.append(
                    f"On a mandatory ground possession can be put off by at most {limit} days"
                    + ("" if exceptional_hardship else " (42 for exceptional hardship)")
                    + ": check the date."
                )
    return problems


@dataclass(frozen=True)
class WarrantCheck:
    allowed: bool
    form: str | None
    reasons: list[str]


def warrant_check(
    *,
    outcome: str,
    made_on: date,
    possession_on: date | None,
    terms_broken: bool,
    date_fixed_after_postponement: date | None,
    breathing_space: Moratorium | bool | None,
    today: date,
) -> WarrantCheck:
    """Whether a warrant of possession may be asked for now, on which form, and if not, why (R-ENF-01, R-BS-13).
    `breathing_space` is the moratorium protecting the debt today (or just True/False): an order made in proceedings
    that went on during it (reg 10(3)) still cannot be enforced while it lasts."""
    reasons = []
    form = None
    if outcome in OUTRIGHT:
        form = WarrantForm.N325
        effective = possession_on or made_on
        if today <= effective and outcome == CourtOutcome.OUTRIGHT_ON_DATE:
            reasons.append(f"A warrant cannot be issued before the date for possession ({effective:%-d %B %Y}).")
    elif outcome == CourtOutcome.SUSPENDED:
        form = WarrantForm.N325A
        if not terms_broken:
            reasons.append("The suspended order's terms are being kept, so there is no breach to enforce.")
    elif outcome == CourtOutcome.POSTPONED:
        form = WarrantForm.N325
        if date_fixed_after_postponement is None:
            reasons.append(
                "After a postponed order is broken, apply to the court to fix a date for possession first (following "
                "the protocol steps); a warrant can be asked for once the date is fixed and has passed."
            )
        elif today <= date_fixed_after_postponement:
            reasons.append(f"The date fixed for possession ({date_fixed_after_postponement:%-d %B %Y}) has not passed.")
    else:
        reasons.append("This outcome gives no possession order to enforce.")
    if today >= made_on + relativedelta(years=PERMISSION_AFTER_YEARS):
        reasons.append(
            "The order is six years old or more: the court's permission is needed before a warrant (apply on N244)."
        )
    if isinstance(breathing_space, Moratorium):
        reasons.append(hold_reason("a warrant of possession", breathing_space, rule="R-BS-13"))
    elif breathing_space:
        reasons.append("A Breathing Space is active: no warrant for the moratorium debt may be asked for.")
    return WarrantCheck(allowed=not reasons, form=form, reasons=reasons)
