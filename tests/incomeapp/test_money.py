from decimal import Decimal

import pytest

from incomeapp.money import MoneyError, apportion, format_money, money_from_sum, parse_money, to_money


def test_to_money_keeps_pence_exact():
    assert to_money("12.5") == Decimal("12.50")
    assert to_money(7) == Decimal("7.00")
    assert str(to_money(Decimal("0.1") + Decimal("0.2"))) == "0.30"


def test_to_money_refuses_floats_and_fractions_of_a_penny():
    with pytest.raises(TypeError):
        to_money(0.1)
    with pytest.raises(MoneyError, match="fractions of a penny"):
        to_money("1.005")
    with pytest.raises(MoneyError):
        to_money("NaN")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("£1,234.50", "1234.50"), (" 12 ", "12.00"), ("-3.2", "-3.20"), ("(40.00)", "-40.00")],
)
def test_parse_money_reads_what_people_and_files_write(text, expected):
    assert parse_money(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "twelve", "12.345", "£"])
def test_parse_money_says_what_was_wrong(text):
    with pytest.raises(MoneyError, match=r"pounds and pence|fractions"):
        parse_money(text)


def test_apportion_rounds_half_up_once():
    # £400.00 a month is £92.307... a week: half-up to the penny.
    assert apportion(Decimal("400.00"), 12, 52) == Decimal("92.31")
    # 3 days of a £100.00 week is £42.857...
    assert apportion(Decimal("100.00"), 3, 7) == Decimal("42.86")
    # Exactly half a penny rounds up, not to even.
    assert apportion(Decimal("0.05"), 1, 2) == Decimal("0.03")
    with pytest.raises(ZeroDivisionError):
        apportion(Decimal("1.00"), 1, 0)


def test_format_money_at_the_edge():
    assert format_money(Decimal("1234.5")) == "£1,234.50"
    assert format_money(Decimal("-12")) == "-£12.00"
    assert format_money(Decimal("0")) == "£0.00"
    assert format_money(None) == ""


def test_money_template_filter_is_builtin():
    from django.template import engines

    template = engines["django"].from_string("{{ amount|money }}")
    assert template.render({"amount": Decimal("412.5")}) == "£412.50"


@pytest.mark.parametrize(
    "summed, money",
    [
        (None, Decimal("0.00")),
        (Decimal("2.84217094304040E-14"), Decimal("0.00")),  # SQLite's sum of +12.30 and -12.30, via Django
        (Decimal("-1.42108547152020E-14"), Decimal("0.00")),
        (12.299999999999999, Decimal("12.30")),  # a float, as an older SQLite path gave
        (100, Decimal("100.00")),  # a whole sum, without its places
        (Decimal("-431.07"), Decimal("-431.07")),  # PostgreSQL's exact sum, unchanged
    ],
)
def test_a_database_sum_is_money_to_the_penny(summed, money):
    result = money_from_sum(summed)
    assert result == money and result.as_tuple().exponent == -2


def test_a_sum_that_is_not_pounds_and_pence_is_refused():
    with pytest.raises(MoneyError, match="fractions of a penny"):
        money_from_sum(Decimal("12.345"))
