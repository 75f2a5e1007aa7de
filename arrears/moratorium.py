"""Breathing Space rules (SI 2020/1311, legal-spec §6), pure: no database. The figures (60 days, 30 days after crisis
treatment, 20 days to ask for a review, 8 weeks after the end for a deadline, 12 months between standard moratoria)
are law, held as effective-dated `LawThreshold` rows and passed in as a `MoratoriumLaw` (read with
`arrears.selectors.moratorium_law`).

Every service that acts on arrears asks `arrears.services.breathing_space.moratorium_hold` first; the weekly review's
engine holds the moratorium debt whatever policy is installed (`arrears.engine.evaluate`).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from incomeapp.money import ZERO, format_money


@dataclass(frozen=True)
class MoratoriumLaw:
    standard_days: int = 60  # R-BS-01: a standard moratorium lasts up to 60 days
    crisis_after_treatment_days: int = 30  # R-BS-02: a crisis one ends 30 days after the crisis treatment ends
    review_request_days: int = 20  # R-BS-22: a creditor may ask the adviser for a review within 20 days of the start
    midway_review_day: int = 30  # R-BS-22: the adviser's midway review of a standard one, around day 30 ([B] 28-35)
    deadline_extension_weeks: int = 8  # R-BS-14: a deadline falling inside moves to 8 weeks after the end
    standard_repeat_months: int = 12  # R-BS-01: one standard moratorium per 12 months


@dataclass(frozen=True)
class Moratorium:
    starts_on: date
    ends_on: date | None  # the last day it protects; None: a crisis moratorium whose end is not yet known
    kind: str = "standard"
    debt: Decimal = ZERO  # the moratorium debt: what was owed at the start, frozen

    def covers(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


def standard_expected_end(starts_on: date, law: MoratoriumLaw) -> date:
    """R-BS-01 as the spec gives it (§6.4: "expected end date (standard: start+60)")."""
    return starts_on + timedelta(days=law.standard_days)


def crisis_end(treatment_ended_on: date, law: MoratoriumLaw) -> date:
    """R-BS-02: the duration of the crisis treatment plus 30 days."""
    return treatment_ended_on + timedelta(days=law.crisis_after_treatment_days)


def last_protected_day(
    *,
    kind: str,
    expected_end_on: date | None,
    treatment_ended_on: date | None,
    ended_on: date | None,
    law: MoratoriumLaw,
) -> date | None:
    """The last day a moratorium protects: an early end or cancellation if recorded (the earlier of it and the normal
    end), else a crisis one's treatment end + 30 days, else the standard one's expected end. None while a crisis one's
    treatment has not ended."""
    normal = crisis_end(treatment_ended_on, law) if treatment_ended_on else None
    if kind == "standard":
        normal = expected_end_on
    if ended_on is not None:
        return min(ended_on, normal) if normal else ended_on
    return normal


def review_request_by(starts_on: date, law: MoratoriumLaw) -> date:
    """R-BS-22: the last day the landlord may ask the adviser for a review (20 days of the moratorium starting, the
    start counted as day 1: the cautious reading)."""
    return starts_on + timedelta(days=law.review_request_days - 1)


def midway_review_on(starts_on: date, law: MoratoriumLaw) -> date:
    return starts_on + timedelta(days=law.midway_review_day)


def repeat_standard_warning(starts_on: date, earlier: list[Moratorium], law: MoratoriumLaw) -> str:
    """R-BS-01: only one standard moratorium per 12 months. The Insolvency Service decides eligibility, so this is a
    warning for the officer to check with the adviser, not a refusal."""
    since = starts_on - relativedelta(months=law.standard_repeat_months)
    for other in earlier:
        if other.kind == "standard" and since <= other.starts_on < starts_on:
            return (
                f"A standard Breathing Space already began on {other.starts_on:%-d %B %Y}, less than "
                f"{law.standard_repeat_months} months before this one (R-BS-01 allows one a year): check the "
                "reference with the debt adviser or the Insolvency Service register."
            )
    return ""


def debt_split(*, balance: Decimal, moratorium_debt: Decimal) -> tuple[Decimal, Decimal]:
    """(the moratorium debt still owed, the new arrears) on a balance. R-BS-21: the debt at the start is frozen;
    current rent keeps falling due (R-BS-20) and payments meet it first, so the balance above the frozen debt is new
    arrears that can be acted on, and a balance below it means the tenant has paid some of the held debt."""
    held = min(max(balance, ZERO), moratorium_debt)
    return held, max(balance - moratorium_debt, ZERO)


def deadline_moved(deadline: date | None, moratoria: list[Moratorium], law: MoratoriumLaw) -> tuple[date | None, str]:
    """R-BS-14: a date by which a step must be taken that falls inside a moratorium moves to 8 weeks after it ends
    (and again if the moved date falls inside a later one). Returns the date (None while the moratorium's end is not
    known) and why it moved ("" when it did not)."""
    if deadline is None:
        return None, ""
    original, note = deadline, ""
    extension = timedelta(weeks=law.deadline_extension_weeks)
    for moratorium in sorted(moratoria, key=lambda m: m.starts_on):
        if moratorium.covers(deadline):
            if moratorium.ends_on is None:
                return None, (
                    f"{original:%-d %B %Y} falls inside the Breathing Space that began on "
                    f"{moratorium.starts_on:%-d %B %Y}: it moves to {law.deadline_extension_weeks} weeks after that "
                    "ends, which is not yet known"
                )
            deadline = moratorium.ends_on + extension
            note = (
                f"moved from {original:%-d %B %Y}: it fell inside the Breathing Space of "
                f"{moratorium.starts_on:%-d %B %Y} to {moratorium.ends_on:%-d %B %Y}, so it is "
                f"{law.deadline_extension_weeks} weeks after that ends"
            )
    return deadline, note


def hold_reason(step: str, moratorium: Moratorium, *, rule: str) -> str:
    """The plain-English refusal every service gives, naming the rule."""
    until = f"{moratorium.ends_on:%-d %B %Y}" if moratorium.ends_on else "30 days after the crisis treatment ends"
    return (
        f"A Breathing Space (debt moratorium) began on {moratorium.starts_on:%-d %B %Y} and protects the moratorium "
        f"debt of {format_money(moratorium.debt)} until {until}: {step} is not allowed while it lasts ({rule})."
    )
