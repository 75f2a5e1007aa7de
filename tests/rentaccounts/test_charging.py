"""The pure charging rules: whole periods, part periods, rent-free weeks, every rent period."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rentaccounts.charging import ChargeLine, TenancyTerms, charges_due_in_week
from tenancies.constants import RentPeriod
from tenancies.selectors import weekly_equivalent

MON = date(2026, 11, 23)
RENT = ChargeLine(1, Decimal("100.00"), date(2020, 1, 1), None)


def due(terms, week=MON, charges=(RENT,), rent_free=frozenset()):
    return [
        (c.amount, c.period_start, c.period_end, c.effective_date)
        for c in charges_due_in_week(terms, list(charges), week, rent_free)
    ]


def test_a_whole_week_is_charged_exactly():
    assert due(TenancyTerms(RentPeriod.WEEKLY, date(2024, 4, 1), None)) == [
        (Decimal("100.00"), MON, date(2026, 11, 29), MON)
    ]


def test_a_tenancy_starting_on_wednesday_pays_five_sevenths():
    terms = TenancyTerms(RentPeriod.WEEKLY, date(2026, 11, 25), None)
    # 5 days of £100.00 a week = £71.428… → £71.43, dated the day the tenancy starts.
    assert due(terms) == [(Decimal("71.43"), MON, date(2026, 11, 29), date(2026, 11, 25))]


def test_a_tenancy_ending_on_tuesday_pays_two_sevenths():
    terms = TenancyTerms(RentPeriod.WEEKLY, date(2024, 4, 1), date(2026, 11, 24))
    assert due(terms)[0][0] == Decimal("28.57")


def test_nothing_is_due_after_a_tenancy_ends_or_before_it_starts():
    assert due(TenancyTerms(RentPeriod.WEEKLY, date(2024, 4, 1), date(2026, 11, 22))) == []
    assert due(TenancyTerms(RentPeriod.WEEKLY, date(2026, 11, 30), None)) == []


def test_a_rent_free_week_posts_nothing():
    terms = TenancyTerms(RentPeriod.WEEKLY, date(2024, 4, 1), None)
    assert due(terms, rent_free=frozenset({MON})) == []


def test_a_rent_change_midweek_splits_the_week_by_day():
    old = ChargeLine(1, Decimal("100.00"), date(2020, 1, 1), date(2026, 11, 24))
    new = ChargeLine(2, Decimal("107.00"), date(2026, 11, 25), None)
    lines = due(TenancyTerms(RentPeriod.WEEKLY, date(2024, 4, 1), None), charges=(old, new))
    assert [line[0] for line in lines] == [Decimal("28.57"), Decimal("76.43")]


def test_fortnightly_is_due_every_other_week_from_the_start_monday():
    terms = TenancyTerms(RentPeriod.FORTNIGHTLY, date(2026, 11, 9), None)  # a Monday two weeks before MON
    fortnight = ChargeLine(1, Decimal("200.00"), date(2020, 1, 1), None)
    assert due(terms, charges=(fortnight,)) == [(Decimal("200.00"), MON, date(2026, 12, 6), MON)]
    assert due(terms, week=MON + timedelta(days=7), charges=(fortnight,)) == []


def test_a_rent_free_week_inside_a_four_week_period_takes_a_quarter_off():
    terms = TenancyTerms(RentPeriod.FOUR_WEEKLY, MON, None)
    four_weeks = ChargeLine(1, Decimal("400.00"), date(2020, 1, 1), None)
    assert due(terms, charges=(four_weeks,), rent_free=frozenset({MON + timedelta(days=14)}))[0][0] == Decimal("300.00")


def test_monthly_is_due_on_the_start_day_and_clamped_at_month_end():
    terms = TenancyTerms(RentPeriod.MONTHLY, date(2026, 1, 31), None)
    monthly = ChargeLine(1, Decimal("450.00"), date(2020, 1, 1), None)
    # 28 February 2026 is a Saturday: its week starts Monday 23 February.
    assert due(terms, week=date(2026, 2, 23), charges=(monthly,)) == [
        (Decimal("450.00"), date(2026, 2, 28), date(2026, 3, 30), date(2026, 2, 28))
    ]
    assert due(terms, week=date(2026, 3, 2), charges=(monthly,)) == []
    # Rent-free weeks never apply to monthly rents.
    assert due(terms, week=date(2026, 2, 23), charges=(monthly,), rent_free=frozenset({date(2026, 3, 2)}))[0][
        0
    ] == Decimal("450.00")


def test_a_monthly_tenancy_ending_mid_month_pays_by_day():
    terms = TenancyTerms(RentPeriod.MONTHLY, date(2026, 1, 1), date(2026, 12, 10))
    monthly = ChargeLine(1, Decimal("310.00"), date(2020, 1, 1), None)
    # December: 10 of 31 days of £310.00 = £100.00.
    assert due(terms, week=date(2026, 11, 30), charges=(monthly,))[0][0] == Decimal("100.00")


def test_the_week_must_start_on_a_monday():
    with pytest.raises(ValueError, match="not a Monday"):
        charges_due_in_week(TenancyTerms(RentPeriod.WEEKLY, MON, None), [RENT], MON + timedelta(days=1))


def test_weekly_equivalents():
    assert weekly_equivalent(Decimal("433.33"), RentPeriod.MONTHLY) == Decimal("100.00")
    assert weekly_equivalent(Decimal("400.00"), RentPeriod.FOUR_WEEKLY) == Decimal("100.00")
    assert weekly_equivalent(Decimal("100.00"), RentPeriod.WEEKLY) == Decimal("100.00")


@given(
    start_offset=st.integers(min_value=-400, max_value=400),
    length=st.one_of(st.none(), st.integers(min_value=0, max_value=800)),
    amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("2000"), places=2),
    period=st.sampled_from([RentPeriod.WEEKLY, RentPeriod.FORTNIGHTLY, RentPeriod.FOUR_WEEKLY, RentPeriod.MONTHLY]),
)
def test_a_tenancy_is_never_charged_more_than_a_whole_period_per_period_and_never_negative(
    start_offset, length, amount, period
):
    start = MON + timedelta(days=start_offset)
    end = None if length is None else start + timedelta(days=length)
    terms = TenancyTerms(period, start, end)
    charge = ChargeLine(1, amount, date(2000, 1, 1), None)
    seen_periods = set()
    for week in range(-70, 70):
        for line in charges_due_in_week(terms, [charge], MON + timedelta(weeks=week)):
            assert Decimal("0.00") < line.amount <= amount
            assert line.period_start not in seen_periods, "a period was charged twice"
            seen_periods.add(line.period_start)
            assert line.effective_date >= start
            assert end is None or line.effective_date <= end
