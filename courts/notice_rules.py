"""The notice rules as plain functions over plain data (no database), so they can be tested exhaustively: the earliest
date proceedings may begin, when a notice lapses, the introductory-tenancy review window and Ground 8. The figures come
from the effective-dated law tables (`courts.law`), never from constants here. A Breathing Space moves deadlines by
`arrears.moratorium.deadline_moved` (one definition, in the arrears app).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from incomeapp.money import ZERO, to_money

from .constants import DateRule, GroundKind, LapseRule, NoticeType, PeriodBoundary

PERIOD_DAYS = {"weekly": 7, "fortnightly": 14, "four_weekly": 28}


@dataclass(frozen=True)
class GroundSpec:
    code: str
    title: str
    text: str
    kind: str
    notice_days: int
    threshold_weeks: Decimal | None = None  # weekly, fortnightly and four-weekly rent
    threshold_months: Decimal | None = None  # monthly rent
    uc_disregard: bool = False
    source: str = ""

    @property
    def kind_label(self) -> str:
        return GroundKind(self.kind).label

    @property
    def is_serious_arrears_test(self) -> bool:
        return self.threshold_weeks is not None or self.threshold_months is not None

    @property
    def mandatory(self) -> bool:
        return self.kind == GroundKind.MANDATORY


@dataclass(frozen=True)
class NoticeSpec:
    code: str
    notice_type: str
    label: str
    form: str
    regime: str
    date_rule: str
    min_days: int = 0
    min_months: int = 0
    period_boundary: str = PeriodBoundary.FIRST_DAY
    lapse_rule: str = LapseRule.NONE
    lapse_months: int = 0
    court_order_needed: bool = True
    review_days: int = 0
    prescribed_information: str = ""
    source: str = ""
    effective_from: date | None = None
    effective_to: date | None = None
    grounds: tuple[GroundSpec, ...] = field(default_factory=tuple)
    rule_id: int | None = None  # the NoticeRule row it came from

    @property
    def notice_name(self) -> str:
        return NoticeType(self.notice_type).label


def one_period_after(day: date, rent_period: str) -> date:
    if rent_period == "monthly":
        return day + relativedelta(months=1)
    return day + timedelta(days=PERIOD_DAYS[rent_period])


def period_start_on_or_after(day: date, *, tenancy_start: date, rent_period: str) -> date:
    """The first day of the rent period that starts on or after `day` (periods run from the tenancy's start)."""
    if day <= tenancy_start:
        return tenancy_start
    if rent_period == "monthly":
        months = (day.year - tenancy_start.year) * 12 + day.month - tenancy_start.month
        start = tenancy_start + relativedelta(months=months)
        return start if start >= day else tenancy_start + relativedelta(months=months + 1)
    length = PERIOD_DAYS[rent_period]
    periods = -(-(day - tenancy_start).days // length)  # ceiling
    return tenancy_start + timedelta(days=periods * length)


def period_boundary_on_or_after(day: date, *, tenancy_start: date, rent_period: str, boundary: str) -> date:
    """The first date on or after `day` that is the first (or the last) day of a rent period."""
    if boundary == PeriodBoundary.FIRST_DAY:
        return period_start_on_or_after(day, tenancy_start=tenancy_start, rent_period=rent_period)
    # The last day of a period is the day before the next period starts.
    return period_start_on_or_after(day + timedelta(days=1), tenancy_start=tenancy_start, rent_period=rent_period) - (
        timedelta(days=1)
    )


def notice_period_days(spec: NoticeSpec, grounds: list[GroundSpec]) -> int:
    """The longest notice any chosen ground needs (legal-spec R-AST-04), or the notice's own minimum."""
    return max([spec.min_days, *(ground.notice_days for ground in grounds)])


def earliest_proceedings_date(
    spec: NoticeSpec, *, deemed_served_on: date, tenancy_start: date, rent_period: str, grounds: list[GroundSpec]
) -> date:
    """The date after which proceedings may begin (the date to write in the notice)."""
    days = notice_period_days(spec, grounds)
    if spec.date_rule == DateRule.NOTICE_TO_QUIT:
        # R-SEC-04 / R-INT-02 / R-LIC-01: the longer of the minimum or one complete period, on a period boundary.
        at_least = max(deemed_served_on + timedelta(days=days), one_period_after(deemed_served_on, rent_period))
        return period_boundary_on_or_after(
            at_least, tenancy_start=tenancy_start, rent_period=rent_period, boundary=spec.period_boundary
        )
    if spec.date_rule == DateRule.MONTHS:
        return deemed_served_on + relativedelta(months=spec.min_months)
    return deemed_served_on + timedelta(days=days)


def lapse_date(spec: NoticeSpec, *, deemed_served_on: date, earliest: date) -> date | None:
    """The last day proceedings may be begun on the notice (None where the statute sets no limit)."""
    if spec.lapse_rule == LapseRule.AFTER_SPECIFIED_DATE:
        return earliest + relativedelta(months=spec.lapse_months)  # R-SEC-05: 12 months after the specified date
    if spec.lapse_rule == LapseRule.AFTER_SERVICE:
        return deemed_served_on + relativedelta(months=spec.lapse_months)  # R-AST-04: 12 months from service
    return None


def review_request_deadline(spec: NoticeSpec, *, deemed_served_on: date) -> date | None:
    """R-INT-03: a review must be asked for within 14 days beginning with the day of service (so day 14 is the
    13th day after it)."""
    if not spec.review_days:
        return None
    return deemed_served_on + timedelta(days=spec.review_days - 1)


@dataclass(frozen=True)
class SeriousArrearsTest:
    """Ground 8 (or the Welsh serious-arrears ground): is the threshold of rent lawfully due unpaid?"""

    ground: str
    met: bool
    rent_arrears: Decimal
    disregarded: Decimal
    counted: Decimal
    threshold: Decimal
    margin: Decimal  # counted minus threshold: 0 or more means met
    basis: str


def serious_arrears_test(
    ground: GroundSpec,
    *,
    rent_arrears: Decimal,
    rent_per_period: Decimal,
    rent_period: str,
    uc_awaited: Decimal = ZERO,
) -> SeriousArrearsTest:
    """Rent arrears (rent lawfully due only) against the ground's threshold for the tenancy's rent period. Under a
    regime with the Universal Credit disregard, arrears unpaid only because an award has not yet been paid are left
    out (`uc_awaited`)."""
    if rent_period == "monthly":
        if ground.threshold_months is None:
            raise ValueError(f"{ground.title} has no threshold for monthly rent.")
        threshold = to_money(rent_per_period * ground.threshold_months)
        basis = f"{ground.threshold_months.normalize()} months' rent at £{rent_per_period:,.2f} a month"
    else:
        if ground.threshold_weeks is None:
            raise ValueError(f"{ground.title} has no threshold for rent paid by the week.")
        weekly = to_money(rent_per_period / (PERIOD_DAYS[rent_period] // 7))
        threshold = to_money(weekly * ground.threshold_weeks)
        basis = f"{ground.threshold_weeks.normalize()} weeks' rent at £{weekly:,.2f} a week"
    disregarded = min(max(uc_awaited, ZERO), max(rent_arrears, ZERO)) if ground.uc_disregard else ZERO
    counted = rent_arrears - disregarded
    margin = counted - threshold
    return SeriousArrearsTest(
        ground=ground.code,
        met=margin >= 0,
        rent_arrears=rent_arrears,
        disregarded=disregarded,
        counted=counted,
        threshold=threshold,
        margin=margin,
        basis=basis,
    )
