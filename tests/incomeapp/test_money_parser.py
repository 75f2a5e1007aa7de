"""One strict money parser for every form, file and API: hostile amounts are refused in plain English, with a bound."""

import importlib
import inspect
import unicodedata
from decimal import Decimal

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from incomeapp.forms import MoneyField
from incomeapp.money import MONEY_LIMIT, MoneyError, parse_money, parse_percentage, to_money

# Python's own words, which must never reach a person ("decimal places" is plain English; "Decimal(" is not).
JARGON = ("invalidoperation", "conversionsyntax", "decimal(", "decimal.", "<class", "traceback", "exception", "errno")


def assert_plain(message: str) -> None:
    """A sentence a housing officer can act on: no jargon, no hidden characters, not a wall of text, says what to do."""
    assert 20 < len(message) < 250, message
    assert all(unicodedata.category(char)[0] != "C" for char in message), repr(message)
    assert not any(word in message.lower() for word in JARGON), message
    assert message[0].isupper() or message[0] in "'£-", message
    assert message.endswith("."), message
    assert any(hint in message for hint in ("like 12.50", "like 1,234.50", "like 1250.00", "check", "Check")), message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.50", "12.50"),
        ("12.5", "12.50"),
        ("12", "12.00"),
        (".5", "0.50"),
        ("0", "0.00"),
        ("-0", "0.00"),
        ("£1,234.50", "1234.50"),
        ("1,234,567.89", "1234567.89"),
        ("  £12 ", "12.00"),
        ("£ 12.00", "12.00"),
        ("-12.00", "-12.00"),
        ("+12.00", "12.00"),
        ("-£12.00", "-12.00"),
        ("£-12.00", "-12.00"),
        ("(40.00)", "-40.00"),
        ("(£1,040.00)", "-1040.00"),
        ("9999999.99", "9999999.99"),
        ("-9,999,999.99", "-9999999.99"),
        ("\u00a012.50\u00a0", "12.50"),  # a no-break space around the figure, as spreadsheets write
    ],
)
def test_the_strict_parser_reads_what_people_and_files_write(text, expected):
    assert parse_money(text) == Decimal(expected)
    assert str(parse_money(text)) == expected


HOSTILE = [
    # (what a hostile or careless person or file writes, what the message must say)
    ("", "No amount was given"),
    ("   ", "No amount was given"),
    ("£", "is not an amount of money"),
    ("-", "is not an amount of money"),
    ("twelve pounds", "is not an amount of money"),
    ("1e308", "scientific notation"),
    ("1E308", "scientific notation"),
    ("1e3", "scientific notation"),
    ("2.5e-3", "scientific notation"),
    ("-1E+10", "scientific notation"),
    ("NaN", "is not an amount of money"),
    ("-nan", "is not an amount of money"),
    ("sNaN", "is not an amount of money"),
    ("Infinity", "is not an amount of money"),
    ("-inf", "is not an amount of money"),
    ("12\x00", "hidden character"),
    ("\x0012.00", "hidden character"),
    ("1\x002", "hidden character"),
    ("12.50\x1b[31m", "hidden character"),
    ("\u200b12.50", "hidden character"),  # zero-width space
    ("12.50\u202e", "hidden character"),  # right-to-left override
    ("\ufeff12.50", "hidden character"),  # a byte-order mark inside a cell
    ("١٢٣", "digits other than 0 to 9"),  # Arabic-Indic
    ("۱۲۳", "digits other than 0 to 9"),  # Persian
    ("１２.５０", "digits other than 0 to 9"),  # full-width
    ("१२", "digits other than 0 to 9"),  # Devanagari
    ("12²", "digits other than 0 to 9"),  # a superscript
    ("½", "digits other than 0 to 9"),
    ("1,0,0", "commas are in the wrong places"),
    ("1,00", "commas are in the wrong places"),
    ("12,34.50", "commas are in the wrong places"),
    (",123", "commas are in the wrong places"),
    ("0,100", "commas are in the wrong places"),
    ("1234,567", "commas are in the wrong places"),
    ("12.345", "more than two decimal places"),
    ("12.500", "more than two decimal places"),
    ("0.001", "more than two decimal places"),
    ("12.", "is not an amount of money"),
    ("12.5.0", "is not an amount of money"),
    ("--12", "is not an amount of money"),
    ("+-12", "is not an amount of money"),
    ("(-12)", "is not an amount of money"),
    ("((12))", "is not an amount of money"),
    ("££12", "is not an amount of money"),
    ("12£", "is not an amount of money"),
    ("$12", "is not an amount of money"),
    ("12 50", "is not an amount of money"),
    ("0x1F", "is not an amount of money"),
    ("1_000", "is not an amount of money"),
    ("99999999999", "more than the largest amount allowed here (£9,999,999.99)"),
    ("10000000", "more than the largest amount allowed here"),
    ("-10,000,000.00", "more than the largest amount allowed here"),
    ("1000000000000", "more than the largest amount allowed here"),
    ("9" * 20, "too many digits"),
    ("1" * 41, "too long to be an amount of money"),
    ("9" * 10_000, "too long to be an amount of money"),
]


@pytest.mark.parametrize(("text", "says"), HOSTILE, ids=[repr(text)[:30] for text, _ in HOSTILE])
def test_every_hostile_amount_is_refused_with_a_plain_reason(text, says):
    with pytest.raises(MoneyError) as refused:
        parse_money(text)
    assert says in str(refused.value)
    assert_plain(str(refused.value))


def test_the_message_never_echoes_hidden_characters_or_a_wall_of_text():
    for text in ("12\x00", "9" * 10_000, "١٢٣\u202e"):
        with pytest.raises(MoneyError) as refused:
            parse_money(text)
        assert text not in str(refused.value)
        assert str(refused.value).startswith("The amount")


def test_the_bound_is_the_callers_to_choose():
    assert Decimal("9999999.99") == MONEY_LIMIT
    with pytest.raises(MoneyError, match=r"more than the largest amount allowed here \(£100.00\)"):
        parse_money("100.01", limit=Decimal("100.00"))
    assert parse_money("100.00", limit=Decimal("100.00")) == Decimal("100.00")
    assert parse_money("123456789012.34", limit=None) == Decimal("123456789012.34")
    with pytest.raises(MoneyError, match="too many digits"):
        parse_money("1" * 16, limit=None)


def test_to_money_reads_text_as_strictly_and_refuses_absurd_decimals():
    assert to_money("12.5") == Decimal("12.50")
    assert to_money("-1234567890.00") == Decimal("-1234567890.00")  # internal totals: no upper bound but digits
    for text in ("1e3", "NaN", "١٢", "1,0,0", "12\x00"):
        with pytest.raises(MoneyError):
            to_money(text)
    with pytest.raises(MoneyError, match="too many digits"):
        to_money(Decimal("1e308"))
    with pytest.raises(MoneyError):
        to_money(Decimal("Infinity"))


@given(st.text(max_size=60))
def test_any_text_at_all_is_read_or_refused_plainly_never_crashes(text):
    try:
        amount = parse_money(text)
    except MoneyError as refused:
        assert_plain(str(refused))
    else:
        assert abs(amount) <= MONEY_LIMIT
        assert amount == amount.quantize(Decimal("0.01"))
        assert all(char in "0123456789.,£()+-" or char.isspace() for char in text)


@given(st.decimals(min_value=-MONEY_LIMIT, max_value=MONEY_LIMIT, places=2, allow_nan=False))
def test_every_amount_written_the_usual_ways_reads_back_exactly(amount):
    for text in (f"{amount}", f"{amount:,}", f"£{amount:,.2f}", f"({abs(amount):.2f})"):
        expected = -abs(amount) if text.startswith("(") else amount
        assert parse_money(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"), [("2.7", "2.7"), ("-1", "-1"), ("2.75%", "2.75"), (" 3.125 % ", "3.125"), ("+.5", "0.5")]
)
def test_percentages_are_read_as_strictly(text, expected):
    assert parse_percentage(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["1e308", "NaN", "Infinity", "٣", "2.7\x00", "1.2345", "", "%", "9" * 20, "5000"])
def test_hostile_percentages_are_refused_plainly(text):
    with pytest.raises(MoneyError) as refused:
        parse_percentage(text)
    assert "percentage" in str(refused.value)
    assert not any(word in str(refused.value).lower() for word in JARGON)


@pytest.mark.parametrize("text", ["1e308", "99999999999", "1000000000000", "1,0,0", "١٢", "12\x00", "NaN"])
def test_the_money_form_field_turns_absurd_amounts_into_form_errors(text):
    class Form(forms.Form):
        amount = MoneyField()

    form = Form({"amount": text})
    assert not form.is_valid()
    assert_plain(form.errors["amount"][0])


# Every form module that takes money from a person.
FORM_MODULES = [
    "rentaccounts.forms",
    "rentaccounts.forms_approvals",
    "arrears.forms",
    "courts.forms",
    "lifecycle.forms_changes",
    "lifecycle.forms_signup",
    "tenancies.forms_homes",
]
MONEY_WORDS = ("amount", "balance", "income", "expenditure", "cap", "rent", "charge")


def _declared_fields():
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for _, form in inspect.getmembers(module, inspect.isclass):
            if issubclass(form, forms.BaseForm) and form.__module__ == module_name:
                yield from ((form, name, field) for name, field in form.base_fields.items())


def test_every_money_field_in_the_product_is_the_one_strict_bounded_field():
    money_fields = [(form, name, field) for form, name, field in _declared_fields() if isinstance(field, MoneyField)]
    assert len(money_fields) >= 10
    for _form, _name, field in money_fields:
        with pytest.raises(forms.ValidationError):
            field.clean("1e308")
        with pytest.raises(forms.ValidationError):
            field.clean(str(10**12))
    numeric = (forms.DecimalField, forms.FloatField, forms.IntegerField)
    for form, name, field in _declared_fields():
        if any(word in name for word in MONEY_WORDS) and isinstance(field, numeric):
            pytest.fail(f"{form.__name__}.{name} reads money without the strict parser: use incomeapp.forms.MoneyField")
