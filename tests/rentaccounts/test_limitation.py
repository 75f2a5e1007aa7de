"""The limitation working (rentaccounts.limitation): six years from when each sum fell due, restarted by a payment or a
written acknowledgment while still in time, never reviving a sum already out of time (Limitation Act 1980 s19, s29)."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from rentaccounts.limitation import Line, limitation, years_after

D = Decimal


def rent(day, amount="100.00", key=None):
    return Line(on=day, amount=D(amount), key=key)


def paid(day, amount="100.00", key=None):
    return Line(on=day, amount=-D(amount), payment=True, key=key)


def test_a_debit_is_recoverable_for_six_years_from_when_it_fell_due():
    lines = [rent(date(2020, 3, 2))]
    assert limitation(lines, on=date(2026, 3, 2)).limitation_date == date(2026, 3, 2)
    assert limitation(lines, on=date(2026, 3, 2)).out_of_time == D("0.00")
    after = limitation(lines, on=date(2026, 3, 3))
    assert after.out_of_time == D("100.00")
    assert after.out_of_time_from == date(2020, 3, 2)
    assert after.limitation_date is None


def test_the_limitation_date_is_that_of_the_oldest_part_still_in_time():
    lines = [rent(date(2021, 1, 4)), rent(date(2021, 1, 11)), rent(date(2021, 1, 18))]
    result = limitation(lines, on=date(2024, 1, 1))
    assert result.limitation_date == date(2027, 1, 4)
    # The oldest debit is paid (first in, first out): the date moves to the next one.
    result = limitation([*lines, Line(on=date(2021, 1, 5), amount=D("-100.00"))], on=date(2024, 1, 1))
    assert result.limitation_date == date(2027, 1, 11)


def test_a_payment_restarts_time_for_what_is_still_owed():
    lines = [rent(date(2020, 3, 2)), rent(date(2020, 3, 9)), paid(date(2023, 5, 1), "50.00")]
    result = limitation(lines, on=date(2026, 6, 1))
    assert result.limitation_date == date(2029, 5, 1)
    assert result.out_of_time == D("0.00")
    assert sum(p.amount for p in result.parts) == D("150.00")


def test_an_acknowledgment_restarts_time_and_pays_nothing():
    lines = [rent(date(2020, 3, 2))]
    result = limitation(lines, acknowledgments=[date(2025, 3, 3)], on=date(2027, 1, 1))
    assert result.limitation_date == date(2031, 3, 3)
    assert result.out_of_time == D("0.00")
    assert result.parts[0].amount == D("100.00")


def test_a_payment_after_a_part_is_out_of_time_does_not_revive_it():
    lines = [rent(date(2010, 1, 4), "120.00"), rent(date(2020, 1, 6)), paid(date(2021, 1, 4), "20.00")]
    result = limitation(lines, on=date(2022, 1, 1))
    # The payment pays the oldest (barred) debit first; the £100 left of it stays out of time.
    assert result.out_of_time == D("100.00")
    assert result.out_of_time_from == date(2010, 1, 4)
    # The later debit was in time on the day of the payment: time restarts for it.
    assert result.limitation_date == date(2027, 1, 4)


def test_an_acknowledgment_after_a_part_is_out_of_time_does_not_revive_it():
    result = limitation([rent(date(2010, 1, 4))], acknowledgments=[date(2020, 1, 1)], on=date(2020, 2, 1))
    assert result.out_of_time == D("100.00")
    assert result.limitation_date is None


def test_time_can_restart_again_and_again():
    lines = [rent(date(2010, 1, 4)), paid(date(2015, 1, 1), "10.00"), paid(date(2020, 12, 1), "10.00")]
    result = limitation(lines, acknowledgments=[date(2026, 11, 1)], on=date(2027, 1, 1))
    assert result.limitation_date == date(2032, 11, 1)
    assert result.out_of_time == D("0.00")


def test_a_reversed_payment_paid_nothing_and_restarted_nothing():
    lines = [
        rent(date(2020, 3, 2)),
        paid(date(2023, 5, 1), key=1),
        Line(on=date(2023, 5, 8), amount=D("100.00"), reverses=1),
    ]
    result = limitation(lines, on=date(2026, 6, 1))
    assert result.out_of_time == D("100.00")
    assert result.out_of_time_from == date(2020, 3, 2)


def test_a_reversed_debit_was_never_owed():
    lines = [rent(date(2020, 3, 2), key=7), Line(on=date(2020, 4, 1), amount=D("-100.00"), reverses=7)]
    result = limitation(lines, on=date(2030, 1, 1))
    assert result.out_of_time == D("0.00")
    assert result.parts == []


def test_credits_larger_than_debits_leave_a_credit_that_pays_later_debits():
    lines = [rent(date(2020, 1, 6)), paid(date(2020, 1, 6), "250.00"), rent(date(2020, 1, 13)), rent(date(2020, 1, 20))]
    result = limitation(lines, on=date(2020, 2, 1))
    assert result.credit == D("0.00")
    assert [(p.due, p.amount) for p in result.parts] == [(date(2020, 1, 20), D("50.00"))]
    result = limitation(lines[:2], on=date(2030, 1, 1))
    assert result.credit == D("150.00")
    assert result.out_of_time == D("0.00")
    assert result.limitation_date is None


def test_a_credit_that_is_not_a_payment_does_not_restart_time():
    lines = [rent(date(2020, 3, 2), "200.00"), Line(on=date(2023, 1, 1), amount=D("-50.00"))]
    result = limitation(lines, on=date(2026, 3, 3))
    assert result.out_of_time == D("150.00")


def test_lines_after_the_day_are_left_out():
    lines = [rent(date(2020, 3, 2)), paid(date(2026, 1, 1))]
    assert limitation(lines, on=date(2025, 12, 31)).parts[0].amount == D("100.00")
    assert limitation(lines, on=date(2026, 1, 1)).parts == []


def test_29_february_runs_to_28_february():
    assert years_after(date(2024, 2, 29)) == date(2030, 2, 28)


def test_a_fence_keeps_payments_after_an_order_off_the_debts_it_covers():
    lines = [rent(date(2025, 1, 6), "500.00"), rent(date(2026, 5, 4)), paid(date(2026, 5, 5))]
    fenced = limitation(lines, on=date(2026, 6, 1), fences=[date(2026, 5, 1)])
    assert [(p.due, p.amount) for p in fenced.parts] == [(date(2025, 1, 6), D("500.00"))]
    plain = limitation(lines, on=date(2026, 6, 1))
    assert [(p.due, p.amount) for p in plain.parts] == [
        (date(2025, 1, 6), D("400.00")),
        (date(2026, 5, 4), D("100.00")),
    ]


# Properties over random ledgers.
days = st.integers(min_value=0, max_value=365 * 15).map(lambda n: date(2010, 1, 1) + timedelta(days=n))
pennies = st.integers(min_value=1, max_value=100_000).map(lambda n: D(n) / 100)
lines_strategy = st.lists(
    st.tuples(days, pennies, st.sampled_from(["debit", "payment", "credit"])).map(
        lambda t: Line(on=t[0], amount=t[1] if t[2] == "debit" else -t[1], payment=t[2] == "payment")
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(lines=lines_strategy, acks=st.lists(days, max_size=5), on=days)
def test_what_is_owed_plus_credit_is_the_balance(lines, acks, on):
    result = limitation(lines, acknowledgments=acks, on=on)
    balance = sum((line.amount for line in lines if line.on <= on), D("0.00"))
    assert sum((p.amount for p in result.parts), D("0.00")) - result.credit == balance
    assert D("0.00") <= result.out_of_time <= max(balance, D("0.00"))
    assert result.credit == D("0.00") or result.parts == []
    assert all(p.amount > 0 and p.runs_from >= p.due for p in result.parts)


@settings(max_examples=300, deadline=None)
@given(lines=lines_strategy, acks=st.lists(days, max_size=5), on=days)
def test_the_limitation_date_is_after_the_day_and_within_six_years(lines, acks, on):
    result = limitation(lines, acknowledgments=acks, on=on)
    if result.limitation_date is not None:
        assert on <= result.limitation_date <= years_after(on)
    assert (result.limitation_date is None) == all(p.barred(on) for p in result.parts)


@settings(max_examples=300, deadline=None)
@given(lines=lines_strategy, acks=st.lists(days, max_size=5), extra=days, on=days)
def test_an_acknowledgment_never_puts_more_out_of_time(lines, acks, extra, on):
    before = limitation(lines, acknowledgments=acks, on=on)
    after = limitation(lines, acknowledgments=[*acks, extra], on=on)
    assert after.out_of_time <= before.out_of_time
    # A part out of time before the acknowledgment was made stays out of time.
    barred_then = sum((p.amount for p in before.parts if p.barred(extra)), D("0.00"))
    if extra <= on:
        assert after.out_of_time >= barred_then


@settings(max_examples=200, deadline=None)
@given(lines=lines_strategy, on=days)
def test_a_line_and_its_reversal_change_nothing(lines, on):
    keyed = [Line(on=line.on, amount=line.amount, payment=line.payment, key=i) for i, line in enumerate(lines)]
    reversals = [Line(on=line.on, amount=-line.amount, reverses=line.key) for line in keyed[::2]]
    base = limitation(keyed[1::2], on=on)
    both = limitation(keyed + reversals, on=on)
    assert (both.out_of_time, both.limitation_date, both.credit) == (
        base.out_of_time,
        base.limitation_date,
        base.credit,
    )


def test_the_worked_example_in_the_docs():
    lines = [rent(date(2019, 4, 1), "120.00"), rent(date(2025, 3, 3), "1120.00"), rent(date(2026, 5, 4))]
    on = date(2026, 6, 1)
    paid_in_may = limitation([*lines, paid(date(2026, 5, 12))], on=on)
    assert (paid_in_may.out_of_time, paid_in_may.limitation_date) == (D("20.00"), date(2032, 5, 12))
    acknowledged = limitation(lines, acknowledgments=[date(2026, 3, 2)], on=on)
    assert (acknowledged.out_of_time, acknowledged.limitation_date) == (D("120.00"), date(2032, 3, 2))
    fenced = limitation([*lines, paid(date(2026, 5, 12))], on=on, fences=[date(2026, 5, 1)])
    assert [(p.due, p.amount) for p in fenced.parts] == [
        (date(2019, 4, 1), D("120.00")),
        (date(2025, 3, 3), D("1120.00")),
    ]
